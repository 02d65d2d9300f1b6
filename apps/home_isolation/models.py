"""Settings, the monitoring-token claims, and the parsers of outside input (forms).

Parsers never raise anything but :class:`FormInvalid`, whose ``errors`` maps a field name to a
message key of ``messages.py`` (with its format arguments), so a page can show each message
next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core import clock, geo
from core.text import collapse_spaces, nfc

LEVELS: tuple[str, ...] = ("green", "yellow", "orange", "red")
RANK = {name: i for i, name in enumerate(LEVELS)}
KINDS = ("F0", "F1")
STATUSES = ("isolating", "hospital", "released")
TEST_TYPES = ("pcr", "antigen")
SYMPTOMS: tuple[str, ...] = (
    "fever",
    "cough",
    "sore_throat",
    "loss_smell",
    "fatigue",
    "headache",
    "muscle_pain",
    "diarrhoea",
    "breathless",
    "chest_pain",
    "confusion",
    "cyanosis",
)
MEDICINES: tuple[str, ...] = ("paracetamol", "antiviral", "cough_syrup", "vitamin", "other")
CHRONIC: tuple[str, ...] = (
    "diabetes",
    "hypertension",
    "heart",
    "lung",
    "kidney",
    "liver",
    "cancer",
    "immune",
    "obesity",
)

# Physically possible ranges (outside: "impossible" -> refused, nothing written).
SPO2_RANGE = (50, 100)
TEMP_RANGE = (34.0, 43.0)
PULSE_RANGE = (25, 250)
RESP_RANGE = (4, 80)
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_NOTE = 1000


# -- settings ---------------------------------------------------------------------------------


class TriageRule(BaseModel):
    """One row of the triage table: ``<field> <op> <value>`` gives at least ``level``.

    Fields: ``spo2``, ``temperature``, ``pulse``, ``resp_rate``, ``fever_days`` (distinct days
    with temperature >= ``fever_threshold`` in the last ``fever_window_days``), or
    ``symptom`` with op ``has`` and a symptom code as value.
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
    trace_window_minutes: int = Field(default=60, ge=1, le=24 * 60)
    infectious_days_before: int = Field(default=2, ge=0, le=14)
    board_limit: int = Field(default=300, ge=10, le=5000)
    rules: list[TriageRule] = Field(
        default_factory=lambda: [TriageRule(**r) for r in DEFAULT_RULES]
    )


def isolation_settings() -> IsolationSettings:
    from core.config import get_settings

    return get_settings().app_settings("home_isolation", IsolationSettings)  # type: ignore[return-value]


# -- the monitoring token ---------------------------------------------------------------------


class MonitoringClaims(BaseModel):
    """Claims of an ``HI1:`` token: enrolment id and role only (no personal data)."""

    model_config = ConfigDict(extra="forbid")
    e: str = Field(min_length=4, max_length=40, description="enrolment id")
    r: Literal["F0", "F1"]


# -- form parsing -----------------------------------------------------------------------------


@dataclass
class FormInvalid(Exception):
    """Bad form input: field -> (message key, format arguments)."""

    errors: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{k}: {v[0]}" for k, v in self.errors.items())


_NUMBER = re.compile(r"^[+-]?\d{1,6}([.,]\d{1,4})?$")


def parse_number(value: Any) -> float | None:
    """'36,8' / '36.8' / 36.8 -> 36.8; None for empty; ValueError when not a number."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("not a number")
        return float(value)
    text = nfc(str(value)).replace(" ", "")
    if not text:
        return None
    if not _NUMBER.match(text):
        raise ValueError("not a number")
    return float(text.replace(",", "."))


def _choices(value: Any, allowed: tuple[str, ...]) -> tuple[list[str], list[str]]:
    if value is None or value == "":
        return [], []
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        items = [value]
    good, bad = [], []
    for item in items:
        code = nfc(str(item)).lower()
        if not code:
            continue
        (good if code in allowed else bad).append(code)
    return sorted(set(good), key=allowed.index), bad


@dataclass(frozen=True)
class ReportIn:
    measured_at: datetime  # aware UTC
    temperature: float
    spo2: int
    pulse: int
    resp_rate: int
    symptoms: tuple[str, ...]
    medicines: tuple[str, ...]
    note: str


_VITALS: tuple[tuple[str, tuple[float, float], bool], ...] = (
    ("temperature", TEMP_RANGE, False),
    ("spo2", SPO2_RANGE, True),
    ("pulse", PULSE_RANGE, True),
    ("resp_rate", RESP_RANGE, True),
)


def parse_report(raw: Mapping[str, Any], now: datetime | None = None) -> ReportIn:
    """Validate a daily report form (strings or numbers). Raises FormInvalid, nothing else."""
    now = now or clock.now()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    values: dict[str, float] = {}
    for name, (low, high), integer in _VITALS:
        try:
            number = parse_number(raw.get(name))
        except ValueError:
            errors[name] = ("hi.err.not_number", {})
            continue
        if number is None:
            errors[name] = ("hi.err.required", {})
        elif not low <= number <= high:
            errors[name] = (f"hi.err.{name}_range", {"low": low, "high": high})
        elif integer and number != int(number):
            errors[name] = ("hi.err.whole_number", {})
        else:
            values[name] = number
    measured = raw.get("measured_at")
    if measured in (None, ""):
        measured_at = now
    elif isinstance(measured, datetime):
        measured_at = measured if measured.tzinfo else measured.replace(tzinfo=clock.LOCAL_TZ)
    else:
        try:
            parsed = datetime.fromisoformat(str(measured).strip())
            measured_at = parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.LOCAL_TZ)
        except ValueError:
            errors["measured_at"] = ("hi.err.bad_time", {})
            measured_at = now
    if "measured_at" not in errors:
        try:
            if measured_at > now + FUTURE_TOLERANCE:
                errors["measured_at"] = ("hi.err.future", {})
            elif measured_at < now - timedelta(days=2):
                errors["measured_at"] = ("hi.err.too_old", {})
        except OverflowError:
            errors["measured_at"] = ("hi.err.bad_time", {})
    symptoms, bad_s = _choices(raw.get("symptoms"), SYMPTOMS)
    if bad_s:
        errors["symptoms"] = ("hi.err.unknown_choice", {"value": ", ".join(bad_s)[:60]})
    medicines, bad_m = _choices(raw.get("medicines"), MEDICINES)
    if bad_m:
        errors["medicines"] = ("hi.err.unknown_choice", {"value": ", ".join(bad_m)[:60]})
    note = nfc(str(raw.get("note") or ""))
    if len(note) > MAX_NOTE:
        errors["note"] = ("hi.err.too_long", {"max": MAX_NOTE})
    if errors:
        raise FormInvalid(errors)
    return ReportIn(
        measured_at=measured_at.astimezone(UTC),
        temperature=round(values["temperature"], 1),
        spo2=int(values["spo2"]),
        pulse=int(values["pulse"]),
        resp_rate=int(values["resp_rate"]),
        symptoms=tuple(symptoms),
        medicines=tuple(medicines),
        note=note,
    )


# -- enrolment --------------------------------------------------------------------------------

_CCCD = re.compile(r"^\d{12}$")
_PASSPORT = re.compile(r"^[A-Z][A-Z0-9]{5,8}$")
_PHONE = re.compile(r"^0\d{9}$")


def normalise_person_id(value: Any) -> str:
    return nfc(str(value or "")).replace(" ", "").upper()


def normalise_phone(value: Any) -> str:
    text = re.sub(r"[\s.\-()]", "", nfc(str(value or "")))
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) == 11:
        text = "0" + text[2:]
    return text


def _whole_number(value: Any, high: int) -> int:
    """A whole number in ``0..high`` (``parse_number`` syntax); ValueError otherwise."""
    number = parse_number(value)
    if number is None or number != int(number) or not 0 <= number <= high:
        raise ValueError("not a whole number in range")
    return int(number)


def _parse_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


@dataclass(frozen=True)
class EnrolIn:
    kind: str
    person_id: str
    full_name: str
    phone: str
    ward_code: int
    province_code: int
    age: int | None
    chronic: tuple[str, ...]
    vaccine_doses: int | None
    test_date: date | None = None
    test_type: str | None = None
    onset_date: date | None = None
    exposure_date: date | None = None
    source_id: str | None = None


def parse_enrol(raw: Mapping[str, Any], kind: str, today: date | None = None) -> EnrolIn:
    """Validate an F0 or F1 enrolment form. Raises FormInvalid."""
    today = today or clock.today_local()
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    person_id = normalise_person_id(raw.get("person_id"))
    if not (_CCCD.match(person_id) or _PASSPORT.match(person_id)):
        errors["person_id"] = ("hi.err.person_id", {})
    name = collapse_spaces(str(raw.get("full_name") or ""))
    if not 2 <= len(name) <= 100:
        errors["full_name"] = ("hi.err.name", {})
    phone = normalise_phone(raw.get("phone"))
    if not _PHONE.match(phone):
        errors["phone"] = ("hi.err.phone", {})
    ward_code = 0
    try:
        ward_code = int(raw.get("ward_code") or 0)
    except (TypeError, ValueError, OverflowError):
        ward_code = 0
    if not geo.is_ward(ward_code):
        errors["ward_code"] = ("hi.err.ward", {})
    age: int | None = None
    if raw.get("age") not in (None, ""):
        try:
            age = _whole_number(raw.get("age"), 120)
        except ValueError:
            errors["age"] = ("hi.err.age", {})
    elif kind == "F0":
        errors["age"] = ("hi.err.required", {})
    chronic, bad = _choices(raw.get("chronic"), CHRONIC)
    if bad:
        errors["chronic"] = ("hi.err.unknown_choice", {"value": ", ".join(bad)[:60]})
    doses: int | None = None
    if raw.get("vaccine_doses") not in (None, ""):
        try:
            doses = _whole_number(raw.get("vaccine_doses"), 6)
        except ValueError:
            errors["vaccine_doses"] = ("hi.err.doses", {})
    dates: dict[str, date | None] = {}
    wanted = ("test_date", "onset_date") if kind == "F0" else ("exposure_date",)
    for name_ in wanted:
        try:
            dates[name_] = _parse_date(raw.get(name_))
        except ValueError:
            errors[name_] = ("hi.err.bad_date", {})
            continue
        value = dates[name_]
        if value is None:
            if name_ != "onset_date":
                errors[name_] = ("hi.err.required", {})
        elif value > today:
            errors[name_] = ("hi.err.future_date", {})
        elif value < today - timedelta(days=60):
            errors[name_] = ("hi.err.too_old", {})
    test_type = None
    source_id = None
    if kind == "F0":
        test_type = nfc(str(raw.get("test_type") or "")).lower()
        if test_type not in TEST_TYPES:
            errors["test_type"] = ("hi.err.test_type", {})
    else:
        source_id = nfc(str(raw.get("source_id") or "")) or None
        if not source_id:
            errors["source_id"] = ("hi.err.source_missing", {})
    if errors:
        raise FormInvalid(errors)
    return EnrolIn(
        kind=kind,
        person_id=person_id,
        full_name=name,
        phone=phone,
        ward_code=ward_code,
        province_code=geo.ward_province(ward_code) or 0,
        age=age,
        chronic=tuple(chronic),
        vaccine_doses=doses,
        test_date=dates.get("test_date"),
        test_type=test_type,
        onset_date=dates.get("onset_date"),
        exposure_date=dates.get("exposure_date"),
        source_id=source_id,
    )
