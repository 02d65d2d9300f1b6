"""Thin Streamlit pages of the outreach app: the worker's list for today, the dashboard and
its panels (Altair)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from apps.outreach import service
from apps.outreach.models import OUTCOMES
from core import clock, geo
from core.i18n import t
from core.text import md_escape
from core.ui import tables
from core.ui.charts import show_chart, time_axis
from core.ui.numbers import fmt_int, fmt_share
from core.ui.session import current_principal
from core.ui.tables import TIME, WARD, Col


def _ward(code: object) -> str:
    try:
        return geo.ward_name(int(code))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(code)


def _given(value: object) -> bool:
    """A cell with something in it (not None, NaN or blank)."""
    return (
        value is not None
        and not (isinstance(value, float) and pd.isna(value))
        and bool(str(value).strip())
    )


def today_page() -> None:
    principal = current_principal()
    st.title(t("or.page.today"))
    st.caption(t("or.today.caption"))
    force = st.button(t("or.today.refresh"), key="or_refresh")
    opened = service.sync(principal, force=force)
    if opened.opened:
        st.toast(t("or.today.opened", n=opened.opened))
    flash = st.session_state.pop("or_flash", None)
    if flash:
        st.success(flash)
    cases = service.today_list(principal)
    if cases.empty:
        st.info(t("or.today.none"))
        return
    st.write(t("or.today.count", n=fmt_int(len(cases))))
    for case in cases.itertuples(index=False):
        with st.container(border=True, key=f"or_case_{case.id}"):
            phone = md_escape(case.phone)
            st.markdown(f"**{md_escape(case.full_name)}** · [{phone}](tel:{case.phone})")
            st.caption(
                t(
                    "or.case.line",
                    kind=t(f"or.kind.{case.kind}"),
                    level=t(f"or.level.{case.level}"),
                    ward=_ward(case.ward_code),
                    since=clock.fmt_local(pd.Timestamp(case.event_at).to_pydatetime()),
                    attempts=int(case.attempts),
                )
                + (f" · {md_escape(case.venue_name)}" if _given(case.venue_name) else "")
            )
            cols = st.columns(3)
            for i, outcome in enumerate(OUTCOMES):
                if cols[i % 3].button(
                    t(f"or.outcome.{outcome}"),
                    key=f"or_{case.id}_{outcome}",
                    width="stretch",
                ):
                    service.record_attempt(principal, case.id, {"outcome": outcome})
                    st.session_state["or_flash"] = t(
                        "or.today.saved", name=case.full_name, outcome=t(f"or.outcome.{outcome}")
                    )
                    st.rerun()


def dashboard_page() -> None:
    st.title(t("or.page.dashboard"))
    st.subheader(t("or.panel.reach"))
    panel_reach()
    st.subheader(t("or.panel.backlog"))
    panel_backlog()


def panel_reach() -> None:
    frame = service.reach(current_principal())
    if frame.empty:
        st.info(t("or.d.empty"))
        return
    per_day = service.reach_per_day(frame)
    last = per_day.iloc[-1]
    st.caption(t("or.d.last_day", day=pd.Timestamp(last["day"]).strftime("%d/%m/%Y")))
    a, b, c = st.columns(3)
    # shares as shares: the count behind each under it, never a green "up" delta
    a.metric(t("or.d.reach_24h"), fmt_share(last["share_24h"], digits=0))
    a.caption(t("or.d.of_cases", reached=fmt_int(last["within_24h"]), cases=fmt_int(last["cases"])))
    b.metric(t("or.d.reach_72h"), fmt_share(last["share_72h"], digits=0))
    b.caption(t("or.d.of_cases", reached=fmt_int(last["within_72h"]), cases=fmt_int(last["cases"])))
    c.metric(t("or.d.cases"), fmt_int(last["cases"]))
    long = per_day.melt("day", ["share_24h", "share_72h"], var_name="measure", value_name="share")
    long["day"] = pd.to_datetime(long["day"])  # a local date: drawn as that day everywhere
    long["measure"] = long["measure"].map(
        {"share_24h": t("or.d.within_24h"), "share_72h": t("or.d.within_72h")}
    )
    chart = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=time_axis("day", t("or.d.day"), fmt="%d/%m"),
            y=alt.Y(
                "share:Q",
                title=t("or.d.share"),
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),  # fmt: skip
            color=alt.Color("measure:N", title=t("or.d.measure")),
            tooltip=[
                alt.Tooltip("day:T", title=t("or.d.day"), format="%d/%m/%Y"),
                alt.Tooltip("measure:N", title=t("or.d.measure")),
                alt.Tooltip("share:Q", title=t("or.d.share"), format=".0%"),
            ],  # fmt: skip
        )
    )
    show_chart(chart)
    wards = frame.groupby("ward_code", as_index=False)[["cases", "within_24h", "within_72h"]].sum()
    wards["share_24h"] = wards["within_24h"] / wards["cases"]
    wards["share_72h"] = wards["within_72h"] / wards["cases"]
    wards = wards.sort_values(["share_24h", "ward_code"]).reset_index(drop=True)
    st.caption(t("or.d.per_ward"))
    tables.show(
        wards,
        {
            "ward_code": Col("or.d.ward", WARD),
            "cases": Col("or.d.cases", fmt=fmt_int),
            "share_24h": Col("or.d.share_24h", fmt=lambda x: fmt_share(x, digits=0)),
            "share_72h": Col("or.d.share_72h", fmt=lambda x: fmt_share(x, digits=0)),
        },
    )


def panel_backlog() -> None:
    frame = service.backlog(current_principal())
    if frame.empty:
        st.info(t("or.d.empty"))
        return
    st.metric(t("or.d.backlog"), fmt_int(int(frame["due"].sum())))
    chart_rows = pd.DataFrame(
        {
            "ward": frame["ward_code"].map(_ward),
            "due": frame["due"],
            "open": frame["open"],
        }
    )
    chart = (
        alt.Chart(chart_rows.head(30))
        .mark_bar()
        .encode(
            x=alt.X("due:Q", title=t("or.d.due")),
            y=alt.Y("ward:N", sort="-x", title=t("or.d.ward")),
            tooltip=[
                alt.Tooltip("ward:N", title=t("or.d.ward")),
                alt.Tooltip("due:Q", title=t("or.d.due"), format=",d"),
                alt.Tooltip("open:Q", title=t("or.d.open"), format=",d"),
            ],  # fmt: skip
        )
    )
    show_chart(chart)
    tables.show(
        frame,
        {
            "ward_code": Col("or.d.ward", WARD),
            "due": Col("or.d.due", fmt=fmt_int),
            "open": Col("or.d.open", fmt=fmt_int),
            "oldest": Col("or.d.oldest", TIME),  # stored UTC, shown in Vietnam time
        },
    )
