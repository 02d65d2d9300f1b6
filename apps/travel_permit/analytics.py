"""Analytics for approvers and health officers: a page and a dashboard panel (Altair)."""

from __future__ import annotations

import altair as alt
import streamlit as st

from core.i18n import t
from core.ui.session import current_principal

from . import service


def _metrics(totals: dict) -> None:
    cols = st.columns(6)
    cols[0].metric(t("tp.an.applications"), f"{totals['applications']:,}")
    cols[1].metric(t("tp.an.approved"), f"{totals['approved']:,}")
    cols[2].metric(t("tp.an.rejected"), f"{totals['rejected']:,}")
    cols[3].metric(t("tp.an.pending"), f"{totals['pending']:,}")
    cols[4].metric(t("tp.an.permits"), f"{totals['permits_issued']:,}")
    median = totals["median_hours"]
    cols[5].metric(t("tp.an.median"), "—" if median is None else f"{median:.1f}")


def _per_day_chart(per_day):
    long = per_day.melt("day", var_name="series", value_name="count")
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
            x=alt.X("day:T", title=t("tp.an.day")),
            y=alt.Y("count:Q", title=t("tp.an.count")),
            color=alt.Color("series:N", title=t("tp.an.series")),
            tooltip=["day:T", "series:N", "count:Q"],
        )
    )


def _bar(frame, label: str, value: str, title: str):
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{value}:Q", title=t("tp.an.count")),
            y=alt.Y(f"{label}:N", sort="-x", title=title),
            tooltip=[f"{label}:N", f"{value}:Q"],
        )
    )


def render(compact: bool = False) -> None:
    data = service.analytics(current_principal())
    totals = data["totals"]
    _metrics(totals)
    st.caption(f"{t('tp.an.oldest')}: {totals['oldest_pending_hours']}")
    st.subheader(t("tp.an.per_day"))
    st.altair_chart(_per_day_chart(data["per_day"]), width="stretch")
    if compact:
        return
    c1, c2 = st.columns(2)
    with c1:
        st.subheader(t("tp.an.reasons"))
        if not data["reasons"].empty:
            st.altair_chart(
                _bar(data["reasons"], "label", "requests", t("tp.f.reason")), width="stretch"
            )
    with c2:
        st.subheader(t("tp.an.per_ward"))
        st.caption(t("tp.f.units_caption"))
        if not data["per_ward"].empty:
            top = data["per_ward"].head(30)
            st.altair_chart(_bar(top, "ward", "permits", t("tp.f.ward")), width="stretch")


def page() -> None:
    st.title(t("tp.page.analytics"))
    render()


def panel() -> None:
    render(compact=True)
