"""Remembered logins (a page reload resumes the login): every way one must end, and hostile
cookie text."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from core import accounts, login_sessions

GOOD = "Mat-khau-2021"


def _login(store, admin, name="lan"):
    accounts.create_user(admin, name, "Nguyễn Thị Lan", "approver", GOOD, store=store)
    return accounts.authenticate(name, GOOD, store=store)


def test_a_token_resumes_its_login_and_only_its_hash_is_stored(store, admin, frozen_clock):
    principal = _login(store, admin)
    token = login_sessions.open_session(principal)
    assert login_sessions.is_token(token)
    again = login_sessions.resume(token)
    assert again == principal and again.full_name == "Nguyễn Thị Lan"
    stored = store.fetchall("SELECT * FROM login_sessions")
    assert len(stored) == 1 and token not in str(stored)


def test_logout_closes_the_token_for_every_tab(store, admin, frozen_clock):
    token = login_sessions.open_session(_login(store, admin))
    assert login_sessions.alive(token) and login_sessions.alive(token, touch=False)
    login_sessions.close(token)  # logout in one tab
    assert not login_sessions.alive(token)  # the other tabs see it on their next rerun
    assert not login_sessions.alive(token, touch=False)
    assert login_sessions.resume(token) is None


def test_a_deleted_account_ends_it(store, admin, frozen_clock):
    token = login_sessions.open_session(_login(store, admin))
    store.execute("DELETE FROM users WHERE username = 'lan'")
    assert login_sessions.resume(token) is None
    assert store.scalar("SELECT count(*) FROM login_sessions") == 0


def test_idle_timeout_counts_from_the_last_use(store, admin, frozen_clock, settings):
    token = login_sessions.open_session(_login(store, admin))
    idle = timedelta(minutes=settings.session_timeout_minutes)
    frozen_clock[0] += idle - timedelta(minutes=1)
    assert login_sessions.alive(token)  # notes the use
    frozen_clock[0] += idle
    assert login_sessions.alive(token, touch=False)  # exactly at the limit: still open
    assert login_sessions.resume(token) is not None
    frozen_clock[0] += idle + timedelta(seconds=1)
    assert not login_sessions.alive(token, touch=False)
    assert login_sessions.resume(token) is None
    assert store.scalar("SELECT count(*) FROM login_sessions") == 0  # and it is gone


def test_lifetime_ends_a_busy_session_and_old_rows_are_purged(store, admin, frozen_clock, settings):
    principal = _login(store, admin)
    token = login_sessions.open_session(principal)
    end = frozen_clock[0] + timedelta(hours=settings.session_lifetime_hours)
    while frozen_clock[0] < end - timedelta(minutes=10):
        frozen_clock[0] += timedelta(minutes=10)
        assert login_sessions.alive(token)  # busy all along
    frozen_clock[0] = end + timedelta(seconds=1)
    assert not login_sessions.alive(token)  # an open tab ends too
    assert login_sessions.resume(token) is None

    stale = login_sessions.open_session(principal)
    frozen_clock[0] += timedelta(hours=settings.session_lifetime_hours, seconds=1)
    login_sessions.open_session(principal)  # opening a new one deletes expired ones
    assert store.scalar("SELECT count(*) FROM login_sessions") == 1
    assert login_sessions.resume(stale) is None


def test_password_reset_role_change_or_disabling_ends_it(store, admin, frozen_clock):
    principal = _login(store, admin)
    reset = login_sessions.open_session(principal)
    accounts.reset_password(admin, "lan", "Mat-khau-moi-2022", store=store)
    assert login_sessions.resume(reset) is None

    principal = accounts.authenticate("lan", "Mat-khau-moi-2022", store=store)
    disabled = login_sessions.open_session(principal)
    accounts.set_disabled(admin, "lan", True, store=store)
    assert login_sessions.resume(disabled) is None
    accounts.set_disabled(admin, "lan", False, store=store)
    assert login_sessions.resume(disabled) is None  # enabling again does not revive it

    principal = accounts.authenticate("lan", "Mat-khau-moi-2022", store=store)
    role = login_sessions.open_session(principal)
    accounts.grant_role(admin, "lan", "health_officer", store=store)
    assert login_sessions.resume(role) is None

    principal = accounts.authenticate("lan", "Mat-khau-moi-2022", store=store)
    assert principal.roles == {"approver", "health_officer"}
    revoked = login_sessions.open_session(principal)
    accounts.revoke_role(admin, "lan", "health_officer", store=store)
    assert login_sessions.resume(revoked) is None


def test_a_disabled_account_cannot_open_one(store, admin, frozen_clock):
    principal = _login(store, admin)
    accounts.set_disabled(admin, "lan", True, store=store)
    with pytest.raises(ValueError):
        login_sessions.open_session(principal)


def test_only_the_exact_token_resumes(store, admin, frozen_clock):
    token = login_sessions.open_session(_login(store, admin))
    for i in range(len(token)):
        other = "A" if token[i] != "A" else "B"
        assert login_sessions.resume(token[:i] + other + token[i + 1 :]) is None
    assert login_sessions.resume(token) is not None  # the guesses did not close it


@pytest.fixture()
def open_token(store, admin, frozen_clock):
    return login_sessions.open_session(_login(store, admin))


def _near(token: str) -> st.SearchStrategy:
    """Cookie values a browser or an attacker could send, many close to the real token."""
    return st.one_of(
        st.text(max_size=200),
        st.text(alphabet=token + "=;% ", min_size=40, max_size=46),
        st.builds(lambda a, b: a + token + b, st.text(max_size=3), st.text(max_size=3)),
        st.binary(max_size=64),
        st.none(),
        st.integers(),
    )


@hsettings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_cookie_value_gives_none_and_never_raises(open_token, data):
    cookie = data.draw(_near(open_token).filter(lambda c: c != open_token))
    assert login_sessions.resume(cookie) is None
    assert not login_sessions.alive(cookie)
    login_sessions.close(cookie)
    assert login_sessions.alive(open_token, touch=False)  # the real one is untouched


def test_tabs_presenting_one_expired_cookie_at_once_do_not_fail(store, admin, frozen_clock):
    principal = _login(store, admin)
    errors: list[BaseException] = []
    for _ in range(20):
        token = login_sessions.open_session(principal)
        frozen_clock[0] += timedelta(hours=1)  # idle past the timeout

        def reload(token: str = token) -> None:
            try:
                assert login_sessions.resume(token) is None
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=reload) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert errors == []
    assert store.scalar("SELECT count(*) FROM login_sessions") == 0


def test_a_logout_racing_a_resume_is_not_undone(store, admin, frozen_clock, monkeypatch):
    token = login_sessions.open_session(_login(store, admin))
    real = accounts.session_stamp

    def stamp_with_logout_in_between(user_id, **kw):
        login_sessions.close(token)  # another tab logs out between the lookup and the check
        return real(user_id, **kw)

    monkeypatch.setattr(accounts, "session_stamp", stamp_with_logout_in_between)
    login_sessions.resume(token)
    monkeypatch.setattr(accounts, "session_stamp", real)
    assert not login_sessions.alive(token)  # the resumed tab ends on its next rerun
    assert login_sessions.resume(token) is None
