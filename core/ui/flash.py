"""A message that survives a rerun: an action saves, then reruns so every table on the page
shows the change, and the message appears on the next run."""

from __future__ import annotations

import streamlit as st

KEY = "flash"


def later(message: str) -> None:
    """Show ``message`` on the next run of the script (no rerun)."""
    st.session_state[KEY] = message


def rerun(message: str, **state: object) -> None:
    """Keep ``message`` (and any session ``state``, e.g. a selection) and rerun now."""
    later(message)
    st.session_state.update(state)
    st.rerun()


def show(*, info: bool = False) -> None:
    """Show the kept message once, as a success (or ``info``) box."""
    message = st.session_state.pop(KEY, None)
    if message:
        (st.info if info else st.success)(message)
