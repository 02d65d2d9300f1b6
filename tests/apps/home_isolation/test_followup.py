"""The F1 follow-up calendar (issue 17 item 3): a status per day from reports and outreach
calls, missed days opening outreach tasks once, and the transmission chain F0 -> F1."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.home_isolation import service
from apps.outreach import service as outreach
from core import clock
from core.testkit import make_principal
from tests.apps.home_isolation.conftest import (
    WARD,
    f0_form,
    f1_form,
    good_report,
    link_token,
    release_answers,
)


@pytest.fixture()
def worker():
    return make_principal("lan", f"health_worker@ward:{WARD}")


def _statuses(officer, eid) -> list[str]:
    return list(service.f1_calendar(officer, eid)["status"])


def test_calendar_statuses_and_missed_days_become_tasks(store, officer, worker, frozen_clock):
    f0 = service.enroll_f0(officer, f0_form())
    f1 = service.enroll_f1(officer, f1_form(f0["id"]))  # exposed yesterday: day 1 is today
    session = link_token(officer, f1["id"])
    cal = service.f1_calendar(officer, f1["id"])
    assert len(cal) == 14 and list(cal["day_no"]) == list(range(1, 15))
    assert cal["day"].iloc[0] == clock.today_local()
    assert _statuses(officer, f1["id"])[:2] == ["due", "upcoming"]

    service.submit_report(None, session, good_report())  # day 1: reported by link
    frozen_clock[0] += timedelta(days=1)  # day 2: nothing at all
    frozen_clock[0] += timedelta(days=1)  # day 3: a report with a symptom
    service.submit_report(None, session, good_report(symptoms=["cough"]))
    frozen_clock[0] += timedelta(days=1)  # day 4: nothing; day 5 is today
    frozen_clock[0] += timedelta(days=1)
    days = _statuses(officer, f1["id"])
    assert days[:6] == ["reported", "missed", "symptomatic", "missed", "due", "upcoming"]

    # the missed days open one outreach task for the F1's ward, once
    done = outreach.sync(worker, force=True, notify=False, store=store)
    assert done.opened == 1 and done.merged == 1  # day 2 opened the case, day 4 joined it
    todo = outreach.today_list(worker, store=store)
    case = todo[todo["person_id"] == f1_form(f0["id"])["person_id"]].iloc[0]
    assert case["kind"] == "followup"
    again = outreach.sync(worker, force=True, notify=False, store=store)
    assert again.opened == 0 and again.merged == 0

    # the worker reaches the F1 today: today's cell says called
    outreach.record_attempt(worker, case["id"], {"outcome": "reached"}, store=store)
    assert _statuses(officer, f1["id"])[4] == "called"

    board = service.f1_board(officer, ward_code=WARD)
    row = board.set_index("id").loc[f1["id"]]
    assert row["missed"] == 2 and row["reported"] == 3
    assert row["d2"] == "missed" and row["d5"] == "called"


def test_calendar_ends_with_release_and_counts_before_enrolment(store, officer, frozen_clock):
    today = clock.today_local()
    f0 = service.enroll_f0(officer, f0_form())
    f1 = service.enroll_f1(officer, f1_form(f0["id"], exposure_date=today - timedelta(days=3)))
    days = _statuses(officer, f1["id"])
    assert days[:4] == ["not_enrolled", "not_enrolled", "due", "upcoming"]
    service.release(officer, f1["id"], release_answers())
    frozen_clock[0] += timedelta(days=2)
    days = _statuses(officer, f1["id"])
    # released on day 3 (without a report that day): nothing is missed from then on
    assert days[:5] == ["not_enrolled", "not_enrolled", "ended", "ended", "ended"]


def test_calendar_is_for_f1_and_officers(store, officer, worker):
    f0 = service.enroll_f0(officer, f0_form())
    with pytest.raises(service.IsolationError) as err:
        service.f1_calendar(officer, f0["id"])
    assert err.value.key == "hi.err.not_f1"
    with pytest.raises(Exception) as denied:
        service.f1_calendar(worker, f0["id"])
    assert type(denied.value).__name__ == "PermissionDenied"


def test_transmission_chain(store, officer, frozen_clock):
    a = service.enroll_f0(officer, f0_form())
    b = service.enroll_f1(officer, f1_form(a["id"]))
    d = service.enroll_f1(officer, f1_form(a["id"], person_id="048090000004", full_name="Đỗ Dũng"))
    # B tests positive: released as F1, enrolled as F0, and traces C
    frozen_clock[0] += timedelta(days=1)
    service.release(  # silent for a day: the missed alert is overridden with the reason
        officer, b["id"], release_answers(override=True, override_reason="Dương tính: thành F0")
    )
    b0 = service.enroll_f0(officer, f0_form(person_id=b["person_id"], full_name=b["full_name"]))
    c = service.enroll_f1(
        officer, f1_form(b0["id"], person_id="048090000003", full_name="Lê Văn Cường")
    )
    chain = service.transmission_chain(officer, c["id"]).set_index("id")
    assert chain.loc[a["id"], "link"] == "root" and chain.loc[a["id"], "depth"] == 0
    assert chain.loc[b["id"], "parent_id"] == a["id"] and chain.loc[b["id"], "link"] == "contact"
    assert chain.loc[d["id"], "parent_id"] == a["id"]
    assert chain.loc[b0["id"], "parent_id"] == b["id"]
    assert chain.loc[b0["id"], "link"] == "became_f0"
    assert chain.loc[c["id"], "parent_id"] == b0["id"] and chain.loc[c["id"], "depth"] == 3
    # the same chain from its root
    assert set(service.transmission_chain(officer, a["id"]).index) == set(range(5))
