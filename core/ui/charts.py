"""Charts a person reads: times in Vietnam time whatever the browser's time zone, month and day
names and number separators in the chosen language, readable time ticks.

Streamlit draws a naive timestamp column at the same wall time in every browser (it adds the
browser's offset), so ``vn_time`` turns stored UTC into naive Asia/Ho_Chi_Minh wall time. Vega's
formatting locale comes with the chart (``config.locale``): ``show_chart`` sets it, and a default
time-tick format with 24-hour times, for the current language::

    frame["hour"] = vn_time(frame["hour"])
    show_chart(
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(x=time_axis("hour", t("...")), y=alt.Y("n:Q", title=t("..."), axis=count_axis()))
    )

``use_theme`` (called once by the entry script) also gives every other chart of the session,
``st.line_chart`` and friends included, the language's formats: Streamlit keeps a theme that
is not Altair's default, and the theme reads the language at the time the chart is drawn.

Stable signatures (the app pages use them): ``vn_time(series)``, ``time_axis(field, title, *,
fmt=...)``, ``count_axis(**kwargs)``, ``show_chart(chart, **kwargs)``, ``localized(chart,
locale=None)``.
"""

from __future__ import annotations

import copy
from typing import Any

import altair as alt
import pandas as pd

from core import clock
from core.i18n import get_locale

VN_TZ = str(clock.LOCAL_TZ)

NUMBER_LOCALES: dict[str, dict[str, Any]] = {
    "vi": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["$", ""]},
}
"""d3-format locales: ``6.131.000`` / ``6,131,000`` on axes and in tooltips."""

TIME_LOCALES: dict[str, dict[str, Any]] = {
    "vi": {
        "dateTime": "%H:%M:%S %d/%m/%Y",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["SA", "CH"],
        "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
        "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
        "months": [f"tháng {m}" for m in range(1, 13)],
        "shortMonths": [f"thg {m}" for m in range(1, 13)],
    },
    "en": {
        "dateTime": "%x, %X",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": "Sunday Monday Tuesday Wednesday Thursday Friday Saturday".split(),
        "shortDays": "Sun Mon Tue Wed Thu Fri Sat".split(),
        "months": (
            "January February March April May June July August September October November December"
        ).split(),
        "shortMonths": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
    },
}
"""d3-time-format locales: month and day names; the suite writes dates day first."""

TIME_TICKS: dict[str, str] = {
    "year": "%Y",
    "quarter": "%m/%Y",
    "month": "%m/%Y",
    "week": "%d/%m",
    "date": "%d/%m",
    "hours": "%H:%M",
    "minutes": "%H:%M",
    "seconds": "%H:%M:%S",
    "milliseconds": "%H:%M:%S.%L",
}
"""Vega's multi-format for time ticks (per tick step): 24-hour times, day first, no English
month names ("December", "11 PM" are Vega's defaults)."""


def vega_locale(locale: str | None = None) -> dict[str, Any]:
    """The Vega ``config.locale`` of a language (Vietnamese when unknown)."""
    loc = locale or get_locale()
    loc = loc if loc in NUMBER_LOCALES else "vi"
    return {"number": NUMBER_LOCALES[loc], "time": TIME_LOCALES[loc]}


def vn_time(series: pd.Series) -> pd.Series:
    """Times as naive Asia/Ho_Chi_Minh wall time for a chart: tz-aware values are converted,
    naive ones are taken as UTC (as stored). Streamlit then draws the same hour in every
    browser, whatever its time zone."""
    values = pd.to_datetime(series)
    if values.dt.tz is None:
        values = values.dt.tz_localize("UTC")
    return values.dt.tz_convert(VN_TZ).dt.tz_localize(None)


def time_axis(field: str, title: str, *, fmt: str | dict[str, str] = "%d/%m %H:%M") -> alt.X:
    """An x encoding of a time field with a title and readable ticks (``fmt`` is a d3 time
    format, or a multi-format per tick step like ``TIME_TICKS``); at most one tick per label's
    width, labels never cut."""
    return alt.X(
        f"{field}:T",
        title=title,
        axis=alt.Axis(format=fmt, labelOverlap=True, labelFlush=False, labelLimit=0),
    )


def count_axis(**kwargs: Any) -> alt.Axis:
    """An axis for counts: whole-number ticks only (no ``0,5`` people), thousands grouped in
    the chosen language's style; ``kwargs`` go to ``alt.Axis``."""
    kwargs.setdefault("format", ",d")
    kwargs.setdefault("tickMinStep", 1)
    return alt.Axis(**kwargs)


THEME = "rapid"
"""The Altair theme ``use_theme`` enables."""


def theme_config(locale: str | None = None) -> dict[str, Any]:
    """The theme: the language's Vega locale and 24-hour, day-first time ticks."""
    return {"config": {"locale": vega_locale(locale), "axisTemporal": {"format": TIME_TICKS}}}


def use_theme() -> None:
    """Make every chart drawn from now on (in any session) carry the formats of the language
    of the session drawing it; a chart's own config keeps priority."""
    if THEME not in alt.theme.names():
        alt.theme.register(THEME, enable=False)(theme_config)
    if alt.theme.active != THEME:
        alt.theme.enable(THEME)


def localized(chart: alt.TopLevelMixin, locale: str | None = None) -> alt.TopLevelMixin:
    """A copy of ``chart`` with the Vega formatting locale of the language and 24-hour,
    day-first time ticks by default (the chart's own config keeps priority)."""
    spec = copy.deepcopy(chart)
    config = spec.config if spec.config is not alt.Undefined else alt.Config()
    config = config.copy(deep=True)
    config["locale"] = vega_locale(locale)
    temporal = config["axisTemporal"]
    if temporal is alt.Undefined:
        config["axisTemporal"] = alt.AxisConfig(format=TIME_TICKS)
    elif temporal["format"] is alt.Undefined:
        temporal["format"] = TIME_TICKS
    spec.config = config
    return spec


def show_chart(chart: alt.TopLevelMixin, **kwargs: Any) -> Any:
    """``st.altair_chart`` full width, in the chosen language's number and time formats."""
    import streamlit as st

    kwargs.setdefault("width", "stretch")
    return st.altair_chart(localized(chart), **kwargs)
