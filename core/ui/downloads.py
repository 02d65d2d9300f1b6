"""Download data built only when the button is clicked, with the page's context kept."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any


def on_click(fn: Callable[..., bytes], *args: Any, **kw: Any) -> Callable[[], bytes]:
    """``st.download_button(data=on_click(build, ...))``: ``build`` runs when the user clicks,
    not on every rerun. Streamlit calls it on a server thread; the page's context variables
    (the session's language) are carried over so texts come out in the chosen language."""
    context = contextvars.copy_context()
    return lambda: context.copy().run(fn, *args, **kw)
