"""Backups of the database: ``rapid db backup`` writes a folder, ``rapid db restore`` reads one.

A backup folder holds ``manifest.json`` (what wrote it, when, its backend, and the row count of
every table) and the database itself:

- DuckDB: its own export (``EXPORT DATABASE``: ``schema.sql``, ``load.sql`` and one Parquet file
  per table, sequences at their current values). A restore imports into a new file beside the
  database, checks every table's count against the manifest, and only then puts it in place;
  the database it replaces is kept beside it (``<name>.before-restore-<time>``). Nothing
  half-restored is ever the live database.
- PostgreSQL: ``database.dump``, written by ``pg_dump --format=custom`` from the same snapshot
  the counts were read in (``--snapshot``). A restore runs ``pg_restore --clean --if-exists``
  in one transaction (a failure leaves the database as it was), then checks the counts; a
  database with data is first backed up itself (kept in the backups folder). ``pg_dump`` and
  ``pg_restore`` are found like the test cluster's programs (``$RAPID_PG_BINDIR``, the newest
  ``/usr/lib/postgresql/<N>/bin``, then PATH); the URL's password reaches them through the
  environment (``PGPASSWORD``), never their command line, and is never printed.

The signing keys are not in the database; ``--with-keys`` copies the keys folder into the backup
(it then holds secrets: keep it as such).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from core import clock
from core.config import redact_url
from core.schema import BACKENDS
from core.store import Store, StoreError, is_postgres_url

if TYPE_CHECKING:
    from core.store import AnyStore
    from core.store_postgres import PostgresStore

log = logging.getLogger(__name__)

FORMAT = "rapid-backup"
VERSION = 1
MANIFEST = "manifest.json"
KEYS = "keys"
MAX_MANIFEST_BYTES = 1_000_000
DUMP = "database.dump"
TOOL_TIMEOUT = 24 * 3600
PG_LIB = Path("/usr/lib/postgresql")
"""Where Debian installs each PostgreSQL version's programs (``<N>/bin``)."""
_TABLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class BackupError(StoreError):
    """A backup could not be written or restored; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    """What a backup folder says about itself."""

    backend: str
    created_at: str
    tables: dict[str, int]
    with_keys: bool

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                "backend": self.backend,
                "created_at": self.created_at,
                "duckdb": duckdb.__version__,
                **({"dump": DUMP} if self.backend == "postgresql" else {}),
                "with_keys": self.with_keys,
                "tables": self.tables,
            },
            indent=2,
            sort_keys=True,
        )


def parse_manifest(text: str) -> Manifest:
    """A manifest from its JSON text (outside input: a backup may come from anywhere);
    ``BackupError`` naming what is wrong."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BackupError(f"{MANIFEST} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST} is not a Rapid Response Suite backup manifest")
    if data.get("version") != VERSION:
        raise BackupError(
            f"{MANIFEST}: backup format version {data.get('version')!r}; this suite reads {VERSION}"
        )
    backend = data.get("backend")
    if backend not in BACKENDS:
        raise BackupError(
            f"{MANIFEST}: backend {backend!r}; this restore reads 'duckdb' and 'postgresql' backups"
        )
    tables = data.get("tables")
    if not isinstance(tables, dict) or not tables:
        raise BackupError(f"{MANIFEST}: no table list")
    counts: dict[str, int] = {}
    for name, rows in tables.items():
        if not isinstance(name, str) or not _TABLE.fullmatch(name):
            raise BackupError(f"{MANIFEST}: bad table name {name!r}")
        if type(rows) is not int or rows < 0:
            raise BackupError(f"{MANIFEST}: table {name}: bad row count {rows!r}")
        counts[name] = rows
    created = data.get("created_at")
    if not isinstance(created, str):
        raise BackupError(f"{MANIFEST}: no creation time")
    return Manifest(str(backend), created, counts, bool(data.get("with_keys", False)))


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    try:
        size = path.stat().st_size
    except OSError:
        raise BackupError(f"{folder} is not a backup folder: it has no {MANIFEST}") from None
    if size > MAX_MANIFEST_BYTES:
        raise BackupError(f"{path} is too large to be a manifest ({size} bytes)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupError(f"cannot read {path}: {exc}") from None
    return parse_manifest(text)


def base_tables(store: AnyStore) -> list[str]:
    """Names of the tables (not views) of the store's schema (DuckDB's main, PostgreSQL's
    current), sorted; only plain lower-case names (they are quoted into SQL)."""
    rows = store.fetchall(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        " ORDER BY table_name"
    )
    return [str(n) for (n,) in rows if _TABLE.fullmatch(str(n))]


def counts(store: AnyStore, tables: Iterable[str]) -> dict[str, int]:
    """Rows of each of ``tables`` (names from ``base_tables``)."""
    return {
        name: int(store.scalar(f'SELECT count(*) FROM "{name}"'))  # noqa: S608 - catalogue names
        for name in tables
    }


def table_counts(store: AnyStore) -> dict[str, int]:
    """Rows of every table of the store's schema, by name."""
    return counts(store, base_tables(store))


def _stamp(now: datetime | None = None) -> str:
    return (now or clock.now()).strftime("%Y%m%d-%H%M%S")


def default_folder(data_dir: Path, now: datetime | None = None) -> Path:
    return Path(data_dir) / "backups" / f"rapid-{_stamp(now)}"


def before_restore_folder(data_dir: Path, now: datetime | None = None) -> Path:
    """Where a PostgreSQL restore with ``--replace`` keeps the database it replaces."""
    return Path(data_dir) / "backups" / f"before-restore-{_stamp(now)}"


def is_postgres(store: AnyStore) -> bool:
    return is_postgres_url(getattr(store, "url", None))


def backup(
    store: AnyStore,
    folder: Path,
    *,
    keys_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Manifest:
    """Export ``store`` into the new folder ``folder`` (it must not exist or be empty), with
    the keys folder when ``keys_dir`` is given. A failed backup leaves no folder behind."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} exists and is not empty: choose a new folder")
    if store.path == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    say = progress or (lambda _text: None)
    created = not folder.exists()
    with_keys = keys_dir is not None and Path(keys_dir).is_dir()
    postgres = is_postgres(store)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with store.transaction():  # one snapshot: counts and export agree
            if postgres:
                snapshot = str(store.scalar("SELECT pg_export_snapshot()"))
            counts = table_counts(store)
            say(f"{len(counts)} tables, {sum(counts.values()):,} rows")
            if postgres:
                _pg_dump(store, folder / DUMP, snapshot)  # type: ignore[arg-type]
            else:
                quoted = str(folder.resolve()).replace("'", "''")
                store.execute(f"EXPORT DATABASE '{quoted}' (FORMAT parquet)")
        if with_keys:
            shutil.copytree(keys_dir, folder / KEYS)  # type: ignore[arg-type]
            say("keys copied")
        backend = "postgresql" if postgres else "duckdb"
        manifest = Manifest(backend, clock.now().isoformat(), counts, with_keys)
        (folder / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    except BaseException as exc:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            for child in folder.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        if isinstance(exc, duckdb.Error | OSError | StoreError) or _is_psycopg_error(exc):
            raise BackupError(f"the backup to {folder} failed, nothing kept: {exc}") from exc
        raise
    return manifest


def _is_psycopg_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("psycopg")


# -- pg_dump / pg_restore ---------------------------------------------------------------------


def find_pg_tool(name: str) -> Path:
    """``pg_dump`` or ``pg_restore``: in ``$RAPID_PG_BINDIR``, the newest
    ``/usr/lib/postgresql/<N>/bin`` (Debian's packages; a client at least as new as the server
    is what pg_dump needs), else on PATH. BackupError saying how to install it."""
    given = os.environ.get("RAPID_PG_BINDIR")
    folders = [Path(given)] if given else []

    def version(p: Path) -> int:
        return int(p.parent.name) if p.parent.name.isdigit() else 0

    folders += sorted(PG_LIB.glob("*/bin"), key=version, reverse=True)
    for folder in folders:
        if (folder / name).is_file() and os.access(folder / name, os.X_OK):
            return folder / name
    found = shutil.which(name)
    if found:
        return Path(found)
    raise BackupError(
        f"{name} is not installed (not in /usr/lib/postgresql/*/bin nor on PATH): install"
        " PostgreSQL's client programs (`apt-get install postgresql-client`, the server's major"
        " version or newer), or set RAPID_PG_BINDIR to the folder holding it"
    )


def client_connection(url: str) -> tuple[str, dict[str, str]]:
    """``(conninfo, environment)`` for PostgreSQL's programs: the URL's parameters without its
    password as a ``key=value`` string (for ``--dbname``: other users see a command line),
    the password in ``PGPASSWORD`` of a copy of this environment."""
    from psycopg import conninfo

    try:
        params = conninfo.conninfo_to_dict(url)
    except Exception as exc:  # noqa: BLE001 - libpq's parser: a malformed URL
        raise BackupError(f"the database URL {redact_url(url)} cannot be read") from exc
    password = params.pop("password", None)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = str(password)
    return conninfo.make_conninfo("", **params), env


def _run_tool(name: str, args: list[str], url: str) -> None:
    program = find_pg_tool(name)
    dbname, env = client_connection(url)
    try:
        proc = subprocess.run(  # noqa: S603 - fixed program, arguments from checked values
            [str(program), *args, f"--dbname={dbname}"],
            env=env,
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackupError(f"{name} could not run: {exc}") from exc
    if proc.returncode != 0:
        text = redact_url((proc.stderr or proc.stdout).strip())[-2000:]
        password = env.get("PGPASSWORD")
        if password:
            text = text.replace(password, "********")
        raise BackupError(f"{name} failed ({proc.returncode}): {text}")


def dump_counts(dump: Path) -> dict[str, int]:
    """Rows of every table in a custom-format dump, read from ``pg_restore --data-only``'s
    text (no database needed): the lines of each ``COPY ... FROM stdin`` block."""
    program = find_pg_tool("pg_restore")
    found: dict[str, int] = {}
    try:
        proc = subprocess.Popen(  # noqa: S603 - fixed program and arguments
            [str(program), "--data-only", "--file=-", str(dump)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise BackupError(f"pg_restore could not run: {exc}") from exc
    assert proc.stdout is not None
    table: str | None = None
    for line in proc.stdout:
        if table is not None:
            if line == b"\\.\n":
                table = None
            else:
                found[table] += 1
        elif line.startswith(b"COPY ") and line.rstrip().endswith(b"FROM stdin;"):
            name = line.split(b" ", 2)[1].decode("utf-8", "replace")
            table = name.rsplit(".", 1)[-1].strip('"')
            found.setdefault(table, 0)
    _, err = proc.communicate(timeout=TOOL_TIMEOUT)
    if proc.returncode != 0:
        text = err.decode("utf-8", "replace").strip()[-2000:]
        raise BackupError(f"{dump} cannot be read by pg_restore: {text}")
    return found


def _pg_dump(store: PostgresStore, path: Path, snapshot: str) -> None:
    _run_tool(
        "pg_dump",
        [
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            f"--file={path}",
        ],
        store.url,
    )


@dataclass(frozen=True)
class Restored:
    database: Path | str
    kept: Path | None
    tables: dict[str, int]
    keys_restored: bool


def _has_data(path: Path) -> bool:
    if not path.exists():
        return False
    store = Store(path)
    try:
        return any(table_counts(store).values())
    finally:
        store.close()


def restore(
    folder: Path,
    database: Path | str,
    *,
    replace: bool = False,
    keys_dir: Path | None = None,
    keep_in: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Restored:
    """Restore the backup in ``folder`` as ``database`` (a DuckDB file, or a PostgreSQL URL).

    DuckDB: imported into a new file, every table's count checked against the manifest, then
    moved into place. An existing database with data is refused unless ``replace``; then it is
    kept as ``<name>.before-restore-<time>``. PostgreSQL: see ``restore_postgres`` (its kept
    copy is a backup folder in ``keep_in``). With ``keys_dir``, the backup's keys (if it has
    them) are restored there when that folder is empty."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if is_postgres_url(database):
        return restore_postgres(
            folder,
            str(database),
            manifest,
            replace=replace,
            keys_dir=keys_dir,
            keep_in=keep_in,
            progress=progress,
        )
    database = Path(database)
    if manifest.backend != "duckdb":
        raise BackupError(
            f"{folder} is a PostgreSQL backup and this installation uses DuckDB: set"
            " database_url to a PostgreSQL database to restore it there"
        )
    say = progress or (lambda _text: None)
    if not (folder / "schema.sql").is_file() or not (folder / "load.sql").is_file():
        raise BackupError(f"{folder} has a manifest but no schema.sql/load.sql: incomplete backup")
    if _has_data(database) and not replace:  # also fails clearly while a server holds it
        raise BackupError(
            f"the database {database} already holds data: stop the server and restore with"
            " --replace (the current database is kept beside it), or set another data folder"
        )
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fresh = database.with_name(f"{database.name}.restoring-{os.getpid()}")
    for leftover in (fresh, Path(f"{fresh}.wal")):
        leftover.unlink(missing_ok=True)
    try:
        store = Store(fresh)
        try:
            quoted = str(folder.resolve()).replace("'", "''")
            say(f"importing {sum(manifest.tables.values()):,} rows")
            store.execute(f"IMPORT DATABASE '{quoted}'")
            found = table_counts(store)
        finally:
            store.close()
        _check_counts(manifest.tables, found)
    except BaseException as exc:
        fresh.unlink(missing_ok=True)
        if isinstance(exc, duckdb.Error):
            raise BackupError(f"the backup in {folder} could not be imported: {exc}") from exc
        raise
    kept = None
    if database.exists():
        kept = database.with_name(f"{database.name}.before-restore-{_stamp()}")
        database.rename(kept)
        wal = Path(f"{database}.wal")
        if wal.exists():
            wal.rename(Path(f"{kept}.wal"))
    fresh.rename(database)
    return Restored(database, kept, found, _restore_keys(folder, manifest, keys_dir))


def _restore_keys(folder: Path, manifest: Manifest, keys_dir: Path | None) -> bool:
    if keys_dir is None or not manifest.with_keys or not (folder / KEYS).is_dir():
        return False
    target = Path(keys_dir)
    if not target.exists() or not any(target.iterdir()):
        shutil.copytree(folder / KEYS, target, dirs_exist_ok=True)
        return True
    log.warning("keys folder %s is not empty: the backup's keys were not copied", target)
    return False


def restore_postgres(
    folder: Path,
    url: str,
    manifest: Manifest,
    *,
    replace: bool = False,
    keys_dir: Path | None = None,
    keep_in: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Restored:
    """``pg_restore --clean --if-exists`` of the backup's dump into the database at ``url``, in
    one transaction (a failure changes nothing). Every table's count is checked against the
    manifest in the dump before (nothing restored when they differ) and in the database after. A database holding data is refused unless ``replace``; then it is first backed
    up into ``keep_in`` (default: a ``before-restore-<time>`` folder beside the backup)."""
    from core.store import open_store

    if manifest.backend != "postgresql":
        raise BackupError(
            f"{folder} is a DuckDB backup and this installation uses PostgreSQL: restore it into"
            " a DuckDB installation, then move that with `rapid db copy --to URL`"
        )
    dump = folder / DUMP
    if not dump.is_file():
        raise BackupError(f"{folder} has a manifest but no {DUMP}: incomplete backup")
    say = progress or (lambda _text: None)
    say(f"checking {sum(manifest.tables.values()):,} rows of {DUMP} against the manifest")
    _check_counts(manifest.tables, dump_counts(dump))  # before the database is touched
    store = open_store(url, max_size=2)
    try:
        kept = None
        if any(table_counts(store).values()):
            if not replace:
                raise BackupError(
                    f"the database {store.path} already holds data: stop the server and restore"
                    " with --replace (the current database is backed up first), or restore into"
                    " an empty database"
                )
            kept = keep_in or folder.parent / f"before-restore-{_stamp()}"
            say(f"backing up the current database into {kept}")
            backup(store, kept, progress=say)
        say(f"restoring {sum(manifest.tables.values()):,} rows")
        _run_tool(
            "pg_restore",
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(dump),
            ],
            url,
        )
        found = table_counts(store)
        try:
            _check_counts(manifest.tables, found)
        except BackupError as exc:
            where = f"; the database it replaced is kept in {kept}" if kept else ""
            raise BackupError(f"{exc} (after pg_restore{where})") from None
    finally:
        store.close()
    return Restored(store.path, kept, found, _restore_keys(folder, manifest, keys_dir))


def count_problems(
    expected: Mapping[str, int], found: Mapping[str, Any], say: str = "rows, the backup says"
) -> list[str]:
    """One line per table whose row count differs: ``<table>: <found> <say> <expected>``."""
    return [
        f"{name}: {found.get(name, 'missing')} {say} {rows}"
        for name, rows in sorted(expected.items())
        if found.get(name) != rows
    ]


def _check_counts(expected: Mapping[str, int], found: Mapping[str, Any]) -> None:
    problems = count_problems(expected, found)
    if problems:
        raise BackupError("the restored copy does not match the backup: " + "; ".join(problems))
