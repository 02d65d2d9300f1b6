"""Health declaration app: citizen declarations, personal health QR, venue QR check-in,
epidemic areas and risk analytics. The manifest below is the app's only contact with core.

It imports nothing heavy: pages, panels, services and forms are named by reference and imported
on first use. Where travel_permit and the checkpoint scanner are installed, the app also serves
their ``business`` role (venue owners) and ``checkpoint`` role (the scanner's venue mode records
check-ins here) without depending on them; it offers contact tracing to other apps as
interfaces."""

from __future__ import annotations

from pathlib import Path

from apps.health_declaration.messages import MESSAGES
from apps.health_declaration.models import HealthSettings, PassClaims, VenueClaims
from apps.health_declaration.rules import check
from core.registry import App, Page, Panel, Retention, Role, TokenType, WebPage, lazy

PASS_PREFIX = "HD1:"
"""Context prefix of the personal health pass."""
VENUE_PREFIX = "HV1:"
"""Context prefix of a venue's check-in code."""
OFFICER = frozenset({"health_officer"})
_PAGES = "apps.health_declaration.pages"
_SERVICE = "apps.health_declaration.service"

app = App(
    id="health_declaration",
    title_vi="Khai báo y tế",
    title_en="Health declaration",
    roles=[Role("health_officer", "Cán bộ y tế", "Health officer")],
    pages=[
        Page(
            "health_declaration.declare_for",
            "hd.page.declare_for",
            f"{_PAGES}:declare_page",
            frozenset({"health_officer", "checkpoint"}),
            ":material/medical_information:",
        ),
        Page(
            "health_declaration.venues",
            "hd.page.venues",
            f"{_PAGES}:venues_page",
            frozenset({"business", "health_officer"}),
            ":material/storefront:",
        ),
        Page(
            "health_declaration.paper",
            "hd.paper.title",
            f"{_PAGES}:paper_page",
            OFFICER,
            ":material/upload_file:",
        ),
        Page(
            "health_declaration.areas",
            "hd.page.areas",
            f"{_PAGES}:areas_page",
            OFFICER,
            ":material/coronavirus:",
        ),
        Page(
            "health_declaration.dashboard",
            "hd.page.dashboard",
            f"{_PAGES}:dashboard_page",
            OFFICER,
            ":material/monitoring:",
        ),
    ],
    web=[
        WebPage(
            "health_declaration.declare",
            "/khai-bao",
            "apps.health_declaration.web:declare",
            "hd.page.declare",
            replaces=("/health_declaration-declare",),
        ),
        WebPage(
            "health_declaration.look_up",
            "/tra-cuu",
            "apps.health_declaration.web:look_up",
            "hd.page.pass",
            replaces=("/health_declaration-pass",),
            limit="lookup",
        ),
        WebPage(
            "health_declaration.check_in",
            "/check-in",
            "apps.health_declaration.web:check_in",
            "hd.page.checkin",
            replaces=("/health_declaration-checkin",),
            limit="lookup",
        ),
    ],
    migrations=Path(__file__).parent / "migrations",
    retention={
        # a declaration (name, CCCD, symptoms), 30 days after it was made
        "declarations": Retention("hd_declarations", "declared_at", 30),
        # a venue check-in (who was where), 30 days
        "checkins": Retention("hd_checkins", "checked_in_at", 30),
        # the declaring phone's secret and one-time codes, a day after they expired
        "holders": Retention("hd_holders", "expires_at", 1),
        "codes": Retention("hd_codes", "expires_at", 1),
    },
    token_types=[
        TokenType(
            "HD",
            PASS_PREFIX,
            "hd.token.pass",
            PassClaims,
            rule=check,
            on_venue_scan=lazy(f"{_SERVICE}:venue_scan"),
            reasons=("OK", "RISK_YELLOW", "RISK_RED", "BAD_CLAIMS"),
            fields=("colour", "name", "declared_at", "valid_until", "id"),
        ),
        TokenType("HV", VENUE_PREFIX, "hd.token.venue", VenueClaims),
    ],
    panels=[
        Panel("health_declaration.summary", "hd.panel.summary", f"{_PAGES}:panel_summary", OFFICER),
        Panel("health_declaration.per_day", "hd.panel.per_day", f"{_PAGES}:panel_per_day", OFFICER),
        Panel(
            "health_declaration.per_ward", "hd.panel.per_ward", f"{_PAGES}:panel_per_ward", OFFICER
        ),
        Panel(
            "health_declaration.checkins", "hd.panel.checkins", f"{_PAGES}:panel_checkins", OFFICER
        ),
        Panel("health_declaration.risk", "hd.panel.risk", f"{_PAGES}:panel_risk", OFFICER),
    ],
    messages=MESSAGES,
    seed_demo=lazy("apps.health_declaration.demo:seed"),
    stats=lazy(f"{_SERVICE}:stats"),
    settings_model=HealthSettings,
    # venue owners; the scanner's venue mode; outreach workers (risk events of their wards)
    optional_roles=("business", "checkpoint", "health_worker"),
    forms=tuple(
        f"apps.health_declaration.forms:{name}"
        for name in ("DECLARATION", "VENUE", "AREA", "LOOKUP")
    ),
    interfaces={
        "checkins_of": lazy(f"{_SERVICE}:checkins_of"),
        "co_checkins": lazy(f"{_SERVICE}:co_checkins"),
        "risk_events": lazy(f"{_SERVICE}:risk_events"),
        "scan_exposures": lazy(f"{_SERVICE}:scan_exposures"),
        "risk_signals": lazy(f"{_SERVICE}:risk_signals"),
        # the staff home page: venues waiting for a health officer's approval
        "pending_work": lazy("apps.health_declaration.venue_review:pending_work"),
    },
)
