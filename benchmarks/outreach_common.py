"""Shared set-up of the outreach and risk benchmarks: the outreach app in the registry (until
pyproject.toml publishes its entry point), and a city-scale database: a migrated copy of the
home isolation benchmark's city database (the health declaration city demo: 6,131,000
declarations and 20,000,000 check-ins; built first when missing), cached under
data/bench/outreach_city.duckdb (delete it to rebuild)."""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from core.config import Settings, set_settings  # noqa: E402
from core.registry import ENTRY_POINT_GROUP, Registry, get_registry, set_registry  # noqa: E402
from core.store import Store, set_store  # noqa: E402

BENCH = ROOT / "data" / "bench"
CITY_DB = BENCH / "outreach_city.duckdb"


def with_outreach() -> None:
    """Install the outreach app in this process's registry if the entry point is missing."""
    if get_registry().get("outreach") is None:
        eps = [*entry_points(group=ENTRY_POINT_GROUP)]
        eps.append(EntryPoint("outreach", "apps.outreach:app", ENTRY_POINT_GROUP))
        set_registry(Registry.from_entry_points(eps))


def fresh_store() -> Store:
    """An empty, migrated database in a temporary folder (removed at exit)."""
    with_outreach()
    tmp = Path(tempfile.mkdtemp(prefix="or-bench-"))
    set_settings(Settings(data_dir=tmp, base_url="http://localhost:8501"))
    store = Store(tmp / "rapid.duckdb")
    store.migrate(get_registry().all_migrations())
    set_store(store)
    atexit.register(_remove, store, tmp)
    return store


def city_store() -> Store:
    """The cached city database with every migration of this checkout applied."""
    with_outreach()
    if not CITY_DB.exists():
        import isolation_common

        if not isolation_common.CITY_DB.exists():
            print("building the city database once:", isolation_common.CITY_DB, flush=True)
            isolation_common.build_city()
        print("copying the city database once:", CITY_DB, flush=True)
        shutil.copyfile(isolation_common.CITY_DB, CITY_DB)
        if isolation_common.KEYS.exists():
            shutil.copytree(isolation_common.KEYS, BENCH / "outreach_city_keys", dirs_exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="or-city-"))
    if (BENCH / "outreach_city_keys").exists():
        shutil.copytree(BENCH / "outreach_city_keys", tmp / "keys")
    set_settings(Settings(data_dir=tmp, db_path=CITY_DB, base_url="http://localhost:8501"))
    store = Store(CITY_DB)
    store.migrate(get_registry().all_migrations())
    set_store(store)
    atexit.register(_remove, store, tmp)
    return store


def _remove(store: Store, folder: Path) -> None:
    store.close()
    shutil.rmtree(folder, ignore_errors=True)
