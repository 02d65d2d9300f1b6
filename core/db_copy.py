"""``rapid db copy --to postgresql://...``: a DuckDB installation moved to PostgreSQL.

The target is migrated (``PostgresStore.migrate``: the bookkeeping table ``schema_migrations``
is its own), then, in ONE transaction on the target: tables the source made at run time (a
definition app's ``app_<id>``, its sequence) are created from the source's own DDL, every
table of the target is emptied, every table of the source is loaded in DataFrame chunks through
``PostgresStore.insert_df`` (COPY), every sequence is set to carry on after the copied ids, and
every table's row count is compared on both sides. Any failure rolls all of it back: the target
holds no half-copied data (only the migrated, empty tables).

A target that already holds data is refused unless ``replace`` (its tables are then emptied in
the same transaction, so a failed copy leaves it as it was). Rows that the migrations
themselves write (``INSERT INTO`` in a migration file, e.g. a rollup's start mark) are not
"data" for this check.

The signing keys are files in the data folder, not in the database: they are not copied.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.backup import base_tables, count_problems, counts
from core.config import redact_url
from core.schema import Migration, StoreError

if TYPE_CHECKING:
    from core.store import Store
    from core.store_postgres import PostgresStore

BOOKKEEPING = "schema_migrations"
"""Made and filled by each store's own ``migrate``: never copied."""

CHUNK_VECTORS = 25
"""Rows read from DuckDB per chunk, in DuckDB vectors of 2,048 rows (51,200 rows)."""

_IDENT = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_INSERT_INTO = re.compile(r"(?i)\bINSERT\s+INTO\s+\"?([a-z_][a-z0-9_]*)")
_NEXTVAL = re.compile(r"nextval\('\"?([a-z_][a-z0-9_]*)\"?'(?:::regclass)?\)")
_SCHEMES = ("postgresql://", "postgres://")


class CopyError(StoreError):
    """The copy could not be made; nothing of it stays in the target."""


class TargetNotEmpty(CopyError):
    """The target already holds data and ``replace`` was not given."""


@dataclass(frozen=True)
class Copied:
    """What a copy did: every table's rows on both sides, the sequences it set."""

    target: str
    tables: dict[str, tuple[int, int]]
    sequences: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(source for source, _ in self.tables.values())


def parse_target_url(text: str) -> str:
    """The ``--to`` URL (outside input) checked: a ``postgresql://`` URL that names a
    database; ``CopyError`` saying what is wrong, never repeating a password."""
    from psycopg import conninfo

    url = text.strip()
    if not url.lower().startswith(_SCHEMES):
        raise CopyError("the target must be a URL postgresql://USER@HOST:PORT/DATABASE")
    if "\x00" in url:
        raise CopyError("the target URL holds a NUL character")
    try:
        params = conninfo.conninfo_to_dict(url)
    except Exception:  # noqa: BLE001 - libpq's parser: any failure is a malformed URL
        raise CopyError(
            "the target URL cannot be read: postgresql://USER@HOST:PORT/DATABASE"
            " (percent-encode special characters of the password)"
        ) from None
    if not params.get("dbname"):
        raise CopyError(f"the target URL names no database: {redact_url(url)}")
    return url


def seeded_tables(migrations: Sequence[Migration]) -> set[str]:
    """Tables a migration writes rows into (their rows are not an installation's data)."""
    found: set[str] = set()
    for mig in migrations:
        found |= {m.lower() for m in _INSERT_INTO.findall(mig.path.read_text(encoding="utf-8"))}
    return found


def data_in(store: PostgresStore, migrations: Sequence[Migration]) -> dict[str, int]:
    """Tables of ``store`` holding rows that are data (not bookkeeping, not a migration's)."""
    skip = {BOOKKEEPING} | seeded_tables(migrations)
    found = counts(store, [t for t in base_tables(store) if t not in skip])
    return {t: n for t, n in found.items() if n}


def copy_database(
    source: Store,
    target: PostgresStore,
    migrations: Sequence[Migration],
    *,
    replace: bool = False,
    chunk_vectors: int = CHUNK_VECTORS,
    progress: Callable[[str], None] | None = None,
) -> Copied:
    """Copy every table of ``source`` (DuckDB, migrated) into ``target`` (PostgreSQL), as the
    module says. ``TargetNotEmpty`` when the target holds data and not ``replace``;
    ``CopyError`` for any other failure, after which the target holds no copied row."""
    say = progress or (lambda _text: None)
    where = redact_url(target.url)
    found = data_in(target, migrations) if base_tables(target) else {}
    if found and not replace:
        listed = ", ".join(f"{t} ({n:,})" for t, n in sorted(found.items())[:5])
        raise TargetNotEmpty(
            f"the target {where} already holds data ({listed}"
            f"{', ...' if len(found) > 5 else ''}): copy into a new, empty database,"
            " or add --replace to empty its tables first"
        )
    say(f"migrating {where}")
    try:
        target.migrate(migrations)
    except StoreError as exc:
        raise CopyError(f"the target {where} could not be migrated: {exc}") from exc
    missing = source.applied_migrations() - target.applied_migrations()
    if missing:
        names = ", ".join(f"{a}/{v}" for a, v in sorted(missing))
        raise CopyError(
            f"the source has migrations this suite does not know ({names}): copy with the"
            " suite version that wrote it"
        )
    tables = [t for t in base_tables(source) if t != BOOKKEEPING]
    expected = counts(source, tables)
    say(f"{len(tables)} tables, {sum(expected.values()):,} rows to copy")
    reader = source.cursor().cursor()  # its own cursor: chunks are read while others run
    try:
        with target.transaction():
            _create_missing(source, target, tables, say)
            emptied = [t for t in base_tables(target) if t != BOOKKEEPING]
            if emptied:
                target.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in emptied))
            for i, table in enumerate(tables, 1):
                _copy_table(reader, target, table, chunk_vectors)
                say(f"[{i}/{len(tables)}] {table}: {expected[table]:,} rows")
            sequences = _continue_sequences(source, target)
            copied = counts(target, tables)
            _check(expected, copied)
    except Exception as exc:
        raise CopyError(
            f"the copy to {where} failed and was rolled back (the target holds none of it,"
            " its tables as they were before):"
            f" {str(exc).strip() or type(exc).__name__}"
        ) from exc
    finally:
        reader.close()
    return Copied(where, {t: (expected[t], copied[t]) for t in tables}, sequences)


def _create_missing(
    source: Store, target: PostgresStore, tables: Sequence[str], say: Callable[[str], None]
) -> None:
    """Tables (and their sequences) the source made at run time, not by a migration (a
    definition app's table), created on the target from the source's own DDL; a column the
    target's table lacks is added."""
    from core import sql_dialect

    have = set(base_tables(target))
    pg_sequences = {
        str(n)
        for (n,) in target.fetchall(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
        )
    }
    for (name,) in source.fetchall("SELECT sequence_name FROM duckdb_sequences()"):
        if _IDENT.fullmatch(str(name)) and str(name) not in pg_sequences:
            target.execute(f'CREATE SEQUENCE "{name}"')
    ddl = dict(source.fetchall("SELECT table_name, sql FROM duckdb_tables()"))
    for table in tables:
        if table not in have:
            say(f"creating {table} (made by the installation, not by a migration)")
            target.execute(sql_dialect.migration_to_postgres(str(ddl[table])))
            continue
        wanted = source.table_columns(table)
        present = target.table_columns(table)
        for column, kind in wanted.items():
            if column not in present and _IDENT.fullmatch(column):
                target.execute(
                    f'ALTER TABLE "{table}" ADD COLUMN "{column}" '
                    + sql_dialect.ddl_to_postgres(kind)
                )


def _copy_table(reader: Any, target: PostgresStore, table: str, chunk_vectors: int) -> None:
    columns = [c for c in _columns(reader, table) if _IDENT.fullmatch(c)]
    listed = ", ".join(f'"{c}"' for c in columns)
    reader.execute(f'SELECT {listed} FROM "{table}"')  # noqa: S608 - catalogue names
    while True:
        frame = reader.fetch_df_chunk(chunk_vectors)
        if frame.empty:
            return
        target.insert_df(table, frame)


def _columns(reader: Any, table: str) -> list[str]:
    rows = reader.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [str(n) for (n,) in rows]


def _continue_sequences(source: Store, target: PostgresStore) -> dict[str, int]:
    """Every sequence of the target set past the ids copied into the columns it numbers and
    past the source's own value of the same sequence; ``{name: value}`` of those set."""
    last = {
        str(n): int(v or 0)
        for n, v in source.fetchall("SELECT sequence_name, last_value FROM duckdb_sequences()")
    }
    users: dict[str, list[tuple[str, str]]] = {}
    for table, column, default, identity in target.fetchall(
        "SELECT table_name, column_name, column_default, is_identity"
        " FROM information_schema.columns WHERE table_schema = current_schema()"
    ):
        seq = None
        if identity == "YES":
            seq = target.scalar("SELECT pg_get_serial_sequence(?, ?)", [table, column])
            seq = str(seq).rsplit(".", 1)[-1].strip('"') if seq else None
        elif default:
            found = _NEXTVAL.search(str(default))
            seq = found.group(1) if found else None
        if seq:
            users.setdefault(seq, []).append((str(table), str(column)))
    out: dict[str, int] = {}
    for (seq,) in target.fetchall(
        "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
    ):
        seq = str(seq)
        value = last.get(seq, 0)
        for table, column in users.get(seq, []):
            top = target.scalar(f'SELECT max("{column}") FROM "{table}"')  # noqa: S608
            if top is not None:
                value = max(value, int(top))
        if value > 0 and _IDENT.fullmatch(seq):
            target.scalar("SELECT setval(?, ?)", [f'"{seq}"', value])
            out[seq] = value
    return out


def _check(expected: dict[str, int], found: dict[str, int]) -> None:
    problems = count_problems(expected, found, "rows in PostgreSQL, in DuckDB")
    if problems:
        raise CopyError("the copied counts differ: " + "; ".join(problems))
