"""Remembered logins (a page reload resumes the login): every way one must end, and hostile
cookie text."""

from __future__ import annotations

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


def test_logout_closes_the_token(store, admin, frozen_clock):
    token = login_sessions.open_session(_login(store, admin))
    login_sessions.close(token)
    assert login_sessions.resume(token) is None


def test_idle_timeout_counts_from_the_last_use(store, admin, frozen_clock, settings):
    token = login_sessions.open_session(_login(store, admin))
    idle = timedelta(minutes=settings.session_timeout_minutes)
    frozen_clock[0] += idle - timedelta(minutes=1)
    login_sessions.touch(token)
    frozen_clock[0] += idle - timedelta(minutes=1)
    assert login_sessions.resume(token) is not None  # used a minute inside each idle window
    frozen_clock[0] += idle + timedelta(seconds=1)
    assert login_sessions.resume(token) is None
    assert store.scalar("SELECT count(*) FROM login_sessions") == 0  # and it is gone


def test_lifetime_ends_a_busy_session_and_old_rows_are_purged(store, admin, frozen_clock, settings):
    principal = _login(store, admin)
    token = login_sessions.open_session(principal)
    end = frozen_clock[0] + timedelta(hours=settings.session_lifetime_hours)
    while frozen_clock[0] < end - timedelta(minutes=10):
        frozen_clock[0] += timedelta(minutes=10)
        assert login_sessions.resume(token) is not None
    frozen_clock[0] = end + timedelta(seconds=1)
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
    store.execute("UPDATE users SET role = 'officer' WHERE username = 'lan'")
    assert login_sessions.resume(role) is None


def test_a_disabled_account_cannot_open_one(store, admin, frozen_clock):
    principal = _login(store, admin)
    accounts.set_disabled(admin, "lan", True, store=store)
    with pytest.raises(ValueError):
        login_sessions.open_session(principal)


def test_a_guessed_token_of_the_right_shape_is_refused(store, admin, frozen_clock):
    login_sessions.open_session(_login(store, admin))
    assert login_sessions.resume("A" * 43) is None


@hsettings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=64), st.none(), st.integers()))
def test_any_cookie_text_gives_none_and_never_raises(store, cookie):
    assert login_sessions.resume(cookie) is None
    login_sessions.touch(cookie)
    login_sessions.close(cookie)
