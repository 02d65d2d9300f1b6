"""Storage of a form: its table's columns, a submission as a row, and a check of a table.

Each field with a value has a column named after it (or its ``column``). A multiple choice is
stored as one text column of comma-separated codes (``''`` when nothing is chosen), or with
``parameters: storage=flags`` as one BOOLEAN column per choice, named after the choice (the
health declaration's symptoms: ``fever``, ``cough``...). An unanswered text question is stored
as ``''`` (tables declare such columns ``NOT NULL DEFAULT ''``); other unanswered questions
as NULL. Times are stored as naive UTC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from core.forms.types import CALCULATE_TYPES

if TYPE_CHECKING:
    from core.forms.model import Field, Form
    from core.store import Store

IDENT = re.compile(r"[a-z_][a-z0-9_]{0,62}")

FAMILIES: dict[str, tuple[str, ...]] = {
    "VARCHAR": ("VARCHAR", "TEXT", "CHARACTER VARYING", "CHAR", "CHARACTER", "STRING"),
    "BIGINT": (
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "INT",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
    ),
    "DOUBLE": ("DOUBLE", "FLOAT", "REAL", "DOUBLE PRECISION", "DECIMAL", "NUMERIC"),
    "DATE": ("DATE",),
    "TIMESTAMP": ("TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE", "DATETIME"),
    "BOOLEAN": ("BOOLEAN", "BOOL"),
    "BLOB": ("BLOB", "BYTEA"),
}
INT_RANGES = {
    "TINYINT": (-(2**7), 2**7 - 1),
    "SMALLINT": (-(2**15), 2**15 - 1),
    "INTEGER": (-(2**31), 2**31 - 1),
    "INT": (-(2**31), 2**31 - 1),
}


@dataclass(frozen=True)
class Column:
    """A storage column: its name, SQL type family, the field it stores, and for a flag column
    the choice it stands for."""

    name: str
    sql_type: str
    field: str
    choice: Any = None


def _flags(f: Field) -> bool:
    return f.base_type == "select_multiple" and str(f.parameters.get("storage", "")) == "flags"


def field_columns(form: Form, f: Field) -> list[Column]:
    """The columns one field needs (none for notes and table uploads)."""
    column = f.storage_column
    if column is None:
        return []
    kind = f.kind
    if f.base_type == "calculate":
        return [
            Column(
                column,
                CALCULATE_TYPES.get(str(f.parameters.get("type", "text")), "VARCHAR"),
                f.name,
            )
        ]
    if _flags(f):
        chosen = form.choice_list(f)
        names = chosen.names if chosen is not None else ()
        return [Column(str(n), "BOOLEAN", f.name, n) for n in names]
    if f.base_type == "select_one":
        chosen = form.choice_list(f)
        return [
            Column(column, "BIGINT" if chosen is not None and chosen.integer else "VARCHAR", f.name)
        ]
    return [Column(column, kind.storage or "VARCHAR", f.name)]


def columns(form: Form) -> list[Column]:
    """Every storage column of the form, in field order."""
    return [c for f in form.fields for c in field_columns(form, f)]


_TEXTS = frozenset(
    {"text", "person_name", "cccd", "passport", "person_id", "phone", "tax_code", "vehicle_plate"}
)


def _stored(value: Any, column: Column, f: Field) -> Any:
    if column.choice is not None:
        return bool(value) and column.choice in value
    if f.base_type == "select_multiple":
        return ",".join(str(v) for v in value) if value else ""
    if value is None and f.base_type in _TEXTS:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    return value


def row(form: Form, values: Mapping[str, Any]) -> dict[str, Any]:
    """A validated submission (``Form.validate``'s result) as ``{column: value}``."""
    out: dict[str, Any] = {}
    for f in form.fields:
        for column in field_columns(form, f):
            out[column.name] = _stored(values.get(f.name), column, f)
    return out


def parse_stored(form: Form, record: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row back into field values (multiple choices as lists)."""
    out: dict[str, Any] = {}
    for f in form.fields:
        cols = field_columns(form, f)
        if not cols:
            continue
        if _flags(f):
            out[f.name] = [c.choice for c in cols if record.get(c.name)]
        elif f.base_type == "select_multiple":
            text = record.get(cols[0].name) or ""
            chosen = form.choice_list(f)
            codes = [p for p in str(text).split(",") if p]
            if chosen is not None and chosen.integer:
                codes = [int(p) for p in codes if p.lstrip("-").isdigit()]
            out[f.name] = codes
        else:
            out[f.name] = record.get(cols[0].name)
    return out


def _family(data_type: str) -> str | None:
    base = data_type.upper().split("(")[0].strip()
    for family, names in FAMILIES.items():
        if base in names:
            return family
    return None


def _int_range(form: Form, f: Field) -> tuple[float | None, float | None]:
    """The smallest and largest number a field may hold (None: unbounded)."""
    if f.base_type == "select_one":
        chosen = form.choice_list(f)
        codes = [c for c in (chosen.names if chosen else ()) if isinstance(c, int)]
        return (min(codes), max(codes)) if codes else (None, None)
    if f.base_type == "time":
        return 0, 24 * 60
    if f.base_type == "birth_year":
        return 1800, 9999
    low, high = f.parameters.get("min"), f.parameters.get("max")
    return (None if low is None else float(low)), (None if high is None else float(high))


def check_table(store: Store, form: Form, table: str | None = None) -> list[str]:
    """Problems between the form and its table: a field with no column, a column whose type
    does not fit the field's type (or cannot hold its largest allowed number)."""
    name = table or form.table
    if not name or not IDENT.fullmatch(name):
        return [f"form {form.id}: no valid table name ({name!r})"]
    actual = store.table_columns(name)
    if not actual:
        return [f"form {form.id}: table {name} does not exist"]
    problems: list[str] = []
    for column in columns(form):
        have = actual.get(column.name)
        if have is None:
            problems.append(f"{name}.{column.name}: no column for field '{column.field}'")
            continue
        family = _family(have)
        if family != column.sql_type:
            problems.append(
                f"{name}.{column.name}: column type {have} does not fit field '{column.field}'"
                f" ({column.sql_type} expected)"
            )
            continue
        bounds = INT_RANGES.get(have.upper().split("(")[0].strip())
        if bounds is not None:
            low, high = _int_range(form, form.field(column.field))
            if high is None or high > bounds[1] or (low is not None and low < bounds[0]):
                problems.append(
                    f"{name}.{column.name}: {have} cannot hold every value field '{column.field}'"
                    " allows (give the field a max that fits, or widen the column)"
                )
    return problems
