"""The generic service of a definition app: submissions (errors per field, areas, unique),
review (oldest first, reasons required, bulk, resubmit, one decision wins), QR codes (claims
masked, validity, revocation), exports (formula-safe, audited), bulk entry, panels, and the
authorization matrix of every example's roles."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from core import clock
from core.auth import PermissionDenied
from core.definitions import service
from core.forms.errors import FormInvalid
from core.qr.codec import b45decode, inflate, split_prefix
from core.registry import PUBLIC
from core.testkit import authorization_matrix, make_principal
from tests.core.definitions.conftest import (
    AN_HAI,
    HAI_CHAU,
    MARKET,
    RELIEF,
    VACCINATION,
    market_answers,
    relief_answers,
    vaccination_answers,
)

OFFICIAL = make_principal("phuong", f"can_bo_phuong@ward:{HAI_CHAU}")
RELIEF_OFFICIAL = make_principal("xa", f"can_bo_xa@ward:{AN_HAI}")
OTHER_WARD = make_principal("xa2", f"can_bo_xa@ward:{HAI_CHAU}")
STAFF = make_principal("tiem", "nhan_vien_tiem")


def audit_rows(store, action: str) -> list[tuple]:
    return store.fetchall(
        "SELECT actor, object_id, details FROM audit_log WHERE action = ? ORDER BY id", [action]
    )


def claims_of(text: str) -> dict:
    import cbor2

    _, body = split_prefix(text)
    msg = cbor2.loads(inflate(b45decode(body)))
    parts = msg.value if isinstance(msg, cbor2.CBORTag) else msg
    payload = cbor2.loads(parts[2])
    return next(v for v in payload.values() if isinstance(v, dict))


# -- submitting -------------------------------------------------------------------------------


def test_each_bad_answer_is_named_beside_its_field(store, install_app):
    install_app(MARKET)
    with pytest.raises(FormInvalid) as bad:
        service.submit(
            OFFICIAL, MARKET, market_answers(household_no="abc", members=99, market="cho-xyz")
        )
    assert set(bad.value.errors) == {"household_no", "members", "market"}
    assert store.scalar("SELECT count(*) FROM app_phieu_di_cho") == 0


def test_a_ward_official_registers_in_their_ward_only(store, install_app):
    install_app(MARKET)
    done = service.submit(OFFICIAL, MARKET, market_answers(1))
    assert done.status == "accepted" and done.token_text.startswith("MV1:")
    with pytest.raises(PermissionDenied):
        service.submit(OFFICIAL, MARKET, market_answers(2, ward=AN_HAI))
    with pytest.raises(PermissionDenied):
        service.submit(None, MARKET, market_answers(3))  # not public
    frame, total = service.submissions(OFFICIAL, MARKET)
    assert total == 1
    other = make_principal("q", f"can_bo_phuong@ward:{AN_HAI}")
    assert service.submissions(other, MARKET)[1] == 0


def test_unique_values_are_refused_beside_the_field(store, install_app):
    install_app(MARKET)
    first = service.submit(OFFICIAL, MARKET, market_answers(1))
    with pytest.raises(FormInvalid) as bad:
        service.submit(OFFICIAL, MARKET, market_answers(1, head="Người Khác"))
    assert set(bad.value.errors) == {"household_no"}
    assert first.ref in bad.value.errors["household_no"].message


def test_market_voucher_claims_validity_and_masking(store, install_app, frozen_clock):
    install_app(MARKET)
    done = service.submit(OFFICIAL, MARKET, {**market_answers(7), "phone": "0905123456"})
    claims = claims_of(done.token_text)
    assert claims == {
        "head": "Trần Thị Bích Ngọc",
        "household_no": 107,
        "household_no_parity": "odd",
        "ward": HAI_CHAU,
        "market": ["cho-con"],
    }
    row = store.records("SELECT _valid_until, _token_id FROM app_phieu_di_cho")[0]
    assert clock.as_utc(row["_valid_until"]) - frozen_clock[0] == timedelta(days=14)
    assert store.scalar("SELECT expires_at FROM qr_tokens WHERE token_id = ?", [row["_token_id"]])


def test_identity_numbers_are_masked_in_the_qr(store, install_app):
    install_app(RELIEF)
    done = service.submit(None, RELIEF, relief_answers(1))
    service.decide(RELIEF_OFFICIAL, RELIEF, done.id, "approve")
    text = service.status(None, RELIEF, done.ref)["token_text"]
    claims = claims_of(text)
    assert claims["cccd"].startswith("********") and len(claims["cccd"]) == 12
    assert claims["point"] == ["cuu-tro-an-hai"] and claims["members"] == 4
    assert set(claims) == {"head", "cccd", "members", "point"}


def test_a_day_in_the_past_is_refused_beside_it(store, install_app):
    install_app(VACCINATION)
    with pytest.raises(FormInvalid) as bad:
        service.submit(
            None, VACCINATION, vaccination_answers(day=clock.today_local() - timedelta(days=1))
        )
    assert set(bad.value.errors) == {"day"}


# -- review -----------------------------------------------------------------------------------


def test_queue_oldest_first_and_in_the_reviewers_area(store, install_app, frozen_clock):
    install_app(RELIEF)
    refs = []
    for i in range(3):
        frozen_clock[0] += timedelta(minutes=5)
        refs.append(service.submit(None, RELIEF, relief_answers(i)).ref)
    service.submit(None, RELIEF, relief_answers(9, ward=HAI_CHAU))
    frame, total = service.queue(RELIEF_OFFICIAL, RELIEF)
    assert total == 3 and list(frame["_ref"]) == refs
    assert service.queue(OTHER_WARD, RELIEF)[1] == 1
    with pytest.raises(PermissionDenied):
        service.decide(OTHER_WARD, RELIEF, int(frame["_id"][0]), "approve")


def test_reject_needs_a_reason_and_resubmit_puts_it_back(store, install_app):
    install_app(RELIEF)
    done = service.submit(None, RELIEF, relief_answers(1))
    with pytest.raises(FormInvalid) as bad:
        service.decide(RELIEF_OFFICIAL, RELIEF, done.id, "reject", {})
    assert set(bad.value.errors) == {"reason_code"}
    service.decide(
        RELIEF_OFFICIAL,
        RELIEF,
        done.id,
        "reject",
        {"reason_code": "unverified", "reason_text": "Gọi không được"},
    )
    shown = service.status(None, RELIEF, done.ref)
    assert shown["status"] == "rejected" and shown["can_resubmit"]
    assert shown["reason"] == "Không xác minh được — Gọi không được"
    assert shown["values"]["needs"] == ["rice", "water"]
    with pytest.raises(FormInvalid):
        service.resubmit(None, RELIEF, done.ref, {**relief_answers(1), "phone": "12"})
    again = service.resubmit(None, RELIEF, done.ref, {**relief_answers(1), "phone": "0905 111 222"})
    assert again.status == "pending"
    assert service.queue(RELIEF_OFFICIAL, RELIEF)[1] == 1
    with pytest.raises(service.DefinitionAppError):
        service.resubmit(None, RELIEF, done.ref, relief_answers(1))  # pending, not rejected
    assert [r[1] for r in audit_rows(store, "ho_tro_cuu_tro.resubmit")] == [str(done.id)]
    rec = store.records("SELECT _attempt, phone FROM app_ho_tro_cuu_tro")[0]
    assert rec == {"_attempt": 2, "phone": "0905111222"}


def test_approval_issues_the_code_and_is_audited(store, install_app):
    install_app(VACCINATION)
    done = service.submit(None, VACCINATION, vaccination_answers(1))
    assert service.status(None, VACCINATION, done.ref)["token_text"] is None
    result = service.decide(STAFF, VACCINATION, done.id, "approve")
    shown = service.status(None, VACCINATION, done.ref)
    assert shown["status"] == "approved" and shown["token_text"].startswith("VX1:")
    ((actor, object_id, details),) = audit_rows(store, "tiem_chung.approve")
    assert (actor, object_id) == ("tiem", str(done.id)) and result["token_id"] in details
    with pytest.raises(service.AlreadyDecided):
        service.decide(STAFF, VACCINATION, done.id, "reject", {"reason_code": "full"})


def test_one_decision_wins_when_two_reviewers_act_at_once(store, install_app):
    install_app(VACCINATION)
    done = service.submit(None, VACCINATION, vaccination_answers(1))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(decision: str, name: str) -> None:
        barrier.wait()
        try:
            service.decide(
                make_principal(name, "nhan_vien_tiem"),
                VACCINATION,
                done.id,
                decision,
                {"reason_code": "full"},
            )
            outcomes.append(decision)
        except service.AlreadyDecided:
            outcomes.append("lost")

    threads = [threading.Thread(target=act, args=a) for a in (("approve", "a"), ("reject", "b"))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes).count("lost") == 1
    status = store.scalar("SELECT _status FROM app_tiem_chung")
    assert status in ("approved", "rejected")
    decided = store.scalar(
        "SELECT count(*) FROM audit_log WHERE action IN ('tiem_chung.approve', 'tiem_chung.reject')"
    )
    assert decided == 1
    tokens = store.scalar("SELECT count(*) FROM qr_tokens WHERE prefix = 'VX1:'")
    assert tokens == (1 if status == "approved" else 0)


def test_bulk_decisions(store, install_app):
    install_app(RELIEF)
    ids = [service.submit(None, RELIEF, relief_answers(i)).id for i in range(4)]
    outcome = service.bulk_decide(
        RELIEF_OFFICIAL,
        RELIEF,
        [
            {"id": ids[0], "decision": "approve"},
            {"id": ids[1], "decision": "reject", "reason_code": "received"},
            {"id": ids[2], "decision": "reject"},  # no reason: refused, the others go on
            {"id": ids[3], "decision": None},
        ],
    )
    assert [sid for sid, _ in outcome] == ids[:3]
    assert outcome[0][1] == "Đã duyệt" and outcome[1][1] == "Bị từ chối"
    assert "Lý do" in outcome[2][1] or "chọn" in outcome[2][1].lower()
    statuses = dict(store.fetchall("SELECT _id, _status FROM app_ho_tro_cuu_tro"))
    assert [statuses[i] for i in ids] == ["approved", "rejected", "pending", "pending"]


# -- codes ------------------------------------------------------------------------------------


def test_revoke_needs_a_reason_and_the_checkpoint_refuses_then(store, install_app):
    from core.qr import service as qr

    install_app(MARKET)
    done = service.submit(OFFICIAL, MARKET, market_answers(1))
    with pytest.raises(FormInvalid):
        service.revoke(OFFICIAL, MARKET, done.id, "  ")
    service.revoke(OFFICIAL, MARKET, done.id, "Hộ chuyển đi")
    assert not qr.verify_server(done.token_text).ok
    assert qr.verify_server(done.token_text).reason.value == "REVOKED"
    assert [r[1] for r in audit_rows(store, "phieu_di_cho.revoke")] == [str(done.id)]
    with pytest.raises(service.DefinitionAppError):
        service.revoke(OFFICIAL, MARKET, done.id, "lần nữa")
    frame = service.codes(OFFICIAL, MARKET)
    assert bool(frame["revoked"][0])


def test_cards_are_a4_pdf_with_vietnamese_text(store, install_app):
    install_app(MARKET)
    ids = [service.submit(OFFICIAL, MARKET, market_answers(i)).id for i in range(9)]
    pdf = service.cards_pdf(OFFICIAL, MARKET, ids)
    assert pdf.startswith(b"%PDF-")
    assert [r[0] for r in audit_rows(store, "phieu_di_cho.cards")] == ["phuong"]
    other = make_principal("q", f"can_bo_phuong@ward:{AN_HAI}")
    with pytest.raises(service.DefinitionAppError):
        service.cards_pdf(other, MARKET, ids)  # none in their ward


# -- exports and bulk entry -------------------------------------------------------------------


def test_export_is_formula_safe_and_audited(store, install_app):
    from io import BytesIO

    from openpyxl import load_workbook

    install_app(MARKET)
    service.submit(OFFICIAL, MARKET, market_answers(1, head="Ngọc", address='=HYPERLINK("x")'))
    csv = service.export(OFFICIAL, MARKET, "csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and "Chợ Cồn" in csv and "Phường Hải Châu" in csv
    xlsx = service.export(OFFICIAL, MARKET, "xlsx")
    sheet = load_workbook(BytesIO(xlsx)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert '\'=HYPERLINK("x")' in values
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)
    rows = audit_rows(store, "phieu_di_cho.export")
    assert len(rows) == 2 and '"rows": 1' in rows[0][2]


def test_bulk_entry_from_a_spreadsheet(store, install_app):
    from core.forms.table import parse_upload, template_csv

    install_app(MARKET)
    from core.definitions import install

    form = install.definition(MARKET).form
    header = template_csv(form).decode("utf-8-sig").splitlines()[0]
    rows = [
        "Trần Văn A,201,3,0905111222,Thành phố Đà Nẵng,Phường Hải Châu,1 Lê Lợi,Chợ Cồn",
        "Trần Văn B,202,2,,48,20242,2 Lê Lợi,cho-han",
        "Sai Số,abc,2,,48,20242,3 Lê Lợi,cho-han",
    ]
    data = ("\n".join([header, *rows]) + "\n").encode()
    result = parse_upload(form, "ho.csv", data, max_rows=100, max_bytes=10**6)
    assert len(result.good) == 2 and {e.row for e in result.errors} == {4}
    assert service.import_rows(OFFICIAL, MARKET, result) == 2
    assert store.scalar("SELECT count(*) FROM app_phieu_di_cho WHERE _token_id IS NOT NULL") == 2
    again = parse_upload(form, "ho.csv", data, max_rows=100, max_bytes=10**6)
    with pytest.raises(service.DefinitionAppError):
        service.import_rows(OFFICIAL, MARKET, again)  # 201 is there already: nothing imported
    assert store.scalar("SELECT count(*) FROM app_phieu_di_cho") == 2
    other = make_principal("q", f"can_bo_phuong@ward:{AN_HAI}")
    fresh = parse_upload(
        form, "ho.csv", ("\n".join([header, "Trần Văn C,303,2,,48,20242,2 Lê Lợi,cho-han"]) + "\n").encode(),
        max_rows=100, max_bytes=10**6,
    )  # fmt: skip
    assert len(fresh.good) == 1
    with pytest.raises(service.DefinitionAppError):
        service.import_rows(other, MARKET, fresh)  # outside their ward


# -- panels -----------------------------------------------------------------------------------


def test_panels_count_per_day_choice_and_area(store, install_app):
    install_app(RELIEF)
    for i in range(3):
        service.submit(None, RELIEF, relief_answers(i, needs=["rice"] if i else ["rice", "cash"]))
    service.submit(None, RELIEF, relief_answers(7, ward=HAI_CHAU))
    per_day = service.panel_data(RELIEF_OFFICIAL, RELIEF, 0)
    assert per_day["count"].sum() == 3  # their ward only
    needs = dict(zip(*service.panel_data(RELIEF_OFFICIAL, RELIEF, 1).values.T, strict=True))
    assert needs == {"Gạo": 3, "Tiền mặt": 1}
    everywhere = make_principal("boss", "can_bo_xa")
    wards = dict(zip(*service.panel_data(everywhere, RELIEF, 2).values.T, strict=True))
    assert wards == {"Phường An Hải": 3, "Phường Hải Châu": 1}


# -- authorization matrix ---------------------------------------------------------------------


def _cases(app_id: str, answers, store) -> dict:
    from core.definitions import install

    admin = make_principal("setup", "admin", "can_bo_phuong", "can_bo_xa", "nhan_vien_tiem")
    d = install.definition(app_id)
    sub = service.submit(admin if not d.public else None, app_id, answers(50))
    if d.workflow == "review":
        service.decide(admin, app_id, sub.id, "approve")
    pending = (
        service.submit(admin if not d.public else None, app_id, answers(51))
        if d.workflow == "review"
        else sub
    )
    roles = service.action_roles(d)

    submitters = {PUBLIC} if d.public else set(d.submitter_roles)
    counter = iter(range(100, 10_000))
    return {
        "submit": (lambda p: service.submit(p, app_id, answers(next(counter))), submitters),
        "status": (lambda p: service.status(p, app_id, sub.ref), {PUBLIC}),
        "resubmit": (lambda p: service.resubmit(p, app_id, sub.ref, answers(50)), submitters),
        "queue": (lambda p: service.queue(p, app_id), set(roles["review"])),
        "record": (
            lambda p: service.record(p, app_id, sub.id),
            set(roles["view"] | roles["review"]),
        ),
        "decide": (
            lambda p: service.decide(p, app_id, pending.id, "approve"),
            set(roles["review"]),
        ),
        "bulk_decide": (lambda p: service.bulk_decide(p, app_id, []), set(roles["review"])),
        "submissions": (lambda p: service.submissions(p, app_id), set(roles["view"])),
        "export": (lambda p: service.export(p, app_id, "csv"), set(roles["export"])),
        "import_rows": (
            lambda p: service.import_rows(p, app_id, _empty_result(d)),
            set(roles["entry"]),
        ),
        "codes": (lambda p: service.codes(p, app_id), set(roles["cards"])),
        "cards_pdf": (lambda p: service.cards_pdf(p, app_id, [sub.id]), set(roles["cards"])),
        "revoke": (lambda p: service.revoke(p, app_id, sub.id, "thử"), set(roles["revoke"])),
        "panel_data": (lambda p: service.panel_data(p, app_id, 0), set(roles["panels"])),
    }


def _empty_result(d):
    import pandas as pd

    from core.forms.table import TableResult

    return TableResult(d.form, pd.DataFrame({"row": []}), [], 0, [])


@pytest.mark.parametrize(
    ("app_id", "answers"),
    [(MARKET, market_answers), (VACCINATION, vaccination_answers), (RELIEF, relief_answers)],
)
def test_every_entry_point_for_every_role(store, install_app, app_id, answers):
    for other in (MARKET, VACCINATION, RELIEF):
        install_app(other)
    authorization_matrix(
        app_id, _cases(app_id, answers, store), errors=(service.DefinitionAppError, FormInvalid)
    )
