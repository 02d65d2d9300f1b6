"""Shared set-up of the definition-app benchmarks: a fresh data folder with its own keys and
database, the example workbooks, the process registry rebuilt from the entry points."""

from __future__ import annotations

import tempfile
from pathlib import Path

import _util  # noqa: F401  (puts the project on sys.path)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def fresh_store():
    """A new store in a temporary folder, set as the process store, migrated."""
    from core.config import Settings, set_settings
    from core.registry import get_registry, set_registry
    from core.store import Store, set_store

    folder = Path(tempfile.mkdtemp(prefix="rapid-bench-definitions-"))
    settings = Settings(data_dir=folder / "data")
    set_settings(settings)
    set_registry(None)
    store = Store(settings.database)
    store.migrate(get_registry().all_migrations())
    set_store(store)
    return store


def admin():
    from core.auth import Principal

    return Principal(username="bench", roles=frozenset({"admin"}))


def install(store, name: str):
    from core.definitions import install as inst

    return inst.install(admin(), (EXAMPLES / name).read_bytes(), filename=name, store=store)
