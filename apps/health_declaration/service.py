"""Health declaration service: all SQL and authorization of the app.

Interfaces for other apps (``App.interfaces``; other apps call them through
``get_registry().interface("health_declaration", name)`` and never import this module nor
read ``hd_*`` tables directly). Each takes the caller's principal first and checks the role
itself (``health_officer``):

- ``co_checkins(principal, person_id, since, until, window_minutes=60, *, store=None)``
  contact tracing from venue check-ins (used by the home isolation app);
- ``checkins_of(principal, person_id, since, until, *, store=None) -> DataFrame``;
- ``checkin_from_pass(principal, venue_id, claims)`` for the checkpoint scanner's venue mode
  (``TokenType.on_venue_scan``);
- the view ``hd_checkins_v`` (venue_id, venue_name, checked_in_at, person_id, full_name, phone,
  ward_code, colour, method) for read-only SQL.

Citizens (no account) reach their own pass only: the phone that declared keeps a secret
(``PassResult.holder_secret``, kept in a cookie by the web page), and another phone gets one by
entering a one-time code sent by SMS to the declared number (``request_code`` then
``redeem_code``). Knowing someone's phone number and CCCD shows nothing and checks no one in.
Public look-ups are limited per client (the web layer) and per identity (here: per CCCD and per
phone number, ``core.web.security.Quota``), and audited in aggregate (``core.audit.count``).
Officers' reads of personal data are audited (who looked at whom).

Times in and out: arguments may be aware (any zone) or naive UTC; returned timestamps are naive
UTC, as stored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd

from apps.health_declaration import PASS_PREFIX, VENUE_PREFIX
from apps.health_declaration.forms import AREA, DECLARATION, LOOKUP, VENUE
from apps.health_declaration.models import (
    COLOUR_CODE,
    COLOURS,
    HealthSettings,
    PassClaims,
    RiskRule,
    VenueClaims,
)
from core import audit, clock, geo, risk
from core.auth import Principal, require
from core.config import get_settings
from core.forms import storage
from core.forms.identity import normalize_person_id, person_key
from core.forms.table import TableResult
from core.i18n import get_locale, t, t_in
from core.notify import NotifyError, SendResult, send_sms
from core.qr import render
from core.qr import service as qr
from core.store import CONFLICTS, CONSTRAINTS, Store, get_store
from core.text import mask_id
from core.ui.links import web_link
from core.web.security import Quota, spend_quotas

log = logging.getLogger(__name__)

APP_ID = "health_declaration"
CHECKIN_PATH = "/check-in"

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


def _actor(principal: Principal | None) -> str:
    """Who to record for a public entry point (``anonymous`` without a principal)."""
    return principal.actor if principal is not None else "anonymous"


# -- contact tracing (interfaces for other apps; each checks the role itself) -------------------


def checkins_of(
    principal: Principal,
    person_id: str,
    since: datetime,
    until: datetime,
    *,
    store: Store | None = None,
) -> pd.DataFrame:
    """Check-ins of one person (CCCD/passport number) with ``since <= checked_in_at <= until``.

    Columns: venue_id, venue_name, checked_in_at, person_id, full_name, phone, ward_code,
    colour, method; oldest first. Health officers only (whoever the calling app is). A read of
    personal data: one audit row (who looked at whom, how many rows).
    """
    require(principal, "health_officer")
    found = _checkins_of(person_id, since, until, store=store)
    _audit_read(principal, "hd.checkins.read", person_id, len(found), since, until, store)
    return found


def _audit_read(
    principal: Principal,
    action: str,
    person_id: str,
    rows: int,
    since: datetime,
    until: datetime,
    store: Store | None,
) -> None:
    audit.record(
        principal,
        action,
        "person",
        normalize_person_id(person_id)[:20],
        {"rows": rows, "since": clock.to_utc_naive(since), "until": clock.to_utc_naive(until)},
        store=store,
    )


def _checkins_of(
    person_id: str, since: datetime, until: datetime, *, store: Store | None = None
) -> pd.DataFrame:
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
    principal: Principal,
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

    Health officers only: the caller's principal is checked here, whichever app calls. Cost:
    one scan of the integer person key, then one zone-map-pruned range read per source
    check-in (check-ins are stored ordered by venue and time), well under a second over 20
    million check-ins.
    """
    require(principal, "health_officer")
    found = _co_checkins(person_id, since, until, window_minutes, store=store)
    _audit_read(principal, "hd.contacts.read", person_id, len(found), since, until, store)
    return found


def _co_checkins(
    person_id: str,
    since: datetime,
    until: datetime,
    window_minutes: int,
    *,
    store: Store | None = None,
) -> pd.DataFrame:
    window = max(0, int(window_minutes))
    src = _checkins_of(person_id, since, until, store=store)
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
            "SELECT id, name FROM hd_venues WHERE id IN (SELECT UNNEST(?::BIGINT[]))",
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


# -- settings, errors, results -------------------------------------------------------------------


class HealthError(Exception):
    """A problem with a message fit for the citizen or officer (already translated)."""


class RateLimited(HealthError):
    """Too many declarations for this CCCD/passport or this phone number in the last hour.
    The message is the same whichever limit it was (no hint that a number declared recently);
    ``wait_s`` says when to try again."""

    def __init__(self, wait_s: float) -> None:
        self.wait_s = max(1, int(wait_s))
        super().__init__(t("hd.err.try_later"))


class CheckinError(HealthError):
    """A check-in was refused (forged/expired venue QR, closed venue, no valid declaration)."""


class CodeError(HealthError):
    """A one-time code was wrong, expired, used, or tried too often (one message for all)."""


def settings() -> HealthSettings:
    return get_settings().app_settings(APP_ID, HealthSettings)  # type: ignore[return-value]


@dataclass(frozen=True)
class PassResult:
    """A personal health pass as shown to its holder. ``reasons`` (the risk conditions met) are
    given to staff only (a declaration entered by an officer); a citizen's pass carries the
    colour and what to do next, never the reasons. ``holder_secret`` is the new secret of the
    phone that declared (the web page keeps it in a cookie); ``flagged`` says the declaration
    was made while the person had a valid pass from another phone (officers see it)."""

    declaration_id: str
    token_id: str | None
    text: str | None
    colour: str
    reasons: tuple[str, ...]
    full_name: str
    birth_year: int
    masked_id: str
    declared_at: datetime
    expires_at: datetime | None
    replaced_previous: bool = False
    holder_secret: str | None = None
    flagged: bool = False


@dataclass(frozen=True)
class HeldPass:
    """A pass a phone holds (through the secret in its cookie): ``state`` is ``valid``
    (``result`` is the pass), ``expired`` or ``replaced`` (declare again)."""

    secret: str
    full_name: str
    state: str
    result: PassResult | None = None


@dataclass(frozen=True)
class Unlocked:
    """A code entered right: the phone's new secret and the pass it now holds."""

    secret: str
    held: HeldPass


@dataclass(frozen=True)
class CheckinResult:
    venue_id: int
    venue_name: str
    checked_in_at: datetime
    full_name: str
    colour: str


@dataclass(frozen=True)
class Venue:
    id: int
    name: str
    kind: str
    province_code: int
    ward_code: int
    street: str
    contact_phone: str
    status: str
    token_id: str | None
    created_by: str
    link: str = ""

    @property
    def address(self) -> str:
        """Street, ward, province (as printed on the poster and the check-in page)."""
        ward, province = geo.ward_name(self.ward_code), geo.province_name(self.province_code)
        return f"{self.street}, {ward}, {province}"


# -- epidemic areas (health officers) -----------------------------------------------------------


AREAS_CACHE_S = 5.0
"""How long the active epidemic areas are kept per process for public declarations (every
declaration reads them; an officer's change in this process is seen at once, in another
server process within these seconds)."""
_areas_cache: dict[tuple[Store, date], tuple[float, list[tuple[int, int | None]]]] = {}


def _areas_now(st: Store) -> list[tuple[int, int | None]]:
    """``active_areas`` today, kept ``AREAS_CACHE_S`` seconds in this process."""
    key = (st, clock.today_local())
    now = time.monotonic()
    hit = _areas_cache.get(key)
    if hit is not None and now - hit[0] < AREAS_CACHE_S:
        return hit[1]
    areas = active_areas(on=key[1], store=st)
    if len(_areas_cache) > 100:
        _areas_cache.clear()
    _areas_cache[key] = (now, areas)
    return areas


def active_areas(
    *, on: date | None = None, store: Store | None = None
) -> list[tuple[int, int | None]]:
    """(province_code, ward_code or None) of epidemic areas active on ``on`` (default today)."""
    day = on or clock.today_local()
    return [
        (int(p), None if w is None else int(w))
        for p, w in _st(store).fetchall(
            "SELECT province_code, ward_code FROM hd_epidemic_areas WHERE removed_at IS NULL"
            " AND starts_on <= ? AND (ends_on IS NULL OR ends_on >= ?)",
            [day, day],
        )
    ]


def list_areas(principal: Principal, *, store: Store | None = None) -> pd.DataFrame:
    """Every epidemic area not removed, newest first (health officers)."""
    require(principal, "health_officer")
    return _st(store).df(
        "SELECT id, province_code, ward_code, starts_on, ends_on, note, created_at, created_by"
        " FROM hd_epidemic_areas WHERE removed_at IS NULL ORDER BY starts_on DESC, id DESC"
    )


def add_area(principal: Principal, raw: Mapping[str, Any], *, store: Store | None = None) -> int:
    """Declare a province (no ward) or one ward an epidemic area from its start date, with the
    answers of the ``AREA`` form. Audited. ``FormInvalid`` names the field at fault."""
    require(principal, "health_officer")
    values = AREA.validate(raw)
    st = _st(store)
    with st.transaction():
        area_id = st.insert_row(
            "hd_epidemic_areas",
            {
                **storage.row(AREA, values),
                "created_at": clock.utcnow_naive(),
                "created_by": principal.actor,
            },
            returning="id",
        )
        audit.record(
            principal,
            "hd.area.add",
            "epidemic_area",
            str(area_id),
            {
                "province": values["province_code"],
                "ward": values["ward_code"],
                "from": values["starts_on"],
                "to": values["ends_on"],
            },
            store=st,
        )
    _areas_cache.clear()
    return int(area_id)


def end_area(
    principal: Principal, area_id: int, ends_on: date | None = None, *, store: Store | None = None
) -> bool:
    """Set an area's end date (default today), or remove it when ``ends_on`` is before its
    start. Audited. False if there is no such area."""
    require(principal, "health_officer")
    st = _st(store)
    day = ends_on or clock.today_local()
    with st.transaction() as cur:
        row = cur.execute(
            "SELECT starts_on FROM hd_epidemic_areas WHERE id = ? AND removed_at IS NULL", [area_id]
        ).fetchone()
        if row is None:
            return False
        if day < row[0]:
            cur.execute(
                "UPDATE hd_epidemic_areas SET removed_at = ? WHERE id = ?",
                [clock.utcnow_naive(), area_id],
            )
            action = "hd.area.remove"
        else:
            cur.execute("UPDATE hd_epidemic_areas SET ends_on = ? WHERE id = ?", [day, area_id])
            action = "hd.area.end"
        audit.record(principal, action, "epidemic_area", str(area_id), {"to": day}, store=st)
    _areas_cache.clear()
    return True


# -- risk ----------------------------------------------------------------------------------------


def conditions_of(decl: Mapping[str, Any], areas: list[tuple[int, int | None]]) -> set[str]:
    """Which rule conditions a validated declaration meets (see models.Condition)."""
    symptoms = set(decl["symptoms"] or ())
    out: set[str] = set()
    if symptoms:
        out.add("symptom_any")
    if symptoms & {"fever", "cough"}:
        out.add("symptom_fever_cough")
    out |= set(decl["exposures"] or ())
    if decl["chronic"] and symptoms:
        out.add("chronic_and_symptom")
    countries = set(decl["visited_countries"] or ())
    if countries and countries != {"VN"}:
        out.add("abroad")
    whole = {p for p, w in areas if w is None}
    wards = {w for _, w in areas if w is not None}
    if (
        whole.intersection(decl["visited_provinces"] or ())
        or decl["province_code"] in whole
        or decl["ward_code"] in wards
    ):
        out.add("epidemic_area")
    return out


def risk_colour(conditions: set[str], rules: list[RiskRule]) -> tuple[str, tuple[str, ...]]:
    """The highest colour of the rules whose condition holds, and those conditions."""
    rank = {c: i for i, c in enumerate(COLOURS)}
    colour = "green"
    reasons: list[str] = []
    for rule in rules:
        if rule.condition in conditions:
            reasons.append(rule.condition)
            if rank[rule.colour] > rank[colour]:
                colour = rule.colour
    return colour, tuple(dict.fromkeys(reasons))


REGISTER_REASONS = {"F0": "register_f0", "F1": "register_f1", "exposure_f0": "register_exposure"}
"""Reason codes a pass gets from the register (``hd.cond.<code>``), by the signal's reason."""


def pass_colour(
    colour: str, reasons: tuple[str, ...], status: risk.RiskStatus
) -> tuple[str, tuple[str, ...]]:
    """The pass colour: the worst of the declaration's own colour and the person's register
    signals (isolation, exposure; a previous declaration does not count), with the register's
    reasons added (shown to staff only)."""
    signals = status.of("isolation", "exposure")
    extra = tuple(REGISTER_REASONS.get(s.reason_code, f"register_{s.source}") for s in signals)
    return risk.worst([colour, *(s.level for s in signals)]), tuple(dict.fromkeys(reasons + extra))


# -- declarations (public: citizens without an account) ------------------------------------------


def _pass_claims(decl_id: str, decl: Mapping[str, Any], colour: str, at: datetime) -> dict:
    """What the pass QR says: the name, the colour, when, and the declaration's id. No birth
    year and no digit of the ID number (``PassClaims``)."""
    return {
        "n": decl["full_name"],
        "k": COLOUR_CODE[colour],
        "d": int(at.replace(tzinfo=UTC).timestamp()),
        "i": decl_id,
    }


def _declaration_row(
    decl: Mapping[str, Any],
    decl_id: str,
    now: datetime,
    conditions: set[str],
    colour: str,
    reasons: tuple[str, ...],
) -> dict[str, Any]:
    """A validated declaration as its table row: the form's columns and what the service adds."""
    return {
        "id": decl_id,
        "declared_at": now,
        "person_key": person_key(decl["person_id"]),
        **storage.row(DECLARATION, decl),
        "vaccine_doses": decl["vaccine_doses"] or 0,
        "from_epidemic": "epidemic_area" in conditions,
        "colour": colour,
        "risk_reasons": ",".join(reasons),
    }


# -- the holder's secret and one-time codes --------------------------------------------------------

MAX_HELD = 5
"""Passes one phone keeps (a parent declaring for a household); older secrets drop off."""
_SECRET = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _is_citizen(principal: Principal | None) -> bool:
    return principal is None or principal.is_anonymous


def _is_staff(principal: Principal | None) -> bool:
    return principal is not None and principal.has("health_officer", "checkpoint")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _code_hash(challenge: str, code: str) -> str:
    """A one-time code at rest: keyed with the server secret, so a copy of the database does
    not give the code away by trying the million possible ones."""
    from core.web.security import server_secret

    message = f"hd-code\x00{challenge}\x00{code}".encode()
    return hmac.new(server_secret(), message, hashlib.sha256).hexdigest()


def clean_secrets(values: Sequence[str]) -> list[str]:
    """The well-formed holder secrets among ``values`` (a cookie's), at most ``MAX_HELD``,
    without repeats, in order."""
    out: list[str] = []
    for value in values:
        if isinstance(value, str) and _SECRET.fullmatch(value) and value not in out:
            out.append(value)
    return out[:MAX_HELD]


def _count(action: str, st: Store, *, matched: bool = False, throttled: bool = False) -> None:
    audit.count(action, matched=matched, throttled=throttled, store=st)


def _pass_result(
    st: Store, row: Mapping[str, Any], *, staff: bool = False, **extra: Any
) -> PassResult:
    text = (
        qr.token_texts([row["token_id"]], store=st).get(row["token_id"])
        if row["token_id"]
        else None
    )
    reasons = tuple(r for r in str(row["risk_reasons"] or "").split(",") if r)
    return PassResult(
        declaration_id=row["id"],
        token_id=row["token_id"],
        text=text,
        colour=row["colour"],
        reasons=reasons if staff else (),
        full_name=row["full_name"],
        birth_year=int(row["birth_year"]),
        masked_id=mask_id(row["person_id"]),
        declared_at=row["declared_at"],
        expires_at=row["expires_at"],
        **extra,
    )


_DECLARATION_COLUMNS = (
    "id, declared_at, person_id, full_name, birth_year, phone, ward_code, colour, risk_reasons,"
    " token_id, expires_at, replaced_at, lang"
)


def _declaration(st: Store, decl_id: str, declared_at: datetime) -> dict | None:
    """One declaration by id, read where its time puts it (no scan of the table)."""
    rows = st.records(
        "SELECT " + _DECLARATION_COLUMNS + " FROM hd_declarations"  # noqa: S608 - constant columns
        " WHERE declared_at = ? AND id = ?",
        [declared_at, decl_id],
    )
    return rows[0] if rows else None


def _state(row: Mapping[str, Any], now: datetime) -> str:
    if row["replaced_at"] is not None:
        return "replaced"
    if row["expires_at"] is None or row["expires_at"] <= now:
        return "expired"
    return "valid"


def _held(st: Store, secrets_: Sequence[str]) -> list[tuple[str, dict, str]]:
    """(secret, declaration row, state) for each known, unexpired secret, in the given order.
    Two point reads: the holders by their key, then their declarations where their times put
    them (no scan of the table). Measured on DuckDB: 1.2 ms, where one join took 1.8."""
    clean = clean_secrets(secrets_)
    if not clean:
        return []
    now = clock.utcnow_naive()
    hashes = {_sha(s): s for s in clean}
    marks = ", ".join("?" for _ in hashes)  # a list of marks: uses the key's index, not a scan
    holders = st.fetchall(
        "SELECT secret_hash, declaration_id, declared_at, last_used_at FROM hd_holders"  # noqa: S608 - constant SQL, values bound
        " WHERE secret_hash IN (" + marks + ") AND expires_at > ?",
        [*hashes, now],
    )
    if not holders:
        return []
    times = sorted({at for _, _, at, _ in holders})
    ids = sorted({i for _, i, _, _ in holders})
    declarations = {
        (row["declared_at"], row["id"]): row
        for row in st.records(
            "SELECT " + _DECLARATION_COLUMNS + " FROM hd_declarations"  # noqa: S608 - constants
            " WHERE declared_at IN (" + ", ".join("?" for _ in times) + ")"
            " AND id IN (" + ", ".join("?" for _ in ids) + ")",
            [*times, *ids],
        )
    }
    found = {}
    for h, decl_id, at, used in holders:
        row = declarations.get((at, decl_id))
        if row is not None:
            found[h] = {**row, "holder_used_at": used}
    out = []
    stale = []
    for h, secret in hashes.items():
        row = found.get(h)
        if row is None:
            continue
        used = row.pop("holder_used_at")
        out.append((secret, row, _state(row, now)))
        if used < now - timedelta(hours=1):
            stale.append(h)
    if stale:  # when each phone was last used, to the hour (not a write per page view)
        try:
            st.execute(
                "UPDATE hd_holders SET last_used_at = ? WHERE secret_hash IN"
                " (SELECT UNNEST(?::VARCHAR[]))",
                [now, stale],
            )
        except CONFLICTS:
            pass
    return out


def held_passes(
    principal: Principal | None,
    secrets_: Sequence[str],
    *,
    cards: bool = True,
    store: Store | None = None,
) -> list[HeldPass]:
    """The passes a phone holds, from the secrets in its cookie (public: the secret is the
    authority, a phone number or CCCD is not). Unknown or expired secrets are left out.
    ``cards=False``: names and states only, no pass (no QR text read), for a page that only
    offers to check in with them."""
    st = _st(store)
    staff = _is_staff(principal)
    return [
        HeldPass(
            secret,
            row["full_name"],
            state,
            _pass_result(st, row, staff=staff) if cards and state == "valid" else None,
        )
        for secret, row, state in _held(st, secrets_)
    ]


def _phone_quota(cfg: HealthSettings) -> Quota:
    return Quota("hd.declare.phone", cfg.max_declarations_per_phone_per_hour, 3600)


def _lookup_quotas(cfg: HealthSettings, pid: str, phone: str) -> list[tuple[Quota, str]]:
    per = cfg.lookups_per_person_per_hour
    return [(Quota("hd.lookup.id", per, 3600), pid), (Quota("hd.lookup.phone", per, 3600), phone)]


# -- declarations (public: citizens without an account) ------------------------------------------


def submit_declaration(
    principal: Principal | None,
    raw: Mapping[str, Any],
    *,
    holders: Sequence[str] = (),
    before_write: Callable[[], None] | None = None,
    store: Store | None = None,
) -> PassResult:
    """Validate, store and sign a declaration; any principal, anonymous included (public).

    Raises ``FormInvalid`` (an error per field) or ``RateLimited`` (at most
    ``max_declarations_per_hour`` per CCCD/passport and ``max_declarations_per_phone_per_hour``
    per phone number, whoever sends them); nothing is written then.

    ``holders`` are the secrets the declaring phone keeps (its cookie). A declaration replaces
    (and revokes) only the pass this phone holds for that person: a declaration from another
    phone, or from no phone, never cancels someone's valid pass. When the person has a valid
    pass this phone does not hold, both stay and the new one is flagged (``holder_flag =
    'new_phone'``) on the officers' list. A citizen's declaration gives this phone a new secret
    (``holder_secret``); every phone that held the replaced pass now holds the new one.

    ``before_write`` runs first inside the declaration's transaction (the web page uses its
    form token there: one commit, and a refused declaration leaves the token unused).
    """
    decl = DECLARATION.validate(raw)
    cfg = settings()
    st = _st(store)
    now = clock.utcnow_naive()
    own_colour, own_reasons = risk_colour(conditions_of(decl, _areas_now(st)), cfg.risk_rules)
    conditions = set(own_reasons)
    pid, phone = decl["person_id"], decl["phone"]
    key = person_key(pid)
    # The pass colour is the worst of the declaration and the register (isolation, exposure):
    # a person in isolation or recently near an F0 cannot get a green pass.
    colour, reasons = pass_colour(own_colour, own_reasons, risk.status(pid, store=st))
    actor = _actor(principal)
    citizen = _is_citizen(principal)
    hashes = [_sha(s) for s in clean_secrets(holders)] if citizen else []
    secret = secrets.token_urlsafe(24) if citizen else None
    decl_id = secrets.token_hex(8)  # 64 bits: short in the QR, no repeat at city scale
    expires = now + timedelta(hours=cfg.pass_valid_hours)
    valid = timedelta(hours=cfg.pass_valid_hours)
    hour = timedelta(hours=1)
    for attempt in range(4):
        try:
            with st.transaction() as cur:
                if before_write is not None:
                    before_write()
                # One read for both the limit (last hour) and the passes still valid.
                mine = cur.execute(
                    "SELECT id, token_id, declared_at, replaced_at, expires_at FROM hd_declarations"
                    " WHERE declared_at > ? AND person_key = ? AND person_id = ?",
                    [now - max(valid, hour), key, pid],
                ).fetchall()
                recent = [at for _, _, at, _, _ in mine if at > now - hour]
                if len(recent) >= cfg.max_declarations_per_hour:
                    raise RateLimited((min(recent) + hour - now).total_seconds())
                wait = spend_quotas([(_phone_quota(cfg), phone)], store=st)
                if wait:
                    raise RateLimited(wait)
                held = (
                    cur.execute(
                        "SELECT secret_hash, declaration_id FROM hd_holders WHERE secret_hash IN"
                        " (SELECT UNNEST(?::VARCHAR[])) AND person_key = ? AND expires_at > ?",
                        [hashes, key, now],
                    ).fetchall()
                    if hashes
                    else []
                )
                bound = sorted({d for _, d in held})
                live = {
                    i: token
                    for i, token, _, gone, until in mine
                    if gone is None and until is not None and until > now
                }
                previous = [(i, live[i]) for i in bound if i in live]
                flagged = citizen and not held and bool(live)  # staff are accountable
                if previous:
                    cur.execute(
                        "UPDATE hd_declarations SET replaced_at = ? WHERE declared_at > ?"
                        " AND person_key = ? AND id IN (SELECT UNNEST(?::VARCHAR[]))"
                        " AND replaced_at IS NULL",
                        [now, now - valid, key, [i for i, _ in previous]],
                    )
                    for _, old_token in previous:
                        if old_token:
                            qr.revoke(old_token, actor, "replaced by a new declaration", store=st)
                if bound:  # every phone holding the replaced pass holds the new one
                    cur.execute(
                        "UPDATE hd_holders SET declaration_id = ?, declared_at = ?"
                        " WHERE person_key = ? AND declaration_id IN"
                        " (SELECT UNNEST(?::VARCHAR[]))",
                        [decl_id, now, key, bound],
                    )
                    cur.execute(  # this phone's secret is replaced by a new one (below)
                        "DELETE FROM hd_holders WHERE secret_hash IN (SELECT UNNEST(?::VARCHAR[]))",
                        [[h for h, _ in held]],
                    )
                issued = qr.issue(
                    PASS_PREFIX,
                    [
                        qr.IssueItem(
                            claims=_pass_claims(decl_id, decl, colour, now),
                            expires=expires.replace(tzinfo=UTC),
                            subject=f"declaration:{decl_id}",
                            # drawn here, not checked against the issued ones first (a read
                            # per declaration): 72 random bits; a repeat fails the insert on
                            # the primary key and the whole declaration is tried again
                            token_id=qr.new_token_id(),
                        )
                    ],
                    actor,
                    store=st,
                    audited=not citizen,  # staff declaring for someone are audited
                )[0]
                record = _declaration_row(decl, decl_id, now, conditions, colour, reasons)
                record.update(
                    token_id=issued.token_id,
                    expires_at=expires,
                    source="web",
                    holder_flag="new_phone" if flagged else "",
                    lang=get_locale(),
                )
                st.insert_row("hd_declarations", record)
                risk.record(
                    pid,
                    "declaration",
                    own_colour,
                    own_reasons[0] if own_reasons else "declared",
                    now,
                    expires,
                    decl_id,
                    # Only a person with a pass still valid has a declaration signal that
                    # still counts (one per declaration, until its pass expires): clear
                    # those; otherwise the new signal is one INSERT.
                    replace=bool(live),
                    fresh=True,
                    actor=actor,
                    store=st,
                )
                if secret is not None:
                    cur.execute(
                        "INSERT INTO hd_holders (secret_hash, person_key, declaration_id,"
                        " declared_at, how, created_at, last_used_at, expires_at)"
                        " VALUES (?, ?, ?, ?, 'declared', ?, ?, ?)",
                        [_sha(secret), key, decl_id, now, now, now,
                         now + timedelta(days=cfg.holder_days)],
                    )  # fmt: skip
            break
        except RateLimited:
            if citizen:
                _count("hd.declare", st, throttled=True)
            raise
        except (*CONFLICTS, *CONSTRAINTS):
            if attempt == 3:
                raise
            time.sleep(0.005 * (attempt + 1))
    if citizen:
        _count("hd.declare", st, matched=True)
    return PassResult(
        declaration_id=decl_id,
        token_id=issued.token_id,
        text=issued.text,
        colour=colour,
        reasons=reasons if _is_staff(principal) else (),
        full_name=decl["full_name"],
        birth_year=decl["birth_year"],
        masked_id=mask_id(pid),
        declared_at=now,
        expires_at=expires,
        replaced_previous=bool(previous),
        holder_secret=secret,
        flagged=flagged,
    )


def import_paper_declarations(
    principal: Principal, result: TableResult, *, store: Store | None = None
) -> int:
    """Store the good rows of a table of paper declarations (health officers): each gets its
    risk colour as a web declaration would, no pass (the declarer is not there to take it).
    One audit row for the import. Returns the number stored."""
    require(principal, "health_officer")
    st = _st(store)
    cfg = settings()
    areas = active_areas(store=st)
    now = clock.utcnow_naive()
    records = []
    for values in result.good.to_dict("records"):
        decl = {f.name: values.get(f.name) for f in DECLARATION.fields}
        colour, reasons = risk_colour(conditions_of(decl, areas), cfg.risk_rules)
        record = _declaration_row(decl, uuid.uuid4().hex, now, set(reasons), colour, reasons)
        record.update(token_id=None, expires_at=None, source="paper")
        records.append(record)
    if not records:
        return 0
    frame = pd.DataFrame(records)
    with st.transaction():
        st.insert_df("hd_declarations", frame)
        risk.record_many(
            pd.DataFrame(
                {
                    "person_id": frame["person_id"],
                    "source": "declaration",
                    "ref": frame["id"],
                    "level": frame["colour"],
                    "reason_code": [(r.split(",")[0] or "declared") for r in frame["risk_reasons"]],
                    "since": now,
                    "until": now + timedelta(hours=cfg.pass_valid_hours),
                }
            ),
            replace=True,
            actor=principal,
            store=st,
        )
        audit.record(
            principal,
            "hd.declaration.import",
            "declarations",
            "paper",
            {"rows": len(records), "rows_refused": len({e.row for e in result.errors})},
            store=st,
        )
    return len(records)


def _valid_declaration(st: Store, person_id: str, *, phone: str | None = None) -> dict | None:
    """The person's latest valid pass (not replaced, not expired), with that phone when given."""
    now = clock.utcnow_naive()
    cfg = settings()
    sql = (
        "SELECT " + _DECLARATION_COLUMNS + " FROM hd_declarations WHERE declared_at > ?"  # noqa: S608 - constant columns
        " AND person_key = ? AND person_id = ? AND replaced_at IS NULL AND expires_at > ?"
    )
    params: list[object] = [now - timedelta(hours=cfg.pass_valid_hours), person_key(person_id)]
    params += [person_id, now]
    if phone is not None:
        sql += " AND phone = ?"
        params.append(phone)
    rows = st.records(sql + " ORDER BY declared_at DESC LIMIT 1", params)
    return rows[0] if rows else None


def _holder(phone: str, person_id: str) -> tuple[str, str]:
    """A pass holder's phone and CCCD/passport number, through the ``LOOKUP`` form
    (``FormInvalid`` names the field at fault)."""
    values = LOOKUP.validate({"phone": phone, "person_id": person_id})
    return values["phone"], values["person_id"]


def request_code(
    principal: Principal | None, phone: str, person_id: str, *, store: Store | None = None
) -> str:
    """Ask for a one-time code to reach a pass from another phone (public).

    If, and only if, the phone and CCCD/passport match a valid declaration, a 6-digit code is
    sent by SMS to that declared number. The answer is the same either way, and the same when
    a limit refused the request (per CCCD and per phone number:
    ``lookups_per_person_per_hour``; the sender's own per-number SMS limits): a challenge to
    send back with the code (``redeem_code``). Raises ``FormInvalid`` only for a malformed
    phone or ID number (which says nothing about anyone)."""
    del principal  # public
    phone_n, pid = _holder(phone, person_id)
    cfg = settings()
    st = _st(store)
    challenge = secrets.token_urlsafe(18)
    if spend_quotas(_lookup_quotas(cfg, pid, phone_n), store=st):
        _count("hd.lookup", st, throttled=True)
        return challenge
    row = _valid_declaration(st, pid, phone=phone_n)
    if row is None:
        _count("hd.lookup", st)
        return challenge
    code = f"{secrets.randbelow(10**6):06d}"
    now = clock.utcnow_naive()
    ch = _sha(challenge)
    st.execute(
        "INSERT INTO hd_codes (challenge_hash, code_hash, declaration_id, declared_at, person_key,"
        " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [ch, _code_hash(challenge, code), row["id"], row["declared_at"], person_key(pid), now,
         now + timedelta(minutes=cfg.code_minutes)],
    )  # fmt: skip
    try:
        sent = send_sms(
            row["phone"],
            "hd.sms.code",
            kind="hd.code",
            dedupe_key=f"hd.code:{ch[:40]}",
            lang=row["lang"],
            store=st,
            code=code,
            minutes=cfg.code_minutes,
        )
    except NotifyError:  # a landline: no SMS can reach it
        sent = SendResult("failed", error="not a mobile number")
    if not sent.sent:
        st.execute("DELETE FROM hd_codes WHERE challenge_hash = ?", [ch])
    _count("hd.lookup", st, matched=True, throttled=sent.status == "limited")
    if secrets.randbelow(200) == 0:  # now and then, forget codes a day past their end
        st.execute("DELETE FROM hd_codes WHERE expires_at < ?", [now - timedelta(days=1)])
    return challenge


def redeem_code(
    principal: Principal | None, challenge: str, code: str, *, store: Store | None = None
) -> Unlocked:
    """Enter the code sent for ``challenge`` (public): right, within ``code_minutes``, unused,
    and within ``code_tries`` tries, it gives this phone a secret to the pass (``Unlocked``).
    Anything else raises ``CodeError`` with one message for every case."""
    st = _st(store)
    cfg = settings()
    now = clock.utcnow_naive()
    digits = re.sub(r"\s", "", code or "")
    challenge = (challenge or "").strip()
    if not (0 < len(challenge) <= 64 and re.fullmatch(r"[0-9]{6}", digits)):
        _count("hd.code", st)
        raise CodeError(t("hd.code.wrong"))
    ch = _sha(challenge)
    secret = secrets.token_urlsafe(24)
    outcome = "wrong"
    try:
        with st.transaction() as cur:
            row = cur.execute(
                "SELECT code_hash, declaration_id, declared_at, person_key, expires_at, tries,"
                " used_at FROM hd_codes WHERE challenge_hash = ?",
                [ch],
            ).fetchone()
            if row is None:
                pass
            elif row[6] is not None or row[4] <= now or row[5] >= cfg.code_tries:
                outcome = "spent"
            elif not hmac.compare_digest(row[0], _code_hash(challenge, digits)):
                cur.execute("UPDATE hd_codes SET tries = tries + 1 WHERE challenge_hash = ?", [ch])
            else:
                cur.execute("UPDATE hd_codes SET used_at = ? WHERE challenge_hash = ?", [now, ch])
                cur.execute(
                    "INSERT INTO hd_holders (secret_hash, person_key, declaration_id,"
                    " declared_at, how, created_at, last_used_at, expires_at)"
                    " VALUES (?, ?, ?, ?, 'code', ?, ?, ?)",
                    [_sha(secret), row[3], row[1], row[2], now, now,
                     now + timedelta(days=cfg.holder_days)],
                )  # fmt: skip
                outcome = "right"
    except CONFLICTS:  # two tries of one code at once: this one counts as wrong
        outcome = "wrong"
    if outcome != "right":
        _count("hd.code", st, throttled=outcome == "spent")
        raise CodeError(t("hd.code.wrong"))
    _count("hd.code", st, matched=True)
    found = held_passes(principal, [secret], store=st)
    if not found:  # the declaration vanished meanwhile (retention): as if wrong
        raise CodeError(t("hd.code.wrong"))
    return Unlocked(secret, found[0])


def pass_png(text: str, scale: int = 10) -> bytes:
    """PNG of a pass or venue QR (public)."""
    return render.png_bytes(text, scale=scale)


# -- venues --------------------------------------------------------------------------------------


def _venue_row(st: Store, venue_id: int) -> Venue | None:
    rows = st.records(
        "SELECT id, name, kind, province_code, ward_code, street, contact_phone, status,"
        " token_id, created_by FROM hd_venues WHERE id = ?",
        [int(venue_id)],
    )
    return Venue(**rows[0]) if rows else None


VENUE_CACHE_S = 30.0
"""How long a check-in link's venue row is kept in this process (a venue's name and address
change rarely; closing a venue also revokes its QR, see ``LINK_CACHE_S``)."""
LINK_CACHE_S = 10.0
"""How long a check-in link, once verified (signature, expiry, revocation), is taken as verified
in this process: the page and its tap a few seconds later, and a crowd at one poster, cost one
revocation read, not one per request. Closing a venue in this process takes effect at once
(``forget_venues``); one closed in another process behind the same database, within this."""
_venue_cache: dict[tuple[Store, int], tuple[float, Venue | None]] = {}
_link_cache: dict[tuple[Store, str], tuple[float, int, datetime | None]] = {}
_venue_cache_lock = threading.Lock()


def _cached_venue(st: Store, venue_id: int) -> Venue | None:
    """``_venue_row`` kept ``VENUE_CACHE_S`` seconds per process: a crowd checking in at one
    venue reads its row once every half minute, not once per person."""
    key = (st, int(venue_id))
    now = time.monotonic()
    with _venue_cache_lock:
        hit = _venue_cache.get(key)
    if hit is not None and now - hit[0] < VENUE_CACHE_S:
        return hit[1]
    venue = _venue_row(st, venue_id)
    with _venue_cache_lock:
        if len(_venue_cache) >= 10_000:
            _venue_cache.clear()
        _venue_cache[key] = (now, venue)
    return venue


def forget_venues() -> None:
    """Empty the caches of venue rows and verified links (a venue changed in this process;
    tests)."""
    with _venue_cache_lock:
        _venue_cache.clear()
        _link_cache.clear()


def _venue_link(st: Store, venue: Venue) -> str:
    text = (
        qr.token_texts([venue.token_id], store=st).get(venue.token_id) if venue.token_id else None
    )
    return web_link(CHECKIN_PATH, v=text) if text else ""


def register_venue(
    principal: Principal, raw: Mapping[str, Any], *, store: Store | None = None
) -> Venue:
    """Register a venue from the answers of the ``VENUE`` form and, for a health officer, issue
    its signed check-in QR (business owners, health officers). ``FormInvalid`` names the field."""
    require(principal, "business", "health_officer")
    values = VENUE.validate(raw)
    st = _st(store)
    now = clock.utcnow_naive()
    # A business's venue waits for a health officer (anyone can register a business account,
    # and a venue's check-ins feed contact tracing); an officer's venue opens at once.
    status = "open" if principal.has("health_officer") else "pending"
    with st.transaction():
        venue_id = int(
            st.insert_row(
                "hd_venues",
                {
                    **storage.row(VENUE, values),
                    "status": status,
                    "created_at": now,
                    "created_by": principal.actor,
                },
                returning="id",
            )
        )
        audit.record(
            principal,
            "hd.venue.register",
            "venue",
            str(venue_id),
            {"name": values["name"], "status": status},
            store=st,
        )
        text = (
            _issue_venue_qr(principal, st, venue_id, str(values["name"]))
            if status == "open"
            else None
        )
    venue = _venue_row(st, venue_id)
    assert venue is not None
    link = web_link(CHECKIN_PATH, v=text) if text else None
    return Venue(**{**venue.__dict__, "link": link})


def _issue_venue_qr(principal: Principal, st: Store, venue_id: int, name: str) -> str:
    """Sign the venue's check-in QR and remember its token (inside the caller's transaction)."""
    cfg = settings()
    now = clock.utcnow_naive()
    issued = qr.issue(
        VENUE_PREFIX,
        [
            qr.IssueItem(
                claims={"v": venue_id, "n": name[:60]},
                expires=(now + timedelta(days=cfg.venue_token_valid_days)).replace(tzinfo=UTC),
                subject=f"venue:{venue_id}",
            )
        ],
        principal,
        store=st,
    )[0]
    st.execute("UPDATE hd_venues SET token_id = ? WHERE id = ?", [issued.token_id, venue_id])
    forget_venues()
    return issued.text


def approve_venue(principal: Principal, venue_id: int, *, store: Store | None = None) -> Venue:
    """Open a business's pending venue and issue its QR (health officers). Audited."""
    require(principal, "health_officer")
    st = _st(store)
    with st.transaction() as cur:
        row = cur.execute(
            "UPDATE hd_venues SET status = 'open' WHERE id = ? AND status = 'pending'"
            " RETURNING name",
            [int(venue_id)],
        ).fetchone()
        if row is None:
            raise HealthError(t("hd.err.venue_not_pending"))
        _issue_venue_qr(principal, st, int(venue_id), str(row[0]))
        audit.record(principal, "hd.venue.approve", "venue", str(venue_id), store=st)
    return get_venue(principal, int(venue_id), store=st)


def _may_manage(principal: Principal, venue: Venue) -> bool:
    return principal.has("health_officer") or venue.created_by == principal.actor


def get_venue(principal: Principal, venue_id: int, *, store: Store | None = None) -> Venue:
    """One venue with its check-in link (its owner or a health officer)."""
    require(principal, "business", "health_officer")
    st = _st(store)
    venue = _venue_row(st, venue_id)
    if venue is None or not _may_manage(principal, venue):
        raise HealthError(t("hd.err.no_venue"))
    return Venue(**{**venue.__dict__, "link": _venue_link(st, venue)})


def list_venues(
    principal: Principal, *, store: Store | None = None, limit: int = 500
) -> pd.DataFrame:
    """Venues: a business sees its own, a health officer all (newest first)."""
    require(principal, "business", "health_officer")
    st = _st(store)
    lim = max(1, min(int(limit), 10_000))
    if principal.has("health_officer"):
        return st.df(
            "SELECT id, name, kind, province_code, ward_code, street, contact_phone, status,"
            " created_by FROM hd_venues ORDER BY id DESC LIMIT ?",
            [lim],
        )
    return st.df(
        "SELECT id, name, kind, province_code, ward_code, street, contact_phone, status,"
        " created_by FROM hd_venues WHERE created_by = ? ORDER BY id DESC LIMIT ?",
        [principal.actor, lim],
    )


def venue_poster(principal: Principal, venue_id: int, *, store: Store | None = None) -> bytes:
    """The A4 poster PDF with the venue's check-in QR (its owner or a health officer)."""
    venue = get_venue(principal, venue_id, store=store)
    if venue.status == "pending":
        raise HealthError(t("hd.err.venue_pending"))
    if venue.status != "open" or not venue.link:
        raise HealthError(t("hd.err.venue_closed"))
    return render.pdf_poster(
        venue.link,
        title=venue.name,
        subtitle=venue.address,
        lines=[
            t_in("vi", "hd.poster.line1"),
            t_in("vi", "hd.poster.line2"),
            t_in("en", "hd.poster.line1"),
        ],
    )


def close_venue(
    principal: Principal, venue_id: int, reason: str, *, store: Store | None = None
) -> bool:
    """Close a venue and revoke its QR (its owner or a health officer). Audited."""
    venue = get_venue(principal, venue_id, store=store)
    if venue.status == "closed":
        return False
    st = _st(store)
    with st.transaction() as cur:
        changed = cur.execute(
            "UPDATE hd_venues SET status = 'closed', closed_at = ? WHERE id = ?"
            " AND status <> 'closed' RETURNING id",
            [clock.utcnow_naive(), venue.id],
        ).fetchone()
        if changed is None:
            return False
        if venue.token_id:
            qr.revoke(venue.token_id, principal, reason or "venue closed", store=st)
        forget_venues()
        audit.record(
            principal, "hd.venue.close", "venue", str(venue.id), {"reason": reason}, store=st
        )
    return True


# -- check-in ------------------------------------------------------------------------------------


def venue_from_token(text: str, *, store: Store | None = None) -> Venue:
    """The open venue a check-in link's token names (public). Raises CheckinError with a clear
    message for a forged, expired or revoked token or a closed venue."""
    st = _st(store)
    text = (text or "").strip()
    if not text or len(text) > 2000:
        raise CheckinError(t("hd.checkin.bad_token"))
    venue = _cached_venue(st, _verified_venue_id(st, text))
    if venue is None:
        raise CheckinError(t("hd.checkin.bad_token"))
    if venue.status != "open":
        raise CheckinError(t("hd.err.venue_closed"))
    return venue


def _verified_venue_id(st: Store, text: str) -> int:
    """The venue id a check-in link's token names, once its signature, expiry and revocation
    are checked (kept ``LINK_CACHE_S`` seconds; a refused link is checked every time)."""
    key = (st, text)
    with _venue_cache_lock:
        hit = _link_cache.get(key)
    if (
        hit is not None
        and time.monotonic() - hit[0] < LINK_CACHE_S
        and (hit[2] is None or hit[2] > clock.now())
    ):
        return hit[1]
    verdict = qr.verify_server(text, expected_prefixes=[VENUE_PREFIX], store=st)
    if not verdict.ok:
        reason = getattr(verdict.reason, "value", str(verdict.reason))
        if reason == "EXPIRED":
            raise CheckinError(t("hd.checkin.expired_token"))
        if reason == "REVOKED":
            raise CheckinError(t("hd.err.venue_closed"))
        raise CheckinError(t("hd.checkin.bad_token"))
    try:
        claims = VenueClaims.model_validate(verdict.claims)
    except ValueError as exc:
        raise CheckinError(t("hd.checkin.bad_token")) from exc
    with _venue_cache_lock:
        if len(_link_cache) >= 10_000:
            _link_cache.clear()
        _link_cache[key] = (time.monotonic(), claims.v, verdict.expires_at)
    return claims.v


def _insert_checkin(
    st: Store,
    venue: Venue,
    row: dict,
    method: str,
    recorded_by: str,
    before_write: Callable[[], None] | None = None,
) -> CheckinResult:
    if risk.status(row["person_id"], store=st).must_stay_home:
        # isolating (F0/F1) or recently near an F0: whatever colour the pass shows
        raise CheckinError(t("hd.checkin.stay_home"))
    now = clock.utcnow_naive()
    values = [
        venue.id,
        now,
        person_key(row["person_id"]),
        row["person_id"],
        row["full_name"],
        row["phone"],
        row["ward_code"],
        row["colour"],
        row["id"],
        method,
        recorded_by,
    ]
    for attempt in range(3):
        try:
            with st.transaction():
                if before_write is not None:
                    before_write()
                st.execute(
                    "INSERT INTO hd_checkins (venue_id, checked_in_at, person_key, person_id,"
                    " full_name, phone, ward_code, colour, declaration_id, method, recorded_by)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
            break
        except CONFLICTS:
            if attempt == 2:
                raise
            time.sleep(0.005 * (attempt + 1))
    return CheckinResult(venue.id, venue.name, now, row["full_name"], row["colour"])


def checkin_as_holder(
    principal: Principal | None,
    venue_token: str,
    secret: str,
    *,
    venue: Venue | None = None,
    before_write: Callable[[], None] | None = None,
    store: Store | None = None,
) -> CheckinResult:
    """Check in at the venue of a poster link with a pass this phone holds (public): one tap
    from the phone that declared, or from one that entered a code sent to the declared number.
    Phone number and CCCD alone never check anyone in. Raises ``CheckinError``; nothing is
    written then. ``venue``: what ``venue_from_token(venue_token)`` already returned in this
    request (the link is verified once per request, not twice). ``before_write`` runs first
    inside the check-in's transaction (the page's form token)."""
    st = _st(store)
    if venue is None:
        venue = venue_from_token(venue_token, store=st)
    found = _held(st, [secret])
    if not found or found[0][2] != "valid":
        _count("hd.checkin", st)
        raise CheckinError(t("hd.checkin.no_pass"))
    _count("hd.checkin", st, matched=True)
    return _insert_checkin(st, venue, found[0][1], "link", _actor(principal), before_write)


def _checkin_claims(
    st: Store, venue: Venue, claims: dict, method: str, actor: str
) -> CheckinResult:
    try:
        c = PassClaims.model_validate(claims)
    except ValueError as exc:
        raise CheckinError(t("hd.checkin.no_pass")) from exc
    # The pass carries whole seconds (``d``); the declaration's time has microseconds: match
    # the declaration by id within that second.
    second = datetime.fromtimestamp(c.d, UTC).replace(tzinfo=None)
    rows = st.records(
        "SELECT id, person_id, full_name, phone, ward_code, colour FROM hd_declarations"
        " WHERE id = ? AND declared_at >= ? AND declared_at < ? AND replaced_at IS NULL"
        " AND expires_at > ?",
        [c.i, second, second + timedelta(seconds=1), clock.utcnow_naive()],
    )
    if not rows:
        raise CheckinError(t("hd.checkin.no_pass"))
    return _insert_checkin(st, venue, rows[0], method, actor)


def checkin_from_pass(
    principal: Principal, venue_id: int, claims: dict, *, store: Store | None = None
) -> CheckinResult:
    """Record a check-in from a scanned personal pass (checkpoint scanner, venue mode).

    ``claims`` are the HD1 claims of a token the caller has already verified (signature,
    expiry, revocation). Allowed: role ``checkpoint`` (any open venue) or ``business`` for a
    venue that account registered. The declaration must still be the holder's current one.
    """
    require(principal, "checkpoint", "business")
    st = _st(store)
    venue = _venue_row(st, venue_id)
    if venue is None or (not principal.has("checkpoint") and venue.created_by != principal.actor):
        raise CheckinError(t("hd.err.no_venue"))
    if venue.status != "open":
        raise CheckinError(t("hd.err.venue_closed"))
    return _checkin_claims(st, venue, claims, "scan", principal.actor)


def venue_scan(principal: Principal, venue_id: str, claims: dict) -> str:
    """The scanner's venue mode (``TokenType.on_venue_scan``): check in a scanned pass holder."""
    try:
        number = int(str(venue_id).strip())
    except ValueError:
        raise CheckinError(t("hd.err.no_venue")) from None
    result = checkin_from_pass(principal, number, claims)
    return t("hd.venue_scan.ok", name=result.full_name, venue=result.venue_name)


# -- stats -----------------------------------------------------------------------------------------


def stats(store: Store) -> dict:
    """Counts for ``rapid stats --json``."""
    row = store.fetchone(
        "SELECT count(*), count(*) FILTER (WHERE fever OR cough), count(*) FILTER (WHERE exp_case),"
        " count(*) FILTER (WHERE from_epidemic), count(*) FILTER (WHERE colour = 'red'),"
        " count(*) FILTER (WHERE colour = 'yellow') FROM hd_declarations"
    )
    return {
        "declarations": int(row[0]),
        "fever_or_cough": int(row[1] or 0),
        "contacts": int(row[2] or 0),
        "from_epidemic_areas": int(row[3] or 0),
        "red": int(row[4] or 0),
        "yellow": int(row[5] or 0),
        "venues": int(store.scalar("SELECT count(*) FROM hd_venues")),
        "checkins": int(store.scalar("SELECT count(*) FROM hd_checkins")),
        "epidemic_areas_active": len(active_areas(store=store)),
    }


# -- exposures and risk events (interfaces for other apps; each checks the role itself) ----------

RISK_READERS = ("health_officer", "health_worker")
EXPOSURE_COLUMNS = [
    "person_key",
    "person_id",
    "full_name",
    "phone",
    "ward_code",
    "venue_id",
    "venue_name",
    "checked_in_at",
    "f0_checked_in_at",
    "ref",
]
EVENT_COLUMNS = [
    "kind",
    "event_key",
    "person_key",
    "person_id",
    "full_name",
    "phone",
    "ward_code",
    "lang",
    "level",
    "reasons",
    "event_at",
    "venue_name",
]


def _exposures(st: Store, since: datetime, until: datetime, cfg: HealthSettings) -> pd.DataFrame:
    """Everyone who checked in within [since, until) at a venue within ``contact_window_minutes``
    of an F0 on the register (an active or recently ended ``isolation`` signal with reason F0)
    who was there in their infectious window (from ``infectious_days_before`` days before they
    were registered). One row per person, venue and local day (the earliest such check-in).

    Cost: the F0s' check-ins of the window (a zone-map-pruned range of ``hd_checkins`` joined
    to the few F0s), then the window's check-ins at those venues (a hash join on the venue)."""
    window = timedelta(minutes=cfg.contact_window_minutes)
    before = timedelta(days=cfg.infectious_days_before)
    frame = st.df(
        "WITH f0 AS (SELECT DISTINCT person_key, person_id, since - ? AS infectious_from,"
        " coalesce(cleared_at, CAST(? AS TIMESTAMP)) AS infectious_to FROM person_risk"
        " WHERE source = 'isolation' AND reason_code = 'F0' AND since - ? < ?"
        " AND (cleared_at IS NULL OR cleared_at > ?)),"
        " src AS (SELECT c.venue_id, c.checked_in_at, c.person_key FROM hd_checkins c"
        " JOIN f0 ON c.person_key = f0.person_key AND c.person_id = f0.person_id"
        " WHERE c.checked_in_at >= ? AND c.checked_in_at < ?"
        " AND c.checked_in_at BETWEEN f0.infectious_from AND f0.infectious_to),"
        " hit AS (SELECT c.person_key, c.person_id, c.full_name, c.phone, c.ward_code,"
        " c.venue_id, c.checked_in_at, s.checked_in_at AS f0_checked_in_at,"
        " CAST(timezone('Asia/Ho_Chi_Minh', timezone('UTC', c.checked_in_at)) AS DATE) AS day"
        " FROM hd_checkins c JOIN src s ON c.venue_id = s.venue_id"
        " AND c.checked_in_at BETWEEN s.checked_in_at - ? AND s.checked_in_at + ?"
        " WHERE c.checked_in_at >= ? AND c.checked_in_at < ?"
        " AND c.person_key NOT IN (SELECT person_key FROM f0))"
        # the first check-in's values of each group: (array_agg(x ORDER BY t))[1], which
        # PostgreSQL accepts as DuckDB does (arg_min is DuckDB's alone)
        " SELECT (array_agg(person_key ORDER BY checked_in_at))[1] AS person_key, person_id,"
        " (array_agg(full_name ORDER BY checked_in_at))[1] AS full_name,"
        " (array_agg(phone ORDER BY checked_in_at))[1] AS phone,"
        " (array_agg(ward_code ORDER BY checked_in_at))[1] AS ward_code, venue_id,"
        " min(checked_in_at)"
        " AS checked_in_at, min(f0_checked_in_at) AS f0_checked_in_at, day FROM hit"
        " GROUP BY person_id, venue_id, day ORDER BY checked_in_at, person_id",
        [
            before,
            until,
            before,
            until,
            since,
            since - window,
            until + window,
            window,
            window,
            since,
            until,
        ],
    )
    if frame.empty:
        return pd.DataFrame(columns=EXPOSURE_COLUMNS)
    names = dict(
        st.fetchall(
            "SELECT id, name FROM hd_venues WHERE id IN (SELECT UNNEST(?::BIGINT[]))",
            [sorted({int(v) for v in frame["venue_id"]})],
        )
    )
    frame["venue_name"] = frame["venue_id"].map(lambda v: names.get(int(v), ""))
    frame["ref"] = frame["venue_id"].astype(str) + ":" + frame["day"].astype(str)
    return frame[EXPOSURE_COLUMNS].reset_index(drop=True)


def scan_exposures(
    principal: Principal,
    since: datetime,
    until: datetime,
    *,
    notify: bool = True,
    store: Store | None = None,
) -> pd.DataFrame:
    """Find the co-locations with an F0 among check-ins in [since, until), record each as an
    ``exposure`` risk signal (for ``exposure_days``), and send each newly exposed person the
    exposure notice by SMS once (``notify``). Health officers and health workers; audited
    (one row: how many). Columns: ``EXPOSURE_COLUMNS``."""
    require(principal, *RISK_READERS)
    st = _st(store)
    cfg = settings()
    lo, hi = clock.to_utc_naive(since), clock.to_utc_naive(until)
    found = _exposures(st, lo, hi, cfg)
    new = found
    if not found.empty:
        known = {
            (int(k), str(r))
            for k, r in st.fetchall(
                "SELECT person_key, ref FROM person_risk WHERE source = 'exposure'"
                " AND person_key IN (SELECT UNNEST(?::BIGINT[]))",
                [sorted({int(k) for k in found["person_key"]})],
            )
        }
        mask = [
            (int(k), str(r)) not in known
            for k, r in zip(found["person_key"], found["ref"], strict=True)
        ]
        new = found[mask]
    with st.transaction():
        if not new.empty:
            risk.record_many(
                pd.DataFrame(
                    {
                        "person_id": new["person_id"],
                        "source": "exposure",
                        "ref": new["ref"],
                        "level": "yellow",
                        "reason_code": "exposure_f0",
                        "since": new["checked_in_at"],
                        "until": pd.to_datetime(new["checked_in_at"])
                        + timedelta(days=cfg.exposure_days),
                    }
                ),
                actor=principal,
                store=st,
            )
        audit.record(
            principal,
            "hd.exposures.scan",
            "checkins",
            "window",
            {"since": lo, "until": hi, "found": len(found), "new": len(new)},
            store=st,
        )
    if notify and not new.empty:
        notify_exposures(principal, new, store=st)
    return found


def notify_exposures(
    principal: Principal, exposures: pd.DataFrame, *, store: Store | None = None
) -> dict[str, int]:
    """Send the exposure notice ("you were at venue X when an F0 was there: declare and watch
    for symptoms") to each row of ``exposures`` (``EXPOSURE_COLUMNS``), once per person and
    exposure. Health officers and health workers. Returns counts per outcome."""
    require(principal, *RISK_READERS)
    st = _st(store)
    out: dict[str, int] = {}
    link = web_link("/khai-bao")
    for row in exposures.itertuples(index=False):
        try:
            sent = send_sms(
                str(row.phone),
                "hd.sms.exposure",
                kind="hd.exposure",
                dedupe_key=f"hd.exposure:{int(row.person_key)}:{row.ref}",
                store=st,
                venue=str(row.venue_name)[:60],
                at=clock.fmt_local(pd.Timestamp(row.checked_in_at).to_pydatetime()),
                link=link,
            )
            status = sent.status
        except NotifyError:  # a landline: the outreach call reaches them instead
            status = "no_mobile"
        out[status] = out.get(status, 0) + 1
    return out


def risk_events(
    principal: Principal,
    since: datetime,
    until: datetime,
    *,
    notify: bool = True,
    store: Store | None = None,
) -> pd.DataFrame:
    """The risk events of [since, until) that call for a follow-up (for the outreach app):
    every red or yellow declaration, and every co-location with an F0 (``scan_exposures``,
    which records and notifies them). Health officers and health workers; audited. Columns:
    ``EVENT_COLUMNS`` (kind ``declaration`` | ``exposure``; ``event_key`` unique per person
    and event)."""
    require(principal, *RISK_READERS)
    st = _st(store)
    lo, hi = clock.to_utc_naive(since), clock.to_utc_naive(until)
    decl = st.df(
        "SELECT 'declaration' AS kind, 'decl:' || id AS event_key, person_key, person_id,"
        " full_name, phone, ward_code, lang, colour AS level, risk_reasons AS reasons,"
        " declared_at AS event_at, '' AS venue_name FROM hd_declarations"
        " WHERE declared_at >= ? AND declared_at < ? AND colour IN ('red', 'yellow')"
        " ORDER BY declared_at",
        [lo, hi],
    )
    exp = scan_exposures(principal, lo, hi, notify=notify, store=st)
    frames = [decl]
    if not exp.empty:
        frames.append(
            pd.DataFrame(
                {
                    "kind": "exposure",
                    "event_key": "exp:" + exp["ref"],
                    "person_key": exp["person_key"],
                    "person_id": exp["person_id"],
                    "full_name": exp["full_name"],
                    "phone": exp["phone"],
                    "ward_code": exp["ward_code"],
                    "lang": "vi",
                    "level": "yellow",
                    "reasons": "exposure_f0",
                    "event_at": exp["checked_in_at"],
                    "venue_name": exp["venue_name"],
                }
            )
        )
    events = (
        pd.concat([f for f in frames if not f.empty], ignore_index=True)
        if any(not f.empty for f in frames)
        else pd.DataFrame(columns=EVENT_COLUMNS)
    )
    audit.record(
        principal,
        "hd.risk_events.read",
        "declarations",
        "window",
        {"since": lo, "until": hi, "rows": len(events)},
        store=st,
    )
    return events[EVENT_COLUMNS]


def risk_signals(principal: Principal, *, store: Store | None = None) -> pd.DataFrame:
    """Every person's latest valid declaration as a ``declaration`` risk signal, for
    ``core.risk.rebuild`` (administrators)."""
    require(principal, "admin")
    now = clock.utcnow_naive()
    cfg = settings()
    return _st(store).df(
        # the latest declaration's values: (array_agg(x ORDER BY t DESC))[1] (both databases)
        "SELECT (array_agg(person_id ORDER BY declared_at DESC))[1] AS person_id,"
        " 'declaration' AS source, (array_agg(id ORDER BY declared_at DESC))[1] AS ref,"
        " (array_agg(colour ORDER BY declared_at DESC))[1] AS level,"
        " coalesce(nullif(split_part((array_agg(risk_reasons ORDER BY declared_at DESC))[1],"
        " ',', 1), ''),"
        " 'declared') AS reason_code, max(declared_at) AS since,"
        " max(declared_at) + ? AS until FROM hd_declarations"
        " WHERE declared_at > ? AND replaced_at IS NULL AND expires_at > ?"
        " GROUP BY person_key",
        [timedelta(hours=cfg.pass_valid_hours), now - timedelta(hours=cfg.pass_valid_hours), now],
    )
