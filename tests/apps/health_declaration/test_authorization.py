"""Every public service function with every role, anonymous included: deny by default."""

from __future__ import annotations

from datetime import date

import pytest

from apps.health_declaration import analytics, service
from core.auth import ANONYMOUS, PermissionDenied
from core.registry import ROLES
from tests.apps.health_declaration.conftest import WARD, form
from tests.conftest import make_principal

PRINCIPALS = {"anonymous": ANONYMOUS, **{r: make_principal(f"u_{r}", r) for r in ROLES}}
F = analytics.Filters(date(2021, 9, 1), date(2021, 9, 30))


def _calls(venue_id: int):
    return {
        "list_areas": (lambda p: service.list_areas(p), {"health_officer"}),
        "add_area": (lambda p: service.add_area(p, 79, None, date(2021, 9, 1)), {"health_officer"}),
        "end_area": (lambda p: service.end_area(p, 1), {"health_officer"}),
        "register_venue": (
            lambda p: service.register_venue(p, "Quán", "shop", 48, WARD, "1 A", "0905111222"),
            {"business", "health_officer"},
        ),
        "list_venues": (lambda p: service.list_venues(p), {"business", "health_officer"}),
        "approve_venue": (lambda p: service.approve_venue(p, venue_id), {"health_officer"}),
        "get_venue": (lambda p: service.get_venue(p, venue_id), {"business", "health_officer"}),
        "venue_poster": (
            lambda p: service.venue_poster(p, venue_id),
            {"business", "health_officer"},
        ),
        "checkin_from_pass": (
            lambda p: service.checkin_from_pass(p, venue_id, {}),
            {"checkpoint", "business"},
        ),
        "summary": (lambda p: analytics.summary(p, F), {"health_officer"}),
        "per_day": (lambda p: analytics.per_day(p, F), {"health_officer"}),
        "per_ward": (lambda p: analytics.per_ward(p, F), {"health_officer"}),
        "risk_list": (lambda p: analytics.risk_list(p, F), {"health_officer"}),
        "export_risk": (lambda p: analytics.export_risk(p, F), {"health_officer"}),
        "person_declarations": (
            lambda p: analytics.person_declarations(p, "048185000123"),
            {"health_officer"},
        ),
        "person_checkins": (
            lambda p: analytics.person_checkins(p, "048185000123", F),
            {"health_officer"},
        ),
        "checkins_hourly": (lambda p: analytics.checkins_hourly(p, F), {"health_officer"}),
        "close_venue": (
            lambda p: service.close_venue(p, venue_id, "test"),
            {"business", "health_officer"},
        ),
    }


@pytest.mark.parametrize("who", list(PRINCIPALS))
def test_role_matrix(hd, who):
    owner = make_principal("u_business", "business")  # same actor as PRINCIPALS["business"]
    venue = service.register_venue(owner, "Chợ", "market", 48, WARD, "1 B", "0905111333")
    service.approve_venue(make_principal("officer", "health_officer"), venue.id)
    principal = PRINCIPALS[who]
    for name, (call, allowed) in _calls(venue.id).items():
        if who in allowed:
            try:
                call(principal)
            except (service.HealthError, ValueError):
                pass  # allowed through the role check; refused for a business reason
        else:
            with pytest.raises(PermissionDenied):
                call(principal)
                pytest.fail(f"{name} allowed for {who}")


@pytest.mark.parametrize("who", list(PRINCIPALS))
def test_public_citizen_functions_for_everyone(hd, who):
    principal = PRINCIPALS[who]
    pid = f"04800000{ROLES.index(who) if who in ROLES else 9:04d}"
    res = service.submit_declaration(principal, form(person_id=pid))
    assert service.lookup_pass(principal, "0905123456", pid).token_id == res.token_id
    assert service.pass_png(res.text).startswith(b"\x89PNG")
    with pytest.raises(service.CheckinError):
        service.checkin_by_link(principal, "HV1:nope", "0905123456", "048185000123")
    with pytest.raises(service.CheckinError):
        service.checkin_with_pass(principal, "HV1:nope", res.text)
    with pytest.raises(service.CheckinError):
        service.venue_from_token("nope")


def test_business_sees_only_its_venues(hd):
    a, b = make_principal("a", "business"), make_principal("b", "business")
    va = service.register_venue(a, "A", "shop", 48, WARD, "1", "0905111444")
    service.register_venue(b, "B", "shop", 48, WARD, "2", "0905111555")
    assert service.list_venues(a)["name"].tolist() == ["A"]
    with pytest.raises(service.HealthError):
        service.get_venue(b, va.id)
    with pytest.raises(service.HealthError):
        service.venue_poster(b, va.id)
