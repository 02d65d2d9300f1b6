"""Every bad input of the issue: a clear message each, beside its field, nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.home_isolation import service
from core import clock, geo, i18n
from core.forms import FormInvalid
from tests.apps.home_isolation.conftest import (
    f0_form,
    f1_form,
    good_report,
    link_token,
    release_answers,
)


def _counts(store):
    return (
        store.scalar("SELECT count(*) FROM hi_reports"),
        store.scalar("SELECT count(*) FROM hi_enrolments"),
        store.scalar("SELECT count(*) FROM hi_alerts"),
    )


@pytest.fixture()
def token(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    return link_token(officer, f0["id"])


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("spo2", "49", "forms.err.too_small"),
        ("spo2", "101", "forms.err.too_large"),
        ("spo2", "abc", "forms.err.integer"),
        ("spo2", "", "forms.err.required"),
        ("spo2", "97.5", "forms.err.integer"),
        ("temperature", "33.9", "forms.err.too_small"),
        ("temperature", "43,1", "forms.err.too_large"),
        ("temperature", "ba sáu", "forms.err.decimal"),
        ("pulse", "0", "forms.err.too_small"),
        ("pulse", "400", "forms.err.too_large"),
        ("pulse", "-5", "forms.err.too_small"),
        ("resp_rate", "0", "forms.err.too_small"),
        ("resp_rate", "120", "forms.err.too_large"),
        ("symptoms", ["fever", "zombie"], "forms.err.choice"),
        ("note", "x" * 1001, "forms.err.too_long"),
    ],
)
def test_bad_vitals(store, token, field, value, key):
    before = _counts(store)
    with pytest.raises(FormInvalid) as err:
        service.submit_report(None, token, good_report(**{field: value}))
    error = err.value.errors[field]
    assert error.key == key
    for locale in ("vi", "en"):
        text = i18n.t_in(locale, key, **error.params)
        assert text != key and len(text) > 5
    assert _counts(store) == before


def test_report_dated_in_future_or_too_old(store, token):
    before = _counts(store)
    future = clock.now() + timedelta(hours=2)
    for when in (future, future.isoformat(), clock.now() - timedelta(days=2, minutes=1)):
        with pytest.raises(FormInvalid) as err:
            service.submit_report(None, token, good_report(measured_at=when))
        assert "tương lai" in err.value.errors["measured_at"].message
    assert _counts(store) == before


def test_measured_time_asked_when_not_measured_now(store, frozen_clock, token):
    """Answered "not now": the measured time is needed; answered "now": a time sent anyway is
    ignored (the question was hidden); not answered: a time given is taken."""
    with pytest.raises(FormInvalid) as err:
        service.submit_report(None, token, good_report(measured_now=False))
    assert err.value.errors["measured_at"].key == "forms.err.required"
    earlier = clock.now() - timedelta(hours=3)
    service.submit_report(None, token, good_report(measured_now=False, measured_at=earlier))
    service.submit_report(None, token, good_report(measured_now=True, measured_at=earlier))
    stored = [
        r[0] for r in store.fetchall("SELECT measured_at FROM hi_reports ORDER BY measured_at")
    ]
    assert stored == [clock.to_utc_naive(earlier), clock.to_utc_naive(frozen_clock[0])]


def test_forged_link(store, token):
    before = _counts(store)
    body = token[4:]
    forged = token[:4] + body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    for bad in (forged, "HI1:garbage", "TP1:" + body, "", "x" * 5000):
        with pytest.raises(service.LinkRefused) as err:
            service.submit_report(None, bad, good_report())
        assert err.value.key in ("hi.link.bad", "hi.link.missing")
        assert err.value.message
    assert _counts(store) == before


def test_expired_link(store, officer, frozen_clock):
    f0 = service.enroll_f0(officer, f0_form())
    token = link_token(officer, f0["id"])
    before = _counts(store)
    frozen_clock[0] += timedelta(days=40)
    with pytest.raises(service.LinkRefused) as err:
        service.open_link(None, token)
    assert err.value.key == "hi.link.expired"
    with pytest.raises(service.LinkRefused):
        service.submit_report(None, token, good_report())
    assert _counts(store)[0] == before[0]


def test_released_link_refused_and_revoked(store, officer):
    from core.qr import service as qr

    f0 = service.enroll_f0(officer, f0_form())
    token = link_token(officer, f0["id"])
    today = clock.local(clock.now()).date()
    with pytest.raises(FormInvalid) as err:  # an isolating F0 needs a negative test date
        service.release(officer, f0["id"], release_answers())
    assert "âm tính" in err.value.errors["negative_test_date"].message
    with pytest.raises(FormInvalid) as err:  # ...never in the future
        service.release(officer, f0["id"], release_answers(today + timedelta(days=1)))
    assert "tương lai" in err.value.errors["negative_test_date"].message
    with pytest.raises(FormInvalid) as err:  # and a ticked confirmation
        service.release(officer, f0["id"], {"negative_test_date": today})
    assert "ô xác nhận" in err.value.errors["confirm"].message
    assert service.enrolment(officer, f0["id"])["status"] == "isolating"
    service.release(officer, f0["id"], release_answers(today))
    assert qr.is_revoked(service.enrolment(officer, f0["id"])["token_id"])
    with pytest.raises(service.LinkRefused) as err:
        service.submit_report(None, token, good_report())
    assert err.value.key == "hi.link.released"
    with pytest.raises(service.IsolationError) as refused:
        service.release(officer, f0["id"], release_answers(today))
    assert refused.value.key == "hi.err.already_released"
    # released: can be enrolled again
    again = service.enroll_f0(officer, f0_form())
    assert again["id"] != f0["id"]


def test_f1_release_needs_no_negative_test(store, officer, settings):
    f0 = service.enroll_f0(officer, f0_form())
    f1 = service.enroll_f1(officer, f1_form(f0["id"]))
    service.release(officer, f1["id"], release_answers())
    settings.apps["home_isolation"] = {"f0_needs_negative_test": False}
    service.release(officer, f0["id"], release_answers())
    assert {service.enrolment(officer, e)["status"] for e in (f0["id"], f1["id"])} == {"released"}


def test_transfer_needs_the_tick(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    with pytest.raises(FormInvalid) as err:
        service.transfer_to_hospital(officer, f0["id"], {"confirm": False})
    assert set(err.value.errors) == {"confirm"}
    assert service.enrolment(officer, f0["id"])["status"] == "isolating"
    service.transfer_to_hospital(officer, f0["id"], {"confirm": True})
    assert service.enrolment(officer, f0["id"])["status"] == "hospital"


def test_f1_whose_f0_does_not_exist(store, officer):
    before = _counts(store)
    with pytest.raises(FormInvalid) as err:
        service.enroll_f1(officer, f1_form("HI0000000000"))
    assert err.value.errors["source_id"].key == "hi.err.source_unknown"
    with pytest.raises(FormInvalid) as bad:
        service.enroll_f1(officer, f1_form(""))
    assert bad.value.errors["source_id"].key == "forms.err.required"
    assert _counts(store) == before


def test_f1_source_by_enrolment_id_or_person_id(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    by_id = service.enroll_f1(officer, f1_form(f0["id"]))
    by_person = service.enroll_f1(officer, f1_form(" 0480 9000 0001 ", person_id="048090000003"))
    assert by_id["source_id"] == by_person["source_id"] == f0["id"]


def test_cannot_enrol_twice(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    before = _counts(store)
    with pytest.raises(FormInvalid) as err:
        service.enroll_f0(officer, f0_form(full_name="Someone Else"))
    assert err.value.errors["person_id"].key == "hi.err.already_enrolled"
    with pytest.raises(FormInvalid) as err:
        service.enroll_f1(officer, f1_form(f0["id"], person_id=f0["person_id"]))
    assert set(err.value.errors) == {"person_id"}
    assert _counts(store) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("person_id", "123"),
        ("phone", "12345"),
        ("phone", "0123456789"),
        ("full_name", "Nguyen2"),
        ("ward_code", 999999),
        ("ward_code", geo.wards(1)[0].code),  # a ward of Hà Nội: Da Nang wards only
        ("age", "200"),
        ("age", ""),
        ("vaccine_doses", "7"),
        ("test_date", "2099-01-01"),
        ("test_date", ""),
        ("onset_date", "01/01/2021"),  # more than 60 days ago
        ("test_type", "smell"),
        ("chronic", ["vampirism"]),
    ],
)
def test_bad_enrolment(store, officer, field, value):
    before = _counts(store)
    with pytest.raises(FormInvalid) as err:
        service.enroll_f0(officer, f0_form(**{field: value}))
    assert set(err.value.errors) == {field}
    assert err.value.errors[field].message
    assert _counts(store) == before


def test_daily_limit(store, token):
    for pulse in (80, 81, 82):  # three different reports (the same one twice is one report)
        service.submit_report(None, token, good_report(pulse=str(pulse)))
    with pytest.raises(service.IsolationError) as err:
        service.submit_report(None, token, good_report(pulse="83"))
    assert err.value.key == "hi.err.too_many"
    assert store.scalar("SELECT count(*) FROM hi_reports") == 3


def test_officer_inputs(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    for raw, field in (
        ({"note": "   "}, "note"),
        ({"note": "x" * 2001}, "note"),
    ):
        with pytest.raises(FormInvalid) as err:
            service.add_note(officer, f0["id"], raw)
        assert set(err.value.errors) == {field}
    for staff in ("", "ghost", "admin"):
        with pytest.raises(FormInvalid) as err:
            service.assign(officer, f0["id"], {"staff": staff})
        assert set(err.value.errors) == {"staff"}
    service.assign(officer, f0["id"], {"staff": " Nurse "})
    assert service.enrolment(officer, f0["id"])["assigned_to"] == "nurse"
    with pytest.raises(FormInvalid) as err:
        service.trace_candidates(officer, f0["id"], {"window_minutes": "0"})
    assert set(err.value.errors) == {"window_minutes"}
