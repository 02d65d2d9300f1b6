"""Declare on a phone-sized window -> pass -> check in through a venue's poster link."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_declare_pass_checkin(live_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/health_declaration-declare")
    page.get_by_role("heading", name="Khai báo y tế").first.wait_for()
    page.get_by_label("Họ và tên").fill("Lê Thị Trình Duyệt")
    page.get_by_label("Năm sinh").fill("1990")
    page.get_by_label("Số CCCD / hộ chiếu").fill("048190777888")
    page.get_by_label("Số điện thoại").fill("0935 777 888")
    page.get_by_label("Số nhà, đường").fill("5 Hùng Vương")
    page.get_by_text("Tôi cam kết thông tin khai là đúng sự thật").click()
    page.get_by_role("button", name="Gửi tờ khai").click()
    page.get_by_text("Đã nhận tờ khai").wait_for()
    page.get_by_text(re.compile("Thẻ y tế: Xanh")).wait_for()
    page.get_by_role("img").last.wait_for()

    # a venue's poster link (as printed on its poster), read by a health officer
    # (a reload starts a new Streamlit session, so navigate by the sidebar after logging in)
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "officer")
    page.get_by_role("link", name="Địa điểm check-in").click()
    link = page.get_by_text(re.compile(r"/health_declaration-checkin\?v=HV1%3A")).first
    link.wait_for()
    url = link.inner_text().strip()
    assert url.startswith(live_server)

    page.goto(url)
    page.get_by_role("button", name="Check-in").wait_for()
    page.get_by_label("Số điện thoại").fill("0935777888")
    page.get_by_label("Số CCCD / hộ chiếu").fill("048190777888")
    page.get_by_role("button", name="Check-in").click()
    page.get_by_text("Đã check-in: Lê Thị Trình Duyệt").wait_for()

    page.goto(f"{live_server}/health_declaration-checkin?v=HV1:forged")
    page.get_by_text("không hợp lệ").wait_for()
