"""The three example apps that are only a definition workbook, in a real browser against the real
server (the small demo installs them): from a submission to the checkpoint scanner's verdict,
VALID at the right place, INVALID with the declared reason at a wrong place or day. Citizens'
forms are light pages (``/a/<app_id>``) on a 390x844 phone, with JavaScript on (vaccination)
and off (relief aid); staff pages are Streamlit. Also: the admin page's upload (problems with
their place, the preview, activation, versions, deactivation) and the public form's weight.

Codes reach the scanner as photos uploaded on its page ("Hoặc tải ảnh lên"), each scan a new
image (the scanner gives one verdict per snapshot)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from core import clock
from tests.browser.conftest import (
    PAGE_BUDGET_BYTES,
    PAGE_BUDGET_RESPONSES,
    first_visit_weight,
    login,
    logout,
    phone_context,
    pick_option,
)

pytestmark = pytest.mark.browser

VERDICT = {"VALID": "HỢP LỆ", "INVALID": "KHÔNG HỢP LỆ", "WARN": "CẢNH BÁO"}


def _png_on_page(page) -> bytes:
    """The PNG a light page offers to download (a data: link)."""
    import base64

    href = page.locator("a[download]").first.get_attribute("href")
    assert href and href.startswith("data:image/png;base64,"), href
    return base64.b64decode(href.split(",", 1)[1])


def _ref_on_page(page) -> str:
    text = page.locator("p.ref strong").first.inner_text()
    assert re.fullmatch(r"[A-Z0-9]{10}", text), text
    return text


def _images(png: bytes, tmp_path: Path, name: str) -> list[Path]:
    """The code of a downloaded PNG drawn again at a few sizes: one new image per scan."""
    import io

    import zxingcpp
    from PIL import Image

    from core.qr import render

    found = next(
        r
        for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
        if r.format == zxingcpp.BarcodeFormat.QRCode
    )
    out = []
    for i, scale in enumerate((6, 7, 8)):
        path = tmp_path / f"{name}-{i}.png"
        path.write_bytes(render.png_bytes(found.text, scale=scale))
        out.append(path)
    return out


def _download_png(page) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name="Tải mã QR (PNG)").click()
    return Path(info.value.path()).read_bytes()


def _fill(page, label: str, value: str, *, exact: bool = False) -> None:
    """Type into a text input and commit it (Tab); again if a rerun of the live form that
    was under way when typing began wiped it."""
    box = page.get_by_label(label, exact=exact).first
    for _ in range(3):
        box.fill(value)
        box.press("Tab")
        try:
            expect(box).to_have_value(value, timeout=3000)
            page.wait_for_timeout(200)
            if box.input_value() == value:
                return
        except AssertionError:
            continue
    expect(box).to_have_value(value)


def _choose(page, label: str, option: str | re.Pattern, *, single: bool = True) -> None:
    """A Streamlit selectbox/multiselect found by its label: open it, pick the option."""
    box = page.get_by_label(label).first
    shows = option if isinstance(option, str) and single else None  # (the live form reruns)
    pick_option(page, box, option, shows=shows)
    page.wait_for_timeout(300)


def _scan(page, base_url: str, image: Path, checkpoint: str) -> str:
    """Scan ``image`` at ``checkpoint`` on the scanner page; returns the new verdict card's
    text (the previous scan's card stays on the page until the new one replaces it)."""
    page.get_by_role("link", name="Quét mã QR").first.click()
    page.get_by_text("Chọn chốt đang đứng").or_(page.get_by_test_id("cp-verdict")).first.wait_for()
    cards = page.get_by_test_id("cp-verdict")
    before = cards.first.inner_text() if cards.count() else ""
    box = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first
    pick_option(page, box, re.compile(re.escape(f"({checkpoint})")))
    page.wait_for_timeout(500)
    page.locator("input[type=file]").last.set_input_files(str(image))
    for _ in range(120):
        if cards.count() and cards.first.inner_text() != before:
            page.wait_for_timeout(300)
            return cards.first.inner_text()
        page.wait_for_timeout(250)
    page.screenshot(
        path=str(Path(tempfile.gettempdir()) / f"definition-scan-{checkpoint}.png"), full_page=True
    )
    raise AssertionError(f"no new verdict at {checkpoint} (screenshot definition-scan-*.png)")


def _approve(page) -> None:
    """Approve the open submission; click again if a rerun swallowed the click."""
    done = page.get_by_text(re.compile(r"Hồ sơ \d+: Đã duyệt"))
    for _ in range(3):
        page.get_by_role("button", name="Duyệt", exact=True).click()
        try:
            done.first.wait_for(timeout=10_000)
            return
        except Exception:  # noqa: BLE001 - a swallowed click: try once more
            if done.count():
                return
    done.first.wait_for()


def _saved(page, previous: str | None = None) -> str:
    """Wait for the message of a saved submission (another one than ``previous``)."""
    saved = re.compile(r"Đã lưu hồ sơ số (\d+) .*Mã QR đã được cấp")
    for _ in range(120):
        found = page.get_by_text(saved)
        if found.count():
            text = found.first.inner_text()
            if text != previous:
                _emptied(page)
                return text
        page.wait_for_timeout(250)
    page.screenshot(
        path=str(Path(tempfile.gettempdir()) / "definition-app-failure.png"), full_page=True
    )
    raise AssertionError("the submission was not saved (screenshot: definition-app-failure.png)")


def _emptied(page) -> None:
    """Wait until the form is drawn once more, empty (during a rerun Streamlit may show the
    stale form beside the new one for a moment)."""
    field = page.get_by_label("Chủ hộ *", exact=True)
    for _ in range(80):
        try:
            if field.count() == 1 and field.input_value(timeout=1000) == "":
                return
        except PlaywrightError:  # the stale copy came back between the two reads: look again
            pass
        page.wait_for_timeout(250)
    expect(field).to_have_count(1)
    expect(field).to_have_value("")


def _open_newest(page, name: str) -> None:
    """In the review queue (oldest first), open the newest submission and see ``name``."""
    pick_option(page, page.get_by_label("Chọn hồ sơ"), re.compile(name))
    page.get_by_test_id("stMain").get_by_text(f"Họ và tên: {name}").or_(
        page.get_by_test_id("stMain").get_by_text(f"Chủ hộ: {name}")
    ).first.wait_for()


def test_market_voucher_from_registration_to_the_market_gate(live_server, browser_page, tmp_path):
    page = browser_page
    parity = clock.now().astimezone(clock.LOCAL_TZ).day % 2  # today's: 1 odd, 0 even
    login(page, live_server, "phuong")
    page.get_by_role("link", name="Phiếu đi chợ").first.click()
    page.get_by_role("heading", name="Phiếu đi chợ").first.wait_for()
    _fill(page, "Chủ hộ *", "Hoàng Thị Lan", exact=True)
    _fill(page, "Số hộ (theo sổ của phường)", str(500 + parity))  # today's parity
    _fill(page, "Số người trong hộ", "4")
    _fill(page, "Địa chỉ (số nhà, đường)", "7 Trần Phú")
    _choose(page, "Phường/xã", "Phường Hải Châu")
    page.get_by_text("Chợ Cồn", exact=True).click()
    page.get_by_role("button", name="Gửi").click()
    first = _saved(page)
    good = _images(_download_png(page), tmp_path, "good")
    # a second household whose number has the other parity, in the emptied form
    _emptied(page)
    _fill(page, "Chủ hộ *", "Đỗ Văn Bình", exact=True)
    _fill(page, "Số hộ (theo sổ của phường)", str(601 - parity))
    _fill(page, "Số người trong hộ", "2")
    _fill(page, "Địa chỉ (số nhà, đường)", "9 Trần Phú")
    _choose(page, "Phường/xã", "Phường Hải Châu")
    page.get_by_text("Chợ Cồn", exact=True).click()
    page.get_by_role("button", name="Gửi").click()
    _saved(page, first)
    other_day = _images(_download_png(page), tmp_path, "day")
    logout(page)

    login(page, live_server, "checkpoint")
    card = _scan(page, live_server, good[0], "cho-con")
    assert card.startswith(VERDICT["VALID"]) and "Hoàng Thị Lan" in card, card
    card = _scan(page, live_server, good[1], "cho-han")
    assert card.startswith(VERDICT["INVALID"]) and "Không phải chợ được phân cho hộ" in card, card
    card = _scan(page, live_server, other_day[0], "cho-con")
    assert card.startswith(VERDICT["INVALID"]) and "Hôm nay không phải ngày đi chợ" in card, card


def _approve_newest(page, live_server: str, user: str, name: str) -> None:
    login(page, live_server, user)
    page.get_by_role("link", name="Duyệt hồ sơ").first.click()
    page.get_by_role("heading", name=re.compile("Duyệt hồ sơ")).first.wait_for()
    _open_newest(page, name)
    _approve(page)
    logout(page)


def test_vaccination_from_registration_to_the_site(live_server, browser, browser_page, tmp_path):
    """A citizen's phone with JavaScript on: the old Streamlit link leads to the light form."""
    context, phone = phone_context(browser, True)
    phone.goto(f"{live_server}/tiem_chung-submit")  # an old link: redirected
    phone.get_by_role("heading", name="Đăng ký tiêm chủng COVID-19").wait_for()
    assert phone.url.endswith("/a/tiem_chung")
    phone.get_by_label("Họ và tên").fill("Phan Thị Thu Hà")
    phone.get_by_label("Số CCCD").fill("048160000777")
    phone.get_by_label("Năm sinh").fill("1960")
    phone.get_by_label("Số điện thoại").fill("0905 765 432")
    phone.get_by_label("Nhóm ưu tiên").select_option("elderly")
    phone.get_by_label("Phường/xã").select_option(label="Phường An Hải")
    phone.get_by_label("Trung tâm Y tế Hải Châu").check()
    phone.get_by_label("Ngày tiêm mong muốn").fill(clock.today_local().isoformat())
    phone.get_by_label(re.compile("Tôi đồng ý tiêm")).check()
    phone.get_by_role("button", name="Gửi").click()
    phone.get_by_role("heading", name="Đã gửi").wait_for()
    ref = _ref_on_page(phone)

    _approve_newest(browser_page, live_server, "tiemchung", "Phan Thị Thu Hà")

    phone.goto(f"{live_server}/tiem_chung-status?ref={ref}")  # an old link: redirected
    phone.get_by_text(re.compile("Mã QR của bạn")).wait_for()
    assert "/a/tiem_chung/tra-cuu" in phone.url
    images = _images(_png_on_page(phone), tmp_path, "vx")
    context.close()
    page = browser_page
    login(page, live_server, "checkpoint")
    hour = clock.now().astimezone(clock.LOCAL_TZ).hour
    card = _scan(page, live_server, images[0], "vx-hai-chau")
    expected = "VALID" if 7 <= hour < 17 else "WARN"  # the hours rule is a warning
    assert card.startswith(VERDICT[expected]) and "Phan Thị Thu Hà" in card, card
    card = _scan(page, live_server, images[1], "vx-son-tra")
    assert card.startswith(VERDICT["INVALID"]) and "Sai điểm tiêm đã hẹn" in card, card


def test_relief_aid_from_request_to_the_distribution_point_once(
    live_server, browser, browser_page, tmp_path
):
    """A citizen's phone with JavaScript off: errors beside their fields with the answers
    kept, the reference, the look-up form, the QR."""
    context, phone = phone_context(browser, False)
    phone.goto(f"{live_server}/a/ho_tro_cuu_tro")
    phone.get_by_role("heading", name="Đề nghị hỗ trợ cứu trợ").wait_for()
    phone.locator("#f-head").fill("Vũ Văn Toàn")  # "Chủ hộ" (also in the CCCD's label)
    phone.get_by_label("Số CCCD của chủ hộ").fill("12345")
    phone.get_by_label("Số điện thoại").fill("0935 246 810")
    phone.get_by_label("Số người trong hộ").fill("5")
    phone.get_by_label("Phường/xã").select_option(label="Phường An Hải")
    phone.get_by_label("Địa chỉ (số nhà, đường)").fill("3 Ngô Quyền")
    phone.get_by_label("Gạo").check()
    phone.get_by_label("Nhà văn hóa An Hải").check()
    phone.get_by_role("button", name="Gửi").click()
    phone.locator("#e-cccd").wait_for()  # beside the field
    assert phone.locator("#f-head").input_value() == "Vũ Văn Toàn"  # kept
    assert phone.get_by_label("Gạo").is_checked()
    phone.get_by_label("Số CCCD của chủ hộ").fill("048075000888")
    phone.get_by_role("button", name="Gửi").click()
    phone.get_by_role("heading", name="Đã gửi").wait_for()
    ref = _ref_on_page(phone)

    _approve_newest(browser_page, live_server, "cuutro", "Vũ Văn Toàn")

    phone.goto(f"{live_server}/a/ho_tro_cuu_tro/tra-cuu")
    phone.get_by_label("Mã tra cứu").fill(ref)
    phone.get_by_role("button", name="Tra cứu").click()
    phone.get_by_text(re.compile("Mã QR của bạn")).wait_for()
    images = _images(_png_on_page(phone), tmp_path, "ra")
    context.close()
    page = browser_page
    login(page, live_server, "checkpoint")
    card = _scan(page, live_server, images[0], "cuu-tro-hai-chau")
    assert card.startswith(VERDICT["INVALID"]) and "Không phải điểm nhận của hộ" in card, card
    card = _scan(page, live_server, images[1], "cuu-tro-an-hai")
    assert card.startswith(VERDICT["VALID"]) and "Vũ Văn Toàn" in card, card
    card = _scan(page, live_server, images[2], "cuu-tro-an-hai")
    assert card.startswith(VERDICT["INVALID"]) and "Hộ đã nhận hàng" in card, card


def test_a_public_form_is_light(live_server, browser):
    """A definition app's form on a phone: at most 60 KB in at most 10 responses."""
    size, responses = first_visit_weight(browser, f"{live_server}/a/tiem_chung")
    assert size <= PAGE_BUDGET_BYTES and responses <= PAGE_BUDGET_RESPONSES


def _upload(page, path: Path) -> None:
    page.locator("input[type=file]").first.set_input_files(str(path))


def test_admin_uploads_checks_activates_versions_and_deactivates(
    live_server, browser, browser_page, tmp_path
):
    """The admin page as an admin uses it: a broken workbook shows its problems with their
    place and activates nothing; a good one is previewed, activated and live at once (its
    public form answers); a second version is listed beside the first; deactivating takes the
    public form away."""
    from openpyxl import load_workbook

    from core.definitions.starter import starter

    good = tmp_path / "cap_nuoc.xlsx"
    good.write_bytes(starter("Cấp nước"))
    book = load_workbook(good)
    book["survey"]["A2"] = "person_nam"  # an unknown type
    broken = tmp_path / "cap_nuoc_loi.xlsx"
    book.save(broken)
    book = load_workbook(good)
    book["settings"]["D2"] = "2"  # the next version, without the "phone" question
    survey = book["survey"]
    for row in survey.iter_rows(min_row=2):
        if row[1].value == "phone":
            survey.delete_rows(row[0].row)
            break
    second = tmp_path / "cap_nuoc_v2.xlsx"
    book.save(second)

    page = browser_page
    login(page, live_server, "admin")
    page.get_by_role("link", name="Ứng dụng từ tệp định nghĩa").click()
    page.get_by_role("heading", name="Ứng dụng từ tệp định nghĩa").wait_for()
    _upload(page, broken)
    page.get_by_text(re.compile("Tệp có 1 lỗi, chưa kích hoạt gì")).wait_for()
    expect(page.get_by_text(re.compile(r"survey, row 2, column 'type'"))).to_be_visible()
    assert page.get_by_role("button", name="Kích hoạt").count() == 0
    assert page.request.get(f"{live_server}/a/cap_nuoc").status == 404

    _upload(page, good)
    page.get_by_text(re.compile("Tệp hợp lệ: ứng dụng cap_nuoc")).wait_for()
    expect(page.get_by_text(re.compile(r"/a/cap_nuoc")).first).to_be_visible()
    expect(page.get_by_label("Họ và tên").first).to_be_visible()  # the preview
    page.get_by_role("button", name="Kích hoạt").click()
    page.get_by_text(re.compile("Đã kích hoạt cap_nuoc phiên bản 1")).wait_for()
    context, phone = phone_context(browser, False)
    phone.goto(f"{live_server}/a/cap_nuoc")
    phone.get_by_role("heading", name="Cấp nước").wait_for()  # live, no restart
    expect(phone.get_by_label("Họ và tên")).to_be_visible()

    _upload(page, second)
    expect(page.get_by_label("Số điện thoại")).to_have_count(0)  # the new file's preview:
    expect(page.get_by_label("Họ và tên").first).to_be_visible()  # drawn, without the phone
    page.get_by_text(re.compile("Tệp hợp lệ: ứng dụng cap_nuoc")).wait_for()
    page.get_by_role("button", name="Kích hoạt").click()
    page.get_by_text(re.compile("Đã kích hoạt cap_nuoc phiên bản 2")).wait_for()
    table = page.get_by_test_id("stDataFrame").last
    table.wait_for()
    phone.reload()
    phone.get_by_role("heading", name="Cấp nước").wait_for()
    assert phone.get_by_label("Số điện thoại").count() == 0  # the dropped question

    # (the preview has selectboxes too)
    pick_option(page, page.get_by_label("Ứng dụng", exact=True), "cap_nuoc")
    deactivate = page.get_by_role("button", name="Ngừng hoạt động")
    expect(deactivate).to_have_count(1)  # a rerun can briefly leave the old button beside it
    deactivate.click()
    page.get_by_text(re.compile("Đã ngừng cap_nuoc")).wait_for()
    phone.reload()
    phone.get_by_role("heading", name="Không tìm thấy trang").wait_for()
    context.close()
