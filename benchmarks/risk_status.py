"""One person's risk status at city scale: <= 5 ms (the pass and the check-in read it on every
request).

Synthetic city-scale fill (said so: the status reads ``person_risk`` only, and the city demo
has no signal history): 1,500,000 people with a declaration signal each (about a third of them
also an older, replaced one), 30,000 on the isolation register (a third released), 150,000
exposures: about 2.2 million rows, generated in DuckDB from ``range()``, stored in arrival
order (not sorted by person, so a scan cannot lean on zone maps).

Ours: ``core.risk.status(person_id)`` (the index ``person_risk_person``), CPU time of this
process per call (as benchmarks/_util.py: the cost on the machine, not inflated when other jobs
share the 2 cores; wall time is printed beside it) over 2,000 random people (mean and 95th
percentile). Baseline, same run, same rows, same answer: the same query on a copy of the table
without the index, filtered in SQL as one would write it first. Exit 1 when our 95th
percentile is above 5 ms.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

from outreach_common import fresh_store

LIMIT_MS = 5.0
PEOPLE = 1_500_000
ISOLATION = 30_000
EXPOSURES = 150_000
CALLS = 2_000


def fill(store) -> int:
    from datetime import datetime

    now = datetime(2021, 9, 10, 8)
    pid = "'048' || lpad(CAST(p AS VARCHAR), 9, '0')"
    store.execute(
        "INSERT INTO person_risk SELECT CAST(" + pid + " AS BIGINT), " + pid + ", source,"  # noqa: S608 - constant fragments
        " ref, level, CASE level WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END,"
        " reason, since, until, cleared, since, 'bench' FROM ("
        " SELECT i AS p, 'declaration' AS source, 'd' || CAST(i AS VARCHAR) AS ref,"
        " CASE WHEN i % 50 = 0 THEN 'red' WHEN i % 9 = 0 THEN 'yellow' ELSE 'green' END AS level,"
        " 'declared' AS reason, ?::TIMESTAMP - INTERVAL 1 MINUTE * (i % 1200) AS since,"
        " ?::TIMESTAMP + INTERVAL 1 HOUR * 12 AS until, NULL::TIMESTAMP AS cleared"
        " FROM range(?) r(i)"
        " UNION ALL SELECT i, 'declaration', 'old' || CAST(i AS VARCHAR), 'yellow', 'symptom_any',"
        " ?::TIMESTAMP - INTERVAL 3 DAY, ?::TIMESTAMP - INTERVAL 2 DAY, ?::TIMESTAMP - INTERVAL 2 DAY"
        " FROM range(0, ?, 3) r(i)"
        " UNION ALL SELECT (i * 7919) % ?, 'isolation', 'HI' || CAST(i AS VARCHAR),"
        " CASE WHEN i % 4 = 0 THEN 'red' ELSE 'yellow' END,"
        " CASE WHEN i % 4 = 0 THEN 'F0' ELSE 'F1' END, ?::TIMESTAMP - INTERVAL 1 DAY * (i % 14),"
        " NULL, CASE WHEN i % 3 = 0 THEN ?::TIMESTAMP ELSE NULL END FROM range(?) r(i)"
        " UNION ALL SELECT (i * 104729) % ?, 'exposure', 'v' || CAST(i AS VARCHAR), 'yellow',"
        " 'exposure_f0', ?::TIMESTAMP - INTERVAL 1 HOUR * (i % 300),"
        " ?::TIMESTAMP + INTERVAL 14 DAY - INTERVAL 1 HOUR * (i % 300), NULL FROM range(?) r(i))"
        " ORDER BY hash(p, ref)",  # rows arrive over time, not sorted by person
        [now, now, PEOPLE, now, now, now, PEOPLE, PEOPLE, now, now, ISOLATION, PEOPLE, now, now,
         EXPOSURES],
    )  # fmt: skip
    store.execute("CHECKPOINT")
    return int(store.scalar("SELECT count(*) FROM person_risk"))


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> int:
    from datetime import UTC, datetime

    from core import clock, risk

    store = fresh_store()
    t0 = time.perf_counter()
    rows = fill(store)
    print(f"person_risk: {rows:,} rows (synthetic city fill, {time.perf_counter() - t0:.1f} s)")
    store.execute("CREATE TABLE person_risk_plain AS SELECT * FROM person_risk")
    store.execute("CHECKPOINT")
    clock.set_clock(lambda: datetime(2021, 9, 10, 8, tzinfo=UTC))
    rng = random.Random(2021)
    people = [f"048{rng.randrange(PEOPLE):09d}" for _ in range(CALLS)]
    sql = (
        "SELECT source, level, reason_code, since, until, ref, person_id FROM person_risk_plain"
        " WHERE person_key = ? AND cleared_at IS NULL AND since <= ?"
        " AND (until IS NULL OR until > ?) ORDER BY level_rank DESC, since DESC"
    )
    now = clock.utcnow_naive()

    def ours(pid: str) -> object:
        return risk.status(pid, store=store)

    def base(pid: str) -> object:
        return store.fetchall(sql, [int(pid), now, now])

    # same answers
    for pid in people[:50]:
        assert [s.ref for s in ours(pid).signals] == [r[5] for r in base(pid)], pid
    ours_ms: list[float] = []
    base_ms: list[float] = []
    wall: list[float] = []
    for pid in people[:100]:  # warm up
        ours(pid)
    for i, pid in enumerate(people):
        w, t = time.perf_counter(), time.process_time()
        ours(pid)
        ours_ms.append((time.process_time() - t) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
        if i % 5 == 0:  # a sample of 400 calls of the scan
            t = time.process_time()
            base(pid)
            base_ms.append((time.process_time() - t) * 1000)
    p95 = statistics.quantiles(ours_ms, n=20)[-1]
    b95 = statistics.quantiles(base_ms, n=20)[-1]
    mean, bmean = statistics.fmean(ours_ms), statistics.fmean(base_ms)
    flagged = sum(1 for pid in people if risk.status(pid, store=store).level != "green")
    print(f"people looked up: {CALLS:,} ({flagged:,} not green)")
    print(f"ours (index)      mean {mean:7.2f} ms   p95 {p95:7.2f} ms  (CPU)")
    print(f"baseline (scan)   mean {bmean:7.2f} ms   p95 {b95:7.2f} ms  (CPU)")
    wall95 = statistics.quantiles(wall, n=20)[-1]
    print(f"ours, wall time   mean {statistics.fmean(wall):7.2f} ms   p95 {wall95:7.2f} ms"
          f"  ({load()})")  # fmt: skip
    print(f"ratio (ours/baseline, p95) {p95 / b95:.3f}; target p95 <= {LIMIT_MS} ms")
    if p95 > LIMIT_MS:
        print("MISSED")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
