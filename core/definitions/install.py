"""Installed definitions: every version kept in ``definition_apps``, one active per app, each
app's own table, and the registry of every server process kept in step.

- ``check(data)``: the definition read and checked against this installation (prefixes,
  roles, app ids) and, with a store, against its table (a field may not change type);
- ``install(...)``: check, store the workbook as a new version, create or widen the table and
  activate, in one transaction (a workbook with any problem changes nothing); audited;
- ``deactivate`` / ``activate_version``: audited, rows and versions kept;
- ``import_folder``: workbooks found in ``RAPID_APPS_DIR`` (default ``data/apps``) at start,
  imported by checksum and activated;
- ``sync(store)``: this process's registry follows the database. Every change bumps a counter
  in ``app_state`` (``definitions.generation``); each process compares it with the one it
  loaded (one primary-key read per page run) and reloads the active definitions when it
  moved, so several server processes each pick a change up without a restart.

The table of an app is ``app_<id>``: system columns (``_id``, ``_ref``, ``_status``...; a
leading ``_`` no field name can have) and one column per stored field
(``core.forms.storage.columns``). DDL is built only from identifiers checked against
``[a-z_][a-z0-9_]*`` and types from a fixed list; a new version adds its new columns, a
dropped field's column stays (its data is kept and still exported, marked retired).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.definitions.workbook import MODULE, Definition
from core.forms.model import DefinitionError, Problem

if TYPE_CHECKING:
    from core.auth import Principal
    from core.registry import Registry
    from core.store import Store

log = logging.getLogger(__name__)

GENERATION_KEY = "definitions.generation"
SYSTEM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_ref", "VARCHAR NOT NULL UNIQUE"),
    ("_version", "VARCHAR NOT NULL"),
    ("_submitted_at", "TIMESTAMP NOT NULL"),
    ("_submitted_by", "VARCHAR NOT NULL"),
    ("_status", "VARCHAR NOT NULL"),
    ("_attempt", "INTEGER NOT NULL DEFAULT 1"),
    ("_decided_at", "TIMESTAMP"),
    ("_decided_by", "VARCHAR"),
    ("_reason_code", "VARCHAR"),
    ("_reason_text", "VARCHAR"),
    ("_token_id", "VARCHAR"),
    ("_valid_from", "TIMESTAMP"),
    ("_valid_until", "TIMESTAMP"),
    ("_ward", "INTEGER"),
    ("_province", "INTEGER"),
)
"""Columns every definition app's table has besides ``_id`` (the generated key)."""
SQL_TYPES = frozenset({"VARCHAR", "BIGINT", "DOUBLE", "DATE", "TIMESTAMP", "BOOLEAN", "BLOB"})
SOURCES = ("upload", "cli", "folder", "demo")

_lock = threading.RLock()
_active: dict[str, Definition] = {}
_loaded: dict[int, str] = {}
"""id(store) -> the generation this process loaded from that store."""


class NotActive(LookupError):
    """No active definition app has this id."""


@dataclass(frozen=True)
class Installed:
    app_id: str
    version: int
    lines: int
    checksum: str
    new: bool
    """False when this very workbook was installed before (it is only activated)."""
    active: bool


# -- this process's view ----------------------------------------------------------------------


def definition(app_id: str) -> Definition:
    """The active definition of ``app_id`` in this process (NotActive otherwise)."""
    found = _active.get(app_id)
    if found is None:
        raise NotActive(app_id)
    return found


def active_definitions() -> dict[str, Definition]:
    return dict(_active)


def is_definition_app(app_id: str) -> bool:
    return app_id in _active


def _attach(d: Definition, registry: Registry | None = None) -> list[str]:
    from core.definitions.manifest import build
    from core.registry import get_registry

    reg = registry or get_registry()
    problems = reg.add_app(build(d), MODULE)
    if problems:
        log.error("definition app %s not served: %s", d.app_id, "; ".join(problems))
        return problems
    with _lock:
        _active[d.app_id] = d
    return []


def _detach(app_id: str, registry: Registry | None = None) -> None:
    from core.registry import get_registry

    (registry or get_registry()).remove_app(app_id, MODULE)
    with _lock:
        _active.pop(app_id, None)


def forget() -> None:
    """Drop this process's view (tests; a new registry is built from entry points)."""
    with _lock:
        _active.clear()
        _loaded.clear()


def generation(store: Store) -> str:
    return store.get_state(GENERATION_KEY) or "0"


def _bump(store: Store) -> str:
    """A new generation (inside the caller's transaction)."""
    import secrets

    value = f"{int(generation(store).split('-')[0]) + 1}-{secrets.token_hex(4)}"
    store.set_state(GENERATION_KEY, value)
    return value


def sync(store: Store, registry: Registry | None = None) -> bool:
    """Bring this process's registry in line with the active definitions in ``store`` when the
    generation moved (one primary-key read otherwise). True when something was reloaded."""
    try:
        now = generation(store)
    except Exception:  # noqa: BLE001 - a database without the table yet: nothing to serve
        log.debug("definitions: no generation to read", exc_info=True)
        return False
    key = id(store) if registry is None else id(store) ^ id(registry)
    if _loaded.get(key) == now:
        return False
    with _lock:
        if _loaded.get(key) == now:
            return False
        _reload(store, registry)
        _loaded[key] = now
    return True


def _reload(store: Store, registry: Registry | None) -> None:
    from core.definitions import workbook
    from core.registry import get_registry

    reg = registry or get_registry()
    rows = store.fetchall(
        "SELECT app_id, workbook FROM definition_apps WHERE active ORDER BY app_id"
    )
    wanted: dict[str, Definition] = {}
    for app_id, data in rows:
        try:
            wanted[app_id] = workbook.read(bytes(data), registry=reg)
        except DefinitionError as exc:
            log.error("stored definition %s no longer loads: %s", app_id, exc)
    for app_id in [a for a in list(_active) if a not in wanted]:
        _detach(app_id, reg)
    for app_id in [a.id for a in reg.apps if reg.modules.get(a.id) == MODULE]:
        if app_id not in wanted:
            reg.remove_app(app_id, MODULE)
    for d in wanted.values():
        current = _active.get(d.app_id)
        if current is None or current.checksum != d.checksum or reg.get(d.app_id) is None:
            _attach(d, reg)


# -- checking ---------------------------------------------------------------------------------


def check(
    data: bytes, *, registry: Registry | None = None, store: Store | None = None
) -> Definition:
    """The definition, checked on its own, against the installed apps (``registry``, default
    the process's) and, with ``store``, against its existing table. DefinitionError lists
    every problem with its sheet, row and column."""
    from core.definitions import workbook
    from core.definitions.manifest import build
    from core.registry import _order_and_check, get_registry, validate_manifest

    reg = registry or get_registry()
    d = workbook.read(data, registry=reg)
    problems: list[Problem] = []
    app = build(d)
    messages = validate_manifest(app)
    if not messages:
        others = [a for a in reg.apps if a.id != d.app_id]
        accepted, errors = _order_and_check([*others, app])
        if app not in accepted:
            messages = [e.message for e in errors if e.name == d.app_id] or ["refused"]
    problems += [Problem("workbook", None, None, m) for m in messages]
    if store is not None:
        problems += table_problems(store, d)
    if problems:
        raise DefinitionError(problems)
    return d


def form_columns(d: Definition) -> list[tuple[str, str, str]]:
    """(column, SQL type, field) of every stored field, in form order."""
    from core.forms.storage import columns

    return [(c.name, c.sql_type, c.field) for c in columns(d.form)]


def table_problems(store: Store, d: Definition) -> list[Problem]:
    """A field whose column exists with another type (a field may not change type)."""
    from core.forms.storage import _family

    have = store.table_columns(d.table)
    problems = []
    for name, sql_type, field_name in form_columns(d):
        old = have.get(name)
        if old is not None and _family(old) != sql_type:
            f = d.form.by_name[field_name]
            problems.append(
                Problem(
                    f.origin.sheet if f.origin else "survey",
                    f.origin.row if f.origin else None,
                    "type",
                    f"'{field_name}' was stored as {old} by an earlier version; a field cannot "
                    "change its type: give the question a new name",
                )
            )
    return problems


# -- the table --------------------------------------------------------------------------------


def _ident(name: str) -> str:
    from core.forms.storage import IDENT

    if not IDENT.fullmatch(name):
        raise ValueError(f"not an identifier: {name!r}")
    return f'"{name}"'


def ensure_table(store: Store, d: Definition) -> list[str]:
    """Create the app's table, or add the columns a new version brings. Returns the columns
    added. Identifiers are checked, types come from ``SQL_TYPES``: no text of the workbook
    reaches the SQL otherwise."""
    table = _ident(d.table)
    seq = _ident(f"{d.table}_seq")
    have = store.table_columns(d.table)
    wanted = form_columns(d)
    for _, sql_type, _ in wanted:
        if sql_type not in SQL_TYPES:
            raise ValueError(f"unexpected column type {sql_type}")
    if not have:
        cols = [f"_id BIGINT PRIMARY KEY DEFAULT nextval('{d.table}_seq')"]
        cols += [f"{_ident(n)} {kind}" for n, kind in SYSTEM_COLUMNS]
        cols += [f"{_ident(n)} {kind}" for n, kind, _ in wanted]
        store.execute(f"CREATE SEQUENCE IF NOT EXISTS {seq} START 1")
        store.execute(f"CREATE TABLE {table} ({', '.join(cols)})")
        return [n for n, _, _ in wanted]
    added = []
    for name, kind, _ in wanted:
        if name not in have:
            store.execute(f"ALTER TABLE {table} ADD COLUMN {_ident(name)} {kind}")
            added.append(name)
    return added


def retired_columns(store: Store, d: Definition) -> list[str]:
    """Columns of fields an earlier version had and this one dropped (kept, data and all)."""
    current = {n for n, _, _ in form_columns(d)} | {n for n, _ in SYSTEM_COLUMNS} | {"_id"}
    return [c for c in store.table_columns(d.table) if c not in current]


# -- installing -------------------------------------------------------------------------------


def install(
    principal: Principal,
    data: bytes,
    *,
    filename: str = "definition.xlsx",
    source: str = "upload",
    activate: bool = True,
    store: Store | None = None,
) -> Installed:
    """Check and install a definition workbook, as a new version (or the version already
    holding these very bytes), and activate it: all in one transaction, audited. Admins only.
    DefinitionError (nothing written) when the workbook has any problem."""
    from core import audit, clock
    from core.auth import require
    from core.store import get_store

    require(principal, "admin")
    store = store or get_store()
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    d = check(data, store=store)
    name = Path(filename or "definition.xlsx").name[:200]
    with store.transaction():
        rows = store.records(
            "SELECT version, checksum, active FROM definition_apps WHERE app_id = ?"
            " ORDER BY version",
            [d.app_id],
        )
        same = next((r for r in rows if r["checksum"] == d.checksum), None)
        if same is not None and same["active"] and activate:
            installed = Installed(d.app_id, same["version"], d.lines, d.checksum, False, True)
            new = False
        else:
            new = same is None
            version = same["version"] if same else max((r["version"] for r in rows), default=0) + 1
            if new:
                store.execute(
                    "INSERT INTO definition_apps (app_id, version, form_version, checksum,"
                    " workbook, filename, title, lines, active, installed_at, installed_by,"
                    " source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, FALSE, ?, ?, ?)",
                    [
                        d.app_id,
                        version,
                        d.version[:100],
                        d.checksum,
                        data,
                        name,
                        (d.title.vi or d.title.en)[:200],
                        d.lines,
                        clock.utcnow_naive(),
                        principal.actor,
                        source,
                    ],
                )
            added = ensure_table(store, d)
            if activate:
                store.execute(
                    "UPDATE definition_apps SET active = (version = ?) WHERE app_id = ?",
                    [version, d.app_id],
                )
                _bump(store)
            audit.record(
                principal,
                "definition.install" if new else "definition.activate",
                "definition_app",
                d.app_id,
                {
                    "version": version,
                    "form_version": d.version,
                    "checksum": d.checksum,
                    "file": name,
                    "source": source,
                    "lines": d.lines,
                    "columns_added": added,
                    "active": activate,
                },
                store=store,
            )
            installed = Installed(d.app_id, version, d.lines, d.checksum, new, activate)
    if activate:
        sync(store)
    log.info("definition %s v%s installed (new=%s)", d.app_id, installed.version, new)
    return installed


def deactivate(principal: Principal, app_id: str, *, store: Store | None = None) -> bool:
    """Stop serving a definition app (its versions and rows are kept). False when it was not
    active. Admins only; audited."""
    from core import audit
    from core.auth import require
    from core.store import get_store

    require(principal, "admin")
    store = store or get_store()
    with store.transaction():
        version = store.scalar(
            "SELECT version FROM definition_apps WHERE app_id = ? AND active", [app_id]
        )
        if version is None:
            return False
        store.execute("UPDATE definition_apps SET active = FALSE WHERE app_id = ?", [app_id])
        _bump(store)
        audit.record(
            principal,
            "definition.deactivate",
            "definition_app",
            app_id,
            {"version": version},
            store=store,
        )
    sync(store)
    return True


def activate_version(
    principal: Principal, app_id: str, version: int, *, store: Store | None = None
) -> Installed:
    """Serve an earlier (or later) stored version again; checked as an install is."""
    from core.store import get_store

    store = store or get_store()
    row = store.fetchone(
        "SELECT workbook, filename FROM definition_apps WHERE app_id = ? AND version = ?",
        [app_id, int(version)],
    )
    if row is None:
        raise NotActive(f"{app_id} v{version}")
    return install(principal, bytes(row[0]), filename=row[1], source="upload", store=store)


def versions(
    principal: Principal, app_id: str | None = None, *, store: Store | None = None
) -> list[dict[str, Any]]:
    """Every stored version (newest first), without the workbook bytes. Admins only."""
    from core.auth import require
    from core.store import get_store

    require(principal, "admin")
    return (store or get_store()).records(
        "SELECT app_id, version, form_version, title, filename, lines, active, installed_at,"
        " installed_by, source, checksum FROM definition_apps"
        " WHERE (? IS NULL OR app_id = ?) ORDER BY app_id, version DESC",
        [app_id, app_id],
    )


def workbook_bytes(
    principal: Principal, app_id: str, version: int, *, store: Store | None = None
) -> bytes:
    """A stored version's workbook (to download, fix and upload again). Admins only."""
    from core.auth import require
    from core.store import get_store

    require(principal, "admin")
    data = (store or get_store()).scalar(
        "SELECT workbook FROM definition_apps WHERE app_id = ? AND version = ?", [app_id, version]
    )
    if data is None:
        raise NotActive(f"{app_id} v{version}")
    return bytes(data)


# -- the folder -------------------------------------------------------------------------------


def apps_dir() -> Path:
    """``RAPID_APPS_DIR``, else ``<data_dir>/apps``."""
    import os

    from core.config import get_settings

    env = os.environ.get("RAPID_APPS_DIR")
    return Path(env) if env else Path(get_settings().data_dir) / "apps"


def import_folder(
    store: Store, folder: Path | None = None, *, principal: Principal | None = None
) -> list[tuple[str, str]]:
    """Install and activate every ``*.xlsx`` of ``folder`` not installed yet (by checksum).
    Returns ``(file, outcome)`` per workbook: ``installed``, ``already installed`` or the
    problems (the file is skipped; the others still load)."""
    from core.auth import Principal

    folder = folder or apps_dir()
    if not folder.is_dir():
        return []
    actor = principal or Principal(username="system:apps-dir", roles=frozenset({"admin"}))
    known = {r[0] for r in store.fetchall("SELECT checksum FROM definition_apps")}
    out: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.xlsx")):
        if path.name.startswith(("~$", ".")):
            continue  # Excel's lock files
        try:
            data = path.read_bytes()
        except OSError as exc:
            out.append((path.name, f"cannot read: {exc.strerror}"))
            continue
        from core.definitions.workbook import checksum

        if checksum(data) in known:
            out.append((path.name, "already installed"))
            continue
        try:
            done = install(actor, data, filename=path.name, source="folder", store=store)
        except DefinitionError as exc:
            out.append((path.name, "; ".join(str(p) for p in exc.problems)))
            log.warning("definition %s not installed: %s", path.name, exc)
            continue
        out.append((path.name, f"installed {done.app_id} v{done.version}"))
    return out


def attach_readonly(database: Path | str, registry: Registry | None = None) -> bool:
    """Serve the active definitions of a database without holding it (CLI commands that name
    a definition app's roles before they open the store). ``database`` is what
    ``store_target`` gives: a DuckDB file or a PostgreSQL URL. False when the file does not
    exist, another process holds it, or the server cannot be reached."""
    from core.store import StoreError, is_postgres_url, open_store

    if not is_postgres_url(database) and not Path(database).is_file():
        return False
    try:
        store = open_store(database, read_only=True)
    except StoreError:
        return False
    try:
        _reload_quiet(store, registry)
    finally:
        store.close()
    return True


def _reload_quiet(store: Store, registry: Registry | None) -> None:
    try:
        with _lock:
            _reload(store, registry)
    except Exception:  # noqa: BLE001 - an old database without the table: nothing to serve
        log.debug("definitions: nothing to attach", exc_info=True)


def stored_apps(store: Store) -> Iterable[str]:
    return [r[0] for r in store.fetchall("SELECT DISTINCT app_id FROM definition_apps")]
