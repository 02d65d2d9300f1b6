"""Shared setup for the travel permit benchmarks: a fresh store with keys in a temp folder."""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config import Settings, set_settings  # noqa: E402
from core.registry import get_registry  # noqa: E402
from core.store import Store, set_store  # noqa: E402


def fresh_store(folder: Path | None = None) -> Store:
    """A migrated store in ``folder``; a temporary folder (removed at exit) when none given."""
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="tp_bench_"))
        atexit.register(shutil.rmtree, folder, True)
    set_settings(Settings(data_dir=folder))
    store = Store(folder / "rapid.duckdb")
    store.migrate(get_registry().all_migrations())
    set_store(store)
    return store
