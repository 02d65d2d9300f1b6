"""The F1 follow-up calendar and transmission chain pages (issue 17 item 3), in AppTest."""

from __future__ import annotations

from datetime import timedelta

from apps.home_isolation import service
from core.testkit import page_app, page_text
from tests.apps.home_isolation.conftest import f0_form, f1_form, good_report, link_token


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def test_calendar_page_shows_missed_days(store, officer, frozen_clock):
    f0 = service.enroll_f0(officer, f0_form())
    f1 = service.enroll_f1(officer, f1_form(f0["id"]))
    service.submit_report(None, link_token(officer, f1["id"]), good_report())
    frozen_clock[0] += timedelta(days=2)  # day 2 missed, day 3 today
    at = page_app("home_isolation.calendar", officer, timeout=30).run()
    assert not at.exception, at.exception
    assert "1 F1 · 1 ngày bỏ lỡ" in page_text(at)
    table = next(n.value for n in _walk(at.main) if type(n).__name__ == "Dataframe")
    row = table.iloc[0]
    assert row["Ngày 1"] == "🟢 Đã báo cáo qua link"
    assert row["Ngày 2"] == "❌ Bỏ lỡ"
    assert row["Ngày 3"] == "⏳ Hôm nay, chưa báo cáo"
    assert not any("None" in str(v) or "nan" == str(v) for v in row.to_numpy())
    at.selectbox(key="hc_pick").select(f1["id"]).run()
    assert not at.exception, at.exception
    table = at.markdown[-1].value.splitlines()
    assert table[0].startswith("| Ngày thứ | Ngày tháng | Tình trạng")
    assert "| 1 |" in table[2] and "🟢 Đã báo cáo qua link" in table[2]
    assert "❌ Bỏ lỡ" in table[3] and "⏳ Hôm nay, chưa báo cáo" in table[4]
    assert len(table) == 2 + 14


def test_chain_page_draws_the_chain(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    service.enroll_f1(officer, f1_form(f0["id"]))
    at = page_app("home_isolation.chain", officer, query={"e": f0["id"]}, timeout=30).run()
    assert not at.exception, at.exception
    assert "1 F0 · 1 F1 · 2 thế hệ" in page_text(at)
    graphs = [
        n
        for n in _walk(at.main)
        if "graphviz" in type(n).__name__.lower() or getattr(n, "type", "") == "graphviz_chart"
    ]
    assert graphs or "digraph" in str(at.main)
