"""Analytics of home isolation: active F0/F1 per ward, new per day, releases, open alerts."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from apps.home_isolation import forms, service
from core.i18n import get_locale, t
from core.ui.charts import show_chart, time_axis
from core.ui.numbers import fmt_decimal, fmt_int
from core.ui.session import current_principal


def _metrics() -> None:
    totals = service.totals(current_principal())
    cols = st.columns(4)
    cols[0].metric(t("hi.stat.active_f0"), fmt_int(totals["active_f0"]))
    cols[1].metric(t("hi.stat.active_f1"), fmt_int(totals["active_f1"]))
    cols[2].metric(t("hi.stat.in_hospital"), fmt_int(totals["in_hospital"]))
    cols[3].metric(t("hi.stat.open_alerts"), fmt_int(totals["open_alerts"]))


def _alerts_table() -> None:
    alerts = service.open_alerts_summary(current_principal())
    st.dataframe(
        pd.DataFrame(
            {
                t("hi.col.alerts"): alerts["kind"].map(lambda k: t(f"hi.alert.{k}")),
                t("hi.col.open_alerts"): alerts["open_alerts"].map(fmt_int),
                t("hi.col.median_age"): alerts["median_age_hours"].map(fmt_decimal),
                t("hi.col.oldest_age"): alerts["oldest_age_hours"].map(fmt_decimal),
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
        long["day"] = pd.to_datetime(long["day"])  # a local day, drawn as that day anywhere
        long["what"] = long["what"].map(
            {
                "new_f0": t("hi.col.new_f0"),
                "new_f1": t("hi.col.new_f1"),
                "released": t("hi.col.released"),
            }
        )
        show_chart(
            alt.Chart(long)
            .mark_bar()
            .encode(
                x=time_axis("day", t("hi.col.day"), fmt="%d/%m"),
                y=alt.Y("n:Q", title=t("hi.col.count")),
                color=alt.Color("what:N", title=None),
                xOffset="what:N",
                tooltip=[
                    alt.Tooltip("day:T", title=t("hi.col.day"), format="%d/%m/%Y"),
                    alt.Tooltip("what:N", title=t("hi.col.what")),
                    alt.Tooltip("n:Q", title=t("hi.col.count"), format=",d"),
                ],
            )
        )
    st.subheader(t("hi.analytics.active_ward"))
    wards = service.active_by_ward(principal)
    if not wards.empty:
        top = wards.head(30).melt(
            id_vars=["ward_code", "ward"], value_vars=["f0", "f1"], var_name="kind", value_name="n"
        )
        top["kind"] = top["kind"].str.upper()
        show_chart(
            alt.Chart(top)
            .mark_bar()
            .encode(
                y=alt.Y("ward:N", sort="-x", title=_ward_label()),
                x=alt.X("n:Q", stack=True, title=t("hi.col.count")),
                color=alt.Color("kind:N", title=None),
                tooltip=[
                    alt.Tooltip("ward:N", title=_ward_label()),
                    alt.Tooltip("kind:N", title=t("hi.f.kind")),
                    alt.Tooltip("n:Q", title=t("hi.col.count"), format=",d"),
                ],
            )
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
