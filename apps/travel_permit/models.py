"""What is not user input: the app's settings and the claims inside a permit's QR code.

User input (registration, employees, requests, approvers' decisions) is described by the forms
in ``apps.travel_permit.forms`` and validated there.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from core import geo

MAX_NAME = 100


class TravelPermitSettings(BaseModel):
    """``[apps.travel_permit]`` in rapid.toml."""

    quota_percent: int = Field(default=30, ge=1, le=100, description="Max share of the roster")
    max_validity_days: int = Field(default=14, ge=1, le=366)
    max_roster_rows: int = Field(
        default=50_000, ge=10, le=1_000_000, description="Largest roster file accepted"
    )
    max_upload_mb: int = Field(default=20, ge=1, le=500)
    province_code: int = Field(default=geo.DA_NANG, description="Province the city serves")
    roster_growth_percent: int = Field(
        default=20,
        ge=0,
        le=1000,
        description="The quota's roster base grows at most this share per day (or the rows below)",
    )
    roster_growth_rows: int = Field(
        default=10, ge=0, le=100_000, description="...or this many rows per day, the larger"
    )
    registrations_per_client_hour: int = Field(
        default=5, ge=1, le=10_000, description="Self-registrations per client address per hour"
    )
    registrations_per_tax_code_day: int = Field(
        default=3, ge=1, le=1000, description="Self-registrations naming one tax code per day"
    )


class PermitClaims(BaseModel):
    """The app claims inside a TP1: token (compact: one-letter keys), only what a checkpoint
    checks or shows: the holder's name, the last 4 digits of their CCCD (``c``, shown masked;
    permits issued before carry the masked form ``********1234``), the wards and the daily
    hours. The employer's tax code (``b``) is no longer issued (the gate does not use it and
    it kept the QR at version 11 for long names); older permits that carry it still verify."""

    model_config = ConfigDict(extra="forbid")
    n: str = Field(max_length=MAX_NAME)
    c: str = Field(pattern=r"^(\*{8})?\d{4}$")
    b: str | None = Field(default=None, pattern=r"^\d{10}(-\d{3})?$")
    w: list[int] = Field(min_length=1)
    h: list[int] = Field(min_length=2, max_length=2)
