"""Every public service entry point with every role, including the anonymous citizen."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

from apps.home_isolation import service
from core.auth import ANONYMOUS, PermissionDenied
from core.registry import ROLES
from tests.apps.home_isolation.conftest import f0_form, f1_form, good_report, link_token
from tests.conftest import make_principal

PUBLIC = {"open_link", "submit_report"}


def entry_points() -> list[str]:
    names = []
    for name in service.__all__:
        fn = getattr(service, name)
        if inspect.isfunction(fn) and next(iter(inspect.signature(fn).parameters)) == "principal":
            names.append(name)
    return sorted(names)


def test_every_entry_point_is_listed():
    officer_fns = set(entry_points()) - PUBLIC
    assert len(officer_fns) >= 20
    assert PUBLIC <= set(entry_points())


def _args(name: str, ctx: dict) -> tuple[tuple, dict]:
    eid, token, alert = ctx["eid"], ctx["token"], ctx["alert"]
    table = {
        "acknowledge": ((alert,), {}),
        "active_by_ward": ((), {}),
        "add_note": ((eid, "ghi chú"), {}),
        "assign": ((eid, "officer"), {}),
        "board": ((), {}),
        "enroll": (("F0", f0_form(person_id="048090000099")), {}),
        "enroll_contacts": ((eid, pd.DataFrame()), {}),
        "enroll_f0": ((f0_form(person_id="048090000098"),), {}),
        "enroll_f1": ((f1_form(eid, person_id="048090000097"),), {}),
        "enrolment": ((eid,), {}),
        "enrollment_or_none": ((eid,), {}),
        "find": (("An",), {}),
        "monitoring_link": ((eid,), {}),
        "open_alerts_summary": ((), {}),
        "open_link": ((token,), {}),
        "per_day": ((), {}),
        "person_alerts": ((eid,), {}),
        "person_notes": ((eid,), {}),
        "person_reports": ((eid,), {}),
        "release": ((eid,), {}),
        "submit_report": ((token, good_report()), {}),
        "totals": ((), {}),
        "trace_candidates": ((eid,), {}),
        "transfer_to_hospital": ((eid,), {}),
    }
    return table[name]


@pytest.fixture()
def ctx(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    token = link_token(officer, f0["id"])
    service.submit_report(None, token, good_report(spo2="90"))
    alert = service.person_alerts(officer, f0["id"], open_only=True)["id"].iloc[0]
    return {"eid": f0["id"], "token": token, "alert": alert}


@pytest.mark.parametrize("role", [*ROLES, None])
def test_roles(store, ctx, role):
    principal = ANONYMOUS if role is None else make_principal(f"u_{role}", role)
    for name in entry_points():
        args, kwargs = _args(name, ctx)
        fn = getattr(service, name)
        allowed = name in PUBLIC or role == "health_officer"
        if allowed:
            try:
                fn(principal, *args, **kwargs)
            except PermissionDenied:  # pragma: no cover - the failure we test for
                pytest.fail(f"{name} denied {role}")
            except (service.IsolationError, ValueError):
                pass  # refused for a business reason (e.g. F0 without a negative test)
        else:
            with pytest.raises(PermissionDenied):
                fn(principal, *args, **kwargs)
            with pytest.raises(PermissionDenied):
                fn(None, *args, **kwargs)
