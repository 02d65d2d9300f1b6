"""F1 candidates for one F0 over the city-scale 20,000,000 check-ins: <= 1 s.

Ours: ``apps.home_isolation.service.trace_candidates`` (authorization, the F0's infectious
window, the health declaration app's ``co_checkins``, already-enrolled flags), wall time, best
of 3, for the traceable F0 with the most check-ins in the city demo. Baseline (same run, same
answer): the plain SQL one would write first, a self-join of the check-in view on venue with
a +/- window condition, filtered on the F0's person_id.
"""

from __future__ import annotations

import time

from isolation_common import city_store

LIMIT = 1.0


def main() -> None:
    store = city_store()
    from apps.home_isolation import service
    from apps.home_isolation.models import isolation_settings
    from core.auth import Principal
    from core.registry import get_registry

    officer = Principal("bench", frozenset({"health_officer"}))
    checkins = store.scalar("SELECT count(*) FROM hd_checkins_v")
    # the historical (traceable) F0 whose infectious window holds the most check-ins
    f0s = store.records(
        "SELECT id, person_id, test_date, onset_date, enrolled_at FROM hi_enrolments"
        " WHERE kind = 'F0' AND test_date < DATE '2022-01-01' LIMIT 40"
    )
    assert f0s, "no traceable F0 in the city demo"
    s = isolation_settings()
    best = max(
        f0s,
        key=lambda r: len(
            get_registry().interface("health_declaration", "checkins_of")(
                officer,
                r["person_id"],
                service.infectious_since(r, s),
                service.clock.now(),
                store=store,
            )
        ),
    )
    since = service.infectious_since(best, s)
    minutes = s.trace_window_minutes

    def ours():
        return service.trace_candidates(officer, best["id"], store=store)

    def baseline():
        return store.df(
            "SELECT s.venue_id, c.person_id, c.checked_in_at FROM hd_checkins_v s"
            " JOIN hd_checkins_v c ON c.venue_id = s.venue_id"
            " AND c.checked_in_at BETWEEN s.checked_in_at - (? * INTERVAL '1 minute')"
            " AND s.checked_in_at + (? * INTERVAL '1 minute')"
            " WHERE s.person_id = ? AND s.checked_in_at >= ? AND c.person_id <> s.person_id",
            [minutes, minutes, best["person_id"], since.replace(tzinfo=None)],
        )

    found = ours()
    base_rows = baseline()
    times_ours, times_base = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        ours()
        times_ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        baseline()
        times_base.append(time.perf_counter() - t0)
    a, b = min(times_ours), min(times_base)
    print(f"check-ins in the store: {checkins:,}")
    print(
        f"F0 {best['id']}: {found['candidate_id'].nunique()} candidates, {len(found)} pairs"
        f" (baseline pairs: {len(base_rows)}), window from {since:%Y-%m-%d}, +/- {minutes} min"
    )
    print(f"ours  (trace_candidates):        {a * 1000:8.1f} ms  (limit {LIMIT * 1000:.0f} ms)")
    print(f"baseline (self-join on venue):   {b * 1000:8.1f} ms")
    print(f"ratio ours/baseline: {a / b:.3f}  {'PASS' if a <= LIMIT else 'FAIL'}")


if __name__ == "__main__":
    main()
