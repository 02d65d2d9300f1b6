"""First-start preparation and demo data: core's demo accounts, then each app's seeder."""

from __future__ import annotations

import logging
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


def prepare(store: Store, *, seed: bool, progress: Progress = _noop) -> bool:
    """Everything ``rapid serve`` needs before the server starts. True if demo data was seeded."""
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
    if seed and store.get_state(SEEDED_KEY) is None and accounts.count_users(store) == 0:
        seed_demo(store, "small", progress=progress)
        return True
    return False


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
