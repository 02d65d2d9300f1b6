"""Travel permits in a real browser: a business registers (pending); an approver verifies it
and approves a pending request; a verified demo business downloads its A4 PDF, opens a
permit's phone link (VALID), revokes it, and the link says REVOKED. Roster upload and the
request form are covered by the AppTests and service tests."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import login, logout

pytestmark = pytest.mark.browser


def test_register_download_verify_revoke(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server}/travel_permit-register")
    page.get_by_role("heading", name="Đăng ký doanh nghiệp").first.wait_for()
    page.get_by_label("Tên doanh nghiệp").fill("Công ty TNHH Trình Duyệt")
    page.get_by_label("Mã số thuế").fill("0100109106")
    page.get_by_label("Địa chỉ (số nhà, đường)").fill("1 Trần Phú")
    page.get_by_label("Người liên hệ").fill("Lê Văn Duyệt")
    page.get_by_label("Số điện thoại").fill("0905 123 456")
    page.get_by_label("Tên đăng nhập").fill("trinhduyet")
    page.get_by_label("Mật khẩu").fill("DaNangXanh2021")
    page.get_by_role("button", name="Đăng ký").click()
    page.get_by_text(re.compile("đang chờ xác minh")).wait_for()

    # an approver verifies the new business and approves the oldest pending request
    login(page, live_server, "approver")
    page.get_by_role("link", name="Xác minh doanh nghiệp").first.click()
    page.get_by_role("heading", name="Xác minh doanh nghiệp").first.wait_for()
    page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name=re.compile("Trình Duyệt")).click()
    page.get_by_role("button", name="Xác minh", exact=True).click()
    page.get_by_text("Đã cập nhật tài khoản Công ty TNHH Trình Duyệt").wait_for()
    page.get_by_role("link", name="Hàng chờ duyệt").first.click()
    page.get_by_role("heading", name="Hàng chờ duyệt").first.wait_for()
    page.get_by_role("button", name="Duyệt tất cả").click()
    page.get_by_text(re.compile("người được cấp giấy")).wait_for()

    logout(page)
    login(page, live_server, "dn_business1")
    page.get_by_role("link", name="Giấy đi đường đã cấp").first.click()
    page.get_by_role("heading", name="Giấy đi đường đã cấp").first.wait_for()
    with page.expect_download() as info:
        page.get_by_role("button", name="Tải bản in A4 (PDF)").click()
    pdf = info.value
    assert pdf.suggested_filename.endswith(".pdf")
    with open(pdf.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    link = page.get_by_role("link", name="Liên kết xem trên điện thoại")
    href = link.get_attribute("href")
    assert href and "/travel_permit-view?t=TP1" in href

    phone = page.context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(href)
    phone.get_by_text("HỢP LỆ", exact=False).first.wait_for()
    assert "KHÔNG HỢP LỆ" not in phone.content()

    page.get_by_label("Giải thích (bắt buộc khi từ chối)").fill("Nhân viên đã nghỉ việc")
    page.get_by_role("button", name="Thu hồi").click()
    page.get_by_text(re.compile("Đã thu hồi giấy")).wait_for()

    phone.goto(href)
    phone.get_by_text(re.compile("KHÔNG HỢP LỆ: REVOKED")).wait_for()
