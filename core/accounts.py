"""Local accounts: argon2id hashes, password policy, lockout, enable/disable, password reset,
and role grants (a user holds one or more roles, each everywhere or in one area)."""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core import audit, clock
from core.auth import Grant, GrantError, Principal, check_grant, grant_label, parse_grant, require
from core.config import get_settings
from core.i18n import t
from core.store import Store, get_store
from core.text import nfc

HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory defaults
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 128
MAX_NAME = 120


class AccountError(Exception):
    """A user-facing account problem; ``code`` identifies it for tests and the UI."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown users (same time as a real check); made on first
    use, so importing this module stays cheap."""
    return HASHER.hash("timing-equaliser-not-a-password")


@dataclass(frozen=True)
class User:
    id: str
    username: str
    full_name: str
    disabled: bool
    locked_until: Any
    created_at: Any
    last_login_at: Any
    grants: tuple[Grant, ...] = ()

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def grant_labels(self) -> list[str]:
        """Each grant in words (role label, area name), for lists."""
        return [grant_label(g) for g in self.grants]


RoleSpec = str | Grant
"""A role id, ``ROLE@SCOPE`` text, or a Grant."""


def normalize_grants(roles: RoleSpec | Iterable[RoleSpec]) -> tuple[Grant, ...]:
    """Checked grants, one per role, sorted; AccountError (field ``roles``) for an unknown
    role, a scope that does not fit, a role given twice or none at all."""
    items = [roles] if isinstance(roles, str | Grant) else list(roles)
    out: dict[str, Grant] = {}
    try:
        for item in items:
            grant = check_grant(item) if isinstance(item, Grant) else parse_grant(str(item))
            if grant.role in out:
                raise AccountError("bad_role", t("accounts.role_twice", role=grant.role), "roles")
            out[grant.role] = grant
    except GrantError as exc:
        raise AccountError("bad_role", str(exc), "roles") from None
    if not out:
        raise AccountError("bad_role", t("accounts.no_role"), "roles")
    return tuple(sorted(out.values()))


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


_USER_FIELDS = ("id", "username", "full_name", "disabled", "locked_until", "created_at")


def _grants_of(store: Store, user_ids: Sequence[str]) -> dict[str, tuple[Grant, ...]]:
    rows = store.fetchall(
        "SELECT user_id, role, scope FROM user_roles WHERE list_contains(?, user_id)"
        " ORDER BY user_id, role",
        [list(user_ids)],
    )
    out: dict[str, list[Grant]] = {}
    for user_id, role, scope in rows:
        out.setdefault(user_id, []).append(Grant(role, scope))
    return {k: tuple(v) for k, v in out.items()}


def _row_to_user(row: dict[str, Any], grants: tuple[Grant, ...] = ()) -> User:
    return User(
        **{k: row[k] for k in _USER_FIELDS},
        last_login_at=row["last_login_at"],
        grants=grants,
    )


def _users(store: Store, rows: list[dict[str, Any]]) -> list[User]:
    grants = _grants_of(store, [r["id"] for r in rows]) if rows else {}
    return [_row_to_user(r, grants.get(r["id"], ())) for r in rows]


def create_user(
    principal: Principal,
    username: str,
    full_name: str,
    roles: RoleSpec | Iterable[RoleSpec],
    password: str,
    *,
    store: Store | None = None,
) -> User:
    """Create an account (admins) holding ``roles``: a role id, ``ROLE@SCOPE`` or a Grant, or
    several. Self-registration flows call ``insert_user``."""
    require(principal, "admin")
    return insert_user(principal, username, full_name, roles, password, store=store)


def _actor_name(actor: Principal | str) -> str:
    return actor.actor if isinstance(actor, Principal) else str(actor)


def insert_user(
    actor: Principal | str,
    username: str,
    full_name: str,
    roles: RoleSpec | Iterable[RoleSpec],
    password: str,
    *,
    store: Store | None = None,
) -> User:
    """Validate and insert an account without a role check: for ``create_user`` and for apps'
    self-registration services, which apply their own rules. Joins the caller's transaction."""
    store = store or get_store()
    name = validate_username(username)
    full = _validate_full_name(full_name)
    grants = normalize_grants(roles)
    check_password_policy(password, name)
    now = clock.utcnow_naive()
    with store.transaction() as cur:
        if cur.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchone():
            raise AccountError("exists", t("accounts.exists", username=name), "username")
        uid = str(uuid.uuid4())
        cur.execute(
            "INSERT INTO users (id, username, full_name, password_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [uid, name, full, HASHER.hash(password), now],
        )
        cur.executemany(
            "INSERT INTO user_roles (user_id, role, scope, granted_at, granted_by)"
            " VALUES (?, ?, ?, ?, ?)",
            [[uid, g.role, g.scope, now, _actor_name(actor)[:100]] for g in grants],
        )
        audit.record(
            actor, "user.create", "user", name, {"roles": [str(g) for g in grants]}, store=store
        )
    return get_user(name, store=store)


def _change_grants(
    store: Store,
    actor: Principal,
    user: User,
    add: Sequence[Grant],
    remove: Sequence[Grant],
) -> None:
    """Apply grant changes in one transaction, one audit row each (``user.grant`` /
    ``user.revoke``); the account keeps at least one role and an admin keeps their own."""
    left = (set(user.grants) - set(remove)) | set(add)
    if not left:
        raise AccountError("last_role", t("accounts.last_role"), "roles")
    if (
        actor.user_id is not None
        and actor.user_id == user.id
        and any(g.role == "admin" for g in remove)
        and not any(g.role == "admin" for g in left)
    ):
        raise AccountError("self_admin", t("accounts.self_admin"), "roles")
    now = clock.utcnow_naive()
    with store.transaction() as cur:
        for g in remove:
            cur.execute(
                "DELETE FROM user_roles WHERE user_id = ? AND role = ? AND scope = ?",
                [user.id, g.role, g.scope],
            )
            audit.record(
                actor,
                "user.revoke",
                "user",
                user.username,
                {"role": g.role, "scope": g.scope},
                store=store,
            )
        for g in add:
            cur.execute(
                "INSERT INTO user_roles (user_id, role, scope, granted_at, granted_by)"
                " VALUES (?, ?, ?, ?, ?)",
                [user.id, g.role, g.scope, now, actor.actor[:100]],
            )
            audit.record(
                actor,
                "user.grant",
                "user",
                user.username,
                {"role": g.role, "scope": g.scope},
                store=store,
            )


def grant_role(
    principal: Principal, username: str, grant: RoleSpec, *, store: Store | None = None
) -> User:
    """Give ``username`` one more role (admins); an error if they hold that role already."""
    require(principal, "admin")
    store = store or get_store()
    (new,) = normalize_grants(grant)
    user = get_user(username, store=store)
    if user.has_role(new.role):
        raise AccountError(
            "grant_exists",
            t("accounts.grant_exists", username=user.username, role=new.role),
            "roles",
        )
    _change_grants(store, principal, user, [new], [])
    return get_user(username, store=store)


def revoke_role(
    principal: Principal, username: str, grant: RoleSpec, *, store: Store | None = None
) -> User:
    """Take a role away from ``username`` (admins). ``ROLE@SCOPE`` must name the held scope;
    a bare ``ROLE`` revokes it whatever its scope."""
    require(principal, "admin")
    store = store or get_store()
    user = get_user(username, store=store)
    spec = grant if isinstance(grant, Grant) else None
    if spec is None:
        role, _, scope = str(grant).strip().partition("@")
        spec = Grant(role.strip().lower(), scope.strip().lower())
    held = [g for g in user.grants if g.role == spec.role and (not spec.scope or g == spec)]
    if not held:
        raise AccountError(
            "grant_missing",
            t("accounts.grant_missing", username=user.username, role=str(spec)[:60]),
            "roles",
        )
    _change_grants(store, principal, user, [], held)
    return get_user(username, store=store)


def set_grants(
    principal: Principal,
    username: str,
    roles: RoleSpec | Iterable[RoleSpec],
    *,
    store: Store | None = None,
) -> User:
    """Make ``username`` hold exactly ``roles`` (admins; the accounts page). Only what
    changes is written and audited; a changed scope is a revoke and a grant."""
    require(principal, "admin")
    store = store or get_store()
    wanted = set(normalize_grants(roles))
    user = get_user(username, store=store)
    held = set(user.grants)
    if wanted != held:
        _change_grants(store, principal, user, sorted(wanted - held), sorted(held - wanted))
    return get_user(username, store=store)


def _user_record(username: str, store: Store) -> dict[str, Any] | None:
    rows = store.records("SELECT * FROM users WHERE username = ?", [nfc(username).lower()])
    return rows[0] if rows else None


def get_user(username: str, *, store: Store | None = None) -> User:
    store = store or get_store()
    row = _user_record(username, store)
    if row is None:
        raise AccountError(
            "unknown_user", t("accounts.unknown_user", username=username), "username"
        )
    return _users(store, [row])[0]


def user_by_id(user_id: str, *, store: Store | None = None) -> User | None:
    store = store or get_store()
    rows = store.records("SELECT * FROM users WHERE id = ?", [user_id])
    return _users(store, rows)[0] if rows else None


def list_users(principal: Principal, *, store: Store | None = None) -> list[User]:
    require(principal, "admin")
    store = store or get_store()
    return _users(store, store.records("SELECT * FROM users ORDER BY username"))


def set_disabled(
    principal: Principal, username: str, disabled: bool, *, store: Store | None = None
) -> User:
    require(principal, "admin")
    store = store or get_store()
    user = get_user(username, store=store)
    if disabled and principal.user_id is not None and user.id == principal.user_id:
        raise AccountError("self_disable", t("accounts.self_disable"), "username")
    with store.transaction():
        store.execute(
            "UPDATE users SET disabled = ?, failed_logins = 0, locked_until = NULL WHERE id = ?",
            [disabled, user.id],
        )
        audit.record(
            principal,
            "user.disable" if disabled else "user.enable",
            "user",
            user.username,
            store=store,
        )
    return get_user(username, store=store)


def reset_password(
    principal: Principal, username: str, new_password: str, *, store: Store | None = None
) -> None:
    """Set a new password and clear any lockout. Admins, or a user for themselves."""
    store = store or get_store()
    user = get_user(username, store=store)
    if principal.user_id != user.id:
        require(principal, "admin")
    check_password_policy(new_password, user.username)
    with store.transaction():
        store.execute(
            "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?",
            [HASHER.hash(new_password), user.id],
        )
        audit.record(principal, "user.reset_password", "user", user.username, store=store)


def principal_for(user: User) -> Principal:
    return Principal.of(user.username, user.grants, user_id=user.id, full_name=user.full_name)


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
            HASHER.verify(_dummy_hash(), password)
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
    return principal_for(_users(store, [row])[0])


def session_stamp(user_id: str | None, *, store: Store | None = None) -> str | None:
    """A fingerprint of what a login session relies on (roles and their scopes, password);
    ``None`` when the account is gone or disabled. A session whose stamp changed must end."""
    if user_id is None:
        return None
    store = store or get_store()
    row = store.fetchone("SELECT password_hash, disabled FROM users WHERE id = ?", [user_id])
    if row is None or row[1]:
        return None
    grants = store.fetchall(
        "SELECT role, scope FROM user_roles WHERE user_id = ? ORDER BY role, scope", [user_id]
    )
    held = "\x01".join(f"{role}@{scope}" for role, scope in grants)
    return hashlib.sha256(f"{held}\x00{row[0]}".encode()).hexdigest()


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
    """(username, roles) of the enabled accounts among ``usernames``, by roles, then up to
    ``extra`` more enabled accounts holding ``extra_role`` (oldest first). For login banners."""
    store = store or get_store()
    rows = store.fetchall(
        "WITH held AS (SELECT u.username, u.created_at, list_contains(?, u.username) AS named,"
        " bool_or(r.role = ?) AS extra_role, string_agg(CASE WHEN r.scope = '' THEN r.role"
        " ELSE r.role || '@' || r.scope END, ', ' ORDER BY r.role) AS roles"
        " FROM users u JOIN user_roles r ON r.user_id = u.id WHERE NOT u.disabled"
        " GROUP BY u.username, u.created_at)"
        " (SELECT username, roles, 0 AS part, roles AS k1, username AS k2 FROM held WHERE named)"
        " UNION ALL (SELECT username, roles, 1, created_at::VARCHAR, username FROM held"
        " WHERE extra_role AND NOT named ORDER BY created_at, username LIMIT ?)"
        " ORDER BY part, k1, k2",
        [list(usernames), extra_role or "", max(0, int(extra)) if extra_role else 0],
    )
    return [(r[0], r[1]) for r in rows]


def count_users(store: Store | None = None) -> int:
    return int((store or get_store()).scalar("SELECT count(*) FROM users"))
