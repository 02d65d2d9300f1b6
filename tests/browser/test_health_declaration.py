"""The citizens' light pages on a 390x844 phone, with JavaScript on and off: declare -> pass
-> look it up -> check in at a venue from its poster link; and the page weight budget."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
BUDGET_BYTES = 60_000
BUDGET_RESPONSES = 10


def _phone(browser, js: bool):
    context = browser.new_context(viewport=PHONE, java_script_enabled=js, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def _venue_link(browser, live_server: str) -> str:
    """A venue's poster link, as a health officer sees it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    login(page, live_server, "officer")
    page.get_by_role("link", name="Địa điểm check-in").click()
    link = page.get_by_text(re.compile(r"/check-in\?v=HV1%3A")).first
    link.wait_for()
    url = link.inner_text().strip()
    context.close()
    assert url.startswith(live_server)
    return url


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_declare_pass_look_up_check_in(live_server, browser, js):
    venue = _venue_link(browser, live_server)
    context, page = _phone(browser, js)
    person = "048190777888" if js else "048190777889"
    page.goto(f"{live_server}/khai-bao")
    page.get_by_role("heading", name="Khai báo y tế").wait_for()
    page.get_by_label("Họ và tên").fill("Nguyen2")  # refused: beside its field
    page.get_by_label("Số điện thoại").fill("0935 777 888")
    page.get_by_role("button", name="Gửi tờ khai").click()
    page.locator("#e-full_name").wait_for()
    assert page.get_by_label("Số điện thoại").input_value() == "0935 777 888"  # kept
    page.get_by_label("Họ và tên").fill("Lê Thị Trình Duyệt")
    page.get_by_label("Năm sinh").fill("1990")
    page.get_by_label("Nữ").check()
    page.get_by_label("Số CCCD / hộ chiếu").fill(person)
    page.get_by_label("Phường/xã").select_option(label="Phường Hải Châu")
    page.get_by_label("Số nhà, đường").fill("5 Hùng Vương")
    page.get_by_label("Tôi cam kết thông tin khai là đúng sự thật", exact=False).check()
    page.get_by_role("button", name="Gửi tờ khai").click()
    page.get_by_text("Đã nhận tờ khai").wait_for()
    page.get_by_text(re.compile("Thẻ y tế: Xanh")).wait_for()
    assert page.locator(".card svg").count() == 1

    page.goto(f"{live_server}/tra-cuu")
    page.get_by_label("Số điện thoại").fill("0935777888")
    page.get_by_label("Số CCCD / hộ chiếu").fill(person)
    page.get_by_role("button", name="Tra cứu").click()
    page.get_by_text("Lê Thị Trình Duyệt").wait_for()

    page.goto(venue)  # the phone that declared checks in with one tap
    page.get_by_role("button", name="Check-in bằng thẻ y tế trên điện thoại này").click()
    page.get_by_text("Đã check-in: Lê Thị Trình Duyệt").wait_for()

    page.goto(f"{live_server}/check-in?v=HV1:forged")
    page.get_by_text("không hợp lệ").wait_for()
    context.close()


def test_skip_logic_and_wards_as_you_type(live_server, browser):
    context, page = _phone(browser, True)
    page.goto(f"{live_server}/khai-bao")
    wards = page.get_by_label("Phường/xã")
    assert "Phường Hải Châu" in wards.inner_text()
    page.get_by_label("Tỉnh/thành phố").select_option(label="Thành phố Hà Nội")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#f-ward_code option')].some(o => o.text === 'Phường Ba Đình')"
    )
    context.close()


def test_first_visit_is_light(live_server, browser):
    """The declaration page on a phone: at most 60 KB in at most 10 responses."""
    context, page = _phone(browser, True)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    seen = {"bytes": 0, "responses": 0}

    def done(event):
        seen["bytes"] += event.get("encodedDataLength", 0)
        seen["responses"] += 1

    cdp.on("Network.loadingFinished", done)
    page.goto(f"{live_server}/khai-bao")
    page.wait_for_load_state("networkidle")
    print(f"first visit: {seen['bytes']:,} bytes in {seen['responses']} responses")
    assert seen["bytes"] <= BUDGET_BYTES and seen["responses"] <= BUDGET_RESPONSES
    context.close()
