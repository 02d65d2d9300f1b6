"""The append-only audit log: one function writes it, nothing updates or deletes it.

Beside it, aggregate counters for the anonymous surface (``count``): one row per (hour,
action) with attempts / matches / throttled, never a row per anonymous request.
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
import time as _time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from core import clock
from core.auth import Principal, require
from core.config import get_settings
from core.registry import get_registry
from core.store import (
    CONFLICTS,
    Store,
    StoreError,
    StoreLockedError,
    execute_rows,
    get_store,
    open_store,
    store_target,
)

MAX_DETAILS = 20_000
SMALL_BATCH = 64
# One encoder for every call: json.dumps with options builds a new JSONEncoder each time, which
# is most of the cost of a small details dict (500,000 of them in a bulk issuance).
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str, sort_keys=True)
_INSERT = (
    "INSERT INTO audit_log (occurred_at, actor, action, object_type, object_id, details)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)


def _actor(actor: Principal | str) -> str:
    return actor.actor if isinstance(actor, Principal) else str(actor)


def _details(details: dict[str, Any] | None) -> str:
    text = _ENCODER.encode(details or {})
    return text if len(text) <= MAX_DETAILS else text[:MAX_DETAILS]


def record(
    actor: Principal | str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any] | None = None,
    *,
    store: Store | None = None,
) -> None:
    """Append one audit row. Inside a transaction it commits (or rolls back) with the change."""
    (store or get_store()).execute(
        _INSERT,
        [
            clock.utcnow_naive(),
            _actor(actor),
            action,
            object_type,
            str(object_id),
            _details(details),
        ],
    )


def record_many(
    actor: Principal | str,
    action: str,
    object_type: str,
    object_ids: Sequence[str],
    details: Sequence[dict[str, Any]] | None = None,
    *,
    store: Store | None = None,
    at: datetime | None = None,
) -> int:
    """Append one row per object in a single bulk insert (bulk issuance, demo data)."""
    if not object_ids:
        return 0
    when = at or clock.utcnow_naive()
    texts = [_details(d) for d in details] if details else ["{}"] * len(object_ids)
    name = _actor(actor)
    store = store or get_store()
    if len(object_ids) <= SMALL_BATCH:
        execute_rows(
            store.cursor(),
            _INSERT,
            [
                (when, name, action, object_type, str(o), d)
                for o, d in zip(object_ids, texts, strict=True)
            ],
        )
        return len(object_ids)
    frame = pd.DataFrame(
        {
            "occurred_at": [when] * len(object_ids),
            "actor": name,
            "action": action,
            "object_type": object_type,
            "object_id": [str(o) for o in object_ids],
            "details": texts,
        }
    )
    return store.insert_df("audit_log", frame)


def search(
    principal: Principal,
    *,
    text: str | None = None,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
    store: Store | None = None,
) -> pd.DataFrame:
    """Audit rows, newest first, filtered. Admins only."""
    require(principal, "admin")
    where = ["1=1"]
    params: list[Any] = []
    if text:
        where.append("(object_id ILIKE ? OR details ILIKE ? OR action ILIKE ?)")
        params += [f"%{text}%"] * 3
    if action:
        where.append("action = ?")
        params.append(action)
    if actor:
        where.append("actor = ?")
        params.append(actor)
    if since:
        where.append("occurred_at >= ?")
        params.append(clock.to_utc_naive(since))
    if until:
        where.append("occurred_at < ?")
        params.append(clock.to_utc_naive(until))
    params.append(max(1, min(int(limit), 100_000)))
    # Only the constant clauses above are joined in; every value is a bound parameter.
    sql = (
        "SELECT id, occurred_at, actor, action, object_type, object_id, details FROM audit_log WHERE "  # noqa: S608
        + " AND ".join(where)
        + " ORDER BY id DESC LIMIT ?"
    )
    return (store or get_store()).df(sql, params)


PENDING_FILE = "pending-audit.jsonl"
"""Audit events written while the database was held by the server (key commands): kept beside
the keys and appended to the audit log the next time a command or the server opens it."""


def record_or_defer(
    actor: Principal | str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any] | None = None,
) -> bool:
    """Record now if the database can be opened, else keep the event for later. True if now.
    (Only a DuckDB file is ever held by another process; PostgreSQL is shared.)"""
    settings = get_settings()
    try:
        store = open_store(store_target(settings))
    except StoreLockedError:
        row = {
            "occurred_at": clock.utcnow_naive().isoformat(),
            "actor": _actor(actor),
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "details": _details(details),
        }
        path = settings.data_dir / PENDING_FILE
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return False
    try:
        store.migrate(get_registry().all_migrations())
        import_pending(store)
        record(actor, action, object_type, object_id, details, store=store)
    finally:
        store.close()
    return True


def import_pending(store: Store) -> int:
    """Append deferred audit events to the log (once) and remove the file."""
    path = get_settings().data_dir / PENDING_FILE
    if not path.is_file():
        return 0
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
            rows.append(
                (
                    datetime.fromisoformat(row["occurred_at"]),
                    str(row["actor"]),
                    str(row["action"]),
                    str(row["object_type"]),
                    str(row["object_id"]),
                    str(row.get("details", "{}")),
                )
            )
        except (ValueError, KeyError, TypeError):
            continue
    with store.transaction() as cur:
        if rows:
            cur.executemany(
                _INSERT,
                rows,
            )
        path.unlink()
    return len(rows)


# -- aggregate counters of anonymous actions ---------------------------------------------------------

log = logging.getLogger(__name__)

COUNT_FLUSH_S = 10.0
"""Counters are kept in memory and written at most this often (and before they are read)."""
_COUNT_UPSERT = (
    "INSERT INTO audit_counts (hour, action, attempts, matches, throttled) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (hour, action) DO UPDATE SET"
    " attempts = audit_counts.attempts + excluded.attempts,"
    " matches = audit_counts.matches + excluded.matches,"
    " throttled = audit_counts.throttled + excluded.throttled"
)
_counts_lock = threading.Lock()
_counts: dict[tuple[Store, datetime, str], list[int]] = {}
_last_flush = [_time.monotonic()]


def count(
    action: str, *, matched: bool = False, throttled: bool = False, store: Store | None = None
) -> None:
    """Count one anonymous attempt of ``action`` in this hour's aggregate row: attempts + 1,
    matches + 1 when it found what it looked for, throttled + 1 when a limit refused it.

    Cheap: counted in memory and written every ``COUNT_FLUSH_S`` seconds in one statement per
    row (concurrent requests never contend on a row). ``counts`` writes what is pending first.
    """
    st = store or get_store()
    hour = clock.utcnow_naive().replace(minute=0, second=0, microsecond=0)
    key = (st, hour, str(action)[:100])
    with _counts_lock:
        entry = _counts.get(key)
        if entry is None:
            entry = _counts[key] = [0, 0, 0]
        entry[0] += 1
        entry[1] += bool(matched)
        entry[2] += bool(throttled)
        due = _time.monotonic() - _last_flush[0] >= COUNT_FLUSH_S
    if due and not st.in_transaction:
        flush_counts()


def flush_counts() -> int:
    """Write the pending counters (each to the database it was counted in). Returns the rows
    written. A store that was closed meanwhile loses its pending counts (tests, shutdown)."""
    with _counts_lock:
        pending = dict(_counts)
        _counts.clear()
        _last_flush[0] = _time.monotonic()
    written = 0
    by_store: dict[Store, list[tuple[Any, ...]]] = {}
    for (st, hour, action), (attempts, matches, throttled) in pending.items():
        by_store.setdefault(st, []).append((hour, action, attempts, matches, throttled))
    for st, rows in by_store.items():
        for attempt in range(5):
            try:
                with st.transaction() as cur:
                    cur.executemany(_COUNT_UPSERT, rows)
                written += len(rows)
                break
            except CONFLICTS:  # before StoreError: a ConflictError is one
                if attempt == 4:
                    log.warning("audit counters lost to write conflicts: %d rows", len(rows))
                _time.sleep(0.005 * (attempt + 1))
            except StoreError:
                break  # closed: nothing to write to
    return written


def counts(
    principal: Principal,
    *,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """The hourly counters (hour UTC, action, attempts, matches, throttled), newest first.
    Admins only."""
    require(principal, "admin")
    flush_counts()
    where, params = ["1=1"], []
    if action:
        where.append("action = ?")
        params.append(action)
    if since:
        where.append("hour >= ?")
        params.append(clock.to_utc_naive(since).replace(minute=0, second=0, microsecond=0))
    if until:
        where.append("hour < ?")
        params.append(clock.to_utc_naive(until))
    return (store or get_store()).df(
        "SELECT hour, action, attempts, matches, throttled FROM audit_counts WHERE "  # noqa: S608 - constant clauses; values bound
        + " AND ".join(where)
        + " ORDER BY hour DESC, action LIMIT 100000",
        params,
    )


atexit.register(flush_counts)
