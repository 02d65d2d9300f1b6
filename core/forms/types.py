"""Field types: one parser each, the storage it needs and the widget that shows it.

A type's ``build(field, spec)`` returns the field's parser, compiled once per form: a function
from a raw, non-empty value (text typed in a form, a spreadsheet cell, a number, a list for a
multiple choice) to the clean value, raising ``FieldError`` with a message key. Parameters come
from the field's ``parameters`` (XLSForm's ``parameters`` column: ``max_length=200``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from core.forms import identity
from core.forms.choices import ChoiceList, fold
from core.forms.errors import FieldError

if TYPE_CHECKING:
    from core.forms.model import Field

Parser = Callable[[Any, "ParseState"], Any]

MAX_RAW = 4_000
"""Longer raw text is refused before any other work (a paste of a whole document)."""
INT_LIMIT = 10**15


class ParseState:
    """What parsers and expressions may read while one submission is validated."""

    __slots__ = ("now", "today", "values", "this_year")

    def __init__(self, now: datetime, today: date, values: dict[str, Any] | None = None) -> None:
        self.now = now
        self.today = today
        self.this_year = today.year
        self.values: dict[str, Any] = {} if values is None else values


@dataclass(frozen=True)
class Spec:
    """What a type needs to build a field's parser: the resolved parameters and choice list."""

    params: Mapping[str, Any]
    choices: ChoiceList | None = None
    choice_filter: Any = None  # core.forms.model.ChoiceFilter | None


@dataclass(frozen=True)
class FieldType:
    """A field type of the forms core."""

    name: str
    build: Callable[[Field, Spec], Parser] | None
    storage: str | None
    """SQL type family of its column: VARCHAR, BIGINT, DOUBLE, DATE, TIMESTAMP, BOOLEAN, BLOB;
    None when the field stores nothing (a note, a table upload)."""
    widget: str
    input_mode: str = "text"
    needs_list: bool = False
    params: frozenset[str] = frozenset()
    has_value: bool = True


TYPES: dict[str, FieldType] = {}


def register(ftype: FieldType) -> FieldType:
    TYPES[ftype.name] = ftype
    return ftype


# -- shared helpers ---------------------------------------------------------------------------


def _text_of(value: object) -> str:
    text = value if isinstance(value, str) else identity.code_text(value)
    if len(text) > MAX_RAW:
        raise FieldError("forms.err.too_long", max=MAX_RAW)
    return identity.nfc(text)


def _no_controls(text: str, *, newlines: bool) -> None:
    allowed = "\t\n\r" if newlines else ""
    for ch in text:
        if unicodedata.category(ch) == "Cc" and ch not in allowed:
            raise FieldError("forms.err.control_chars")


def _int_param(spec: Spec, name: str, default: int | None) -> int | None:
    value = spec.params.get(name, default)
    return None if value is None else int(value)


def _num_param(spec: Spec, name: str) -> float | None:
    value = spec.params.get(name)
    return None if value is None else float(value)


def _bounds(value: float, low: float | None, high: float | None) -> None:
    if low is not None and value < low:
        raise FieldError("forms.err.too_small", min=_shown(low))
    if high is not None and value > high:
        raise FieldError("forms.err.too_large", max=_shown(high))


def _shown(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


# -- text and identifiers ---------------------------------------------------------------------


def _build_text(f: Field, spec: Spec) -> Parser:
    multiline = "multiline" in f.appearance
    max_length = _int_param(spec, "max_length", 2000 if multiline else 500)
    min_length = _int_param(spec, "min_length", 0)

    def parse(raw: Any, state: ParseState) -> str:
        text = _text_of(raw)
        _no_controls(text, newlines=multiline)
        text = text.strip() if multiline else " ".join(text.split())
        if max_length is not None and len(text) > max_length:
            raise FieldError("forms.err.too_long", max=max_length)
        if min_length and len(text) < min_length:
            raise FieldError("forms.err.too_short", min=min_length)
        return text

    return parse


def _build_name(f: Field, spec: Spec) -> Parser:
    max_length = _int_param(spec, "max_length", 100) or 100

    def parse(raw: Any, state: ParseState) -> str:
        return identity.parse_person_name(_text_of(raw), max_length=max_length)

    return parse


def _build_cccd(f: Field, spec: Spec) -> Parser:
    return lambda raw, state: identity.parse_cccd(raw, this_year=state.this_year)


def _build_passport(f: Field, spec: Spec) -> Parser:
    return lambda raw, state: identity.parse_passport(raw)


def _build_person_id(f: Field, spec: Spec) -> Parser:
    return lambda raw, state: identity.parse_person_id(raw, this_year=state.this_year)


def _build_phone(f: Field, spec: Spec) -> Parser:
    mobile = _flag(spec.params.get("mobile_only", False))
    foreign = _flag(spec.params.get("foreign", True))
    return lambda raw, state: identity.parse_phone(raw, mobile_only=mobile, foreign=foreign)


def _build_password(f: Field, spec: Spec) -> Parser:
    """A password as typed (never trimmed or stored by the form); the account service applies
    the password policy."""

    def parse(raw: Any, state: ParseState) -> str:
        if not isinstance(raw, str) or len(raw) > 128:
            raise FieldError("forms.err.too_long", max=128)
        _no_controls(raw, newlines=False)
        return raw

    return parse


def _build_tax_code(f: Field, spec: Spec) -> Parser:
    return lambda raw, state: identity.parse_tax_code(raw)


def _build_plate(f: Field, spec: Spec) -> Parser:
    return lambda raw, state: identity.parse_plate(raw)


# -- numbers --------------------------------------------------------------------------------------

_INT_TEXT = re.compile(r"[+-]?\d{1,16}")
_DEC_TEXT = re.compile(r"[+-]?\d{1,15}(?:[.,]\d{1,10})?|[+-]?[.,]\d{1,10}")


def _to_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise FieldError("forms.err.integer")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not math.isfinite(raw) or not raw.is_integer():
            raise FieldError("forms.err.integer")
        value = int(raw)
    else:
        text = _text_of(raw).replace(" ", "")
        if not text.isascii() or not _INT_TEXT.fullmatch(text):
            raise FieldError("forms.err.integer")
        value = int(text)
    if abs(value) >= INT_LIMIT:
        raise FieldError("forms.err.too_large", max=INT_LIMIT - 1)
    return value


def _to_float(raw: Any) -> float:
    if isinstance(raw, bool):
        raise FieldError("forms.err.decimal")
    if isinstance(raw, int):
        if abs(raw) >= INT_LIMIT:
            raise FieldError("forms.err.too_large", max=INT_LIMIT - 1)
        return float(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise FieldError("forms.err.decimal")
        return raw
    text = _text_of(raw).replace(" ", "")
    if not text.isascii() or not _DEC_TEXT.fullmatch(text):
        raise FieldError("forms.err.decimal")
    return float(text.replace(",", "."))


def _build_integer(f: Field, spec: Spec) -> Parser:
    low, high = _num_param(spec, "min"), _num_param(spec, "max")

    def parse(raw: Any, state: ParseState) -> int:
        value = _to_int(raw)
        _bounds(value, low, high)
        return value

    return parse


def _build_decimal(f: Field, spec: Spec) -> Parser:
    low, high = _num_param(spec, "min"), _num_param(spec, "max")
    digits = _int_param(spec, "decimals", None)

    def parse(raw: Any, state: ParseState) -> float:
        value = _to_float(raw)
        _bounds(value, low, high)
        return round(value, digits) if digits is not None else value

    return parse


def _build_birth_year(f: Field, spec: Spec) -> Parser:
    def parse(raw: Any, state: ParseState) -> int:
        try:
            year = _to_int(raw)
        except FieldError:
            raise FieldError("forms.err.year") from None
        if year > state.this_year:
            raise FieldError("forms.err.year_future")
        if year < state.this_year - identity.MAX_AGE:
            raise FieldError("forms.err.year_old", year=state.this_year - identity.MAX_AGE)
        return year

    return parse


# -- dates and times --------------------------------------------------------------------------

_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_HM = re.compile(r"(\d{1,2})[:hH.](\d{2})")


def parse_date_text(text: str) -> date:
    """'2021-09-10', '10/09/2021' (day first, as Vietnam writes it) or '10-9-2021'."""
    text = text.strip()
    m = _YMD.fullmatch(text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY.fullmatch(text)
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        raise FieldError("forms.err.date") from None
    raise FieldError("forms.err.date")


def _to_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    return parse_date_text(_text_of(raw)[:40])


def _date_param(spec: Spec, name: str) -> date | None:
    value = spec.params.get(name)
    if value is None or isinstance(value, date):
        return value
    return parse_date_text(str(value))


def _build_date(f: Field, spec: Spec) -> Parser:
    low, high = _date_param(spec, "min"), _date_param(spec, "max")

    def parse(raw: Any, state: ParseState) -> date:
        day = _to_date(raw)
        if low is not None and day < low:
            raise FieldError("forms.err.date_min", min=low.strftime("%d/%m/%Y"))
        if high is not None and day > high:
            raise FieldError("forms.err.date_max", max=high.strftime("%d/%m/%Y"))
        return day

    return parse


def _to_datetime(raw: Any) -> datetime:
    from core.clock import LOCAL_TZ

    if isinstance(raw, datetime):
        return _in_utc(raw, LOCAL_TZ)
    text = _text_of(raw).strip()[:40]
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        head, _, tail = text.replace("T", " ").partition(" ")
        m = _HM.fullmatch(tail.strip())
        if not m:
            raise FieldError("forms.err.datetime") from None
        try:
            value = datetime.combine(parse_date_text(head), time(int(m[1]), int(m[2])))
        except (ValueError, FieldError):
            raise FieldError("forms.err.datetime") from None
    return _in_utc(value, LOCAL_TZ)


def _in_utc(value: datetime, local: Any) -> datetime:
    """``value`` (local time when naive) in UTC; a time at the very edge of the calendar
    (year 1 or 9999) that has no UTC equivalent is an error beside the field."""
    try:
        return (value if value.tzinfo else value.replace(tzinfo=local)).astimezone(UTC)
    except OverflowError:
        raise FieldError("forms.err.datetime") from None


def _build_datetime(f: Field, spec: Spec) -> Parser:
    return lambda raw, state: _to_datetime(raw)


def _build_time(f: Field, spec: Spec) -> Parser:
    """A time of day as minutes after midnight (``24:00`` = 1440, the end of the day)."""

    def parse(raw: Any, state: ParseState) -> int:
        if isinstance(raw, time):
            return raw.hour * 60 + raw.minute
        if isinstance(raw, int) and not isinstance(raw, bool):
            minutes = raw
        else:
            m = _HM.fullmatch(_text_of(raw).strip()[:10])
            if not m:
                raise FieldError("forms.err.time")
            hours, mins = int(m[1]), int(m[2])
            if mins > 59:
                raise FieldError("forms.err.time")
            minutes = hours * 60 + mins
        if not 0 <= minutes <= 24 * 60:
            raise FieldError("forms.err.time")
        return minutes

    return parse


# -- choices ------------------------------------------------------------------------------------


class _Choices:
    """Resolves what a person wrote to the choices it may mean (a code, or a label in either
    language, any case, with or without diacritics), remembering answers already seen: a
    50,000-row roster names the same few wards again and again."""

    MEMO = 20_000

    def __init__(self, chosen: ChoiceList) -> None:
        self.chosen = chosen
        self.memo: dict[object, tuple[Any, ...]] = {}

    @property
    def index(self) -> dict[object, Any]:
        return self.chosen.index()

    @property
    def lookup(self) -> dict[str, tuple[Any, ...]]:
        return self.chosen.lookup()  # built on first use: a 50,000-name roster folds once

    def candidates(self, raw: Any) -> tuple[Any, ...]:
        if isinstance(raw, list | dict | set | tuple | bool):
            return ()
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if not isinstance(raw, str | int):
            raw = _text_of(raw)
        found = self.memo.get(raw)
        if found is None:
            hit = self.index.get(raw)
            if hit is None and isinstance(raw, str):
                hit = self.index.get(raw.strip())
                found = (hit,) if hit is not None else self.lookup.get(fold(_text_of(raw)), ())
            else:
                found = (hit,) if hit is not None else ()
            if len(self.memo) >= self.MEMO:
                self.memo.clear()
            self.memo[raw] = found
        return found

    def choose(self, raw: Any, allowed: Any, state: ParseState) -> Any:
        """The choice a raw value names among those the field's choice filter allows."""
        found = self.candidates(raw)
        if not found:
            raise FieldError("forms.err.choice")
        if allowed is None:
            return found[0]
        if allowed.constant is not None:
            kept = self._fixed(raw, found, allowed, state)
            if kept:
                return kept[0]
            raise FieldError("forms.err.choice_filtered")
        for choice in found:
            if allowed.allows(choice, state):
                return choice
        raise FieldError("forms.err.choice_filtered")

    def _fixed(
        self, raw: Any, found: tuple[Any, ...], allowed: Any, state: ParseState
    ) -> tuple[Any, ...]:
        """Under a constant filter, keep only the allowed candidates (remembered)."""
        key = ("fixed", raw)
        kept = self.memo.get(key)
        if kept is None:
            kept = tuple(c for c in found if allowed.allows(c, state))
            self.memo[key] = kept
        return kept


def _build_select_one(f: Field, spec: Spec) -> Parser:
    chosen = spec.choices
    assert chosen is not None
    allowed = spec.choice_filter
    resolve = _Choices(chosen)

    def parse(raw: Any, state: ParseState) -> Any:
        return resolve.choose(raw, allowed, state).name

    return parse


_SPLIT = re.compile(r"[,;\n]")


def _build_select_multiple(f: Field, spec: Spec) -> Parser:
    chosen = spec.choices
    assert chosen is not None
    allowed = spec.choice_filter
    resolve = _Choices(chosen)
    order = {c.name: i for i, c in enumerate(chosen.choices)}
    most = _int_param(spec, "max_selected", None)

    def parse(raw: Any, state: ParseState) -> list[Any]:
        if isinstance(raw, str):
            text = _text_of(raw)
            items: list[Any] = [p for p in _SPLIT.split(text) if p.strip()]
            if len(items) == 1 and " " in text.strip() and fold(text) not in chosen.lookup():
                items = text.split()
        elif isinstance(raw, list | tuple | set | frozenset):
            items = list(raw)
        else:
            items = [raw]
        if len(items) > len(chosen.choices):
            raise FieldError("forms.err.choice")
        names = []
        for item in items:
            names.append(resolve.choose(item, allowed, state).name)
        unique = sorted(set(names), key=order.__getitem__)
        if most is not None and len(unique) > most:
            raise FieldError("forms.err.too_many", max=most)
        return unique

    return parse


# -- yes/no, commitment, files ------------------------------------------------------------------

_YES = frozenset({"yes", "y", "true", "1", "x", "có", "co", "đúng", "dung", "ok", "c", "v"})
_NO = frozenset({"no", "n", "false", "0", "không", "khong", "sai", "k"})


def _to_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    word = _text_of(raw).strip().casefold()[:10]
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise FieldError("forms.err.yes_no")


def _build_yes_no(f: Field, spec: Spec) -> Parser:
    return lambda raw, state: _to_bool(raw)


def _build_acknowledge(f: Field, spec: Spec) -> Parser:
    """A commitment tick: ticked is True; not ticked is empty (so ``required`` refuses it)."""
    return lambda raw, state: True if _to_bool(raw) else None


_MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "csv": (),
    "xlsx": (b"PK\x03\x04",),
}


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its name as sent and its bytes."""

    name: str
    data: bytes


def as_upload(raw: Any) -> Upload:
    """A Streamlit UploadedFile, a (name, bytes) pair or an Upload -> Upload."""
    if isinstance(raw, Upload):
        return raw
    if isinstance(raw, tuple) and len(raw) == 2:
        return Upload(str(raw[0]), bytes(raw[1]))
    getvalue = getattr(raw, "getvalue", None)
    if callable(getvalue):
        return Upload(str(getattr(raw, "name", "")), bytes(getvalue()))
    raise FieldError("forms.err.file")


def _build_file(f: Field, spec: Spec) -> Parser:
    accept = [a.strip().lower().lstrip(".") for a in str(spec.params.get("accept", "")).split(",")]
    accept = [a for a in accept if a]
    max_bytes = int(float(spec.params.get("max_mb", 5)) * 1_000_000)

    def parse(raw: Any, state: ParseState) -> bytes:
        upload = as_upload(raw)
        if len(upload.data) > max_bytes:
            raise FieldError("forms.err.file_size", mb=max_bytes // 1_000_000)
        if not upload.data:
            raise FieldError("forms.err.file_empty")
        if accept:
            ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
            magics = _MAGIC.get(ext)
            if ext not in accept or (magics and not upload.data.startswith(magics)):
                raise FieldError("forms.err.file_type", kinds=", ".join(accept))
        return upload.data

    return parse


def _build_table(f: Field, spec: Spec) -> Parser:
    """A table upload read against the row form in ``parameters['form']`` (Python forms)."""
    from core.forms.table import parse_upload

    row_form = spec.params.get("form")
    max_rows = _int_param(spec, "max_rows", 50_000) or 50_000
    max_bytes = int(float(spec.params.get("max_mb", 20)) * 1_000_000)

    def parse(raw: Any, state: ParseState) -> Any:
        upload = as_upload(raw)
        return parse_upload(
            row_form, upload.name, upload.data, max_rows=max_rows, max_bytes=max_bytes
        )

    return parse


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in _YES
    return bool(value)


# -- the registry ---------------------------------------------------------------------------------

_TEXT_PARAMS = frozenset({"max_length", "min_length"})
_NUM_PARAMS = frozenset({"min", "max"})
for _t in (
    FieldType("text", _build_text, "VARCHAR", "text", params=_TEXT_PARAMS),
    FieldType("person_name", _build_name, "VARCHAR", "text", params=frozenset({"max_length"})),
    FieldType("cccd", _build_cccd, "VARCHAR", "text", "numeric"),
    FieldType("passport", _build_passport, "VARCHAR", "text"),
    FieldType("person_id", _build_person_id, "VARCHAR", "text"),
    FieldType(
        "phone",
        _build_phone,
        "VARCHAR",
        "text",
        "tel",
        params=frozenset({"mobile_only", "foreign"}),
    ),
    FieldType("password", _build_password, None, "password"),
    FieldType("tax_code", _build_tax_code, "VARCHAR", "text", "numeric"),
    FieldType("vehicle_plate", _build_plate, "VARCHAR", "text"),
    FieldType("integer", _build_integer, "BIGINT", "number", "numeric", params=_NUM_PARAMS),
    FieldType(
        "decimal", _build_decimal, "DOUBLE", "number", "decimal", params=_NUM_PARAMS | {"decimals"}
    ),
    FieldType("birth_year", _build_birth_year, "BIGINT", "number", "numeric"),
    FieldType("date", _build_date, "DATE", "date", params=_NUM_PARAMS),
    FieldType("datetime", _build_datetime, "TIMESTAMP", "datetime"),
    FieldType("time", _build_time, "BIGINT", "time"),
    FieldType("select_one", _build_select_one, "VARCHAR", "select_one", needs_list=True),
    FieldType(
        "select_multiple",
        _build_select_multiple,
        "VARCHAR",
        "select_multiple",
        needs_list=True,
        params=frozenset({"max_selected", "storage"}),
    ),
    FieldType("yes_no", _build_yes_no, "BOOLEAN", "yes_no"),
    FieldType("acknowledge", _build_acknowledge, "BOOLEAN", "acknowledge"),
    FieldType("file", _build_file, "BLOB", "file", params=frozenset({"accept", "max_mb"})),
    FieldType(
        "table", _build_table, None, "table", params=frozenset({"form", "max_rows", "max_mb"})
    ),
    FieldType("note", None, None, "note", has_value=False),
    FieldType("calculate", None, "VARCHAR", "calculate", params=frozenset({"type"})),
):
    register(_t)

CALCULATE_TYPES = {
    "text": "VARCHAR",
    "integer": "BIGINT",
    "decimal": "DOUBLE",
    "date": "DATE",
    "yes_no": "BOOLEAN",
}
