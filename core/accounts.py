"""Local accounts: argon2id hashes, password policy, lockout, enable/disable, password reset."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core import audit, clock
from core.auth import Principal, require
from core.config import get_settings
from core.i18n import t
from core.registry import ROLES
from core.store import Store, get_store
from core.text import nfc

HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory defaults
_DUMMY_HASH = HASHER.hash("timing-equaliser-not-a-password")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 128
MAX_NAME = 120


class AccountError(Exception):
    """A user-facing account problem; ``code`` identifies it for tests and the UI."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class User:
    id: str
    username: str
    full_name: str
    role: str
    disabled: bool
    locked_until: Any
    created_at: Any
    last_login_at: Any


def check_password_policy(password: str, username: str = "") -> None:
    """At least 10 characters, a letter and a digit, not containing the user name."""
    if not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD):
        raise AccountError(
            "weak_password",
            t("accounts.password_length", min=MIN_PASSWORD, max=MAX_PASSWORD),
            "password",
        )
    if not re.search(r"[^\W\d_]", password) or not re.search(r"\d", password):
        raise AccountError("weak_password", t("accounts.password_mix"), "password")
    if username and username.lower() in password.lower():
        raise AccountError("weak_password", t("accounts.password_username"), "password")


def validate_username(username: str) -> str:
    name = nfc(username).lower()
    if not USERNAME.match(name):
        raise AccountError("bad_username", t("accounts.bad_username"), "username")
    return name


def _validate_full_name(full_name: str) -> str:
    name = " ".join(nfc(full_name).split())
    if not name or len(name) > MAX_NAME:
        raise AccountError("bad_full_name", t("accounts.bad_full_name", max=MAX_NAME), "full_name")
    return name


def _row_to_user(row: dict[str, Any]) -> User:
    return User(**{k: row[k] for k in User.__dataclass_fields__})


def create_user(
    actor: Principal,
    username: str,
    full_name: str,
    role: str,
    password: str,
    *,
    store: Store | None = None,
) -> User:
    """Create an account (admins). Self-registration flows call ``insert_user``."""
    require(actor, "admin")
    return insert_user(actor, username, full_name, role, password, store=store)


def insert_user(
    actor: Principal | str,
    username: str,
    full_name: str,
    role: str,
    password: str,
    *,
    store: Store | None = None,
) -> User:
    """Validate and insert an account without a role check: for ``create_user`` and for apps'
    self-registration services, which apply their own rules. Joins the caller's transaction."""
    store = store or get_store()
    name = validate_username(username)
    full = _validate_full_name(full_name)
    if role not in ROLES:
        raise AccountError("bad_role", t("accounts.bad_role", roles=", ".join(ROLES)), "role")
    check_password_policy(password, name)
    with store.transaction() as cur:
        if cur.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchone():
            raise AccountError("exists", t("accounts.exists", username=name), "username")
        uid = str(uuid.uuid4())
        cur.execute(
            "INSERT INTO users (id, username, full_name, role, password_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [uid, name, full, role, HASHER.hash(password), clock.utcnow_naive()],
        )
        audit.record(actor, "user.create", "user", name, {"role": role}, store=store)
    return get_user(name, store=store)


def _user_record(username: str, store: Store) -> dict[str, Any] | None:
    rows = store.records("SELECT * FROM users WHERE username = ?", [nfc(username).lower()])
    return rows[0] if rows else None


def get_user(username: str, *, store: Store | None = None) -> User:
    row = _user_record(username, store or get_store())
    if row is None:
        raise AccountError(
            "unknown_user", t("accounts.unknown_user", username=username), "username"
        )
    return _row_to_user(row)


def user_by_id(user_id: str, *, store: Store | None = None) -> User | None:
    rows = (store or get_store()).records("SELECT * FROM users WHERE id = ?", [user_id])
    return _row_to_user(rows[0]) if rows else None


def list_users(actor: Principal, *, store: Store | None = None) -> list[User]:
    require(actor, "admin")
    rows = (store or get_store()).records("SELECT * FROM users ORDER BY username")
    return [_row_to_user(r) for r in rows]


def set_disabled(
    actor: Principal, username: str, disabled: bool, *, store: Store | None = None
) -> User:
    require(actor, "admin")
    store = store or get_store()
    user = get_user(username, store=store)
    if disabled and actor.user_id is not None and user.id == actor.user_id:
        raise AccountError("self_disable", t("accounts.self_disable"), "username")
    with store.transaction():
        store.execute(
            "UPDATE users SET disabled = ?, failed_logins = 0, locked_until = NULL WHERE id = ?",
            [disabled, user.id],
        )
        audit.record(
            actor, "user.disable" if disabled else "user.enable", "user", user.username, store=store
        )
    return get_user(username, store=store)


def reset_password(
    actor: Principal, username: str, new_password: str, *, store: Store | None = None
) -> None:
    """Set a new password and clear any lockout. Admins, or a user for themselves."""
    store = store or get_store()
    user = get_user(username, store=store)
    if actor.user_id != user.id:
        require(actor, "admin")
    check_password_policy(new_password, user.username)
    with store.transaction():
        store.execute(
            "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?",
            [HASHER.hash(new_password), user.id],
        )
        audit.record(actor, "user.reset_password", "user", user.username, store=store)


def principal_for(user: User) -> Principal:
    return Principal(
        username=user.username,
        roles=frozenset({user.role}),
        user_id=user.id,
        full_name=user.full_name,
    )


def _locked_error(until: datetime) -> AccountError:
    return AccountError("locked", t("auth.locked", until=clock.fmt_local(until, "%H:%M")))


def authenticate(username: str, password: str, *, store: Store | None = None) -> Principal:
    """Check a login. Wrong password and unknown user give the same message; 5 failures lock."""
    store = store or get_store()
    settings = get_settings()
    bad = AccountError("bad_credentials", t("auth.bad_credentials"))
    if not username or not password or len(username) > 64 or len(password) > MAX_PASSWORD:
        raise bad
    row = _user_record(username, store)
    if row is None:
        try:
            HASHER.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        raise bad
    now = clock.utcnow_naive()
    if row["locked_until"] is not None and row["locked_until"] > now:
        raise _locked_error(row["locked_until"])
    try:
        HASHER.verify(row["password_hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        failures = (row["failed_logins"] or 0) + 1
        locked = None
        if failures >= settings.lockout_attempts:
            locked = now + timedelta(minutes=settings.lockout_minutes)
            failures = 0
        with store.transaction():
            store.execute(
                "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
                [failures, locked, row["id"]],
            )
            if locked is not None:
                audit.record("system", "user.lock", "user", row["username"], store=store)
        if locked is not None:
            raise _locked_error(locked) from None
        raise bad from None
    if row["disabled"]:
        raise AccountError("disabled", t("auth.disabled"))
    store.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?",
        [now, row["id"]],
    )
    if HASHER.check_needs_rehash(row["password_hash"]):
        store.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?", [HASHER.hash(password), row["id"]]
        )
    return principal_for(_row_to_user(row))


def session_stamp(user_id: str | None, *, store: Store | None = None) -> str | None:
    """A fingerprint of what a login session relies on (role, password); ``None`` when the
    account is gone or disabled. A session whose stamp changed must end."""
    if user_id is None:
        return None
    row = (store or get_store()).fetchone(
        "SELECT role, password_hash, disabled FROM users WHERE id = ?", [user_id]
    )
    if row is None or row[2]:
        return None
    return hashlib.sha256(f"{row[0]}\x00{row[1]}".encode()).hexdigest()


def user_exists(username: str, *, store: Store | None = None) -> bool:
    name = nfc(username).lower()
    return (store or get_store()).scalar(
        "SELECT 1 FROM users WHERE username = ?", [name]
    ) is not None


def active_logins(
    usernames: Sequence[str],
    *,
    extra_role: str | None = None,
    extra: int = 0,
    store: Store | None = None,
) -> list[tuple[str, str]]:
    """(username, role) of the enabled accounts among ``usernames``, by role, then up to
    ``extra`` more enabled accounts of ``extra_role`` (oldest first). For login banners."""
    store = store or get_store()
    named = store.fetchall(
        "SELECT username, role FROM users WHERE NOT disabled AND list_contains(?, username)"
        " ORDER BY role, username",
        [list(usernames)],
    )
    more = []
    if extra_role and extra > 0:
        more = store.fetchall(
            "SELECT username, role FROM users WHERE NOT disabled AND role = ?"
            " ORDER BY created_at, username LIMIT ?",
            [extra_role, extra],
        )
    return [(r[0], r[1]) for r in named + more]


def count_users(store: Store | None = None) -> int:
    return int((store or get_store()).scalar("SELECT count(*) FROM users"))
