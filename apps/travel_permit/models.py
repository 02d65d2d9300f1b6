"""Forms and their validation: tax code (MST), CCCD, phone, names, requests, settings.

Every parser of outside input lives here as a small pure function raising ``FieldError`` with
a translation key, so the roster importer (thousands of rows) and the pydantic forms share one
rule per field.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from core import geo
from core.i18n import t
from core.text import collapse_spaces, nfc

MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
SECTORS = (
    "manufacturing",
    "logistics",
    "food",
    "retail",
    "health",
    "utilities",
    "construction",
    "finance",
    "it",
    "public",
    "other",
)
REJECT_REASONS = (
    "not_essential",
    "incomplete",
    "quota",
    "zone",
    "employee_data",
    "health_risk",
    "other",
)
MAX_NAME = 100
MAX_TEXT = 500


class FieldError(ValueError):
    """A bad value in one field; ``key`` is a message key, ``kw`` its arguments."""

    def __init__(self, key: str, **kw: Any) -> None:
        self.key = key
        self.kw = kw
        super().__init__(t(key, **kw))

    @property
    def message(self) -> str:
        return t(self.key, **self.kw)


# -- single fields ----------------------------------------------------------------------------


def _code_text(value: object) -> str:
    """A code typed in a cell as text; a spreadsheet's 48090001234.0 reads as 48090001234."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "")


def mst_check_digit(first9: str) -> int | None:
    """The 10th digit of a Vietnamese tax code for its first 9 digits; None if none exists."""
    total = sum(int(d) * w for d, w in zip(first9, MST_WEIGHTS, strict=True))
    check = 10 - (total % 11)
    return check if 0 <= check <= 9 else None


def parse_tax_code(value: object) -> str:
    """'0401234567' or branch '0401234567-001' (also without the dash); check digit verified."""
    text = re.sub(r"[\s.]", "", nfc(str(value or "")))
    m = re.fullmatch(r"(\d{10})(?:-?(\d{3}))?", text)
    if not m:
        raise FieldError("tp.err.mst_format")
    main, branch = m.group(1), m.group(2)
    check = mst_check_digit(main[:9])
    if check is None or check != int(main[9]):
        raise FieldError("tp.err.mst_check")
    if branch is not None:
        if branch == "000":
            raise FieldError("tp.err.mst_format")
        return f"{main}-{branch}"
    return main


def parse_cccd(value: object) -> str:
    """Citizen ID: exactly 12 digits (spaces ignored)."""
    text = re.sub(r"\s", "", nfc(_code_text(value)))
    if not text:
        raise FieldError("tp.err.required")
    if not text.isascii() or not text.isdigit():
        raise FieldError("tp.err.cccd_digits")
    if len(text) == 11:
        raise FieldError("tp.err.cccd_11")
    if len(text) != 12:
        raise FieldError("tp.err.cccd_len", n=len(text))
    return text


def parse_phone(value: object) -> str:
    """Vietnamese mobile: 0[35789]xxxxxxxx or +84/84 form; stored as 0xxxxxxxxx."""
    text = re.sub(r"[\s.\-()]", "", nfc(_code_text(value)))
    if not text:
        raise FieldError("tp.err.required")
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) == 11:
        text = "0" + text[2:]
    elif len(text) == 9 and text[0] in "35789":  # Excel dropped the leading zero
        text = "0" + text
    if not re.fullmatch(r"0[35789]\d{8}", text):
        raise FieldError("tp.err.phone")
    return text


def parse_name(value: object, *, required: bool = True) -> str:
    """A person's name: NFC, single spaces, letters and ' . - only."""
    text = collapse_spaces(str(value if value is not None else ""))
    if not text:
        if required:
            raise FieldError("tp.err.required")
        return ""
    if len(text) > MAX_NAME:
        raise FieldError("tp.err.too_long", max=MAX_NAME)
    for ch in text:
        if ch in " '.-":
            continue
        if not unicodedata.category(ch).startswith(("L", "M")):
            raise FieldError("tp.err.name_chars")
    return text


def parse_text(value: object, *, required: bool = True, max_len: int = MAX_TEXT) -> str:
    """Free text: NFC, no control characters, length-limited."""
    text = collapse_spaces(str(value if value is not None else ""))
    if not text and required:
        raise FieldError("tp.err.required")
    if len(text) > max_len:
        raise FieldError("tp.err.too_long", max=max_len)
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise FieldError("tp.err.control_chars")
    return text


def parse_plate(value: object) -> str:
    """Optional vehicle plate, e.g. 43A-123.45 or 43-B1 234.56; stored uppercase."""
    text = collapse_spaces(str(value if value is not None else "")).upper()
    if not text:
        return ""
    compact = re.sub(r"[\s.\-]", "", text)
    if not re.fullmatch(r"\d{2}[A-Z]{1,2}\d?\d{4,5}", compact):
        raise FieldError("tp.err.plate")
    return text


def _fold(text: str) -> str:
    return collapse_spaces(text).casefold()


@cache
def _ward_lookup(province_code: int) -> dict[str, int]:
    """Every way a ward of the province may be written (folded) -> its code."""
    index: dict[str, int] = {}
    for unit in geo.wards(province_code):
        full = _fold(unit.name)
        index[full] = unit.code
        index[str(unit.code)] = unit.code
        for prefix in ("phường ", "xã ", "đặc khu "):
            if full.startswith(prefix):
                index.setdefault(full[len(prefix) :], unit.code)
    return index


def parse_ward(value: object, province_code: int) -> int:
    """A ward of the province by code or by name ('Phường Hải Châu' or 'Hải Châu')."""
    text = _fold(_code_text(value))
    if not text:
        raise FieldError("tp.err.required")
    code = _ward_lookup(province_code).get(text)
    if code is None:
        raise FieldError("tp.err.ward", province=geo.province_name(province_code))
    return code


# -- forms ------------------------------------------------------------------------------------


def _wrap(fn, value, **kw):
    try:
        return fn(value, **kw)
    except FieldError as exc:
        raise ValueError(exc.message) from None


def _checked(fn, **kw) -> AfterValidator:
    """A pydantic validator running one of the field parsers above."""
    return AfterValidator(lambda v: _wrap(fn, v, **kw))


Name = Annotated[str, _checked(parse_name)]
Cccd = Annotated[str, _checked(parse_cccd)]
Phone = Annotated[str, _checked(parse_phone)]


class BusinessForm(BaseModel):
    """Self-registration of a business (the account stays pending until verified)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: Annotated[str, _checked(parse_text, max_len=300)]
    tax_code: Annotated[str, _checked(parse_tax_code)]
    sector: str
    address: Annotated[str, _checked(parse_text, max_len=300)]
    province_code: int = geo.DA_NANG
    ward_code: int
    contact_name: Name
    phone: Phone

    @field_validator("sector")
    @classmethod
    def _sector(cls, v: str) -> str:
        if v not in SECTORS:
            raise ValueError(t("tp.err.sector"))
        return v

    @model_validator(mode="after")
    def _ward(self) -> BusinessForm:
        if not geo.is_ward(self.ward_code, self.province_code):
            raise ValueError(t("tp.err.ward", province=geo.province_name(self.province_code)))
        return self


class EmployeeIn(BaseModel):
    """One roster row."""

    full_name: Name
    cccd: Cccd
    phone: Phone
    home_ward: int
    work_ward: int
    plate: Annotated[str, _checked(parse_plate)] = ""
    job_title: Annotated[str, _checked(parse_text, required=False, max_len=MAX_NAME)] = ""

    @field_validator("home_ward", "work_ward")
    @classmethod
    def _wards(cls, v: int) -> int:
        if not geo.is_ward(v):
            raise ValueError(t("tp.err.ward_code"))
        return v


class RequestForm(BaseModel):
    """A permit request: who, why, when, where and at which hours (local time)."""

    cccds: list[str] = Field(min_length=1)
    purpose: Annotated[str, _checked(parse_text)]
    start_date: date
    end_date: date
    zones: list[int] = Field(min_length=1)
    start_minute: int = Field(default=6 * 60, ge=0, le=24 * 60)
    end_minute: int = Field(default=20 * 60, ge=0, le=24 * 60)

    @field_validator("cccds")
    @classmethod
    def _cccds(cls, v: list[str]) -> list[str]:
        out = [_wrap(parse_cccd, c) for c in v]
        if len(set(out)) != len(out):
            raise ValueError(t("tp.err.dup_employee"))
        return out

    @field_validator("zones")
    @classmethod
    def _zones(cls, v: list[int]) -> list[int]:
        if any(not geo.is_ward(z) for z in v):
            raise ValueError(t("tp.err.ward_code"))
        return sorted(set(v))

    @model_validator(mode="after")
    def _order(self) -> RequestForm:
        if self.end_date < self.start_date:
            raise ValueError(t("tp.err.dates_order"))
        if self.start_minute == self.end_minute:
            raise ValueError(t("tp.err.hours"))
        return self


class TravelPermitSettings(BaseModel):
    """``[apps.travel_permit]`` in rapid.toml."""

    quota_percent: int = Field(default=30, ge=1, le=100, description="Max share of the roster")
    max_validity_days: int = Field(default=14, ge=1, le=366)
    max_roster_rows: int = Field(
        default=50_000, ge=10, le=1_000_000, description="Largest roster file accepted"
    )
    max_upload_mb: int = Field(default=20, ge=1, le=500)
    province_code: int = Field(default=geo.DA_NANG, description="Province the city serves")


class PermitClaims(BaseModel):
    """The app claims inside a TP1: token (compact: one-letter keys)."""

    model_config = ConfigDict(extra="forbid")
    n: str = Field(max_length=MAX_NAME)
    c: str = Field(pattern=r"^\*{8}\d{4}$")
    b: str = Field(pattern=r"^\d{10}(-\d{3})?$")
    w: list[int] = Field(min_length=1)
    h: list[int] = Field(min_length=2, max_length=2)


def form_errors(exc: Exception) -> list[str]:
    """Readable messages from a pydantic ValidationError (field: message)."""
    errors = getattr(exc, "errors", None)
    if errors is None:
        return [str(exc)]
    out = []
    for err in errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        out.append(f"{loc}: {msg}" if loc else msg)
    return out
