"""co_checkins / checkins_of: the contact-tracing interfaces home isolation calls through the
registry. Each takes the caller's principal and checks the role itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from apps.health_declaration import service
from core.forms.identity import person_key
from core.testkit import make_principal

T0 = datetime(2021, 9, 10, 8, 0)
OFFICER = make_principal("officer", "health_officer")


def _venue(store, vid: int, name: str) -> None:
    store.execute(
        "INSERT INTO hd_venues (id, name, kind, province_code, ward_code, street, contact_phone,"
        " created_at, created_by) VALUES (?, ?, 'shop', 48, 20194, 'x', '0905000000', ?, 't')",
        [vid, name, T0],
    )


def _checkin(store, vid: int, pid: str, at: datetime, name: str = "A") -> None:
    store.insert_df(
        "hd_checkins",
        pd.DataFrame(
            {
                "venue_id": [vid],
                "checked_in_at": [at],
                "person_key": [person_key(pid)],
                "person_id": [pid],
                "full_name": [name],
                "phone": ["0905123456"],
                "ward_code": [20194],
                "colour": ["green"],
                "declaration_id": [None],
                "method": ["demo"],
                "recorded_by": ["t"],
            }
        ),
    )


def test_co_checkins_window_and_columns(store):
    _venue(store, 1, "Chợ Hàn")
    _venue(store, 2, "Quán B")
    src = "048123456789"
    _checkin(store, 1, src, T0)
    _checkin(store, 1, "048000000001", T0 + timedelta(minutes=30), "Bình")
    _checkin(store, 1, "048000000002", T0 - timedelta(minutes=60), "Cường")  # edge: included
    _checkin(store, 1, "048000000003", T0 + timedelta(minutes=61), "Dũng")  # outside
    _checkin(store, 2, "048000000004", T0 + timedelta(minutes=5), "Em")  # other venue
    _checkin(store, 2, "B1234567", T0 + timedelta(days=3), "Passport")
    out = service.co_checkins(
        OFFICER, src, datetime(2021, 9, 1, tzinfo=UTC), datetime(2021, 9, 30, tzinfo=UTC)
    )
    assert list(out.columns) == service.CO_CHECKIN_COLUMNS
    assert sorted(out["candidate_id"]) == ["048000000001", "048000000002"]
    row = out[out["candidate_id"] == "048000000001"].iloc[0]
    assert row["venue_name"] == "Chợ Hàn"
    assert row["overlap_minutes"] == 30.0
    assert row["candidate_name"] == "Bình"
    assert service.co_checkins(OFFICER, src, T0, T0, window_minutes=10).empty
    # range excludes the source check-in -> nothing
    assert service.co_checkins(OFFICER, src, T0 + timedelta(hours=1), T0 + timedelta(days=1)).empty
    assert service.co_checkins(OFFICER, "999999999999", T0, T0).empty


def test_checkins_of_passport_and_cccd(store):
    _venue(store, 2, "Quán B")
    _checkin(store, 2, "B1234567", T0)
    got = service.checkins_of(OFFICER, "b1234567", T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    assert list(got.columns) == service.CHECKIN_COLUMNS
    assert got["venue_name"].tolist() == ["Quán B"]
    assert service.checkins_of(OFFICER, "", T0, T0).empty


def test_the_interfaces_check_the_role_themselves(store):
    """Whoever calls (another app, through the registry): a principal without the
    health_officer role is refused by the health declaration app itself."""
    import pytest

    from core.auth import ANONYMOUS, PermissionDenied
    from core.registry import get_registry

    reg = get_registry()
    for name, args in (("co_checkins", ("048123456789", T0, T0)), ("checkins_of", ("x", T0, T0))):
        fn = reg.interface("health_declaration", name)
        for who in (ANONYMOUS, make_principal("chot", "checkpoint"), make_principal("a", "admin")):
            with pytest.raises(PermissionDenied):
                fn(who, *args)
        assert fn(OFFICER, *args).empty
