"""Checkpoint settings (TOML ``[apps.checkpoints]``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CheckpointSettings(BaseModel):
    warn_age_hours: float = Field(12.0, gt=0)
    """A station warns when its offline bundle is older than this."""
    max_age_hours: float = Field(72.0, gt=0)
    """A station refuses to scan with a bundle older than this."""
    leeway_seconds: int = Field(60, ge=0, le=3600)
    """Tolerated station clock skew on token validity times."""
    throttle_seconds: float = Field(3.0, ge=0)
    """One verdict per code per this many seconds while it stays in view."""
    max_speed_kmh: float = Field(90.0, gt=0)
    """Anomaly: a permit seen at two checkpoints faster apart than this."""
    repeat_threshold: int = Field(2, ge=2)
    """Anomaly: this many scans of one revoked or forged code."""


def get_checkpoint_settings() -> CheckpointSettings:
    from core.config import get_settings

    return get_settings().app_settings("checkpoints", CheckpointSettings)  # type: ignore[return-value]
