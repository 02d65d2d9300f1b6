"""A person's risk status: one picture across the apps.

The apps that own a fact write it here as a *signal*, inside their own transaction; every app
reads the person's status (the worst active signal, with every active signal's source and
reason code). Sources:

- ``isolation``: F0/F1 on the home-isolation register (written by home isolation);
- ``declaration``: the colour of the person's latest health declaration (health declaration);
- ``exposure``: a check-in at a venue while an F0 was there (health declaration).

A person is named by the forms core's person key (``core.forms.identity.person_key``: the CCCD
itself, or a hash of the passport number); given as the id text, the id is compared too, so a
hash collision never mixes two people. Reading is an index lookup (``person_risk_person``):
well under 5 ms at city scale (benchmarks/risk_status.py).

This is a core service without a principal: the calling service has already checked its own
roles (a citizen's declaration, an officer's enrolment) and audits its reads.

An app rebuilds its signals (after an upgrade, or to repair) by offering the interface
``risk_signals(principal, *, store) -> DataFrame`` (columns of ``SIGNAL_COLUMNS``); ``rebuild``
replaces every source those frames name with what they hold.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core import clock

if TYPE_CHECKING:
    import pandas as pd

    from core.auth import Principal
    from core.store import Store

log = logging.getLogger(__name__)

SOURCES: tuple[str, ...] = ("isolation", "declaration", "exposure")
LEVELS: tuple[str, ...] = ("green", "yellow", "red")
RANK = {name: i for i, name in enumerate(LEVELS)}
SIGNAL_COLUMNS = ("person_id", "source", "ref", "level", "reason_code", "since", "until")
_MAX_REF = 200
_MAX_REASON = 100


class RiskError(ValueError):
    """A signal that cannot be recorded (unknown source or level, empty person)."""


@dataclass(frozen=True)
class Signal:
    """One active signal: where it comes from, how bad, why, and since/until when (naive UTC)."""

    source: str
    level: str
    reason_code: str
    since: datetime
    until: datetime | None
    ref: str


@dataclass(frozen=True)
class RiskStatus:
    """A person's status: ``level`` is the worst active signal's (``green`` when none);
    ``signals`` are the active ones, worst first."""

    level: str
    signals: tuple[Signal, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.source for s in self.signals))

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.reason_code for s in self.signals))

    def of(self, *sources: str) -> tuple[Signal, ...]:
        """The active signals of these sources."""
        return tuple(s for s in self.signals if s.source in sources)

    def level_of(self, *sources: str) -> str:
        """The worst level among the signals of ``sources`` (``green`` when none)."""
        return worst(s.level for s in self.of(*sources))

    @property
    def isolating(self) -> bool:
        """On the isolation register now (F0 or F1)."""
        return bool(self.of("isolation"))

    @property
    def exposed(self) -> bool:
        """A recent co-location with an F0."""
        return bool(self.of("exposure"))

    @property
    def must_stay_home(self) -> bool:
        """Isolating or recently exposed: no green pass, no venue check-in."""
        return self.isolating or self.exposed


GREEN = RiskStatus("green")


def worst(levels: Iterable[str]) -> str:
    """The worst of ``levels`` (``green`` when empty)."""
    return max(levels, key=lambda lv: RANK.get(lv, 0), default="green")


def _st(store: Store | None) -> Store:
    from core.store import get_store

    return store or get_store()


def _person(person: int | str) -> tuple[int, str | None]:
    """(person key, normalised id or None) of a key or an id text."""
    from core.forms.identity import normalize_person_id, person_key

    if isinstance(person, bool):
        raise RiskError("a person is a person key or an id, not a boolean")
    if isinstance(person, int):
        return person, None
    pid = normalize_person_id(person)
    if not pid:
        raise RiskError("empty person id")
    return person_key(pid), pid


def _check(source: str, level: str, reason_code: str, ref: str) -> None:
    if source not in SOURCES:
        raise RiskError(f"unknown risk source {source!r}; use one of {', '.join(SOURCES)}")
    if level not in RANK:
        raise RiskError(f"unknown risk level {level!r}; use one of {', '.join(LEVELS)}")
    if not reason_code or len(reason_code) > _MAX_REASON:
        raise RiskError("a reason code is 1 to 100 characters")
    if len(ref) > _MAX_REF:
        raise RiskError("a signal's ref is at most 200 characters")


def _actor(actor: Principal | str | None) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "actor", None) or str(actor)


def record(
    person_id: str,
    source: str,
    level: str,
    reason_code: str,
    since: datetime,
    until: datetime | None = None,
    ref: str = "",
    *,
    replace: bool = False,
    fresh: bool = False,
    actor: Principal | str | None = None,
    store: Store | None = None,
) -> None:
    """Record (or update) the signal ``(person, source, ref)``; it counts from ``since`` until
    ``until`` (None: until cleared). ``replace`` clears the person's other signals of this
    source (a new declaration replaces the last one; a new enrolment the previous one).
    ``fresh``: the caller knows ``ref`` is new (a random id just made) and, without
    ``replace``, that nothing needs clearing: one INSERT, no read first.
    Joins the caller's transaction. ``person_id`` is the CCCD/passport number."""
    from core.store import CONSTRAINTS, ConflictError

    key, pid = _person(person_id)
    assert pid is not None
    _check(source, level, reason_code, ref)
    st = _st(store)
    now = clock.utcnow_naive()
    begin = clock.to_utc_naive(since)
    end = clock.to_utc_naive(until) if until is not None else None
    with st.transaction() as cur:
        # One indexed read of the person's signals of this source decides the writes: a plain
        # INSERT for a new ref (an upsert costs DuckDB several times as much), an UPDATE for a
        # known one, and a clear only when older signals are still uncleared (``replace``).
        mine = (
            []
            if fresh and not replace
            else cur.execute(
                "SELECT ref, cleared_at FROM person_risk WHERE person_key = ? AND source = ?",
                [key, source],
            ).fetchall()
        )
        stale = [r for r, cleared in mine if r != ref and cleared is None]
        if replace and stale:
            cur.execute(
                "UPDATE person_risk SET cleared_at = ? WHERE person_key = ? AND source = ?"
                " AND list_contains(?, ref)",
                [now, key, source, stale],
            )
        values = [pid, level, RANK[level], reason_code, begin, end, now, _actor(actor)]
        if any(r == ref for r, _ in mine):
            cur.execute(
                "UPDATE person_risk SET person_id = ?, level = ?, level_rank = ?,"
                " reason_code = ?, since = ?, until = ?, cleared_at = NULL, recorded_at = ?,"
                " recorded_by = ? WHERE person_key = ? AND source = ? AND ref = ?",
                [*values, key, source, ref],
            )
            return
        try:
            cur.execute(
                "INSERT INTO person_risk (person_key, person_id, source, ref, level, level_rank,"
                " reason_code, since, until, cleared_at, recorded_at, recorded_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
                [key, pid, source, ref, *values[1:]],
            )
        except CONSTRAINTS as exc:  # the same signal, recorded concurrently
            raise ConflictError(str(exc)) from exc


def record_many(
    frame: pd.DataFrame,
    *,
    replace: bool = False,
    actor: Principal | str | None = None,
    store: Store | None = None,
) -> int:
    """Record many signals at once (columns ``SIGNAL_COLUMNS``; ``until`` may be missing or
    NaT): a bulk upsert, no loop per row in SQL. ``replace`` clears each person's other
    signals of the same source (as ``record`` does). Joins the caller's transaction. Returns
    the number of signals given."""
    import pandas as pd

    from core.forms.identity import normalize_person_id, person_key

    if frame.empty:
        return 0
    f = frame.copy()
    if "until" not in f:
        f["until"] = pd.NaT
    f["person_id"] = f["person_id"].map(normalize_person_id)
    f = f[f["person_id"] != ""]
    for source in set(f["source"]):
        if source not in SOURCES:
            raise RiskError(f"unknown risk source {source!r}")
    bad = set(f["level"]) - set(RANK)
    if bad:
        raise RiskError(f"unknown risk level(s) {sorted(bad)}")
    f["ref"] = f["ref"].astype(str).str.slice(0, _MAX_REF)
    f["reason_code"] = f["reason_code"].astype(str).str.slice(0, _MAX_REASON)
    f = f.drop_duplicates(["person_id", "source", "ref"], keep="last")
    now = clock.utcnow_naive()
    # The rows go in as one typed list parameter per column, unnested side by side (both
    # databases do): no registered DataFrame, no statement per row.
    columns = (
        ("person_key", "BIGINT", f["person_id"].map(person_key).astype("int64").tolist()),
        ("person_id", "VARCHAR", f["person_id"].tolist()),
        ("source", "VARCHAR", f["source"].tolist()),
        ("ref", "VARCHAR", f["ref"].tolist()),
        ("level", "VARCHAR", f["level"].tolist()),
        ("level_rank", "SMALLINT", f["level"].map(RANK).astype("int64").tolist()),
        ("reason_code", "VARCHAR", f["reason_code"].tolist()),
        ("since", "TIMESTAMP", _timestamps(f["since"])),
        ("until", "TIMESTAMP", _timestamps(f["until"])),
    )

    def unnested(chosen: tuple[tuple[str, str, list[Any]], ...]) -> str:
        return "(SELECT {}) AS n".format(
            ", ".join(f"unnest(CAST(? AS {kind}[])) AS {name}" for name, kind, _ in chosen)
        )

    rows = unnested(columns)
    upsert = (
        "INSERT INTO person_risk (person_key, person_id, source, ref, level, level_rank,"  # noqa: S608
        " reason_code, since, until, cleared_at, recorded_at, recorded_by)"
        " SELECT person_key, person_id, source, ref, level, level_rank, reason_code,"
        f" since, until, NULL, ?, ? FROM {rows}"
        " ON CONFLICT (person_key, source, ref) DO UPDATE SET"
        " level = excluded.level, level_rank = excluded.level_rank,"
        " reason_code = excluded.reason_code, since = excluded.since,"
        " until = excluded.until, cleared_at = NULL,"
        " recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by"
    )
    values = [column for _, _, column in columns]
    st = _st(store)
    with st.transaction() as cur:
        if replace:
            keys = (columns[0], columns[2], columns[3])  # person_key, source, ref
            cur.execute(
                f"UPDATE person_risk SET cleared_at = ? FROM {unnested(keys)}"  # noqa: S608
                " WHERE person_risk.person_key = n.person_key"
                " AND person_risk.source = n.source AND person_risk.ref <> n.ref"
                " AND person_risk.cleared_at IS NULL",
                [now, *(column for _, _, column in keys)],
            )
        cur.execute(upsert, [now, _actor(actor), *values])
    return len(f)


def _timestamps(series: pd.Series) -> list[datetime | None]:
    """Naive UTC datetimes of a column of times (NaT/None: None), for a TIMESTAMP[] parameter."""
    import numpy as np
    import pandas as pd

    stamps = pd.to_datetime(series)
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return np.where(stamps.notna().to_numpy(), stamps.dt.to_pydatetime(), None).tolist()


def clear(
    person_id: str,
    source: str,
    ref: str | None = None,
    *,
    store: Store | None = None,
) -> int:
    """End the person's active signals of ``source`` (only the one of ``ref`` when given):
    a release, a transfer that ends home isolation. Joins the caller's transaction. Returns
    how many were cleared."""
    key, pid = _person(person_id)
    if source not in SOURCES:
        raise RiskError(f"unknown risk source {source!r}")
    sql = (
        "UPDATE person_risk SET cleared_at = ? WHERE person_key = ? AND person_id = ?"
        " AND source = ? AND cleared_at IS NULL"
    )
    params: list[Any] = [clock.utcnow_naive(), key, pid, source]
    if ref is not None:
        sql += " AND ref = ?"
        params.append(ref)
    st = _st(store)
    with st.transaction() as cur:
        found = cur.execute(sql + " RETURNING 1", params).fetchall()
    return len(found)


def status(
    person: int | str, *, at: datetime | None = None, store: Store | None = None
) -> RiskStatus:
    """The person's status now (or ``at``): the worst active signal's level and every active
    signal, worst first. ``person`` is a person key or the CCCD/passport number."""
    key, pid = _person(person)
    when = clock.to_utc_naive(at) if at is not None else clock.utcnow_naive()
    # Only the key and ``since`` in SQL: DuckDB then reads the person's few rows through the
    # index; an IS NULL or an OR in the filter makes it scan the table (measured: 1 ms vs 4 ms
    # at 400,000 rows). The rest is checked here.
    sql = (
        "SELECT source, level, reason_code, since, until, ref, person_id, cleared_at"
        " FROM person_risk WHERE person_key = ? AND since <= ?"
        " ORDER BY level_rank DESC, since DESC"
    )
    rows = _st(store).fetchall(sql, [key, when])
    signals = tuple(
        Signal(source, level, reason, since, until, ref)
        for source, level, reason, since, until, ref, row_pid, cleared in rows
        if cleared is None and (until is None or until > when) and (pid is None or row_pid == pid)
    )
    if not signals:
        return GREEN
    return RiskStatus(signals[0].level, signals)


def rebuild(principal: Principal, *, store: Store | None = None) -> dict[str, int]:
    """Replace the signals of every app offering the interface ``risk_signals`` with what it
    gives now (administrators; audited). Returns the number of signals per source."""
    import pandas as pd

    from core import audit
    from core.auth import require
    from core.registry import get_registry

    require(principal, "admin")
    st = _st(store)
    registry = get_registry()
    frames = [
        registry.interface(app.id, "risk_signals")(principal, store=st)
        for app in registry.apps
        if "risk_signals" in app.interfaces
    ]
    frames = [f for f in frames if f is not None and not f.empty]
    counts: dict[str, int] = {}
    with st.transaction() as cur:
        if frames:
            every = pd.concat(frames, ignore_index=True)
            for source in sorted(set(every["source"])):
                cur.execute(
                    "UPDATE person_risk SET cleared_at = ? WHERE source = ? AND cleared_at IS NULL",
                    [clock.utcnow_naive(), source],
                )
                counts[source] = int((every["source"] == source).sum())
            record_many(every, actor=principal, store=st)
        audit.record(principal, "risk.rebuild", "person_risk", "all", counts, store=st)
    return counts


def counts(*, store: Store | None = None) -> dict[str, int]:
    """Active signals per source (for ``rapid stats`` and the dashboards)."""
    now = clock.utcnow_naive()
    return {
        str(source): int(n)
        for source, n in _st(store).fetchall(
            "SELECT source, count(*) FROM person_risk WHERE cleared_at IS NULL AND since <= ?"
            " AND (until IS NULL OR until > ?) GROUP BY source",
            [now, now],
        )
    }
