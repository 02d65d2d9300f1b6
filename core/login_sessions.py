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
cannot be HttpOnly. It is SameSite=Strict, Secure over HTTPS, and worth nothing after logout or
the idle timeout; ``remember_login = false`` turns the feature off (shared kiosk devices).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta

from core import accounts, clock
from core.auth import Principal
from core.config import get_settings
from core.store import CONFLICTS, Store, get_store

log = logging.getLogger(__name__)

COOKIE = "rapid_session"
#: ``secrets.token_urlsafe(32)``: 43 characters of the URL-safe base64 alphabet.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_token(text: object) -> bool:
    """Whether ``text`` has the shape of a token (cookies are outside input)."""
    return isinstance(text, str) and TOKEN_RE.fullmatch(text) is not None


def open_session(principal: Principal, *, store: Store | None = None) -> str:
    """Remember a login that just passed ``accounts.authenticate``; returns the cookie token.
    Also deletes remembered logins past their lifetime."""
    store = store or get_store()
    stamp = accounts.session_stamp(principal.user_id, store=store)
    if principal.user_id is None or stamp is None:
        raise ValueError("only an active account's login can be remembered")
    token = secrets.token_urlsafe(32)
    now = clock.utcnow_naive()
    oldest = now - timedelta(hours=get_settings().session_lifetime_hours)
    with store.transaction():
        store.execute("DELETE FROM login_sessions WHERE created_at < ?", [oldest])
        store.execute(
            "INSERT INTO login_sessions (token_hash, user_id, stamp, created_at, last_seen)"
            " VALUES (?, ?, ?, ?, ?)",
            [_hash(token), principal.user_id, stamp, now, now],
        )
    return token


def resume(token: object, *, store: Store | None = None) -> Principal | None:
    """The principal of a remembered login, or None (unknown, closed, idle, too old, or the
    account changed). Never raises on a malformed token."""
    if not is_token(token):
        return None
    store = store or get_store()
    key = _hash(token)  # type: ignore[arg-type]
    row = store.fetchone(
        "SELECT s.user_id, s.stamp, s.created_at, s.last_seen, u.username"
        " FROM login_sessions s LEFT JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        [key],
    )
    if row is None:
        return None
    user_id, stamp, created_at, last_seen, username = row
    settings = get_settings()
    now = clock.utcnow_naive()
    fresh = (
        username is not None
        and now - last_seen <= timedelta(minutes=settings.session_timeout_minutes)
        and now - created_at <= timedelta(hours=settings.session_lifetime_hours)
        and accounts.session_stamp(user_id, store=store) == stamp
    )
    if not fresh:
        store.execute("DELETE FROM login_sessions WHERE token_hash = ?", [key])
        return None
    _seen(store, key)
    log.info("login resumed for %s", username)
    return accounts.principal_for(accounts.get_user(username, store=store))


def touch(token: object, *, store: Store | None = None) -> None:
    """Note activity, so the idle timeout counts from the last use rather than the login."""
    if is_token(token):
        _seen(store or get_store(), _hash(token))  # type: ignore[arg-type]


def _seen(store: Store, key: str) -> None:
    try:
        store.execute(
            "UPDATE login_sessions SET last_seen = ? WHERE token_hash = ?",
            [clock.utcnow_naive(), key],
        )
    except CONFLICTS:  # two tabs noting activity at once: one of them is enough
        log.debug("login session touched concurrently")


def close(token: object, *, store: Store | None = None) -> None:
    """Forget a remembered login (logout); unknown or malformed tokens are ignored."""
    if is_token(token):
        (store or get_store()).execute(
            "DELETE FROM login_sessions WHERE token_hash = ?",
            [_hash(token)],  # type: ignore[arg-type]
        )
