"""The health pass and check-ins read the person's risk status (core.risk): a person in
isolation, or recently near an F0, gets no green pass and cannot check in; each declaration is
the person's ``declaration`` signal; exposures from check-ins are found, recorded and notified
once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.health_declaration import service
from core import clock, risk
from core.qr import service as qr
from core.testkit import make_principal
from tests.apps.health_declaration.conftest import WARD, form, venue_form

PID = "048185000123"


def _venue(officer):
    venue = service.register_venue(
        officer, venue_form("Chợ Cồn", "market", 48, WARD, "290 Hùng Vương", "0905111222")
    )
    return venue, qr.token_texts([venue.token_id])[venue.token_id]


@pytest.mark.parametrize(("kind", "colour"), [("F0", "red"), ("F1", "yellow")])
def test_a_person_in_isolation_gets_no_green_pass(hd, kind, colour):
    level = "red" if kind == "F0" else "yellow"
    risk.record(PID, "isolation", level, kind, clock.utcnow_naive(), None, "HI-1")
    citizen = service.submit_declaration(None, form())
    assert citizen.colour == colour and citizen.reasons == ()  # no reasons on a citizen's pass
    assert qr.verify_server(citizen.text).claims["k"] == colour[0]
    staff = service.submit_declaration(
        make_principal("o", "health_officer"), form(person_id="048185000124")
    )
    assert staff.colour == "green"  # someone else
    risk.clear(PID, "isolation")
    assert service.submit_declaration(None, form(phone="0905 123 457")).colour == "green"


def test_staff_see_the_register_reason(hd):
    risk.record(PID, "isolation", "red", "F0", clock.utcnow_naive(), None, "HI-1")
    res = service.submit_declaration(make_principal("o", "health_officer"), form())
    assert res.colour == "red" and "register_f0" in res.reasons


def test_each_declaration_is_the_persons_declaration_signal(hd, frozen_clock):
    service.submit_declaration(None, form(exposures=["exp_case"]))
    got = risk.status(PID)
    assert (got.level, got.sources, got.reasons) == ("red", ("declaration",), ("exp_case",))
    frozen_clock[0] += timedelta(minutes=5)
    service.submit_declaration(None, form(phone="0905 123 458"))
    assert risk.status(PID).level == "green"  # the latest declaration replaces it
    frozen_clock[0] += timedelta(hours=25)
    assert risk.status(PID) == risk.GREEN  # a pass's day is over


def test_a_pass_of_someone_who_must_stay_home_does_not_check_in(hd, frozen_clock):
    officer = make_principal("o", "health_officer")
    venue, token = _venue(officer)
    res = service.submit_declaration(None, form())  # green, before the enrolment
    assert res.colour == "green"
    risk.record(PID, "isolation", "red", "F0", clock.utcnow_naive(), None, "HI-1")
    with pytest.raises(service.CheckinError) as refused:
        service.checkin_as_holder(None, token, res.holder_secret)
    assert "ở nhà" in str(refused.value)
    claims = qr.verify_server(res.text).claims
    with pytest.raises(service.CheckinError):
        service.checkin_from_pass(make_principal("g", "checkpoint"), venue.id, claims)
    assert hd.scalar("SELECT count(*) FROM hd_checkins") == 0
    risk.clear(PID, "isolation")
    assert service.checkin_as_holder(None, token, res.holder_secret).venue_id == venue.id


def test_exposures_are_found_recorded_and_notified_once(hd, frozen_clock, sent_sms):
    officer = make_principal("o", "health_officer")
    venue, token = _venue(officer)
    f0 = service.submit_declaration(None, form(person_id="048185000201", phone="0905000201"))
    near = service.submit_declaration(None, form(person_id="048185000202", phone="0905000202"))
    far = service.submit_declaration(None, form(person_id="048185000203", phone="0905000203"))
    start = clock.utcnow_naive()
    service.checkin_as_holder(None, token, f0.holder_secret)
    frozen_clock[0] += timedelta(minutes=30)
    service.checkin_as_holder(None, token, near.holder_secret)
    frozen_clock[0] += timedelta(minutes=90)
    service.checkin_as_holder(None, token, far.holder_secret)
    frozen_clock[0] += timedelta(hours=5)
    risk.record("048185000201", "isolation", "red", "F0", clock.utcnow_naive(), None, "HI-9")
    window = (start - timedelta(hours=1), clock.utcnow_naive())
    found = service.scan_exposures(officer, *window)
    assert found["person_id"].tolist() == ["048185000202"]
    assert found["venue_name"].tolist() == ["Chợ Cồn"]
    assert risk.status("048185000202").exposed
    assert not risk.status("048185000203").exposed
    (msg,) = sent_sms.to("0905000202")
    assert "Chợ Cồn" in msg["text"] and "/khai-bao" in msg["text"]
    service.scan_exposures(officer, *window)
    assert len(sent_sms.to("0905000202")) == 1  # nothing sent twice
    # the exposed person's next pass is not green, and a check-in is refused
    again = service.submit_declaration(None, form(person_id="048185000202", phone="0905000202"))
    assert again.colour == "yellow"
    events = service.risk_events(officer, window[0], window[1] + timedelta(seconds=1), notify=False)
    assert set(events["kind"]) == {"exposure", "declaration"}
    assert events.loc[events["kind"] == "exposure", "person_id"].tolist() == ["048185000202"]
    assert hd.scalar("SELECT count(*) FROM audit_log WHERE action = 'hd.exposures.scan'") == 3


def test_an_f0_registered_later_reaches_back_two_days_only(hd, frozen_clock):
    officer = make_principal("o", "health_officer")
    venue, token = _venue(officer)
    f0 = service.submit_declaration(None, form(person_id="048185000201", phone="0905000201"))
    near = service.submit_declaration(None, form(person_id="048185000202", phone="0905000202"))
    start = clock.utcnow_naive()
    service.checkin_as_holder(None, token, f0.holder_secret)
    service.checkin_as_holder(None, token, near.holder_secret)
    frozen_clock[0] += timedelta(days=3)
    risk.record("048185000201", "isolation", "red", "F0", clock.utcnow_naive(), None, "HI-9")
    assert service.scan_exposures(officer, start, clock.utcnow_naive(), notify=False).empty


def test_rebuild_takes_the_latest_valid_declarations(hd, frozen_clock):
    service.submit_declaration(None, form(exposures=["exp_case"]))
    hd.execute("DELETE FROM person_risk")
    counts = risk.rebuild(make_principal("root", "admin"))
    assert counts["declaration"] == 1
    assert risk.status(PID).level == "red"
