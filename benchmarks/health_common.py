"""Shared set-up of the health declaration benchmarks: an isolated settings/store, and the city
database built once and cached under data/bench/health_city.duckdb (delete it to rebuild)."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.config import Settings, set_settings  # noqa: E402
from core.registry import DemoContext, get_registry  # noqa: E402
from core.store import Store, set_store  # noqa: E402

BENCH = ROOT / "data" / "bench"
CITY_DB = BENCH / "health_city.duckdb"


def fresh_store(data_dir: Path | None = None) -> Store:
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="hd-bench-"))
    set_settings(Settings(data_dir=data_dir, base_url="http://localhost:8501"))
    store = Store(data_dir / "rapid.duckdb")
    store.migrate(get_registry().all_migrations())
    set_store(store)
    return store


def build_city(path: Path = CITY_DB) -> float:
    """Seed the city demo of this app into ``path``; returns the seconds it took."""
    from apps.health_declaration import demo

    BENCH.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="hd-city-"))
    store = fresh_store(tmp)
    t0 = time.perf_counter()
    last = [0.0]

    def progress(frac: float, label: str) -> None:
        if frac - last[0] >= 0.1:
            last[0] = frac
            print(f"  {frac:4.0%} {label} ({time.perf_counter() - t0:.0f} s)", flush=True)

    demo.seed(DemoContext(store=store, scale="city", progress=progress))
    store.execute("CHECKPOINT")
    took = time.perf_counter() - t0
    store.close()
    set_store(None)
    path.unlink(missing_ok=True)
    shutil.move(tmp / "rapid.duckdb", path)
    keys = BENCH / "health_city_keys"
    shutil.rmtree(keys, ignore_errors=True)
    shutil.copytree(tmp / "keys", keys)
    return took


def city_store(*, copy: bool = False) -> Store:
    """The cached city database (built first if missing), opened with its keys.

    ``copy``: open a private copy instead, for benchmarks that write (declarations), so every
    run starts from the same database and the cache is not changed (nor rate limits reached
    after a few runs). Temporary files are removed at exit.
    """
    if not CITY_DB.exists():
        print("building the city database once:", CITY_DB, flush=True)
        build_city()
    tmp = Path(tempfile.mkdtemp(prefix="hd-citycopy-"))
    shutil.copytree(BENCH / "health_city_keys", tmp / "keys")
    db = CITY_DB
    if copy:
        db = tmp / CITY_DB.name
        shutil.copyfile(CITY_DB, db)
        wal = CITY_DB.with_name(CITY_DB.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, db.with_name(db.name + ".wal"))
    set_settings(Settings(data_dir=tmp, db_path=db, base_url="http://localhost:8501"))
    store = Store(db)
    store.migrate(get_registry().all_migrations())
    set_store(store)
    atexit.register(_remove, store, tmp)
    return store


def _remove(store: Store, folder: Path) -> None:
    store.close()
    shutil.rmtree(folder, ignore_errors=True)


def load() -> str:
    """The machine's load average (1, 5, 15 minutes), to print next to every figure."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"
