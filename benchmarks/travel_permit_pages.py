"""At city scale the approver queue page and the analytics page render <= 500 ms server time
(AppTest script run). Baseline: an empty-database render of the same page, same run.
Usage: travel_permit_pages.py [DATA_DIR with a city demo]; builds one if not given."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest
from travel_permit_common import fresh_store

from core.auth import Principal

LIMIT = 0.5
WHO = Principal("approver", frozenset({"approver"}), "approver")


def _script(key: str) -> None:
    from core.ui.shell import run_single_page

    run_single_page(key)


def render(key: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        at = AppTest.from_function(_script, args=(key,), default_timeout=60)
        at.session_state["principal"] = WHO
        t0 = time.perf_counter()
        at.run()
        best = min(best, time.perf_counter() - t0)
        assert not at.exception, at.exception
    return best


def main() -> None:
    from core.store import set_store

    fresh_store()
    base = {k: render(k) for k in ("travel_permit.queue", "travel_permit.analytics")}
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    store = fresh_store(folder) if folder else fresh_store()
    if not store.scalar("SELECT count(*) FROM tp_requests"):
        from apps.travel_permit.demo import seed_city

        seed_city(store)
    set_store(store)
    n = store.scalar("SELECT count(*) FROM tp_requests")
    for key, b in base.items():
        ours = render(key)
        print(f"{key} at {n:,} requests  ours {ours * 1000:.0f} ms  (limit {LIMIT * 1000:.0f} ms)")
        print(f"baseline: same page on an empty database  {b * 1000:.0f} ms")
        print(f"ratio ours/baseline {ours / b:.2f}  {'PASS' if ours <= LIMIT else 'FAIL'}")


if __name__ == "__main__":
    main()
