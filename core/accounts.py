"""Local accounts: argon2id hashes, password policy, login throttling, enable/disable, password
reset and change (a password someone else chose must be changed at the first login), and role
grants (a user holds one or more roles, each everywhere or in one area).

Failed logins are slowed, never locked: after ``lockout_attempts`` failures of one account name
(known or not) each further failure makes the next attempt wait 1 s, 2 s, 4 s ... up to
``lockout_minutes``; a client address gets four times as many free failures across all names.
While a wait runs, attempts are refused without reading the password, so the server thread
never sleeps and the real user logs in once the wait is over. Every refusal (unknown name,
wrong password, disabled account, waiting) gives the same message."""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import math
import re
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core import audit, clock
from core.auth import Grant, GrantError, Principal, check_grant, grant_label, parse_grant, require
from core.config import get_settings
from core.i18n import t
from core.store import Store, get_store
from core.text import nfc

log = logging.getLogger(__name__)

HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory defaults
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 128
MAX_NAME = 120


class AccountError(Exception):
    """A user-facing account problem; ``code`` identifies it for tests and the UI."""

    def __init__(
        self, code: str, message: str, field: str | None = None, *, retry_after: int = 0
    ) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.retry_after = retry_after


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
    must_change_password: bool = False

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
        must_change_password=bool(row.get("must_change_password")),
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
    must_change: bool = False,
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
            "INSERT INTO users (id, username, full_name, password_hash, created_at,"
            " must_change_password) VALUES (?, ?, ?, ?, ?, ?)",
            [uid, name, full, HASHER.hash(password), now, must_change],
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
    if "\x00" in username:  # no account has one (PostgreSQL text cannot even hold it)
        return None
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
        _clear_throttle(store, user.username)
        audit.record(
            principal,
            "user.disable" if disabled else "user.enable",
            "user",
            user.username,
            store=store,
        )
    return get_user(username, store=store)


def reset_password(
    principal: Principal,
    username: str,
    new_password: str,
    *,
    must_change: bool | None = None,
    store: Store | None = None,
) -> None:
    """Set a new password and clear the login throttle. Admins, or a user for themselves.
    A password set by an admin for someone else must be changed at their next login (unless
    ``must_change=False``)."""
    store = store or get_store()
    user = get_user(username, store=store)
    own = principal.user_id is not None and principal.user_id == user.id
    if not own:
        require(principal, "admin")
    check_password_policy(new_password, user.username)
    flag = (not own) if must_change is None else must_change
    with store.transaction():
        store.execute(
            "UPDATE users SET password_hash = ?, must_change_password = ?, failed_logins = 0,"
            " locked_until = NULL WHERE id = ?",
            [HASHER.hash(new_password), flag, user.id],
        )
        _clear_throttle(store, user.username)
        audit.record(
            principal,
            "user.reset_password",
            "user",
            user.username,
            {"must_change": flag},
            store=store,
        )


def change_password(
    principal: Principal, current: str, new_password: str, *, store: Store | None = None
) -> Principal:
    """A logged-in user replaces their own password (the current one is asked again); clears
    ``must_change_password``. Returns the principal to continue the session with."""
    store = store or get_store()
    if principal.user_id is None:
        from core.auth import PermissionDenied

        raise PermissionDenied(t("auth.login_required"))
    row = store.records("SELECT * FROM users WHERE id = ?", [principal.user_id])
    if not row or row[0]["disabled"]:
        raise AccountError("bad_credentials", t("auth.login_failed", seconds=1))
    record = row[0]
    try:
        HASHER.verify(record["password_hash"], current or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise AccountError(
            "wrong_current", t("password.wrong_current"), "current_password"
        ) from None
    check_password_policy(new_password, record["username"])
    if new_password == current:
        raise AccountError("same_password", t("password.same"), "password")
    with store.transaction():
        store.execute(
            "UPDATE users SET password_hash = ?, must_change_password = FALSE WHERE id = ?",
            [HASHER.hash(new_password), record["id"]],
        )
        audit.record(principal, "user.change_password", "user", record["username"], store=store)
    user = user_by_id(record["id"], store=store)
    assert user is not None
    return principal_for(user)


def random_password() -> str:
    """A password for someone to change at first login: 20 characters of letters and digits
    (about 119 bits), always meeting the policy."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        text = "".join(secrets.choice(alphabet) for _ in range(20))
        if re.search(r"[A-Za-z]", text) and re.search(r"\d", text):
            return text


def principal_for(user: User) -> Principal:
    return Principal.of(
        user.username,
        user.grants,
        user_id=user.id,
        full_name=user.full_name,
        must_change_password=user.must_change_password,
    )


# -- login throttling --------------------------------------------------------------------------

CLIENT_FACTOR = 4
"""An account name across all clients, and a client address across all names, get this many
times ``lockout_attempts`` free failures."""
ACCOUNT_WIDE_CAP_S = 60
"""The longest wait the account-wide throttle imposes: guesses from many addresses are slowed
to about one a minute, yet they never keep the real user out for longer than that."""


def _subject(scope: str, value: str) -> str:
    """A keyed hash of what was typed or the address: the table never holds the text (a
    password typed into the name field must not end up there)."""
    from core.web.security import server_secret

    return hmac.new(server_secret(), f"{scope}\x00{value}".encode(), hashlib.sha256).hexdigest()


def _account_key(username: str) -> str:
    return nfc(username).strip().lower()[:64]


def _throttle_keys(username: str, client: str | None) -> list[tuple[str, str, int, int]]:
    """(scope, subject, free failures, longest wait in s) of the throttles an attempt counts
    against: this name from this client (the fast one), this name from anywhere, this client
    whatever the name."""
    settings = get_settings()
    free, cap = settings.lockout_attempts, settings.lockout_minutes * 60
    name = _account_key(username)
    keys = [
        ("pair", _subject("pair", f"{name}\x00{client or ''}"), free, cap),
        ("account", _subject("account", name), free * CLIENT_FACTOR, min(cap, ACCOUNT_WIDE_CAP_S)),
    ]
    if client:
        keys.append(("client", _subject("client", client), free * CLIENT_FACTOR, cap))
    return keys


def _quiet_reset() -> timedelta:
    """A throttle with no failure for this long starts again from zero."""
    return timedelta(minutes=max(60, 2 * get_settings().lockout_minutes))


def _delay_after(failures: int, free: int, cap: int) -> int:
    """Seconds the next attempt waits after ``failures`` failures: none up to ``free - 1``,
    then 1, 2, 4 ... capped at ``cap``."""
    if failures < free:
        return 0
    return min(cap, 2 ** min(failures - free, 30))


def login_wait(username: str, client: str | None = None, *, store: Store | None = None) -> int:
    """Whole seconds before an attempt for ``username`` from ``client`` is read (0: now)."""
    store = store or get_store()
    now = clock.utcnow_naive()
    wait = 0.0
    for scope, subject, _, _ in _throttle_keys(username, client):
        until = store.scalar(
            "SELECT blocked_until FROM login_throttle WHERE scope = ? AND subject = ?",
            [scope, subject],
        )
        if until is not None and until > now:
            wait = max(wait, (until - now).total_seconds())
    return math.ceil(wait)


def _note_failure(store: Store, username: str, client: str | None) -> tuple[int, int]:
    """Count a failure against each throttle; (longest new wait in seconds, account failures)."""
    now = clock.utcnow_naive()
    quiet_since = now - _quiet_reset()
    wait, account_failures = 0, 0
    with store.transaction() as cur:
        for scope, subject, free, cap in _throttle_keys(username, client):
            row = cur.execute(
                "SELECT failures, last_failure FROM login_throttle WHERE scope = ? AND subject = ?",
                [scope, subject],
            ).fetchone()
            failures = 1 if row is None or row[1] < quiet_since else row[0] + 1
            delay = _delay_after(failures, free, cap)
            until = now + timedelta(seconds=delay) if delay else None
            cur.execute(
                "INSERT INTO login_throttle (scope, subject, failures, last_failure, blocked_until)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, subject) DO UPDATE SET"
                " failures = excluded.failures, last_failure = excluded.last_failure,"
                " blocked_until = excluded.blocked_until",
                [scope, subject, failures, now, until],
            )
            wait = max(wait, delay)
            if scope == "pair":
                account_failures = failures
    return wait, account_failures


def _clear_throttle(store: Store, username: str, client: str | None = None) -> None:
    """A successful login (or an admin's reset) clears the account's throttles; a client's
    throttle only fades with time (logging into one's own account must not reset it)."""
    name = _account_key(username)
    store.execute(
        "DELETE FROM login_throttle WHERE (scope = 'account' AND subject = ?)"
        " OR (scope = 'pair' AND subject = ?)",
        [_subject("account", name), _subject("pair", f"{name}\x00{client or ''}")],
    )


def _refused(wait: int, code: str = "bad_credentials") -> AccountError:
    """The one message of every refused login."""
    seconds = max(1, wait)
    return AccountError(code, t("auth.login_failed", seconds=seconds), retry_after=seconds)


def authenticate(
    username: str,
    password: str,
    *,
    client: str | None = None,
    store: Store | None = None,
) -> Principal:
    """Check a login from ``client`` (an address; None when unknown). Unknown name, wrong
    password, disabled account and an attempt during a wait all raise the same message
    (``AccountError``; ``code`` tells them apart for the audit log and tests only)."""
    store = store or get_store()
    if not username or not password or len(username) > 64 or len(password) > MAX_PASSWORD:
        raise _refused(0)
    wait = login_wait(username, client, store=store)
    if wait > 0:
        raise _refused(wait, "throttled")
    row = _user_record(username, store)
    ok = False
    try:
        HASHER.verify(row["password_hash"] if row else _dummy_hash(), password)
        ok = row is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or row["disabled"]:  # type: ignore[index]
        wait, failures = _note_failure(store, username, client)
        if row is not None and (ok or wait):
            action = "login.disabled" if ok else "login.throttle"
            audit.record(
                "system",
                action,
                "user",
                row["username"],
                {"failures": failures, "wait_s": wait, "client": client or ""},
                store=store,
            )
        raise _refused(wait, "disabled" if ok else "bad_credentials")
    assert row is not None
    now = clock.utcnow_naive()
    with store.transaction():
        store.execute(
            "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ?"
            " WHERE id = ?",
            [now, row["id"]],
        )
        _clear_throttle(store, row["username"], client)
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
