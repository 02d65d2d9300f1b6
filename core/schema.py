"""Migration files, found without opening a database: numbered ``NNN_name.sql`` files per app.

A file named ``NNN_name.postgresql.sql`` applies on PostgreSQL only: physical design that one
backend needs and the other would pay for (B-tree indexes that PostgreSQL needs where DuckDB's
zone maps and hash joins serve, and whose upkeep would slow DuckDB's bulk loads). Tables,
columns and views are always in the shared files, so both backends hold the same data.

Kept apart from ``core.store`` (DuckDB, pandas) so that loading the registry, which checks each
app's migration folder, stays cheap. ``core.store`` re-exports every name here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)(?:\.(postgresql))?\.sql$")
BACKENDS = ("duckdb", "postgresql")
"""The store backends (``Store.backend``): migrations, backups and copies name them."""
CORE_MIGRATIONS = Path(__file__).parent / "migrations"


class StoreError(Exception):
    """A store problem with a message fit for the user."""


@dataclass(frozen=True)
class Migration:
    app_id: str
    version: int
    name: str
    path: Path
    only_on: str | None = None
    """None: every backend; else the one backend (``BACKENDS``) this file is for."""

    def applies_to(self, backend: str) -> bool:
        return self.only_on is None or self.only_on == backend


def discover_migrations(app_id: str, folder: Path | None) -> list[Migration]:
    """The numbered ``NNN_name.sql`` (or ``NNN_name.postgresql.sql``) files of one app, in
    order; other ``.sql`` files are an error."""
    if folder is None or not Path(folder).is_dir():
        return []
    found: list[Migration] = []
    for path in sorted(Path(folder).iterdir()):
        if path.suffix != ".sql":
            continue
        match = MIGRATION_NAME.match(path.name)
        if not match:
            raise StoreError(
                f"{app_id}: migration file name must be NNN_name.sql"
                f" or NNN_name.postgresql.sql: {path.name}"
            )
        found.append(Migration(app_id, int(match.group(1)), match.group(2), path, match.group(3)))
    versions = [m.version for m in found]
    if len(versions) != len(set(versions)):
        raise StoreError(f"{app_id}: two migrations share a number in {folder}")
    return found
