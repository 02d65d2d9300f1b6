"""Every bad input of the issue: a clear message each, nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.home_isolation import service
from apps.home_isolation.models import FormInvalid
from core import clock, i18n
from tests.apps.home_isolation.conftest import f0_form, f1_form, good_report, link_token


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
        ("spo2", "49", "hi.err.spo2_range"),
        ("spo2", "101", "hi.err.spo2_range"),
        ("spo2", "abc", "hi.err.not_number"),
        ("spo2", "", "hi.err.required"),
        ("spo2", "97.5", "hi.err.whole_number"),
        ("temperature", "33.9", "hi.err.temperature_range"),
        ("temperature", "43,1", "hi.err.temperature_range"),
        ("pulse", "0", "hi.err.pulse_range"),
        ("pulse", "400", "hi.err.pulse_range"),
        ("pulse", "-5", "hi.err.pulse_range"),
        ("resp_rate", "0", "hi.err.resp_rate_range"),
        ("resp_rate", "120", "hi.err.resp_rate_range"),
        ("symptoms", ["fever", "zombie"], "hi.err.unknown_choice"),
    ],
)
def test_bad_vitals(store, token, field, value, key):
    before = _counts(store)
    with pytest.raises(FormInvalid) as err:
        service.submit_report(None, token, good_report(**{field: value}))
    assert err.value.errors[field][0] == key
    for locale in ("vi", "en"):
        text = i18n.t_in(locale, key, **err.value.errors[field][1])
        assert text != key and len(text) > 5
    assert _counts(store) == before


def test_report_dated_in_future(store, token):
    before = _counts(store)
    future = clock.now() + timedelta(hours=2)
    with pytest.raises(FormInvalid) as err:
        service.submit_report(None, token, good_report(measured_at=future))
    assert err.value.errors["measured_at"][0] == "hi.err.future"
    with pytest.raises(FormInvalid):
        service.submit_report(None, token, good_report(measured_at=future.isoformat()))
    assert _counts(store) == before


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
    with pytest.raises(service.IsolationError) as err:
        service.release(officer, f0["id"])
    assert err.value.key == "hi.err.needs_negative"
    service.release(officer, f0["id"], negative_test_date=clock.local(clock.now()).date())
    assert qr.is_revoked(service.enrolment(officer, f0["id"])["token_id"])
    with pytest.raises(service.LinkRefused) as err:
        service.submit_report(None, token, good_report())
    assert err.value.key == "hi.link.released"
    with pytest.raises(service.IsolationError):
        service.release(officer, f0["id"], negative_test_date=clock.local(clock.now()).date())
    # released: can be enrolled again
    again = service.enroll_f0(officer, f0_form())
    assert again["id"] != f0["id"]


def test_f1_whose_f0_does_not_exist(store, officer):
    before = _counts(store)
    with pytest.raises(service.IsolationError) as err:
        service.enroll_f1(officer, f1_form("HI0000000000"))
    assert err.value.key == "hi.err.source_unknown" and err.value.field == "source_id"
    with pytest.raises(FormInvalid) as bad:
        service.enroll_f1(officer, f1_form(""))
    assert "source_id" in bad.value.errors
    assert _counts(store) == before


def test_cannot_enrol_twice(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    before = _counts(store)
    with pytest.raises(service.IsolationError) as err:
        service.enroll_f0(officer, f0_form(full_name="Someone Else"))
    assert err.value.key == "hi.err.already_enrolled"
    with pytest.raises(service.IsolationError):
        service.enroll_f1(officer, f1_form(f0["id"], person_id=f0["person_id"]))
    assert _counts(store) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("person_id", "123"),
        ("phone", "12345"),
        ("ward_code", 999999),
        ("age", "200"),
        ("test_date", "2099-01-01"),
        ("test_type", "smell"),
        ("chronic", ["vampirism"]),
    ],
)
def test_bad_enrolment(store, officer, field, value):
    before = _counts(store)
    with pytest.raises(FormInvalid) as err:
        service.enroll_f0(officer, f0_form(**{field: value}))
    assert field in err.value.errors
    assert _counts(store) == before


def test_daily_limit(store, token):
    for _ in range(3):
        service.submit_report(None, token, good_report())
    with pytest.raises(service.IsolationError) as err:
        service.submit_report(None, token, good_report())
    assert err.value.key == "hi.err.too_many"
    assert store.scalar("SELECT count(*) FROM hi_reports") == 3
