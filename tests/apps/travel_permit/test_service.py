"""The workflow end to end, lifecycle, quota, bad input and concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from apps.travel_permit import service
from apps.travel_permit.service import AlreadyDecided, Decision, TPError
from core import geo
from core.auth import ANONYMOUS, PermissionDenied
from core.forms import FormInvalid
from core.qr import service as qr

from .conftest import (
    WARDS,
    add_roster,
    business_answers,
    employee,
    make_mst,
    register,
    request_answers,
    today,
)


def _count(store, table: str) -> int:
    return store.scalar(f"SELECT count(*) FROM {table}")


def test_full_flow_register_verify_request_approve_pdf_verify_revoke(store, approver):
    principal = register("cty_flow", 42, store)
    business = service.my_business(principal, store=store)
    assert business["status"] == "pending"
    with pytest.raises(TPError):  # not verified yet
        service.submit_request(principal, request_answers(["048090000001"]), store=store)
    service.verify_business(approver, business["id"], True, store=store)
    assert service.my_business(principal, store=store)["status"] == "verified"
    ids = add_roster(principal, 10, store)
    rid = service.submit_request(principal, request_answers(ids[:3]), store=store)
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
    assert service.permit_link(text).startswith("http://testserver/giay?t=TP1")
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
    } <= actions
    assert "tp.permit.verify" not in actions  # an anonymous check is counted, not a row
    from core import audit

    audit.flush_counts()
    assert (
        store.scalar("SELECT sum(matches) FROM audit_counts WHERE action = 'tp.permit.verify'") == 1
    )


def test_partial_approval_and_resubmit(store, biz, approver):
    ids = [r for r in service.list_employees(biz, store=store)["cccd"]][:4]
    rid = service.submit_request(biz, request_answers(ids), store=store)
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
    new = service.resubmit_request(biz, rid, request_answers(ids[2:]), store=store)
    assert service.get_request(biz, new, store=store)["resubmitted_from"] == rid
    with pytest.raises(TPError):  # pending cannot be resubmitted
        service.resubmit_request(biz, new, request_answers(ids[2:]), store=store)


def test_reject_requires_reason_and_writes_nothing(store, biz, approver):
    ids = list(service.list_employees(biz, store=store)["cccd"])[:2]
    rid = service.submit_request(biz, request_answers(ids), store=store)
    before = _count(store, "audit_log")
    for code, text, field, key in [
        (None, "x", "reason_code", "forms.err.required"),
        ("quota", "", "reason_text", "forms.err.required"),
        ("quota", "   ", "reason_text", "forms.err.required"),
        ("bogus", "why", "reason_code", "forms.err.choice"),
    ]:
        with pytest.raises(FormInvalid) as err:  # beside the field of the decision form
            service.decide(approver, rid, Decision(frozenset(), code, text), store=store)
        assert {k: e.key for k, e in err.value.errors.items()} == {field: key}
    with pytest.raises(FormInvalid):  # a partial decision refuses someone: reasons needed
        service.decide(approver, rid, Decision(frozenset(ids[:1]), None, ""), store=store)
    assert _count(store, "audit_log") == before
    assert store.scalar("SELECT status FROM tp_requests WHERE id = ?", [rid]) == "pending"
    service.decide(approver, rid, Decision.reject_all("quota", "Quá nhiều người"), store=store)
    assert store.scalar("SELECT status FROM tp_requests WHERE id = ?", [rid]) == "rejected"
    with pytest.raises(AlreadyDecided):
        service.decide(approver, rid, Decision.approve_all(), store=store)


def test_quota_message(store, biz):
    ids = list(service.list_employees(biz, store=store)["cccd"])  # 20 people -> quota 6
    with pytest.raises(FormInvalid, match="6") as err:  # beside the employees chosen
        service.submit_request(biz, request_answers(ids[:7]), store=store)
    assert set(err.value.errors) == {"employees"}
    service.submit_request(biz, request_answers(ids[:6]), store=store)
    with pytest.raises(FormInvalid):
        service.submit_request(biz, request_answers(ids[6:7]), store=store)
    assert _count(store, "tp_requests") == 1


def _invalid(call) -> dict[str, str]:
    """The fields (and message keys) a refused form submission names."""
    with pytest.raises(FormInvalid) as err:
        call()
    return {name: e.key for name, e in err.value.errors.items()}


def test_dates_wrong_order_and_too_long(store, biz, monkeypatch):
    ids = list(service.list_employees(biz, store=store)["cccd"])[:2]
    backwards = request_answers(ids, start_date=today(), end_date=today() - timedelta(days=1))
    assert _invalid(lambda: service.submit_request(biz, backwards, store=store)) == {
        "end_date": "forms.err.constraint"
    }
    with pytest.raises(FormInvalid, match="14") as err:  # at most 14 days (the setting)
        service.submit_request(biz, request_answers(ids, days=15), store=store)
    assert set(err.value.errors) == {"end_date"}
    past = request_answers(ids, start_date=today() - timedelta(days=2), end_date=today())
    assert _invalid(lambda: service.submit_request(biz, past, store=store)) == {
        "start_date": "forms.err.constraint"
    }
    same_hours = request_answers(ids, start_minute=360, end_minute=360)
    assert _invalid(lambda: service.submit_request(biz, same_hours, store=store)) == {
        "end_minute": "forms.err.constraint"
    }
    assert _count(store, "tp_requests") == 0
    monkeypatch.setattr(
        service.get_settings(), "apps", {"travel_permit": {"max_validity_days": 30}}
    )
    service.submit_request(biz, request_answers(ids, days=15), store=store)


def test_employee_not_in_roster_and_other_business(store, biz, other_biz):
    theirs = list(service.list_employees(other_biz, store=store)["cccd"])[:1]
    assert _invalid(lambda: service.submit_request(biz, request_answers(theirs), store=store)) == {
        "employees": "forms.err.choice"
    }
    assert _count(store, "tp_requests") == 0


def test_business_cannot_touch_another_business(store, biz, other_biz, approver):
    ids = list(service.list_employees(other_biz, store=store)["cccd"])[:2]
    rid = service.submit_request(other_biz, request_answers(ids), store=store)
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
    rid = service.submit_request(biz, request_answers(ids), store=store)
    service.decide(approver, rid, Decision.approve_all(), store=store)
    pid = service.list_permits(biz, store=store).iloc[0]["permit_id"]
    window = {"start_date": today(), "end_date": today() + timedelta(days=6)}
    new = service.renew_permit(approver, pid, window, store=store)
    permits = service.list_permits(biz, store=store).set_index("permit_id")
    assert permits.loc[pid, "status"] == "renewed" and permits.loc[new, "status"] == "active"
    old_text = qr.token_texts([pid], store=store)[pid]
    assert qr.verify_server(old_text, store=store).reason.value == "REVOKED"
    new_text = qr.token_texts([new], store=store)[new]
    assert qr.verify_server(new_text, store=store).ok
    too_long = {"start_date": today(), "end_date": today() + timedelta(days=60)}
    assert _invalid(lambda: service.renew_permit(approver, new, too_long, store=store)) == {
        "end_date": "forms.err.constraint"
    }
    over = {"start_date": today() - timedelta(days=5), "end_date": today() - timedelta(days=1)}
    assert _invalid(lambda: service.renew_permit(approver, new, over, store=store)) == {
        "end_date": "tp.err.window_over"
    }
    with pytest.raises(TPError):  # the renewed permit is no longer active
        service.renew_permit(approver, pid, window, store=store)


def test_business_registration_bad_input(store):
    good = business_answers(77, name="Công ty A", sector="food", username="cty_a")
    wrong_check = good["tax_code"][:9] + str((int(good["tax_code"][9]) + 1) % 10)
    hanoi_ward = geo.wards(1)[0].code
    for field, value, key in [
        ("tax_code", wrong_check, "forms.err.tax_code_check"),
        ("tax_code", "12345", "forms.err.tax_code"),
        ("phone", "0123", "forms.err.phone"),
        ("ward_code", hanoi_ward, "forms.err.choice_filtered"),  # not a Da Nang ward
        ("sector", "casino", "forms.err.choice"),
        ("contact_name", "Nguyen2", "forms.err.name_chars"),
        ("name", "", "forms.err.required"),
        ("password", "", "forms.err.required"),
    ]:
        answers = {**good, field: value}
        refused = _invalid(lambda a=answers: service.register_business(ANONYMOUS, a, store=store))
        assert refused == {field: key}
    # the account service's refusals are beside the user name or the password
    for field, value in [
        ("username", "A"),
        ("password", "short1"),
        ("password", "cty_a2021xyz"),  # contains the user name
    ]:
        answers = {**good, field: value}
        refused = _invalid(lambda a=answers: service.register_business(ANONYMOUS, a, store=store))
        assert set(refused) == {field}
    service.register_business(ANONYMOUS, good, store=store)
    same_tax = {**good, "username": "cty_b"}  # received: the approver sees the clash
    assert service.register_business(ANONYMOUS, same_tax, store=store)["status"] == "pending"
    taken = business_answers(78, username="cty_a")
    assert set(_invalid(lambda: service.register_business(ANONYMOUS, taken, store=store))) == {
        "username"
    }
    assert _count(store, "tp_businesses") == 2
    row = store.records("SELECT * FROM tp_businesses WHERE username = 'cty_a'")[0]
    assert (row["province_code"], row["ward_code"], row["username"]) == (48, WARDS[0], "cty_a")
    assert row["phone"] == "0905123456" and row["status"] == "pending"


def test_landline_and_branch_tax_code_are_accepted(store):
    """The unified rules: a Da Nang landline is a phone number, a branch keeps its suffix."""
    answers = business_answers(
        79, phone="0236 3821 234", tax_code=make_mst(79) + "001", username="cty_chi_nhanh"
    )
    row = service.register_business(ANONYMOUS, answers, store=store)
    assert row["phone"] == "02363821234" and row["tax_code"] == make_mst(79) + "-001"


def test_approver_refuses_business_needs_reason(store, approver):
    principal = register("cty_x", 99, store)
    bid = service.my_business(principal, store=store)["id"]
    for reason in ("", "   ", {"reason": None}):
        refused = _invalid(
            lambda r=reason: service.verify_business(approver, bid, False, r, store=store)
        )
        assert refused == {"reason": "forms.err.required"}
    service.verify_business(approver, bid, False, "Mã số thuế không khớp", store=store)
    with pytest.raises(AlreadyDecided):
        service.verify_business(approver, bid, True, store=store)


def test_two_approvers_one_wins(store, biz, approver):
    ids = list(service.list_employees(biz, store=store)["cccd"])[:5]
    rid = service.submit_request(biz, request_answers(ids), store=store)
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
    r1 = service.submit_request(biz, request_answers(ids[:2]), store=store)
    r2 = service.submit_request(biz, request_answers(ids[2:3]), store=store)
    r3 = service.submit_request(biz, request_answers(ids[3:4]), store=store)
    r4 = service.submit_request(biz, request_answers(ids[4:5]), store=store)  # quota: 6
    out = dict(
        service.bulk_decide(
            approver,
            [
                {"id": r1, "decision": "approve", "reason_code": "zone"},  # ignored: approved
                {"id": r2, "decision": "reject", "reason_code": "", "reason_text": ""},
                {"id": r3, "decision": "reject", "reason_code": "zone", "reason_text": "Sai khu"},
                {"id": "R-nothing", "decision": ""},
                {"id": r4, "decision": "maybe"},
            ],
            store=store,
        )
    )
    assert set(out) == {r1, r2, r3, r4}
    assert out[r1] == "Đã duyệt" and out[r3] == "Từ chối"
    # a refused row names its row and each question to fix
    assert out[r2].startswith("Dòng 2: ") and "Lý do: " in out[r2] and "Giải thích: " in out[r2]
    assert out[r4].startswith("Dòng 5: Quyết định: ")
    statuses = dict(store.fetchall("SELECT id, status FROM tp_requests"))
    assert statuses == {r1: "approved", r2: "pending", r3: "rejected", r4: "pending"}
    assert store.scalar("SELECT reason_code FROM tp_requests WHERE id = ?", [r1]) is None


def test_analytics_and_stats(store, biz, approver):
    ids = list(service.list_employees(biz, store=store)["cccd"])
    r1 = service.submit_request(biz, request_answers(ids[:2]), store=store)
    service.submit_request(biz, request_answers(ids[2:3]), store=store)
    service.decide(approver, r1, Decision.approve_all(), store=store)
    data = service.analytics(approver, store=store)
    assert data["totals"]["applications"] == 2 and data["totals"]["pending"] == 1
    assert data["totals"]["permits_issued"] == 2
    assert int(data["per_ward"]["permits"].sum()) == 2
    stats = service.stats(store)
    assert stats["applications"] == 2 and stats["permits"] == 2 and stats["approved"] == 1


def test_roster_export_neutralises_formulas(store, biz):
    emp = employee(
        99999,
        full_name="Lê Văn Cường",
        cccd="048090099999",
        home_ward=WARDS[0],
        work_ward=WARDS[0],
        job_title='=HYPERLINK("http://x")',
    )
    service.save_employee(biz, emp, store=store)
    data = service.export_roster(biz, store=store).decode("utf-8-sig")
    assert data.splitlines()[0] == (
        "Họ và tên,Số CCCD,Số điện thoại,Phường/xã nơi ở,Phường/xã nơi làm việc,Biển số xe,Chức vụ"
    )
    assert "'=HYPERLINK" in data and "\n=HYPERLINK" not in data and ",=HYPERLINK" not in data
    service.remove_employee(biz, "048090099999", store=store)
    assert "048090099999" not in set(service.list_employees(biz, store=store)["cccd"])
    with pytest.raises(TPError):
        service.remove_employee(biz, "048090099999", store=store)


def test_requested_employees_come_from_the_roster(store, biz):
    ids = list(service.list_employees(biz, store=store)["cccd"])
    unknown = request_answers(["04809000000"])
    assert _invalid(lambda: service.submit_request(biz, unknown, store=store)) == {
        "employees": "forms.err.choice"
    }
    assert _invalid(lambda: service.submit_request(biz, request_answers([]), store=store)) == {
        "employees": "forms.err.required"
    }
    rid = service.submit_request(biz, request_answers([ids[0], ids[0]]), store=store)
    assert store.scalar("SELECT n_employees FROM tp_requests WHERE id = ?", [rid]) == 1
    hanoi = request_answers(ids[1:2], zones=[geo.wards(1)[0].code])
    assert _invalid(lambda: service.submit_request(biz, hanoi, store=store)) == {
        "zones": "forms.err.choice_filtered"
    }
    service.remove_employee(biz, ids[2], store=store)  # off the roster: not a choice any more
    gone = request_answers(ids[2:3])
    assert _invalid(lambda: service.submit_request(biz, gone, store=store)) == {
        "employees": "forms.err.choice"
    }


def test_a_request_is_stored_as_answered(store, biz):
    ids = list(service.list_employees(biz, store=store)["cccd"])[:2]
    answers = request_answers(
        ids,
        purpose="  Giao hàng\nthiết yếu  ",
        zones=[str(WARDS[2]), WARDS[0]],
        start_minute=300,
        end_minute="1260",
    )
    rid = service.submit_request(biz, answers, store=store)
    row = store.records("SELECT * FROM tp_requests WHERE id = ?", [rid])[0]
    assert row["purpose"] == "Giao hàng\nthiết yếu"
    assert list(row["zones"]) == sorted([WARDS[0], WARDS[2]])
    assert (row["start_minute"], row["end_minute"], row["n_employees"]) == (300, 1260, 2)
    assert row["status"] == "pending" and row["created_by"] == "cty_an"
    items = store.fetchall("SELECT cccd, status FROM tp_request_items ORDER BY cccd")
    assert items == [(c, "pending") for c in sorted(ids)]


def test_employee_answers_are_checked_and_upserted(store, biz):
    bad = employee(900, cccd="04809000090", phone="0123", home_ward=geo.wards(1)[0].code)
    assert _invalid(lambda: service.save_employee(biz, bad, store=store)) == {
        "cccd": "forms.err.cccd_11",
        "phone": "forms.err.phone",
        "home_ward": "forms.err.choice_filtered",
    }
    service.save_employee(biz, employee(900, plate="43a-123.45"), store=store)
    service.save_employee(biz, employee(900, full_name="Trần Thị Mai Hoa"), store=store)
    row = store.records("SELECT * FROM tp_employees WHERE cccd = ?", [employee(900)["cccd"]])[0]
    assert row["full_name"] == "Trần Thị Mai Hoa" and row["plate"] == "" and row["job_title"] == ""
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'tp.employee.save'") == 22


def test_a_rejected_registration_releases_its_tax_code(store, approver):
    """A squatter who registered a real company's MST and was refused must not lock the
    company out; a pending or verified holder still blocks a second registration."""
    squatter = register("squatter", 4242, store)
    bid = service.my_business(squatter, store=store)["id"]
    real = business_answers(
        4242,
        name="Công ty Thật",
        sector="food",
        phone="0905123457",
        username="cty_that",
        password="Matkhau12345",
    )
    # received like any registration (no enumeration); the approver sees who holds the code
    row = service.register_business(ANONYMOUS, real, store=store)
    assert row["status"] == "pending" and row["tax_code_clash"] == bid
    pending = service.list_businesses(approver, status="pending", store=store)
    assert pending.set_index("id").loc[row["id"], "clash"].startswith("Công ty squatter")
    assert (pending["tax_code"] == make_mst(4242)).all()
    with pytest.raises(service.TPError):  # the squatter still holds it: refuse one first
        service.verify_business(approver, row["id"], True, store=store)
    service.verify_business(approver, bid, False, "Không phải chủ doanh nghiệp", store=store)
    service.verify_business(approver, row["id"], True, store=store)
    from core import accounts

    real_biz = service.my_business(
        accounts.principal_for(accounts.get_user("cty_that", store=store)), store=store
    )
    assert real_biz["tax_code"] == make_mst(4242) and real_biz["status"] == "verified"
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
            service.submit_request(biz, request_answers(cccds), store=get_store())
            outcomes.append("ok")
        except (TPError, FormInvalid) as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=ask, args=(b,)) for b in batches]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert outcomes.count("ok") == 1, outcomes
    after = service._quota(store, service.my_business(biz, store=store)["id"])
    assert after["busy"] <= after["limit"]


def test_nobody_is_asked_for_twice(store, biz, approver):
    ids = list(service.list_employees(biz, store=store)["cccd"])[:4]
    rid = service.submit_request(biz, request_answers(ids[:2]), store=store)
    with pytest.raises(FormInvalid, match="đang chờ duyệt") as err:  # pending for them already
        service.submit_request(biz, request_answers(ids[1:3]), store=store)
    assert "1 người" in str(err.value)
    service.decide(
        approver, rid, Decision(frozenset(ids[:1]), "quota", "Chỉ một người"), store=store
    )
    with pytest.raises(FormInvalid, match="giấy còn hiệu lực"):  # ids[0] holds a permit now
        service.submit_request(biz, request_answers(ids[:1]), store=store)
    later = request_answers(
        ids[:1], start_date=today() + timedelta(days=10), end_date=today() + timedelta(days=12)
    )
    assert service.submit_request(biz, later, store=store)  # after that permit ends: fine

    first = service.resubmit_request(biz, rid, request_answers(ids[1:2]), store=store)
    with pytest.raises(TPError, match=first):  # a rejected request is resubmitted once
        service.resubmit_request(biz, rid, request_answers(ids[2:3]), store=store)
    assert store.scalar("SELECT count(*) FROM tp_requests WHERE resubmitted_from = ?", [rid]) == 1
