"""Every service entry point with every role (the core test kit's authorization matrix):
deny by default, and a business never reaches another business's data.

The matrix's ``business`` is another business (``other_biz``) than the one owning the data: it
passes the role check where a business may act and is then refused for its own reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.travel_permit import forms, service
from apps.travel_permit.service import Decision, TPError
from core.forms import FormInvalid
from core.forms.table import parse_upload, template_csv
from core.qr import service as qr
from core.registry import PUBLIC
from core.testkit import authorization_matrix

from .conftest import WARDS, business_answers, employee, request_answers, today


@pytest.fixture()
def world(store, biz, other_biz, approver):
    """``biz`` owns a decided request with permits and a rejected one; ``other_biz`` attacks."""
    ids = list(service.list_employees(biz, store=store)["cccd"])
    rid = service.submit_request(biz, request_answers(ids[:2]), store=store)
    service.decide(approver, rid, Decision.approve_all(), store=store)
    rej = service.submit_request(biz, request_answers(ids[2:4]), store=store)
    service.decide(approver, rej, Decision.reject_all("zone", "Sai khu vực"), store=store)
    pending = service.submit_request(biz, request_answers(ids[4:5]), store=store)
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
        "other_biz": other_biz,
        "approver": approver,
    }


def _answers():
    return business_answers(
        9999,
        name="Công ty Mới",
        sector="it",
        contact_name="Võ Văn E",
        phone="0935123456",
        username="moi_dn",
        password="Matkhau12345",
    )


def _parsed():
    form = forms.employee_form(48)
    return parse_upload(form, "t.csv", template_csv(form), max_rows=100, max_bytes=10**6)


def _cases(w):
    emp = employee(77777, full_name="Hồ Văn F", home_ward=WARDS[0], work_ward=WARDS[0])
    biz, appr = {"business"}, {"approver"}
    # "business" is another business than the owner: where the owner alone may act on its
    # data (a request, a permit), that business is refused (PermissionDenied) like any role.
    return {
        # name: (call, allowed roles)
        "register_business": (
            lambda p: service.register_business(p, _answers()),
            {"anonymous"},
        ),
        "my_business": (lambda p: service.my_business(p), biz),
        "resubmit_registration": (  # a business's own registration (refused: TPError here)
            lambda p: service.resubmit_registration(p, _answers()),
            biz,
        ),
        "list_businesses": (lambda p: service.list_businesses(p), appr),
        "verify_business": (
            lambda p: service.verify_business(p, w["business_id"], False, "x"),
            appr,
        ),
        "list_employees": (
            lambda p: service.list_employees(p, business_id=w["business_id"]),
            appr | biz,
        ),
        "save_employee": (lambda p: service.save_employee(p, emp), biz),
        "remove_employee": (lambda p: service.remove_employee(p, w["ids"][0]), biz),
        "import_roster": (lambda p: service.import_roster(p, _parsed()), biz),
        "export_roster": (lambda p: service.export_roster(p), biz),
        "quota_status": (lambda p: service.quota_status(p), biz),
        "roster_history": (lambda p: service.roster_history(p, w["business_id"]), appr),
        "submit_request": (lambda p: service.submit_request(p, request_answers(w["ids"][:1])), biz),
        "resubmit_request": (
            lambda p: service.resubmit_request(p, w["rejected"], request_answers(w["ids"][2:3])),
            set(),  # only the owner of the rejected request: refused to any other business
        ),
        "list_requests": (lambda p: service.list_requests(p), biz),
        "get_request": (lambda p: service.get_request(p, w["rid"]), appr),
        "queue": (lambda p: service.queue(p), appr),
        "holder_flags": (lambda p: service.holder_flags(p, w["pending"]), appr),
        "decide": (
            lambda p: service.decide(p, w["pending"], Decision.reject_all("zone", "x")),
            appr,
        ),
        "bulk_decide": (lambda p: service.bulk_decide(p, []), appr),
        "list_permits": (lambda p: service.list_permits(p), appr | biz),
        "permit_png": (lambda p: service.permit_png(p, w["pid"]), appr),
        "permit_view_link": (lambda p: service.permit_view_link(p, w["pid"]), appr),
        "active_permit_count": (  # another business counts in its own scope: 0
            lambda p: service.active_permit_count(p, request_id=w["rid"]),
            appr | biz,
        ),
        "permits_zip": (
            lambda p: service.permits_zip(p, request_id=w["rid"], purpose="kiểm tra hồ sơ"),
            appr | biz,
        ),
        "permits_pdf": (
            lambda p: service.permits_pdf(p, permit_ids=[w["pid"]], purpose="kiểm tra hồ sơ"),
            appr,
        ),
        "revoke_permit": (lambda p: service.revoke_permit(p, w["pid"], "thu hồi"), appr),
        "renew_permit": (
            lambda p: service.renew_permit(
                p, w["pid"], {"start_date": today(), "end_date": today() + timedelta(days=2)}
            ),
            appr,
        ),
        "view_permit": (lambda p: service.view_permit(p, w["text"]), {PUBLIC}),
        "analytics": (lambda p: service.analytics(p), appr | {"health_officer"}),
        # the staff home page asks for anyone: [] when the work is not theirs
        "pending_work": (lambda p: service.pending_work(p), {PUBLIC}),
    }


def test_every_entry_point_for_every_role(store, world):
    authorization_matrix(
        "travel_permit",
        _cases(world),
        principals={"business": world["other_biz"], "approver": world["approver"]},
        errors=(TPError, FormInvalid),
    )


def test_other_business_sees_only_its_own(store, world):
    other = world["other_biz"]
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


def test_the_approver_succeeds_where_allowed(store, world):
    """Allowed means working, not only "not refused": every approver case runs clean."""
    for name, (call, allowed) in _cases(world).items():
        if "approver" in allowed and name not in (
            "revoke_permit",
            "renew_permit",
            "verify_business",
        ):
            call(world["approver"])
