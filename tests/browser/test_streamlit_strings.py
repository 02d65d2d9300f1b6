"""Streamlit's own English inside the Vietnamese staff pages (issue 18, item 3): the empty
choice boxes, "Select all", the typing hints, the file uploader and its size limit, the
camera, the date picker. Every staff page of several roles is opened in Vietnamese; none of
those English texts may be visible, in the text or in the boxes' placeholders. English mode
keeps them. The dashboard's figures and charts are in each language's style: shares as
shares (no delta arrows), whole figures (not cut), month names, 24-hour times and decimal
marks of the language on every chart."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DEMO_PASSWORD

ENGLISH = (
    "Choose options",
    "Choose an option",
    "Select all",
    "No results",
    "Press Enter",
    "Press Ctrl+Enter",
    "Drag and drop",
    "Browse files",
    "per file",
    "200MB",
    "Take Photo",
    "Clear photo",
    "would like to use your camera",
)
"""Streamlit's wording, as its widgets write it (Streamlit 1.67)."""

UPLOAD = re.compile(r"^\s*Upload\s*$", re.MULTILINE)


def _settle(page) -> None:
    """Wait until Streamlit has finished running the page's script."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.wait_for_timeout(300)  # the translation runs as the widgets appear


def _english_on(page) -> list[str]:
    """Streamlit's English visible on the page: text, and placeholders of empty boxes."""
    text = page.locator("body").inner_text()
    shown = [s for s in ENGLISH if s in text]
    if UPLOAD.search(text):
        shown.append("Upload")
    placeholders = page.locator("[placeholder]").evaluate_all(
        "els => els.map(e => e.getAttribute('placeholder'))"
    )
    shown += [f"placeholder {p!r}" for p in placeholders if any(s in p for s in ENGLISH)]
    return shown


LOGIN = {
    "vi": ("Tên đăng nhập", "Mật khẩu", "Đăng nhập", "Xin chào"),
    "en": ("Username", "Password", "Log in", "Welcome"),
}


def _login(page, url: str, username: str, lang: str = "vi") -> None:
    """Log in with the page in ``lang`` (``?lang=``: the browser's own language may differ)."""
    user, password, button, hello = LOGIN[lang]
    page.goto(f"{url}/?lang={lang}")
    page.get_by_label(user, exact=True).fill(username)
    page.get_by_label(password, exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=button).click()
    page.get_by_text(hello).first.wait_for()


def test_typing_hint_of_the_login_form_is_vietnamese(live_server, browser_page):
    page = browser_page
    page.goto(live_server)
    page.get_by_label("Tên đăng nhập").fill("officer")  # a form field being typed in
    page.get_by_text("Nhấn Enter để gửi").first.wait_for()
    assert _english_on(page) == []


@pytest.mark.parametrize("username", ["admin", "checkpoint", "officer", "dn_business1"])
def test_no_streamlit_english_on_any_staff_page_in_vietnamese(live_server, browser, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        _login(page, live_server, username)
        links = page.get_by_test_id("stSidebar").get_by_test_id("stPageLink-NavLink")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert len(hrefs) >= 3
        found: dict[str, list[str]] = {}
        for href in hrefs:
            page.goto(href if href.startswith("http") else live_server + "/" + href.lstrip("/"))
            _settle(page)
            for expander in page.get_by_test_id("stExpander").all()[:4]:  # uploaders inside
                expander.locator("summary").click()
            if page.get_by_test_id("stExpander").count():
                _settle(page)
            if shown := _english_on(page):
                found[href] = shown
        assert found == {}
    finally:
        context.close()


def test_uploader_says_our_20_mb_limit_in_vietnamese(live_server, browser_page):
    page = browser_page
    _login(page, live_server, "checkpoint")
    page.get_by_test_id("stSidebar").get_by_role("link", name="Quét mã QR").first.click()
    uploader = page.get_by_test_id("stFileUploader").first
    uploader.wait_for()
    _settle(page)
    text = uploader.inner_text()
    assert "Tối đa 20MB mỗi tệp" in text, text
    assert "Kéo và thả tệp vào đây" in text or "Chọn tệp" in text, text
    assert "200" not in text, text


def test_multiselect_offers_no_english_bulk_choice(live_server, browser_page):
    page = browser_page
    _login(page, live_server, "admin")
    page.get_by_test_id("stSidebar").get_by_role("link", name="Quản lý tài khoản").first.click()
    box = page.get_by_test_id("stMultiSelect").first
    box.wait_for()
    _settle(page)
    placeholder = box.locator("input").first.get_attribute("placeholder") or ""
    assert "Choose" not in placeholder, placeholder
    for attempt in range(3):  # a click landing during a rerun can be swallowed
        box.locator("input").first.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=10_000)
            break
        except Exception:  # noqa: BLE001 - once more, then fail
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            page.wait_for_timeout(500)
    options = page.get_by_role("option").all_inner_texts()
    assert not [o for o in options if o in ("Select all",) or o.startswith("Select ")], options
    page.keyboard.press("Escape")


def test_english_mode_keeps_streamlits_english(live_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(live_server)
        page.get_by_label("Username").fill("officer")
        page.get_by_text("Press Enter to submit form").first.wait_for()
        assert "Nhấn Enter" not in page.locator("body").inner_text()
    finally:
        context.close()


MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()
WORDS_EN = re.compile(
    r"\b(?:AM|PM|" + "|".join(MONTHS_EN) + r"|Mon|Tue|Wed|Thu|Fri|Sat|Sun|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
)
WORDS_VI = re.compile(r"\b(?:tháng|Tháng|thg|SA|CH|Thứ|CN|T[2-7])\b")
VI_NAME = re.compile("[À-ỹĐđ]")
"""A Vietnamese name (a ward: "Xã Thu Bồn"), whose words may spell an English abbreviation."""
MARK = {"vi": re.compile(r"^-?\d+\.\d{1,2}$"), "en": re.compile(r"^-?\d+,\d{1,2}$")}
"""A tick in the other language's decimal style (``0.5`` in Vietnamese, ``0,5`` in English)."""


@pytest.mark.parametrize(("browser_locale", "lang"), [("en-US", "vi"), ("vi-VN", "en")])
def test_dashboard_figures_and_charts_in_the_languages_style(
    live_server, browser, browser_locale, lang
):
    """The browser's language is the other one: nothing of it may leak into the charts."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale=browser_locale,
        timezone_id="America/New_York",
    )
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        _login(page, live_server, "officer", lang)
        name = "Bảng tổng hợp" if lang == "vi" else "Dashboard"
        page.get_by_test_id("stSidebar").get_by_role("link", name=name).first.click()
        charts = page.get_by_test_id("stVegaLiteChart")
        charts.first.wait_for()
        _settle(page)
        page.wait_for_timeout(1500)  # the last charts draw
        values = page.get_by_test_id("stMetricValue")
        assert values.count() >= 6
        cut = page.locator("[data-testid=stMetricValue], [data-testid=stMetricValue] *")
        cut = cut.evaluate_all(
            "els => els.filter(e => e.scrollWidth > e.clientWidth + 1"
            " || getComputedStyle(e).textOverflow === 'ellipsis').map(e => e.innerText)"
        )
        assert cut == []
        assert page.get_by_test_id("stMetricDelta").count() == 0  # shares are not changes
        shown = values.all_inner_texts()
        shares = [v for v in shown if v.endswith("%")]
        assert shares, shown
        assert all(v.endswith(" %") == (lang == "vi") for v in shares), shares
        assert not [v for v in shown if MARK[lang].match(v.removesuffix("%").strip())], shown
        other = WORDS_EN if lang == "vi" else WORDS_VI
        found: dict[int, list[str]] = {}
        for i in range(charts.count()):
            ticks = charts.nth(i).inner_text().split("\n")
            bad = [
                x
                for x in ticks
                if (other.search(x) and not (lang == "vi" and VI_NAME.search(x)))
                or MARK[lang].match(x.strip())
            ]
            if bad:
                found[i] = bad
        assert found == {}, found
        axes = page.locator("[aria-label^='X-axis titled']").evaluate_all(
            "els => els.map(e => e.getAttribute('aria-label'))"
        )
        assert axes and not [a for a in axes if re.search(r"\b(?:AM|PM)\b", a)], axes
    finally:
        context.close()


@pytest.mark.parametrize(("browser_locale", "lang"), [("en-US", "vi"), ("vi-VN", "en")])
def test_date_picker_in_the_pages_language(live_server, browser, browser_locale, lang):
    """React Aria names months in the browser's language: the page's language wins."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=browser_locale)
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        _login(page, live_server, "admin", lang)
        name = "Nhật ký kiểm toán" if lang == "vi" else "Audit log"
        page.get_by_test_id("stSidebar").get_by_role("link", name=name).first.click()
        field = page.get_by_test_id("stDateInput").first
        field.wait_for()
        _settle(page)
        button = field.get_by_test_id("stDateInputCalendarButton")
        expected = "Chọn ngày" if lang == "vi" else "Choose date"
        assert button.get_attribute("aria-label") == expected
        button.click()
        dialog = page.get_by_role("dialog").last
        dialog.wait_for()
        page.wait_for_timeout(500)
        text = dialog.inner_text()
        if lang == "vi":
            assert re.search(r"^tháng \d{1,2} năm \d{4}$", text, re.MULTILINE), text
            assert "Tháng 12" in text and not re.search(
                r"\b(?:" + "|".join(MONTHS_EN) + r")\b", text
            )
            assert "Use arrow keys" not in text
        else:
            assert re.search(r"^[A-Z][a-z]+ \d{4}$", text, re.MULTILINE), text
            assert "December" in text and "háng" not in text
        labels = dialog.locator("[aria-label]").evaluate_all(
            "els => els.map(e => e.getAttribute('aria-label'))"
        )
        english = {"Previous month", "Next month"}
        assert bool(english & set(labels)) == (lang == "en"), labels
        page.keyboard.press("Escape")
    finally:
        context.close()
