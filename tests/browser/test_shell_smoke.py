"""The suite in a real browser: log in as the demo admin, open the admin page, switch language,
log out."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, submit_login

pytestmark = pytest.mark.browser


def test_admin_login_admin_page_language_logout(live_server, browser_page):
    page = browser_page
    login(page, live_server, "admin")
    page.get_by_role("link", name="Quản lý tài khoản").click()
    page.get_by_role("heading", name="Quản lý tài khoản").wait_for()
    page.get_by_role("heading", name="Thêm tài khoản").wait_for()

    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name="English").click()
    page.get_by_role("heading", name="Accounts").wait_for()

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Log in").wait_for()
    page.get_by_text("You have logged out.").wait_for()


def test_wrong_password_in_the_browser(live_server, browser_page):
    page = browser_page
    submit_login(page, live_server, "admin", "not-the-password-1")
    page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.").wait_for()
