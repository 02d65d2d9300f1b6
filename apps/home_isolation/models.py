"""Settings and the monitoring-token claims (pydantic: not user input), and the app's fixed
vocabulary. The forms people fill in are in ``apps.home_isolation.forms``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

LEVELS: tuple[str, ...] = ("green", "yellow", "orange", "red")
RANK = {name: i for i, name in enumerate(LEVELS)}
KINDS = ("F0", "F1")
STATUSES = ("isolating", "hospital", "released")


# -- settings ---------------------------------------------------------------------------------


class TriageRule(BaseModel):
    """One row of the triage table: ``<field> <op> <value>`` gives at least ``level``.

    Fields: ``spo2``, ``temperature``, ``pulse``, ``resp_rate``, ``fever_days`` (distinct days
    with temperature >= ``fever_threshold`` in the last ``fever_window_days``), or
    ``symptom`` with op ``has`` and a symptom code (``forms.SYMPTOMS``) as value.
    """

    model_config = ConfigDict(extra="forbid")

    field: Literal["spo2", "temperature", "pulse", "resp_rate", "fever_days", "symptom"]
    op: Literal["<", "<=", ">", ">=", "has"]
    value: float | str
    level: Literal["yellow", "orange", "red"]
    code: str


DEFAULT_RULES: list[dict[str, Any]] = [
    {"field": "spo2", "op": "<=", "value": 93, "level": "red", "code": "spo2_low"},
    {"field": "spo2", "op": "<=", "value": 95, "level": "orange", "code": "spo2_border"},
    {"field": "resp_rate", "op": ">", "value": 20, "level": "orange", "code": "resp_high"},
    {"field": "pulse", "op": ">", "value": 120, "level": "orange", "code": "pulse_high"},
    {"field": "fever_days", "op": ">", "value": 2, "level": "yellow", "code": "fever_days"},
    {
        "field": "symptom",
        "op": "has",
        "value": "breathless",
        "level": "orange",
        "code": "breathless",
    },
    {
        "field": "symptom",
        "op": "has",
        "value": "chest_pain",
        "level": "orange",
        "code": "chest_pain",
    },
    {"field": "symptom", "op": "has", "value": "confusion", "level": "red", "code": "confusion"},
    {"field": "symptom", "op": "has", "value": "cyanosis", "level": "red", "code": "cyanosis"},
]


class IsolationSettings(BaseModel):
    """``[apps.home_isolation]`` in rapid.toml."""

    model_config = ConfigDict(extra="forbid")

    f0_days: int = Field(default=7, ge=1, le=60, description="F0: days from the positive test")
    f0_needs_negative_test: bool = Field(
        default=True, description="F0 release needs a negative test"
    )
    f1_days: int = Field(default=7, ge=1, le=60, description="F1: days after last exposure")
    link_grace_days: int = Field(
        default=14, ge=0, le=60, description="Monitoring link stays valid this long after the end"
    )
    max_reports_per_day: int = Field(default=3, ge=1, le=24)
    missed_hours: int = Field(default=24, ge=1, le=24 * 7)
    worsening_reports: int = Field(default=3, ge=2, le=10)
    worsening_spo2_drop: int = Field(default=3, ge=1, le=20)
    fever_threshold: float = Field(default=38.5, ge=37.0, le=41.0)
    fever_window_days: int = Field(default=4, ge=1, le=14)
    elderly_age: int = Field(default=65, ge=1, le=120)
    f1_followup_days: int = Field(
        default=14, ge=1, le=30, description="F1: days of the follow-up calendar after exposure"
    )
    trace_window_minutes: int = Field(default=60, ge=1, le=24 * 60)
    infectious_days_before: int = Field(default=2, ge=0, le=14)
    board_limit: int = Field(default=300, ge=10, le=5000)
    link_code_digits: int = Field(
        default=6, ge=4, le=10, description="Digits of the code given with a monitoring link"
    )
    rules: list[TriageRule] = Field(
        default_factory=lambda: [TriageRule(**r) for r in DEFAULT_RULES]
    )


def isolation_settings() -> IsolationSettings:
    from core.config import get_settings

    return get_settings().app_settings("home_isolation", IsolationSettings)  # type: ignore[return-value]


# -- the monitoring token ---------------------------------------------------------------------


class MonitoringClaims(BaseModel):
    """Claims of an ``HI1:`` token: the enrolment reference only (its validity is the token's
    expiry). Anyone can read a QR's claims, so no F0/F1, name or other health data: the link
    alone opens nothing either (its code does, ``service.unlock``)."""

    model_config = ConfigDict(extra="forbid")
    e: str = Field(min_length=4, max_length=40, description="enrolment id")
