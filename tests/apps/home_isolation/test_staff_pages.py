"""Issue 18 on the home isolation staff pages (AppTest): readable alert ages and the readings
of a red alert on the board, the vitals chart (one report is a point, Vietnam time, units,
values as written), the tracing search selecting its match, the codes of bulk-enrolled F1s."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pandas as pd
from streamlit.testing.v1 import AppTest

from apps.home_isolation import pages, service
from core.testkit import page_app
from tests.apps.home_isolation.conftest import WARD, f0_form, good_report, link_token


def app_for(page_key: str, principal, **query) -> AppTest:
    return page_app(page_key, principal, query=query, timeout=30)


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _chart_specs(at: AppTest) -> list[dict[str, Any]]:
    specs = []
    for node in _walk(at.main):
        proto = getattr(node, "proto", None)
        spec = getattr(proto, "spec", "") if proto is not None else ""
        if spec and "vega" in str(getattr(node, "type", "")):
            specs.append(json.loads(spec))
    return specs


def test_board_reads_alert_ages_and_red_readings(store, officer, frozen_clock):
    f0 = service.enroll_f0(officer, f0_form())
    service.submit_report(
        None, link_token(officer, f0["id"]), good_report(spo2="91", temperature="38,6")
    )
    frozen_clock[0] += timedelta(hours=3, minutes=10)
    at = app_for("home_isolation.board", officer).run()
    assert not at.exception, at.exception
    frame = at.dataframe[0].value
    row = frame.iloc[0]
    assert row["Cảnh báo từ"] == "3 giờ trước"
    assert "SpO2 91 %" in row["Cảnh báo"] and "38,6 °C" in row["Cảnh báo"]
    # picking the person: the open alert says what raised it and how long ago
    at.selectbox(key="hb_pick").select(f0["id"]).run()
    warning = " ".join(w.value for w in at.warning)
    assert "SpO2 91 %" in warning and "SpO2 ≤ 93%" in warning and "3 giờ trước" in warning


def test_ago():
    assert pages.ago(None) == ""
    assert pages.ago(0.2) == "12 phút trước"
    assert pages.ago(1.9) == "1 giờ trước"
    assert pages.ago(50) == "2 ngày trước"


def test_vitals_chart_of_one_report_is_a_point_in_vietnam_time(store, officer, frozen_clock):
    f0 = service.enroll_f0(officer, f0_form())
    service.submit_report(None, link_token(officer, f0["id"]), good_report(pulse="104"))
    at = app_for("home_isolation.person", officer, e=f0["id"]).run()
    assert not at.exception, at.exception
    (spec,) = _chart_specs(at)
    text = json.dumps(spec, ensure_ascii=False)
    assert '"point"' in text  # a point for the single report
    assert "Thời điểm đo (giờ Việt Nam)" in text and "Mạch (lần/phút)" in text
    assert "Nhiệt độ (°C)" in text and "SpO2 (%)" in text
    assert "104.000000" not in text and spec["config"]["locale"]["number"]["decimal"] == ","
    reports = service.person_reports(officer, f0["id"])
    long = pages._vitals_frame(reports)
    local = (frozen_clock[0] + timedelta(hours=7)).replace(tzinfo=None, second=0, microsecond=0)
    assert (long["time"].dt.floor("min") == local).all()  # Vietnam wall time
    assert set(long["shown"]) == {"98", "36,8", "104"}


def test_vitals_frame_leaves_out_a_missing_spo2():
    reports = pd.DataFrame(
        {
            "measured_at": [pd.Timestamp("2026-12-01 03:00")],
            "level": ["yellow"],
            "spo2": pd.array([None], dtype="Int16"),
            "temperature": [37.25],
            "pulse": pd.array([88], dtype="Int16"),
        }
    )
    long = pages._vitals_frame(reports)
    assert list(long["shown"]) == ["37,3", "88"]
    assert str(long["time"].iloc[0]) == "2026-12-01 10:00:00"


def test_tracing_search_selects_the_match(store, officer, frozen_clock):
    service.enroll_f0(officer, f0_form())
    frozen_clock[0] += timedelta(minutes=1)
    other = service.enroll_f0(
        officer, f0_form(person_id="048090000077", full_name="Trương Văn Minh", phone="0905777777")
    )
    at = app_for("home_isolation.tracing", officer).run()
    assert at.selectbox(key="ht_source").value is None
    at.text_input(key="ht_search:search").input("048090000077")
    [b for b in at.button if str(b.key).startswith("FormSubmitter:ht_search")][0].click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="ht_source").value == other["id"]


def test_tracing_shows_the_codes_of_enrolled_f1s_once(store, officer, frozen_clock, sent_sms):
    from tests.apps.home_isolation.hd_data import add_checkins, add_venue

    now = frozen_clock[0]
    cafe = add_venue(store, "Cà phê Sông Hàn", WARD)
    add_checkins(
        store,
        [
            (cafe, now - timedelta(days=1), "048090000001", "Nguyễn Văn An", "0905123456", WARD),
            (cafe, now - timedelta(days=1, minutes=-20), "048090000020", "Lý Thị Kha",
             "0905000020", WARD),
        ],
    )  # fmt: skip
    f0 = service.enroll_f0(officer, f0_form())
    at = app_for("home_isolation.tracing", officer, e=f0["id"]).run()
    at.button(key="ht_enrol").click().run()
    assert not at.exception, at.exception
    codes = next(d.value for d in at.dataframe if "code" in d.value.columns)
    assert list(codes["name"]) == ["Lý Thị Kha"] and list(codes["sms"]) == ["Đã gửi"]
    assert len(codes["code"].iloc[0]) == 6
    assert len(sent_sms.to("0905000020")) == 1
    at.run()
    assert not any("code" in d.value.columns for d in at.dataframe)  # shown once


def test_person_reports_read_as_written_and_no_oximeter_is_empty(store, officer, frozen_clock):
    f0 = service.enroll_f0(officer, f0_form())
    token = link_token(officer, f0["id"])
    service.submit_report(None, token, good_report(temperature="38,6", pulse="104"))
    raw = good_report(no_oximeter=True, pulse="90")
    del raw["spo2"]
    frozen_clock[0] += timedelta(hours=1)
    service.submit_report(None, token, raw)
    at = app_for("home_isolation.person", officer, e=f0["id"]).run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "SpO2 (%)" in d.value.columns)
    assert list(table["SpO2 (%)"]) == ["", "98"]  # newest first; not measured is empty
    assert list(table["Nhiệt độ (°C)"]) == ["36,8", "38,6"]
    assert list(table["Mạch (lần/phút)"]) == ["90", "104"]
    assert "Không có máy đo SpO2" in table["Lý do"].iloc[0]
