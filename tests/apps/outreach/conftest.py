"""Fixtures of the outreach tests."""

from __future__ import annotations

import pytest

from core import geo
from core.notify.testing import sent_sms  # noqa: F401 - a fixture
from core.qr import service as qr
from core.testkit import make_principal

WARDS = [w.code for w in geo.wards(geo.DA_NANG)]
WARD, OTHER_WARD = WARDS[0], WARDS[1]


@pytest.fixture()
def orx(store, frozen_clock):
    """Store + frozen clock + fresh QR key cache."""
    qr.reset_cache()
    yield store
    qr.reset_cache()


@pytest.fixture()
def worker():
    return make_principal("lan", f"health_worker@ward:{WARD}")


@pytest.fixture()
def other_worker():
    return make_principal("hoa", f"health_worker@ward:{OTHER_WARD}")


@pytest.fixture()
def officer():
    return make_principal("officer", "health_officer")


def declaration(person_id: str, ward: int = WARD, **over) -> dict:
    raw = {
        "full_name": "Nguyễn Thị Thu Hà",
        "birth_year": "1985",
        "sex": "F",
        "nationality": "VN",
        "id_kind": "cccd",
        "person_id": person_id,
        "phone": "0905 123 456",
        "province_code": geo.DA_NANG,
        "ward_code": ward,
        "street": "12 Bạch Đằng",
        "visited_provinces": [],
        "visited_countries": [],
        "symptoms": [],
        "exposures": [],
        "chronic": [],
        "vaccine_doses": 2,
        "committed": True,
    }
    raw.update(over)
    return raw
