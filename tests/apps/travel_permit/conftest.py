"""Fixtures for the travel permit app: a registered, verified business with a roster. Services
take the raw answers to the app's forms, as the pages send them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from stdnum.vn.mst import calc_check_digit

from apps.travel_permit import service
from core import accounts, clock
from core.auth import ANONYMOUS, Principal
from core.testkit import make_principal

PASSWORD = "Doanhnghiep2021"
WARDS = (20275, 20224, 20200, 20257, 20260)  # Da Nang wards


def make_mst(seed: int) -> str:
    """A valid 10-digit tax code derived from ``seed``."""
    n = seed
    while True:
        first9 = f"04{n:07d}"[-9:]
        check = calc_check_digit(first9)
        if len(check) == 1:
            return first9 + check
        n += 1


def cccd(i: int) -> str:
    return f"0480900{i:05d}"


def business_answers(seed: int, **fields: Any) -> dict[str, Any]:
    """Valid registration answers with tax code ``make_mst(seed)``; ``fields`` override."""
    values = {
        "name": f"Công ty {seed}",
        "tax_code": make_mst(seed),
        "sector": "logistics",
        "address": "12 Bạch Đằng",
        "ward_code": WARDS[0],
        "contact_name": "Nguyễn Văn An",
        "phone": "0905123456",
        "username": f"cty_{seed}",
        "password": PASSWORD,
    }
    return {**values, **fields}


def register(username: str, seed: int, store) -> Principal:
    answers = business_answers(seed, name=f"Công ty {username}", username=username)
    service.register_business(ANONYMOUS, answers, store=store)
    return accounts.principal_for(accounts.get_user(username, store=store))


def employee(i: int, **fields: Any) -> dict[str, Any]:
    return {
        "full_name": f"Trần Thị Mai {chr(65 + i % 26)}",
        "cccd": cccd(i),
        "phone": "0905000000",
        "home_ward": WARDS[1],
        "work_ward": WARDS[2],
        **fields,
    }


def add_roster(principal: Principal, n: int, store, start: int = 0) -> list[str]:
    ids = []
    for i in range(start, start + n):
        service.save_employee(principal, employee(i), store=store)
        ids.append(cccd(i))
    return ids


ROOMY = {"registrations_per_client_hour": 10_000, "registrations_per_tax_code_day": 1000}


@pytest.fixture(autouse=True)
def _roomy_registration_limits(request):
    """Tests of other things register many businesses from one "client": roomy limits here
    (tests/security/test_staff_privacy.py tests the limits themselves)."""
    if "store" not in request.fixturenames:
        yield
        return
    settings = request.getfixturevalue("settings")
    kept = settings.apps
    settings.apps = {**kept, "travel_permit": {**kept.get("travel_permit", {}), **ROOMY}}
    yield
    settings.apps = kept


@pytest.fixture()
def approver() -> Principal:
    return make_principal("duyet", "approver")


@pytest.fixture()
def biz(store, approver) -> Principal:
    """A verified business with 20 employees."""
    principal = register("cty_an", 1234, store)
    business = service.my_business(principal, store=store)
    service.verify_business(approver, business["id"], True, store=store)
    add_roster(principal, 20, store)
    return principal


@pytest.fixture()
def other_biz(store, approver) -> Principal:
    principal = register("cty_binh", 5678, store)
    business = service.my_business(principal, store=store)
    service.verify_business(approver, business["id"], True, store=store)
    add_roster(principal, 10, store, start=500)
    return principal


def request_answers(cccds, days: int = 3, **kw: Any) -> dict[str, Any]:
    """Answers to the request form for ``cccds`` over ``days`` days from today."""
    start = today()
    values = {
        "employees": list(cccds),
        "purpose": "Vận chuyển hàng hoá thiết yếu",
        "start_date": start,
        "end_date": start + timedelta(days=days - 1),
        "zones": [WARDS[0], WARDS[2]],
        "start_minute": 0,
        "end_minute": 24 * 60,
    }
    values.update(kw)
    return values


def today() -> date:
    return clock.local(clock.now()).date()
