"""The shared dashboard (``core.dashboard``): every app's ``Panel`` whose roles the signed-in
user holds, under its app's title and its own title. Each panel is drawn on its own, so one
that fails shows an error box and the others still draw."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from core.auth import Principal
from core.i18n import get_locale, t
from core.registry import App, Panel, get_registry
from core.ui.numbers import fmt_int, fmt_share
from core.ui.session import current_principal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kpi:
    """One key figure: its label (already in the chosen language), its count, and optionally
    its share of a total (a fraction, e.g. 0.0052) shown under it as words, not as a delta."""

    label: str
    value: int | float | None
    share: float | None = None
    help: str | None = None


KPI_PER_ROW = 3
"""Key figures side by side: three fit a 1280 px screen with the sidebar open, with room for
a city's counts (``6.131.000``) without cutting them."""


def kpi_value(kpi: Kpi) -> str:
    """The figure as shown: grouped in the chosen language's style, "" when unknown."""
    return fmt_int(kpi.value)


def kpi_share(kpi: Kpi) -> str:
    """The caption under a figure: its share of the total, or "" without one."""
    return "" if kpi.share is None else t("dashboard.kpi_share", share=fmt_share(kpi.share))


def kpis(items: Sequence[Kpi], *, per_row: int = KPI_PER_ROW) -> None:
    """Key figures in bordered cards, ``per_row`` a row: the whole value (no ellipsis), the
    share as a grey caption (never a green "up" arrow: a share is not a change)."""
    for start in range(0, len(items), per_row):
        row = items[start : start + per_row]
        for col, kpi in zip(st.columns(per_row), row, strict=False):
            with col:
                st.metric(kpi.label, kpi_value(kpi), help=kpi.help, border=True)
                if kpi.share is not None:
                    st.caption(kpi_share(kpi))


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
