"""Opening outreach cases for a day of the city demo: <= 10 s; a worker's list: <= 300 ms.

The store: the city demo of the health declaration app (6,131,000 declarations, 20,000,000
check-ins; benchmarks/outreach_common.py). The day: the local day of the demo whose
declaration count is nearest 25,000. The F0s: 200 people who checked in that day, registered
the next morning (synthetic isolation signals, as the home isolation app writes them), so the
day's co-locations with an F0 are found too.

Ours: ``apps.outreach.service.open_cases`` for that day (the health declaration app's
``risk_events``: red/yellow declarations and F0 co-locations, recorded as exposure signals;
bulk insert of cases and events), without the SMS (sent after, one per person: not part of
opening). Baseline, same run, same cases: a case per event the way a per-declaration hook
would do it: one transaction per event (look for the person's open case, insert the case and
the event), and the F0s' contacts through the existing ``co_checkins`` interface, one F0 at a
time.

The list: ``today_list`` for the ward worker with the most cases due, after the opening
(CPU time, best of 5). Baseline: every open case read, then filtered to the ward and sorted
in pandas.

Times are CPU time of this process (benchmarks/_util.py; DuckDB's threads included); wall time
is printed beside. Exit 1 when a target is missed.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta

import pandas as pd
from outreach_common import city_store

OPEN_LIMIT_S = 10.0
LIST_LIMIT_MS = 300.0
F0S = 200


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def clean(store) -> None:
    store.execute("DELETE FROM or_attempts")
    store.execute("DELETE FROM or_events")
    store.execute("DELETE FROM or_cases")
    store.execute("DELETE FROM person_risk WHERE recorded_by = 'bench'")


def pick_day(store) -> tuple[datetime, datetime, int]:
    """(start, end) in naive UTC of the local day nearest 25,000 declarations, and its count."""
    day, n = store.fetchone(
        "SELECT CAST(timezone('Asia/Ho_Chi_Minh', timezone('UTC', declared_at)) AS DATE) AS d,"
        " count(*) AS n FROM hd_declarations WHERE source = 'demo' GROUP BY d"
        " ORDER BY abs(count(*) - 25000), d LIMIT 1"
    )
    start = datetime(day.year, day.month, day.day) - timedelta(hours=7)  # local midnight, UTC
    return start, start + timedelta(days=1), int(n)


def add_f0s(store, start: datetime, end: datetime) -> int:
    from core import risk

    people = store.df(
        "SELECT DISTINCT person_id FROM hd_checkins WHERE checked_in_at >= ?"
        " AND checked_in_at < ? ORDER BY hash(person_id) LIMIT ?",
        [start, end, F0S],
    )
    return risk.record_many(
        pd.DataFrame(
            {
                "person_id": people["person_id"],
                "source": "isolation",
                "ref": "bench-" + people["person_id"],
                "level": "red",
                "reason_code": "F0",
                "since": end + timedelta(hours=2),
            }
        ),
        actor="bench",
        store=store,
    )


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.process_time() - c, time.perf_counter() - w


def baseline_open(store, officer, start: datetime, end: datetime) -> int:
    """One transaction per event; the F0s' contacts one F0 at a time through co_checkins."""
    import secrets

    from core import clock
    from core.registry import get_registry

    events = store.records(
        "SELECT person_key, person_id, full_name, phone, ward_code, lang, 'decl:' || id AS ek,"
        " 'declaration' AS kind, colour AS level, risk_reasons AS reasons, declared_at AS at,"
        " '' AS venue FROM hd_declarations WHERE declared_at >= ? AND declared_at < ?"
        " AND colour IN ('red', 'yellow') ORDER BY declared_at",
        [start, end],
    )
    co = get_registry().interface("health_declaration", "co_checkins")
    f0s = store.fetchall(
        "SELECT person_id FROM person_risk WHERE source = 'isolation' AND recorded_by = 'bench'"
    )
    f0_ids = {p for (p,) in f0s}
    for (pid,) in f0s:
        found = co(officer, pid, start - timedelta(hours=1), end, 60, store=store)
        for r in found.itertuples(index=False):
            at = pd.Timestamp(r.candidate_checked_in_at).to_pydatetime()
            if not (start <= at < end) or r.candidate_id in f0_ids:
                continue
            day = clock.local(at).date()  # type: ignore[union-attr]
            events.append(
                {"person_key": int(r.candidate_id), "person_id": r.candidate_id,
                 "full_name": r.candidate_name, "phone": r.candidate_phone,
                 "ward_code": int(r.candidate_ward), "lang": "vi",
                 "ek": f"exp:{r.venue_id}:{day}", "kind": "exposure", "level": "yellow",
                 "reasons": "exposure_f0", "at": at, "venue": r.venue_name}
            )  # fmt: skip
    opened = 0
    now = clock.utcnow_naive()
    for e in events:
        with store.transaction() as cur:
            if cur.execute(
                "SELECT 1 FROM or_events WHERE person_key = ? AND event_key = ?",
                [e["person_key"], e["ek"]],
            ).fetchone():
                continue
            row = cur.execute(
                "SELECT id FROM or_cases WHERE person_key = ? AND status = 'open'",
                [e["person_key"]],
            ).fetchone()
            if row is None:
                case_id = f"OR{secrets.token_hex(6).upper()}"
                cur.execute(
                    "INSERT INTO or_cases (id, person_key, person_id, full_name, phone, ward_code,"
                    " lang, kind, level, reasons, venue_name, event_at, opened_at, due_on, events,"
                    " status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'open')",
                    [case_id, e["person_key"], e["person_id"], e["full_name"], e["phone"],
                     e["ward_code"], e["lang"], e["kind"], e["level"], e["reasons"], e["venue"],
                     e["at"], now, clock.local(e["at"]).date()],  # type: ignore[union-attr]
                )  # fmt: skip
                opened += 1
            else:
                case_id = row[0]
                cur.execute("UPDATE or_cases SET events = events + 1 WHERE id = ?", [case_id])
            cur.execute(
                "INSERT INTO or_events VALUES (?, ?, ?, ?, ?, ?)",
                [e["person_key"], e["ek"], case_id, e["kind"], e["at"], now],
            )
    return opened


def main() -> int:
    from apps.outreach import service
    from core import clock
    from core.auth import Principal
    from core.testkit import make_principal

    store = city_store()
    clean(store)
    decls = store.scalar("SELECT count(*) FROM hd_declarations")
    checkins = store.scalar("SELECT count(*) FROM hd_checkins")
    start, end, n_day = pick_day(store)
    print(f"store: {decls:,} declarations, {checkins:,} check-ins ({load()})")
    print(f"day: {clock.local(start):%Y-%m-%d} (local), {n_day:,} declarations")
    f0 = add_f0s(store, start, end)
    print(f"F0s registered the next morning: {f0}")
    clock.set_clock(lambda: (end + timedelta(hours=3)).replace(tzinfo=UTC))
    officer = Principal("bench", frozenset({"health_officer"}))

    done, cpu, wall = timed(lambda: service.open_cases(officer, start, end, notify=False))
    exposures = store.scalar("SELECT count(*) FROM or_events WHERE kind = 'exposure'")
    print(f"opened {done.opened:,} cases from {done.events:,} events ({exposures:,} exposures,"
          f" {done.merged:,} added to open cases)")  # fmt: skip
    cases = store.scalar("SELECT count(*) FROM or_cases")

    ward, due = store.fetchone(
        "SELECT ward_code, count(*) FROM or_cases WHERE status = 'open' GROUP BY ward_code"
        " ORDER BY 2 DESC LIMIT 1"
    )
    worker = make_principal("bench_worker", f"health_worker@ward:{ward}")
    list_cpu = list_wall = float("inf")
    for _ in range(5):
        listed, c, w = timed(lambda: service.today_list(worker))
        list_cpu, list_wall = min(list_cpu, c), min(list_wall, w)
    base_cpu = base_wall = float("inf")
    for _ in range(5):

        def naive() -> pd.DataFrame:
            every = store.df("SELECT * FROM or_cases WHERE status = 'open'")
            today = pd.Timestamp(clock.today_local())
            mine = every[(every["ward_code"] == ward) & (pd.to_datetime(every["due_on"]) <= today)]
            return mine.sort_values(["event_at", "id"]).head(200)

        base_list, c, w = timed(naive)
        base_cpu, base_wall = min(base_cpu, c), min(base_wall, w)
    assert len(listed) == len(base_list), (len(listed), len(base_list))

    store.execute("DELETE FROM or_events")
    store.execute("DELETE FROM or_cases")
    store.execute("DELETE FROM person_risk WHERE source = 'exposure' AND recorded_by = 'bench'")
    base_opened, bcpu, bwall = timed(lambda: baseline_open(store, officer, start, end))
    clean(store)
    print(f"baseline opened {base_opened:,} cases (ours {cases:,})")
    print()
    print(
        f"open a day   ours {cpu:7.2f} s CPU ({wall:.2f} s wall)   baseline {bcpu:7.2f} s CPU"
        f" ({bwall:.2f} s wall)   ratio {cpu / bcpu:.3f}   target <= {OPEN_LIMIT_S:.0f} s"
    )
    print(f"worker list  ours {list_cpu * 1000:7.1f} ms CPU ({list_wall * 1000:.1f} ms wall,"
          f" {len(listed)} cases of ward {ward}, {due} open)   baseline {base_cpu * 1000:7.1f} ms"
          f" CPU ({base_wall * 1000:.1f} ms wall)   ratio {list_cpu / base_cpu:.3f}"
          f"   target <= {LIST_LIMIT_MS:.0f} ms")  # fmt: skip
    print(load())
    missed = cpu > OPEN_LIMIT_S or list_cpu * 1000 > LIST_LIMIT_MS
    if missed:
        print("MISSED")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
