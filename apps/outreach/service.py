"""Outreach service: opening follow-up cases from risk events, the worker's list, call
attempts, and the reach figures. All SQL and role checks of the app live here.

Roles: ``health_worker`` (scoped to a ward: sees and acts on their ward's cases only; unscoped:
the whole city) works the lists; ``health_officer`` watches the figures and may open cases.
Reads of personal data (a worker's list) and every decision (an attempt) are audited.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from apps.outreach.forms import ATTEMPT
from apps.outreach.models import REACHED, OutreachSettings, outreach_settings
from core import audit, clock, geo
from core.auth import Area, PermissionDenied, Principal, require, require_area
from core.i18n import t
from core.notify import NotifyError, send_sms
from core.registry import get_registry
from core.store import CONFLICTS, Store, get_store
from core.ui.links import web_link

log = logging.getLogger(__name__)

WORKER = "health_worker"
OFFICER = "health_officer"
SYNC_KEY = "outreach.synced_upto"
CASE_COLUMNS = (
    "id, person_id, full_name, phone, ward_code, kind, level, reasons, venue_name, event_at,"
    " opened_at, due_on, events, attempts, last_attempt_at, outcome"
)


class OutreachError(Exception):
    """A refusal fit for the worker (already translated)."""


@dataclass(frozen=True)
class Opened:
    """What one opening run did: risk events seen, cases opened, and new events added to a
    case beside the one that opened it (a person's further events)."""

    events: int
    opened: int
    merged: int


def _st(store: Store | None) -> Store:
    return store or get_store()


def _settings() -> OutreachSettings:
    return outreach_settings()


def _local_day(at: datetime) -> date:
    shown = clock.local(at)
    assert shown is not None
    return shown.date()


def _area_wards(area: Area | None) -> list[int] | None:
    """The ward codes an area covers (None: everywhere)."""
    if area is None:
        return None
    if area.kind == "ward":
        return [area.code]
    return [w.code for w in geo.wards(area.code)]


def _scope(principal: Principal) -> list[int] | None:
    """Wards whose cases the principal sees (None: all): officers everywhere, a worker where
    they hold the role."""
    if principal.has(OFFICER):
        return None
    return _area_wards(principal.area(WORKER))


# -- opening cases --------------------------------------------------------------------------


def open_cases(
    principal: Principal,
    since: datetime,
    until: datetime,
    *,
    notify: bool = True,
    store: Store | None = None,
) -> Opened:
    """Open a follow-up case for each person with a risk event in [since, until) (from the
    health declaration app's ``risk_events``: red/yellow declarations, co-locations with an
    F0; and, when home isolation is installed, its ``followup_events``: a day an F1 missed
    on their follow-up calendar). One open case per person: a new event of someone already followed up is added to
    their open case; an event already seen is never counted twice (``or_events``). Health
    workers and officers; audited (counts)."""
    require(principal, WORKER, OFFICER)
    st = _st(store)
    events = get_registry().interface("health_declaration", "risk_events")(
        principal, since, until, notify=notify, store=st
    )
    followups = _followup_events(principal, since, until, st)
    if not followups.empty:
        events = followups if events.empty else pd.concat([events, followups], ignore_index=True)
    if events.empty:
        return Opened(0, 0, 0)
    events = events.sort_values("event_at", kind="stable").drop_duplicates(
        ["person_key", "event_key"]
    )
    for attempt in range(3):
        try:
            with st.transaction():
                opened, merged = _open(st, events)
                audit.record(
                    principal,
                    "outreach.open",
                    "cases",
                    "window",
                    {
                        "since": clock.to_utc_naive(since),
                        "until": clock.to_utc_naive(until),
                        "events": len(events),
                        "opened": opened,
                        "merged": merged,
                    },
                    store=st,
                )
            return Opened(len(events), opened, merged)
        except CONFLICTS:  # another worker's sync opened the same cases first: read again
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _followup_events(
    principal: Principal, since: datetime, until: datetime, st: Store
) -> pd.DataFrame:
    """The F1 follow-up days missed in the window (home isolation's ``followup_events``), or
    nothing when that app is not installed."""
    from core.registry import InterfaceError

    try:
        source = get_registry().interface("home_isolation", "followup_events")
    except InterfaceError:
        return pd.DataFrame()
    return source(principal, since, until, store=st)


def attempts_of(
    principal: Principal,
    person_ids: list[str],
    *,
    store: Store | None = None,
) -> pd.DataFrame:
    """Every call attempt to these people (CCCD/passport numbers): ``person_id``,
    ``attempted_at``, ``outcome``, ``reached`` (the outcome reached them). The interface the
    home isolation app's follow-up calendar reads. Health workers (their wards) and
    officers."""
    require(principal, WORKER, OFFICER)
    st = _st(store)
    ids = sorted({str(p) for p in person_ids if p})
    if not ids:
        return pd.DataFrame(columns=["person_id", "attempted_at", "outcome", "reached"])
    wards = _scope(principal)
    sql = (
        "SELECT c.person_id, a.attempted_at, a.outcome FROM or_attempts a"
        " JOIN or_cases c ON c.id = a.case_id WHERE c.person_id IN (SELECT UNNEST(?::VARCHAR[]))"
    )
    params: list[Any] = [ids]
    if wards is not None:
        sql += " AND list_contains(?, c.ward_code)"
        params.append(wards)
    frame = st.df(sql + " ORDER BY a.attempted_at", params)
    frame["reached"] = frame["outcome"].isin(sorted(REACHED))
    return frame


def _open(st: Store, events: pd.DataFrame) -> tuple[int, int]:
    """Insert the new events, a case for each person without an open one (inside a
    transaction). Returns (cases opened, events merged into open cases)."""
    keys = [int(k) for k in events["person_key"].astype("int64").drop_duplicates()]
    seen = st.df(
        "SELECT person_key, event_key FROM or_events"
        " WHERE person_key IN (SELECT UNNEST(?::BIGINT[]))",
        [keys],
    )
    open_cases_ = st.df(
        "SELECT person_key, id FROM or_cases"
        " WHERE person_key IN (SELECT UNNEST(?::BIGINT[])) AND status = 'open'",
        [keys],
    )
    fresh = events
    if not seen.empty:
        known = set(zip(seen["person_key"].astype("int64"), seen["event_key"], strict=True))
        mask = [
            (int(k), e) not in known
            for k, e in zip(events["person_key"], events["event_key"], strict=True)
        ]
        fresh = events[mask]
    if fresh.empty:
        return 0, 0
    case_of = dict(zip(open_cases_["person_key"].astype("int64"), open_cases_["id"], strict=True))
    fresh = fresh.assign(person_key=fresh["person_key"].astype("int64"))
    first = fresh.drop_duplicates("person_key")  # oldest event of each person (sorted above)
    new_people = first[~first["person_key"].isin(list(case_of))]
    now = clock.utcnow_naive()
    ids = [f"OR{secrets.token_hex(6).upper()}" for _ in range(len(new_people))]
    case_of.update(zip(new_people["person_key"], ids, strict=True))
    if len(new_people):
        event_at = pd.to_datetime(new_people["event_at"])
        st.insert_df(
            "or_cases",
            pd.DataFrame(
                {
                    "id": ids,
                    "person_key": new_people["person_key"].to_numpy(),
                    "person_id": new_people["person_id"].to_numpy(),
                    "full_name": new_people["full_name"].to_numpy(),
                    "phone": new_people["phone"].to_numpy(),
                    "ward_code": new_people["ward_code"].astype("int64").to_numpy(),
                    "lang": new_people["lang"].fillna("vi").to_numpy(),
                    "kind": new_people["kind"].to_numpy(),
                    "level": new_people["level"].to_numpy(),
                    "reasons": new_people["reasons"].fillna("").to_numpy(),
                    "venue_name": new_people["venue_name"].fillna("").to_numpy(),
                    "event_at": event_at.to_numpy(),
                    "opened_at": now,
                    "due_on": _local_days(event_at),
                    "events": 0,
                    "status": "open",
                }
            ),
        )
    st.insert_df(
        "or_events",
        pd.DataFrame(
            {
                "person_key": fresh["person_key"].to_numpy(),
                "event_key": fresh["event_key"].to_numpy(),
                "case_id": fresh["person_key"].map(case_of).to_numpy(),
                "kind": fresh["kind"].to_numpy(),
                "event_at": pd.to_datetime(fresh["event_at"]).to_numpy(),
                "recorded_at": now,
            }
        ),
    )
    counts = fresh["person_key"].map(case_of).value_counts()
    st.execute(
        "UPDATE or_cases SET events = or_cases.events + f.n"
        " FROM (SELECT UNNEST(?::VARCHAR[]) AS id, UNNEST(?::BIGINT[]) AS n) f"
        " WHERE or_cases.id = f.id",
        [[str(i) for i in counts.index], [int(n) for n in counts.to_numpy()]],
    )
    return len(new_people), len(fresh) - len(new_people)


def _local_days(times: pd.Series) -> pd.Series:
    """Local (Asia/Ho_Chi_Minh) dates of naive UTC times."""
    return pd.Series(clock.local_times(times.reset_index(drop=True)).dt.date)


def sync(
    principal: Principal,
    *,
    force: bool = False,
    notify: bool = True,
    store: Store | None = None,
) -> Opened:
    """Open the cases of risk events since the last sync (looking ``lookback_hours`` back, so
    an F0 registered today reveals yesterday's contacts), at most every ``sync_minutes``
    unless ``force``. Health workers and officers."""
    require(principal, WORKER, OFFICER)
    st = _st(store)
    cfg = _settings()
    now = clock.utcnow_naive()
    last = st.get_state(SYNC_KEY)
    last_at = datetime.fromisoformat(last) if last else None
    if not force and last_at is not None and now - last_at < timedelta(minutes=cfg.sync_minutes):
        return Opened(0, 0, 0)
    since = now - timedelta(hours=cfg.lookback_hours)
    # up to and including this microsecond (a declaration made just now counts)
    done = open_cases(principal, since, now + timedelta(microseconds=1), notify=notify, store=st)
    st.set_state(SYNC_KEY, now.isoformat())
    return done


# -- the worker's list and attempts ----------------------------------------------------------


def today_list(
    principal: Principal, *, limit: int | None = None, store: Store | None = None
) -> pd.DataFrame:
    """The open cases due today or overdue in the worker's ward(s), oldest first: what to do
    today. Health workers. A read of personal data: one audit row (how many, which ward)."""
    require(principal, WORKER)
    st = _st(store)
    wards = _area_wards(principal.area(WORKER))
    lim = max(1, min(int(limit or _settings().list_limit), 5000))
    sql = (
        "SELECT " + CASE_COLUMNS + " FROM or_cases"  # noqa: S608 - constant columns
        " WHERE status = 'open' AND due_on <= ?"
    )
    params: list[Any] = [clock.today_local()]
    if wards is not None:
        sql += " AND list_contains(?, ward_code)"
        params.append(wards)
    found = st.df(sql + " ORDER BY event_at, id LIMIT ?", [*params, lim])
    audit.record(
        principal,
        "outreach.list.read",
        "cases",
        "today",
        {"rows": len(found), "wards": wards[:20] if wards else "all"},
        store=st,
    )
    return found


def _case(st: Store, case_id: str) -> dict[str, Any]:
    rows = st.records(
        "SELECT id, person_key, full_name, phone, ward_code, lang, status, attempts, reached_at"
        " FROM or_cases WHERE id = ?",
        [str(case_id)[:40]],
    )
    if not rows:
        raise OutreachError(t("or.err.no_case"))
    return rows[0]


def record_attempt(
    principal: Principal,
    case_id: str,
    raw: Mapping[str, Any],
    *,
    store: Store | None = None,
) -> dict[str, Any]:
    """Record one call with the answers of ``ATTEMPT`` (the outcome, a note): reached,
    referred or enrolled close the case (reached now); not reachable brings it back tomorrow
    (closed after ``max_attempts`` calls) and sends the person an SMS asking them to call
    back; a wrong number closes it. Health workers of the case's ward; audited. Raises
    ``FormInvalid`` (a bad outcome), ``OutreachError`` (no such case, already closed)."""
    require(principal, WORKER)
    st = _st(store)
    head = _case(st, case_id)
    require_area(principal, WORKER, ward_code=head["ward_code"])
    values = ATTEMPT.validate(raw)
    outcome, note = str(values["outcome"]), str(values.get("note") or "")
    cfg = _settings()
    now = clock.utcnow_naive()
    with st.transaction():
        row = _case(st, case_id)
        if row["status"] != "open":
            raise OutreachError(t("or.err.closed"))
        number = int(row["attempts"]) + 1
        st.execute(
            "INSERT INTO or_attempts (case_id, attempt_no, attempted_at, outcome, note, worker)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [row["id"], number, now, outcome, note, principal.actor],
        )
        closed = outcome in REACHED or outcome == "wrong_number"
        if outcome == "not_reachable" and number >= cfg.max_attempts:
            closed = True
        due = clock.today_local() + timedelta(days=1)
        st.execute(
            "UPDATE or_cases SET attempts = ?, last_attempt_at = ?, outcome = ?,"
            " reached_at = CASE WHEN ? THEN coalesce(reached_at, ?) ELSE reached_at END,"
            " status = ?, closed_at = ?, due_on = CASE WHEN ? THEN ? ELSE due_on END"
            " WHERE id = ?",
            [number, now, outcome, outcome in REACHED, now, "closed" if closed else "open",
             now if closed else None, not closed, due, row["id"]],
        )  # fmt: skip
        audit.record(
            principal,
            "outreach.attempt",
            "case",
            row["id"],
            {"outcome": outcome, "attempt": number, "closed": closed, "note": note[:200]},
            store=st,
        )
    if outcome == "not_reachable":
        _notify_missed(row, number, st)
    return {**row, "attempts": number, "outcome": outcome, "status": "closed" if closed else "open"}


def _notify_missed(row: Mapping[str, Any], number: int, st: Store) -> None:
    """The outreach notice after a call that did not get through, once per attempt."""
    try:
        send_sms(
            str(row["phone"]),
            "or.sms.missed",
            kind="outreach",
            dedupe_key=f"or.missed:{row['id']}:{number}",
            lang=str(row["lang"] or "vi"),
            store=st,
            ward=geo.ward_name(int(row["ward_code"])),
            link=web_link("/khai-bao"),
        )
    except NotifyError:  # a landline: the next call is the only way
        log.info("case %s: no mobile number for the outreach notice", row["id"])


# -- figures -----------------------------------------------------------------------------------


def _window(st: Store, days: int, wards: list[int] | None) -> tuple[date, date] | None:
    """The ``days`` local days ending with the latest case's (today when it is recent)."""
    sql = "SELECT max(event_at) FROM or_cases"
    params: list[Any] = []
    if wards is not None:
        sql += " WHERE list_contains(?, ward_code)"
        params.append(wards)
    latest = st.scalar(sql, params)
    if latest is None:
        return None
    end = min(_local_day(latest), clock.today_local())
    return end - timedelta(days=max(1, days) - 1), end


def reach(principal: Principal, *, days: int = 14, store: Store | None = None) -> pd.DataFrame:
    """Per local day of the risk event and ward: people at risk (cases), how many were
    reached within 24 h and within 72 h of the event, the shares, and how many are still
    open. The last ``days`` days with cases. Health workers (their wards) and officers."""
    require(principal, WORKER, OFFICER)
    st = _st(store)
    wards = _scope(principal)
    window = _window(st, days, wards)
    cols = ["day", "ward_code", "cases", "within_24h", "within_72h", "open", "share_24h",
            "share_72h"]  # fmt: skip
    if window is None:
        return pd.DataFrame(columns=cols)
    lo = _midnight_utc(window[0])
    hi = _midnight_utc(window[1] + timedelta(days=1))
    sql = (
        "SELECT CAST(timezone('Asia/Ho_Chi_Minh', timezone('UTC', event_at)) AS DATE) AS day,"
        " ward_code, count(*) AS cases,"
        " count(*) FILTER (WHERE reached_at <= event_at + INTERVAL 24 HOUR) AS within_24h,"
        " count(*) FILTER (WHERE reached_at <= event_at + INTERVAL 72 HOUR) AS within_72h,"
        " count(*) FILTER (WHERE status = 'open') AS open"
        " FROM or_cases WHERE event_at >= ? AND event_at < ?"
    )
    params: list[Any] = [lo, hi]
    if wards is not None:
        sql += " AND list_contains(?, ward_code)"
        params.append(wards)
    frame = st.df(sql + " GROUP BY 1, 2 ORDER BY day, ward_code", params)
    frame["share_24h"] = (frame["within_24h"] / frame["cases"]).fillna(0.0)
    frame["share_72h"] = (frame["within_72h"] / frame["cases"]).fillna(0.0)
    return frame[cols]


def _midnight_utc(day: date) -> datetime:
    from datetime import time as dtime

    return clock.to_utc_naive(datetime.combine(day, dtime(0), tzinfo=clock.LOCAL_TZ))


def reach_per_day(frame: pd.DataFrame) -> pd.DataFrame:
    """``reach`` summed over wards: one row per day with the shares."""
    if frame.empty:
        return pd.DataFrame(columns=["day", "cases", "within_24h", "within_72h", "share_24h",
                                     "share_72h"])  # fmt: skip
    out = frame.groupby("day", as_index=False)[["cases", "within_24h", "within_72h"]].sum()
    out["share_24h"] = out["within_24h"] / out["cases"]
    out["share_72h"] = out["within_72h"] / out["cases"]
    return out


def backlog(principal: Principal, *, store: Store | None = None) -> pd.DataFrame:
    """Open cases per ward: how many, how many due today or overdue, and the oldest event.
    Health workers (their wards) and officers."""
    require(principal, WORKER, OFFICER)
    st = _st(store)
    wards = _scope(principal)
    sql = (
        "SELECT ward_code, count(*) AS open, count(*) FILTER (WHERE due_on <= ?) AS due,"
        " min(event_at) AS oldest FROM or_cases WHERE status = 'open'"
    )
    params: list[Any] = [clock.today_local()]
    if wards is not None:
        sql += " AND list_contains(?, ward_code)"
        params.append(wards)
    return st.df(sql + " GROUP BY ward_code ORDER BY due DESC, ward_code", params)


def due_count(principal: Principal, *, store: Store | None = None) -> int:
    """How many open cases are due today or overdue in the worker's ward(s) (health workers):
    the length of today's list, without reading anyone's details (not audited)."""
    require(principal, WORKER)
    wards = _area_wards(principal.area(WORKER))
    sql = "SELECT count(*) FROM or_cases WHERE status = 'open' AND due_on <= ?"
    params: list[Any] = [clock.today_local()]
    if wards is not None:
        sql += " AND list_contains(?, ward_code)"
        params.append(wards)
    return int(_st(store).scalar(sql, params) or 0)


def pending_work(principal: Principal, *, store: Store | None = None) -> list[tuple[str, int, str]]:
    """The home page's line for this app: a health worker's cases due today (nothing for other
    roles). ``[(message key, count, page key)]``."""
    if not principal.has(WORKER):
        return []
    n = due_count(principal, store=store)
    return [("or.pending.due", n, "outreach.today")] if n else []


def stats(store: Store) -> dict[str, int]:
    """Counts for ``rapid stats``."""
    row = store.fetchone(
        "SELECT count(*), count(*) FILTER (WHERE status = 'open'),"
        " count(*) FILTER (WHERE reached_at IS NOT NULL) FROM or_cases"
    )
    return {
        "cases": int(row[0]),
        "open": int(row[1] or 0),
        "reached": int(row[2] or 0),
        "attempts": int(store.scalar("SELECT count(*) FROM or_attempts")),
    }


__all__ = [
    "Opened",
    "attempts_of",
    "OutreachError",
    "PermissionDenied",
    "backlog",
    "due_count",
    "open_cases",
    "pending_work",
    "reach",
    "reach_per_day",
    "record_attempt",
    "stats",
    "sync",
    "today_list",
]
