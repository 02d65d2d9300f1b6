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
    max_declarations_per_hour: int = Field(default=5, ge=1, le=1000)
    venue_token_valid_days: int = Field(default=365, ge=1, le=3650)
    contact_window_minutes: int = Field(default=60, ge=1, le=24 * 60)
    risk_rules: list[RiskRule] = Field(default_factory=lambda: list(DEFAULT_RULES))


# -- QR claims ---------------------------------------------------------------------------------


class PassClaims(BaseModel):
    """Personal health pass (HD1:). Short keys keep the QR small; the ID number is masked."""

    model_config = ConfigDict(extra="forbid")
    n: str = Field(description="full name")
    y: int = Field(description="year of birth")
    c: str = Field(description="masked CCCD/passport, last 4 characters")
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
