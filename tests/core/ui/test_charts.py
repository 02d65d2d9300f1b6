"""Charts (core.ui.charts): Vietnam wall time from stored UTC, the Vega formatting locale of the
chosen language, readable time ticks, and the user's chart config kept."""

from __future__ import annotations

import altair as alt
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from core import i18n
from core.ui.charts import (
    THEME,
    TIME_TICKS,
    count_axis,
    localized,
    time_axis,
    use_theme,
    vega_locale,
    vn_time,
)


def test_naive_times_are_utc_and_become_vietnam_wall_time():
    stored = pd.Series(pd.to_datetime(["2026-12-01 16:30:00.000123", "2026-12-31 17:00:00.000000"]))
    shown = vn_time(stored)
    assert shown.dt.tz is None
    assert shown.tolist() == [
        pd.Timestamp("2026-12-01 23:30:00.000123"),
        pd.Timestamp("2027-01-01 00:00"),  # past midnight in Vietnam: the next day and year
    ]


def test_aware_times_are_converted():
    aware = pd.Series(pd.to_datetime(["2026-12-01 09:00"]).tz_localize("Europe/Paris"))
    assert vn_time(aware).tolist() == [pd.Timestamp("2026-12-01 15:00")]


def test_empty_values_stay_empty():
    shown = vn_time(pd.Series([pd.Timestamp("2026-12-01 00:00"), None]))
    assert shown.iloc[0] == pd.Timestamp("2026-12-01 07:00") and pd.isna(shown.iloc[1])


@given(st.datetimes(min_value=pd.Timestamp("1976-01-01"), max_value=pd.Timestamp("2100-01-01")))
def test_always_seven_hours_ahead(utc):
    # Vietnam has kept UTC+7 without daylight saving since mid-1975
    shown = vn_time(pd.Series([pd.Timestamp(utc)])).iloc[0]
    assert shown - pd.Timestamp(utc) == pd.Timedelta(hours=7)


def _chart() -> alt.Chart:
    frame = pd.DataFrame({"t": pd.to_datetime(["2026-12-01 10:00"]), "v": [1]})
    return alt.Chart(frame).mark_point().encode(x=time_axis("t", "Giờ"), y="v:Q")


def test_the_locale_follows_the_ui_language():
    spec = localized(_chart()).to_dict()
    assert spec["config"]["locale"]["number"]["thousands"] == "."
    assert spec["config"]["locale"]["time"]["months"][11] == "tháng 12"
    i18n.set_locale("en")
    try:
        spec = localized(_chart()).to_dict()
    finally:
        i18n.set_locale("vi")
    assert spec["config"]["locale"]["time"]["months"][11] == "December"
    assert spec["config"]["locale"]["number"]["thousands"] == ","
    assert vega_locale("xx") == vega_locale("vi")


def test_time_ticks_are_24_hour_and_day_first():
    spec = localized(_chart(), "vi").to_dict()
    assert spec["config"]["axisTemporal"]["format"] == TIME_TICKS
    assert "%p" not in "".join(TIME_TICKS.values()) and "%B" not in "".join(TIME_TICKS.values())
    assert spec["encoding"]["x"]["axis"]["format"] == "%d/%m %H:%M"
    assert spec["encoding"]["x"]["title"] == "Giờ"


def test_the_charts_own_config_is_kept_and_not_changed():
    chart = _chart().configure_axis(grid=False).configure_axisTemporal(labelAngle=0)
    before = chart.to_dict()
    spec = localized(chart, "en").to_dict()
    assert spec["config"]["axis"] == {"grid": False}
    assert spec["config"]["axisTemporal"]["labelAngle"] == 0
    assert spec["config"]["axisTemporal"]["format"] == TIME_TICKS
    assert chart.to_dict() == before
    own = _chart().configure_axisTemporal(format="%H")
    assert localized(own, "vi").to_dict()["config"]["axisTemporal"]["format"] == "%H"


def test_layers_and_facets_get_the_locale():
    layered = alt.layer(_chart(), _chart().mark_line())
    assert "locale" in localized(layered, "vi").to_dict()["config"]


def test_count_axis_has_whole_ticks():
    axis = count_axis(title="n").to_dict()
    assert axis == {"format": ",d", "tickMinStep": 1, "title": "n"}


def test_the_theme_gives_every_chart_the_sessions_language():
    before = alt.theme.active
    try:
        use_theme()
        use_theme()  # twice is once
        assert alt.theme.active == THEME
        plain = alt.Chart(pd.DataFrame({"v": [1]})).mark_bar().encode(y="v:Q")
        assert plain.to_dict()["config"]["locale"]["time"]["months"][0] == "tháng 1"
        i18n.set_locale("en")
        try:
            spec = plain.to_dict()
        finally:
            i18n.set_locale("vi")
        assert spec["config"]["locale"]["time"]["months"][0] == "January"
        assert spec["config"]["axisTemporal"]["format"] == TIME_TICKS
        own = plain.configure_axisTemporal(format="%H").to_dict()
        assert own["config"]["axisTemporal"]["format"] == "%H"  # the chart's own wins
    finally:
        alt.theme.enable(before)
