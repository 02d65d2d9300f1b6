"""Analytics for approvers and health officers: a page and a dashboard panel (Altair)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from core.i18n import t
from core.ui.charts import show_chart, time_axis
from core.ui.numbers import fmt_decimal, fmt_int
from core.ui.session import current_principal

from . import service


def _metrics(totals: dict) -> None:
    """The figures in the reader's number style (``68.735``), three to a row so neither a
    label nor a value is cut."""
    median = totals["median_hours"]
    figures = [
        (t("tp.an.applications"), fmt_int(totals["applications"])),
        (t("tp.an.approved"), fmt_int(totals["approved"])),
        (t("tp.an.rejected"), fmt_int(totals["rejected"])),
        (t("tp.an.pending"), fmt_int(totals["pending"])),
        (t("tp.an.permits"), fmt_int(totals["permits_issued"])),
        (t("tp.an.median"), "—" if median is None else fmt_decimal(median, 1)),
    ]
    for start in range(0, len(figures), 3):
        for col, (label, value) in zip(st.columns(3), figures[start : start + 3], strict=False):
            col.metric(label, value)


def _per_day_chart(per_day):
    long = per_day.melt("day", var_name="series", value_name="count")
    long["day"] = pd.to_datetime(long["day"])  # a local day, drawn as that day in any browser
    long["series"] = long["series"].map(
        {
            "applications": t("tp.an.applications"),
            "approved": t("tp.an.approved"),
            "rejected": t("tp.an.rejected"),
            "permits": t("tp.an.permits"),
        }
    )
    return (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=time_axis("day", t("tp.an.day"), fmt="%d/%m"),
            y=alt.Y("count:Q", title=t("tp.an.count")),
            color=alt.Color("series:N", title=t("tp.an.series")),
            tooltip=[
                alt.Tooltip("day:T", title=t("tp.an.day"), format="%d/%m/%Y"),
                alt.Tooltip("series:N", title=t("tp.an.series")),
                alt.Tooltip("count:Q", title=t("tp.an.count"), format=",d"),
            ],
        )
    )


def _bar(frame, label: str, value: str, title: str):
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{value}:Q", title=t("tp.an.count")),
            y=alt.Y(f"{label}:N", sort="-x", title=title),
            tooltip=[
                alt.Tooltip(f"{label}:N", title=title),
                alt.Tooltip(f"{value}:Q", title=t("tp.an.count"), format=",d"),
            ],
        )
    )


def render(compact: bool = False) -> None:
    data = service.analytics(current_principal())
    totals = data["totals"]
    _metrics(totals)
    oldest = totals["oldest_pending_hours"]
    st.caption(f"{t('tp.an.oldest')}: {'—' if oldest is None else fmt_decimal(oldest, 1)}")
    st.subheader(t("tp.an.per_day"))
    show_chart(_per_day_chart(data["per_day"]))
    if compact:
        return
    c1, c2 = st.columns(2)
    with c1:
        st.subheader(t("tp.an.reasons"))
        if not data["reasons"].empty:
            show_chart(_bar(data["reasons"], "label", "requests", t("tp.f.reason")))
    with c2:
        st.subheader(t("tp.an.per_ward"))
        st.caption(t("tp.f.units_caption"))
        if not data["per_ward"].empty:
            top = data["per_ward"].head(30)
            show_chart(_bar(top, "ward", "permits", t("tp.f.ward")))


def page() -> None:
    st.title(t("tp.page.analytics"))
    render()


def panel() -> None:
    render(compact=True)
