"""Settings and QR claims of the health declaration app (the forms are in ``forms.py``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

COLOURS = ("green", "yellow", "red")


# -- settings (TOML [apps.health_declaration]) --------------------------------------------------

Condition = Literal[
    "symptom_fever_cough",
    "symptom_any",
    "exp_case",
    "exp_area",
    "exp_symptoms",
    "epidemic_area",
    "abroad",
    "chronic_and_symptom",
]


class RiskRule(BaseModel):
    """When ``condition`` holds for a declaration, its colour is at least ``colour``."""

    model_config = ConfigDict(extra="forbid")
    condition: Condition
    colour: Literal["yellow", "red"]


DEFAULT_RULES = [
    RiskRule(condition="exp_case", colour="red"),
    RiskRule(condition="symptom_any", colour="yellow"),
    RiskRule(condition="epidemic_area", colour="yellow"),
    RiskRule(condition="exp_area", colour="yellow"),
    RiskRule(condition="exp_symptoms", colour="yellow"),
    RiskRule(condition="abroad", colour="yellow"),
]


class HealthSettings(BaseModel):
    """``[apps.health_declaration]`` in rapid.toml."""

    model_config = ConfigDict(extra="forbid")
    pass_valid_hours: int = Field(default=24, ge=1, le=24 * 14)
    max_declarations_per_hour: int = Field(
        default=3, ge=1, le=1000, description="Declarations per CCCD/passport per hour"
    )
    max_declarations_per_phone_per_hour: int = Field(
        default=8,
        ge=1,
        le=100_000,
        description="Declarations per phone number per hour (a household declares together)",
    )
    declare_per_client_per_minute: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description=(
            "Declarations per client address per minute; default a third of the suite's"
            " web_submit_per_minute (many phones share a carrier's address)"
        ),
    )
    lookups_per_person_per_hour: int = Field(
        default=5,
        ge=1,
        le=100_000,
        description="Pass look-ups (code requests) per CCCD/passport and per phone per hour",
    )
    holder_days: int = Field(
        default=30, ge=1, le=366, description="How long a phone keeps access to its passes"
    )
    code_minutes: int = Field(default=10, ge=1, le=60, description="Life of a one-time code")
    code_tries: int = Field(default=5, ge=1, le=10, description="Tries per one-time code")
    venue_token_valid_days: int = Field(default=365, ge=1, le=3650)
    contact_window_minutes: int = Field(default=60, ge=1, le=24 * 60)
    exposure_days: int = Field(
        default=14, ge=1, le=60, description="How long a co-location with an F0 counts as risk"
    )
    infectious_days_before: int = Field(
        default=2,
        ge=0,
        le=14,
        description="An F0's check-ins count from this many days before they were registered",
    )
    risk_rules: list[RiskRule] = Field(default_factory=lambda: list(DEFAULT_RULES))


# -- QR claims ---------------------------------------------------------------------------------


class PassClaims(BaseModel):
    """Personal health pass (HD1:). Anyone can read a QR, so it carries only what a venue or
    checkpoint needs: the name (to match the holder to an ID card), the colour, when it was
    declared and the declaration's id (the expiry is the token's own). No birth year and no
    digit of the ID number: with them, the full CCCD could be rebuilt by trying the few
    numbers left."""

    model_config = ConfigDict(extra="forbid")
    n: str = Field(description="full name")
    k: Literal["g", "y", "r"] = Field(description="risk colour: green, yellow, red")
    d: int = Field(description="declared at, seconds since the epoch (UTC)")
    i: str = Field(description="declaration id")


class VenueClaims(BaseModel):
    """Venue check-in token (HV1:) carried in the venue poster's link."""

    model_config = ConfigDict(extra="forbid")
    v: int = Field(description="venue id")
    n: str = Field(description="venue name")


COLOUR_CODE = {"green": "g", "yellow": "y", "red": "r"}
CODE_COLOUR = {v: k for k, v in COLOUR_CODE.items()}
