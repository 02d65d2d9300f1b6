"""Health officer analytics: queries (health_officer only) and their dashboard panels.

Filters are a local date range and a province/ward: Vietnam abolished districts in July 2025,
so the issue's "district" filter is a province + ward filter here.

Reads of personal health data are audited: the red/yellow list writes one row per view (the
filter and how many people it showed, not a row per person), opening one person's history one
row naming that person, and an export one row with the purpose the officer gave (required).
Counts and charts (no one named) are not audited.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd

from core import audit, clock, geo
from core.auth import Principal, require
from core.store import Store, get_store
from core.text import formula_safe

RISK_COLUMNS = (
    "declared_at, full_name, birth_year, person_id, phone, province_code, ward_code, street,"
    " colour, risk_reasons, holder_flag, fever, cough, exp_case, from_epidemic, id"
)
"""The columns of the on-screen red/yellow list."""


def export_columns() -> str:
    """The exported risk list: when, every column of the declaration form (a question added to
    the form is exported without touching this file), then the service's risk columns."""
    from apps.health_declaration.forms import DECLARATION
    from core.forms.storage import columns

    names = ["declared_at", *(c.name for c in columns(DECLARATION))]
    names += ["colour", "risk_reasons", "holder_flag", "from_epidemic", "id"]
    return ", ".join(f'"{n}"' for n in names)


@dataclass(frozen=True)
class Filters:
    """Local (Asia/Ho_Chi_Minh) dates, both inclusive; province/ward None = all."""

    start: date
    end: date
    province: int | None = None
    ward: int | None = None

    def audit(self) -> dict[str, Any]:
        """The filter as an audit row records it."""
        return {"from": self.start, "to": self.end, "province": self.province, "ward": self.ward}

    def utc_range(self) -> tuple[datetime, datetime]:
        lo = datetime.combine(self.start, time(0), tzinfo=clock.LOCAL_TZ)
        hi = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=clock.LOCAL_TZ)
        return clock.to_utc_naive(lo), clock.to_utc_naive(hi)


def _unit_filter(f: Filters) -> tuple[list[str], list[object]]:
    """The province/ward conditions of ``f`` (on ``province_code``/``ward_code``)."""
    parts: list[str] = []
    params: list[object] = []
    if f.province is not None:
        parts.append("province_code = ?")
        params.append(int(f.province))
    if f.ward is not None:
        parts.append("ward_code = ?")
        params.append(int(f.ward))
    return parts, params


def _where(f: Filters, time_col: str = "declared_at") -> tuple[str, list[object]]:
    lo, hi = f.utc_range()
    parts, params = _unit_filter(f)
    return " AND ".join([f"{time_col} >= ?", f"{time_col} < ?", *parts]), [lo, hi, *params]


def _st(store: Store | None) -> Store:
    return store or get_store()


_COUNTS = (
    "count(*) AS declarations, count(*) FILTER (WHERE fever OR cough) AS fever_cough,"
    " count(*) FILTER (WHERE exp_case) AS contacts,"
    " count(*) FILTER (WHERE from_epidemic) AS epidemic,"
    " count(*) FILTER (WHERE colour = 'red') AS red,"
    " count(*) FILTER (WHERE colour = 'yellow') AS yellow"
)
_COUNT_NAMES = ("declarations", "fever_cough", "contacts", "epidemic", "red", "yellow")
_LOCAL_DAY = "CAST(declared_at + INTERVAL 7 HOUR AS DATE)"


def _declaration_counts(st: Store, f: Filters, by: str | None) -> tuple[str, list[object]]:
    """One SELECT of ``by`` (``day``, ``ward_code`` or None) and the six counts of ``f``'s
    declarations: whole days before the roll-up's watermark from ``hd_declaration_daily``, the
    rest from ``hd_declarations``, added up. The caller groups by ``by``."""
    upto = refresh_rollup(DECLARATION_ROLLUP, store=st)
    lo, hi = f.utc_range()
    units, unit_params = _unit_filter(f)
    key = {"day": ("day", _LOCAL_DAY), "ward_code": ("ward_code", "ward_code"), None: None}[by]
    rolled_key = f"{key[0]} AS k, " if key else ""
    raw_key = f"{key[1]} AS k, " if key else ""
    rolled = " AND ".join(["day >= ?", "day <= ?", "day < CAST(? AS TIMESTAMP) + INTERVAL 7 HOUR"])
    raw = " AND ".join(["declared_at >= ?", "declared_at >= ?", "declared_at < ?"])
    if units:
        rolled += " AND " + " AND ".join(units)
        raw += " AND " + " AND ".join(units)
    sums = ", ".join(f"CAST(sum({n}) AS BIGINT) AS {n}" for n in _COUNT_NAMES)
    group = " GROUP BY 1" if key else ""
    sql = (
        "SELECT " + ("k, " if key else "") + sums + " FROM ("  # noqa: S608 - constant fragments; values bound
        "SELECT " + rolled_key + ", ".join(_COUNT_NAMES) + " FROM hd_declaration_daily"
        " WHERE " + rolled + " UNION ALL"
        " SELECT " + raw_key + _COUNTS + " FROM hd_declarations WHERE " + raw + group + ") AS u"
    )
    return sql, [f.start, f.end, upto, *unit_params, upto, lo, hi, *unit_params]


def summary(principal: Principal, f: Filters, *, store: Store | None = None) -> dict[str, int]:
    """Declarations, fever/cough, contacts, arrivals from epidemic areas, red, yellow."""
    require(principal, "health_officer")
    st = _st(store)
    sql, params = _declaration_counts(st, f, None)
    row = st.fetchone(sql, params)
    keys = ("declarations", "fever_cough", "contacts", "epidemic", "red", "yellow")
    return {k: int(v or 0) for k, v in zip(keys, row, strict=True)}


def per_day(principal: Principal, f: Filters, *, store: Store | None = None) -> pd.DataFrame:
    """Per local day: declarations, fever_cough, contacts, epidemic."""
    require(principal, "health_officer")
    st = _st(store)
    sql, params = _declaration_counts(st, f, "day")
    frame = st.df(sql + " GROUP BY k ORDER BY k", params)
    frame = frame.rename(columns={"k": "day"})
    return frame[["day", "declarations", "fever_cough", "contacts", "epidemic"]]


def per_ward(
    principal: Principal, f: Filters, *, top: int = 30, store: Store | None = None
) -> pd.DataFrame:
    """The ``top`` wards by declarations, with fever/cough, contacts, epidemic, red, yellow."""
    require(principal, "health_officer")
    st = _st(store)
    sql, params = _declaration_counts(st, f, "ward_code")
    frame = st.df(
        sql + " GROUP BY k ORDER BY declarations DESC, k LIMIT ?",
        [*params, max(1, min(int(top), 500))],
    ).rename(columns={"k": "ward_code"})
    frame.insert(1, "ward", [geo.ward_name(int(w)) for w in frame["ward_code"]])
    return frame


def risk_list(
    principal: Principal,
    f: Filters,
    colours: tuple[str, ...] = ("red", "yellow"),
    *,
    limit: int = 500,
    store: Store | None = None,
) -> pd.DataFrame:
    """Red/yellow declarations, newest first (the people to reach); times in local time.
    One audit row per call: the filter and the number of people shown."""
    frame = _risk_rows(principal, f, colours, limit, store, RISK_COLUMNS)
    audit.record(
        principal,
        "hd.risk.view",
        "risk_list",
        ",".join(colours),
        {"rows": len(frame), "colours": list(colours), "filters": f.audit(), "limit": limit},
        store=store,
    )
    return frame


def _risk_rows(
    principal: Principal,
    f: Filters,
    colours: tuple[str, ...],
    limit: int,
    store: Store | None,
    columns: str,
) -> pd.DataFrame:
    """The risk list with the given (constant) columns.

    Two steps keep it fast over millions of rows: find the time of the ``limit``-th newest
    match reading two columns only, then read the full rows from that time on (declarations
    are stored in time order, so that read is pruned to the last row groups).
    """
    require(principal, "health_officer")
    where, params = _where(f)
    wanted = [c for c in colours if c in ("red", "yellow", "green")] or ["red"]
    lim = max(1, min(int(limit), 1_000_000))
    st = _st(store)
    cond = where + " AND list_contains(?, colour)"
    cutoff = st.scalar(
        "SELECT declared_at FROM hd_declarations WHERE "  # noqa: S608 - constant fragments; values bound
        + cond  # noqa: S608 - constant SQL fragments only; values bound
        + " ORDER BY declared_at DESC LIMIT 1 OFFSET ?",
        [*params, wanted, lim - 1],
    )
    extra, more = ("", []) if cutoff is None else (" AND declared_at >= ?", [cutoff])
    frame = st.df(
        "SELECT "  # noqa: S608 - constant fragments; values bound
        + columns
        + " FROM hd_declarations WHERE "
        + cond
        + extra  # noqa: S608 - constant SQL fragments only; values bound
        + " ORDER BY declared_at DESC LIMIT ?",
        [*params, wanted, *more, lim],
    )
    frame["declared_at"] = clock.local_times(frame["declared_at"])
    return frame


@dataclass(frozen=True)
class PersonHistory:
    """One person's declarations (newest first) and check-ins in the filter's range."""

    person_id: str
    declarations: pd.DataFrame
    checkins: pd.DataFrame


def person_history(
    principal: Principal, person_id: str, f: Filters, *, store: Store | None = None
) -> PersonHistory:
    """Drill-down: every declaration of one person and their check-ins in the filter's date
    range. One audit row: who opened whom, and how many rows they saw."""
    require(principal, "health_officer")
    from apps.health_declaration.service import _checkins_of
    from core.forms.identity import normalize_person_id, person_key

    pid = normalize_person_id(person_id)
    declarations = (
        _st(store)
        .df(
            "SELECT * FROM hd_declarations WHERE person_key = ? AND person_id = ?"
            " ORDER BY declared_at DESC LIMIT 1000",
            [person_key(pid), pid],
        )
        .drop(columns="person_key")
    )
    lo, hi = f.utc_range()
    checkins = _checkins_of(pid, lo, hi, store=store)
    audit.record(
        principal,
        "hd.person.open",
        "person",
        pid[:20],
        {"declarations": len(declarations), "checkins": len(checkins), "filters": f.audit()},
        store=store,
    )
    return PersonHistory(pid, declarations, checkins)


PURPOSE_MIN = 5
"""Characters an export's purpose needs at least (a word or two, not a dot)."""


class PurposeMissing(ValueError):
    """An export without a purpose (the message is for the officer, translated)."""


def export_risk(
    principal: Principal,
    f: Filters,
    fmt: str = "csv",
    colours: tuple[str, ...] = ("red", "yellow"),
    *,
    purpose: str = "",
    locale: str | None = None,
    store: Store | None = None,
) -> bytes:
    """The risk list as CSV (UTF-8 with BOM, for Excel) or Parquet; text cells formula-safe.
    The CSV is what a person opens: headers are labels in ``locale`` (the current language
    by default), cells readable (``readable_declarations``); Parquet keeps stored columns.
    A bulk export of personal data: ``purpose`` is required and recorded in the audit row with
    the filter and the number of rows (pages build it only when the user clicks)."""
    require(principal, "health_officer")
    if fmt not in ("csv", "parquet"):
        raise ValueError("format must be csv or parquet")
    why = " ".join(str(purpose or "").split())[:500]
    if len(why) < PURPOSE_MIN:
        from core.i18n import t

        raise PurposeMissing(t("hd.err.purpose"))
    frame = _risk_rows(principal, f, colours, 1_000_000, store, export_columns())
    audit.record(
        principal,
        "hd.risk.export",
        "risk_list",
        fmt,
        {
            "rows": len(frame),
            "colours": list(colours),
            "filters": f.audit(),
            "purpose": why,
        },
        store=store,
    )
    if fmt == "csv":  # a file a person opens: labels, names, local times, words
        frame = readable_declarations(frame, locale, times_local=True)
    for col in frame.columns:
        if pd.api.types.is_object_dtype(frame[col]) or pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].map(formula_safe)
    buf = io.BytesIO()
    if fmt == "parquet":  # for data tools: the stored columns and values
        frame.to_parquet(buf, index=False)
        return buf.getvalue()
    return frame.to_csv(index=False).encode("utf-8-sig")


# -- declarations as a person reads them ------------------------------------------------------

_WORDS = {
    "colour": ("hd.col.colour", "hd.colour."),
    "holder_flag": ("hd.a.flag", "hd.flag."),
    "source": ("hd.col.source", "hd.source."),
}
_SERVICE_TIMES = {"expires_at": "hd.col.expires_at", "replaced_at": "hd.col.replaced_at"}


def _word(key: str, value: object, locale: str) -> str:
    """The catalogue's word for a stored code (the code itself when the catalogue has none)."""
    from core.i18n import catalog, t_in

    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return ""
    full = f"{key}{value}"
    return t_in(locale, full) if full in catalog() else str(value)


def _local_text(value: object, already_local: bool) -> str:
    """A stored time as "dd/mm/yyyy HH:MM" in Vietnam time ('' when empty)."""
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return ""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        return clock.fmt_local(stamp.to_pydatetime())
    if already_local:
        return stamp.strftime("%d/%m/%Y %H:%M")
    return clock.fmt_local(stamp.to_pydatetime())


def _choice_text(chosen: Any, value: object, locale: str) -> str:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return ""
    found = chosen.get(value) if chosen is not None else None
    if found is None and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        found = chosen.get(int(value)) if chosen is not None else None
    return found.text(locale) if found is not None else str(value)


def readable_declarations(
    frame: pd.DataFrame, locale: str | None = None, *, times_local: bool = False
) -> pd.DataFrame:
    """Declaration rows (any of their stored columns) as a person reads them: the form's
    question labels and the catalogue's labels as headers, choices as their labels (wards and
    provinces by name, symptoms named), yes/no for booleans, times in Vietnam time
    ("dd/mm/yyyy HH:MM"), words for colours and risk factors, empty cells empty.

    ``times_local``: the frame's times are already Vietnam wall time (``risk_list``)."""
    from apps.health_declaration.forms import DECLARATION
    from core.forms.storage import field_columns
    from core.i18n import get_locale, t_in

    loc = locale or get_locale()
    yes, no = t_in(loc, "common.yes"), t_in(loc, "common.no")
    rows = frame.to_dict("records")
    out: dict[str, list[Any]] = {}

    def put(label: str, values: list[Any]) -> None:
        out[label] = ["" if v is None else v for v in values]

    if "declared_at" in frame.columns:
        put(
            t_in(loc, "hd.col.declared_at"),
            [_local_text(r["declared_at"], times_local) for r in rows],
        )
    for f in DECLARATION.fields:
        present = [c for c in field_columns(DECLARATION, f) if c.name in frame.columns]
        if not present:
            continue
        label = DECLARATION.label(f.name, loc)
        chosen = DECLARATION.choice_list(f)
        if any(c.choice is not None for c in present):  # one yes/no column per choice
            put(
                label,
                [
                    ", ".join(_choice_text(chosen, c.choice, loc) for c in present if r[c.name])
                    for r in rows
                ],
            )
            continue
        name = present[0].name
        if f.base_type == "select_multiple":
            put(
                label,
                [
                    ", ".join(
                        _choice_text(chosen, code, loc)
                        for code in str(r[name] or "").split(",")
                        if code
                    )
                    for r in rows
                ],
            )
        elif f.base_type == "select_one":
            put(label, [_choice_text(chosen, r[name], loc) for r in rows])
        elif pd.api.types.is_bool_dtype(frame[name]) or f.base_type == "acknowledge":
            put(label, [yes if r[name] else no for r in rows])
        else:
            put(label, [r[name] for r in rows])
    for name, (label_key, prefix) in _WORDS.items():
        if name in frame.columns:
            put(t_in(loc, label_key), [_word(prefix, r[name], loc) for r in rows])
    if "risk_reasons" in frame.columns:
        put(
            t_in(loc, "hd.col.reasons"),
            [
                ", ".join(
                    _word("hd.cond.", c, loc) for c in str(r["risk_reasons"] or "").split(",") if c
                )
                for r in rows
            ],
        )
    if "from_epidemic" in frame.columns:
        put(t_in(loc, "hd.a.epidemic"), [yes if r["from_epidemic"] else no for r in rows])
    for name, label_key in _SERVICE_TIMES.items():
        if name in frame.columns:
            put(t_in(loc, label_key), [_local_text(r[name], times_local) for r in rows])
    if "id" in frame.columns:
        put(t_in(loc, "hd.col.id"), [r["id"] for r in rows])
    return pd.DataFrame(out, index=range(len(rows)))


def readable_checkins(frame: pd.DataFrame, locale: str | None = None) -> pd.DataFrame:
    """A person's check-ins (``CHECKIN_COLUMNS``) as read: venue, local time, ward, colour."""
    from core.i18n import get_locale, t_in

    loc = locale or get_locale()
    rows = frame.to_dict("records")
    return pd.DataFrame(
        {
            t_in(loc, "hd.a.venue"): [str(r.get("venue_name") or "") for r in rows],
            t_in(loc, "hd.col.checked_in_at"): [
                _local_text(r.get("checked_in_at"), False) for r in rows
            ],
            t_in(loc, "hd.f.ward"): [
                geo.ward_name(int(r["ward_code"])) if pd.notna(r.get("ward_code")) else ""
                for r in rows
            ],
            t_in(loc, "hd.col.colour"): [_word("hd.colour.", r.get("colour"), loc) for r in rows],
            t_in(loc, "hd.col.method"): [_word("hd.method.", r.get("method"), loc) for r in rows],
        },
        index=range(len(rows)),
    )


_HOURS = ", ".join(f"count(*) FILTER (WHERE EXTRACT(HOUR FROM t) = {i}) AS h{i}" for i in range(24))
_SUMS = ", ".join(f"sum(h{i}) AS h{i}" for i in range(24))


CHECKIN_ROLLUP = "checkin_hourly"
DECLARATION_ROLLUP = "declaration_daily"
_ROLLUPS: dict[str, tuple[str, str]] = {
    CHECKIN_ROLLUP: (
        "hd_checkin_daily",
        "INSERT INTO hd_checkin_daily SELECT venue_id, CAST(t AS DATE), "  # noqa: S608 - constant fragments
        + _HOURS
        + ", count(*) FROM (SELECT venue_id, checked_in_at + INTERVAL 7 HOUR AS t FROM hd_checkins"
        " WHERE checked_in_at >= ? AND checked_in_at < ?) AS c GROUP BY 1, 2",
    ),
    DECLARATION_ROLLUP: (
        "hd_declaration_daily",
        "INSERT INTO hd_declaration_daily SELECT "  # noqa: S608 - constant fragments
        + _LOCAL_DAY
        + ", province_code, ward_code, "
        + _COUNTS
        + " FROM hd_declarations WHERE declared_at >= ? AND declared_at < ? GROUP BY 1, 2, 3",
    ),
}
"""Each roll-up: its table and the INSERT that counts [watermark, new watermark) into it."""


def _local_midnight(day: date) -> datetime:
    return clock.to_utc_naive(datetime.combine(day, time(0), tzinfo=clock.LOCAL_TZ))


def refresh_rollup(name: str = CHECKIN_ROLLUP, *, store: Store | None = None) -> datetime:
    """Count the rows before today's local midnight into roll-up ``name`` (``_ROLLUPS``),
    incrementally. Called by the demo after a bulk load and lazily by the panels that read it.
    Returns the watermark (UTC). A concurrent refresh simply loses (nothing is counted twice).
    """
    from core.store import ConflictError

    st = _st(store)
    now = _local_midnight(clock.today_local())
    upto = st.scalar("SELECT upto FROM hd_rollup_state WHERE name = ?", [name])
    if upto is None or upto >= now:
        return upto or now
    try:
        with st.transaction() as cur:
            cur.execute(
                "UPDATE hd_rollup_state SET upto = ? WHERE name = ? AND upto = ?", [now, name, upto]
            )
            cur.execute(_ROLLUPS[name][1], [upto, now])
    except ConflictError:
        return upto
    return now


def rewind_rollups(since: datetime, *, store: Store | None = None) -> None:
    """Forget the roll-ups' counts from the local day of ``since`` (UTC) on, so that the next
    refresh counts those days again: for a bulk load that added rows before a watermark (the
    city demo after the small one)."""
    st = _st(store)
    day = clock.local(clock.to_utc_naive(since)).date()
    midnight = _local_midnight(day)
    with st.transaction() as cur:
        for name, (table, _insert) in _ROLLUPS.items():
            cur.execute(f"DELETE FROM {table} WHERE day >= ?", [day])  # noqa: S608 - constant names
            cur.execute(
                "UPDATE hd_rollup_state SET upto = ? WHERE name = ? AND upto > ?",
                [midnight, name, midnight],
            )


def checkins_hourly(
    principal: Principal, f: Filters, *, top: int = 15, store: Store | None = None
) -> pd.DataFrame:
    """Check-ins per venue per local hour of day for the ``top`` busiest venues in the range.

    Columns venue_id, venue, hour, checkins. The province/ward filter applies to the venue's
    address. Reads the daily roll-up before its watermark and raw check-ins after it.
    """
    require(principal, "health_officer")
    st = _st(store)
    upto = refresh_rollup(CHECKIN_ROLLUP, store=st)
    lo, hi = f.utc_range()
    units, params = _unit_filter(f)
    vwhere = " AND ".join(["status IN ('open', 'closed')", *units])
    venues = "SELECT id FROM hd_venues WHERE " + vwhere  # noqa: S608 - constant fragments; values bound
    rolled = (
        " FROM hd_checkin_daily WHERE day >= ? AND day <= ?"
        " AND day < CAST(? AS TIMESTAMP) + INTERVAL 7 HOUR AND venue_id IN ("
    )
    raw = st.df(
        "SELECT venue_id, CAST(EXTRACT(HOUR FROM checked_in_at + INTERVAL 7 HOUR) AS INTEGER)"  # noqa: S608 - constant fragments; values bound
        " AS hour, count(*) AS checkins"
        " FROM hd_checkins WHERE checked_in_at >= ? AND checked_in_at >= ? AND checked_in_at < ?"
        " AND venue_id IN (" + venues + ") GROUP BY 1, 2",
        [upto, lo, hi, *params],
    )
    # the busiest venues first, from the days' totals (one column), then their hours only
    totals = st.df(
        "SELECT venue_id, CAST(sum(total) AS BIGINT) AS checkins" + rolled + venues + ")"  # noqa: S608 - constant fragments; values bound
        " GROUP BY 1",
        [f.start, f.end, upto, *params],
    )
    totals = (
        pd.concat([totals, raw[["venue_id", "checkins"]]], ignore_index=True)
        .astype({"venue_id": "int64", "checkins": "int64"})
        .groupby("venue_id")["checkins"]
        .sum()
    )
    totals = totals[totals > 0].nlargest(max(1, min(int(top), 200)))
    if totals.empty:
        return pd.DataFrame(columns=["venue_id", "venue", "hour", "checkins"])
    chosen = [int(v) for v in totals.index]
    wide = st.df(
        "SELECT venue_id, " + _SUMS + rolled + "SELECT UNNEST(?::BIGINT[])) GROUP BY 1",  # noqa: S608 - constant fragments; values bound
        [f.start, f.end, upto, chosen],
    )
    hourly = wide.melt("venue_id", var_name="hour", value_name="checkins")
    hourly["hour"] = hourly["hour"].str[1:].astype("int64")
    both = pd.concat([hourly, raw[raw["venue_id"].isin(chosen)]], ignore_index=True)
    # whole numbers whatever the database typed them (PostgreSQL's sum() is NUMERIC, which an
    # empty roll-up leaves as object)
    both["checkins"] = pd.to_numeric(both["checkins"]).astype("int64")
    both["venue_id"] = both["venue_id"].astype("int64")
    both = both.groupby(["venue_id", "hour"], as_index=False)["checkins"].sum()
    both = both[both["checkins"] > 0]
    names = dict(
        st.fetchall(
            "SELECT id, name FROM hd_venues WHERE list_contains(?, id)",
            [chosen],
        )
    )
    both["venue"] = both["venue_id"].map(lambda v: names.get(int(v), str(v)))
    both["order"] = both["venue_id"].map(lambda v: -totals[v])
    both = both.sort_values(["order", "venue_id", "hour"]).drop(columns="order")
    both["checkins"] = both["checkins"].astype("int64")
    return both[["venue_id", "venue", "hour", "checkins"]].reset_index(drop=True)
