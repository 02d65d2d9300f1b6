"""Staff pages in a real browser (issue 18): deep links survive the login, a wrong role reads
"no access" in its language, and the language choice sticks (cookie) and follows the browser's
language on a first visit."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DEMO_PASSWORD, running_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """(base URL, server log) of a real server on a fresh demo data folder."""
    data = tmp_path_factory.mktemp("staff") / "data"
    with running_server(data) as url:
        yield url, data.parent / f"server-{url.rsplit(':', 1)[1]}.log"


@pytest.fixture(scope="module")
def live_server(served):
    return served[0]


PERSON = "/home_isolation-person?e=HI-NOPE-42"


def _fill_login(page, username: str, *, vi: bool = True) -> None:
    page.get_by_role("textbox", name="Tên đăng nhập" if vi else "Username").fill(username)
    page.get_by_role("textbox", name="Mật khẩu" if vi else "Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập" if vi else "Log in").click()


def _no_streamlit_not_found(page) -> None:
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_text("You have requested page").count() == 0


def test_item1_deep_link_logged_out_lands_after_login(live_server, browser_page):
    page = browser_page
    page.goto(live_server + PERSON)
    page.get_by_text("Trang này cần đăng nhập.").wait_for()
    page.get_by_text("Đăng nhập để mở trang “Hồ sơ người cách ly”").wait_for()
    _no_streamlit_not_found(page)
    assert page.url.endswith(PERSON)
    page.screenshot(path=str(_shot("deep_link_login")))

    _fill_login(page, "officer")
    page.get_by_role("heading", name="Hồ sơ người cách ly").wait_for()
    # the page read its query parameter: it looked the enrolment up (and found none)
    page.get_by_text("Không tìm thấy hồ sơ.").wait_for()
    _no_streamlit_not_found(page)
    assert page.url.endswith(PERSON)
    page.get_by_test_id("stSidebar").get_by_role("button", name="Đăng xuất").wait_for()


def test_item1_wrong_role_reads_no_access_in_its_language(live_server, browser_page):
    page = browser_page
    page.goto(live_server + PERSON)
    _fill_login(page, "approver")
    page.get_by_text("Bạn không có quyền mở trang này.").wait_for()
    _no_streamlit_not_found(page)
    assert page.url.endswith(PERSON)
    page.screenshot(path=str(_shot("no_access_vi")))

    _language_box(page).click()
    page.get_by_role("option", name="English").click()
    page.get_by_text("You do not have access to this page.").wait_for()

    # an admin page, opened by its address with a role that may not open it
    page.goto(live_server + "/core-audit")
    page.get_by_text("You do not have access to this page.").wait_for()  # English stuck
    _no_streamlit_not_found(page)


def test_item1_login_address_once_logged_in_goes_home(live_server, browser_page):
    page = browser_page
    page.goto(live_server + "/login")
    _fill_login(page, "officer")
    page.get_by_text("Xin chào").wait_for()
    _no_streamlit_not_found(page)


def test_item5_first_visit_follows_the_browser_language(live_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(live_server)
        page.get_by_role("button", name="Log in").wait_for()
        page.wait_for_function("document.cookie.includes('rapid_lang=en')")
        page.screenshot(path=str(_shot("login_en")))
    finally:
        context.close()


def test_item5_language_choice_sticks_across_reloads_and_links(live_server, browser_page):
    page = browser_page  # a Vietnamese browser
    page.goto(live_server)
    page.get_by_role("button", name="Đăng nhập").wait_for()
    _language_box(page).click()
    page.get_by_role("option", name="English").click()
    page.get_by_role("button", name="Log in").wait_for()
    page.wait_for_function("document.cookie.includes('rapid_lang=en')")

    page.reload()
    page.get_by_role("button", name="Log in").wait_for()
    _fill_login(page, "officer", vi=False)
    page.get_by_text("Welcome").wait_for()

    tab = page.context.new_page()  # a link opened in a new tab
    tab.goto(live_server + "/home_isolation-board")
    tab.get_by_test_id("stSidebar").get_by_role("button", name="Log out").wait_for()
    tab.goto(live_server + "/khai-bao")  # the light pages read the same cookie
    assert tab.locator("html").get_attribute("lang") == "en"
    tab.close()

    _language_box(page).click()
    page.get_by_role("option", name="Tiếng Việt").click()
    page.get_by_text("Xin chào").wait_for()
    page.wait_for_function("document.cookie.includes('rapid_lang=vi')")
    page.reload()
    page.get_by_text("Xin chào").wait_for()


def _settle(page) -> None:
    """Wait until Streamlit has finished running the page's script."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


@pytest.mark.parametrize("username", ["admin", "approver", "checkpoint", "officer", "dn_business1"])
def test_item10_every_page_leaves_the_server_log_clean(served, browser, username):
    url, log = served
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(url)
        _fill_login(page, username)
        page.get_by_text("Xin chào").wait_for()
        links = page.get_by_test_id("stSidebar").get_by_test_id("stPageLink-NavLink")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert len(hrefs) >= 3
        for href in hrefs:
            page.goto(href if href.startswith("http") else url + "/" + href.lstrip("/"))
            _settle(page)
            assert page.get_by_test_id("stException").count() == 0, href
        page.goto(url)  # the other language once, from the home page
        page.get_by_text("Xin chào").wait_for()
        _language_box(page).click()
        page.get_by_role("option", name="English").click()
        page.get_by_text("Welcome").wait_for()
        _settle(page)
    finally:
        context.close()
    text = log.read_text(errors="replace")
    bad = [line for line in text.splitlines() if "deprecat" in line.lower()]
    assert not bad, "\n".join(bad[:10])
    assert "Traceback" not in text, text[-3000:]


def _language_box(page):
    """The sidebar's language picker (other pickers may share the sidebar)."""
    boxes = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")
    return boxes.filter(has_text="Ngôn ngữ").or_(boxes.filter(has_text="Language")).first


def _shot(name: str):
    from pathlib import Path

    out = Path(__file__).resolve().parents[2] / "build" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out / f"staff_{name}.png"


def test_item7_item9_venue_review_reject_pending_count_and_home_pending_work(
    live_server, browser_page
):
    """A business registers a venue (the form clears; the same answers again make no second
    venue); the officer's home page counts the venues waiting and links to them; the officer
    rejects it with a reason; the business reads that reason."""
    import re

    from core import geo
    from tests.browser.conftest import login, logout, pick_option

    page = browser_page
    name = "Tiệm sách Rạng Đông"
    ward = geo.wards(geo.DA_NANG)[0].name

    def fill_venue() -> None:
        # the venue form is live (its wards follow the province): each answer reruns the page
        form = page.get_by_test_id("stMain")
        for label, text in (
            ("Tên địa điểm", name),
            ("Số nhà, đường", "27 Nguyễn Chí Thanh"),
            ("Số điện thoại liên hệ", "0905 246 810"),
        ):
            form.get_by_label(label).fill(text)
            form.get_by_label(label).press("Tab")
            _settle(page)
        pick_option(page, form.get_by_label("Loại"), "Cửa hàng", shows="Cửa hàng")
        _settle(page)
        pick_option(page, form.get_by_label("Phường/xã"), ward, shows=ward)
        _settle(page)
        form.get_by_role("button", name="Đăng ký địa điểm").click()

    login(page, live_server, "dn_business1")
    page.goto(live_server + "/health_declaration-venues")
    page.get_by_role("heading", name="Địa điểm check-in").first.wait_for()
    fill_venue()
    page.get_by_text(re.compile(r"Đã đăng ký")).first.wait_for()
    _settle(page)
    assert page.get_by_label("Tên địa điểm").input_value() == ""  # the form cleared
    assert page.get_by_label("Số nhà, đường").input_value() == ""
    fill_venue()  # the same venue sent again (a second tab, a double click)
    _settle(page)
    page.get_by_text("Chọn địa điểm").wait_for()
    box = page.get_by_test_id("stSelectbox").filter(has_text="Chọn địa điểm").first
    box.click()
    options = page.get_by_role("option", name=re.compile(re.escape(name)))
    options.first.wait_for()
    assert options.count() == 1, "the venue was registered twice"
    page.keyboard.press("Escape")
    logout(page)

    login(page, live_server, "officer")
    page.get_by_text("Việc đang chờ bạn").wait_for()
    pile = page.get_by_test_id("stMetric").filter(has_text="Địa điểm chờ duyệt")
    pile.wait_for()
    waiting = int(pile.get_by_test_id("stMetricValue").inner_text().replace(".", ""))
    assert waiting >= 1
    page.screenshot(path=str(_shot("home_pending_work")))
    page.get_by_role("link", name="Mở “Địa điểm check-in”").click()
    page.get_by_text(f"{waiting} địa điểm đang chờ duyệt.").wait_for()
    box = page.get_by_test_id("stSelectbox").filter(has_text="Chọn địa điểm").first
    pick_option(page, box, re.compile(re.escape(name) + " — "))
    reason = page.get_by_role("textbox", name="Lý do từ chối")
    reason.fill("Số nhà chưa đúng, hãy kiểm tra lại")
    reason.press("Tab")  # the text area sends its value when it loses focus
    _settle(page)
    page.get_by_role("button", name="Từ chối địa điểm").click()
    page.get_by_text("Đã từ chối địa điểm.").wait_for()
    if waiting > 1:
        page.get_by_text(f"{waiting - 1} địa điểm đang chờ duyệt.").wait_for()
    page.screenshot(path=str(_shot("venue_rejected")))
    logout(page)

    login(page, live_server, "dn_business1")
    page.goto(live_server + "/health_declaration-venues")
    box = page.get_by_test_id("stSelectbox").filter(has_text="Chọn địa điểm").first
    pick_option(page, box, re.compile(re.escape(name) + " — "))
    page.get_by_text("Lý do: Số nhà chưa đúng, hãy kiểm tra lại").wait_for()
    _no_streamlit_not_found(page)
