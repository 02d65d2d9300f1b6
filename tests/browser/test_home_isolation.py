"""Home isolation in a real browser: an officer enrols an F0 and reads out the link's code, the
person opens their personal link (no account), enters the code once, reports a low SpO2 from
an address without the token, and the officer board shows them red at once. Screenshots of the
phone's pages go to ``SHOTS`` (first open, code entry, the form)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import enrol_f0, login, phone_context, pick_option

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("RAPID_SHOTS", "/tmp/rapid-shots"))


def _fill_vitals(phone, temperature: str, spo2: str | None, pulse: str, resp_rate: str) -> None:
    """The daily report's measurements (``spo2`` None: left empty, no oximeter)."""
    phone.get_by_label("Nhiệt độ (°C)").fill(temperature)
    if spo2 is not None:
        phone.get_by_label("SpO2 (%)").fill(spo2)
    phone.get_by_label("Mạch (lần/phút)").fill(pulse)
    phone.get_by_label("Nhịp thở (lần/phút)").fill(resp_rate)


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

    # first with JavaScript on: the code, then an ordinary report (green)
    citizen, phone = phone_context(page.context.browser, True)
    phone.goto(url)
    phone.get_by_label("Mã xác nhận").fill(code)
    phone.get_by_role("button", name="Tiếp tục").click()
    phone.get_by_text("Xin chào T.D.Đ.").wait_for()
    _fill_vitals(phone, "36,8", "98", "78", "16")
    phone.get_by_role("button", name="Gửi báo cáo").click()
    phone.get_by_text("Đã nhận báo cáo").wait_for()
    phone.locator(".card.green").wait_for()
    citizen.close()

    # the citizen, on a phone, without an account, without JavaScript (a light page)
    citizen, phone = phone_context(page.context.browser, False)
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
    _fill_vitals(phone, "37,5", "91", "104", "22")
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


def test_forms_clear_after_success_and_a_double_tap_is_one_report(live_server, browser_page):
    """Issue 18 item 7: the enrolment form is empty after an enrolment; on the phone, a report
    sent with a double tap is one report, the day's count follows, and "send another report"
    opens an empty form; a person without an oximeter reports without SpO2 (yellow)."""
    page = browser_page
    enrol_f0(
        page, live_server, "048190999222", "Trình Duyệt Xóa", phone="0905999222", age=33,
        ward="Phường An Hải",
    )  # fmt: skip
    form = page.locator("[data-testid='stForm']").first
    for label in ("Số CCCD / hộ chiếu", "Họ và tên", "Số điện thoại", "Tuổi"):
        expect(form.get_by_label(label)).to_have_value("", timeout=10_000)
    url = page.get_by_text(re.compile(r"/bao-cao\?t=HI1")).first.inner_text().strip()
    said = page.get_by_text(re.compile("Đọc mã cho người cách ly")).first
    code = re.search(r"(\d{6})", said.inner_text()).group(1)

    citizen, phone = phone_context(page.context.browser, False)
    phone.goto(url)
    phone.get_by_label("Mã xác nhận").fill(code)
    phone.get_by_role("button", name="Tiếp tục").click()
    phone.get_by_text("Hôm nay bạn đã gửi 0/3 báo cáo.").wait_for()
    for name in ("spo2", "pulse", "resp_rate"):  # the phone's number keyboard
        assert phone.locator(f"#f-{name}").get_attribute("inputmode") == "numeric"
    assert phone.locator("#f-temperature").get_attribute("inputmode") == "decimal"
    _fill_vitals(phone, "36,9", "97", "82", "16")
    phone.get_by_role("button", name="Gửi báo cáo").dblclick()
    phone.get_by_text("Đã nhận báo cáo").wait_for()
    phone.get_by_text("Hôm nay bạn đã gửi 1/3 báo cáo.").wait_for()  # one report, not two
    phone.get_by_role("link", name="Gửi báo cáo khác").click()
    phone.get_by_text("Hôm nay bạn đã gửi 1/3 báo cáo.").wait_for()
    for label in ("Nhiệt độ (°C)", "SpO2 (%)", "Mạch (lần/phút)", "Nhịp thở (lần/phút)"):
        assert phone.get_by_label(label).input_value() == "", label

    # no oximeter: SpO2 left empty, the report is taken and is not green
    phone.get_by_label("Tôi không có máy đo SpO2").check()
    _fill_vitals(phone, "36,8", None, "80", "16")
    phone.get_by_role("button", name="Gửi báo cáo").click()
    phone.get_by_text("Đã nhận báo cáo").wait_for()
    phone.locator(".card.yellow").wait_for()
    phone.get_by_text("Hôm nay bạn đã gửi 2/3 báo cáo.").wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "bao-cao-5-no-oximeter.png"), full_page=True)
    citizen.close()
