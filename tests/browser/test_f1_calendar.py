"""The F1 follow-up calendar in a real browser (issue 17 "done when"): an officer opens the
calendar of the demo's F1s, sees the missed days counted, opens the F1 with the most missed
days and reads them day by day; the transmission chain page draws F0 -> F1. Screenshots go to
``SHOTS`` when set."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("RAPID_SHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"f1-calendar-{name}.png"), full_page=True)


def test_the_f1_calendar_shows_missed_days(live_server, browser_page):
    page = browser_page
    login(page, live_server, "officer")
    page.get_by_role("link", name="Lịch theo dõi F1 (14 ngày)").click()
    page.get_by_role("heading", name="Lịch theo dõi F1 (14 ngày)").wait_for()
    count = page.get_by_text(re.compile(r"\d+ F1 · \d+ ngày bỏ lỡ")).first
    count.wait_for()
    missed = int(re.search(r"· (\d+) ngày bỏ lỡ", count.inner_text()).group(1))
    assert missed > 0, count.inner_text()  # the demo's silent F1s missed days
    page.locator("[data-testid='stDataFrame']").first.wait_for()
    page.wait_for_timeout(500)  # the grid paints its canvas
    _shot(page, "1-board")
    # the F1 with the most missed days comes first
    pick = page.get_by_label("Xem lịch của một F1")
    pick.scroll_into_view_if_needed()
    pick.click()
    page.get_by_role("listbox").get_by_role("option").first.click()
    table = page.locator("[data-testid='stMarkdown'] table").last
    table.wait_for()
    text = table.inner_text()
    assert "Ngày thứ" in text and "Tình trạng" in text
    assert "❌ Bỏ lỡ" in text, text
    assert text.count("\n") >= 14  # a row per day
    table.scroll_into_view_if_needed()
    _shot(page, "2-one-f1")

    page.get_by_role("link", name="Chuỗi lây nhiễm").click()
    page.get_by_role("heading", name="Chuỗi lây nhiễm").wait_for()
    chain = page.get_by_text(re.compile(r"\d+ F0 · \d+ F1 · \d+ thế hệ")).first
    chain.wait_for()
    # the F0 with the most contacts comes first: its chain has F1s
    assert int(re.search(r"· (\d+) F1", chain.inner_text()).group(1)) > 0
    page.locator("[data-testid='stGraphVizChart'] svg").first.wait_for()
    _shot(page, "3-chain")
