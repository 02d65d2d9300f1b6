"""Fixtures of the health declaration tests."""

from __future__ import annotations

import pytest

from core import geo
from core.notify.testing import sent_sms  # noqa: F401 - a fixture (core.testkit will offer it)
from core.qr import service as qr
from core.testkit import make_principal

WARD = geo.wards(geo.DA_NANG)[0].code


def form(**over) -> dict:
    raw = {
        "full_name": "Nguyễn Thị Thu Hà",
        "birth_year": "1985",
        "sex": "F",
        "nationality": "VN",
        "id_kind": "cccd",
        "person_id": "048185000123",
        "phone": "0905 123 456",
        "province_code": geo.DA_NANG,
        "ward_code": WARD,
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


def venue_form(name: str, kind: str, province: int, ward: int, street: str, phone: str) -> dict:
    """The answers of the venue form."""
    return {
        "name": name,
        "kind": kind,
        "province_code": province,
        "ward_code": ward,
        "street": street,
        "contact_phone": phone,
    }


def area_form(province: int, ward: int | None, start, end=None, note: str = "") -> dict:
    """The answers of the epidemic-area form."""
    return {
        "province_code": province,
        "ward_code": ward,
        "starts_on": start,
        "ends_on": end,
        "note": note,
    }


@pytest.fixture()
def hd(store, frozen_clock):
    """Store + frozen clock + fresh QR key cache."""
    qr.reset_cache()
    yield store
    qr.reset_cache()


@pytest.fixture()
def officer():
    return make_principal("officer", "health_officer")


@pytest.fixture()
def owner():
    return make_principal("shop1", "business")


@pytest.fixture()
def scanner():
    return make_principal("gate", "checkpoint")
