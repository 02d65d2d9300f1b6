"""Shared fixtures: an isolated data folder, store, keys and clock for every test that asks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from core import accounts, clock, i18n
from core.auth import Principal
from core.config import Settings, set_settings
from core.registry import get_registry
from core.store import Store, set_store

# Tests create many accounts: a cheaper argon2id cost keeps them fast (still argon2id).
accounts.HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


@pytest.fixture()
def settings(tmp_path: Path) -> Iterator[Settings]:
    s = Settings(data_dir=tmp_path / "data", base_url="http://testserver")
    set_settings(s)
    i18n.set_locale("vi")
    yield s
    set_settings(None)


@pytest.fixture()
def store(settings: Settings) -> Iterator[Store]:
    """A fresh database with every installed app's migrations, set as the process store."""
    st = Store(settings.database)
    st.migrate(get_registry().all_migrations())
    set_store(st)
    yield st
    set_store(None)
    st.close()


@pytest.fixture()
def frozen_clock() -> Iterator[list[datetime]]:
    """A clock the test moves: ``frozen_clock[0] = new_time``."""
    box = [datetime(2021, 9, 10, 8, 0, tzinfo=UTC)]
    clock.set_clock(lambda: box[0])
    yield box
    clock.set_clock(None)


def make_principal(username: str, role: str, user_id: str | None = None) -> Principal:
    return Principal(username=username, roles=frozenset({role}), user_id=user_id or username)


@pytest.fixture()
def admin() -> Principal:
    return make_principal("admin", "admin")
