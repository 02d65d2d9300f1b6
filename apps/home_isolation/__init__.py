"""Home isolation app: F0/F1 registry, daily vitals by personal signed link, triage and
alerts, the officer board, contact tracing from the health declaration app's venue check-ins,
and analytics. The manifest below is the app's only contact with core."""

from __future__ import annotations

from pathlib import Path

from apps.home_isolation import analytics, demo, pages, service
from apps.home_isolation.messages import MESSAGES
from apps.home_isolation.models import IsolationSettings, MonitoringClaims
from apps.home_isolation.rules import checkpoint_rule
from core.registry import PUBLIC, App, Page, Panel, TokenType

OFFICER = frozenset({"health_officer"})

app = App(
    id="home_isolation",
    title_vi="Cách ly tại nhà",
    title_en="Home isolation",
    pages=[
        Page(
            "home_isolation.board",
            "hi.board.title",
            pages.board_page,
            OFFICER,
            ":material/monitor_heart:",
        ),
        Page(
            "home_isolation.person",
            "hi.person.title",
            pages.person_page,
            OFFICER,
            ":material/person:",
        ),
        Page(
            "home_isolation.enrol",
            "hi.enrol.title",
            pages.enrol_page,
            OFFICER,
            ":material/person_add:",
        ),
        Page(
            "home_isolation.tracing",
            "hi.tracing.title",
            pages.tracing_page,
            OFFICER,
            ":material/hub:",
        ),
        Page(
            "home_isolation.analytics",
            "hi.analytics.title",
            analytics.page,
            OFFICER,
            ":material/bar_chart:",
        ),
        Page(
            "home_isolation.report",
            "hi.report.title",
            pages.report_page,
            frozenset({PUBLIC}),
            ":material/thermometer:",
            in_nav=False,
        ),
    ],
    migrations=Path(__file__).parent / "migrations",
    token_types=[
        TokenType(
            service.TOKEN_TYPE, service.PREFIX, "hi.token", MonitoringClaims, rule=checkpoint_rule
        )
    ],
    panels=[Panel("home_isolation.panel", "hi.panel.title", analytics.panel, OFFICER)],
    messages=MESSAGES,
    seed_demo=demo.seed,
    stats=service.stats,
    settings_model=IsolationSettings,
    depends_on=("health_declaration",),
)
