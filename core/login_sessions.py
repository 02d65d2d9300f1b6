"""Remembered logins: a page reload resumes the login instead of asking for the password again.

Streamlit starts a new session on every page load and cannot set an HTTP cookie from the
server, so after a password login the browser is given a random token in a cookie (set from
the page, see ``core.ui.session``) and a new session presents it back through
``st.context.cookies``. The server keeps only the token's SHA-256, the user and the account's
session stamp. A token resumes a login only while all of these hold:

- it was not closed (logout closes it);
- the account still has the stamp it had at login (not disabled, same role and password);
- it was used within the idle timeout (``session_timeout_minutes``);
- it is younger than ``session_lifetime_hours``.

A token that fails any check is deleted. Tokens are 256-bit random values, so a plain hash is
enough (nothing to brute-force), and an attacker who reads the table cannot use its rows.

The cookie is written by the page's JavaScript (Streamlit has no server-side Set-Cookie), so it
cannot be HttpOnly. It is a session cookie (gone when the browser closes), SameSite=Strict,
``__Host-`` prefixed and Secure over HTTPS, and worth nothing after logout or the idle timeout;
``remember_login = false`` turns the feature off (shared kiosk devices). Tokens are not rotated
on resume: a new tab resumes the same login, and rotating would end the tab it came from.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from core import accounts, clock
from core.auth import Principal
from core.config import get_settings
from core.store import CONFLICTS, Store, get_store

log = logging.getLogger(__name__)

COOKIE = "rapid_session"
#: The name over HTTPS: the ``__Host-`` prefix makes browsers refuse the cookie unless it is
#: Secure, host-only and path-wide, so a sibling subdomain cannot plant one.
SECURE_COOKIE = "__Host-rapid_session"
#: ``secrets.token_urlsafe(32)``: 43 characters of the URL-safe base64 alphabet.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


def cookie_token(cookies: Mapping[str, str], https: bool) -> str | None:
    """The login token the browser sent: over HTTPS only the ``__Host-`` cookie counts (a plain
    one could have been planted by a sibling subdomain or a plain-HTTP response: a login forced
    on the victim); over HTTP only the plain one (browsers refuse ``__Host-`` there)."""
    return cookies.get(SECURE_COOKIE if https else COOKIE)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_token(text: object) -> bool:
    """Whether ``text`` has the shape of a token (cookies are outside input)."""
    return isinstance(text, str) and TOKEN_RE.fullmatch(text) is not None


def _limits(now: datetime) -> tuple[datetime, datetime]:
    """Oldest acceptable (last_seen, created_at) at ``now``."""
    settings = get_settings()
    return (
        now - timedelta(minutes=settings.session_timeout_minutes),
        now - timedelta(hours=settings.session_lifetime_hours),
    )


def open_session(principal: Principal, *, store: Store | None = None) -> str:
    """Remember a login that just passed ``accounts.authenticate``; returns the cookie token.
    Also deletes remembered logins past their lifetime."""
    store = store or get_store()
    stamp = accounts.session_stamp(principal.user_id, store=store)
    if principal.user_id is None or stamp is None:
        raise ValueError("only an active account's login can be remembered")
    token = secrets.token_urlsafe(32)
    now = clock.utcnow_naive()
    _, born_since = _limits(now)
    try:
        store.execute("DELETE FROM login_sessions WHERE created_at < ?", [born_since])
    except CONFLICTS:  # another login purging at the same time
        log.debug("login sessions purged concurrently")
    store.execute(
        "INSERT INTO login_sessions (token_hash, user_id, stamp, created_at, last_seen)"
        " VALUES (?, ?, ?, ?, ?)",
        [_hash(token), principal.user_id, stamp, now, now],
    )
    return token


def _peek(store: Store, key: str, now: datetime) -> tuple[str, str] | None:
    """(user_id, stamp) of a live token (known, not idle too long, not too old), else None."""
    idle_since, born_since = _limits(now)
    return store.fetchone(
        "SELECT user_id, stamp FROM login_sessions WHERE token_hash = ?"
        " AND last_seen >= ? AND created_at >= ?",
        [key, idle_since, born_since],
    )


def _use(store: Store, key: str) -> tuple[str, str] | None:
    """Note a use of a live token in one statement and return (user_id, stamp); None when the
    token is unknown, closed, idle too long or too old. One statement, so a logout landing
    between a check and an update cannot be undone by it."""
    now = clock.utcnow_naive()
    idle_since, born_since = _limits(now)
    try:
        return store.fetchone(
            "UPDATE login_sessions SET last_seen = ? WHERE token_hash = ? AND last_seen >= ?"
            " AND created_at >= ? RETURNING user_id, stamp",
            [now, key, idle_since, born_since],
        )
    except CONFLICTS:  # another tab used it at this instant: it is alive
        return _peek(store, key, now)


def _forget(store: Store, key: str) -> None:
    try:
        store.execute("DELETE FROM login_sessions WHERE token_hash = ?", [key])
    except CONFLICTS:  # another session deleted it at the same time
        log.debug("login session deleted concurrently")


def resume(token: object, *, store: Store | None = None) -> Principal | None:
    """The principal of a remembered login, or None (unknown, closed, idle, too old, or the
    account changed or is gone). Never raises on a malformed token."""
    if not is_token(token):
        return None
    store = store or get_store()
    key = _hash(token)  # type: ignore[arg-type]
    row = _use(store, key)
    if row is None:
        _forget(store, key)  # expired rows go at once; unknown ones are a no-op
        return None
    user_id, stamp = row
    user = accounts.user_by_id(user_id, store=store)
    if user is None or accounts.session_stamp(user_id, store=store) != stamp:
        _forget(store, key)  # account gone, disabled, re-roled or password reset
        return None
    log.info("login resumed for %s", user.username)
    return accounts.principal_for(user)


def alive(token: object, *, touch: bool = True, store: Store | None = None) -> bool:
    """Whether a remembered login is still open (not logged out in another tab, not idle
    or past its lifetime); ``touch`` also notes activity, so the idle timeout counts from
    the last use rather than the login."""
    if not is_token(token):
        return False
    store = store or get_store()
    key = _hash(token)  # type: ignore[arg-type]
    if touch:
        return _use(store, key) is not None
    return _peek(store, key, clock.utcnow_naive()) is not None


def close(token: object, *, store: Store | None = None) -> None:
    """Forget a remembered login (logout); unknown or malformed tokens are ignored."""
    if is_token(token):
        _forget(store or get_store(), _hash(token))  # type: ignore[arg-type]
