"""Every service entry point with every role, the anonymous citizen included (the core test
kit's authorization matrix); and the check-ins of the health declaration app stay closed to a
role home isolation might let in, because that app checks the role itself."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from apps.home_isolation import service
from core import clock
from core.auth import PermissionDenied
from core.forms import FormInvalid
from core.registry import PUBLIC
from core.testkit import authorization_matrix, make_principal, service_modules
from tests.apps.home_isolation.conftest import (
    f0_form,
    f1_form,
    good_report,
    link_and_code,
    release_answers,
)

PUBLIC_FUNCTIONS = {"open_link", "submit_report", "check_link", "unlock", "session_enrolment"}
PUBLIC_FUNCTIONS.add("pending_work")  # the home page asks for anyone: [] when not theirs
PUBLIC_FUNCTIONS.add("repeated_report")  # the light page's double tap: the link decides


def _args(ctx: dict) -> dict[str, tuple[tuple, dict]]:
    eid, token, alert = ctx["eid"], ctx["token"], ctx["alert"]
    return {
        "acknowledge": ((alert,), {}),
        "active_by_ward": ((), {}),
        "add_note": ((eid, {"note": "ghi chú"}), {}),
        "assign": ((eid, {"staff": "officer"}), {}),
        "board": ((), {}),
        "enroll": (("F0", f0_form(person_id="048090000099")), {}),
        "enroll_contacts": ((eid, pd.DataFrame()), {}),
        "enroll_f0": ((f0_form(person_id="048090000098"),), {}),
        "enroll_f1": ((f1_form(eid, person_id="048090000097"),), {}),
        "enrolment": ((eid,), {}),
        "chain_sources": ((), {}),
        "f1_board": ((), {}),
        "f1_calendar": ((eid,), {}),  # an F0: refused with IsolationError once let in
        "followup_events": ((clock.now() - timedelta(days=1), clock.now()), {}),
        "transmission_chain": ((eid,), {}),
        "enrollment_or_none": ((eid,), {}),
        "find": (({"search": "An"},), {}),
        "monitoring_link": ((eid,), {}),
        "new_link": ((eid,), {}),
        "check_link": ((ctx["link"],), {}),
        "unlock": ((ctx["link"], ctx["code"]), {}),
        "session_enrolment": ((token,), {}),
        "open_alerts_summary": ((), {}),
        "open_link": ((token,), {}),
        "pending_work": ((), {}),
        "per_day": ((), {}),
        "person_alerts": ((eid,), {}),
        "person_notes": ((eid,), {}),
        "person_reports": ((eid,), {}),
        "release": ((eid, release_answers()), {}),
        "release_form_for": ((eid,), {}),
        "risk_signals": ((), {}),
        "submit_report": ((token, good_report()), {}),
        "repeated_report": ((token, good_report(spo2="90")), {}),
        "totals": ((), {}),
        "trace_candidates": ((eid,), {}),
        "transfer_form_for": ((eid,), {}),
        "transfer_to_hospital": ((eid, {"confirm": True}), {}),
    }


@pytest.fixture()
def ctx(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    link, code = link_and_code(officer, f0["id"])
    token = service.unlock(None, link, code)
    service.submit_report(None, token, good_report(spo2="90"))
    alert = service.person_alerts(officer, f0["id"], open_only=True)["id"].iloc[0]
    return {"eid": f0["id"], "token": token, "alert": alert, "link": link, "code": code}


def test_every_entry_point_for_every_role(store, ctx):
    cases = {}
    for name, (args, kwargs) in _args(ctx).items():
        fn = getattr(service, name)
        allowed = {PUBLIC} if name in PUBLIC_FUNCTIONS else {"health_officer"}
        if name == "risk_signals":
            allowed = {"admin"}
        if name == "followup_events":  # the outreach app's workers pull missed F1 days
            allowed = {"health_officer", "health_worker"}
        cases[name] = (lambda p, fn=fn, a=args, k=kwargs: fn(p, *a, **k), allowed)
    authorization_matrix(
        service_modules("home_isolation"),
        cases,
        errors=(service.IsolationError, FormInvalid),
    )


def test_a_missing_principal_is_refused(store, ctx):
    for name, (args, kwargs) in _args(ctx).items():
        if name not in PUBLIC_FUNCTIONS:
            with pytest.raises(PermissionDenied):
                getattr(service, name)(None, *args, **kwargs)


def test_health_declaration_checks_the_role_of_check_ins_itself(store, officer, monkeypatch):
    """Home isolation reaches check-ins only through health_declaration's ``co_checkins``
    interface, passing the principal. Were home isolation to admit a role the health
    declaration app does not (here: approvers), the check-ins would still be refused to it."""
    f0 = service.enroll_f0(officer, f0_form())
    real = service.require
    monkeypatch.setattr(service, "require", lambda p, *roles: real(p, *roles, "approver"))
    visitor = make_principal("visitor", "approver")
    service.board(visitor)  # home isolation lets the visitor in...
    with pytest.raises(PermissionDenied):  # ...the health declaration app does not
        service.trace_candidates(visitor, f0["id"])
    assert service.trace_candidates(officer, f0["id"]).empty
