"""The DuckDB store: one read-write connection per process, one cursor per thread.

Streamlit runs each session's script in its own thread; every thread gets its own cursor from
the process connection, so writes from many threads never share a cursor. ``transaction()`` is
all-or-nothing and may be nested (inner blocks join the outer one). Migrations are numbered SQL
files per app, applied in order and recorded in ``schema_migrations``.

``open_store(target)`` is the one factory: a ``postgresql://`` URL (setting ``database_url``)
opens ``core.store_postgres.PostgresStore``, with the same interface; anything else DuckDB.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

# Migration discovery lives in core.schema (no DuckDB, so the registry loads fast); these
# names were defined here and are re-exported.
from core.schema import CORE_MIGRATIONS as CORE_MIGRATIONS
from core.schema import MIGRATION_NAME as MIGRATION_NAME
from core.schema import Migration as Migration
from core.schema import StoreError as StoreError
from core.schema import discover_migrations as discover_migrations

log = logging.getLogger(__name__)


class StoreLockedError(StoreError):
    """Another process holds the database file."""


class ConflictError(StoreError):
    """A concurrent transaction changed the same rows first."""


class ConstraintError(StoreError):
    """A unique, primary key, foreign key, NOT NULL or CHECK constraint refused a write
    (raised by the PostgreSQL store; DuckDB raises its own ``duckdb.ConstraintException``)."""


CONFLICTS: tuple[type[Exception], ...] = (ConflictError, duckdb.TransactionException)
"""What a write that lost a race raises: ``except CONFLICTS`` around a transaction. The
PostgreSQL store raises ConflictError for serialization failures and deadlocks, so psycopg's
classes need not be here (nor psycopg imported with DuckDB)."""

CONSTRAINTS: tuple[type[Exception], ...] = (ConstraintError, duckdb.ConstraintException)
"""What a write refused by a constraint raises, on either backend: ``except CONSTRAINTS``."""


_IDENT = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _check_identifiers(table: str, row: dict[str, Any]) -> None:
    if not _IDENT.fullmatch(table) or not row or not all(_IDENT.fullmatch(c) for c in row):
        raise StoreError(f"bad table or column name in {table!r}: {sorted(row)}")


def settle(cur: duckdb.DuckDBPyConnection) -> None:
    """Finish a half-read result (``fetchone``) so the cursor accepts ``register`` again."""
    try:
        cur.complete()
    except duckdb.Error:
        log.debug("nothing to settle", exc_info=True)


def execute_rows(cur: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run ``sql`` once per row: one row through ``execute`` (DuckDB's ``executemany`` of a
    single row costs a third more: 1.49 vs 1.07 ms, measured), more through ``executemany``."""
    if len(rows) == 1:
        cur.execute(sql, list(rows[0]))
    elif rows:
        cur.executemany(sql, rows)


# -- file permissions: the data folder holds personal data and keys --------------------------

PRIVATE_UMASK = 0o077
"""New files 0600 and folders 0700: set by the CLI before anything is written."""


class PermissionProblem(StoreError):
    """A file or folder of the data folder is open to other local users and is not ours to fix."""


def secure_umask() -> int:
    """Make files this process creates readable by its user only; returns the previous mask."""
    return os.umask(PRIVATE_UMASK)


def _too_open(mode: int) -> bool:
    return bool(stat.S_IMODE(mode) & 0o077)


def check_private(paths: Sequence[Path | str], *, limit: int = 20_000) -> list[str]:
    """Every folder in ``paths`` (and below) 0700, every file 0600: what is too open and ours
    is fixed (each fix returned as text, also logged); what is too open and belongs to another
    user raises PermissionProblem naming it. Symbolic links are not followed."""
    me = os.geteuid()
    fixed: list[str] = []
    seen = 0
    stack = [Path(p) for p in paths]
    while stack:
        path = stack.pop()
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        seen += 1
        if seen > limit:
            break
        if stat.S_ISLNK(info.st_mode):
            continue
        is_dir = stat.S_ISDIR(info.st_mode)
        if _too_open(info.st_mode):
            want = 0o700 if is_dir else 0o600
            old = stat.S_IMODE(info.st_mode)
            if info.st_uid != me:
                raise PermissionProblem(
                    f"{path} is readable by other users (mode {old:o}) and belongs to another"
                    f" user (uid {info.st_uid}): as that user or root run"
                    f" `chmod {want:o} {path}`, or make this user its owner, then start again"
                )
            os.chmod(path, want)
            text = f"{path}: mode {old:o} -> {want:o}"
            log.warning("permissions fixed: %s", text)
            fixed.append(text)
        if is_dir:
            try:
                stack.extend(path.iterdir())
            except PermissionError as exc:
                raise PermissionProblem(f"cannot read the folder {path}: {exc.strerror}") from exc
    return fixed


def _private_file(path: Path) -> None:
    """Our database file 0600 even when this process's umask is open (tests, libraries)."""
    try:
        info = path.stat()
        if _too_open(info.st_mode) and info.st_uid == os.geteuid():
            os.chmod(path, 0o600)
    except OSError:
        log.debug("could not tighten %s", path, exc_info=True)


def check_data_permissions(settings: Any) -> list[str]:
    """``check_private`` over the data folder and the database with its WAL (which may lie
    elsewhere, ``db_path``). Run at start (``rapid serve``, ``rapid db migrate``)."""
    data_dir = Path(settings.data_dir)
    db = Path(settings.database)
    paths: list[Path] = [data_dir]
    if str(db) != ":memory:" and data_dir.resolve() not in db.resolve().parents:
        paths += [db, Path(f"{db}.wal")]
    return check_private(paths)


class StoreCommon:
    """What both backends do the same way, on top of their ``cursor()`` (the DuckDB cursor, or
    ``core.store_postgres.PgCursor`` with the same surface), ``execute()`` and
    ``transaction()``. Parameters are passed on as given (None: no parameters)."""

    backend: str
    """``duckdb`` or ``postgresql`` (``core.schema.BACKENDS``): which migration files apply."""

    # -- conveniences (parameters are always bound, never formatted into SQL) ------------------

    def fetchall(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> list[tuple]:
        return self.cursor().execute(sql, params).fetchall()

    def fetchone(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> tuple | None:
        return self.cursor().execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        row = self.fetchone(sql, params)
        return None if row is None else row[0]

    def records(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[dict]:
        cur = self.cursor().execute(sql, params)
        cols = [d[0] for d in cur.description or []]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def df(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        return self.cursor().execute(sql, params).df()

    def insert_row(self, table: str, row: dict[str, Any], *, returning: str | None = None) -> Any:
        """Insert one row given as ``{column: value}`` (a form submission, ``core.forms.row``);
        table and column names are checked identifiers, every value a bound parameter. Returns
        the ``returning`` column of the new row (e.g. a generated id), else None."""
        _check_identifiers(table, row if returning is None else {**row, returning: None})
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608
        if returning is None:
            self.execute(sql, list(row.values()))
            return None
        found = self.fetchone(f'{sql} RETURNING "{returning}"', list(row.values()))
        return None if found is None else found[0]

    # -- key/value state of the installation (e.g. "demo seeded") -------------------------------

    def get_state(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM app_state WHERE key = ?", [key])

    def set_state(self, key: str, value: str) -> None:
        from core import clock

        with self.transaction() as cur:
            cur.execute("DELETE FROM app_state WHERE key = ?", [key])
            cur.execute(
                "INSERT INTO app_state (key, value, updated_at) VALUES (?, ?, ?)",
                [key, value, clock.utcnow_naive()],
            )

    # -- migrations ---------------------------------------------------------------------------

    def _ensure_migrations_table(self) -> None:
        self.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " app_id VARCHAR NOT NULL, version INTEGER NOT NULL, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp,"
            " PRIMARY KEY (app_id, version))"
        )

    def applied_migrations(self) -> set[tuple[str, int]]:
        self._ensure_migrations_table()
        return {(a, v) for a, v in self.fetchall("SELECT app_id, version FROM schema_migrations")}


class Store(StoreCommon):
    """A DuckDB database file (or ``:memory:``) shared by every thread of this process."""

    backend = "duckdb"

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            folder = Path(self.path).parent
            try:
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create data folder {folder}: {exc.strerror}") from exc
        try:
            self._con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                pid = re.search(r"PID (\d+)", text)
                who = f" (process {pid.group(1)})" if pid else ""
                raise StoreLockedError(
                    f"the database {self.path} is in use by another process{who}; "
                    "stop the server (or that command) first, then try again"
                ) from exc
            raise StoreError(f"cannot open the database {self.path}: {text}") from exc
        if self.path != ":memory:" and not read_only:
            _private_file(Path(self.path))
        self._local = threading.local()
        self._lock = threading.Lock()
        self._closed = False

    # -- cursors and transactions ------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor (created on first use)."""
        if self._closed:
            raise StoreError("the store is closed")
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            with self._lock:
                cur = self._con.cursor()
            self._local.cursor = cur
            self._local.depth = 0
        return cur

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing. Nested blocks join the outer transaction."""
        cur = self.cursor()
        depth = self._local.depth
        if depth:
            self._local.depth = depth + 1
            try:
                yield cur
            finally:
                self._local.depth = depth
            return
        cur.begin()
        self._local.depth = 1
        try:
            yield cur
        except BaseException:
            self._local.depth = 0
            try:
                cur.rollback()
            except duckdb.Error:
                log.debug("rollback after failure also failed", exc_info=True)
            raise
        self._local.depth = 0
        try:
            cur.commit()
        except duckdb.TransactionException as exc:
            try:
                cur.rollback()
            except duckdb.Error:
                pass
            raise ConflictError(str(exc)) from exc

    @property
    def in_transaction(self) -> bool:
        return bool(getattr(self._local, "depth", 0))

    # -- conveniences (parameters are always bound, never formatted into SQL) ------------------

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> None:
        try:
            self.cursor().execute(sql, params or [])
        except duckdb.TransactionException as exc:
            raise ConflictError(str(exc)) from exc

    def table_columns(self, table: str) -> dict[str, str]:
        """``{column: data type}`` of a table (empty when it does not exist)."""
        rows = self.fetchall(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = ? ORDER BY ordinal_position",
            [table],
        )
        return {str(name): str(kind) for name, kind in rows}

    def insert_df(self, table: str, frame: pd.DataFrame) -> int:
        """Bulk insert a DataFrame whose columns name the table's columns (Arrow, no Python loop)."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
            raise StoreError(f"bad table name: {table!r}")
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        cur = self.cursor()
        settle(cur)
        cur.register("_rapid_bulk", frame)
        try:
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _rapid_bulk")  # noqa: S608
        finally:
            cur.unregister("_rapid_bulk")
        return len(frame)

    def migrate(self, migrations: Sequence[Migration]) -> list[Migration]:
        """Apply what is not yet applied, each file in its own transaction. Returns those applied."""
        done = self.applied_migrations()
        applied: list[Migration] = []
        for mig in migrations:
            if (mig.app_id, mig.version) in done or not mig.applies_to(self.backend):
                continue
            sql = mig.path.read_text(encoding="utf-8")
            try:
                with self.transaction() as cur:
                    cur.execute(sql)
                    cur.execute(
                        "INSERT INTO schema_migrations (app_id, version, name) VALUES (?, ?, ?)",
                        [mig.app_id, mig.version, mig.name],
                    )
            except duckdb.Error as exc:
                raise StoreError(f"migration {mig.app_id}/{mig.path.name} failed: {exc}") from exc
            log.info("applied migration %s/%s", mig.app_id, mig.path.name)
            applied.append(mig)
        return applied

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._con.close()


if TYPE_CHECKING:
    from core.store_postgres import PostgresStore

    AnyStore = Store | PostgresStore

_store: AnyStore | None = None
_store_lock = threading.Lock()

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(target: str | Path | None) -> bool:
    return isinstance(target, str) and target.strip().lower().startswith(POSTGRES_SCHEMES)


def open_store(target: str | Path, **options: Any) -> AnyStore:
    """The one factory of stores: a ``postgresql://`` URL opens the PostgreSQL store
    (``core.store_postgres``, psycopg imported only then); a file path or ``:memory:`` DuckDB."""
    if is_postgres_url(target):
        from core.store_postgres import PostgresStore

        return PostgresStore(str(target).strip(), **options)
    return Store(target, **options)


def store_target(settings: Any) -> str | Path:
    """What ``get_store`` opens for these settings: the PostgreSQL URL when ``database_url``
    names one, else the DuckDB file (``Settings.database``)."""
    return getattr(settings, "postgres_url", None) or settings.database


def get_store() -> AnyStore:
    """The process store for the configured database, opened and migrated on first use."""
    global _store
    with _store_lock:
        if _store is None:
            from core.config import get_settings
            from core.registry import get_registry

            store = open_store(store_target(get_settings()))
            store.migrate(get_registry().all_migrations())
            _store = store
        return _store


def current_store() -> AnyStore | None:
    """The process store if one is open, without opening one (an offline checkpoint station
    has none)."""
    return _store


def set_store(store: AnyStore | None) -> None:
    """Replace the process store (tests, CLI)."""
    global _store
    with _store_lock:
        _store = store
