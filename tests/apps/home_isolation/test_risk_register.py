"""The register feeds core.risk: enrolment, transfer and release, and the rebuild."""

from apps.home_isolation import service
from core import clock, risk
from core.testkit import make_principal
from tests.apps.home_isolation.conftest import f0_form, f1_form, release_answers


def test_enrol_rebuild_and_release(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    pid = f0["person_id"]
    got = risk.status(pid)
    assert got.isolating and got.level == "red" and got.reasons == ("F0",)
    store.execute("DELETE FROM person_risk")
    assert risk.rebuild(make_principal("root", "admin"))["isolation"] == 1
    assert risk.status(pid).isolating
    service.release(officer, f0["id"], release_answers(clock.today_local()))
    assert risk.status(pid) == risk.GREEN


def test_an_f1_in_hospital_is_red(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    f1 = service.enroll_f1(officer, f1_form(f0["id"]))
    assert risk.status(f1["person_id"]).level == "yellow"
    service.transfer_to_hospital(officer, f1["id"], {"confirm": True})
    got = risk.status(f1["person_id"])
    assert got.level == "red" and got.isolating
