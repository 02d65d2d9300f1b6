"""Backups of the database: ``rapid db backup`` writes a folder, ``rapid db restore`` reads one.

A backup folder holds DuckDB's own export (``EXPORT DATABASE``: ``schema.sql``, ``load.sql``
and one Parquet file per table, sequences at their current values) and ``manifest.json``: what
wrote it, when, and the row count of every table. A restore imports into a new file beside the
database, checks every table's count against the manifest, and only then puts it in place; the
database it replaces is kept beside it (``<name>.before-restore-<time>``). Nothing half-restored
is ever the live database.

The signing keys are not in the database; ``--with-keys`` copies the keys folder into the backup
(it then holds secrets: keep it as such).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from core import clock
from core.store import Store, StoreError

log = logging.getLogger(__name__)

FORMAT = "rapid-backup"
VERSION = 1
MANIFEST = "manifest.json"
KEYS = "keys"
MAX_MANIFEST_BYTES = 1_000_000
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
    if backend != "duckdb":
        raise BackupError(f"{MANIFEST}: backend {backend!r}; this restore reads 'duckdb' backups")
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
    return Manifest("duckdb", created, counts, bool(data.get("with_keys", False)))


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


def table_counts(store: Store) -> dict[str, int]:
    """Rows of every table of the main schema, by name."""
    names = [
        str(n)
        for (n,) in store.fetchall(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ]
    return {
        name: int(store.scalar(f'SELECT count(*) FROM "{name}"'))  # noqa: S608 - catalogue names
        for name in names
        if _TABLE.fullmatch(name)
    }


def _stamp(now: datetime | None = None) -> str:
    return (now or clock.now()).strftime("%Y%m%d-%H%M%S")


def default_folder(data_dir: Path, now: datetime | None = None) -> Path:
    return Path(data_dir) / "backups" / f"rapid-{_stamp(now)}"


def backup(
    store: Store,
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
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with store.transaction():  # one snapshot: counts and export agree
            counts = table_counts(store)
            say(f"{len(counts)} tables, {sum(counts.values()):,} rows")
            quoted = str(folder.resolve()).replace("'", "''")
            store.execute(f"EXPORT DATABASE '{quoted}' (FORMAT parquet)")
        if with_keys:
            shutil.copytree(keys_dir, folder / KEYS)  # type: ignore[arg-type]
            say("keys copied")
        manifest = Manifest("duckdb", clock.now().isoformat(), counts, with_keys)
        (folder / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    except BaseException as exc:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            for child in folder.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        if isinstance(exc, duckdb.Error | OSError):
            raise BackupError(f"the backup to {folder} failed, nothing kept: {exc}") from exc
        raise
    return manifest


@dataclass(frozen=True)
class Restored:
    database: Path
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
    database: Path,
    *,
    replace: bool = False,
    keys_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Restored:
    """Restore the backup in ``folder`` as ``database``: imported into a new file, every
    table's count checked against the manifest, then moved into place. An existing database
    with data is refused unless ``replace``; then it is kept as
    ``<name>.before-restore-<time>``. With ``keys_dir``, the backup's keys (if it has them)
    are restored there when that folder is empty."""
    folder, database = Path(folder), Path(database)
    manifest = read_manifest(folder)
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
    keys = False
    if keys_dir is not None and manifest.with_keys and (folder / KEYS).is_dir():
        target = Path(keys_dir)
        if not target.exists() or not any(target.iterdir()):
            shutil.copytree(folder / KEYS, target, dirs_exist_ok=True)
            keys = True
        else:
            log.warning("keys folder %s is not empty: the backup's keys were not copied", target)
    return Restored(database, kept, found, keys)


def _check_counts(expected: Mapping[str, int], found: Mapping[str, Any]) -> None:
    problems = [
        f"{name}: {found.get(name, 'missing')} rows, the backup says {rows}"
        for name, rows in sorted(expected.items())
        if found.get(name) != rows
    ]
    if problems:
        raise BackupError("the restored copy does not match the backup: " + "; ".join(problems))
