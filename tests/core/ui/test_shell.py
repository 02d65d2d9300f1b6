"""The Streamlit shell through AppTest: login, language, logout, timeout, role-built navigation."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import accounts, login_sessions
from core.testkit import make_principal, page_text, run_page
from core.ui import session

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


@pytest.mark.parametrize("role", ["business", "approver", "checkpoint", "health_officer", None])
def test_admin_pages_refuse_other_roles(store, role):
    for key in ["core.accounts", "core.audit", "core.system"]:
        at = run_page(key, make_principal("x", role) if role else None)
        assert not at.exception
        assert at.error, f"{key} rendered for {role}"


def _boss():
    return accounts.principal_for(accounts.get_user("boss"))


def test_admin_manages_accounts_on_the_page(users):
    at = run_page("core.accounts", _boss())
    assert not at.exception
    at.text_input(key="new_username").input("moi")
    at.text_input(key="new_full_name").input("Người Mới")
    at.text_input(key="new_password").input("short")
    at.button(key="acct_add").click().run()
    assert "vai trò" in at.error[0].value  # no role chosen yet
    at.multiselect(key="new_roles").select("approver").select("health_officer").run()
    at.button(key="acct_add").click().run()
    assert "10" in at.error[0].value
    assert accounts.count_users() == 2
    at.text_input(key="new_password").input("Mat-khau-tot-1")
    at.button(key="acct_add").click().run()
    assert not at.error, [e.value for e in at.error]
    assert accounts.get_user("moi").roles == {"approver", "health_officer"}


def test_the_account_list_shows_every_grant_with_its_label(users, admin):
    accounts.grant_role(admin, "duyet", "health_officer")
    at = run_page("core.accounts", _boss())
    table = at.dataframe[0].value
    assert "Cán bộ phê duyệt; Cán bộ y tế" in set(table.iloc[:, 2])


def test_admin_changes_roles_on_the_page_and_each_change_is_audited(users, store):
    at = run_page("core.accounts", _boss())
    at.selectbox(key="acct_pick").select("duyet").run()
    user = accounts.get_user("duyet")
    at.multiselect(key=f"edit_{user.id}_roles").select("health_officer").unselect("approver").run()
    at.button(key="acct_roles").click().run()
    assert not at.exception and not at.error
    assert accounts.get_user("duyet").roles == {"health_officer"}
    assert "Đã cập nhật duyet" in page_text(at)
    actions = store.fetchall("SELECT action FROM audit_log WHERE object_id = 'duyet' ORDER BY id")
    assert [a for (a,) in actions[-2:]] == ["user.revoke", "user.grant"]


def test_the_accounts_page_offers_a_scope_for_a_scoped_role(users):
    """With a ward-scoped role installed (test plugin), choosing it shows the area pickers and
    the grant is saved with the chosen ward."""
    from importlib.metadata import EntryPoint, entry_points

    from core import geo, i18n
    from core.registry import Registry, set_registry

    eps = [e for e in entry_points(group="rapid.apps") if e.name not in ("tiny", "ward_app")]
    eps.append(EntryPoint(name="ward_app", value="tests.plugins.ward_app:app", group="rapid.apps"))
    set_registry(Registry.from_entry_points(eps))
    i18n.reset_catalog()
    try:
        at = run_page("core.accounts", _boss())
        at.text_input(key="new_username").input("phuong")
        at.text_input(key="new_full_name").input("Cán Bộ Phường")
        at.text_input(key="new_password").input("Mat-khau-tot-1")
        at.multiselect(key="new_roles").select("ward_worker").run()
        at.selectbox(key="new_ward_worker_level").select("ward").run()
        ward = geo.wards(geo.DA_NANG)[3].code
        at.selectbox(key="new_ward_worker_ward").select(ward).run()
        at.button(key="acct_add").click().run()
        assert not at.error, [e.value for e in at.error]
        user = accounts.get_user("phuong")
        assert [str(g) for g in user.grants] == [f"ward_worker@ward:{ward}"]
    finally:
        set_registry(None)
        i18n.reset_catalog()


def test_audit_page_for_admin(users):
    at = run_page("core.audit", _boss())
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) >= 2
    details = [d for d in table["Chi tiết"] if d]
    assert details and not any(d.startswith("{") or '"' in d for d in details), details


def test_audit_details_read_as_words():
    from core.ui.admin_pages import details_text

    assert details_text('{"name": "Quán A", "reason": "sai số nhà"}') == (
        "name: Quán A · reason: sai số nhà"
    )
    assert details_text('{"ok": true, "wards": [1, 2], "gone": null}') == "ok: Có · wards: 1, 2"
    assert details_text("{}") == "" and details_text(None) == ""
    assert details_text("not json") == "not json"


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


def test_menu_lists_the_public_pages_to_anonymous_visitors(store):
    """Every public page is in the citizens' menu; no staff page is."""
    from core.registry import get_registry
    from core.ui.links import page_path

    at = AppTest.from_file(APP, default_timeout=30).run()
    shown = {link.proto.page for link in at.get("page_link")}
    public = {page_path(p.key) for _, p in get_registry().pages() if p.is_public}
    staff = {page_path(p.key) for _, p in get_registry().pages() if not p.is_public}
    assert public and public <= shown
    assert not (staff & shown)


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
    assert any(token in (f.proto.srcdoc or "") for f in at.get("iframe"))  # written once
    at.sidebar.button[0].click().run()
    assert _rows(store) == 0
    assert at.session_state[session.CLEAR_COOKIE] == token  # the page clears that cookie


@pytest.mark.parametrize(
    "name, https", [(login_sessions.COOKIE, False), (login_sessions.SECURE_COOKIE, True)]
)
def test_a_reload_resumes_from_the_cookie(users, monkeypatch, name, https):
    token = _login(AppTest.from_file(APP, default_timeout=30).run(), "boss", PASSWORD)
    token = token.session_state[session.TOKEN]
    monkeypatch.setattr(session, "request_is_https", lambda: https)
    at = _reload(monkeypatch, {name: token})
    assert not at.exception
    assert at.session_state["principal"].username == "boss"
    assert any("Xin chào" in s.value for s in at.success)
    # the browser already holds the token: a resumed page never writes the cookie back, so a
    # late-loading tab cannot re-set a cookie that a logout in another tab has just cleared
    assert not any(token in (f.proto.srcdoc or "") for f in at.get("iframe"))


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


def test_invalid_app_settings_show_an_error_page_instead_of_the_suite(store, settings):
    settings.apps = {"travel_permit": {"quota_precent": 20}, "checkpoints": {"leeway_seconds": -1}}
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "Cấu hình không hợp lệ" in at.error[0].value
    shown = at.code[0].value
    assert "quota_precent: unknown setting; did you mean quota_percent?" in shown
    assert "[apps.checkpoints] leeway_seconds" in shown
    assert not at.text_input and not at.get("page_link")  # no login, no menu
    settings.apps = {}
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.error and at.text_input  # fixed: the login page again


# -- the staff home page: each role's pending work (issue 18 item 9) ---------------------------


def _venue_waiting(owner: str = "shop1") -> None:
    from apps.health_declaration import service as hd
    from core import geo

    ward = geo.wards(geo.DA_NANG)[0].code
    hd.register_venue(
        make_principal(owner, "business"),
        {
            "name": "Quán Cô Ba",
            "kind": "shop",
            "province_code": geo.DA_NANG,
            "ward_code": ward,
            "street": "5 Lê Duẩn",
            "contact_phone": "0905 111 222",
        },
    )


def test_pending_work_gathers_every_apps_piles_the_principal_may_open(store):
    from core.ui import shell

    officer = make_principal("yte", "health_officer")
    assert shell.pending_work(officer) == []
    _venue_waiting()
    _venue_waiting("shop2")
    work = shell.pending_work(officer)
    assert [(w.app_id, w.label_key, w.count, w.page.key) for w in work] == [
        ("health_declaration", "hd.pending.venues", 2, "health_declaration.venues")
    ]
    for role in ("business", "approver", "checkpoint", "admin"):
        assert shell.pending_work(make_principal("x", role)) == [], role
    assert shell.pending_work(session.ANONYMOUS) == []


def test_pending_work_survives_an_app_that_fails_or_answers_in_another_shape(
    store, monkeypatch, caplog
):
    """One app's broken answer is logged and left out; the other apps' piles still show."""
    from core.registry import Registry
    from core.ui import shell

    _venue_waiting()
    both = make_principal("yte", "health_officer", "health_worker")
    answers: dict[str, object] = {}
    real = Registry.interface

    def interface(self, app_id, name):  # the hooks are imported once: swap them here
        if name == "pending_work" and app_id in answers:
            return answers[app_id]
        return real(self, app_id, name)

    def boom(principal):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Registry, "interface", interface)
    answers["outreach"] = boom
    assert [w.label_key for w in shell.pending_work(both)] == ["hd.pending.venues"]
    assert "pending work of outreach" in caplog.text
    for bad in ({"n": 1}, [("or.pending.due", "1", "outreach.today")], [("k", 1)], "x", None):
        answers["outreach"] = lambda p, bad=bad: bad
        assert [w.label_key for w in shell.pending_work(both)] == ["hd.pending.venues"], bad
    import numpy as np

    answers["outreach"] = lambda p: [("or.pending.due", np.int64(2), "outreach.today")]
    assert [(w.label_key, w.count) for w in shell.pending_work(both)] == [
        ("hd.pending.venues", 1),
        ("or.pending.due", 2),
    ]
    # a page the principal may not open, an unknown page, or nothing to do: no line
    answers["health_declaration"] = lambda p: [("hd.pending.venues", 3, "core.accounts")]
    answers["outreach"] = lambda p: [("or.pending.due", 2, "nope.page"), ("x", 0, "outreach.today")]
    assert shell.pending_work(both) == []


def test_the_home_page_shows_each_roles_pending_work_with_a_link(store, admin):
    accounts.create_user(admin, "yte", "Cán Bộ Y Tế", "health_officer", PASSWORD)
    at = _login(AppTest.from_file(APP, default_timeout=30).run(), "yte", PASSWORD)
    assert not at.exception
    assert "Việc đang chờ bạn" in [s.value for s in at.subheader]
    assert "Hiện không có việc nào đang chờ bạn." in page_text(at)
    _venue_waiting()
    at.run()
    assert [(m.label, m.value) for m in at.metric] == [("Địa điểm chờ duyệt", "1")]
    links = {link.proto.page: link.proto.label for link in at.main.get("page_link")}
    assert links == {"health_declaration-venues": "Mở “Địa điểm check-in”"}
    assert "Hiện không có việc nào đang chờ bạn." not in page_text(at)
