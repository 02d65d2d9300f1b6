"""The workflow end to end, lifecycle, quota, bad input and concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from pydantic import ValidationError

from apps.travel_permit import service
from apps.travel_permit.models import BusinessForm, RequestForm
from apps.travel_permit.service import AlreadyDecided, Decision, TPError
from core.auth import ANONYMOUS, PermissionDenied
from core.qr import service as qr

from .conftest import WARDS, add_roster, business_form, make_mst, register, request_form, today


def _count(store, table: str) -> int:
    return store.scalar(f"SELECT count(*) FROM {table}")


def test_full_flow_register_verify_request_approve_pdf_verify_revoke(store, approver):
    principal = register("cty_flow", 42, store)
    business = service.my_business(principal, store=store)
    assert business["status"] == "pending"
    with pytest.raises(TPError):  # not verified yet
        service.submit_request(principal, request_form(["048090000001"]), store=store)
    service.verify_business(approver, business["id"], True, store=store)
    assert service.my_business(principal, store=store)["status"] == "verified"
    ids = add_roster(principal, 10, store)
    rid = service.submit_request(principal, request_form(ids[:3]), store=store)
    frame, total = service.queue(approver, store=store)
    assert total == 1 and frame.iloc[0]["id"] == rid
    result = service.decide(approver, rid, Decision.approve_all(), store=store)
    assert result == {"status": "approved", "approved": 3, "rejected": 0}
    permits = service.list_permits(principal, store=store)
    assert len(permits) == 3
    pdf = service.permits_pdf(principal, request_id=rid, store=store)
    assert pdf.startswith(b"%PDF")
    zipped = service.permits_zip(principal, request_id=rid, store=store)
    assert zipped.startswith(b"PK")
    png = service.permit_png(principal, permits.iloc[0]["permit_id"], store=store)
    assert png.startswith(b"\x89PNG")
    pid = permits.iloc[0]["permit_id"]
    text = qr.token_texts([pid], store=store)[pid]
    assert len(text) <= 320  # HCERT overhead (sig 64 B, kid, iat, nbf) dominates
    verdict = qr.verify_server(text, expected_prefixes=["TP1:"], store=store)
    assert verdict.ok and verdict.reason.value == "VALID"
    assert verdict.claims["c"].endswith(ids[0][-4:]) or verdict.claims["c"].startswith("****")
    assert service.permit_link(text).startswith("http://testserver/travel_permit-view?t=TP1")
    shown = service.view_permit(ANONYMOUS, text, store=store)
    assert shown["ok"] and shown["name"].startswith("Trần")
    service.revoke_permit(principal, pid, "Nhân viên đã nghỉ việc", store=store)
    verdict = qr.verify_server(text, expected_prefixes=["TP1:"], store=store)
    assert not verdict.ok and verdict.reason.value == "REVOKED"
    actions = {r[0] for r in store.fetchall("SELECT action FROM audit_log")}
    assert {
        "tp.business.register",
        "tp.business.verified",
        "tp.request.submit",
        "tp.request.approved",
        "qr.issue",
        "tp.permit.revoke",
        "tp.permit.verify",
    } <= actions


def test_partial_approval_and_resubmit(store, biz, approver):
    ids = [r for r in service.list_employees(biz, store=store)["cccd"]][:4]
    rid = service.submit_request(biz, request_form(ids), store=store)
    res = service.decide(
        approver,
        rid,
        Decision(frozenset(ids[:2]), "employee_data", "Sai số CCCD của hai người"),
        store=store,
    )
    assert res == {"status": "partial", "approved": 2, "rejected": 2}
    req = service.get_request(biz, rid, store=store)
    assert sorted(req["items"]["status"]) == ["approved", "approved", "rejected", "rejected"]
    assert req["reason_text"] == "Sai số CCCD của hai người"
    new = service.resubmit_request(biz, rid, request_form(ids[2:]), store=store)
    assert service.get_request(biz, new, store=store)["resubmitted_from"] == rid
    with pytest.raises(TPError):  # pending cannot be resubmitted
        service.resubmit_request(biz, new, request_form(ids[2:]), store=store)


def test_reject_requires_reason_and_writes_nothing(store, biz, approver):
    ids = list(service.list_employees(biz, store=store)["cccd"])[:2]
    rid = service.submit_request(biz, request_form(ids), store=store)
    before = _count(store, "audit_log")
    for code, text in [(None, "x"), ("quota", ""), ("quota", "   "), ("bogus", "why")]:
        with pytest.raises(TPError):
            service.decide(approver, rid, Decision(frozenset(), code, text), store=store)
    assert _count(store, "audit_log") == before
    assert store.scalar("SELECT status FROM tp_requests WHERE id = ?", [rid]) == "pending"
    service.decide(approver, rid, Decision.reject_all("quota", "Quá nhiều người"), store=store)
    assert store.scalar("SELECT status FROM tp_requests WHERE id = ?", [rid]) == "rejected"
    with pytest.raises(AlreadyDecided):
        service.decide(approver, rid, Decision.approve_all(), store=store)


def test_quota_message(store, biz):
    ids = list(service.list_employees(biz, store=store)["cccd"])  # 20 people -> quota 6
    with pytest.raises(TPError, match="6"):
        service.submit_request(biz, request_form(ids[:7]), store=store)
    service.submit_request(biz, request_form(ids[:6]), store=store)
    with pytest.raises(TPError):
        service.submit_request(biz, request_form(ids[6:7]), store=store)
    assert _count(store, "tp_requests") == 1


def test_dates_wrong_order_and_too_long(store, biz, monkeypatch):
    ids = list(service.list_employees(biz, store=store)["cccd"])[:2]
    with pytest.raises(ValidationError):
        request_form(ids, start_date=today(), end_date=today() - timedelta(days=1))
    with pytest.raises(TPError, match="15"):
        service.submit_request(biz, request_form(ids, days=15), store=store)
    with pytest.raises(TPError):
        service.submit_request(
            biz,
            request_form(ids, start_date=today() - timedelta(days=2), end_date=today()),
            store=store,
        )
    monkeypatch.setattr(
        service.get_settings(), "apps", {"travel_permit": {"max_validity_days": 30}}
    )
    service.submit_request(biz, request_form(ids, days=15), store=store)


def test_employee_not_in_roster_and_other_business(store, biz, other_biz):
    theirs = list(service.list_employees(other_biz, store=store)["cccd"])[:1]
    with pytest.raises(TPError):
        service.submit_request(biz, request_form(theirs), store=store)
    assert _count(store, "tp_requests") == 0


def test_business_cannot_touch_another_business(store, biz, other_biz, approver):
    ids = list(service.list_employees(other_biz, store=store)["cccd"])[:2]
    rid = service.submit_request(other_biz, request_form(ids), store=store)
    service.decide(approver, rid, Decision.approve_all(), store=store)
    pid = service.list_permits(other_biz, store=store).iloc[0]["permit_id"]
    with pytest.raises(PermissionDenied):
        service.get_request(biz, rid, store=store)
    with pytest.raises(PermissionDenied):
        service.permit_png(biz, pid, store=store)
    with pytest.raises(PermissionDenied):
        service.revoke_permit(biz, pid, "không phải của tôi", store=store)
    with pytest.raises(PermissionDenied):
        service.permits_pdf(biz, permit_ids=[pid], store=store)
    assert len(service.list_permits(biz, store=store)) == 0
    assert service.permits_zip(other_biz, store=store).startswith(b"PK")
    with pytest.raises(TPError):
        service.permits_zip(biz, request_id=rid, store=store)


def test_renew_permit(store, biz, approver):
    ids = list(service.list_employees(biz, store=store)["cccd"])[:1]
    rid = service.submit_request(biz, request_form(ids), store=store)
    service.decide(approver, rid, Decision.approve_all(), store=store)
    pid = service.list_permits(biz, store=store).iloc[0]["permit_id"]
    new = service.renew_permit(approver, pid, today(), today() + timedelta(days=6), store=store)
    permits = service.list_permits(biz, store=store).set_index("permit_id")
    assert permits.loc[pid, "status"] == "renewed" and permits.loc[new, "status"] == "active"
    old_text = qr.token_texts([pid], store=store)[pid]
    assert qr.verify_server(old_text, store=store).reason.value == "REVOKED"
    new_text = qr.token_texts([new], store=store)[new]
    assert qr.verify_server(new_text, store=store).ok
    with pytest.raises(TPError):
        service.renew_permit(approver, new, today(), today() + timedelta(days=60), store=store)


def test_business_registration_bad_input(store):
    good = dict(
        name="Công ty A",
        tax_code=make_mst(77),
        sector="food",
        address="1 Lê Duẩn",
        ward_code=WARDS[0],
        contact_name="Lê Văn B",
        phone="0905123456",
    )
    BusinessForm(**good)
    wrong_check = good["tax_code"][:9] + str((int(good["tax_code"][9]) + 1) % 10)
    for field, value in [
        ("tax_code", wrong_check),
        ("tax_code", "12345"),
        ("phone", "0123"),
        ("ward_code", 1),  # not a Da Nang ward
        ("sector", "casino"),
    ]:
        with pytest.raises(ValidationError):
            BusinessForm(**{**good, field: value})
    service.register_business(ANONYMOUS, BusinessForm(**good), "cty_a", "Matkhau12345", store=store)
    with pytest.raises(TPError):  # same tax code twice
        service.register_business(
            ANONYMOUS, BusinessForm(**good), "cty_b", "Matkhau12345", store=store
        )
    assert _count(store, "tp_businesses") == 1


def test_approver_refuses_business_needs_reason(store, approver):
    principal = register("cty_x", 99, store)
    bid = service.my_business(principal, store=store)["id"]
    with pytest.raises(TPError):
        service.verify_business(approver, bid, False, "", store=store)
    service.verify_business(approver, bid, False, "Mã số thuế không khớp", store=store)
    with pytest.raises(AlreadyDecided):
        service.verify_business(approver, bid, True, store=store)


def test_two_approvers_one_wins(store, biz, approver):
    ids = list(service.list_employees(biz, store=store)["cccd"])[:5]
    rid = service.submit_request(biz, request_form(ids), store=store)
    other = approver.__class__("duyet2", approver.roles, "duyet2")
    barrier = threading.Barrier(2)
    results: list[object] = []

    def run(who, decision):
        barrier.wait()
        try:
            results.append(service.decide(who, rid, decision, store=store))
        except AlreadyDecided as exc:
            results.append(exc)

    threads = [
        threading.Thread(target=run, args=(approver, Decision.approve_all())),
        threading.Thread(target=run, args=(other, Decision.reject_all("quota", "Quá hạn mức"))),
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, AlreadyDecided)]
    assert len(wins) == 1 and len(losses) == 1
    assert "xử lý" in str(losses[0])
    status = store.scalar("SELECT status FROM tp_requests WHERE id = ?", [rid])
    assert status == wins[0]["status"]
    permits = _count(store, "tp_permits")
    assert permits == (5 if status == "approved" else 0)
    assert store.scalar("SELECT count(*) FROM qr_tokens") == permits


def test_bulk_decide(store, biz, approver):
    ids = list(service.list_employees(biz, store=store)["cccd"])
    r1 = service.submit_request(biz, request_form(ids[:2]), store=store)
    r2 = service.submit_request(biz, request_form(ids[2:4]), store=store)
    r3 = service.submit_request(biz, request_form(ids[4:6]), store=store)
    out = dict(
        service.bulk_decide(
            approver,
            [
                {"id": r1, "decision": "approve"},
                {"id": r2, "decision": "reject", "reason_code": "", "reason_text": ""},
                {"id": r3, "decision": "reject", "reason_code": "zone", "reason_text": "Sai khu"},
                {"id": "R-nothing", "decision": ""},
            ],
            store=store,
        )
    )
    assert set(out) == {r1, r2, r3}
    statuses = dict(store.fetchall("SELECT id, status FROM tp_requests"))
    assert statuses == {r1: "approved", r2: "pending", r3: "rejected"}


def test_analytics_and_stats(store, biz, approver):
    ids = list(service.list_employees(biz, store=store)["cccd"])
    r1 = service.submit_request(biz, request_form(ids[:2]), store=store)
    service.submit_request(biz, request_form(ids[2:3]), store=store)
    service.decide(approver, r1, Decision.approve_all(), store=store)
    data = service.analytics(approver, store=store)
    assert data["totals"]["applications"] == 2 and data["totals"]["pending"] == 1
    assert data["totals"]["permits_issued"] == 2
    assert int(data["per_ward"]["permits"].sum()) == 2
    stats = service.stats(store)
    assert stats["applications"] == 2 and stats["permits"] == 2 and stats["approved"] == 1


def test_roster_export_neutralises_formulas(store, biz):
    from apps.travel_permit.models import EmployeeIn

    emp = EmployeeIn(
        full_name="Lê Văn Cường",
        cccd="048090099999",
        phone="0905111222",
        home_ward=WARDS[0],
        work_ward=WARDS[0],
        job_title='=HYPERLINK("http://x")',
    )
    service.save_employee(biz, emp, store=store)
    data = service.export_roster(biz, store=store).decode("utf-8-sig")
    assert "'=HYPERLINK" in data and "\n=HYPERLINK" not in data and ",=HYPERLINK" not in data
    service.remove_employee(biz, "048090099999", store=store)
    assert "048090099999" not in set(service.list_employees(biz, store=store)["cccd"])
    with pytest.raises(TPError):
        service.remove_employee(biz, "048090099999", store=store)


def test_request_form_rejects_bad_cccd_and_duplicates():
    with pytest.raises(ValidationError):
        RequestForm(
            cccds=["04809000000"],
            purpose="x",
            start_date=today(),
            end_date=today(),
            zones=[WARDS[0]],
        )
    with pytest.raises(ValidationError):
        RequestForm(
            cccds=["048090000001"] * 2,
            purpose="x",
            start_date=today(),
            end_date=today(),
            zones=[WARDS[0]],
        )


def test_a_rejected_registration_releases_its_tax_code(store, approver):
    """A squatter who registered a real company's MST and was refused must not lock the
    company out; a pending or verified holder still blocks a second registration."""
    squatter = register("squatter", 4242, store)
    bid = service.my_business(squatter, store=store)["id"]
    real = business_form(4242, name="Công ty Thật", sector="food", phone="0905123457")
    with pytest.raises(TPError):  # the squatter is still pending: refused
        service.register_business(ANONYMOUS, real, "cty_that", "Matkhau12345", store=store)
    service.verify_business(approver, bid, False, "Không phải chủ doanh nghiệp", store=store)
    row = service.register_business(ANONYMOUS, real, "cty_that", "Matkhau12345", store=store)
    assert row["tax_code"] == make_mst(4242) and row["status"] == "pending"
    assert service.my_business(squatter, store=store)["status"] == "rejected"


def test_concurrent_requests_cannot_exceed_the_quota(store, biz):
    """Two requests of one business at the same moment: never more than the quota pending."""
    import threading

    from core.store import get_store

    quota = service._quota(store, service.my_business(biz, store=store)["id"])
    ids = list(service.list_employees(biz, store=store)["cccd"])
    half = quota["limit"] - quota["busy"]
    batches = [ids[:half], ids[half : 2 * half]]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def ask(cccds):
        try:
            barrier.wait()
            service.submit_request(biz, request_form(cccds), store=get_store())
            outcomes.append("ok")
        except TPError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=ask, args=(b,)) for b in batches]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert outcomes.count("ok") == 1, outcomes
    after = service._quota(store, service.my_business(biz, store=store)["id"])
    assert after["busy"] <= after["limit"]


def test_nobody_is_asked_for_twice(store, biz, approver):
    ids = list(service.list_employees(biz, store=store)["cccd"])[:4]
    rid = service.submit_request(biz, request_form(ids[:2]), store=store)
    with pytest.raises(TPError, match="đang chờ duyệt") as err:  # pending for them already
        service.submit_request(biz, request_form(ids[1:3]), store=store)
    assert "1 người" in str(err.value)
    service.decide(
        approver, rid, Decision(frozenset(ids[:1]), "quota", "Chỉ một người"), store=store
    )
    with pytest.raises(TPError, match="giấy còn hiệu lực"):  # ids[0] holds a permit now
        service.submit_request(biz, request_form(ids[:1]), store=store)
    later = request_form(
        ids[:1], start_date=today() + timedelta(days=10), end_date=today() + timedelta(days=12)
    )
    assert service.submit_request(biz, later, store=store)  # after that permit ends: fine

    first = service.resubmit_request(biz, rid, request_form(ids[1:2]), store=store)
    with pytest.raises(TPError, match=first):  # a rejected request is resubmitted once
        service.resubmit_request(biz, rid, request_form(ids[2:3]), store=store)
    assert store.scalar("SELECT count(*) FROM tp_requests WHERE resubmitted_from = ?", [rid]) == 1
