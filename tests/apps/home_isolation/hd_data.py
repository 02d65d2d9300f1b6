"""Venues and check-ins for tracing tests. Venues are registered through the health declaration
app's public service; it has no public way to bulk-load past check-ins yet, so (as the brief
allows) TEST setup writes ``hd_checkins`` directly. The code under test reads them only through
``apps.health_declaration.service.co_checkins``."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from core import clock
from core.store import Store
from core.testkit import make_principal


def add_venue(store: Store, name: str, ward: int) -> int:
    from apps.health_declaration import service as hd

    venue = hd.register_venue(
        make_principal("test", "health_officer"),
        {
            "name": name,
            "kind": "shop",
            "province_code": 48,
            "ward_code": ward,
            "street": "1 Bạch Đằng",
            "contact_phone": "0905000000",
        },
        store=store,
    )
    return venue.id


def add_checkins(store: Store, rows: list[tuple[int, datetime, str, str, str, int]]) -> None:
    """rows: (venue_id, aware time, person_id, name, phone, ward)."""
    from core.forms.identity import person_key

    frame = pd.DataFrame(
        {
            "venue_id": [r[0] for r in rows],
            "checked_in_at": [clock.to_utc_naive(r[1]) for r in rows],
            "person_key": [person_key(r[2]) for r in rows],
            "person_id": [r[2] for r in rows],
            "full_name": [r[3] for r in rows],
            "phone": [r[4] for r in rows],
            "ward_code": [r[5] for r in rows],
            "colour": "green",
            "declaration_id": None,
            "method": "demo",
            "recorded_by": "test",
        }
    )
    store.insert_df("hd_checkins", frame)
