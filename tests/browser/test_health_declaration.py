"""The citizens' light pages on a 390x844 phone, with JavaScript on and off: declare -> the
pass, kept on that phone -> "Tra cứu" shows it at once -> one-tap check-in from a venue's
poster link; from another phone: phone + CCCD -> a code sent by SMS to the declared number
(the file sender's outbox) -> the pass, and the check-in by link the same way; and the page
weight budget.

Set ``RAPID_SHOTS=/some/folder`` to keep a screenshot of every step there.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from tests.browser.conftest import (
    PAGE_BUDGET_BYTES,
    PAGE_BUDGET_RESPONSES,
    first_visit_weight,
    login,
    phone_context,
    running_server,
)

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("RAPID_SHOTS", "")


@pytest.fixture(scope="module")
def hd_server(tmp_path_factory: pytest.TempPathFactory):
    """A real server (small demo seeded) and its data folder, where the file sender writes
    the SMS it sends (``outbox/sms.jsonl``)."""
    data_dir = tmp_path_factory.mktemp("hd-live") / "data"
    # every phone here shares 127.0.0.1: per-client limits are for their own tests
    roomy = {"RAPID_WEB_LOOKUP_PER_MINUTE": "600", "RAPID_WEB_SUBMIT_PER_MINUTE": "600"}
    with running_server(data_dir, extra_env=roomy) as url:
        yield url, data_dir


@pytest.fixture(scope="module")
def live_server(hd_server) -> str:
    return hd_server[0]


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


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


def _code_sent_to(data_dir: Path, phone_e164: str, after: int) -> str:
    """The 6-digit code of the newest SMS to ``phone_e164`` beyond the first ``after`` lines."""
    outbox = data_dir / "outbox" / "sms.jsonl"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if outbox.is_file():
            lines = outbox.read_text(encoding="utf-8").splitlines()[after:]
            mine = [json.loads(x) for x in lines if x and json.loads(x)["to"] == phone_e164]
            if mine:
                return re.search(r"\b(\d{6})\b", mine[-1]["text"]).group(1)
        time.sleep(0.2)
    raise AssertionError(f"no SMS to {phone_e164}")


def _sent_so_far(data_dir: Path) -> int:
    outbox = data_dir / "outbox" / "sms.jsonl"
    return len(outbox.read_text(encoding="utf-8").splitlines()) if outbox.is_file() else 0


def _fill_lookup(page, phone: str, person: str) -> None:
    page.get_by_label("Số điện thoại").fill(phone)
    page.get_by_label("Số CCCD / hộ chiếu").fill(person)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_declare_pass_look_up_check_in(hd_server, browser, js):
    live_server, data_dir = hd_server
    tag = "js" if js else "nojs"
    venue = _venue_link(browser, live_server)
    context, page = phone_context(browser, js)
    person = "048190777888" if js else "048190777889"
    phone = "0935 777 888" if js else "0935 777 889"
    e164 = "+8493577788" + ("8" if js else "9")
    page.goto(f"{live_server}/khai-bao")
    page.get_by_role("heading", name="Khai báo y tế").wait_for()
    page.get_by_label("Họ và tên").fill("Nguyen2")  # refused: beside its field
    page.get_by_label("Số điện thoại").fill(phone)
    page.get_by_role("button", name="Gửi tờ khai").click()
    page.locator("#e-full_name").wait_for()
    assert page.get_by_label("Số điện thoại").input_value() == phone  # kept
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
    assert page.locator(".card img.qr").count() == 1
    _shot(page, f"{tag}-1-pass")

    page.goto(f"{live_server}/tra-cuu")  # the phone that declared: the pass at once
    page.get_by_role("heading", name="Thẻ của bạn").wait_for()
    page.get_by_text("Lê Thị Trình Duyệt").first.wait_for()
    assert page.locator(".card img.qr").count() == 1
    _shot(page, f"{tag}-2-lookup-with-cookie")

    page.goto(venue)  # one tap
    _shot(page, f"{tag}-3-checkin-one-tap")
    page.get_by_role("button", name="Check-in: Lê Thị Trình Duyệt").click()
    page.get_by_text("Đã check-in: Lê Thị Trình Duyệt").wait_for()
    _shot(page, f"{tag}-4-checked-in")

    page.goto(f"{live_server}/check-in?v=HV1:forged")
    page.get_by_text("không hợp lệ").wait_for()
    context.close()

    # another phone: the numbers alone show nothing; the code sent to the declared phone does
    other, page = phone_context(browser, js)
    page.goto(f"{live_server}/tra-cuu")
    page.get_by_role("heading", name="Tra cứu thẻ y tế").wait_for()
    _shot(page, f"{tag}-5-lookup-without-cookie")
    before = _sent_so_far(data_dir)
    _fill_lookup(page, phone.replace(" ", ""), person)
    page.get_by_role("button", name="Gửi mã xác nhận").click()
    page.get_by_text("Nếu thông tin khớp, mã đã được gửi").wait_for()
    assert page.get_by_text("Lê Thị Trình Duyệt").count() == 0
    _shot(page, f"{tag}-6-code")
    page.get_by_label("Mã xác nhận").fill("000000" if js else "999999")  # wrong first
    page.get_by_role("button", name="Xác nhận").click()
    page.locator("#e-code").wait_for()
    _shot(page, f"{tag}-7-code-wrong")
    page.get_by_label("Mã xác nhận").fill(_code_sent_to(data_dir, e164, before))
    page.get_by_role("button", name="Xác nhận").click()
    page.get_by_role("heading", name="Thẻ của bạn").wait_for()
    page.get_by_text("Lê Thị Trình Duyệt").first.wait_for()
    _shot(page, f"{tag}-8-unlocked")
    other.close()

    # a third phone checks in from the poster with a code
    third, page = phone_context(browser, js)
    page.goto(venue)
    assert page.get_by_role("button", name=re.compile("^Check-in:")).count() == 0
    _shot(page, f"{tag}-9-checkin-without-cookie")
    before = _sent_so_far(data_dir)
    _fill_lookup(page, phone, person)
    page.get_by_role("button", name="Gửi mã xác nhận").click()
    page.get_by_label("Mã xác nhận").fill(_code_sent_to(data_dir, e164, before))
    page.get_by_role("button", name="Xác nhận").click()
    page.get_by_text("Đã check-in: Lê Thị Trình Duyệt").wait_for()
    page.goto(venue)  # one tap from now on
    page.get_by_role("button", name="Check-in: Lê Thị Trình Duyệt").wait_for()
    _shot(page, f"{tag}-10-checkin-held")
    third.close()

    # someone at the door who has not declared: declare from the poster, then one tap
    fourth, page = phone_context(browser, js)
    page.goto(venue)
    page.get_by_role("link", name="Khai báo y tế rồi check-in").click()
    page.get_by_label("Họ và tên").fill("Trần Văn Cửa")
    page.get_by_label("Năm sinh").fill("1990")
    page.get_by_label("Nam", exact=True).check()
    page.get_by_label("Số CCCD / hộ chiếu").fill("048090555" + ("111" if js else "222"))
    page.get_by_label("Số điện thoại").fill("0935 555 11" + ("1" if js else "2"))
    page.get_by_label("Phường/xã").select_option(label="Phường Hải Châu")
    page.get_by_label("Số nhà, đường").fill("7 Trần Phú")
    page.get_by_label("Tôi cam kết thông tin khai là đúng sự thật", exact=False).check()
    page.get_by_role("button", name="Gửi tờ khai").click()
    page.get_by_text("Đã nhận tờ khai").wait_for()
    _shot(page, f"{tag}-11-declared-at-the-door")
    page.get_by_role("button", name=re.compile("^Check-in tại ")).click()
    page.get_by_text("Đã check-in: Trần Văn Cửa").wait_for()
    fourth.close()


def test_skip_logic_and_wards_as_you_type(live_server, browser):
    context, page = phone_context(browser, True)
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
    size, responses = first_visit_weight(browser, f"{live_server}/khai-bao")
    assert size <= PAGE_BUDGET_BYTES and responses <= PAGE_BUDGET_RESPONSES


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_foreign_visitor_declares_with_a_passport_and_a_foreign_number(live_server, browser, js):
    """Issue 18 item 6: a passport and a phone number in international form (+1 ..., +44 ...)
    are accepted on the phone; a foreign number without its country code is refused beside
    its field."""
    context, page = phone_context(browser, js)
    page.goto(f"{live_server}/khai-bao?lang=en")
    page.get_by_role("heading", name="Health declaration").wait_for()
    page.get_by_label("Full name").fill("Emily Clarke" if js else "James Clarke")
    page.get_by_label("Year of birth").fill("1987")
    page.get_by_label("Female" if js else "Male", exact=True).check()
    page.get_by_label("Nationality").select_option("GB" if js else "US")
    page.get_by_label("Passport", exact=True).check()
    page.get_by_label("CCCD / passport number").fill("C0300598" + ("1" if js else "2"))
    page.get_by_label("Phone number").fill("20 7946 0958")  # no country code: refused
    page.get_by_label("Ward/commune").select_option(label="Phường Hải Châu")
    page.get_by_label("House number, street").fill("1 Bạch Đằng")
    page.get_by_label("I confirm", exact=False).check()
    page.get_by_role("button", name="Submit declaration").click()
    page.locator("#e-phone").wait_for()
    page.get_by_label("Phone number").fill("+44 20 7946 0958" if js else "+1 202 555 0143")
    page.get_by_role("button", name="Submit declaration").click()
    page.get_by_text(re.compile("Health pass: Green")).wait_for()
    page.get_by_text("Emily Clarke" if js else "James Clarke").first.wait_for()
    assert page.locator(".card img.qr").count() == 1
    _shot(page, f"{'js' if js else 'nojs'}-12-foreign-visitor")
    context.close()


def test_the_phone_menu_closes_after_a_tap_and_check_in_from_it_explains(live_server, browser):
    """Issue 18 item 9: the light pages' phone menu closes after a tap; the check-in page opened
    from it says to scan the venue's poster (not that a code was forged)."""
    context, page = phone_context(browser, True)
    page.goto(f"{live_server}/khai-bao")
    menu = page.locator("details.menu")
    menu.locator("summary").click()
    menu.get_by_role("link", name="Check-in địa điểm").click()
    page.get_by_text("Quét mã QR bằng camera điện thoại để check-in.").wait_for()
    assert page.get_by_text("không hợp lệ").count() == 0
    assert page.evaluate("document.querySelector('details.menu').open") is False
    page.locator("details.menu summary").click()
    page.locator("details.menu").get_by_role("link", name="Tra cứu thẻ y tế").click()
    page.get_by_role("heading", name="Tra cứu thẻ y tế").wait_for()
    page.go_back()
    page.get_by_text("Quét mã QR bằng camera điện thoại để check-in.").wait_for()
    assert page.evaluate("document.querySelector('details.menu').open") is False
    context.close()
