"""Every public service entry point with every role: deny by default, and a business never
reaches another business's data."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest

from apps.travel_permit import roster, service
from apps.travel_permit.models import EmployeeIn
from apps.travel_permit.service import Decision, TPError
from core.auth import ANONYMOUS, PermissionDenied
from core.qr import service as qr
from tests.conftest import make_principal

from .conftest import WARDS, business_form, request_form, today

ROLES = ("admin", "other_business", "approver", "checkpoint", "health_officer", "anonymous")


@pytest.fixture()
def world(store, biz, other_biz, approver):
    """``biz`` owns a decided request with permits and a rejected one; ``other_biz`` attacks."""
    ids = list(service.list_employees(biz, store=store)["cccd"])
    rid = service.submit_request(biz, request_form(ids[:2]), store=store)
    service.decide(approver, rid, Decision.approve_all(), store=store)
    rej = service.submit_request(biz, request_form(ids[2:4]), store=store)
    service.decide(approver, rej, Decision.reject_all("zone", "Sai khu vực"), store=store)
    pending = service.submit_request(biz, request_form(ids[4:5]), store=store)
    pid = service.list_permits(biz, store=store).iloc[0]["permit_id"]
    return {
        "biz": biz,
        "business_id": service.my_business(biz, store=store)["id"],
        "rid": rid,
        "rejected": rej,
        "pending": pending,
        "pid": pid,
        "text": qr.token_texts([pid], store=store)[pid],
        "ids": ids,
        "principals": {
            "admin": make_principal("root", "admin"),
            "other_business": other_biz,
            "approver": approver,
            "checkpoint": make_principal("chot", "checkpoint"),
            "health_officer": make_principal("yte", "health_officer"),
            "anonymous": ANONYMOUS,
        },
    }


def _form():
    return business_form(
        9999, name="Công ty Mới", sector="it", contact_name="Võ Văn E", phone="0935123456"
    )


def _parsed():
    data = roster.template_csv()
    return roster.parse_file("t.csv", data, 48, max_rows=100, max_bytes=10**6)


def _cases(w):
    emp = EmployeeIn(
        full_name="Hồ Văn F",
        cccd="048090077777",
        phone="0905123456",
        home_ward=WARDS[0],
        work_ward=WARDS[0],
    )
    return {
        # name: (call, allowed roles)
        "register_business": (
            lambda p: service.register_business(p, _form(), "moi_dn", "Matkhau12345"),
            {"anonymous"},
        ),
        "my_business": (lambda p: service.my_business(p), {"other_business"}),
        "list_businesses": (lambda p: service.list_businesses(p), {"approver"}),
        "verify_business": (
            lambda p: service.verify_business(p, w["business_id"], False, "x"),
            {"approver"},
        ),
        "list_employees": (
            lambda p: service.list_employees(p, business_id=w["business_id"]),
            {"approver", "other_business"},
        ),
        "save_employee": (lambda p: service.save_employee(p, emp), {"other_business"}),
        "remove_employee": (lambda p: service.remove_employee(p, w["ids"][0]), set()),
        "import_roster": (lambda p: service.import_roster(p, _parsed()), {"other_business"}),
        "export_roster": (lambda p: service.export_roster(p), {"other_business"}),
        "quota_status": (lambda p: service.quota_status(p), {"other_business"}),
        "submit_request": (lambda p: service.submit_request(p, request_form(w["ids"][:1])), set()),
        "resubmit_request": (
            lambda p: service.resubmit_request(p, w["rejected"], request_form(w["ids"][2:3])),
            set(),
        ),
        "list_requests": (lambda p: service.list_requests(p), {"other_business"}),
        "get_request": (lambda p: service.get_request(p, w["rid"]), {"approver"}),
        "queue": (lambda p: service.queue(p), {"approver"}),
        "decide": (
            lambda p: service.decide(p, w["pending"], Decision.reject_all("zone", "x")),
            {"approver"},
        ),
        "bulk_decide": (lambda p: service.bulk_decide(p, []), {"approver"}),
        "list_permits": (lambda p: service.list_permits(p), {"approver", "other_business"}),
        "permit_png": (lambda p: service.permit_png(p, w["pid"]), {"approver"}),
        "permit_view_link": (lambda p: service.permit_view_link(p, w["pid"]), {"approver"}),
        "active_permit_count": (  # another business counts in its own scope: 0
            lambda p: service.active_permit_count(p, request_id=w["rid"]),
            {"approver", "other_business"},
        ),
        "permits_zip": (lambda p: service.permits_zip(p, request_id=w["rid"]), {"approver"}),
        "permits_pdf": (lambda p: service.permits_pdf(p, permit_ids=[w["pid"]]), {"approver"}),
        "revoke_permit": (lambda p: service.revoke_permit(p, w["pid"], "thu hồi"), {"approver"}),
        "renew_permit": (
            lambda p: service.renew_permit(p, w["pid"], today(), today() + timedelta(days=2)),
            {"approver"},
        ),
        "view_permit": (lambda p: service.view_permit(p, w["text"]), set(ROLES)),
        "analytics": (lambda p: service.analytics(p), {"approver", "health_officer"}),
    }


def _entry_points() -> set[str]:
    out = set()
    for name, fn in inspect.getmembers(service, inspect.isfunction):
        if name.startswith("_") or fn.__module__ != service.__name__:
            continue
        params = list(inspect.signature(fn).parameters)
        if params and params[0] == "principal":
            out.add(name)
    return out


def test_every_entry_point_is_covered(world):
    assert _entry_points() == set(_cases(world))


@pytest.mark.parametrize("role", ROLES)
def test_deny_by_default(store, world, role):
    principal = world["principals"][role]
    for name, (call, allowed) in _cases(world).items():
        if role in allowed:
            continue
        before = store.scalar("SELECT count(*) FROM audit_log")
        with pytest.raises((PermissionDenied, TPError)) as info:
            call(principal)
        if role != "other_business":
            assert isinstance(info.value, PermissionDenied), name
        assert store.scalar("SELECT count(*) FROM audit_log") == before, name


def test_other_business_sees_only_its_own(store, world):
    other = world["principals"]["other_business"]
    mine = set(world["ids"])
    assert not mine & set(service.list_employees(other, business_id=world["business_id"])["cccd"])
    assert not set(service.list_requests(other)["id"]) & {world["rid"], world["rejected"]}
    assert world["pid"] not in set(service.list_permits(other)["permit_id"])
    assert service.my_business(other)["id"] != world["business_id"]
    assert not any(c in service.export_roster(other).decode("utf-8-sig") for c in mine)
    assert service.active_permit_count(other, request_id=world["rid"]) == 0
    assert service.active_permit_count(world["biz"], request_id=world["rid"]) == 2
    assert service.permit_view_link(world["biz"], world["pid"]) == service.permit_link(
        world["text"]
    )


@pytest.mark.parametrize("role", ["approver"])
def test_allowed_roles_pass(store, world, role):
    principal = world["principals"][role]
    for name, (call, allowed) in _cases(world).items():
        if role in allowed and name not in ("revoke_permit", "renew_permit", "verify_business"):
            call(principal)
