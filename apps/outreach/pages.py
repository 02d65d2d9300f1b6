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
from core.ui.session import current_principal


def _ward(code: object) -> str:
    try:
        return geo.ward_name(int(code))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(code)


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
    st.write(t("or.today.count", n=len(cases)))
    for case in cases.itertuples(index=False):
        with st.container(border=True, key=f"or_case_{case.id}"):
            st.markdown(f"**{case.full_name}** · [{case.phone}](tel:{case.phone})")
            st.caption(
                t(
                    "or.case.line",
                    kind=t(f"or.kind.{case.kind}"),
                    level=t(f"or.level.{case.level}"),
                    ward=_ward(case.ward_code),
                    since=clock.fmt_local(pd.Timestamp(case.event_at).to_pydatetime()),
                    attempts=int(case.attempts),
                )
                + (f" · {case.venue_name}" if case.venue_name else "")
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
    a, b, c = st.columns(3)
    a.metric(t("or.d.reach_24h"), f"{last['share_24h']:.0%}")
    b.metric(t("or.d.reach_72h"), f"{last['share_72h']:.0%}")
    c.metric(t("or.d.cases"), int(last["cases"]))
    long = per_day.melt("day", ["share_24h", "share_72h"], var_name="measure", value_name="share")
    long["measure"] = long["measure"].map(
        {"share_24h": t("or.d.within_24h"), "share_72h": t("or.d.within_72h")}
    )
    chart = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title=t("or.d.day")),
            y=alt.Y(
                "share:Q",
                title=t("or.d.share"),
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),  # fmt: skip
            color=alt.Color("measure:N", title=t("or.d.measure")),
            tooltip=[
                alt.Tooltip("day:T", title=t("or.d.day")),
                alt.Tooltip("share:Q", title=t("or.d.share"), format=".0%"),
            ],  # fmt: skip
        )
    )
    st.altair_chart(chart, width="stretch")
    wards = frame.groupby("ward_code", as_index=False)[["cases", "within_24h", "within_72h"]].sum()
    wards["share_24h"] = wards["within_24h"] / wards["cases"]
    wards["share_72h"] = wards["within_72h"] / wards["cases"]
    shown = pd.DataFrame(
        {
            t("or.d.ward"): wards["ward_code"].map(_ward),
            t("or.d.cases"): wards["cases"],
            t("or.d.within_24h") + " (%)": (wards["share_24h"] * 100).round(0),
            t("or.d.within_72h") + " (%)": (wards["share_72h"] * 100).round(0),
        }
    ).sort_values(t("or.d.within_24h") + " (%)")
    st.caption(t("or.d.per_ward"))
    st.dataframe(shown, hide_index=True, width="stretch")


def panel_backlog() -> None:
    frame = service.backlog(current_principal())
    if frame.empty:
        st.info(t("or.d.empty"))
        return
    st.metric(t("or.d.backlog"), int(frame["due"].sum()))
    shown = pd.DataFrame(
        {
            "ward": frame["ward_code"].map(_ward),
            "due": frame["due"],
            "open": frame["open"],
            "oldest": clock.local_times(frame["oldest"]),
        }
    )
    chart = (
        alt.Chart(shown.head(30))
        .mark_bar()
        .encode(
            x=alt.X("due:Q", title=t("or.d.due")),
            y=alt.Y("ward:N", sort="-x", title=t("or.d.ward")),
            tooltip=[
                alt.Tooltip("ward:N", title=t("or.d.ward")),
                alt.Tooltip("due:Q", title=t("or.d.due")),
                alt.Tooltip("open:Q", title=t("or.d.open")),
            ],  # fmt: skip
        )
    )
    st.altair_chart(chart, width="stretch")
    st.dataframe(
        shown.rename(
            columns={
                "ward": t("or.d.ward"),
                "due": t("or.d.due"),
                "open": t("or.d.open"),
                "oldest": t("or.d.oldest"),
            }
        ),
        hide_index=True,
        width="stretch",
    )
