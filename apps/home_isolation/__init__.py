"""Home isolation app: F0/F1 registry, daily vitals by personal signed link, triage and
alerts, the officer board, contact tracing from the health declaration app's venue check-ins,
and analytics. The manifest below is the app's only contact with core.

It imports nothing heavy: pages, panels and services are named by reference and imported on
first use. It uses the ``health_officer`` role of health_declaration (its dependency) and
reaches that app only through its declared interfaces (``co_checkins``). Its forms (enrolment,
daily report, officer actions) are data in ``apps.home_isolation.forms``, checked by core
against their tables."""

from __future__ import annotations

from pathlib import Path

from apps.home_isolation.messages import MESSAGES
from apps.home_isolation.models import IsolationSettings, MonitoringClaims
from apps.home_isolation.rules import checkpoint_rule
from core.registry import App, Page, Panel, Retention, TokenType, WebPage, lazy

PREFIX = "HI1:"
"""Context prefix of a monitoring token (the personal daily-report link)."""
TOKEN_TYPE = "HI"
OFFICER = frozenset({"health_officer"})
_PAGES = "apps.home_isolation.pages"

app = App(
    id="home_isolation",
    title_vi="Cách ly tại nhà",
    title_en="Home isolation",
    pages=[
        Page(
            "home_isolation.board",
            "hi.board.title",
            f"{_PAGES}:board_page",
            OFFICER,
            ":material/monitor_heart:",
        ),
        Page(
            "home_isolation.person",
            "hi.person.title",
            f"{_PAGES}:person_page",
            OFFICER,
            ":material/person:",
        ),
        Page(
            "home_isolation.enrol",
            "hi.enrol.title",
            f"{_PAGES}:enrol_page",
            OFFICER,
            ":material/person_add:",
        ),
        Page(
            "home_isolation.tracing",
            "hi.tracing.title",
            f"{_PAGES}:tracing_page",
            OFFICER,
            ":material/hub:",
        ),
        Page(
            "home_isolation.calendar",
            "hi.cal.title",
            "apps.home_isolation.calendar_page:calendar_page",
            OFFICER,
            ":material/calendar_month:",
        ),
        Page(
            "home_isolation.chain",
            "hi.chain.title",
            "apps.home_isolation.calendar_page:chain_page",
            OFFICER,
            ":material/account_tree:",
        ),
        Page(
            "home_isolation.analytics",
            "hi.analytics.title",
            "apps.home_isolation.analytics:page",
            OFFICER,
            ":material/bar_chart:",
        ),
    ],
    web=[
        WebPage(
            "home_isolation.report",
            "/bao-cao",
            "apps.home_isolation.web:report",
            "hi.report.title",
            replaces=("/home_isolation-report",),
        )
    ],
    migrations=Path(__file__).parent / "migrations",
    token_types=[
        TokenType(
            TOKEN_TYPE,
            PREFIX,
            "hi.token",
            MonitoringClaims,
            rule=checkpoint_rule,
            reasons=("ISOLATING", "BAD_CLAIMS"),
            fields=(),  # the token carries no F0/F1 (issue 14 item 10): nothing to show
        )
    ],
    retention={
        # a person's record (enrolment, reports, alerts, notes, link sessions) goes 180 days
        # after the release or the transfer to hospital; while isolating it stays
        "isolation_records": Retention(
            "hi_enrolments",
            ("released_at", "transferred_at"),
            180,
            children=(
                ("hi_reports", "enrolment_id"),
                ("hi_alerts", "enrolment_id"),
                ("hi_notes", "enrolment_id"),
                ("hi_link_sessions", "enrolment_id"),
                ("hi_active", "enrolment_id"),
            ),
        ),
        # a browser's session of a monitoring link, a day after the link expired
        "link_sessions": Retention("hi_link_sessions", "expires_at", 1, key="key_hash"),
    },
    panels=[
        Panel(
            "home_isolation.panel", "hi.panel.title", "apps.home_isolation.analytics:panel", OFFICER
        )
    ],
    messages=MESSAGES,
    seed_demo=lazy("apps.home_isolation.demo:seed"),
    stats=lazy("apps.home_isolation.service:stats"),
    settings_model=IsolationSettings,
    depends_on=("health_declaration",),
    # core.risk.rebuild (``rapid risk rebuild``) takes the register from here
    interfaces={
        "risk_signals": lazy("apps.home_isolation.service:risk_signals"),
        # the outreach app opens a task for each day an F1 missed on their calendar
        "followup_events": lazy("apps.home_isolation.service:followup_events"),
        # the staff home page: open alerts and missing reports (service.pending_work)
        "pending_work": lazy("apps.home_isolation.service:pending_work"),
    },
    forms=(
        "apps.home_isolation.forms:ENROL_F0",
        "apps.home_isolation.forms:ENROL_F1",
        "apps.home_isolation.forms:REPORT",
        "apps.home_isolation.forms:NOTE",
        "apps.home_isolation.forms:ASSIGN",
        "apps.home_isolation.forms:FIND",
    ),
)
