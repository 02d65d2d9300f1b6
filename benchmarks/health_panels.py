"""Every analytics panel at city scale <= 300 ms (each printed), and co_checkins <= 1 s over
20,000,000 check-ins. Baseline (same run): the same panel computed by pandas over the rows
read into memory (one panel, declarations per day)."""

from __future__ import annotations

import sys
import time
from datetime import date, datetime

from health_common import city_store, load  # noqa: E402

LIMIT_MS = 300.0


def timed(fn, repeat: int = 3) -> float:
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def main() -> int:
    from apps.health_declaration import analytics, service
    from core.auth import Principal

    store = city_store()
    officer = Principal("bench", frozenset({"health_officer"}))
    f = analytics.Filters(date(2021, 2, 1), date(2021, 10, 31))
    f_ward = analytics.Filters(
        date(2021, 7, 1),
        date(2021, 9, 30),
        48,
        store.scalar("SELECT ward_code FROM hd_declarations LIMIT 1"),
    )
    pid = store.scalar("SELECT person_id FROM hd_checkins LIMIT 1 OFFSET 12345678")
    panels = {
        "summary (whole period)": lambda: analytics.summary(officer, f),
        "per_day (whole period)": lambda: analytics.per_day(officer, f),
        "per_ward (whole period)": lambda: analytics.per_ward(officer, f),
        "risk_list red+yellow (500 newest)": lambda: analytics.risk_list(officer, f),
        "checkins per venue per hour (whole period)": lambda: analytics.checkins_hourly(officer, f),
        "summary (Q3, one ward)": lambda: analytics.summary(officer, f_ward),
        "checkins per venue per hour (Q3, one ward)": lambda: analytics.checkins_hourly(
            officer, f_ward
        ),
        "drill-down person declarations and check-ins": lambda: analytics.person_history(
            officer, pid, f
        ),
    }
    print(load())
    worst = 0.0
    for name, fn in panels.items():
        ms = timed(fn)
        worst = max(worst, ms)
        print(f"panel {name}: {ms:.0f} ms {'ok' if ms <= LIMIT_MS else 'OVER'}")
    trace = timed(
        lambda: service.co_checkins(officer, pid, datetime(2021, 2, 1), datetime(2021, 10, 31))
    )
    n = len(service.co_checkins(officer, pid, datetime(2021, 2, 1), datetime(2021, 10, 31)))
    print(
        f"co_checkins over {store.scalar('SELECT count(*) FROM hd_checkins'):,} check-ins: {trace:.0f} ms ({n} contacts; limit 1000 ms)"
    )
    t0 = time.perf_counter()
    frame = store.df(
        "SELECT declared_at, fever, cough, exp_case, from_epidemic FROM hd_declarations"
    )
    frame.groupby(frame["declared_at"].dt.date).agg(
        {"fever": "sum", "cough": "sum", "exp_case": "sum"}
    )
    base = (time.perf_counter() - t0) * 1000
    per_day = timed(lambda: analytics.per_day(officer, f), 1)
    print(
        f"baseline pandas per-day over all rows: {base:.0f} ms; ours per_day {per_day:.0f} ms; ratio {per_day / base:.3f}"
    )
    print(load())
    ok = worst <= LIMIT_MS and trace <= 1000
    print(f"worst panel {worst:.0f} ms (limit {LIMIT_MS:.0f}) {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
