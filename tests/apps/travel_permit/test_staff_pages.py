"""Issue 18 on the travel permit staff pages (AppTest): the bulk queue (a tick column, the
columns that matter, feedback when nothing is ticked, an ended period flagged and not
approvable), a refused business resubmitting its registration, the validity written once."""

from __future__ import annotations

from datetime import timedelta

from streamlit.testing.v1 import AppTest

from apps.travel_permit import service
from apps.travel_permit.rules import period_label
from core.testkit import page_text, run_page
from tests.apps.travel_permit.conftest import register, request_answers


def run(page_key: str, principal) -> AppTest:
    at = run_page(page_key, principal, timeout=60)
    assert not at.exception, at.exception
    return at


def _send(at: AppTest, form_key: str) -> AppTest:
    keyed = [b for b in at.button if b.key == f"{form_key}::send"]
    if keyed:
        return keyed[0].click().run()
    submit = [b for b in at.button if str(b.key).startswith(f"FormSubmitter:{form_key}-")]
    return submit[0].click().run()


def _queue_table(at: AppTest):
    """The bulk queue's table (a data editor) as the page sent it."""
    return next(d for d in at.dataframe if "tp_queue_editor" in d.proto.id)


def test_bulk_apply_with_nothing_ticked_says_so(store, approver, biz):
    ids = list(service.list_employees(biz)["cccd"])
    service.submit_request(biz, request_answers(ids[:2]), store=store)
    at = run("travel_permit.queue", approver)
    table = _queue_table(at)
    # a tick column and the columns that matter (no status column when filtered on pending)
    assert list(table.proto.column_order) == [
        "pick", "id", "business", "ward", "n", "validity", "age_h"
    ]  # fmt: skip
    assert not table.value.isna().any().any()  # empty cells are empty, never None
    at.radio(key="tp_bulk:decision").set_value("approve")
    _send(at, "tp_bulk")
    assert not at.exception, at.exception
    assert any("Chưa chọn yêu cầu nào" in e.value for e in at.error)
    assert store.scalar("SELECT count(*) FROM tp_requests WHERE status = 'pending'") == 1


def test_an_ended_request_is_flagged_and_cannot_be_approved(store, approver, biz, frozen_clock):
    ids = list(service.list_employees(biz)["cccd"])
    rid = service.submit_request(biz, request_answers(ids[:2], days=2), store=store)
    frozen_clock[0] += timedelta(days=3)
    at = run("travel_permit.queue", approver)
    assert any("1 yêu cầu đã hết thời hạn" in w.value for w in at.warning)
    table = _queue_table(at)
    assert "warning" in table.proto.column_order
    assert table.value.set_index("id").loc[rid, "warning"] == "⚠ Đã hết thời hạn"
    assert at.selectbox(key="tp_queue_open").value == rid
    assert any("không thể duyệt" in e.value for e in at.error)  # on the opened request
    approve = next(b for b in at.button if b.key == f"tp_approve_{rid}")
    assert approve.disabled
    req = service.get_request(approver, rid)
    assert period_label(req["start_date"], req["end_date"]) in page_text(at)


def test_refused_business_resubmits_from_its_page(store, approver):
    principal = register("cty_sua", 2222, store)
    bid = service.my_business(principal)["id"]
    service.verify_business(approver, bid, False, "Sai địa chỉ", store=store)
    at = run("travel_permit.business", principal)
    assert "Sai địa chỉ" in page_text(at)
    assert at.text_input(key="tp_reg_fix:name").value == "Công ty cty_sua"  # prefilled
    at.text_input(key="tp_reg_fix:address").input("45 Trần Phú")
    _send(at, "tp_reg_fix")
    assert not at.exception, at.exception
    assert any("Đã gửi lại đăng ký" in s.value for s in at.success), page_text(at)
    row = store.records("SELECT status, address FROM tp_businesses WHERE id = ?", [bid])[0]
    assert row == {"status": "pending", "address": "45 Trần Phú"}


def test_permits_page_shows_the_validity_once(store, approver, biz):
    ids = list(service.list_employees(biz)["cccd"])
    rid = service.submit_request(biz, request_answers(ids[:1], days=5), store=store)
    service.decide(approver, rid, service.Decision.approve_all())
    at = run("travel_permit.permits", biz)
    frame = at.dataframe[0].value
    req = service.get_request(biz, rid)
    assert list(frame["Thời hạn"]) == [period_label(req["start_date"], req["end_date"])]
    assert "Hiệu lực đến" not in frame.columns


def test_bulk_apply_to_the_ticked_row_refreshes_the_queue(store, approver, biz):
    ids = list(service.list_employees(biz)["cccd"])
    first = service.submit_request(biz, request_answers(ids[:2]), store=store)
    second = service.submit_request(biz, request_answers(ids[2:3]), store=store)
    at = run("travel_permit.queue", approver)
    table = _queue_table(at)
    row = list(table.value["id"]).index(second)
    # what the browser sends when the row's "Pick" box is ticked
    at.session_state["tp_queue_editor:0"] = {  # the first table (pages.BULK_GENERATION)
        "edited_rows": {str(row): {"pick": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert any(b.label == "Áp dụng cho 1 yêu cầu đã chọn" for b in at.button)
    at.radio(key="tp_bulk:decision").set_value("approve")
    _send(at, "tp_bulk")
    assert not at.exception, at.exception
    statuses = dict(store.fetchall("SELECT id, status FROM tp_requests"))
    assert statuses == {first: "pending", second: "approved"}
    results = next(d.value for d in at.dataframe if "outcome" in d.value.columns)
    assert list(results["id"]) == [second]
    # the queue is read again: the approved request left the pending list, no tick is left
    table = _queue_table(at)
    assert list(table.value["id"]) == [first] and not table.value["pick"].any()
