"""First-start preparation and demo data: core's demo accounts, then each app's seeder.

Whether an installation is a demo is recorded, not guessed: ``app_state['installation.kind']``
is ``demo`` once the demo (with its published password) is seeded, ``production`` once
``rapid init`` (or a first start with ``demo_on_first_start = false``) created the one admin
with a random password. A demo installation says so on every page (``demo_banner``)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Literal

from core import accounts
from core.registry import DemoContext, get_registry
from core.store import Store

log = logging.getLogger(__name__)

DEMO_PASSWORD = "DaNang@2021"
DEMO_USERS: list[tuple[str, str, str]] = [
    ("admin", "Quản Trị Viên", "admin"),
    ("approver", "Trần Thị Duyệt", "approver"),
    ("checkpoint", "Lê Văn Chốt", "checkpoint"),
    ("officer", "Phạm Thị Y Tế", "health_officer"),
]
SEEDED_KEY = "demo.seeded"
KIND_KEY = "installation.kind"
DEMO, PRODUCTION = "demo", "production"

Progress = Callable[[float, str], None]


def _noop(fraction: float, label: str) -> None:
    del fraction, label


def ensure_demo_users(store: Store) -> None:
    for username, full_name, role in DEMO_USERS:
        if not accounts.user_exists(username, store=store):
            accounts.insert_user("system", username, full_name, role, DEMO_PASSWORD, store=store)


def seed_demo(
    store: Store,
    scale: Literal["small", "city"],
    *,
    app_ids: Iterable[str] | None = None,
    progress: Progress = _noop,
) -> None:
    """Core demo accounts, then each selected app's seeder in dependency order."""
    ensure_demo_users(store)
    wanted = set(app_ids) if app_ids else None
    apps = [a for a in get_registry().apps if a.seed_demo and (wanted is None or a.id in wanted)]
    if wanted:
        unknown = wanted - {a.id for a in get_registry().apps}
        if unknown:
            from core.store import StoreError

            raise StoreError(f"unknown app(s): {', '.join(sorted(unknown))}")
    for i, app in enumerate(apps):

        def scoped(fraction: float, label: str, i: int = i, app_id: str = app.id) -> None:
            progress((i + max(0.0, min(1.0, fraction))) / len(apps), f"{app_id}: {label}")

        scoped(0.0, "start")
        app.seed_demo(DemoContext(store=store, scale=scale, progress=scoped))  # type: ignore[misc]
        scoped(1.0, "done")
    if wanted is None:  # the example definition apps (examples/), after the built-in apps
        from core.definitions import demo as definitions_demo

        definitions_demo.seed(store, lambda f, label: progress(f, f"examples: {label}"))
    store.set_state(SEEDED_KEY, scale)
    mark_kind(store, DEMO)


def mark_kind(store: Store, kind: str) -> None:
    """Record what this installation is (``demo`` or ``production``)."""
    if kind not in (DEMO, PRODUCTION):
        raise ValueError(f"unknown installation kind {kind!r}")
    store.set_state(KIND_KEY, kind)
    _kind_cache.clear()


def installation_kind(store: Store) -> str | None:
    """``demo``, ``production``, or None before the first start. An installation seeded before
    the kind was recorded (``demo.seeded`` only) is a demo."""
    kind = store.get_state(KIND_KEY)
    if kind is None and store.get_state(SEEDED_KEY) is not None:
        return DEMO
    return kind


_kind_cache: dict[str, tuple[float, bool]] = {}
_kind_lock = threading.Lock()
KIND_TTL_S = 30.0


def is_demo(store: Store | None = None) -> bool:
    """Whether the process store's installation is a demo; read at most every 30 s (every
    page asks). False when no store is open."""
    from core.store import current_store

    store = store or current_store()
    if store is None:
        return False
    now = time.monotonic()
    with _kind_lock:
        hit = _kind_cache.get(store.path)
        if hit is not None and now - hit[0] < KIND_TTL_S:
            return hit[1]
    try:
        value = installation_kind(store) == DEMO
    except Exception:  # noqa: BLE001 - a page must render even if the state cannot be read
        log.debug("installation kind not read", exc_info=True)
        value = False
    with _kind_lock:
        _kind_cache[store.path] = (now, value)
    return value


INIT_ADMIN = ("admin", "Quản Trị Viên")


def create_first_admin(store: Store) -> tuple[str, str]:
    """A production installation's one account: ``admin`` with a random password that must be
    changed at the first login. Returns (username, password) for the terminal, shown once; the
    password is not stored anywhere else. Only on an installation without accounts."""
    from core.store import StoreError

    if accounts.count_users(store) > 0:
        raise StoreError(
            "this installation already has accounts; use `rapid users reset-password admin`"
        )
    if installation_kind(store) == DEMO:
        raise StoreError("this installation holds the public demo; start from an empty data folder")
    password = accounts.random_password()
    username, full_name = INIT_ADMIN
    accounts.insert_user(
        "system", username, full_name, "admin", password, must_change=True, store=store
    )
    mark_kind(store, PRODUCTION)
    return username, password


def prepare(
    store: Store, *, seed: bool, progress: Progress = _noop
) -> tuple[bool, tuple[str, str] | None]:
    """Everything ``rapid serve`` needs before the server starts. Returns (demo seeded now,
    (username, password) of an admin created now for a non-demo first start, else None)."""
    from core import audit
    from core.cli import extensions

    new_kid = extensions.prepare_keys()
    if new_kid is not None:
        audit.record("system", "key.create", "key", new_kid, store=store)
    from core.definitions import install

    for name, outcome in install.import_folder(store):  # RAPID_APPS_DIR, default data/apps
        if "installed" not in outcome:
            log.warning("definition %s not installed: %s", name, outcome)
    install.sync(store)
    if store.get_state(KIND_KEY) is None and store.get_state(SEEDED_KEY) is not None:
        mark_kind(store, DEMO)  # seeded before the kind was recorded
    if installation_kind(store) is None and accounts.count_users(store) == 0:
        if seed:
            seed_demo(store, "small", progress=progress)
            return True, None
        return False, create_first_admin(store)
    return False, None


def demo_logins(store: Store) -> list[tuple[str, str]]:
    """The demo accounts that still exist (for the banner of ``rapid serve``)."""
    if store.get_state(SEEDED_KEY) is None:
        return []
    from core.definitions.demo import logins

    return accounts.active_logins(
        [u for u, _, _ in DEMO_USERS] + logins(), extra_role="business", extra=3, store=store
    )


def collect_stats(store: Store) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for app in get_registry().apps:
        if app.stats is None:
            continue
        try:
            out[app.id] = app.stats(store)
        except Exception as exc:  # noqa: BLE001 - one app's failure must not hide the others
            log.warning("stats of %s failed: %s", app.id, exc)
            out[app.id] = {"error": str(exc)}
    return out
