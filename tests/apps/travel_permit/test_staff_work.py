"""Issue 18 for the travel permit staff: the approver's pending work, a request whose period
is over (flagged in the queue, refused by the service with a clear message), one way of
writing a validity, a refused business correcting and resubmitting its registration."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from apps.travel_permit import forms, service
from apps.travel_permit.rules import period_label, window_label, window_labels
from apps.travel_permit.service import Decision, TPError
from core import audit
from core.auth import ANONYMOUS, PermissionDenied
from core.forms import FormInvalid
from core.testkit import make_principal
from tests.apps.travel_permit.conftest import make_mst, register, request_answers

# -- pending work -------------------------------------------------------------------------------


def test_pending_work_of_an_approver(store, approver, biz, frozen_clock):
    assert service.pending_work(approver) == []  # the fixture's business is verified
    ids = [c for c in service.list_employees(biz)["cccd"]]
    service.submit_request(biz, request_answers(ids[:2]), store=store)
    service.submit_request(biz, request_answers(ids[2:3]), store=store)
    register("cty_moi", 4321, store)  # a new registration waits for verification
    assert service.pending_work(approver) == [
        ("tp.pending.queue", 2, "travel_permit.queue"),
        ("tp.pending.accounts", 1, "travel_permit.accounts"),
    ]
    frame, _ = service.queue(approver)
    service.decide(approver, frame["id"].iloc[0], Decision.approve_all())
    assert service.pending_work(approver)[0] == ("tp.pending.queue", 1, "travel_permit.queue")


def test_pending_work_of_other_roles_is_empty(store, biz, approver):
    ids = list(service.list_employees(biz)["cccd"])
    service.submit_request(biz, request_answers(ids[:1]), store=store)
    assert service.pending_work(biz) == []
    assert service.pending_work(make_principal("yte", "health_officer")) == []
    assert service.pending_work(None) == []


# -- a request whose period is over ------------------------------------------------------------


def _ended_request(store, biz, frozen_clock) -> str:
    ids = list(service.list_employees(biz)["cccd"])
    rid = service.submit_request(biz, request_answers(ids[:2], days=2), store=store)
    frozen_clock[0] += timedelta(days=2, hours=1)  # past the last local day
    return rid


def test_queue_flags_a_request_whose_period_is_over(store, approver, biz, frozen_clock):
    ids = list(service.list_employees(biz)["cccd"])
    fresh = service.submit_request(biz, request_answers(ids[5:6], days=7), store=store)
    ended = _ended_request(store, biz, frozen_clock)
    frame, _ = service.queue(approver)
    flags = dict(zip(frame["id"], frame["period_over"], strict=True))
    assert flags == {fresh: False, ended: True}
    row = frame.set_index("id").loc[ended]
    assert row["validity"] == period_label(row["start_date"], row["end_date"])
    assert " – " in row["validity"]


def test_an_ended_request_is_not_approved_with_a_clear_message(store, approver, biz, frozen_clock):
    rid = _ended_request(store, biz, frozen_clock)
    with pytest.raises(TPError) as err:
        service.decide(approver, rid, Decision.approve_all())
    assert rid in str(err.value) and "không thể duyệt" in str(err.value)
    req = service.get_request(approver, rid)
    assert req["status"] == "pending" and service.list_permits(approver, request_id=rid).empty
    # in bulk too: the row says why, nothing is issued; refusing it works
    out = service.bulk_decide(approver, [{"id": rid, "decision": "approve"}])
    assert out == [(rid, str(err.value))]
    out = service.bulk_decide(
        approver,
        [{"id": rid, "decision": "reject", "reason_code": "zone", "reason_text": "Hết hạn"}],
    )
    assert out[0][0] == rid and service.get_request(approver, rid)["status"] == "rejected"


def test_period_over_at_the_end_of_the_last_local_day():
    last = date(2026, 12, 14)
    # local midnight after 14/12 is 16:59:59 UTC on 14/12 + 1 s
    before = datetime(2026, 12, 14, 16, 59, 59, 999_999, tzinfo=UTC)
    after = datetime(2026, 12, 14, 17, 0, 0, tzinfo=UTC)
    assert not service.period_over(last, now=before)
    assert service.period_over(last, now=after)


# -- validity written one way -------------------------------------------------------------------


def test_validity_is_written_one_way(store, approver, biz, frozen_clock):
    ids = list(service.list_employees(biz)["cccd"])
    rid = service.submit_request(biz, request_answers(ids[:1], days=14), store=store)
    service.decide(approver, rid, Decision.approve_all())
    req = service.get_request(approver, rid)
    expected = period_label(req["start_date"], req["end_date"])
    permits = service.list_permits(biz, request_id=rid)
    assert list(permits["validity"]) == [expected]
    row = permits.iloc[0]
    assert window_label(row["valid_from"], row["valid_until"]) == expected
    text = service._permit_text(approver, store, row["permit_id"])
    view = service.view_permit(ANONYMOUS, text)
    assert view["validity"] == expected
    assert expected == f"{view['valid_from']} – {view['valid_until']}"


def test_window_labels_of_a_column_match_one_by_one():
    import pandas as pd

    starts = [datetime(2026, 11, 30, 17), datetime(2026, 12, 1, 16, 59, 59)]
    ends = [datetime(2026, 12, 14, 17), datetime(2026, 12, 2, 17, 0, 0, 1)]
    labels = window_labels(pd.Series(starts), pd.Series(ends))
    assert list(labels) == [window_label(a, b) for a, b in zip(starts, ends, strict=True)]
    assert list(labels) == ["01/12/2026 – 14/12/2026", "01/12/2026 – 03/12/2026"]


def test_period_label():
    assert period_label(date(2026, 12, 1), date(2026, 12, 14)) == "01/12/2026 – 14/12/2026"


# -- a refused business resubmits ---------------------------------------------------------------


def _refused(store, approver, username: str, seed: int):
    principal = register(username, seed, store)
    bid = service.my_business(principal)["id"]
    service.verify_business(approver, bid, False, "Sai mã số thuế", store=store)
    return principal, bid


def _fix(principal, **over):
    """The registration as it stands, with ``over`` corrected."""
    biz = service.my_business(principal)
    values = {name: biz[name] for name in forms.CORRECTABLE}
    values["tax_code"] = str(values["tax_code"]).split("#", 1)[0]
    return {**values, **over}


def test_refused_business_corrects_and_resubmits(store, approver, frozen_clock):
    principal, bid = _refused(store, approver, "cty_sai", 2468)
    with pytest.raises(PermissionDenied):  # another business account, an approver: refused
        service.resubmit_registration(make_principal("x", "business"), _fix(principal))
    with pytest.raises(PermissionDenied):
        service.resubmit_registration(approver, _fix(principal))
    corrected = make_mst(97531)
    row = service.resubmit_registration(
        principal, _fix(principal, tax_code=corrected, name="Công ty Đúng")
    )
    assert row["status"] == "pending" and row["status_reason"] == ""
    assert row["tax_code"] == corrected and row["name"] == "Công ty Đúng"
    pending = service.list_businesses(approver, status="pending")
    assert bid in set(pending["id"])
    events = audit.search(make_principal("root", "admin"), limit=100)
    assert "tp.business.resubmit" in set(events["action"])
    with pytest.raises(TPError):  # pending now: not again
        service.resubmit_registration(principal, _fix(principal))
    service.verify_business(approver, bid, True, store=store)
    assert service.my_business(principal)["status"] == "verified"


def test_resubmission_is_validated_beside_the_field(store, approver):
    principal, _ = _refused(store, approver, "cty_loi", 1357)
    with pytest.raises(FormInvalid) as err:
        service.resubmit_registration(principal, _fix(principal, tax_code="123"))
    assert set(err.value.errors) == {"tax_code"}
    assert service.my_business(principal)["status"] == "rejected"


def test_resubmitted_tax_code_held_by_another_is_a_clash(store, approver, biz):
    principal, bid = _refused(store, approver, "cty_trung", 8642)
    held = service.my_business(biz)["tax_code"]
    service.resubmit_registration(principal, _fix(principal, tax_code=held))
    pending = service.list_businesses(approver, status="pending").set_index("id")
    assert pending.loc[bid, "tax_code"] == held and pending.loc[bid, "clash"]
    with pytest.raises(TPError):  # the holder is verified: this one cannot take the code
        service.verify_business(approver, bid, True, store=store)


def test_pending_work_is_offered_to_the_home_page():
    from core.registry import get_registry

    assert get_registry().interface("travel_permit", "pending_work") is service.pending_work
