"""The staff pages' language (issue 18 item 5): ``?lang=``, the shared cookie, then the browser's
Accept-Language; the cookie script takes a known locale only. The browser side is in
tests/browser/test_staff_pages.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.testkit import make_principal, page_app
from core.ui.session import LANG_COOKIE, lang_cookie_script, pick_locale


@pytest.mark.parametrize(
    "query, cookie, accept, expected",
    [
        (None, None, "en-US,en;q=0.9", "en"),
        (None, None, "vi-VN,vi;q=0.9,en;q=0.8", "vi"),
        (None, None, "fr-FR,en;q=0.5", "vi"),  # the first language decides; default vi
        (None, "en", "vi-VN", "en"),  # the cookie beats the browser
        ("vi", "en", "en-US", "vi"),  # the address beats both
        ("xx", "yy", "EN-gb", "en"),  # unknown values are ignored
        (None, None, None, "vi"),
        (None, None, "", "vi"),
    ],
)
def test_pick_locale_order(query, cookie, accept, expected):
    assert pick_locale(query, cookie, accept, "vi") == expected


@given(st.text(), st.text(), st.text(), st.sampled_from(["vi", "en", "de", ""]))
def test_pick_locale_never_returns_anything_but_a_locale(query, cookie, accept, default):
    assert pick_locale(query, cookie, accept, default) in ("vi", "en")


def test_cookie_script_is_the_light_pages_cookie_and_takes_locales_only():
    from core.web.security import LANG_COOKIE as WEB_COOKIE

    assert LANG_COOKIE == WEB_COOKIE
    script = lang_cookie_script("en")
    assert '"rapid_lang" + \'=\' + "en"' in script and "Max-Age=31536000" in script
    with pytest.raises(ValueError):
        lang_cookie_script("en'; alert(1); '")


def test_wrong_role_reads_no_access_in_each_language(store):
    for locale, text in (
        ("vi", "Bạn không có quyền mở trang này."),
        ("en", "You do not have access to this page."),
    ):
        at = page_app(
            "home_isolation.person", make_principal("duyet", "approver"), locale=locale
        ).run()
        assert not at.exception
        assert [e.value for e in at.error] == [text]


def test_logged_out_link_shows_the_login_form_then_the_page(store, admin):
    from core import accounts

    accounts.create_user(admin, "yte", "Y Tế", "health_officer", "Mat-khau-2021")
    at = page_app("home_isolation.person", query={"e": "HI-NOPE"}).run()
    assert not at.exception
    assert "Trang này cần đăng nhập." in [e.value for e in at.error]
    assert any("Hồ sơ người cách ly" in c.value for c in at.caption)
    at.text_input[0].input("yte")
    at.text_input[1].input("Mat-khau-2021")
    at.button[0].click()
    at.run()
    assert not at.exception
    assert at.title[0].value == "Hồ sơ người cách ly"
    assert at.query_params["e"] in ("HI-NOPE", ["HI-NOPE"])
    assert "Không tìm thấy hồ sơ." in [e.value for e in at.error]  # it read its parameter
