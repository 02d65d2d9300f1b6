"""`rapid demo --scale city` for travel permits <= 3 minutes: 68,735 applications, 22,559
approved, 43,015 rejected, 507,510 signed permits into a fresh database. Baseline (same run):
the bare signing of 507,510 permit tokens (Signer.sign_many, no storage), extrapolated from
50,000 - the floor any implementation pays."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from travel_permit_common import fresh_store

from apps.travel_permit.demo import CITY, seed_city

LIMIT = 180.0


def baseline(n: int = 50_000) -> float:
    from core.qr import service as qr
    from core.qr.sign import TokenClaims

    sig = qr.signer()
    exp = datetime(2021, 9, 20, tzinfo=UTC)
    claims = {
        "n": "Nguyễn Thị Thu Hà",
        "c": "********1234",
        "b": "0401234567",
        "w": [20275],
        "h": [300, 1260],
    }
    items = [TokenClaims(claims, exp, f"D{i:09d}", exp - timedelta(days=5), exp) for i in range(n)]
    t0 = time.perf_counter()
    sig.sign_many("TP1:", items)
    return (time.perf_counter() - t0) * CITY["permits"] / n


def main() -> None:
    store = fresh_store()
    t0 = time.perf_counter()
    counts = seed_city(store)
    ours = time.perf_counter() - t0
    base = baseline()
    print(f"counts {counts}")
    print(f"city demo (travel_permit)  ours {ours:.1f} s  (limit {LIMIT:.0f} s)")
    print(f"baseline: signing {CITY['permits']:,} tokens only  {base:.1f} s")
    print(f"ratio ours/baseline {ours / base:.2f}  {'PASS' if ours <= LIMIT else 'FAIL'}")


if __name__ == "__main__":
    main()
