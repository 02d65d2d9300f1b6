"""Every service entry point of the app with every role, anonymous included: deny by default
(through the core test kit's ``authorization_matrix``)."""

from __future__ import annotations

from datetime import date

import pytest

from apps.health_declaration import analytics, service
from core.registry import PUBLIC, get_registry
from core.testkit import authorization_matrix, make_principal
from tests.apps.health_declaration.conftest import WARD, area_form, form, venue_form

F = analytics.Filters(date(2021, 9, 1), date(2021, 9, 30))
OFFICER = {"health_officer"}
VENUE_USERS = {"business", "health_officer"}
T0, T1 = F.utc_range()
# health_worker is the outreach app's role: a reader of risk events where that app is installed
RISK_READERS = {"health_officer", "health_worker"} & set(get_registry().role_ids())


def _paper():
    from apps.health_declaration.forms import DECLARATION
    from core.forms.table import parse_rows, template_headers, template_row

    raw = form(person_id="048185000888")
    rows = [template_headers(DECLARATION), template_row(DECLARATION, raw)]
    return parse_rows(DECLARATION, rows, max_rows=10)


def _cases(venue_id: int, secret: str, claims: dict) -> dict:
    return {
        "list_areas": (lambda p: service.list_areas(p), OFFICER),
        "add_area": (lambda p: service.add_area(p, area_form(79, None, date(2021, 9, 1))), OFFICER),
        "end_area": (lambda p: service.end_area(p, 1), OFFICER),
        "register_venue": (
            lambda p: service.register_venue(
                p, venue_form("Quán", "shop", 48, WARD, "1 A", "0905111222")
            ),
            VENUE_USERS,
        ),
        "list_venues": (lambda p: service.list_venues(p), VENUE_USERS),
        "import_paper_declarations": (
            lambda p: service.import_paper_declarations(p, _paper()),
            OFFICER,
        ),
        "approve_venue": (lambda p: service.approve_venue(p, venue_id), OFFICER),
        "get_venue": (lambda p: service.get_venue(p, venue_id), VENUE_USERS),
        "venue_poster": (lambda p: service.venue_poster(p, venue_id), VENUE_USERS),
        "checkin_from_pass": (
            lambda p: service.checkin_from_pass(p, venue_id, claims),
            {"checkpoint", "business"},
        ),
        "venue_scan": (
            lambda p: service.venue_scan(p, str(venue_id), claims),
            {"checkpoint", "business"},
        ),
        # citizens' functions: everyone, with or without an account
        "submit_declaration": (
            lambda p: service.submit_declaration(p, form(person_id="048185000777")),
            {PUBLIC},
        ),
        "held_passes": (lambda p: service.held_passes(p, [secret]), {PUBLIC}),
        "request_code": (
            lambda p: service.request_code(p, "0905123456", "048185000123"),
            {PUBLIC},
        ),
        "redeem_code": (lambda p: service.redeem_code(p, "nope", "123456"), {PUBLIC}),
        "checkin_as_holder": (
            lambda p: service.checkin_as_holder(p, "HV1:nope", secret),
            {PUBLIC},
        ),
        # interfaces for other apps (home isolation): the role is checked here
        "checkins_of": (lambda p: service.checkins_of(p, "048185000123", T0, T1), OFFICER),
        "co_checkins": (lambda p: service.co_checkins(p, "048185000123", T0, T1), OFFICER),
        "summary": (lambda p: analytics.summary(p, F), OFFICER),
        "per_day": (lambda p: analytics.per_day(p, F), OFFICER),
        "per_ward": (lambda p: analytics.per_ward(p, F), OFFICER),
        "risk_list": (lambda p: analytics.risk_list(p, F), OFFICER),
        "export_risk": (lambda p: analytics.export_risk(p, F, purpose="báo cáo tuần"), OFFICER),
        "person_history": (
            lambda p: analytics.person_history(p, "048185000123", F),
            OFFICER,
        ),
        "checkins_hourly": (lambda p: analytics.checkins_hourly(p, F), OFFICER),
        "close_venue": (lambda p: service.close_venue(p, venue_id, "test"), VENUE_USERS),
        # risk events and exposures (core.risk): officers and outreach workers
        "scan_exposures": (lambda p: service.scan_exposures(p, T0, T1), RISK_READERS),
        "risk_events": (lambda p: service.risk_events(p, T0, T1), RISK_READERS),
        "notify_exposures": (
            lambda p: service.notify_exposures(p, service.pd.DataFrame()),
            RISK_READERS,
        ),
        "risk_signals": (lambda p: service.risk_signals(p), {"admin"}),
    }


def test_every_entry_point_for_every_role(hd):
    owner = make_principal("authz_business", "business")  # the matrix's business principal
    venue = service.register_venue(
        owner, venue_form("Chợ", "market", 48, WARD, "1 B", "0905111333")
    )
    service.approve_venue(make_principal("officer", "health_officer"), venue.id)
    res = service.submit_declaration(None, form())
    from core.qr import service as qr

    claims = qr.verify_server(res.text).claims
    authorization_matrix(
        "health_declaration",
        _cases(venue.id, res.holder_secret, claims),
        errors=(service.HealthError, ValueError),
    )


@pytest.mark.parametrize("who", ["anonymous", *get_registry().role_ids()])
def test_public_citizen_functions_for_everyone(hd, who):
    from core.auth import ANONYMOUS

    principal = ANONYMOUS if who == "anonymous" else make_principal(f"u_{who}", who)
    pid = f"04818500{len(who):04d}"
    res = service.submit_declaration(principal, form(person_id=pid))
    assert service.pass_png(res.text).startswith(b"\x89PNG")
    # a citizen's phone gets a secret to its pass; staff declaring for someone do not
    citizen = principal.is_anonymous
    assert (res.holder_secret is not None) == citizen
    if citizen:
        (held,) = service.held_passes(principal, [res.holder_secret])
        assert held.result.token_id == res.token_id
    assert isinstance(service.request_code(principal, "0905123456", pid), str)
    with pytest.raises(service.CodeError):
        service.redeem_code(principal, "nope", "000000")
    with pytest.raises(service.CheckinError):
        service.checkin_as_holder(principal, "HV1:nope", res.holder_secret or "x" * 32)
    with pytest.raises(service.CheckinError):
        service.venue_from_token("nope")


def test_business_sees_only_its_venues(hd):
    a, b = make_principal("a", "business"), make_principal("b", "business")
    va = service.register_venue(a, venue_form("A", "shop", 48, WARD, "1", "0905111444"))
    service.register_venue(b, venue_form("B", "shop", 48, WARD, "2", "0905111555"))
    assert service.list_venues(a)["name"].tolist() == ["A"]
    with pytest.raises(service.HealthError):
        service.get_venue(b, va.id)
    with pytest.raises(service.HealthError):
        service.venue_poster(b, va.id)
