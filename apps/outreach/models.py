"""Settings and the fixed vocabulary of the outreach app (pydantic only: imported by the
manifest, so nothing heavy)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

OUTCOMES: tuple[str, ...] = (
    "reached",
    "not_reachable",
    "referred",
    "enrolled_f1",
    "enrolled_f0",
    "wrong_number",
)
"""What a call attempt can end with."""
REACHED = frozenset({"reached", "referred", "enrolled_f1", "enrolled_f0"})
"""Outcomes that mean the person was reached (the case closes)."""


class OutreachSettings(BaseModel):
    """``[apps.outreach]`` in rapid.toml."""

    model_config = ConfigDict(extra="forbid")
    max_attempts: int = Field(
        default=5, ge=1, le=30, description="Calls before an unreachable case is closed"
    )
    lookback_hours: int = Field(
        default=72,
        ge=1,
        le=24 * 14,
        description="Each sync looks this far back for risk events (new F0s reveal old contacts)",
    )
    sync_minutes: int = Field(
        default=5, ge=1, le=24 * 60, description="A worker's list syncs at most this often"
    )
    list_limit: int = Field(default=200, ge=10, le=5000, description="Cases shown on a list")


def outreach_settings() -> OutreachSettings:
    from core.config import get_settings

    return get_settings().app_settings("outreach", OutreachSettings)  # type: ignore[return-value]
