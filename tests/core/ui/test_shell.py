"""The Streamlit shell through AppTest: login, language, logout, timeout, role-built navigation."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import accounts, login_sessions
from core.ui import session
from tests.conftest import make_principal

APP = str(Path(__file__).resolve().parents[3] / "core" / "ui" / "app.py")
PASSWORD = "Mat-khau-2021"


@pytest.fixture()
def users(store, admin):
    accounts.create_user(admin, "boss", "Quản Trị", "admin", PASSWORD)
    accounts.create_user(admin, "duyet", "Trần Duyệt", "approver", PASSWORD)


def _login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def test_login_page_is_the_default_for_anonymous(store):
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "Hệ thống Ứng phó Nhanh"
    assert "Đăng nhập" in [s.value for s in at.subheader]


def test_admin_logs_in_and_sees_admin_pages(users):
    at = _login(AppTest.from_file(APP, default_timeout=30).run(), "boss", PASSWORD)
    assert not at.exception
    assert at.session_state["principal"].username == "boss"
    assert any("Xin chào" in s.value for s in at.success)
    assert "Quản Trị" in at.sidebar.markdown[0].value


@pytest.mark.parametrize(
    "username, password, fragment",
    [
        ("boss", "wrong-pass-12", "không đúng"),
        ("ghost", PASSWORD, "không đúng"),
        ("", "", "không đúng"),
        ("x" * 10_000, "y" * 10_000, "không đúng"),
        ("' OR 1=1 --", "' OR 1=1 --", "không đúng"),
    ],
)
def test_bad_logins_show_a_clear_message(users, username, password, fragment):
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input[0].input(username[:64])
    at.text_input[1].input(password[:128])
    at.button[0].click()
    at.run()
    assert not at.exception
    assert fragment in at.error[0].value
    assert "principal" not in at.session_state


def test_language_switch_to_english(store):
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.sidebar.selectbox[0].select("en").run()
    assert at.title[0].value == "Rapid Response Suite"
    assert "Log in" in [s.value for s in at.subheader]


def test_logout(users):
    at = _login(AppTest.from_file(APP, default_timeout=30).run(), "boss", PASSWORD)
    at.sidebar.button[0].click().run()
    assert "principal" not in at.session_state
    assert any("đăng xuất" in i.value for i in at.info)


def test_idle_timeout_logs_out(users):
    at = _login(AppTest.from_file(APP, default_timeout=30).run(), "boss", PASSWORD)
    at.session_state[session.LAST_SEEN] = time.monotonic() - 31 * 60
    at.run()
    assert "principal" not in at.session_state
    assert any("hết hạn" in i.value for i in at.info)


def _page_script(key: str) -> None:
    from core.ui.shell import run_single_page

    run_single_page(key)


@pytest.mark.parametrize("role", ["business", "approver", "checkpoint", "health_officer", None])
def test_admin_pages_refuse_other_roles(store, role):
    for key in ["core.accounts", "core.audit", "core.system"]:
        at = AppTest.from_function(_page_script, args=(key,), default_timeout=30)
        if role:
            at.session_state["principal"] = make_principal("x", role)
        at.run()
        assert not at.exception
        assert at.error, f"{key} rendered for {role}"


def test_admin_manages_accounts_on_the_page(users):
    at = AppTest.from_function(_page_script, args=("core.accounts",), default_timeout=30)
    at.session_state["principal"] = accounts.principal_for(accounts.get_user("boss"))
    at.run()
    assert not at.exception
    form_inputs = at.text_input
    form_inputs[0].input("moi")
    form_inputs[1].input("Người Mới")
    form_inputs[2].input("short")
    at.button[0].click().run()
    assert "10" in at.error[0].value
    assert accounts.count_users() == 2
    at.text_input[2].input("Mat-khau-tot-1")
    at.button[0].click().run()
    assert not at.error, [e.value for e in at.error]
    assert accounts.count_users() == 3


def test_audit_page_for_admin(users):
    at = AppTest.from_function(_page_script, args=("core.audit",), default_timeout=30)
    at.session_state["principal"] = accounts.principal_for(accounts.get_user("boss"))
    at.run()
    assert not at.exception
    assert len(at.dataframe[0].value) >= 2


@pytest.mark.parametrize("change", ["disable", "reset"])
def test_open_session_ends_when_the_account_is_disabled_or_reset(users, admin, change):
    at = _login(AppTest.from_file(APP, default_timeout=30).run(), "duyet", PASSWORD)
    assert at.session_state["principal"].username == "duyet"
    if change == "disable":
        accounts.set_disabled(admin, "duyet", True)
    else:
        accounts.reset_password(admin, "duyet", "Mat-khau-khac-9")
    at.run()
    assert "principal" not in at.session_state
    assert any("vừa được thay đổi" in i.value for i in at.info)


def test_menu_lists_pages_but_not_link_only_ones(store):
    """Public pages are in the citizens' menu; link-only landing pages (in_nav=False) are not,
    though they stay routable from their links."""
    from core.registry import get_registry
    from core.ui.links import page_path

    at = AppTest.from_file(APP, default_timeout=30).run()
    shown = {link.proto.page for link in at.get("page_link")}
    hidden = {page_path(p.key) for _, p in get_registry().pages() if not p.in_nav}
    public = {page_path(p.key) for _, p in get_registry().pages() if p.is_public and p.in_nav}
    assert hidden and not (hidden & shown)
    assert public <= shown


# -- remembered logins (a page reload resumes the login) -----------------------------------------


def _rows(store) -> int:
    return store.scalar("SELECT count(*) FROM login_sessions")


def _reload(monkeypatch, cookies: dict[str, str]) -> AppTest:
    """A new session (page load) whose browser sends ``cookies``."""
    monkeypatch.setattr(session, "_browser_cookies", lambda: cookies)
    return AppTest.from_file(APP, default_timeout=30).run()


def test_login_is_remembered_and_logout_forgets_it(users, store):
    at = _login(AppTest.from_file(APP, default_timeout=30).run(), "boss", PASSWORD)
    token = at.session_state[session.TOKEN]
    assert login_sessions.is_token(token) and _rows(store) == 1
    at.sidebar.button[0].click().run()
    assert _rows(store) == 0
    assert at.session_state[session.CLEAR_COOKIE] == token  # the page clears that cookie


@pytest.mark.parametrize("name", [login_sessions.COOKIE, login_sessions.SECURE_COOKIE])
def test_a_reload_resumes_from_the_cookie(users, monkeypatch, name):
    token = _login(AppTest.from_file(APP, default_timeout=30).run(), "boss", PASSWORD)
    token = token.session_state[session.TOKEN]
    at = _reload(monkeypatch, {name: token})
    assert not at.exception
    assert at.session_state["principal"].username == "boss"
    assert any("Xin chào" in s.value for s in at.success)


def test_logout_in_one_tab_ends_the_other(users, monkeypatch):
    first = _login(AppTest.from_file(APP, default_timeout=30).run(), "boss", PASSWORD)
    second = _reload(monkeypatch, {login_sessions.COOKIE: first.session_state[session.TOKEN]})
    assert second.session_state["principal"].username == "boss"
    first.sidebar.button[0].click().run()
    second.run()
    assert "principal" not in second.session_state
    assert any("đã kết thúc" in i.value for i in second.info)


def test_a_stale_cookie_logs_nobody_in_and_is_cleared(users, monkeypatch):
    stale = "x" * 43
    at = _reload(monkeypatch, {login_sessions.COOKIE: stale})
    assert "principal" not in at.session_state
    assert at.session_state[session.CLEAR_COOKIE] == stale
    junk = _reload(monkeypatch, {login_sessions.COOKIE: "<script>alert(1)</script>"})
    assert "principal" not in junk.session_state
    assert session.CLEAR_COOKIE not in junk.session_state  # never echoed into the page


def test_remember_login_off(users, store, settings, monkeypatch):
    first = _login(AppTest.from_file(APP, default_timeout=30).run(), "boss", PASSWORD)
    token = first.session_state[session.TOKEN]
    settings.remember_login = False
    at = _login(AppTest.from_file(APP, default_timeout=30).run(), "boss", PASSWORD)
    assert session.TOKEN not in at.session_state and _rows(store) == 1
    again = _reload(monkeypatch, {login_sessions.COOKIE: token})
    assert "principal" not in again.session_state


def test_a_login_whose_account_was_disabled_meanwhile_ends(users, admin):
    at = _login(AppTest.from_file(APP, default_timeout=30).run(), "duyet", PASSWORD)
    accounts.set_disabled(admin, "duyet", True)
    at.session_state[session.STAMP] = None  # as if the login had started after the disabling
    at.run()
    assert "principal" not in at.session_state


def test_cookie_script_sets_a_session_cookie_and_clears_only_its_own():
    token = "A" * 43
    set_js = session.cookie_script(token)
    assert '"__Host-rapid_session"' in set_js and '"rapid_session"' in set_js
    assert "SameSite=Strict" in set_js and "Secure" in set_js and token in set_js
    assert "Max-Age" not in set_js  # gone when the browser closes
    clear_js = session.cookie_script(clear_token=token)
    assert "Max-Age=0" in clear_js and f"'=' + \"{token}\"" in clear_js and "includes" in clear_js
    for bad in ('";alert(1);"', "A" * 42, "</script>" + "A" * 34):
        with pytest.raises(ValueError):
            session.cookie_script(bad)
        with pytest.raises(ValueError):
            session.cookie_script(clear_token=bad)
