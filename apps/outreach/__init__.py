"""Outreach: every person at risk (a red or yellow declaration, a co-location with an F0) gets
a follow-up case assigned to the health workers of their ward; workers call, record the
outcome in one tap, and unreached people come back the next day. Dashboards show the share
reached within 24 h and 72 h per ward and day, and the backlog. An F1's missed follow-up day
(home isolation's ``followup_events``, when installed) opens a task too.

The manifest imports nothing heavy. Risk events come from the health declaration app through
its interface ``risk_events`` (called with the worker's principal); a person's risk status is
core's (``core.risk``)."""

from __future__ import annotations

from pathlib import Path

from apps.outreach.messages import MESSAGES
from apps.outreach.models import OutreachSettings
from core.registry import App, Page, Panel, Role, lazy

WORKER = frozenset({"health_worker"})
STAFF = frozenset({"health_worker", "health_officer"})
_PAGES = "apps.outreach.pages"

app = App(
    id="outreach",
    title_vi="Theo dõi người có nguy cơ",
    title_en="Outreach",
    roles=[Role("health_worker", "Cán bộ y tế phường", "Ward health worker", scope="ward")],
    pages=[
        Page("outreach.today", "or.page.today", f"{_PAGES}:today_page", WORKER, ":material/call:"),
        Page(
            "outreach.dashboard",
            "or.page.dashboard",
            f"{_PAGES}:dashboard_page",
            STAFF,
            ":material/monitoring:",
        ),
    ],
    panels=[
        Panel("outreach.reach", "or.panel.reach", f"{_PAGES}:panel_reach", STAFF),
        Panel("outreach.backlog", "or.panel.backlog", f"{_PAGES}:panel_backlog", STAFF),
    ],
    forms=("apps.outreach.forms:ATTEMPT",),
    migrations=Path(__file__).parent / "migrations",
    messages=MESSAGES,
    seed_demo=lazy("apps.outreach.demo:seed"),
    stats=lazy("apps.outreach.service:stats"),
    settings_model=OutreachSettings,
    depends_on=("health_declaration",),
    # home isolation's F1 follow-up calendar reads the calls made to a person
    interfaces={
        "attempts_of": lazy("apps.outreach.service:attempts_of"),
        # the staff home page: cases due today or overdue in the worker's wards
        "pending_work": lazy("apps.outreach.service:pending_work"),
    },
)
