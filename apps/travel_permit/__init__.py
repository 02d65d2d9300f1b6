"""Travel permits: business registration, employee rosters, requests, approver queue, signed
QR permits (TP1:), revocation and analytics. The manifest below is the whole contract."""

from __future__ import annotations

from pathlib import Path

from core.registry import PUBLIC, App, Page, Panel, TokenType

from . import analytics, cli, demo, pages, rules, service
from .messages import MESSAGES
from .models import PermitClaims, TravelPermitSettings

BUSINESS = frozenset({"business"})
APPROVER = frozenset({"approver"})

app = App(
    id="travel_permit",
    title_vi="Giấy đi đường",
    title_en="Travel permits",
    pages=[
        Page(
            "travel_permit.register",
            "tp.page.register",
            pages.register,
            frozenset({PUBLIC}),
            ":material/domain_add:",
        ),
        Page(
            "travel_permit.business",
            "tp.page.business",
            pages.business,
            BUSINESS,
            ":material/business:",
        ),
        Page("travel_permit.roster", "tp.page.roster", pages.roster, BUSINESS, ":material/badge:"),
        Page(
            "travel_permit.request",
            "tp.page.request",
            pages.request,
            BUSINESS,
            ":material/post_add:",
        ),
        Page(
            "travel_permit.permits",
            "tp.page.permits",
            pages.permits,
            BUSINESS | APPROVER,
            ":material/qr_code_2:",
        ),
        Page("travel_permit.queue", "tp.page.queue", pages.queue, APPROVER, ":material/inbox:"),
        Page(
            "travel_permit.accounts",
            "tp.page.accounts",
            pages.accounts,
            APPROVER,
            ":material/verified_user:",
        ),
        Page(
            "travel_permit.analytics",
            "tp.page.analytics",
            analytics.page,
            frozenset({"approver", "health_officer"}),
            ":material/monitoring:",
        ),
        Page(
            "travel_permit.view",
            "tp.page.view",
            pages.view,
            frozenset({PUBLIC}),
            ":material/badge:",
            in_nav=False,
        ),
    ],
    migrations=Path(__file__).parent / "migrations",
    token_types=[TokenType("TP", service.PREFIX, "tp.token", PermitClaims, rule=rules.check)],
    panels=[
        Panel(
            "travel_permit.panel",
            "tp.panel.title",
            analytics.panel,
            frozenset({"approver", "health_officer"}),
        )
    ],
    messages=MESSAGES,
    seed_demo=demo.seed,
    stats=service.stats,
    register_commands=cli.register,
    settings_model=TravelPermitSettings,
)
