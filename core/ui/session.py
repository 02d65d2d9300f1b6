"""The logged-in principal of a Streamlit session: idle timeout, and a login that survives a
page reload through a cookie (the rules are in ``core.login_sessions``)."""

from __future__ import annotations

import json
import logging
import time

import streamlit as st

from core import login_sessions
from core.auth import ANONYMOUS, Principal
from core.config import get_settings
from core.store import StoreError

log = logging.getLogger(__name__)

PRINCIPAL = "principal"
LAST_SEEN = "last_seen"
STAMP = "account_stamp"
TOKEN = "login_token"
LAST_TOUCH = "login_touched"
RESUME_TRIED = "login_resume_tried"
CLEAR_COOKIE = "login_cookie_clear"
#: Kept across logout: the language.
_KEPT = ("locale",)
TOUCH_EVERY_S = 60


def current_principal() -> Principal:
    """The session's principal, or the anonymous citizen."""
    value = st.session_state.get(PRINCIPAL)
    return value if isinstance(value, Principal) else ANONYMOUS


def _start(principal: Principal) -> None:
    from core.accounts import session_stamp

    st.session_state[PRINCIPAL] = principal
    st.session_state[LAST_SEEN] = time.monotonic()
    st.session_state[LAST_TOUCH] = time.monotonic()
    st.session_state[STAMP] = session_stamp(principal.user_id)
    st.session_state.pop(CLEAR_COOKIE, None)


def login(principal: Principal) -> None:
    """Start the session after a password login; remember it for reloads unless configured off."""
    _start(principal)
    if not get_settings().remember_login:
        return
    try:
        st.session_state[TOKEN] = login_sessions.open_session(principal)
    except (StoreError, ValueError) as exc:  # the login itself stands; only a reload asks again
        log.warning("login not remembered: %s", exc)


def resume_login() -> bool:
    """In a fresh session (a page load), resume the login remembered in the browser's cookie.
    Tried once per session; True if a login was resumed."""
    if PRINCIPAL in st.session_state or RESUME_TRIED in st.session_state:
        return False
    st.session_state[RESUME_TRIED] = True
    if not get_settings().remember_login:
        return False
    try:
        token = st.context.cookies.get(login_sessions.COOKIE)
    except (AttributeError, RuntimeError):  # no browser request behind this session (tests)
        return False
    if token is None:
        return False
    principal = login_sessions.resume(token)
    if principal is None:
        st.session_state[CLEAR_COOKIE] = True
        return False
    _start(principal)
    st.session_state[TOKEN] = token
    return True


def account_changed() -> bool:
    """End the session when its account was disabled, deleted, re-roled or its password reset
    since login; True if it just ended."""
    from core.accounts import session_stamp

    principal = st.session_state.get(PRINCIPAL)
    if not isinstance(principal, Principal) or STAMP not in st.session_state:
        return False
    if session_stamp(principal.user_id) != st.session_state[STAMP]:
        logout()
        return True
    return False


def logout() -> None:
    """End the session here and the remembered login in the database; the page then clears
    the cookie (``sync_cookie``)."""
    token = st.session_state.get(TOKEN)
    if token is not None:
        try:
            login_sessions.close(token)
        except StoreError as exc:
            log.warning("remembered login not closed: %s", exc)
    for key in list(st.session_state.keys()):
        if key not in _KEPT:
            del st.session_state[key]
    st.session_state[RESUME_TRIED] = True  # the cookie this session was opened with is stale
    if token is not None:
        st.session_state[CLEAR_COOKIE] = True


def expired_now() -> bool:
    """End the session when idle too long; True if it just expired. Otherwise note activity."""
    if PRINCIPAL not in st.session_state:
        return False
    limit = get_settings().session_timeout_minutes * 60
    now = time.monotonic()
    last = st.session_state.get(LAST_SEEN, now)
    if now - last > limit:
        logout()
        return True
    st.session_state[LAST_SEEN] = now
    token = st.session_state.get(TOKEN)
    if token is not None and now - st.session_state.get(LAST_TOUCH, 0.0) > TOUCH_EVERY_S:
        st.session_state[LAST_TOUCH] = now
        try:
            login_sessions.touch(token)
        except StoreError as exc:
            log.warning("remembered login not touched: %s", exc)
    return False


def _cookie_script(token: str | None) -> str:
    """JavaScript for the page: set the login cookie to ``token``, or delete it (None).
    SameSite=Strict (never sent from another site), Secure over HTTPS, path-wide."""
    if token is None:
        value, age = "", 0
    else:
        value, age = token, get_settings().session_lifetime_hours * 3600
    cookie = json.dumps(f"{login_sessions.COOKIE}={value}; Path=/; SameSite=Strict; Max-Age={age}")
    return (
        "<script>const d = window.parent.document;"
        f"d.cookie = {cookie} + (d.location.protocol === 'https:' ? '; Secure' : '');</script>"
    )


def sync_cookie() -> None:
    """Write the remembered login into the browser's cookie, or clear a stale one.

    Streamlit cannot set cookies from the server, so an invisible same-origin iframe does it.
    The element stays the same on every rerun, so the browser runs it once per page.
    """
    token = st.session_state.get(TOKEN)
    if token is None and not st.session_state.get(CLEAR_COOKIE):
        return
    if not login_sessions.is_token(token):
        token = None
    with st.container(key="rapid_login_cookie"):
        st.html("<style>.st-key-rapid_login_cookie { display: none; }</style>")
        st.iframe(_cookie_script(token), height=1)
