"""The checkpoint dashboard's figures and charts (issue 18, item 4): counts in the chosen
language's style, the per-hour chart at Vietnam-time hours with axis titles that name their
units, a single hour drawn as a bar, the Vega locale of the language."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from checkpoints import pages, service
from core import i18n
from core.auth import Principal
from core.testkit import make_principal, run_page
from core.ui.charts import localized

ADMIN = Principal("a", frozenset({"admin"}))
SCANNED = datetime(2026, 12, 1, 16, 30, 0, 123)  # UTC: 23:30 in Vietnam


@pytest.fixture()
def scans(store):
    """1,234 scans in one UTC hour at one checkpoint, 34 of them refused as expired."""
    n = 1234
    frame = pd.DataFrame(
        {
            "scan_id": [f"s{i:031d}" for i in range(n)],
            "scanned_at": [SCANNED] * n,
            "checkpoint_id": "cp-1",
            "staff": "chot",
            "token_hash": [f"h{i}" for i in range(n)],
            "code_hash": None,
            "token_type": "TP",
            "verdict": ["INVALID" if i < 34 else "VALID" for i in range(n)],
            "reason": ["EXPIRED" if i < 34 else "OK" for i in range(n)],
        }
    )
    assert service.upload_frame(ADMIN, frame, store=store) == (n, 0)
    return store


@pytest.mark.parametrize(("locale", "total"), [("vi", "1.234"), ("en", "1,234")])
def test_figures_in_the_languages_style_without_deltas(scans, locale, total):
    at = run_page("checkpoints.dashboard", make_principal("a", "admin"), locale=locale)
    assert not at.exception, at.exception
    assert [m.value for m in at.metric][:2] == [total, "34"]
    assert all(not m.delta for m in at.metric)


def test_hours_are_vietnam_time_with_units_and_a_bar_for_one_hour(scans):
    hourly = service.per_hour(ADMIN)
    assert len(hourly) == 1  # a single value: still a bar a whole hour wide
    spec = pages.hourly_chart(hourly).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert rows[0]["hour"].startswith("2026-12-01T23:00:00")
    assert spec["mark"] == {"type": "bar"}
    x = spec["encoding"]["x"]
    assert x["timeUnit"] == "yearmonthdatehours" and x["type"] == "temporal"
    assert x["title"] == "Giờ quét (giờ Việt Nam, ngày/tháng giờ:phút)"
    assert "%p" not in x["axis"]["format"] and x["axis"]["format"] == "%d/%m %H:%M"
    assert spec["encoding"]["y"]["title"] == "Số lượt quét (lượt)"
    assert spec["encoding"]["y"]["axis"]["format"] == ",d"


def test_english_titles_and_locale(scans):
    i18n.set_locale("en")
    try:
        spec = localized(pages.hourly_chart(service.per_hour(ADMIN))).to_dict()
        reasons = pages.reasons_chart(service.rejection_reasons(ADMIN)).to_dict()
    finally:
        i18n.set_locale("vi")
    assert spec["encoding"]["x"]["title"].startswith("Hour of scan (Vietnam time")
    assert spec["encoding"]["y"]["title"] == "Scans (count)"
    assert spec["config"]["locale"]["number"]["thousands"] == ","
    assert reasons["encoding"]["x"]["title"] == "Scans (count)"
    rows = next(iter(reasons["datasets"].values()))
    assert rows == [{"reason": rows[0]["reason"], "scans": 34}]
    assert rows[0]["reason"].endswith("(EXPIRED)") and rows[0]["reason"] != "EXPIRED"


def test_vietnamese_chart_locale_on_the_page(scans):
    spec = localized(pages.hourly_chart(service.per_hour(ADMIN)), "vi").to_dict()
    assert spec["config"]["locale"]["number"] == {
        "decimal": ",",
        "thousands": ".",
        "grouping": [3],
        "currency": ["", " ₫"],
    }
    assert spec["config"]["locale"]["time"]["shortDays"][0] == "CN"
