"""Settings of the SMS sender (``[notify]`` in rapid.toml). Pydantic only: ``core.config``
imports this model, so it must import nothing of the suite."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class NotifySettings(BaseModel):
    """``[notify]``: which sender delivers SMS, and how many a phone number may receive."""

    model_config = ConfigDict(extra="forbid")
    sender: str = Field(
        default="file",
        description=(
            "'file' (DATA_DIR/outbox/sms.jsonl: development, tests, the demo), 'console' (the"
            " server log), or the name of an installed 'rapid.senders' entry point (a gateway)"
        ),
        max_length=200,
    )
    per_phone_per_hour: int = Field(
        default=3, ge=1, le=1000, description="SMS of one kind to one number per hour"
    )
    per_phone_per_day: int = Field(
        default=10, ge=1, le=10_000, description="SMS of one kind to one number per day"
    )


def notify_settings() -> NotifySettings:
    """The effective ``[notify]`` settings (defaults when the configuration has none)."""
    from core.config import get_settings

    found = getattr(get_settings(), "notify", None)
    return found if isinstance(found, NotifySettings) else NotifySettings()
