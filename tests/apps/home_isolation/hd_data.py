"""Check-ins for tracing tests. The health declaration app has no public way to bulk-load
check-ins yet, so (as the brief allows) TEST setup writes its tables directly; the code under
test reads them only through ``apps.health_declaration.service.co_checkins``."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from core import clock
from core.store import Store


def _columns(store: Store, table: str) -> list[str]:
    return [r[0] for r in store.fetchall(f"SELECT column_name FROM (DESCRIBE {table})")]


def add_venue(store: Store, name: str, ward: int) -> int:
    store.execute(
        "INSERT INTO hd_venues (name, kind, province_code, ward_code, street, contact_phone,"
        " created_at, created_by) VALUES (?, 'shop', 48, ?, '1 Bạch Đằng', '0905000000', ?, 'test')",
        [name, ward, clock.utcnow_naive()],
    )
    return int(store.scalar("SELECT max(id) FROM hd_venues"))


def add_checkins(store: Store, rows: list[tuple[int, datetime, str, str, str, int]]) -> None:
    """rows: (venue_id, aware time, person_id, name, phone, ward)."""
    from apps.health_declaration import models as hd_models

    frame = pd.DataFrame(
        {
            "venue_id": [r[0] for r in rows],
            "checked_in_at": [clock.to_utc_naive(r[1]) for r in rows],
            "person_key": [hd_models.person_key(r[2]) for r in rows],
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
    wanted = _columns(store, "hd_checkins")
    store.insert_df("hd_checkins", frame[[c for c in frame.columns if c in wanted]])
