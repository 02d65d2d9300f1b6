"""Demo data: a few Da Nang checkpoints (and no fake scans: the dashboard fills as you scan)."""

from __future__ import annotations

from core import clock, geo
from core.registry import DemoContext

CHECKPOINTS = [
    # id, name, ward index in Da Nang's list, lat, lon
    ("cp-hai-van", "Chốt Hầm Hải Vân", 16.1956, 108.1317),
    ("cp-hoa-phuoc", "Chốt Hòa Phước", 15.9740, 108.2270),
    ("cp-tuy-loan", "Chốt Túy Loan", 15.9850, 108.1300),
]


def seed(ctx: DemoContext) -> None:
    wards = sorted(u.code for u in geo.wards(geo.DA_NANG))
    if not wards:
        return
    now = clock.utcnow_naive()
    for i, (cid, name, lat, lon) in enumerate(CHECKPOINTS):
        ctx.store.execute(
            "INSERT INTO cp_checkpoints VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [cid, name, str(wards[i % len(wards)]), lat, lon, now],
        )
    ctx.progress(1.0, "checkpoints")
