"""Analytics of home isolation: active F0/F1 per ward, new per day, releases, open alerts."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from apps.home_isolation import forms, service
from core.i18n import get_locale, t
from core.ui.session import current_principal


def _metrics() -> None:
    totals = service.totals(current_principal())
    cols = st.columns(4)
    cols[0].metric(t("hi.stat.active_f0"), f"{totals['active_f0']:,}")
    cols[1].metric(t("hi.stat.active_f1"), f"{totals['active_f1']:,}")
    cols[2].metric(t("hi.stat.in_hospital"), f"{totals['in_hospital']:,}")
    cols[3].metric(t("hi.stat.open_alerts"), f"{totals['open_alerts']:,}")


def _alerts_table() -> None:
    alerts = service.open_alerts_summary(current_principal())
    st.dataframe(
        pd.DataFrame(
            {
                t("hi.col.alerts"): alerts["kind"].map(lambda k: t(f"hi.alert.{k}")),
                t("hi.col.open_alerts"): alerts["open_alerts"],
                t("hi.col.median_age"): alerts["median_age_hours"],
                t("hi.col.oldest_age"): alerts["oldest_age_hours"],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _ward_label() -> str:
    return forms.ENROL_F0.label("ward_code", get_locale())


def page() -> None:
    principal = current_principal()
    st.title(t("hi.analytics.title"))
    _metrics()
    st.subheader(t("hi.analytics.alerts"))
    _alerts_table()
    st.subheader(t("hi.analytics.per_day"))
    days = service.per_day(principal, days=14)
    if not days.empty:
        long = days.melt(id_vars=["day"], var_name="what", value_name="n")
        long["what"] = long["what"].map(
            {
                "new_f0": t("hi.col.new_f0"),
                "new_f1": t("hi.col.new_f1"),
                "released": t("hi.col.released"),
            }
        )
        st.altair_chart(
            alt.Chart(long)
            .mark_bar()
            .encode(
                x=alt.X("day:T", title=t("hi.col.day")),
                y=alt.Y("n:Q", title=t("hi.col.count")),
                color=alt.Color("what:N", title=None),
                xOffset="what:N",
                tooltip=["day:T", "what:N", "n:Q"],
            ),
            width="stretch",
        )
    st.subheader(t("hi.analytics.active_ward"))
    wards = service.active_by_ward(principal)
    if not wards.empty:
        top = wards.head(30).melt(
            id_vars=["ward_code", "ward"], value_vars=["f0", "f1"], var_name="kind", value_name="n"
        )
        top["kind"] = top["kind"].str.upper()
        st.altair_chart(
            alt.Chart(top)
            .mark_bar()
            .encode(
                y=alt.Y("ward:N", sort="-x", title=_ward_label()),
                x=alt.X("n:Q", stack=True, title=t("hi.col.count")),
                color=alt.Color("kind:N", title=None),
                tooltip=["ward:N", "kind:N", "n:Q"],
            ),
            width="stretch",
        )
        st.dataframe(
            wards.drop(columns=["ward_code"]).rename(
                columns={"ward": _ward_label(), "f0": "F0", "f1": "F1"}
            ),
            hide_index=True,
            width="stretch",
        )


def panel() -> None:
    """Compact panel for the shared dashboard."""
    _metrics()
    _alerts_table()
