"""The logged-in principal of a Streamlit session, with idle timeout."""

from __future__ import annotations

import time

import streamlit as st

from core.auth import ANONYMOUS, Principal
from core.config import get_settings

PRINCIPAL = "principal"
LAST_SEEN = "last_seen"
STAMP = "account_stamp"


def current_principal() -> Principal:
    """The session's principal, or the anonymous citizen."""
    value = st.session_state.get(PRINCIPAL)
    return value if isinstance(value, Principal) else ANONYMOUS


def login(principal: Principal) -> None:
    from core.accounts import session_stamp

    st.session_state[PRINCIPAL] = principal
    st.session_state[LAST_SEEN] = time.monotonic()
    st.session_state[STAMP] = session_stamp(principal.user_id)


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
    for key in list(st.session_state.keys()):
        if key not in ("locale",):
            del st.session_state[key]


def expired_now() -> bool:
    """End the session when idle too long; True if it just expired. Otherwise note activity."""
    if PRINCIPAL not in st.session_state:
        return False
    limit = get_settings().session_timeout_minutes * 60
    last = st.session_state.get(LAST_SEEN, time.monotonic())
    if time.monotonic() - last > limit:
        logout()
        return True
    st.session_state[LAST_SEEN] = time.monotonic()
    return False
