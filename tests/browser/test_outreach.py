"""One risk picture and the outreach lists in a real browser: an F0 enrolled by an officer
declares "no symptoms" on their phone and still gets a red pass (and cannot check in); a ward
health worker works their list for today and the dashboard's reach-within-24-h figure moves.

The F0 test needs the home isolation app to write its register into core.risk (enrol/release/
transfer call ``core.risk``)."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

import pytest

from tests.browser.conftest import enrol_f0, login, running_server

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LOCAL_OFFSET_H = 7  # Asia/Ho_Chi_Minh
SHOTS = os.environ.get("RAPID_SHOTS", "")  # a folder: keep a screenshot of every step there


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"outreach-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("outreach-live")
    env = {  # every phone here shares 127.0.0.1: per-client limits are for their own tests
        "RAPID_WEB_LOOKUP_PER_MINUTE": "600",
        "RAPID_WEB_SUBMIT_PER_MINUTE": "600",
    }
    with running_server(root / "data", extra_env=env) as url:
        yield url


def _enrol_f0(page, base: str, person: str, name: str) -> None:
    enrol_f0(page, base, person, name, phone="0905888111", age=38, ward="Phường An Hải")


def test_an_f0_cannot_get_a_green_pass(live_server, browser):
    person, name = "048190888111", "Cách Ly Tại Nhà"
    officer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = officer.new_page()
    page.set_default_timeout(30_000)
    _enrol_f0(page, live_server, person, name)
    page.get_by_role("link", name="Địa điểm check-in").click()
    venue = page.get_by_text(re.compile(r"/check-in\?v=HV1%3A")).first
    venue.wait_for()
    venue_url = venue.inner_text().strip()
    officer.close()

    citizen = browser.new_context(viewport=PHONE, locale="vi-VN")
    phone = citizen.new_page()
    phone.set_default_timeout(30_000)
    phone.goto(f"{live_server}/khai-bao")
    phone.get_by_label("Họ và tên").fill(name)
    phone.get_by_label("Năm sinh").fill("1990")
    phone.get_by_label("Nam", exact=True).check()
    phone.get_by_label("Số CCCD / hộ chiếu").fill(person)
    phone.get_by_label("Số điện thoại").fill("0905 888 111")
    phone.get_by_label("Phường/xã").select_option(label="Phường An Hải")
    phone.get_by_label("Số nhà, đường").fill("3 Ngô Quyền")
    phone.get_by_label("Tôi cam kết thông tin khai là đúng sự thật", exact=False).check()
    phone.get_by_role("button", name="Gửi tờ khai").click()  # no symptom, no exposure ticked
    phone.get_by_text("Đã nhận tờ khai").wait_for()
    phone.get_by_text(re.compile("Thẻ y tế: Đỏ")).wait_for()
    assert phone.get_by_text(re.compile("Thẻ y tế: Xanh")).count() == 0
    content = phone.content()  # no reason on a public page
    assert "Đang cách ly" not in content and "register_" not in content
    _shot(phone, "1-f0-red-pass")
    phone.goto(venue_url)  # the pass does not check in anywhere
    phone.get_by_role("button", name=f"Check-in: {name}").click()
    phone.get_by_text(re.compile("Không check-in được")).wait_for()
    _shot(phone, "2-f0-checkin-refused")
    citizen.close()


def _reach_24h(page) -> str:
    page.get_by_role("link", name="Theo dõi người có nguy cơ").click()
    page.get_by_role("heading", name="Theo dõi người có nguy cơ").first.wait_for()
    value = page.get_by_test_id("stMetricValue").first
    value.wait_for()
    return value.inner_text().strip()


def test_a_worker_works_the_list_and_the_reach_figure_moves(live_server, browser_page):
    page = browser_page
    login(page, live_server, "worker")
    before = _reach_24h(page)
    page.get_by_role("link", name="Việc hôm nay").click()
    page.get_by_role("heading", name="Việc hôm nay").wait_for()
    now = datetime.utcnow()  # noqa: DTZ003 - the server's clock, shown in local time
    today = (now.replace(microsecond=0) + _hours(LOCAL_OFFSET_H)).strftime("%d/%m/%Y")
    case = page.locator("[class*='st-key-or_case_']").filter(has_text=f"từ {today}").first
    case.wait_for()
    _shot(page, "3-worker-list")
    name = case.locator("strong").first.inner_text()
    case.get_by_role("button", name="Đã liên lạc").click()
    page.get_by_text(re.compile(f"Đã ghi: {re.escape(name)}")).wait_for()
    after = _reach_24h(page)
    _shot(page, "4-dashboard")
    assert int(after.rstrip("%")) > int(before.rstrip("%")), (before, after)


def _hours(n: int):
    from datetime import timedelta

    return timedelta(hours=n)
