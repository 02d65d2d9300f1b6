"""Health declaration app: citizen declarations, personal health QR, venue QR check-in,
epidemic areas and risk analytics. The manifest below is the app's only contact with core."""

from __future__ import annotations

from pathlib import Path

from apps.health_declaration import demo, pages, rules, service
from apps.health_declaration.messages import MESSAGES
from apps.health_declaration.models import HealthSettings, PassClaims, VenueClaims
from core.registry import PUBLIC, App, Page, Panel, TokenType

OFFICER = frozenset({"health_officer"})
PUBLIC_ROLES = frozenset({PUBLIC})

app = App(
    id="health_declaration",
    title_vi="Khai báo y tế",
    title_en="Health declaration",
    pages=[
        Page(
            "health_declaration.declare",
            "hd.page.declare",
            pages.declare_page,
            PUBLIC_ROLES,
            ":material/medical_information:",
        ),
        Page(
            "health_declaration.pass",
            "hd.page.pass",
            pages.pass_page,
            PUBLIC_ROLES,
            ":material/qr_code:",
        ),
        Page(
            "health_declaration.checkin",
            "hd.page.checkin",
            pages.checkin_page,
            PUBLIC_ROLES,
            ":material/where_to_vote:",
        ),
        Page(
            "health_declaration.venues",
            "hd.page.venues",
            pages.venues_page,
            frozenset({"business", "health_officer"}),
            ":material/storefront:",
        ),
        Page(
            "health_declaration.areas",
            "hd.page.areas",
            pages.areas_page,
            OFFICER,
            ":material/coronavirus:",
        ),
        Page(
            "health_declaration.dashboard",
            "hd.page.dashboard",
            pages.dashboard_page,
            OFFICER,
            ":material/monitoring:",
        ),
    ],
    migrations=Path(__file__).parent / "migrations",
    token_types=[
        TokenType(
            "HD",
            service.PASS_PREFIX,
            "hd.token.pass",
            PassClaims,
            rule=rules.check,
            on_venue_scan=service.venue_scan,
        ),
        TokenType("HV", service.VENUE_PREFIX, "hd.token.venue", VenueClaims),
    ],
    panels=[
        Panel("health_declaration.summary", "hd.panel.summary", pages.panel_summary, OFFICER),
        Panel("health_declaration.per_day", "hd.panel.per_day", pages.panel_per_day, OFFICER),
        Panel("health_declaration.per_ward", "hd.panel.per_ward", pages.panel_per_ward, OFFICER),
        Panel("health_declaration.checkins", "hd.panel.checkins", pages.panel_checkins, OFFICER),
        Panel("health_declaration.risk", "hd.panel.risk", pages.panel_risk, OFFICER),
    ],
    messages=MESSAGES,
    seed_demo=demo.seed,
    stats=service.stats,
    settings_model=HealthSettings,
)
