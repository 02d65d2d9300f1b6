"""Forms, parsers of outside input, settings and QR claims of the health declaration app.

Every parser takes raw text from a form (or a QR claim) and returns a clean value or raises
``FieldError`` whose ``key`` is a message key shown next to the field.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core import clock
from core.text import collapse_spaces, nfc

MAX_NAME = 100
MAX_STREET = 200
MAX_TEXT = 500
MAX_RAW = 1_000  # anything longer than this is refused before any other work

SYMPTOMS = (
    "fever",
    "cough",
    "short_breath",
    "sore_throat",
    "nausea",
    "diarrhoea",
    "skin_bleeding",
    "rash",
)
EXPOSURES = ("exp_case", "exp_area", "exp_symptoms")
CHRONIC = (
    "liver",
    "blood",
    "lung",
    "kidney",
    "heart",
    "hypertension",
    "hiv",
    "transplant",
    "diabetes",
    "cancer",
    "pregnant",
)
SEXES = ("M", "F", "O")
COLOURS = ("green", "yellow", "red")
ID_KINDS = ("cccd", "passport")

_CCCD = re.compile(r"^\d{12}$")
_PASSPORT = re.compile(r"^[A-Z0-9]{6,9}$")
_PHONE = re.compile(r"^0(?:[35789]\d{8}|2\d{9})$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ .'\-][^\W\d_]+)*\.?$")
PASSPORT_KEY_BASE = 10**12


class FieldError(ValueError):
    """A form field is invalid; ``key`` is the message key, ``params`` its arguments."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def _raw(value: object, limit: int = MAX_RAW) -> str:
    text = "" if value is None else str(value)
    if len(text) > limit:
        raise FieldError("hd.err.too_long", limit=limit)
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text):
        raise FieldError("hd.err.control_chars")
    return text


# -- parsers ---------------------------------------------------------------------------------


def parse_person_id(value: object, kind: str = "cccd") -> str:
    """A 12-digit CCCD, or a passport number (6-9 letters/digits); spaces and dots ignored."""
    text = re.sub(r"[\s.\-]", "", nfc(_raw(value))).upper()
    if not text:
        raise FieldError("hd.err.required")
    if kind == "cccd":
        if not text.isdigit():
            raise FieldError("hd.err.cccd_digits")
        if not _CCCD.match(text):
            raise FieldError("hd.err.cccd_length", n=len(text))
        return text
    if kind == "passport":
        if not _PASSPORT.match(text):
            raise FieldError("hd.err.passport")
        return text
    raise FieldError("hd.err.id_kind")


def guess_kind(person_id: str) -> str:
    return "cccd" if _CCCD.match(person_id) else "passport"


def person_key(person_id: str) -> int:
    """Integer key of a CCCD/passport number, stored beside it so scans compare integers.

    CCCD: the number itself (< 10^12). Passport: 10^12 + a 56-bit BLAKE2b hash. Services always
    also compare ``person_id`` itself, so a hash collision can never mix two people.
    """
    pid = re.sub(r"\s", "", person_id).upper()
    if _CCCD.match(pid):
        return int(pid)
    digest = hashlib.blake2b(pid.encode(), digest_size=7).digest()
    return PASSPORT_KEY_BASE + int.from_bytes(digest, "big")


def normalize_person_id(value: object) -> str:
    """Lenient normalisation for look-ups by other apps (no format check)."""
    return re.sub(r"[\s.\-]", "", nfc(_raw(value))).upper()


def parse_phone(value: object) -> str:
    """A Vietnamese phone number, stored as 0xxxxxxxxx (+84/84 accepted; spaces, dots ignored)."""
    text = re.sub(r"[\s.\-()]", "", nfc(_raw(value)))
    if not text:
        raise FieldError("hd.err.required")
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) in (11, 12):
        text = "0" + text[2:]
    if not _PHONE.match(text):
        raise FieldError("hd.err.phone")
    return text


def parse_birth_year(value: object, *, this_year: int | None = None) -> int:
    """A year of birth between this year - 120 and this year."""
    text = nfc(_raw(value, 20))
    if not text:
        raise FieldError("hd.err.required")
    if not text.isdigit() or not text.isascii():
        raise FieldError("hd.err.year_number")
    year = int(text)
    now_year = this_year or clock.local(clock.now()).year  # type: ignore[union-attr]
    if year > now_year:
        raise FieldError("hd.err.year_future")
    if year < now_year - 120:
        raise FieldError("hd.err.year_old", year=now_year - 120)
    return year


def parse_name(value: object, *, limit: int = MAX_NAME) -> str:
    """A person's name: letters (any script), spaces and . ' - ; NFC; HTML is refused."""
    text = collapse_spaces(_raw(value))
    if not text:
        raise FieldError("hd.err.required")
    if len(text) > limit:
        raise FieldError("hd.err.too_long", limit=limit)
    if not _NAME_OK.match(text):
        raise FieldError("hd.err.name_chars")
    return text


def parse_text(value: object, *, limit: int = MAX_STREET, required: bool = True) -> str:
    """Free text (street, venue name): NFC, spaces collapsed, length-limited. Shown as text."""
    text = collapse_spaces(_raw(value))
    if required and not text:
        raise FieldError("hd.err.required")
    if len(text) > limit:
        raise FieldError("hd.err.too_long", limit=limit)
    return text


def parse_country(value: object) -> str:
    text = nfc(_raw(value, 10)).upper()
    if not _COUNTRY.match(text):
        raise FieldError("hd.err.country")
    return text


# -- the declaration -------------------------------------------------------------------------


@dataclass
class Declaration:
    """A validated declaration (the national health declaration's content)."""

    full_name: str
    birth_year: int
    sex: str
    nationality: str
    id_kind: str
    person_id: str
    phone: str
    province_code: int
    ward_code: int
    street: str
    visited_provinces: list[int] = field(default_factory=list)
    visited_countries: list[str] = field(default_factory=list)
    symptoms: set[str] = field(default_factory=set)
    exposures: set[str] = field(default_factory=set)
    chronic: set[str] = field(default_factory=set)
    vaccine_doses: int = 0
    committed: bool = True


class DeclarationInvalid(ValueError):
    """The form has errors: ``errors`` maps field name -> (message key, params)."""

    def __init__(self, errors: dict[str, tuple[str, dict[str, Any]]]) -> None:
        super().__init__(", ".join(f"{k}: {v[0]}" for k, v in errors.items()))
        self.errors = errors


def _listed(value: object) -> list[Any]:
    """A multi-choice field's values; ValueError when it is not a list at all."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    raise ValueError("not a list")


def validate_declaration(raw: dict[str, Any]) -> Declaration:
    """Check every field of a raw form; raises DeclarationInvalid with one message per field."""
    from core import geo

    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    out: dict[str, Any] = {}

    def take(name: str, fn: Any, *args: Any, **kw: Any) -> None:
        try:
            out[name] = fn(raw.get(name), *args, **kw)
        except FieldError as exc:
            errors[name] = (exc.key, exc.params)

    take("full_name", parse_name)
    take("birth_year", parse_birth_year)
    take("phone", parse_phone)
    take("street", parse_text)
    kind = str(raw.get("id_kind") or "cccd")
    if kind not in ID_KINDS:
        errors["id_kind"] = ("hd.err.id_kind", {})
    else:
        out["id_kind"] = kind
        take("person_id", parse_person_id, kind)
    sex = str(raw.get("sex") or "")
    if sex not in SEXES:
        errors["sex"] = ("hd.err.choose", {})
    out["sex"] = sex
    try:
        out["nationality"] = parse_country(raw.get("nationality") or "VN")
    except FieldError as exc:
        errors["nationality"] = (exc.key, exc.params)
    try:
        province = int(raw.get("province_code") or 0)
        ward = int(raw.get("ward_code") or 0)
    except (TypeError, ValueError, OverflowError):
        province, ward = 0, 0
    if not any(p.code == province for p in geo.provinces()):
        errors["province_code"] = ("hd.err.choose", {})
    elif not geo.is_ward(ward, province):
        errors["ward_code"] = ("hd.err.choose", {})
    out["province_code"], out["ward_code"] = province, ward
    try:
        visited = [int(v) for v in _listed(raw.get("visited_provinces"))]
        known = {p.code for p in geo.provinces()}
        if any(v not in known for v in visited) or len(visited) > 40:
            raise ValueError
        out["visited_provinces"] = sorted(set(visited))
    except (TypeError, ValueError, OverflowError):
        errors["visited_provinces"] = ("hd.err.choose", {})
    try:
        countries = raw.get("visited_countries") or []
        if isinstance(countries, str):
            countries = [c for c in re.split(r"[,;\s]+", countries) if c]
        else:
            countries = _listed(countries)
        if len(countries) > 50:
            raise FieldError("hd.err.too_many")
        out["visited_countries"] = sorted({parse_country(c) for c in countries})
    except FieldError as exc:
        errors["visited_countries"] = (exc.key, exc.params)
    except ValueError:  # not a list
        errors["visited_countries"] = ("hd.err.choose", {})

    def subset(name: str, allowed: tuple[str, ...]) -> None:
        try:
            values = {str(v) for v in _listed(raw.get(name))}
        except ValueError:
            values = {""}  # not a list: refused below
        if values - set(allowed):
            errors[name] = ("hd.err.choose", {})
        out[name] = values & set(allowed)

    subset("symptoms", SYMPTOMS)
    subset("exposures", EXPOSURES)
    subset("chronic", CHRONIC)
    try:
        doses = int(raw.get("vaccine_doses") or 0)
        if not 0 <= doses <= 10:
            raise ValueError
        out["vaccine_doses"] = doses
    except (TypeError, ValueError, OverflowError):
        errors["vaccine_doses"] = ("hd.err.doses", {})
    if raw.get("committed") is not True:
        errors["committed"] = ("hd.err.commit", {})
    out["committed"] = True
    if errors:
        raise DeclarationInvalid(errors)
    return Declaration(**out)


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
