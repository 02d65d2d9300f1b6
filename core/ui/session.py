"""The logged-in principal of a Streamlit session: idle timeout, and a login that survives a
page reload through a cookie (the rules are in ``core.login_sessions``)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping

import streamlit as st

from core import login_sessions
from core.auth import ANONYMOUS, Principal
from core.config import get_settings
from core.store import CONFLICTS, StoreError

log = logging.getLogger(__name__)

PRINCIPAL = "principal"
LAST_SEEN = "last_seen"
STAMP = "account_stamp"
TOKEN = "login_token"
LAST_TOUCH = "login_touched"
RESUME_TRIED = "login_resume_tried"
CLEAR_COOKIE = "login_cookie_clear"
#: Set when the token came from the browser's cookie: nothing to write back. Writing it anyway
#: raced a logout in another tab (a late-loading iframe here re-set the cookie just cleared there).
COOKIE_HELD = "login_cookie_held"
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
    except (StoreError, ValueError, *CONFLICTS) as exc:  # only a reload will ask again
        log.warning("login not remembered: %s", exc)


def _browser_cookies() -> Mapping[str, str]:
    """The cookies the browser sent when this session's page was loaded."""
    try:
        return st.context.cookies
    except (AttributeError, RuntimeError):  # no browser request behind this session
        return {}


def _context(name: str) -> object:
    try:
        return getattr(st.context, name)
    except (AttributeError, RuntimeError):  # no browser request behind this session
        return None


def _peer_and_headers() -> tuple[str, Mapping[str, str]]:
    """The connection's address (loopback when Streamlit hides it) and the request headers."""
    peer = _context("ip_address")
    headers = _context("headers")
    return (str(peer) if peer else "127.0.0.1"), (headers if isinstance(headers, Mapping) else {})


def client_address() -> str:
    """The browser's address for login throttling: ``X-Forwarded-For`` is believed only when
    the connection comes from one of ``trusted_proxies`` (as for the light pages)."""
    from core.web.http import client_address as resolve

    peer, headers = _peer_and_headers()
    return resolve((peer, 0), headers.get("X-Forwarded-For"), get_settings().trusted_proxies)


def request_is_https() -> bool:
    """Whether the browser reached us over HTTPS: its own address bar (``st.context.url``), a
    trusted proxy's ``X-Forwarded-Proto``, or an ``https://`` ``base_url``."""
    settings = get_settings()
    url = _context("url")
    if isinstance(url, str) and url.lower().startswith("https://"):
        return True
    peer, headers = _peer_and_headers()
    if peer in settings.trusted_proxies and headers.get("X-Forwarded-Proto") == "https":
        return True
    return settings.base_url.lower().startswith("https://")


def resume_login() -> bool:
    """In a fresh session (a page load), resume the login remembered in the browser's cookie.
    Tried once per session; True if a login was resumed."""
    if PRINCIPAL in st.session_state or RESUME_TRIED in st.session_state:
        return False
    st.session_state[RESUME_TRIED] = True
    if not get_settings().remember_login:
        return False
    token = login_sessions.cookie_token(_browser_cookies(), request_is_https())
    if token is None:
        return False
    try:
        principal = login_sessions.resume(token)
    except (StoreError, *CONFLICTS) as exc:
        log.warning("remembered login not resumed: %s", exc)
        return False
    if principal is None:
        if login_sessions.is_token(token):
            st.session_state[CLEAR_COOKIE] = token
        return False
    _start(principal)
    st.session_state[TOKEN] = token
    st.session_state[COOKIE_HELD] = True
    return True


def account_changed() -> bool:
    """End the session when its account was disabled, deleted, re-roled or its password reset
    since login; True if it just ended."""
    from core.accounts import session_stamp

    principal = st.session_state.get(PRINCIPAL)
    if not isinstance(principal, Principal) or STAMP not in st.session_state:
        return False
    stamp = session_stamp(principal.user_id)
    if stamp is None or stamp != st.session_state[STAMP]:
        logout()
        return True
    return False


def login_closed() -> bool:
    """End the session when its remembered login was closed elsewhere (logout in another tab)
    or passed ``session_lifetime_hours``; True if it just ended. Notes activity once a minute,
    so the idle timeout of a reload counts from the last use."""
    token = st.session_state.get(TOKEN)
    if token is None or PRINCIPAL not in st.session_state:
        return False
    now = time.monotonic()
    touch = now - st.session_state.get(LAST_TOUCH, 0.0) > TOUCH_EVERY_S
    try:
        open_ = login_sessions.alive(token, touch=touch)
    except (StoreError, *CONFLICTS) as exc:
        log.warning("remembered login not checked: %s", exc)
        return False
    if touch:
        st.session_state[LAST_TOUCH] = now
    if open_:
        return False
    logout()
    return True


def logout() -> None:
    """End the session here and the remembered login in the database; the page then clears
    the cookie if it still holds this login's token (``sync_cookie``)."""
    token = st.session_state.get(TOKEN)
    if token is not None:
        try:
            login_sessions.close(token)
        except (StoreError, *CONFLICTS) as exc:
            log.warning("remembered login not closed: %s", exc)
    for key in list(st.session_state.keys()):
        if key not in _KEPT:
            del st.session_state[key]
    st.session_state[RESUME_TRIED] = True  # the cookie this session was opened with is stale
    if token is not None:
        st.session_state[CLEAR_COOKIE] = token


def expired_now() -> bool:
    """End the session when idle too long; True if it just expired. Otherwise note activity."""
    if PRINCIPAL not in st.session_state:
        return False
    limit = get_settings().session_timeout_minutes * 60
    now = time.monotonic()
    if now - st.session_state.get(LAST_SEEN, now) > limit:
        logout()
        return True
    st.session_state[LAST_SEEN] = now
    return False


def cookie_script(set_token: str | None = None, clear_token: str | None = None) -> str:
    """JavaScript for the page: set the login cookie to ``set_token``, or delete it if it still
    holds ``clear_token`` (another tab may have logged in since). A session cookie (no
    Max-Age), SameSite=Strict, path-wide; over HTTPS ``__Host-``-named and Secure."""
    for token in (set_token, clear_token):
        if token is not None and not login_sessions.is_token(token):
            raise ValueError("not a login token")  # never put other text into the script
    plain, secure = json.dumps(login_sessions.COOKIE), json.dumps(login_sessions.SECURE_COOKIE)
    head = (
        "<script>const d = window.parent.document, https = d.location.protocol === 'https:';"
        f"const name = https ? {secure} : {plain};"
        "const attrs = '; Path=/; SameSite=Strict' + (https ? '; Secure' : '');"
    )
    if set_token is not None:
        body = f"d.cookie = name + '=' + {json.dumps(set_token)} + attrs;"
    elif clear_token is not None:
        body = (
            f"if (d.cookie.split('; ').includes(name + '=' + {json.dumps(clear_token)}))"
            " d.cookie = name + '=' + attrs + '; Max-Age=0';"
        )
    else:
        body = ""
    return head + body + "</script>"


def sync_cookie() -> None:
    """Write the remembered login into the browser's cookie, or clear a stale one.

    Streamlit cannot set cookies from the server, so an invisible same-origin iframe does it.
    The element stays the same on every rerun, so the browser runs it once per page.
    """
    token = st.session_state.get(TOKEN)
    stale = st.session_state.get(CLEAR_COOKIE)
    if not login_sessions.is_token(token) or st.session_state.get(COOKIE_HELD):
        token = None
    if not login_sessions.is_token(stale):
        stale = None
    if token is None and stale is None:
        return
    with st.container(key="rapid_login_cookie"):
        st.html("<style>.st-key-rapid_login_cookie { display: none; }</style>")
        st.iframe(cookie_script(token, None if token else stale), height=1)


LANG_COOKIE = "rapid_lang"  # the light pages' cookie (core.web.security.LANG_COOKIE)
LANG_MAX_AGE_S = 365 * 86400


def browser_locale(default: str) -> str:
    """The language of a new session, from this page load's address, cookies and headers."""
    _peer, headers = _peer_and_headers()
    return pick_locale(
        _context_query().get("lang"),
        _browser_cookies().get(LANG_COOKIE),
        headers.get("Accept-Language"),
        default,
    )


def pick_locale(query: str | None, cookie: str | None, accept: str | None, default: str) -> str:
    """``?lang=``, then the cookie both kinds of page write, then the browser's first language
    (``en*`` -> English, ``vi*`` -> Vietnamese), else ``default``."""
    from core.i18n import LOCALES

    for value in (query, cookie):
        if value in LOCALES:
            return value
    first = (accept or "").split(",", 1)[0].split(";", 1)[0].strip().lower()
    if first.startswith("en"):
        return "en"
    if first.startswith("vi"):
        return "vi"
    return default if default in LOCALES else "vi"


def _context_query() -> Mapping[str, str]:
    try:
        return {k: st.query_params.get(k, "") for k in st.query_params}
    except (AttributeError, RuntimeError):
        return {}


def lang_cookie_script(locale: str) -> str:
    """JavaScript for the page: remember ``locale`` in the language cookie for a year (Lax, as
    the light pages set it, so a link from a message or a QR keeps the language)."""
    from core.i18n import LOCALES

    if locale not in LOCALES:
        raise ValueError("not a locale")  # never put other text into the script
    return (
        "<script>const d = window.parent.document;"
        "const secure = d.location.protocol === 'https:' ? '; Secure' : '';"
        f"d.cookie = {json.dumps(LANG_COOKIE)} + '=' + {json.dumps(locale)}"
        f" + '; Path=/; Max-Age={LANG_MAX_AGE_S}; SameSite=Lax' + secure;</script>"
    )


def sync_lang_cookie(locale: str) -> None:
    """Write the chosen language into the browser's cookie when it differs from the one the
    page was loaded with (an invisible same-origin iframe, as for the login cookie)."""
    if _browser_cookies().get(LANG_COOKIE) == locale:
        return
    with st.container(key="rapid_lang_cookie"):
        st.html("<style>.st-key-rapid_lang_cookie { display: none; }</style>")
        st.iframe(lang_cookie_script(locale), height=1)
