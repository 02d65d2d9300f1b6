"""Issue 18 for the home isolation staff: the pending work of the home page, a daily report
sent twice is one report, SpO2 optional ("no oximeter") and triaged as not measured."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.home_isolation import rules, service
from apps.home_isolation.models import isolation_settings
from core.forms import FormInvalid
from core.testkit import make_principal
from tests.apps.home_isolation.conftest import WARD, f0_form, f1_form, good_report, link_token

OTHER_WARD = 20224


# -- pending work -------------------------------------------------------------------------------


def _work(principal) -> dict[str, tuple[int, str]]:
    return {key: (n, page) for key, n, page in service.pending_work(principal)}


def test_pending_work_counts_open_alerts_and_missed_reports(store, officer, frozen_clock):
    assert service.pending_work(officer) == []  # nothing to do: an empty list
    f0 = service.enroll_f0(officer, f0_form())
    service.enroll_f1(officer, f1_form(f0["id"]))
    service.submit_report(None, link_token(officer, f0["id"]), good_report(spo2="91"))
    work = _work(officer)
    assert work == {"hi.pending.alerts": (1, "home_isolation.board")}
    frozen_clock[0] += timedelta(hours=25)  # the F1 never reported, the F0 not since
    work = _work(officer)
    assert work["hi.pending.missed"] == (2, "home_isolation.board")
    assert work["hi.pending.alerts"][0] == 1
    # acknowledging the red alert takes it off the pile
    alerts = service.person_alerts(officer, f0["id"], open_only=True)
    service.acknowledge(officer, alerts[alerts["kind"] == "red"]["id"].iloc[0])
    assert "hi.pending.alerts" not in _work(officer)


def test_pending_work_stays_within_the_grant_area(store, officer, frozen_clock):
    f0 = service.enroll_f0(officer, f0_form())
    service.submit_report(None, link_token(officer, f0["id"]), good_report(spo2="91"))
    here = make_principal(
        "ward_officer", "health_officer", scopes={"health_officer": f"ward:{WARD}"}
    )
    there = make_principal(
        "far_officer", "health_officer", scopes={"health_officer": f"ward:{OTHER_WARD}"}
    )
    assert _work(here) == {"hi.pending.alerts": (1, "home_isolation.board")}
    assert service.pending_work(there) == []


def test_pending_work_of_other_roles_is_empty(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    service.submit_report(None, link_token(officer, f0["id"]), good_report(spo2="91"))
    assert service.pending_work(make_principal("duyet", "approver")) == []
    assert service.pending_work(make_principal("admin", "admin")) == []


def test_pending_work_of_a_ward_health_worker(store, officer):
    """A ward health worker cannot open the board: their pile links to the outreach page."""
    f0 = service.enroll_f0(officer, f0_form())
    service.submit_report(None, link_token(officer, f0["id"]), good_report(spo2="91"))
    worker = make_principal("hw", "health_worker", scopes={"health_worker": f"ward:{WARD}"})
    far = make_principal("hw2", "health_worker", scopes={"health_worker": f"ward:{OTHER_WARD}"})
    assert _work(worker) == {"hi.pending.alerts": (1, "outreach.today")}
    assert service.pending_work(far) == []


# -- a report sent twice -----------------------------------------------------------------------


def test_same_report_twice_within_120_s_is_one_report(store, officer, frozen_clock):
    f0 = service.enroll_f0(officer, f0_form())
    token = link_token(officer, f0["id"])
    first = service.submit_report(None, token, good_report(spo2="92"))
    frozen_clock[0] += timedelta(seconds=119, microseconds=999_000)
    again = service.submit_report(None, token, good_report(spo2="92"))
    assert again.report_id == first.report_id and again.level == first.level == "red"
    assert again.alerts == ()  # no second alert either
    count = "SELECT count(*) FROM hi_reports WHERE enrolment_id = ?"
    assert store.scalar(count, [f0["id"]]) == 1
    assert store.scalar("SELECT count(*) FROM hi_alerts WHERE kind = 'red'") == 1
    # different answers are a new report
    other = service.submit_report(None, token, good_report(spo2="97"))
    assert other.report_id != first.report_id
    assert store.scalar(count, [f0["id"]]) == 2


def test_same_report_after_120_s_is_a_new_report(store, officer, frozen_clock):
    f0 = service.enroll_f0(officer, f0_form())
    token = link_token(officer, f0["id"])
    first = service.submit_report(None, token, good_report())
    frozen_clock[0] += timedelta(seconds=120, microseconds=1)
    later = service.submit_report(None, token, good_report())
    assert later.report_id != first.report_id


def test_a_repeat_does_not_count_against_the_daily_limit(store, officer, frozen_clock):
    f0 = service.enroll_f0(officer, f0_form())
    token = link_token(officer, f0["id"])
    limit = isolation_settings().max_reports_per_day
    for i in range(limit):
        last = service.submit_report(None, token, good_report(pulse=str(70 + i)))
        frozen_clock[0] += timedelta(minutes=1)
    repeat = service.submit_report(None, token, good_report(pulse=str(70 + limit - 1)))
    assert repeat.report_id == last.report_id
    with pytest.raises(service.IsolationError):
        service.submit_report(None, token, good_report(pulse="99"))


def test_another_person_with_the_same_readings_is_another_report(store, officer, frozen_clock):
    a = service.enroll_f0(officer, f0_form())
    b = service.enroll_f1(officer, f1_form(a["id"]))
    one = service.submit_report(None, link_token(officer, a["id"]), good_report())
    two = service.submit_report(None, link_token(officer, b["id"]), good_report())
    assert one.report_id != two.report_id


# -- no oximeter -------------------------------------------------------------------------------


def test_report_without_oximeter_is_stored_empty_and_not_green(store, officer, frozen_clock):
    f0 = service.enroll_f0(officer, f0_form(age=30, chronic=[]))
    token = link_token(officer, f0["id"])
    raw = good_report(no_oximeter=True)
    del raw["spo2"]
    res = service.submit_report(None, token, raw)
    assert res.level == "yellow" and rules.SPO2_MISSING in res.reasons
    assert res.alerts == ()
    stored = store.scalar("SELECT spo2 FROM hi_reports WHERE id = ?", [res.report_id])
    assert stored is None
    reports = service.person_reports(officer, f0["id"])
    assert reports["spo2"].isna().all()


def test_spo2_needed_unless_no_oximeter(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    token = link_token(officer, f0["id"])
    raw = good_report()
    del raw["spo2"]
    with pytest.raises(FormInvalid) as exc:
        service.submit_report(None, token, raw)
    assert set(exc.value.errors) == {"spo2"}


def test_no_oximeter_with_danger_signs_is_still_red(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    token = link_token(officer, f0["id"])
    raw = good_report(no_oximeter=True, symptoms=["cyanosis"])
    del raw["spo2"]
    res = service.submit_report(None, token, raw)
    assert res.level == "red" and "red" in res.alerts


def test_triage_of_a_missing_spo2():
    s = isolation_settings()
    missing = rules.triage(
        {"spo2": None, "temperature": 36.8, "pulse": 80, "resp_rate": 16, "fever_days": 0},
        (),
        age=30,
        chronic=(),
        settings=s,
    )
    assert missing.level == "yellow" and missing.reasons == (rules.SPO2_MISSING,)
    measured = rules.triage(
        {"spo2": 98, "temperature": 36.8, "pulse": 80, "resp_rate": 16, "fever_days": 0},
        (),
        age=30,
        chronic=(),
        settings=s,
    )
    assert measured.level == "green" and measured.reasons == ()


def test_worsening_ignores_a_spo2_trend_with_a_gap():
    s = isolation_settings()
    n = s.worsening_reports
    falling = [(0, 99 - 2 * i) for i in range(n)]
    assert rules.is_worsening(falling, s)
    gap = [*falling[:-1], (0, None)]
    assert not rules.is_worsening(gap, s)
    rising = [(i, None) for i in range(n)]  # the level rises at every report: still worsening
    assert rules.is_worsening(rising, s)


# -- bulk-enrolled F1s get their links ----------------------------------------------------------


def test_bulk_enrolled_f1s_get_their_links_by_sms(store, officer, frozen_clock, sent_sms):
    from tests.apps.home_isolation.hd_data import add_checkins, add_venue

    f0 = service.enroll_f0(officer, f0_form())
    cafe = add_venue(store, "Cà phê Sông Hàn", WARD)
    now = frozen_clock[0]
    add_checkins(
        store,
        [
            (cafe, now - timedelta(days=1, hours=3), "048090000001", "Nguyễn Văn An",
             "0905123456", WARD),
            (cafe, now - timedelta(days=1, hours=3, minutes=10), "048090000021", "Lê Văn Cường",
             "0905000021", WARD),
            (cafe, now - timedelta(days=1, hours=2, minutes=50), "048090000022", "Hồ Thị Lan",
             "0236123456", WARD),  # a landline: no SMS
        ],
    )  # fmt: skip
    found = service.trace_candidates(officer, f0["id"])
    out = service.enroll_contacts(officer, f0["id"], found)
    assert len(out["enrolled"]) == 2
    by_phone = {service.enrolment(officer, e)["phone"]: e for e in out["enrolled"]}
    mobile, landline = by_phone["0905000021"], by_phone["0236123456"]
    assert out["sms"] == {mobile: "sent", landline: "no_mobile"}
    (msg,) = sent_sms.to("0905000021")
    assert "/bao-cao" in msg["text"] or "t=HI1" in msg["text"]
    assert out["codes"][mobile] not in msg["text"]  # the code is read out, not sent with it
    assert len(out["codes"][mobile]) == 6
    # the link in the SMS opens with the code the officer was given
    from tests.apps.home_isolation.conftest import token_of

    url = msg["text"].split(": ", 1)[1].split(" ", 1)[0]
    assert service.unlock(None, token_of(url), out["codes"][mobile])


# -- the board -------------------------------------------------------------------------------


def test_board_row_carries_the_readings_of_a_red_alert(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    service.submit_report(
        None, link_token(officer, f0["id"]), good_report(spo2="91", temperature="39,1")
    )
    row = service.board(officer)[0].set_index("id").loc[f0["id"]]
    assert (row["red_spo2"], row["red_temperature"]) == (91, 39.1)
    alert = service.person_alerts(officer, f0["id"], open_only=True).iloc[0]
    assert alert["spo2"] == 91 and "spo2_low" in alert["reasons"]


def test_pending_work_is_offered_to_the_home_page():
    from core.registry import get_registry

    assert get_registry().interface("home_isolation", "pending_work") is service.pending_work
