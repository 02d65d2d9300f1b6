"""Travel permits: business registration, employee rosters, requests, approver queue, signed
QR permits (TP1:), revocation and analytics. The manifest below is the whole contract.

It imports nothing heavy: pages, panels, services and forms are named by reference and imported
on first use, so loading the manifest (``rapid --help``, the registry) stays fast. Every form
is data in ``apps.travel_permit.forms``; core checks the stored ones against their tables."""

from __future__ import annotations

from pathlib import Path

from core.registry import PUBLIC, App, Page, Panel, Retention, Role, TokenType, WebPage, lazy

from .messages import MESSAGES
from .models import PermitClaims, TravelPermitSettings
from .rules import check

PREFIX = "TP1:"
"""Context prefix of a permit token."""
BUSINESS = frozenset({"business"})
APPROVER = frozenset({"approver"})
OFFICER = frozenset({"health_officer"})  # an optional role: declared by health_declaration
_PAGES = "apps.travel_permit.pages"

app = App(
    id="travel_permit",
    title_vi="Giấy đi đường",
    title_en="Travel permits",
    roles=[
        Role("business", "Doanh nghiệp", "Business"),
        Role("approver", "Cán bộ phê duyệt", "Approver"),
    ],
    pages=[
        Page(
            "travel_permit.register",
            "tp.page.register",
            f"{_PAGES}:register",
            frozenset({PUBLIC}),
            ":material/domain_add:",
        ),
        Page(
            "travel_permit.business",
            "tp.page.business",
            f"{_PAGES}:business",
            BUSINESS,
            ":material/business:",
        ),
        Page(
            "travel_permit.roster",
            "tp.page.roster",
            f"{_PAGES}:roster",
            BUSINESS,
            ":material/badge:",
        ),
        Page(
            "travel_permit.request",
            "tp.page.request",
            f"{_PAGES}:request",
            BUSINESS,
            ":material/post_add:",
        ),
        Page(
            "travel_permit.permits",
            "tp.page.permits",
            f"{_PAGES}:permits",
            BUSINESS | APPROVER,
            ":material/qr_code_2:",
        ),
        Page(
            "travel_permit.queue", "tp.page.queue", f"{_PAGES}:queue", APPROVER, ":material/inbox:"
        ),
        Page(
            "travel_permit.accounts",
            "tp.page.accounts",
            f"{_PAGES}:accounts",
            APPROVER,
            ":material/verified_user:",
        ),
        Page(
            "travel_permit.analytics",
            "tp.page.analytics",
            "apps.travel_permit.analytics:page",
            APPROVER | OFFICER,
            ":material/monitoring:",
        ),
    ],
    web=[
        WebPage(
            "travel_permit.view",
            "/giay",
            "apps.travel_permit.web:view",
            "tp.page.view",
            replaces=("/travel_permit-view",),
            limit="lookup",
        )
    ],
    migrations=Path(__file__).parent / "migrations",
    token_types=[
        TokenType(
            "TP",
            PREFIX,
            "tp.token",
            PermitClaims,
            rule=check,
            reasons=(
                "VALID",
                "OUTSIDE_HOURS",
                "ZONE_NOT_ALLOWED",
                "HOLDER_ISOLATING",
                "HOLDER_UNCHECKED",
                "BAD_CLAIMS",
            ),
            fields=("name", "cccd", "business", "zones", "hours", "valid_until"),
        )
    ],
    panels=[
        Panel(
            "travel_permit.panel",
            "tp.panel.title",
            "apps.travel_permit.analytics:panel",
            APPROVER | OFFICER,
        )
    ],
    retention={
        # a decided request and its per-employee lines, a year after the decision
        "requests": Retention(
            "tp_requests", "decided_at", 365, children=(("tp_request_items", "request_id"),)
        ),
        # a permit's row (holder, CCCD), 90 days after it stopped being valid
        "permits": Retention("tp_permits", "valid_until", 90, key="permit_id"),
        # an employee taken off a roster, 90 days later
        "removed_employees": Retention(
            "tp_employees", "updated_at", 90, key="cccd", where=(("active", False),)
        ),
    },
    messages=MESSAGES,
    seed_demo=lazy("apps.travel_permit.demo:seed"),
    stats=lazy("apps.travel_permit.service:stats"),
    register_commands=lazy("apps.travel_permit.cli:register"),
    settings_model=TravelPermitSettings,
    forms=tuple(
        f"apps.travel_permit.forms:{name}"
        for name in (
            "BUSINESS",
            "EMPLOYEE",
            "REQUEST",
            "DECISION",
            "REFUSAL",
            "VERIFICATION",
            "REVOKE",
            "RENEW",
        )
    ),
    optional_roles=("health_officer",),
    # the staff home page: the approver's queue, businesses to verify (service.pending_work)
    interfaces={"pending_work": lazy("apps.travel_permit.service:pending_work")},
)
