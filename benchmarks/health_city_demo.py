"""`rapid demo --scale city` for the health declaration app <= 5 minutes.

Ours: the app's seeder (6,131,000 declarations, 2,000 venues, 20,000,000 check-ins) into a
fresh database. Baseline (same run): inserting the same 6,131,000 declarations through a
pandas DataFrame built in Python (numpy columns), extrapolated from 500,000 rows.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
from health_common import CITY_DB, build_city, fresh_store  # noqa: E402

LIMIT = 300.0


def baseline(rows: int = 500_000) -> float:
    store = fresh_store()
    rng = np.random.default_rng(1)
    t0 = time.perf_counter()
    idx = rng.integers(0, 1_500_000, rows)
    frame = pd.DataFrame(
        {
            "id": [f"b{i}" for i in range(rows)],
            "declared_at": pd.Timestamp("2021-02-01") + pd.to_timedelta(np.arange(rows) * 4, "s"),
            "person_id": [f"048{i:09d}" for i in idx],
            "person_key": 48_000_000_000 + idx,
            "id_kind": "cccd",
            "full_name": "Nguyễn Văn An",
            "birth_year": 1980,
            "sex": "M",
            "nationality": "VN",
            "phone": [f"09{i:08d}" for i in idx],
            "province_code": 48,
            "ward_code": 20194,
            "street": "1 Lê Duẩn",
            "committed": True,
            "colour": "green",
        }
    )
    store.insert_df("hd_declarations", frame)
    return (time.perf_counter() - t0) * 6_131_000 / rows


def main() -> int:
    base = baseline()
    ours = build_city()
    from health_common import city_store

    store = city_store()
    from apps.health_declaration import service

    print(service.stats(store))
    print(f"city demo (health_declaration): {ours:.1f} s  (limit {LIMIT:.0f} s) -> {CITY_DB}")
    print(f"baseline Python/pandas rows extrapolated to 6,131,000 declarations only: {base:.1f} s")
    print(f"ratio ours/baseline: {ours / base:.2f}  {'PASS' if ours <= LIMIT else 'FAIL'}")
    return 0 if ours <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
