"""Health declaration service: all SQL and authorization of the app.

Public interface for other apps (stable; other apps must not read ``hd_*`` tables directly):

- ``co_checkins(person_id, since, until, window_minutes=60, *, store=None) -> DataFrame``
  contact tracing from venue check-ins (used by the home isolation app);
- ``checkins_of(person_id, since, until, *, store=None) -> DataFrame``;
- ``checkin_from_pass(principal, venue_id, claims)`` for the checkpoint scanner's venue mode;
- the view ``hd_checkins_v`` (venue_id, venue_name, checked_in_at, person_id, full_name, phone,
  ward_code, colour, method) for read-only SQL.

Times in and out: arguments may be aware (any zone) or naive UTC; returned timestamps are naive
UTC, as stored.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pandas as pd

from apps.health_declaration.models import normalize_person_id, person_key
from core import clock
from core.store import Store, get_store

log = logging.getLogger(__name__)

APP_ID = "health_declaration"

CO_CHECKIN_COLUMNS = [
    "venue_id",
    "venue_name",
    "source_checked_in_at",
    "candidate_id",
    "candidate_name",
    "candidate_phone",
    "candidate_ward",
    "candidate_checked_in_at",
    "overlap_minutes",
]
CHECKIN_COLUMNS = [
    "venue_id",
    "venue_name",
    "checked_in_at",
    "person_id",
    "full_name",
    "phone",
    "ward_code",
    "colour",
    "method",
]
_TRACE_CHUNK = 200  # source check-ins per UNION ALL query


def _st(store: Store | None) -> Store:
    return store or get_store()


# -- contact tracing (public interface; no Principal: callers authorize) -----------------------


def checkins_of(
    person_id: str, since: datetime, until: datetime, *, store: Store | None = None
) -> pd.DataFrame:
    """Check-ins of one person (CCCD/passport number) with ``since <= checked_in_at <= until``.

    Columns: venue_id, venue_name, checked_in_at, person_id, full_name, phone, ward_code,
    colour, method; oldest first. No Principal argument: the calling app must authorize (the
    home isolation service requires the health_officer role before calling it).
    """
    pid = normalize_person_id(person_id)
    if not pid:
        return pd.DataFrame(columns=CHECKIN_COLUMNS)
    return _st(store).df(
        "SELECT c.venue_id, v.name AS venue_name, c.checked_in_at, c.person_id, c.full_name,"
        " c.phone, c.ward_code, c.colour, c.method"
        " FROM hd_checkins c LEFT JOIN hd_venues v ON v.id = c.venue_id"
        " WHERE c.person_key = ? AND c.person_id = ? AND c.checked_in_at BETWEEN ? AND ?"
        " ORDER BY c.checked_in_at, c.venue_id",
        [person_key(pid), pid, clock.to_utc_naive(since), clock.to_utc_naive(until)],
    )


def co_checkins(
    person_id: str,
    since: datetime,
    until: datetime,
    window_minutes: int = 60,
    *,
    store: Store | None = None,
) -> pd.DataFrame:
    """Everyone else checked in at the same venue within +/- ``window_minutes`` of one of
    ``person_id``'s check-ins made in [since, until].

    ``person_id`` is the CCCD/passport number. One row per (source check-in, candidate
    check-in) pair, columns ``CO_CHECKIN_COLUMNS``: venue_id, venue_name, source_checked_in_at,
    candidate_id (CCCD/passport), candidate_name, candidate_phone, candidate_ward (ward code),
    candidate_checked_in_at, overlap_minutes = ``window_minutes - |difference|`` (how long two
    stays of ``window_minutes`` after each check-in overlap; 0 at the edge of the window).

    No Principal argument: the caller authorizes (the home isolation service requires the
    health_officer role before calling). Cost: one scan of the integer person key, then one
    zone-map-pruned range read per source check-in (check-ins are stored ordered by venue and
    time), well under a second over 20 million check-ins.
    """
    window = max(0, int(window_minutes))
    src = checkins_of(person_id, since, until, store=store)
    if src.empty:
        return pd.DataFrame(columns=CO_CHECKIN_COLUMNS)
    pid = normalize_person_id(person_id)
    pairs = src[["venue_id", "checked_in_at"]].drop_duplicates().itertuples(index=False)
    pairs = list(pairs)
    frames: list[pd.DataFrame] = []
    delta = timedelta(minutes=window)
    for start in range(0, len(pairs), _TRACE_CHUNK):
        chunk = pairs[start : start + _TRACE_CHUNK]
        parts: list[str] = []
        params: list[object] = []
        for venue_id, at in chunk:
            at = pd.Timestamp(at).to_pydatetime()
            parts.append(
                "SELECT ? AS venue_id, CAST(? AS TIMESTAMP) AS source_checked_in_at,"
                " person_id, full_name, phone, ward_code, checked_in_at FROM hd_checkins"
                " WHERE venue_id = ? AND checked_in_at BETWEEN ? AND ? AND person_id <> ?"
            )
            params += [int(venue_id), at, int(venue_id), at - delta, at + delta, pid]
        # Only constant SQL fragments are joined; every value is a bound parameter.
        sql = " UNION ALL ".join(parts)
        frames.append(_st(store).df(sql, params))
    found = pd.concat(frames, ignore_index=True)
    if found.empty:
        return pd.DataFrame(columns=CO_CHECKIN_COLUMNS)
    names = dict(
        _st(store).fetchall(
            "SELECT id, name FROM hd_venues WHERE id IN (SELECT UNNEST(?))",
            [sorted({int(v) for v in found["venue_id"]})],
        )
    )
    diff = (found["checked_in_at"] - found["source_checked_in_at"]).abs().dt.total_seconds()
    out = pd.DataFrame(
        {
            "venue_id": found["venue_id"].astype("int64"),
            "venue_name": found["venue_id"].map(lambda v: names.get(int(v), "")),
            "source_checked_in_at": found["source_checked_in_at"],
            "candidate_id": found["person_id"],
            "candidate_name": found["full_name"],
            "candidate_phone": found["phone"],
            "candidate_ward": found["ward_code"].astype("int64"),
            "candidate_checked_in_at": found["checked_in_at"],
            "overlap_minutes": (window - diff / 60.0).round(1),
        }
    )
    return out.sort_values(
        ["source_checked_in_at", "venue_id", "candidate_checked_in_at", "candidate_id"],
        ignore_index=True,
    )
