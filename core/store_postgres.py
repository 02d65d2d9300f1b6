"""The PostgreSQL store: the public interface of ``core.store.Store`` over a psycopg 3
connection pool (``database_url = "postgresql://..."``).

- Outside a transaction every statement runs on a connection borrowed from the pool for that
  statement alone, in autocommit; its result is read whole before the connection goes back.
- ``transaction()`` holds one pooled connection for this thread until it ends, at REPEATABLE
  READ: a snapshot, as a DuckDB transaction sees, and a write-write conflict fails
  (``could not serialize access``) instead of waiting and overwriting. Nested blocks join the
  outer one. Serialization failures and deadlocks raise ``ConflictError`` (in ``CONFLICTS``);
  unique/foreign-key/not-null/check violations raise ``ConstraintError`` (in ``CONSTRAINTS``).
- Services use the cursor ``transaction()`` yields as a DuckDB cursor: ``PgCursor`` has that
  surface (``execute`` returning itself, ``executemany``, ``fetchall``, ``fetchone``, ``df``,
  ``description``).
- SQL is DuckDB's: ``core.sql_dialect`` rewrites placeholders and DDL types.
- ``insert_df`` loads with COPY.
- ``migrate`` holds an advisory lock, so several server processes starting at once apply each
  migration once; it first makes the DuckDB functions PostgreSQL lacks
  (``sql_dialect.PG_FUNCTIONS``).

psycopg is imported only here: a DuckDB installation never loads it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from psycopg import errors as pg_errors
from psycopg import postgres
from psycopg.adapt import Loader
from psycopg_pool import ConnectionPool

from core import sql_dialect
from core.config import redact_url
from core.store import (
    ConflictError,
    ConstraintError,
    Migration,
    StoreCommon,
    StoreError,
)

log = logging.getLogger(__name__)

ISOLATION = "REPEATABLE READ"
"""Of every ``transaction()``: snapshot reads, write-write conflicts fail (as on DuckDB)."""

MIGRATION_LOCK = 0x7261706964  # 'rapid': pg_advisory_lock key while migrating

_CONFLICT_ERRORS: tuple[type[Exception], ...] = (
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
)


class _NumericLoader(Loader):
    """NUMERIC as DuckDB's Python values are: ``int`` without a fraction, else ``float``
    (``sum()`` of integers and ``avg()`` are NUMERIC on PostgreSQL)."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode("ascii")
        whole, dot, fraction = text.partition(".")
        if not dot and whole.lstrip("-").isdigit():
            return int(whole)
        if dot and whole.lstrip("-").isdigit() and set(fraction) <= {"0"}:
            return int(whole)
        return float(text)  # a fraction, NaN, Infinity


def _configure(conn: psycopg.Connection) -> None:
    conn.adapters.register_loader("numeric", _NumericLoader)


@contextmanager
def _translated() -> Iterator[None]:
    """psycopg's lost races as ``ConflictError``, refused constraints as ``ConstraintError``;
    other errors as they are."""
    try:
        yield
    except _CONFLICT_ERRORS as exc:
        raise ConflictError(str(exc).strip()) from exc
    except pg_errors.IntegrityError as exc:
        raise ConstraintError(str(exc).strip()) from exc


_DML_STATUS = ("INSERT", "UPDATE", "DELETE", "MERGE")
_COUNT_COLUMN = ("Count", None, None, None, None, None, None)


class PgCursor:
    """What services use of a DuckDB cursor, over PostgreSQL. Bound to a connection inside a
    transaction; otherwise each ``execute`` borrows one (autocommit) and reads its result."""

    def __init__(self, store: PostgresStore, conn: psycopg.Connection | None = None) -> None:
        self._store = store
        self._conn = conn
        self._cur: psycopg.Cursor | None = conn.cursor() if conn is not None else None
        self._rows: list[tuple] | None = None
        self._pos = 0
        self.description: list[Any] | None = None
        self.rowcount = -1

    def _run(self, cur: psycopg.Cursor, sql: str, params: Any, many: bool) -> None:
        if many:
            rows = [_as_params(r) for r in params]
            if rows:
                query, _ = sql_dialect.to_postgres(sql, rows[0])
                cur.executemany(query, rows)
        else:
            query, bound = sql_dialect.to_postgres(sql, _as_params(params))
            cur.execute(query, bound)
        self.rowcount = cur.rowcount
        if cur.description is not None:
            self.description = cur.description
            self._rows = cur.fetchall()
        elif (cur.statusmessage or "").startswith(_DML_STATUS):
            # DuckDB answers INSERT/UPDATE/DELETE with one row, the count of rows changed
            # (services read it: `.execute("UPDATE ...").fetchone()[0] == 1`)
            self.description = [_COUNT_COLUMN]
            self._rows = [(cur.rowcount,)]
        else:
            self.description = None
            self._rows = None
        self._pos = 0

    def _call(self, sql: str, params: Any, *, many: bool = False) -> PgCursor:
        with _translated():
            if self._cur is not None:
                self._run(self._cur, sql, params, many)
            else:
                with self._store._pool.connection() as conn, conn.cursor() as cur:
                    self._run(cur, sql, params, many)
        return self

    def execute(self, sql: str, params: Any = None) -> PgCursor:
        return self._call(sql, params)

    def executemany(self, sql: str, rows: Sequence[Any]) -> PgCursor:
        return self._call(sql, rows, many=True)

    def fetchall(self) -> list[tuple]:
        if self._rows is None:
            return []
        out = self._rows[self._pos :]
        self._pos = len(self._rows)
        return out

    def fetchone(self) -> tuple | None:
        if self._rows is None or self._pos >= len(self._rows):
            return None
        row = self._rows[self._pos]
        self._pos += 1
        return row

    def fetchmany(self, size: int = 1) -> list[tuple]:
        if self._rows is None:
            return []
        out = self._rows[self._pos : self._pos + size]
        self._pos += len(out)
        return out

    def df(self) -> pd.DataFrame:
        """The rest of the result as DuckDB's ``.df()`` gives it: DATE and TIMESTAMP columns
        datetime64[us], integer columns with a NULL nullable (Int64...), BOOLEAN with a NULL
        ``boolean``."""
        description = self.description or []
        rows = self.fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in description]
        data = {}
        for d, values in zip(description, columns, strict=True):
            data[d[0]] = _typed_series(list(values), getattr(d, "type_code", None))
        return pd.DataFrame(data, columns=[d[0] for d in description])

    def complete(self) -> None:
        """Results are read whole already (``core.store.settle`` calls this)."""


_INTEGER_TYPES = ("SMALLINT", "INTEGER", "BIGINT")

# PostgreSQL type oids -> the pandas dtype DuckDB's .df() gives (nullable one when NULLs)
_OID_INTS = {21: ("int16", "Int16"), 23: ("int32", "Int32"), 20: ("int64", "Int64")}
_OID_FLOATS = {700: "float32", 701: "float64"}
_OID_TIMES = (1082, 1114)  # date, timestamp
_OID_BOOL = 16


def _typed_series(values: list[Any], oid: int | None) -> pd.Series:
    has_null = any(v is None for v in values)
    if oid in _OID_INTS:
        plain, nullable = _OID_INTS[oid]
        return pd.Series(values, dtype=nullable if has_null or not values else plain)
    if oid in _OID_FLOATS:
        return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
    if oid in _OID_TIMES:
        return pd.Series(pd.to_datetime(values), dtype="datetime64[us]")
    if oid == _OID_BOOL:
        return pd.Series(values, dtype="boolean" if has_null else "bool")
    return pd.Series(values, dtype=None if values else object)


def _copy_columns(frame: pd.DataFrame, types: dict[str, str]) -> list[list[Any]]:
    """Each column as a list of Python values, missing ones None. A float column bound for an
    integer column (pandas turns integers with a gap into floats) goes back to integers, as
    DuckDB casts them."""
    out: list[list[Any]] = []
    for name in frame.columns:
        series = frame[name]
        kind = types.get(str(name))
        if kind in _INTEGER_TYPES and pd.api.types.is_float_dtype(series):
            try:
                series = series.astype("Int64")
            except (TypeError, ValueError) as exc:
                raise StoreError(f"column {name}: not whole numbers for an integer column") from exc
        elif kind == "DATE" and pd.api.types.is_datetime64_any_dtype(series):
            series = series.dt.date
        elif kind == "VARCHAR" and not (
            pd.api.types.is_string_dtype(series) or pd.api.types.is_object_dtype(series)
        ):
            series = series.astype(str).where(series.notna(), None)
        elif kind == "DOUBLE" and pd.api.types.is_integer_dtype(series):
            series = series.astype(float)
        values = series.astype(object).where(series.notna(), None).tolist()
        if series.dtype == object:  # a LIST column read from DuckDB holds numpy arrays
            values = [v.tolist() if isinstance(v, np.ndarray) else v for v in values]
        out.append(values)
    return out


def _as_params(params: Any) -> Any:
    if params is None or isinstance(params, dict):
        return params
    return list(params)


class PostgresStore(StoreCommon):
    """A PostgreSQL database shared by every thread (and every process) through a pool."""

    backend = "postgresql"

    def __init__(
        self,
        url: str,
        *,
        read_only: bool = False,
        min_size: int = 1,
        max_size: int = 20,
        timeout: float = 30.0,
    ) -> None:
        self.url = url
        self.path = redact_url(url)
        self.read_only = read_only

        def configure(conn: psycopg.Connection) -> None:
            _configure(conn)
            if read_only:
                conn.execute("SET default_transaction_read_only = on")

        try:  # one connection first: a clear message when the server cannot be reached
            psycopg.connect(url, connect_timeout=max(1, int(timeout))).close()
        except psycopg.Error as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}".strip()) from exc
        self._pool = ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout,
            kwargs={"autocommit": True},
            configure=configure,
            open=False,
            name="rapid",
        )
        try:
            self._pool.open(wait=True, timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - pool errors are many kinds
            self._pool.close()
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc
        self._local = threading.local()
        self._closed = False

    # -- cursors and transactions ------------------------------------------------------------

    def cursor(self) -> PgCursor:
        """This thread's transaction cursor inside ``transaction()``, else an autocommit one."""
        if self._closed:
            raise StoreError("the store is closed")
        if getattr(self._local, "depth", 0):
            return self._local.cursor
        return PgCursor(self)

    @contextmanager
    def transaction(self) -> Iterator[PgCursor]:
        """All or nothing. Nested blocks join the outer transaction."""
        if self._closed:
            raise StoreError("the store is closed")
        depth = getattr(self._local, "depth", 0)
        if depth:
            self._local.depth = depth + 1
            try:
                yield self._local.cursor
            finally:
                self._local.depth = depth
            return
        with self._pool.connection() as conn:
            try:
                conn.execute(f"BEGIN ISOLATION LEVEL {ISOLATION}")
            except psycopg.Error as exc:
                raise StoreError(f"cannot begin a transaction: {exc}") from exc
            cur = PgCursor(self, conn)
            self._local.cursor = cur
            self._local.depth = 1
            try:
                yield cur
            except BaseException:
                self._local.depth = 0
                self._local.cursor = None
                try:
                    conn.execute("ROLLBACK")
                except psycopg.Error:
                    log.debug("rollback after failure also failed", exc_info=True)
                raise
            self._local.depth = 0
            self._local.cursor = None
            with _translated():
                try:
                    conn.execute("COMMIT")
                except psycopg.Error:
                    try:
                        conn.execute("ROLLBACK")
                    except psycopg.Error:
                        log.debug("rollback after a failed commit also failed", exc_info=True)
                    raise

    @property
    def in_transaction(self) -> bool:
        return bool(getattr(self._local, "depth", 0))

    # -- conveniences (parameters are always bound, never formatted into SQL) ------------------

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> None:
        self.cursor().execute(sql, params)

    def _column_rows(self, table: str) -> list[tuple]:
        """(column, data type, udt name) of a table in the current schema, in order."""
        return self.fetchall(
            "SELECT column_name, data_type, udt_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ?"
            " ORDER BY ordinal_position",
            [table],
        )

    def table_columns(self, table: str) -> dict[str, str]:
        """``{column: data type}`` of a table in the current schema, types named as DuckDB
        names them (empty when it does not exist)."""
        return {
            str(name): sql_dialect.pg_type_to_duckdb(str(kind), str(udt))
            for name, kind, udt in self._column_rows(table)
        }

    def insert_df(self, table: str, frame: pd.DataFrame) -> int:
        """Bulk insert a DataFrame whose columns name the table's columns (COPY)."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
            raise StoreError(f"bad table name: {table!r}")
        for c in frame.columns:
            if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", str(c)):
                raise StoreError(f"bad column name in {table}: {c!r}")
        if frame.empty:
            return 0
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        rows = self._column_rows(table)
        kinds = {str(n): sql_dialect.pg_type_to_duckdb(str(k), str(u)) for n, k, u in rows}
        pg_types = {
            str(n): (f"{u[1:]}[]" if str(u).startswith("_") else str(u)) for n, _, u in rows
        }
        missing = [c for c in frame.columns if str(c) not in kinds]
        if missing:
            raise StoreError(f"{table} has no column {missing[0]!r} (or no such table)")
        columns = _copy_columns(frame, kinds)
        wanted = [pg_types[str(c)] for c in frame.columns]
        binary = all(postgres.types.get(t) is not None for t in wanted)
        copy_sql = f"COPY {table} ({cols}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")
        with self.transaction() as cur:
            conn = cur._conn
            assert conn is not None
            with _translated(), conn.cursor() as raw, raw.copy(copy_sql) as copy:
                if binary:  # each value dumped as its column's type: no text to parse
                    copy.set_types(wanted)
                for row in zip(*columns, strict=True):
                    copy.write_row(row)
        return len(frame)

    def migrate(self, migrations: Sequence[Migration]) -> list[Migration]:
        """Apply what is not yet applied, each file in its own transaction (PostgreSQL's DDL is
        transactional). An advisory lock makes processes starting together take turns."""
        applied: list[Migration] = []
        with self._pool.connection() as lock_conn:
            lock_conn.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
            try:
                for statement in sql_dialect.PG_FUNCTIONS:
                    lock_conn.execute(statement)
                done = self.applied_migrations()
                for mig in migrations:
                    if (mig.app_id, mig.version) in done or not mig.applies_to(self.backend):
                        continue
                    sql = sql_dialect.migration_to_postgres(mig.path.read_text(encoding="utf-8"))
                    try:
                        with self.transaction() as cur:
                            cur.execute(sql)
                            cur.execute(
                                "INSERT INTO schema_migrations (app_id, version, name)"
                                " VALUES (?, ?, ?)",
                                [mig.app_id, mig.version, mig.name],
                            )
                    except (psycopg.Error, StoreError) as exc:
                        raise StoreError(
                            f"migration {mig.app_id}/{mig.path.name} failed: {exc}"
                        ) from exc
                    log.info("applied migration %s/%s", mig.app_id, mig.path.name)
                    applied.append(mig)
            finally:
                lock_conn.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])
        return applied

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._pool.close()
