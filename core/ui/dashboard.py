"""The shared dashboard (``core.dashboard``): every app's ``Panel`` whose roles the signed-in
user holds, under its app's title and its own title. Each panel is drawn on its own, so one
that fails shows an error box and the others still draw."""

from __future__ import annotations

import logging

import streamlit as st

from core.auth import Principal
from core.i18n import get_locale, t
from core.registry import App, Panel, get_registry
from core.ui.session import current_principal

log = logging.getLogger(__name__)


def panel_roles() -> frozenset[str]:
    """Every role some installed panel is drawn for: who may open the dashboard."""
    roles: set[str] = set()
    for _, panel in get_registry().panels():
        roles |= set(panel.roles)
    return frozenset(roles)


def visible_panels(principal: Principal) -> list[tuple[App, Panel]]:
    """The panels drawn for ``principal``, in app order."""
    return [(a, p) for a, p in get_registry().panels() if p.allows(principal.roles)]


def draw_panel(panel: Panel) -> None:
    """Draw one panel; an exception becomes an error box (logged) instead of ending the page."""
    try:
        panel.draw()
    except Exception as exc:  # noqa: BLE001 - one panel must not take the dashboard down
        log.exception("panel %s failed", panel.key)
        st.error(t("dashboard.failed", panel=t(panel.title_key), error=type(exc).__name__))


def dashboard_page() -> None:
    principal = current_principal()
    st.title(t("dashboard.title"))
    panels = visible_panels(principal)
    if not panels:
        st.info(t("dashboard.empty"))
        return
    locale = get_locale()
    current: str | None = None
    for app, panel in panels:
        if app.id != current:
            st.header(app.title(locale), divider="gray")
            current = app.id
        with st.container(border=True, key=f"panel_{panel.key.replace('.', '_')}"):
            st.subheader(t(panel.title_key))
            draw_panel(panel)
