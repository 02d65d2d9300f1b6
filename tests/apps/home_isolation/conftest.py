"""Fixtures of the home isolation tests: an officer, a helper to enrol people."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from apps.home_isolation import service
from core import clock
from core.notify.testing import sent_sms  # noqa: F401 - a fixture (SMS a test sent)
from core.store import Store, discover_migrations
from core.testkit import make_principal

WARD = 20275  # Phường An Hải, Da Nang


@pytest.fixture(autouse=True)
def _migrated(request):
    """If the registry refused this app (e.g. the health declaration plugin it depends on is
    momentarily broken while being written), still apply both apps' migrations so the
    service tests run."""
    if "store" not in request.fixturenames:
        yield
        return
    st_: Store = request.getfixturevalue("store")
    migs = []
    for app_id in ("health_declaration", "home_isolation"):
        migs += discover_migrations(
            app_id,
            Path(importlib.util.find_spec(f"apps.{app_id}").submodule_search_locations[0])
            / "migrations",
        )
    st_.migrate(migs)
    yield


@pytest.fixture()
def officer(store: Store):
    from core import accounts

    accounts.insert_user(
        "system", "officer", "Phạm Thị Y Tế", "health_officer", "DaNang@2021x", store=store
    )
    accounts.insert_user(
        "system", "nurse", "Lê Thị Điều Dưỡng", "health_officer", "DaNang@2021x", store=store
    )
    return make_principal("officer", "health_officer")


def f0_form(**over: Any) -> dict[str, Any]:
    today = clock.local(clock.now()).date()
    base = {
        "person_id": "048090000001",
        "full_name": "Nguyễn Văn An",
        "phone": "0905123456",
        "ward_code": WARD,
        "age": 40,
        "chronic": [],
        "vaccine_doses": 2,
        "test_date": today - timedelta(days=1),
        "test_type": "pcr",
        "onset_date": today - timedelta(days=2),
    }
    base.update(over)
    return base


def f1_form(source: str, **over: Any) -> dict[str, Any]:
    today = clock.local(clock.now()).date()
    base = {
        "source_id": source,
        "person_id": "048090000002",
        "full_name": "Trần Thị Bình",
        "phone": "0905654321",
        "ward_code": WARD,
        "age": 35,
        "exposure_date": today - timedelta(days=1),
    }
    base.update(over)
    return base


def release_answers(negative_test_date: Any = None, **over: Any) -> dict[str, Any]:
    """The release form ticked (and a negative test date when given)."""
    return {"negative_test_date": negative_test_date, "confirm": True, **over}


def good_report(**over: Any) -> dict[str, Any]:
    base = {"temperature": "36,8", "spo2": "98", "pulse": "80", "resp_rate": "16"}
    base.update(over)
    return base


def token_of(url: str) -> str:
    from urllib.parse import parse_qs, urlparse

    return parse_qs(urlparse(url).query)["t"][0]


def link_and_code(officer, enrolment_id: str) -> tuple[str, str]:
    """A new monitoring link's token and its code (as the officer reads them out)."""
    issued = service.new_link(officer, enrolment_id)
    return token_of(issued.url), issued.code


def link_token(officer, enrolment_id: str) -> str:
    """A browser session key of a person's monitoring link, opened with its code (what the
    citizen's cookie holds): what ``open_link`` and ``submit_report`` take."""
    token, code = link_and_code(officer, enrolment_id)
    return service.unlock(None, token, code)
