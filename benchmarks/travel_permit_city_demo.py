"""`rapid demo --scale city` for travel permits <= 3 minutes: 68,735 applications, 22,559
approved, 43,015 rejected, 507,510 signed permits into a fresh database. Baseline (same run):
the bare signing of 507,510 permit tokens with the signer ``qr.issue`` uses for bulk batches
(Signer.sign_many, no storage), extrapolated from 50,000 - the floor any implementation pays.

Checks, besides the time: the exact counts, one token row, one audit row and one permit row per
permit, and a sample of stored tokens verifying against the server's keys. Exits 1 on any miss.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from travel_permit_common import fresh_store

from apps.travel_permit.demo import CITY, seed_city

LIMIT = 180.0
EXPECTED = {
    "applications": CITY["applications"],
    "approved": CITY["approved"],
    "rejected": CITY["rejected"],
    "pending": CITY["applications"] - CITY["approved"] - CITY["rejected"],
    "permits": CITY["permits"],
}


def baseline(n: int = 50_000) -> float:
    from core.qr import service as qr
    from core.qr.sign import TokenClaims

    sig = qr.signer(bulk=True)  # what qr.issue signs batches > SMALL_BATCH with
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


def check(store) -> list[str]:
    """What is wrong with the seeded database (empty: nothing)."""
    from apps.travel_permit import service
    from core.qr import service as qr

    problems = []
    stats = service.stats(store)
    for key, want in EXPECTED.items():
        if stats.get(key) != want:
            problems.append(f"{key}: {stats.get(key)} != {want}")
    n = CITY["permits"]
    for what, sql in {
        "qr_tokens TP1:": "SELECT count(*) FROM qr_tokens WHERE prefix = 'TP1:'",
        "audit qr.issue": "SELECT count(*) FROM audit_log WHERE action = 'qr.issue'",
        "tp_permits": "SELECT count(*) FROM tp_permits",
        "permits with their token": "SELECT count(*) FROM tp_permits p"
        " JOIN qr_tokens t ON t.token_id = p.permit_id",
    }.items():
        got = store.scalar(sql)
        if got != n:
            problems.append(f"{what}: {got:,} != {n:,}")
    # Each sampled 2021 permit, verified as of a moment inside its own validity window (it was
    # issued at its decision time), is VALID and carries its permit's id, holder and window.
    sample = store.fetchall(
        "SELECT token_text, permit_id, full_name, valid_from, valid_until FROM tp_permits p"
        " JOIN qr_tokens t ON t.token_id = p.permit_id USING SAMPLE 200 ROWS"
    )
    bad = 0
    for text, pid, name, valid_from, valid_until in sample:
        inside = (valid_from + (valid_until - valid_from) / 2).replace(tzinfo=UTC)
        v = qr.verify_server(text, expected_prefixes=["TP1:"], now=inside)
        bad += not (
            v.reason == qr.Reason.VALID
            and v.token_id == pid
            and v.claims.get("n") == name
            and v.not_before == valid_from.replace(tzinfo=UTC)
            and v.expires_at == valid_until.replace(tzinfo=UTC)
        )
    if len(sample) != 200 or bad:
        problems.append(f"{bad} of {len(sample)} sampled tokens are not VALID in their window")
    return problems


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="tp_bench_") as folder:
        return run(Path(folder))


def run(folder: Path) -> int:
    store = fresh_store(folder)
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    c0 = time.process_time()
    counts = seed_city(store)
    ours = time.perf_counter() - t0
    cpu = time.process_time() - c0
    load1 = os.getloadavg()
    base = baseline()
    problems = check(store)
    print(f"counts {counts}")
    print(f"load average (1/5/15 min) before {load0}, after the seed {load1}")
    print(
        f"city demo (travel_permit)  ours {ours:.1f} s wall, {cpu:.1f} s CPU  (limit {LIMIT:.0f} s)"
    )
    print(f"baseline: bulk signing of {CITY['permits']:,} tokens only  {base:.1f} s")
    print(f"ratio ours/baseline {ours / base:.2f}")
    for p in problems:
        print("PROBLEM:", p)
    ok = ours <= LIMIT and not problems
    store.close()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
