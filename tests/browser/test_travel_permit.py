"""Travel permits in a real browser: a business registers (pending); an approver verifies it
and approves a pending request; a verified demo business downloads its A4 PDF, opens a
permit's phone link (VALID), revokes it, and the link says REVOKED. A business uploads a
roster CSV with one bad row, imports the good rows and requests a permit for one of them."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import login, logout, phone_context, pick_option

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("RAPID_SHOTS", "/tmp/rapid-shots"))


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
    box = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first
    pick_option(page, box, re.compile("Trình Duyệt"))
    page.get_by_role("button", name="Xác minh", exact=True).click()
    page.get_by_text("Đã cập nhật tài khoản Công ty TNHH Trình Duyệt").wait_for()
    page.get_by_role("link", name="Hàng chờ duyệt").first.click()
    page.get_by_role("heading", name="Hàng chờ duyệt").first.wait_for()
    # beside the request: the roster's history and the base its quota counts (item 15)
    page.get_by_text("Lịch sử danh sách nhân viên").first.click()
    page.get_by_text(re.compile("Hạn mức tính trên \\d+ người")).first.wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    history = page.get_by_test_id("stExpander").first
    history.get_by_test_id("stDataFrame").first.wait_for()
    history.scroll_into_view_if_needed()
    history.screenshot(path=str(SHOTS / "approver-roster-history.png"))
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
    assert href and "/giay?t=TP1" in href

    phone = page.context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(href)
    phone.get_by_text("HỢP LỆ", exact=False).first.wait_for()
    assert "KHÔNG HỢP LỆ" not in phone.content()
    bare, plain = phone_context(page.context.browser, False)  # the same view, JavaScript off
    plain.goto(href)
    plain.get_by_text("HỢP LỆ", exact=False).first.wait_for()
    assert "KHÔNG HỢP LỆ" not in plain.content()

    page.get_by_label("Lý do thu hồi (bắt buộc)").fill("Nhân viên đã nghỉ việc")
    page.get_by_role("button", name="Thu hồi").click()
    page.get_by_text(re.compile("Đã thu hồi giấy")).wait_for()

    phone.goto(href)
    phone.get_by_text(re.compile(r"KHÔNG HỢP LỆ: Đã bị thu hồi \(REVOKED\)")).wait_for()
    plain.goto(href)
    plain.get_by_text(re.compile(r"KHÔNG HỢP LỆ: Đã bị thu hồi \(REVOKED\)")).wait_for()
    bare.close()


ROSTER_CSV = (
    "Họ và tên,Số CCCD,Số điện thoại,Phường/xã nơi ở,Phường/xã nơi làm việc,Biển số xe,Chức vụ\n"
    "Trần Thị Bích Ngọc,048195007772,0905111222,Hải Châu,Sơn Trà,,Kế toán\n"
    "Phạm Đức Thắng,048090007771,0935333444,Sơn Trà,Hải Châu,43A-555.66,Lái xe\n"
    "Người Thiếu Số,12345,0905000000,Hải Châu,Hải Châu,,\n"
)


def test_business_uploads_a_roster_and_requests_permits(live_server, browser_page, tmp_path):
    page = browser_page
    login(page, live_server, "dn_business1")
    page.get_by_role("link", name="Danh sách nhân viên").first.click()
    page.get_by_role("heading", name="Danh sách nhân viên").first.wait_for()
    upload = tmp_path / "danh_sach.csv"
    upload.write_bytes(b"\xef\xbb\xbf" + ROSTER_CSV.encode())
    page.locator("input[type=file]").first.set_input_files(str(upload))
    page.get_by_text("2 dòng hợp lệ, 1 dòng có lỗi, trên tổng 3 dòng.").wait_for()
    page.get_by_role("button", name="Nhập 2 dòng hợp lệ").click()
    page.get_by_text("Đã nhập: 2 người mới, 0 người cập nhật").wait_for()

    page.get_by_role("link", name="Xin cấp giấy đi đường").first.click()
    page.get_by_role("heading", name="Xin cấp giấy đi đường").first.wait_for()
    page.get_by_label("Chọn nhân viên cần giấy").click()
    page.keyboard.type("Trần Thị Bích Ngọc")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_label("Mục đích đi lại").fill("Trực kế toán cuối tháng")
    page.get_by_role("button", name="Gửi yêu cầu").click()
    page.get_by_text(re.compile(r"Đã gửi yêu cầu \S+")).wait_for()


ONE_MORE_CSV = (
    "Họ và tên,Số CCCD,Số điện thoại,Phường/xã nơi ở,Phường/xã nơi làm việc,Biển số xe,Chức vụ\n"
    "Võ Thị Hai Lần,048195008883,0905888333,Hải Châu,Hải Châu,,Thủ kho\n"
)


def _busy(page) -> int:
    """The people holding or awaiting permits, from the request page's quota banner."""
    banner = page.get_by_text(re.compile(r"Hạn mức: \d+/\d+ người")).first
    banner.wait_for()
    return int(re.search(r"Hạn mức: (\d+)/", banner.inner_text()).group(1))


def test_request_form_clears_and_a_double_click_is_one_request(live_server, browser_page, tmp_path):
    """Issue 18 item 7: after a request the form is empty and the quota banner counts the new
    person; a double click on "send" sends one request (no refusal of a second one)."""
    page = browser_page
    login(page, live_server, "dn_business1")
    page.get_by_role("link", name="Danh sách nhân viên").first.click()
    page.get_by_role("heading", name="Danh sách nhân viên").first.wait_for()
    upload = tmp_path / "mot_nguoi.csv"
    upload.write_bytes(b"\xef\xbb\xbf" + ONE_MORE_CSV.encode())
    page.locator("input[type=file]").first.set_input_files(str(upload))
    page.get_by_role("button", name="Nhập 1 dòng hợp lệ").click()
    page.get_by_text(re.compile(r"Đã nhập: \d+ người mới")).wait_for()

    page.get_by_role("link", name="Xin cấp giấy đi đường").first.click()
    page.get_by_role("heading", name="Xin cấp giấy đi đường").first.wait_for()
    before = _busy(page)
    page.get_by_label("Chọn nhân viên cần giấy").click()
    page.keyboard.type("Võ Thị Hai Lần")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    purpose = page.get_by_label("Mục đích đi lại")
    purpose.fill("Nhận hàng tại kho")
    page.get_by_role("button", name="Gửi yêu cầu").dblclick()
    page.get_by_text(re.compile(r"Đã gửi yêu cầu \S+")).wait_for()
    page.wait_for_timeout(1500)  # a second delivery, if any, has come back by now
    assert page.get_by_test_id("stAlertContentError").count() == 0
    assert page.get_by_text(re.compile(r"Đã gửi yêu cầu \S+")).count() == 1
    assert _busy(page) == before + 1  # the banner counts the new request's person
    assert page.get_by_label("Mục đích đi lại").input_value() == ""  # the form is cleared
    chosen = page.get_by_test_id("stMultiSelect").first
    assert "Võ Thị Hai Lần" not in chosen.inner_text()


def test_the_approvers_bulk_queue_fits_1280_px(live_server, browser_page):
    """Issue 18 item 8: the bulk queue's table fits a 1280 px screen (no sideways scrolling)
    and "apply" with nothing ticked says so."""
    page = browser_page
    login(page, live_server, "approver")
    page.get_by_role("link", name="Hàng chờ duyệt").first.click()
    page.get_by_role("heading", name="Hàng chờ duyệt").first.wait_for()
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for()
    page.wait_for_timeout(500)  # the grid paints its canvas
    scroller = grid.locator(".dvn-scroller").first
    sizes = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert sizes[0] <= sizes[1] + 1, sizes  # every column on screen
    SHOTS.mkdir(parents=True, exist_ok=True)
    grid.screenshot(path=str(SHOTS / "approver-bulk-queue.png"))
    radio = page.get_by_test_id("stRadio").first  # the bulk decision
    radio.get_by_text("Duyệt tất cả", exact=True).click()
    page.get_by_role("button", name=re.compile(r"Áp dụng cho 0 yêu cầu")).click()
    page.get_by_text(re.compile("Chưa chọn yêu cầu nào")).wait_for()
