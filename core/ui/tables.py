"""Tables a person reads: catalogue labels in the chosen language, local times, names instead
of ward and province codes, words instead of booleans and status codes, empty cells empty.

A page names the columns it shows and how each reads; everything else stays out::

    show(rows, {"full_name": "tp.col.full_name", "submitted_at": Col("tp.col.at", TIME)})
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from core import clock
from core.i18n import t
from core.ui.numbers import fmt_decimal

TEXT, TIME, DATE, WARD, PROVINCE, YESNO, NUMBER, STATUS = (
    "text",
    "time",
    "date",
    "ward",
    "province",
    "yesno",
    "number",
    "status",
)


@dataclass(frozen=True)
class Col:
    """How one column reads: its catalogue label and its kind. ``STATUS`` columns show
    ``t(prefix + value)``; ``fmt`` overrides the kind with a function of the cell."""

    label: str
    kind: str = TEXT
    prefix: str = ""
    fmt: Callable[[Any], str] | None = None


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _time(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return clock.fmt_local(value)


def _date(value: Any) -> str:
    if isinstance(value, datetime | pd.Timestamp):
        value = value.date()
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def _number(value: Any) -> str:
    """A fraction in the chosen language's style, one decimal at most (``104,5`` / ``104.5``;
    ``12,0`` reads ``12``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    text = fmt_decimal(value, 1)
    return text[:-2] if text.endswith("0") else text


def cell(value: Any, col: Col) -> Any:
    """One cell as a person reads it ('' when empty)."""
    if _missing(value):
        return ""
    if col.fmt is not None:
        return col.fmt(value)
    if col.kind == TIME:
        return _time(value)
    if col.kind == DATE:
        return _date(value)
    if col.kind == WARD:
        from core import geo

        return geo.ward_name(int(value))
    if col.kind == PROVINCE:
        from core import geo

        return geo.province_name(int(value))
    if col.kind == YESNO:
        return t("common.yes") if bool(value) else t("common.no")
    if col.kind == STATUS:
        return t(f"{col.prefix}{value}")
    if col.kind == NUMBER:  # whole numbers stay numbers (sorted as such, grouped by the grid)
        return value if isinstance(value, int) else _number(value)
    return str(value) if isinstance(value, bool) else value


def times(values: pd.Series | list[Any]) -> list[str]:
    """Stored UTC times as local "dd/mm/yyyy HH:MM" text ('' when empty)."""
    col = Col("", TIME)
    return [cell(v, col) for v in list(values)]


def readable(
    rows: pd.DataFrame | list[Mapping[str, Any]], columns: Mapping[str, Col | str]
) -> pd.DataFrame:
    """The columns named in ``columns`` (in that order), each relabelled and read as its kind."""
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    out: dict[str, list[Any]] = {}
    for name, spec in columns.items():
        col = Col(spec) if isinstance(spec, str) else spec
        values = df[name].tolist() if name in df.columns else [None] * len(df)
        out[t(col.label)] = [cell(v, col) for v in values]
    return pd.DataFrame(out, index=range(len(df)))


def show(
    rows: pd.DataFrame | list[Mapping[str, Any]],
    columns: Mapping[str, Col | str],
    **kwargs: Any,
) -> Any:
    """``st.dataframe`` of ``readable(rows, columns)``, full width, without the index."""
    import streamlit as st

    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    return st.dataframe(readable(rows, columns), **kwargs)
