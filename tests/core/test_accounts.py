from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from core import accounts
from core.accounts import AccountError
from core.auth import ANONYMOUS, PermissionDenied
from core.testkit import make_principal

GOOD = "Mat-khau-2021"


def _user(store, admin, name="lan", role="approver", password=GOOD):
    return accounts.create_user(admin, name, "Nguyễn Thị Lan", role, password, store=store)


def test_password_is_argon2id_hashed(store, admin):
    _user(store, admin)
    stored = store.scalar("SELECT password_hash FROM users WHERE username = 'lan'")
    assert stored.startswith("$argon2id$") and GOOD not in stored


def test_login_ok_and_wrong_password(store, admin):
    _user(store, admin)
    p = accounts.authenticate("lan", GOOD)
    assert p.roles == {"approver"} and p.full_name == "Nguyễn Thị Lan"
    with pytest.raises(AccountError) as err:
        accounts.authenticate("lan", "wrong-password-1")
    assert err.value.code == "bad_credentials"


def test_unknown_user_same_message_as_wrong_password(store, admin):
    _user(store, admin)
    with pytest.raises(AccountError) as a:
        accounts.authenticate("nobody", GOOD)
    with pytest.raises(AccountError) as b:
        accounts.authenticate("lan", "Wrong-pass-99")
    assert str(a.value) == str(b.value)


def test_failures_slow_down_instead_of_locking(store, admin, frozen_clock):
    """Five failures are free; then each makes the next attempt wait 1 s, 2 s, 4 s ...; an
    attempt during the wait is refused unread, and the right password works once it is over."""
    _user(store, admin)
    for _ in range(4):
        with pytest.raises(AccountError, match="không đúng"):
            accounts.authenticate("lan", "Wrong-pass-99")
        assert accounts.login_wait("lan") == 0
    with pytest.raises(AccountError) as err:
        accounts.authenticate("lan", "Wrong-pass-99")
    assert err.value.code == "bad_credentials" and err.value.retry_after == 1
    with pytest.raises(AccountError) as err:
        accounts.authenticate("lan", GOOD)  # refused unread during the wait
    assert err.value.code == "throttled"
    frozen_clock[0] += timedelta(seconds=1.5)
    with pytest.raises(AccountError) as err:
        accounts.authenticate("lan", "Wrong-pass-99")
    assert err.value.retry_after == 2
    frozen_clock[0] += timedelta(seconds=2, microseconds=1)
    assert accounts.authenticate("lan", GOOD).username == "lan"
    assert accounts.login_wait("lan") == 0  # a success clears the account's throttle
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'login.throttle'") == 2


def test_disabled_user_cannot_log_in_and_enable_restores(store, admin):
    _user(store, admin)
    accounts.set_disabled(admin, "lan", True, store=store)
    with pytest.raises(AccountError) as err:
        accounts.authenticate("lan", GOOD)
    assert err.value.code == "disabled"
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'login.disabled'") == 1
    accounts.set_disabled(admin, "lan", False, store=store)
    assert accounts.authenticate("lan", GOOD)


@pytest.mark.parametrize(
    "password, code",
    [
        ("short1", "weak_password"),
        ("onlyletters", "weak_password"),
        ("1234567890", "weak_password"),
        ("lan-password-1", "weak_password"),
        ("x1" * 100, "weak_password"),
    ],
)
def test_password_policy(store, admin, password, code):
    with pytest.raises(AccountError) as err:
        _user(store, admin, password=password)
    assert err.value.code == code and err.value.field == "password"
    assert accounts.count_users(store) == 0


def test_duplicate_and_bad_usernames(store, admin):
    _user(store, admin)
    with pytest.raises(AccountError, match="đã tồn tại"):
        _user(store, admin)
    for bad in ["", "ab", "Robert'); DROP TABLE users;--", "x" * 10_000, "tên có dấu"]:
        with pytest.raises(AccountError):
            _user(store, admin, name=bad)
    assert accounts.count_users(store) == 1


def test_only_admins_manage_accounts(store, admin):
    _user(store, admin)
    for role in ["business", "approver", "checkpoint", "health_officer"]:
        p = make_principal("someone", role)
        with pytest.raises(PermissionDenied):
            accounts.create_user(p, "newbie", "A B", "admin", GOOD, store=store)
        with pytest.raises(PermissionDenied):
            accounts.list_users(p, store=store)
        with pytest.raises(PermissionDenied):
            accounts.set_disabled(p, "lan", True, store=store)
        with pytest.raises(PermissionDenied):
            accounts.reset_password(p, "lan", "Another-pass-1", store=store)
    with pytest.raises(PermissionDenied):
        accounts.list_users(ANONYMOUS, store=store)
    assert accounts.count_users(store) == 1


def test_user_can_reset_own_password(store, admin):
    user = _user(store, admin)
    me = accounts.principal_for(user)
    accounts.reset_password(me, "lan", "Brand-new-pass-7", store=store)
    assert not accounts.authenticate("lan", "Brand-new-pass-7").must_change_password


def test_a_password_set_by_an_admin_must_be_changed(store, admin):
    _user(store, admin)
    accounts.reset_password(admin, "lan", "Another-pass-1", store=store)
    me = accounts.authenticate("lan", "Another-pass-1")
    assert me.must_change_password
    with pytest.raises(AccountError) as err:
        accounts.change_password(me, "wrong-current-1", "Mine-at-last-42", store=store)
    assert err.value.code == "wrong_current"
    with pytest.raises(AccountError) as err:
        accounts.change_password(me, "Another-pass-1", "Another-pass-1", store=store)
    assert err.value.code == "same_password"
    after = accounts.change_password(me, "Another-pass-1", "Mine-at-last-42", store=store)
    assert not after.must_change_password
    assert not accounts.authenticate("lan", "Mine-at-last-42").must_change_password
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'user.change_password'")


def test_every_account_change_is_audited(store, admin):
    _user(store, admin)
    accounts.set_disabled(admin, "lan", True, store=store)
    accounts.reset_password(admin, "lan", "Another-pass-1", store=store)
    actions = {r[0] for r in store.fetchall("SELECT action FROM audit_log")}
    assert {"user.create", "user.disable", "user.reset_password"} <= actions


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(username=st.text(max_size=300), password=st.text(max_size=300))
def test_login_fields_never_crash(store, username, password):
    with pytest.raises(AccountError):
        accounts.authenticate(username, password)


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    username=st.text(max_size=64), full_name=st.text(max_size=400), password=st.text(max_size=200)
)
def test_create_user_fields_validate_or_refuse(store, admin, username, full_name, password):
    try:
        user = accounts.create_user(admin, username, full_name, "approver", password, store=store)
    except AccountError as exc:
        assert str(exc)
    else:
        assert user.full_name == " ".join(user.full_name.split())
