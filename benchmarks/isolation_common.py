"""Shared set-up of the home isolation benchmarks: the city database (health declaration city
demo: 20,000,000 check-ins; then this app's city demo: 3,000 F0, 30,000 F1, 10 days of
reports), built once and cached under data/bench/isolation_city.duckdb (delete to rebuild)."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from health_common import fresh_store  # noqa: E402

from core.config import Settings, set_settings  # noqa: E402
from core.registry import DemoContext, get_registry  # noqa: E402
from core.store import Store, set_store  # noqa: E402

BENCH = ROOT / "data" / "bench"
CITY_DB = BENCH / "isolation_city.duckdb"
KEYS = BENCH / "isolation_city_keys"


def _progress(t0: float):
    last = [-1.0]

    def progress(frac: float, label: str) -> None:
        if frac - last[0] >= 0.1 or frac >= 1.0:
            last[0] = frac
            print(f"  {frac:4.0%} {label} ({time.perf_counter() - t0:.0f} s)", flush=True)

    return progress


def build_city() -> float:
    from apps.health_declaration import demo as hd_demo
    from apps.home_isolation import demo

    BENCH.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="hi-city-"))
    store = fresh_store(tmp)
    t0 = time.perf_counter()
    print("health declaration city demo (20,000,000 check-ins)", flush=True)
    hd_demo.generate(store, hd_demo.CITY, _progress(t0))
    t1 = time.perf_counter()
    print("home isolation city demo", flush=True)
    demo.seed(DemoContext(store=store, scale="city", progress=_progress(t1)))
    took = time.perf_counter() - t1
    print(f"home isolation city demo: {took:.1f} s", flush=True)
    store.execute("CHECKPOINT")
    store.close()
    set_store(None)
    CITY_DB.unlink(missing_ok=True)
    shutil.move(tmp / "rapid.duckdb", CITY_DB)
    shutil.rmtree(KEYS, ignore_errors=True)
    if (tmp / "keys").exists():
        shutil.copytree(tmp / "keys", KEYS)
    return took


def city_store() -> Store:
    """The cached city database (built first if missing), opened with its keys."""
    if not CITY_DB.exists():
        print("building the city database once:", CITY_DB, flush=True)
        build_city()
    tmp = Path(tempfile.mkdtemp(prefix="hi-citycopy-"))
    if KEYS.exists():
        shutil.copytree(KEYS, tmp / "keys")
    set_settings(Settings(data_dir=tmp, db_path=CITY_DB, base_url="http://localhost:8501"))
    store = Store(CITY_DB)
    store.migrate(get_registry().all_migrations())
    set_store(store)
    return store


if __name__ == "__main__":
    build_city()
