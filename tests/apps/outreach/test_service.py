"""Outreach: cases from risk events, the worker's list, attempts, retries, figures, notices."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.health_declaration import service as hd
from apps.outreach import service
from core import clock, risk
from core.auth import PermissionDenied
from core.forms import FormInvalid
from core.registry import PUBLIC
from core.testkit import authorization_matrix, make_principal
from tests.apps.outreach.conftest import OTHER_WARD, WARD, declaration

RED = {"exposures": ["exp_case"]}
YELLOW = {"symptoms": ["fever"]}


def _window():
    now = clock.utcnow_naive()
    return now - timedelta(days=1), now + timedelta(seconds=1)


def _open(principal):
    return service.open_cases(principal, *_window())


def test_red_and_yellow_declarations_open_one_case_each_green_none(orx, worker, officer):
    hd.submit_declaration(None, declaration("048185000101", **RED))
    hd.submit_declaration(None, declaration("048185000102", **YELLOW))
    hd.submit_declaration(None, declaration("048185000103"))
    done = _open(officer)
    assert (done.events, done.opened) == (2, 2)
    listed = service.today_list(worker)
    assert sorted(listed["person_id"]) == ["048185000101", "048185000102"]
    assert list(listed["event_at"]) == sorted(listed["event_at"])  # oldest first
    # the same window again: nothing new, no duplicate
    assert _open(officer).opened == 0
    assert orx.scalar("SELECT count(*) FROM or_cases") == 2


def test_a_new_event_of_someone_followed_up_joins_their_open_case(orx, officer, frozen_clock):
    hd.submit_declaration(None, declaration("048185000101", **RED))
    _open(officer)
    frozen_clock[0] += timedelta(hours=2)
    hd.submit_declaration(None, declaration("048185000101", **YELLOW))
    done = _open(officer)
    assert (done.opened, done.merged) == (0, 1)
    assert orx.fetchone("SELECT count(*), max(events) FROM or_cases") == (1, 2)


def test_the_worker_sees_and_acts_on_their_ward_only(orx, worker, other_worker, officer):
    hd.submit_declaration(None, declaration("048185000101", **RED))
    hd.submit_declaration(None, declaration("048185000104", ward=OTHER_WARD, **RED))
    _open(officer)
    mine = service.today_list(worker)
    assert list(mine["ward_code"]) == [WARD]
    case_id = mine["id"][0]
    with pytest.raises(PermissionDenied):
        service.record_attempt(other_worker, case_id, {"outcome": "reached"})
    with pytest.raises(FormInvalid):
        service.record_attempt(worker, case_id, {"outcome": "gossip"})
    service.record_attempt(worker, case_id, {"outcome": "reached", "note": "ổn"})
    assert service.today_list(worker).empty
    with pytest.raises(service.OutreachError):
        service.record_attempt(worker, case_id, {"outcome": "reached"})
    assert orx.scalar("SELECT count(*) FROM audit_log WHERE action = 'outreach.attempt'") == 1
    assert orx.scalar("SELECT count(*) FROM audit_log WHERE action = 'outreach.list.read'") >= 2


def test_pending_work_is_the_length_of_each_workers_list_for_today(
    orx, worker, other_worker, officer, frozen_clock
):
    assert service.pending_work(worker) == []  # nothing due: no line on the home page
    hd.submit_declaration(None, declaration("048185000101", **RED))
    hd.submit_declaration(None, declaration("048185000102", **YELLOW))
    hd.submit_declaration(None, declaration("048185000104", ward=OTHER_WARD, **RED))
    _open(officer)
    reads = orx.scalar("SELECT count(*) FROM audit_log WHERE action = 'outreach.list.read'")
    assert service.pending_work(worker) == [("or.pending.due", 2, "outreach.today")]
    assert service.pending_work(other_worker) == [("or.pending.due", 1, "outreach.today")]
    assert service.due_count(make_principal("all", "health_worker")) == 3
    assert service.pending_work(officer) == []  # an officer has no list of calls
    # counting reads no one's details: no audit row of a list read
    assert orx.scalar("SELECT count(*) FROM audit_log WHERE action = 'outreach.list.read'") == reads
    case_id = service.today_list(worker)["id"][0]
    service.record_attempt(worker, case_id, {"outcome": "not_reachable"})
    assert service.due_count(worker) == 1  # called back tomorrow, not today
    frozen_clock[0] += timedelta(days=1)
    assert service.due_count(worker) == 2


def test_unreached_people_come_back_tomorrow_with_one_notice_each_time(
    orx, worker, officer, frozen_clock, sent_sms
):
    hd.submit_declaration(None, declaration("048185000101", **RED))
    _open(officer)
    case_id = service.today_list(worker)["id"][0]
    service.record_attempt(worker, case_id, {"outcome": "not_reachable"})
    assert service.today_list(worker).empty  # due tomorrow
    assert len(sent_sms.to("0905123456")) == 1
    frozen_clock[0] += timedelta(days=1)
    again = service.today_list(worker)
    assert list(again["id"]) == [case_id] and int(again["attempts"][0]) == 1
    service.record_attempt(worker, case_id, {"outcome": "not_reachable"})
    assert len(sent_sms.to("0905123456")) == 2  # one per attempt, never twice for one
    frozen_clock[0] += timedelta(days=1)
    service.record_attempt(worker, case_id, {"outcome": "wrong_number"})
    frozen_clock[0] += timedelta(days=1)
    assert service.today_list(worker).empty


def test_reach_within_24_and_72_hours(orx, worker, officer, frozen_clock):
    for i in range(4):
        hd.submit_declaration(None, declaration(f"04818500020{i}", **RED))
    _open(officer)
    ids = list(service.today_list(worker)["id"])
    service.record_attempt(worker, ids[0], {"outcome": "reached"})
    frozen_clock[0] += timedelta(hours=30)
    service.record_attempt(worker, ids[1], {"outcome": "referred"})
    frozen_clock[0] += timedelta(hours=60)
    service.record_attempt(worker, ids[2], {"outcome": "enrolled_f1"})
    per_day = service.reach_per_day(service.reach(officer))
    row = per_day.iloc[-1]
    assert (row["cases"], row["within_24h"], row["within_72h"]) == (4, 1, 2)
    assert row["share_24h"] == pytest.approx(0.25)
    backlog = service.backlog(officer)
    assert int(backlog["open"].sum()) == 1
    # a worker of another ward sees none of it
    assert service.reach(make_principal("x", f"health_worker@ward:{OTHER_WARD}")).empty


def _f0_and_contact(orx, frozen_clock):
    """An F0 on the register and a contact checked in at the same venue 20 minutes apart."""
    officer = make_principal("o", "health_officer")
    venue = hd.register_venue(
        officer,
        {
            "name": "Chợ Hàn",
            "kind": "market",
            "province_code": 48,
            "ward_code": WARD,
            "street": "1 Trần Phú",
            "contact_phone": "0905111222",
        },
    )
    at = clock.utcnow_naive() - timedelta(hours=3)
    for pid, name, phone, minutes in (
        ("048185000301", "Lê Văn F", "0905000301", 0),
        ("048185000302", "Trần Thị Gần", "0905000302", 20),
        ("048185000303", "Phạm Văn Xa", "0905000303", 200),
    ):
        orx.execute(
            "INSERT INTO hd_checkins (venue_id, checked_in_at, person_key, person_id, full_name,"
            " phone, ward_code, colour, method, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?,"
            " 'green', 'link', 'test')",
            [venue.id, at + timedelta(minutes=minutes), int(pid), pid, name, phone, WARD],
        )
    risk.record("048185000301", "isolation", "red", "F0", clock.utcnow_naive(), None, "HI-F0")
    return venue


def test_a_co_location_with_an_f0_opens_a_case_and_sends_one_notice(
    orx, worker, officer, frozen_clock, sent_sms
):
    _f0_and_contact(orx, frozen_clock)
    done = _open(officer)
    assert done.opened == 1
    case = service.today_list(worker).iloc[0]
    assert (case["person_id"], case["kind"], case["venue_name"]) == (
        "048185000302",
        "exposure",
        "Chợ Hàn",
    )
    status = risk.status("048185000302")
    assert status.exposed and status.level == "yellow"
    assert not risk.status("048185000303").exposed
    (msg,) = sent_sms.to("0905000302")
    assert "Chợ Hàn" in msg["text"] and "F0" in msg["text"]
    _open(officer)  # again: no new case, no second notice
    assert len(sent_sms.to("0905000302")) == 1
    assert orx.scalar("SELECT count(*) FROM or_cases") == 1


def test_sync_runs_at_most_every_few_minutes(orx, worker, frozen_clock):
    hd.submit_declaration(None, declaration("048185000101", **RED))
    assert service.sync(worker).opened == 1
    hd.submit_declaration(None, declaration("048185000102", **RED))
    assert service.sync(worker).opened == 0  # too soon
    assert service.sync(worker, force=True).opened == 1


def test_every_entry_point_for_every_role(orx, officer):
    hd.submit_declaration(None, declaration("048185000101", **RED))
    _open(officer)
    case_id = orx.scalar("SELECT id FROM or_cases")
    staff = {"health_worker", "health_officer"}
    authorization_matrix(
        "outreach",
        {
            "open_cases": (lambda p: service.open_cases(p, *_window(), notify=False), staff),
            "sync": (lambda p: service.sync(p, force=True, notify=False), staff),
            "today_list": (lambda p: service.today_list(p), {"health_worker"}),
            "record_attempt": (
                lambda p: service.record_attempt(p, case_id, {"outcome": "not_reachable"}),
                {"health_worker"},
            ),
            "reach": (lambda p: service.reach(p), staff),
            "backlog": (lambda p: service.backlog(p), staff),
            "attempts_of": (lambda p: service.attempts_of(p, ["048090000001"]), staff),
            "due_count": (lambda p: service.due_count(p), {"health_worker"}),
            "pending_work": (lambda p: service.pending_work(p), {PUBLIC}),
        },
        errors=(service.OutreachError, FormInvalid),
    )
