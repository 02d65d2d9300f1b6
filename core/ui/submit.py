"""Sending a form once: a double click (or a second "send" before the cleared form came back)
delivers the same answers twice; the second delivery gets the first one's result instead of
creating a second request."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import streamlit as st

T = TypeVar("T")

#: How long the same answers count as the same sending.
WINDOW_S = 120.0


def fingerprint(raw: Mapping[str, Any]) -> str:
    """The answers, order-free, as a short digest (lists compared as sets of their items)."""

    def norm(value: Any) -> str:
        if isinstance(value, list | tuple | set | frozenset):
            return repr(sorted(repr(v) for v in value))
        return repr(value)

    text = repr(sorted((str(k), norm(v)) for k, v in raw.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def once(
    key: str, raw: Mapping[str, Any], send: Callable[[], T], *, window_s: float = WINDOW_S
) -> T:
    """``send()`` unless this session sent the same answers under ``key`` less than
    ``window_s`` seconds ago; then the earlier result. A refusal (an exception) is not
    remembered, so corrected answers, or the same ones later, go through."""
    memo_key = f"{key}::sent"
    fp = fingerprint(raw)
    now = time.monotonic()
    memo = st.session_state.get(memo_key)
    if memo is not None and memo[0] == fp and now - memo[1] < window_s:
        return memo[2]
    result = send()
    st.session_state[memo_key] = (fp, now, result)
    return result
