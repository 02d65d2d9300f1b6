"""The suite in a real browser: log in as the demo admin, open the admin page, switch language,
log out; a page reload keeps the login until logout."""

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
    page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng, hoặc cần đợi").wait_for()


def test_reload_keeps_the_login_until_logout(live_server, browser_page):
    page = browser_page
    login(page, live_server, "admin")
    page.get_by_role("link", name="Quản lý tài khoản").click()
    page.get_by_role("heading", name="Quản lý tài khoản").wait_for()
    page.wait_for_function("document.cookie.includes('rapid_session=')")
    cookie = next(c for c in page.context.cookies() if c["name"] == "rapid_session")
    assert cookie["sameSite"] == "Strict" and cookie["expires"] == -1  # a session cookie

    page.reload()  # a new Streamlit session: the same page, still logged in
    page.get_by_role("heading", name="Thêm tài khoản").wait_for()
    page.get_by_test_id("stSidebar").get_by_role("button", name="Đăng xuất").wait_for()

    tab = page.context.new_page()  # a second tab shares the login
    tab.goto(live_server)
    tab.get_by_text("Xin chào").wait_for()

    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("button", name="Đăng nhập").wait_for()
    page.wait_for_function("!document.cookie.includes('rapid_session=')")
    tab.get_by_test_id("stSidebar").get_by_role("link", name="Nhật ký kiểm toán").click()
    tab.get_by_text("Phiên đăng nhập này đã kết thúc").wait_for()  # ended there too
    tab.close()
    page.reload()
    page.get_by_role("button", name="Đăng nhập").wait_for()
    assert page.get_by_text("Xin chào").count() == 0

    # a copy of the cookie is useless after logout: the server forgot the token
    page.context.add_cookies(
        [{"name": cookie["name"], "value": cookie["value"], "url": live_server}]
    )
    page.reload()
    page.get_by_role("button", name="Đăng nhập").wait_for()
    page.wait_for_function("!document.cookie.includes('rapid_session=')")  # stale one cleared
