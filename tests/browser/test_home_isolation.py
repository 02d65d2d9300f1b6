"""Home isolation in a real browser: an officer enrols an F0 and reads out the link's code, the
person opens their personal link (no account), enters the code once, reports a low SpO2 from
an address without the token, and the officer board shows them red at once. Screenshots of the
phone's pages go to ``SHOTS`` (first open, code entry, the form)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import login, pick_option

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("RAPID_SHOTS", "/tmp/rapid-shots"))


def test_report_low_spo2_turns_red_on_board(live_server, browser_page):
    page = browser_page
    login(page, live_server, "officer")
    # navigate inside the session (a full page load would start a new, logged-out session)
    page.get_by_role("link", name="Đăng ký F0/F1").click()
    page.get_by_role("heading", name="Đăng ký F0/F1").first.wait_for()
    form = page.locator("[data-testid='stForm']").first
    form.get_by_label("Số CCCD / hộ chiếu").fill("048190999111")
    form.get_by_label("Họ và tên").fill("Trình Duyệt Đỏ")
    form.get_by_label("Số điện thoại").fill("0905999111")
    form.get_by_label("Tuổi").fill("45")
    pick_option(page, form.get_by_label("Phường/xã"), "Phường An Hải", shows="Phường An Hải")
    form.get_by_role("button", name="Đăng ký F0").click()
    page.get_by_text(re.compile("Đã đăng ký Trình Duyệt Đỏ")).wait_for()
    link = page.get_by_text(re.compile(r"/bao-cao\?t=HI1")).first
    link.wait_for()
    url = link.inner_text().strip()
    assert url.startswith(live_server)
    enrolment = re.search(
        r"mã hồ sơ (HI[0-9A-F]+)", page.get_by_text("Đã đăng ký").inner_text()
    ).group(1)
    said = page.get_by_text(re.compile("Đọc mã cho người cách ly")).first
    said.wait_for()
    code = re.search(r"(\d{6})", said.inner_text()).group(1)
    SHOTS.mkdir(parents=True, exist_ok=True)

    # the citizen, on a phone, without an account, without JavaScript (a light page)
    citizen = page.context.browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", java_script_enabled=False
    )
    phone = citizen.new_page()
    phone.set_default_timeout(30_000)
    phone.goto(url)
    phone.get_by_label("Mã xác nhận").wait_for()  # the token alone shows nobody
    assert "Trình" not in phone.content() and "T.D.Đ." not in phone.content()
    phone.screenshot(path=str(SHOTS / "bao-cao-1-first-open.png"), full_page=True)
    wrong = "000000" if code != "000000" else "111111"
    phone.get_by_label("Mã xác nhận").fill(wrong)
    phone.get_by_role("button", name="Tiếp tục").click()
    phone.get_by_text("Mã không đúng").wait_for()
    phone.screenshot(path=str(SHOTS / "bao-cao-2-code-entry.png"), full_page=True)
    phone.get_by_label("Mã xác nhận").fill(code)
    phone.get_by_role("button", name="Tiếp tục").click()
    phone.get_by_text("Xin chào T.D.Đ.").wait_for()  # initials, never the full name
    assert phone.url.endswith("/bao-cao") and "t=" not in phone.url  # no token in the address
    assert "Trình Duyệt Đỏ" not in phone.content()
    phone.screenshot(path=str(SHOTS / "bao-cao-3-form.png"), full_page=True)
    phone.get_by_label("Nhiệt độ (°C)").fill("37,5")
    phone.get_by_label("SpO2 (%)").fill("91")
    phone.get_by_label("Mạch (lần/phút)").fill("104")
    phone.get_by_label("Nhịp thở (lần/phút)").fill("22")
    phone.get_by_role("button", name="Gửi báo cáo").click()
    phone.get_by_text("Đã nhận báo cáo").wait_for()
    phone.locator(".card.red").wait_for()
    phone.screenshot(path=str(SHOTS / "bao-cao-4-sent.png"), full_page=True)
    phone.goto(url)  # the same link again in this browser: straight to the form
    phone.get_by_text("Xin chào T.D.Đ.").wait_for()
    citizen.close()

    # the officer's board: red filter, the person is there with an open red alert
    page.get_by_role("link", name="Bảng theo dõi F0/F1").click()
    page.get_by_role("heading", name="Bảng theo dõi F0/F1").wait_for()
    pick_option(page, page.get_by_label("Chọn người để xử lý"), re.compile(enrolment))
    page.get_by_text(re.compile(r"Trình Duyệt Đỏ.*Đỏ")).first.wait_for()
    page.get_by_text(re.compile("Chỉ số nguy hiểm · ")).first.wait_for()

    # a forged link is refused with a clear message
    page.goto(url[:-6] + "AAAAAA")
    page.get_by_text(re.compile("không hợp lệ|hết hạn")).first.wait_for()
