"""The travel-permit workflow and all of its SQL. Every entry point takes the acting
``Principal`` first and checks role and ownership itself: deny by default, and a business only
ever sees or touches its own rows.

Roles: ``business`` (own data), ``approver`` (queue, decisions, verification, revocation,
renewal, analytics), ``health_officer`` (analytics), anonymous (self-registration and the public
permit page). ``admin`` runs the platform and is not part of this workflow.
"""

from __future__ import annotations

import io
import logging
import secrets
import uuid
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd

from apps.travel_permit import PREFIX
from core import accounts, audit, clock, geo
from core.auth import PermissionDenied, Principal, require
from core.config import get_settings
from core.forms import FORM, FieldError, Form, FormInvalid
from core.forms.identity import normalize_person_id
from core.forms.storage import row as form_row
from core.i18n import get_locale, t
from core.store import CONFLICTS, CONSTRAINTS, Store, get_store
from core.text import mask_id

from . import forms
from .models import TravelPermitSettings
from .rules import hours_label, period_label, window_days, window_label, window_labels

log = logging.getLogger(__name__)

APP_ID = "travel_permit"
ROSTER_COLUMNS = ("cccd", "full_name", "phone", "home_ward", "work_ward", "plate", "job_title")
_DEC_COLUMNS = ("cccd", "status", "reason_code", "permit_id")  # a decision's item updates


class TPError(ValueError):
    """A user-facing problem; nothing was written."""


class AlreadyDecided(TPError):
    """Another approver decided this request (or business) first."""


# -- helpers ----------------------------------------------------------------------------------


def app_settings() -> TravelPermitSettings:
    return get_settings().app_settings(APP_ID, TravelPermitSettings)  # type: ignore[return-value]


def _store(store: Store | None) -> Store:
    return store or get_store()


def _deny() -> PermissionDenied:
    return PermissionDenied(t("auth.denied"))


ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base32: digits and capitals without I, L, O and U, easy to read out."""


def _new_id(prefix: str) -> str:
    """``prefix`` + 13 characters: 65 random bits. Ten hex digits (40 bits) gave an ~11% chance
    of two equal permit ids among Da Nang's 507,510 permits, and a repeat failed the decision."""
    n = secrets.randbits(65)
    return prefix + "".join(ID_ALPHABET[(n >> (5 * i)) & 31] for i in range(13))


def new_permit_id() -> str:
    """A permit id (= its QR token id): 'P' + 13 characters (65 bits)."""
    return _new_id("P")


def fresh_permit_ids(n: int, store: Store) -> list[str]:
    """``n`` new permit ids that no token holds yet: a repeat is drawn again, so it never
    fails the decision that issues the permits."""
    from core.qr import service as qr

    return qr.fresh_token_ids(n, store=store, make=lambda: new_permit_id())  # looked up per call


def window_utc(start: date, end: date) -> tuple[datetime, datetime]:
    """Local midnight of ``start`` to local midnight after ``end``, as aware UTC datetimes."""
    begin = datetime.combine(start, time(0), tzinfo=clock.LOCAL_TZ).astimezone(UTC)
    finish = datetime.combine(end + timedelta(days=1), time(0), tzinfo=clock.LOCAL_TZ)
    return begin, finish.astimezone(UTC)


def _own_business(principal: Principal, store: Store) -> dict[str, Any]:
    require(principal, "business")
    rows = store.records("SELECT * FROM tp_businesses WHERE user_id = ?", [principal.user_id])
    if not rows:
        raise _deny()
    return rows[0]


def _verified_business(principal: Principal, store: Store) -> dict[str, Any]:
    biz = _own_business(principal, store)
    if biz["status"] != "verified":
        raise TPError(t("tp.err.not_verified"))
    return biz


def _answers(raw: Mapping[str, Any] | str, name: str) -> Mapping[str, Any]:
    """A form's raw answers; a bare text is the answer to its one question ``name``."""
    return {name: raw} if isinstance(raw, str) else raw


def zones_label(zones: Iterable[int]) -> str:
    return ", ".join(geo.ward_name(int(z)) for z in zones)


# -- businesses -------------------------------------------------------------------------------


def _registration_quotas(client: str, tax_code: str) -> list[tuple[Any, str]]:
    from core.web.security import Quota

    settings = app_settings()
    return [
        (Quota("tp.register.client", settings.registrations_per_client_hour, 3600), client),
        (Quota("tp.register.tax_code", settings.registrations_per_tax_code_day, 86400), tax_code),
    ]


def username_suggestions(username: str, tax_code: str, store: Store) -> list[str]:
    """Free user names near a taken one (shown only once the rest of the form is valid and a
    registration was counted against the client's limit)."""
    base = username[:24]
    candidates = [f"{base}{tax_code[-3:]}", f"{base}_{tax_code[:4]}", f"{base}2", f"{base}_dn"]
    taken = {
        r[0]
        for r in store.fetchall(
            "SELECT username FROM users WHERE username IN (SELECT UNNEST(?::VARCHAR[]))",
            [candidates],
        )
    }
    return [c for c in candidates if c not in taken][:3]


def register_business(
    principal: Principal,
    raw: Mapping[str, Any],
    *,
    client: str = "",
    store: Store | None = None,
) -> dict[str, Any]:
    """Self-registration (not logged in) from the answers to ``forms.business_form``: a
    business account, pending until an approver verifies it.

    Anti-automation and no enumeration: each registration spends one of the client's
    (``registrations_per_client_hour``) and the tax code's (``registrations_per_tax_code_day``)
    uses, counted per hour in aggregate; over either, one generic "try later" beside the form.
    A tax code already held is not an error: the registration is received like any other (the
    registrant sees the same page) and waits for the approver with "tax code already held by
    X" (``tax_code_clash``). A taken user name is said beside its field only once everything
    else is valid and the attempt was counted, with free alternatives."""
    from core.web.security import spend_quotas

    if not principal.is_anonymous:
        raise _deny()
    store = _store(store)
    province = app_settings().province_code
    values = forms.business_form(province).validate(raw)
    tax_code = values["tax_code"]
    wait = spend_quotas(_registration_quotas(client or "unknown", tax_code), store=store)
    audit.count("tp.business.register", throttled=bool(wait), store=store)
    if wait:
        raise FormInvalid.one(FORM, "tp.err.register_later", minutes=max(1, -(-wait // 60)))
    holder = store.fetchone(
        "SELECT id, status, name FROM tp_businesses WHERE tax_code = ?", [tax_code]
    )
    try:
        return _insert_business(values, province, holder, store)
    except accounts.AccountError as exc:
        field = {"full_name": "name"}.get(exc.field or "", exc.field or FORM)
        if field == "username" and exc.code == "exists":
            free = username_suggestions(values["username"], tax_code, store)
            raise FormInvalid.one(
                "username", "tp.err.username_taken", suggestions=", ".join(free)
            ) from None
        text = str(exc)
        raise FormInvalid({field: FieldError("forms.err.constraint", text=(text, text))}) from None
    except CONSTRAINTS:
        # another registration of the same tax code committed first: received as a clash
        holder = store.fetchone(
            "SELECT id, status, name FROM tp_businesses WHERE tax_code = ?", [tax_code]
        )
        return _insert_business(values, province, holder, store)


def _insert_business(
    values: dict[str, Any], province: int, holder: tuple | None, store: Store
) -> dict[str, Any]:
    clash = ""
    with store.transaction() as cur:
        if holder is not None and holder[1] == "rejected":
            # A rejected registration does not keep the tax code: a squatter refused by an
            # approver must not lock the real company out. Its row stays, marked released.
            cur.execute(
                "UPDATE tp_businesses SET tax_code = tax_code || '#' || ?,"
                " status_reason = status_reason || ' [MST released]'"
                " WHERE id = ? AND status = 'rejected'",
                [holder[0][:8], holder[0]],
            )
        elif holder is not None:
            clash = str(holder[0])
        user = accounts.insert_user(
            f"self:{values['username']}",
            values["username"],
            values["name"],
            "business",
            values["password"],
            store=store,
        )
        bid = str(uuid.uuid4())
        row = form_row(forms.business_form(province), values)
        if clash:  # the tax code stays with its holder until an approver decides
            row["tax_code"] = f"{values['tax_code']}#?{bid[:8]}"
        store.insert_row(
            "tp_businesses",
            {
                **row,
                "tax_code_clash": clash or None,
                "id": bid,
                "user_id": user.id,
                "username": user.username,
                "province_code": province,
                "status": "pending",
                "created_at": clock.utcnow_naive(),
            },
        )
        audit.record(
            user.username,
            "tp.business.register",
            "tp_business",
            bid,
            {"tax_code": values["tax_code"], "name": values["name"], "clash": clash},
            store=store,
        )
    return store.records("SELECT * FROM tp_businesses WHERE id = ?", [bid])[0]


def my_business(principal: Principal, *, store: Store | None = None) -> dict[str, Any]:
    """The business of the logged-in business account (status, reason)."""
    return _own_business(principal, _store(store))


def list_businesses(
    principal: Principal, *, status: str | None = None, store: Store | None = None
) -> pd.DataFrame:
    """Businesses for the approver, with ``clash``: the name of the business that already
    holds the tax code a registration names (empty when none). One audit row per view."""
    require(principal, "approver")
    sql = (
        "SELECT b.id, b.name, split_part(b.tax_code, '#', 1) AS tax_code, b.sector, b.ward_code,"
        " b.contact_name, b.phone, b.status, b.status_reason, b.created_at,"
        " coalesce(h.name || ' (' || h.status || ')', '') AS clash"
        " FROM tp_businesses b LEFT JOIN tp_businesses h ON h.id = b.tax_code_clash"
    )
    params: list[Any] = []
    if status:
        sql += " WHERE b.status = ?"
        params.append(status)
    store = _store(store)
    frame = store.df(sql + " ORDER BY b.created_at LIMIT 1000", params)
    frame["ward"] = frame["ward_code"].map(geo.ward_name)
    audit.record(
        principal,
        "tp.business.list",
        "tp_business",
        "-",
        {"status": status, "count": len(frame)},
        store=store,
    )
    return frame


def verify_business(
    principal: Principal,
    business_id: str,
    approve: bool,
    reason: Mapping[str, Any] | str = "",
    *,
    store: Store | None = None,
) -> None:
    """Verify (or refuse) a pending business account; one approver wins. ``reason``: the
    answers to ``forms.VERIFICATION`` (or its note as text), required to refuse."""
    require(principal, "approver")
    store = _store(store)
    answers = {**_answers(reason, "reason"), "decision": "verify" if approve else "refuse"}
    note = forms.VERIFICATION.validate(answers)["reason"] or ""
    status = "verified" if approve else "rejected"
    try:
        with store.transaction() as cur:
            if approve:
                _take_tax_code(store, business_id)
            n = cur.execute(
                "UPDATE tp_businesses SET status = ?, status_reason = ?, verified_at = ?,"
                " verified_by = ? WHERE id = ? AND status = 'pending'",
                [status, note, clock.utcnow_naive(), principal.actor, business_id],
            ).fetchone()[0]
            if n != 1:
                raise AlreadyDecided(t("tp.err.already_decided"))
            audit.record(
                principal,
                f"tp.business.{status}",
                "tp_business",
                business_id,
                {"reason": note},
                store=store,
            )
    except CONFLICTS as exc:
        raise AlreadyDecided(t("tp.err.already_decided")) from exc


def resubmit_registration(
    principal: Principal, raw: Mapping[str, Any], *, store: Store | None = None
) -> dict[str, Any]:
    """A refused business corrects its registration (the answers to
    ``forms.business_fix_form``) and sends it again: pending for an approver, the refusal's
    reason kept in the audit row. Its own account only, and only while refused. A tax code
    held by another business is received as a clash (as at registration); one held by a
    refused business is released to it."""
    require(principal, "business")
    store = _store(store)
    biz = _own_business(principal, store)
    if biz["status"] != "rejected":
        raise TPError(t("tp.err.not_refused"))
    province = int(biz["province_code"])
    form = forms.business_fix_form(province)
    values = form.validate(raw)
    tax_code = values["tax_code"]
    row = form_row(form, values)
    try:
        with store.transaction() as cur:
            holder = cur.execute(
                "SELECT id, status FROM tp_businesses WHERE tax_code = ? AND id <> ?",
                [tax_code, biz["id"]],
            ).fetchone()
            clash = None
            if holder is not None and holder[1] == "rejected":
                cur.execute(
                    "UPDATE tp_businesses SET tax_code = tax_code || '#' || ?,"
                    " status_reason = status_reason || ' [MST released]' WHERE id = ?",
                    [str(holder[0])[:8], holder[0]],
                )
            elif holder is not None:
                clash = str(holder[0])
                row["tax_code"] = f"{tax_code}#?{str(biz['id'])[:8]}"
            cur.execute(
                "UPDATE tp_businesses SET name = ?, tax_code = ?, sector = ?, ward_code = ?,"
                " address = ?, contact_name = ?, phone = ?, tax_code_clash = ?,"
                " status = 'pending', status_reason = '', verified_at = NULL, verified_by = NULL"
                " WHERE id = ? AND status = 'rejected'",
                [*(row[name] for name in forms.CORRECTABLE), clash, biz["id"]],
            )
            audit.record(
                principal,
                "tp.business.resubmit",
                "tp_business",
                str(biz["id"]),
                {"tax_code": tax_code, "clash": clash or "", "refused_for": biz["status_reason"]},
                store=store,
            )
    except CONFLICTS as exc:
        raise AlreadyDecided(t("tp.err.already_decided")) from exc
    return _own_business(principal, store)


def _take_tax_code(store: Store, business_id: str) -> None:
    """Before verifying a registration that named a tax code held by another business: the
    holder must have been refused first (which releases the code); then the code is its."""
    row = store.fetchone(
        "SELECT tax_code, tax_code_clash FROM tp_businesses WHERE id = ?", [business_id]
    )
    if row is None or "#?" not in str(row[0]):
        return
    claimed = str(row[0]).split("#", 1)[0]
    holder = store.fetchone(
        "SELECT name, status, id FROM tp_businesses WHERE tax_code = ?", [claimed]
    )
    if holder is not None and holder[1] != "rejected":
        raise TPError(t("tp.err.mst_held", mst=claimed, name=holder[0]))
    if holder is not None:  # a refused holder releases the code (as a new registration does)
        store.execute(
            "UPDATE tp_businesses SET tax_code = tax_code || '#' || ?,"
            " status_reason = status_reason || ' [MST released]' WHERE id = ?",
            [str(holder[2])[:8], holder[2]],
        )
    store.execute(
        "UPDATE tp_businesses SET tax_code = ?, tax_code_clash = NULL WHERE id = ?",
        [claimed, business_id],
    )


# -- roster -----------------------------------------------------------------------------------


def list_employees(
    principal: Principal, *, business_id: str | None = None, store: Store | None = None
) -> pd.DataFrame:
    """A roster: the business's own, or any business's for an approver."""
    store = _store(store)
    if principal.has("business"):
        business_id = _own_business(principal, store)["id"]
    else:
        require(principal, "approver")
        if business_id is None:
            raise TPError(t("tp.err.not_found"))
    frame = store.df(
        "SELECT cccd, full_name, phone, home_ward, work_ward, plate, job_title, updated_at"
        " FROM tp_employees WHERE business_id = ? AND active ORDER BY full_name, cccd",
        [business_id],
    )
    if not principal.has("business"):
        audit.record(
            principal,
            "tp.roster.read",
            "tp_business",
            str(business_id),
            {"count": len(frame)},
            store=store,
        )
    return frame


def _upsert_frame(store: Store, business_id: str, frame: pd.DataFrame) -> tuple[int, int]:
    frame = frame[list(ROSTER_COLUMNS)].copy()
    frame["plate"] = frame["plate"].fillna("")  # an unanswered question is stored as ''
    frame["job_title"] = frame["job_title"].fillna("")
    now = clock.utcnow_naive()
    cccds = frame["cccd"].astype(str).tolist()
    existing = store.scalar(
        "SELECT count(*) FROM tp_employees WHERE business_id = ?"
        " AND cccd IN (SELECT UNNEST(?::VARCHAR[]))",
        [business_id, cccds],
    )
    store.execute(
        "INSERT INTO tp_employees (business_id, cccd, full_name, phone, home_ward, work_ward,"
        " plate, job_title, active, updated_at, added_at)"
        " SELECT ?, cccd, full_name, phone, home_ward, work_ward, plate, job_title, TRUE, ?, ?"
        " FROM (SELECT UNNEST(?::VARCHAR[]) AS cccd, UNNEST(?::VARCHAR[]) AS full_name,"
        " UNNEST(?::VARCHAR[]) AS phone, UNNEST(?::INTEGER[]) AS home_ward,"
        " UNNEST(?::INTEGER[]) AS work_ward, UNNEST(?::VARCHAR[]) AS plate,"
        " UNNEST(?::VARCHAR[]) AS job_title) r"
        " ON CONFLICT (business_id, cccd) DO UPDATE SET full_name = excluded.full_name,"
        " phone = excluded.phone, home_ward = excluded.home_ward,"
        " work_ward = excluded.work_ward, plate = excluded.plate,"
        " job_title = excluded.job_title, active = TRUE, updated_at = excluded.updated_at",
        [
            business_id,
            now,
            now,
            cccds,
            frame["full_name"].astype(str).tolist(),
            frame["phone"].astype(str).tolist(),
            [int(w) for w in frame["home_ward"]],
            [int(w) for w in frame["work_ward"]],
            frame["plate"].astype(str).tolist(),
            frame["job_title"].astype(str).tolist(),
        ],
    )
    return len(frame) - existing, existing


def roster_form(business: Mapping[str, Any]) -> Form:
    """The employee form of a business (the wards of its province)."""
    return forms.employee_form(int(business["province_code"]))


def save_employee(
    principal: Principal, raw: Mapping[str, Any], *, store: Store | None = None
) -> None:
    """Add or edit one employee (upsert by CCCD) from the answers to ``forms.employee_form``."""
    store = _store(store)
    biz = _own_business(principal, store)
    values = roster_form(biz).validate(raw)
    frame = pd.DataFrame([form_row(roster_form(biz), values)])
    with store.transaction():
        _upsert_frame(store, biz["id"], frame)
        audit.record(
            principal, "tp.employee.save", "tp_employee", mask_id(values["cccd"]), store=store
        )


def remove_employee(principal: Principal, cccd: str, *, store: Store | None = None) -> None:
    """Take an employee off the roster (their permits stay until revoked)."""
    store = _store(store)
    biz = _own_business(principal, store)
    cccd = normalize_person_id(cccd)
    with store.transaction() as cur:
        n = cur.execute(
            "UPDATE tp_employees SET active = FALSE, updated_at = ?"
            " WHERE business_id = ? AND cccd = ? AND active",
            [clock.utcnow_naive(), biz["id"], cccd],
        ).fetchone()[0]
        if n != 1:
            raise TPError(t("tp.err.not_found"))
        audit.record(principal, "tp.employee.remove", "tp_employee", mask_id(cccd), store=store)


def import_roster(
    principal: Principal, upload: Any, *, store: Store | None = None
) -> tuple[int, int]:
    """Store the good rows of a roster upload read with the business's employee form
    (``core.forms.table.parse_upload``: a ``TableResult``); returns (added, updated). Upsert
    by CCCD."""
    store = _store(store)
    biz = _own_business(principal, store)
    if upload.form is not roster_form(biz):
        raise TPError(t("tp.err.not_found"))  # read with another form: its rows are not checked
    if upload.good.empty:
        raise TPError(t("tp.roster.nothing_to_import"))
    with store.transaction():
        added, updated = _upsert_frame(store, biz["id"], upload.good)
        audit.record(
            principal,
            "tp.roster.import",
            "tp_business",
            biz["id"],
            {"added": added, "updated": updated, "bad_rows": len(upload.errors)},
            store=store,
        )
    return added, updated


def export_roster(principal: Principal, *, store: Store | None = None) -> bytes:
    """The business's roster as CSV UTF-8 (BOM) with the upload's Vietnamese headers (so it
    uploads again), ward names, formulas neutralised."""
    from core.forms.table import table_fields
    from core.forms.table_file import csv_bytes

    require(principal, "business")  # approvers read rosters with list_employees
    store = _store(store)
    form = roster_form(_own_business(principal, store))
    frame = list_employees(principal, store=store)
    for col in ("home_ward", "work_ward"):
        frame[col] = frame[col].map(geo.ward_name)
    fields = table_fields(form)
    rows = frame[[f.name for f in fields]].itertuples(index=False, name=None)
    return csv_bytes([f.label.vi for f in fields], rows)


# -- requests ---------------------------------------------------------------------------------


def quota_status(principal: Principal, *, store: Store | None = None) -> dict[str, int]:
    """Roster size, the quota, and employees holding or awaiting permits now."""
    store = _store(store)
    biz = _own_business(principal, store)
    return _quota(store, biz["id"])


#: The CCCDs of a business with a pending request or an active permit overlapping a window;
#: parameters: business id, business id, window start, window end (UTC).
_PENDING_OR_PERMITTED = (
    "SELECT i.cccd FROM tp_request_items i JOIN tp_requests r ON r.id = i.request_id"
    " WHERE r.business_id = ? AND r.status = 'pending'"
    " UNION ALL SELECT cccd FROM tp_permits WHERE business_id = ? AND status = 'active'"
    " AND valid_until > ? AND valid_from < ?"
)
_END_OF_TIME = datetime(9999, 12, 31)


def roster_growth(store: Store, business_id: str) -> pd.DataFrame:
    """The roster day by day (local days, from its first row): rows added that day (active
    employees, by when each first joined), the roster's size at the end of the day, and the
    base the quota counts: the first day's roster in full, then at most
    ``roster_growth_percent`` % of the base or ``roster_growth_rows`` rows more per day (the
    larger); rows over the cap wait (``pending``) and enter on the next days. So invented rows
    cannot lift a quota overnight (12 -> 312 gives 22 the first day), while an honest
    business's first upload counts at once."""
    settings = app_settings()
    rows = store.fetchall(
        "SELECT CAST(coalesce(added_at, updated_at) + INTERVAL '7 hours' AS DATE) AS day,"
        " count(*) FROM tp_employees WHERE business_id = ? AND active GROUP BY day ORDER BY day",
        [business_id],
    )
    columns = ["day", "added", "size", "base", "pending"]
    if not rows:
        return pd.DataFrame(columns=columns)
    added = {d: int(n) for d, n in rows}
    today = clock.today_local()
    day, last = rows[0][0], max(today, rows[-1][0])
    size = base = 0
    out = []
    first = True
    while day <= last:
        size += added.get(day, 0)
        if first:
            base, first = size, False
        else:
            step = max(
                -(-base * settings.roster_growth_percent // 100), settings.roster_growth_rows
            )
            base = min(size, base + step)
        out.append((day, added.get(day, 0), size, base, size - base))
        day += timedelta(days=1)
    return pd.DataFrame(out, columns=columns)


def _quota(store: Store, business_id: str) -> dict[str, int]:
    settings = app_settings()
    growth = roster_growth(store, business_id)
    roster = int(growth["size"].iloc[-1]) if len(growth) else 0
    base = int(growth["base"].iloc[-1]) if len(growth) else 0
    week = clock.today_local() - timedelta(days=6)
    added_7d = int(growth.loc[growth["day"] >= week, "added"].sum()) if len(growth) else 0
    busy = store.scalar(
        f"SELECT count(DISTINCT cccd) FROM ({_PENDING_OR_PERMITTED}) AS busy",  # noqa: S608 - constant
        [business_id, business_id, clock.utcnow_naive(), _END_OF_TIME],
    )
    limit = (base * settings.quota_percent) // 100
    return {
        "roster": roster,
        "base": base,
        "pending_growth": roster - base,
        "added_7d": added_7d,
        "limit": limit,
        "busy": int(busy),
        "percent": settings.quota_percent,
    }


def roster_history(
    principal: Principal, business_id: str, *, days: int = 14, store: Store | None = None
) -> tuple[pd.DataFrame, dict[str, int]]:
    """For the approver: the roster's last ``days`` days (``roster_growth``) and the quota
    now (the base it counts, rows waiting, rows added in the last 7 days)."""
    require(principal, "approver")
    store = _store(store)
    growth = roster_growth(store, business_id)
    audit.record(
        principal,
        "tp.roster.history",
        "tp_business",
        str(business_id),
        {"days": days},
        store=store,
    )
    since = clock.today_local() - timedelta(days=days - 1)
    if len(growth):
        growth = growth[growth["day"] >= since].reset_index(drop=True)
    return growth, _quota(store, business_id)


def _roster(store: Store, business_id: str) -> tuple[tuple[str, str], ...]:
    """(CCCD, name) of every active employee, in the roster's order (``forms.request_form``)."""
    rows = store.fetchall(
        "SELECT cccd, full_name FROM tp_employees WHERE business_id = ? AND active"
        " ORDER BY full_name, cccd",
        [business_id],
    )
    return tuple((str(c), str(n)) for c, n in rows)


def request_form_for(business: Mapping[str, Any], roster: tuple[tuple[str, str], ...]) -> Form:
    """The request form of a business: its roster, its province, the settings' longest window.
    ``roster``: (CCCD, name) pairs (``forms.roster_key``), at least one."""
    settings = app_settings()
    return forms.request_form(roster, int(business["province_code"]), settings.max_validity_days)


@dataclass(frozen=True)
class _Request:
    """A validated request: its form, the values and the chosen employees with their names."""

    form: Form
    values: dict[str, Any]
    found: pd.DataFrame

    @property
    def cccds(self) -> list[str]:
        return list(self.found["cccd"])


def submit_request(
    principal: Principal,
    raw: Mapping[str, Any],
    *,
    resubmitted_from: str | None = None,
    store: Store | None = None,
) -> str:
    """Ask for permits for some employees of the roster, from the answers to
    ``forms.request_form``: window, zones, hours; then nobody asked for twice, and the quota."""
    store = _store(store)
    biz = _verified_business(principal, store)
    roster = _roster(store, biz["id"])
    if not roster:
        raise FormInvalid.one("employees", "tp.req.empty_roster")
    form = request_form_for(biz, roster)
    values = form.validate(raw)
    names = dict(roster)
    chosen = values["employees"]
    found = pd.DataFrame({"cccd": chosen, "full_name": [names[c] for c in chosen]})
    values["zones"] = sorted(int(z) for z in values["zones"])
    rid = _new_id("R")
    now = clock.utcnow_naive()
    try:
        _insert_request(
            store, principal, biz["id"], _Request(form, values, found), rid, now, resubmitted_from
        )
    except CONFLICTS:
        raise TPError(t("common.conflict")) from None
    return rid


def _refuse_duplicates(
    store: Store, business_id: str, request: _Request, resubmitted_from: str | None
) -> None:
    """A rejected request is resubmitted once; nobody is asked for twice while a request for
    them is pending or while they hold an active permit overlapping the new window."""
    if resubmitted_from is not None:
        again = store.scalar(
            "SELECT id FROM tp_requests WHERE resubmitted_from = ? LIMIT 1", [resubmitted_from]
        )
        if again is not None:
            raise TPError(t("tp.err.already_resubmitted", id=again))
    begin, finish = window_utc(request.values["start_date"], request.values["end_date"])
    found = request.found
    cccds = request.cccds
    taken = store.fetchall(
        f"SELECT DISTINCT cccd FROM ({_PENDING_OR_PERMITTED}) AS busy WHERE list_contains(?, cccd)",  # noqa: S608 - constant
        [business_id, business_id, clock.to_utc_naive(begin), clock.to_utc_naive(finish), cccds],
    )
    if taken:
        names = dict(zip(found["cccd"], found["full_name"], strict=True))
        shown = ", ".join(sorted(names[c] for (c,) in taken))
        raise FormInvalid.one("employees", "tp.err.already_asked", n=len(taken), names=shown)


def _insert_request(
    store: Store,
    principal: Principal,
    business_id: str,
    request: _Request,
    rid: str,
    now: datetime,
    resubmitted_from: str | None,
) -> None:
    with store.transaction() as cur:
        # Touch the business row first: two requests of one business at once then conflict
        # (one is told to retry) instead of both passing the quota on the same snapshot.
        cur.execute("UPDATE tp_businesses SET status = status WHERE id = ?", [business_id])
        _refuse_duplicates(store, business_id, request, resubmitted_from)
        quota = _quota(store, business_id)
        asked = len(request.found)
        if quota["busy"] + asked > quota["limit"]:
            raise FormInvalid.one("employees", "tp.err.quota", asked=asked, **quota)
        store.insert_row(
            "tp_requests",
            {
                **form_row(request.form, request.values),
                "id": rid,
                "business_id": business_id,
                "zones": request.values["zones"],
                "n_employees": asked,
                "status": "pending",
                "submitted_at": now,
                "resubmitted_from": resubmitted_from,
                "created_by": principal.actor,
            },
        )
        items = request.found.assign(request_id=rid, status="pending")
        store.insert_df("tp_request_items", items[["request_id", "cccd", "full_name", "status"]])
        audit.record(
            principal,
            "tp.request.submit",
            "tp_request",
            rid,
            {"employees": asked, "resubmitted_from": resubmitted_from},
            store=store,
        )


def resubmit_request(
    principal: Principal, request_id: str, raw: Mapping[str, Any], *, store: Store | None = None
) -> str:
    """Fix and resubmit a rejected (or partly rejected) request as a new pending request."""
    store = _store(store)
    biz = _own_business(principal, store)
    row = store.fetchone(
        "SELECT status FROM tp_requests WHERE id = ? AND business_id = ?", [request_id, biz["id"]]
    )
    if row is None:
        raise _deny()
    if row[0] not in ("rejected", "partial"):
        raise TPError(t("tp.err.not_rejected"))
    return submit_request(principal, raw, resubmitted_from=request_id, store=store)


def list_requests(
    principal: Principal, *, status: str | None = None, store: Store | None = None
) -> pd.DataFrame:
    """The business's own requests, newest first, with status and reasons."""
    store = _store(store)
    biz = _own_business(principal, store)
    sql = (
        "SELECT id, purpose, start_date, end_date, n_employees, n_approved, status, submitted_at,"
        " decided_at, reason_code, reason_text, resubmitted_from FROM tp_requests"
        " WHERE business_id = ?"
    )
    params: list[Any] = [biz["id"]]
    if status:
        sql += " AND status = ?"
        params.append(status)
    return store.df(sql + " ORDER BY submitted_at DESC LIMIT 1000", params)


def get_request(principal: Principal, request_id: str, *, store: Store | None = None) -> dict:
    """One request with its business and employees (owner or approver)."""
    store = _store(store)
    if principal.has("business"):
        biz = _own_business(principal, store)
        rows = store.records(
            "SELECT * FROM tp_requests WHERE id = ? AND business_id = ?", [request_id, biz["id"]]
        )
        if not rows:
            raise _deny()
    else:
        require(principal, "approver")
        rows = store.records("SELECT * FROM tp_requests WHERE id = ?", [request_id])
        if not rows:
            raise TPError(t("tp.err.not_found"))
    req = rows[0]
    req["business"] = store.records(
        "SELECT id, name, tax_code, sector, ward_code, province_code, contact_name, phone, status"
        " FROM tp_businesses WHERE id = ?",
        [req["business_id"]],
    )[0]
    req["items"] = store.df(
        "SELECT i.cccd, i.full_name, e.job_title, e.home_ward, e.work_ward, e.plate, i.status,"
        " i.reason_code, i.permit_id FROM tp_request_items i LEFT JOIN tp_employees e"
        " ON e.business_id = ? AND e.cccd = i.cccd WHERE i.request_id = ? ORDER BY i.full_name",
        [req["business_id"], request_id],
    )
    if not principal.has("business"):  # an approver opened other people's data
        audit.record(
            principal,
            "tp.request.read",
            "tp_request",
            request_id,
            {"business": req["business_id"], "people": len(req["items"])},
            store=store,
        )
    return req


# -- approver queue and decisions -------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = "pending"
    ward_code: int | None = None
    sector: str | None = None
    min_age_hours: float | None = None
    limit: int = 200


def queue(
    principal: Principal, flt: QueueFilter | None = None, *, store: Store | None = None
) -> tuple[pd.DataFrame, int]:
    """Requests oldest first with filters; returns (page, total matching)."""
    require(principal, "approver")
    flt = flt or QueueFilter()
    where = ["1=1"]
    params: list[Any] = []
    if flt.status:
        where.append("r.status = ?")
        params.append(flt.status)
    if flt.ward_code:
        where.append("b.ward_code = ?")
        params.append(int(flt.ward_code))
    if flt.sector:
        where.append("b.sector = ?")
        params.append(flt.sector)
    if flt.min_age_hours:
        where.append("r.submitted_at <= ?")
        params.append(clock.utcnow_naive() - timedelta(hours=float(flt.min_age_hours)))
    clause = " AND ".join(where)  # constant fragments only; values are bound
    store = _store(store)
    total = store.scalar(
        "SELECT count(*) FROM tp_requests r JOIN tp_businesses b ON b.id = r.business_id WHERE "  # noqa: S608
        + clause,
        params,
    )
    frame = store.df(
        "SELECT r.id, b.name AS business, b.tax_code, b.sector, b.ward_code, r.n_employees,"  # noqa: S608
        " r.purpose, r.start_date, r.end_date, r.submitted_at, r.status"
        " FROM tp_requests r JOIN tp_businesses b ON b.id = r.business_id WHERE "
        + clause
        + " ORDER BY r.submitted_at, r.id LIMIT ?",
        [*params, max(1, min(int(flt.limit), 5000))],
    )
    now = clock.utcnow_naive()
    frame["age_hours"] = ((now - frame["submitted_at"]).dt.total_seconds() / 3600).round(1)
    frame["ward"] = frame["ward_code"].map(geo.ward_name)
    frame["validity"] = [
        period_label(a, b) for a, b in zip(frame["start_date"], frame["end_date"], strict=True)
    ]
    frame["period_over"] = [bool(period_over(b)) for b in frame["end_date"]]
    audit.record(
        principal,
        "tp.queue.view",
        "tp_request",
        "-",
        {"count": len(frame), "total": int(total), "filter": _filter_details(flt)},
        store=store,
    )
    return frame, int(total)


def period_over(end_date: date, *, now: datetime | None = None) -> bool:
    """The request's period has ended (its last local day is over): it can no longer be
    approved (``decide`` refuses it), only refused or asked again with new dates."""
    finish = window_utc(end_date, end_date)[1]
    return finish <= (now or clock.now())


def _filter_details(flt: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return {k: v for k, v in asdict(flt).items() if v is not None}


FLAGS: tuple[str, ...] = ("isolating", "exposed", "declaration_red", "declaration_yellow")
"""What the approver sees beside an employee, worst first (from ``core.risk``)."""


def _flag_of(status: Any) -> str:
    """The one flag an employee's risk status shows (``""``: nothing known against them)."""
    if status.isolating:
        return "isolating"
    if status.exposed:
        return "exposed"
    declared = status.level_of("declaration")
    return f"declaration_{declared}" if declared in ("red", "yellow") else ""


def holder_flags(
    principal: Principal, request_id: str, *, store: Store | None = None
) -> pd.DataFrame:
    """The risk flag of each employee of a request, from the person's status in core.risk
    (isolation register, latest declaration, exposure): what the approver sees before
    approving. Columns: cccd, full_name, level, flag (``FLAGS`` or ``""``), flag_text,
    isolating, reasons. Approvers; audited (a read of health status: counts only)."""
    from core import risk

    require(principal, "approver")
    store = _store(store)
    if not store.scalar("SELECT 1 FROM tp_requests WHERE id = ?", [str(request_id)[:64]]):
        raise TPError(t("tp.err.not_found"))
    items = store.df(
        "SELECT cccd, full_name FROM tp_request_items WHERE request_id = ? ORDER BY full_name",
        [str(request_id)[:64]],
    )
    statuses = [risk.status(str(c), store=store) for c in items["cccd"]]
    items["level"] = [s.level for s in statuses]
    items["flag"] = [_flag_of(s) for s in statuses]
    items["flag_text"] = [t(f"tp.flag.{f}") if f else "" for f in items["flag"]]
    items["isolating"] = [s.isolating for s in statuses]
    items["reasons"] = [",".join(s.reasons) for s in statuses]
    audit.record(
        principal,
        "tp.request.risk_read",
        "tp_request",
        str(request_id),
        {"people": len(items), "flagged": int((items["flag"] != "").sum())},
        store=store,
    )
    return items


@dataclass(frozen=True)
class Decision:
    """``approve``: the CCCDs to approve (None = all). The others are rejected, which needs
    the answers to ``forms.DECISION``'s reason code and explanation (checked by ``decide``)."""

    approve: frozenset[str] | None = None
    reason_code: Any = None
    reason_text: Any = ""

    @classmethod
    def approve_all(cls) -> Decision:
        return cls(None)

    @classmethod
    def reject_all(cls, reason_code: Any, reason_text: Any) -> Decision:
        return cls(frozenset(), reason_code, reason_text)

    @classmethod
    def of(cls, raw: Mapping[str, Any], selected: Iterable[str] = ()) -> Decision:
        """From the answers to ``forms.DECISION`` (or ``forms.REFUSAL``); ``selected``: the
        CCCDs to approve when the decision is ``partial``."""
        code, text = raw.get("reason_code"), raw.get("reason_text")
        kind = raw.get("decision")
        if kind == "approve":
            return cls.approve_all()
        if kind == "partial":
            return cls(frozenset(selected), code, text)
        if kind == "reject":
            return cls.reject_all(code, text)
        raise FormInvalid.one("decision", "forms.err.choice" if kind else "forms.err.required")


def _claims(name: str, cccd: str, zones: Sequence[int], h: Sequence[int]) -> dict:
    """What the permit's QR carries (``models.PermitClaims``): only what the checkpoint checks
    or shows. The last 4 digits of the CCCD (the gate shows them masked), not the employer's
    tax code (no gate uses it): a long name with its diacritics still fits a version 10 QR."""
    return {
        "n": name,
        "c": str(cccd).strip()[-4:],
        "w": [int(z) for z in zones],
        "h": [int(h[0]), int(h[1])],
    }


def decide(
    principal: Principal,
    request_id: str,
    decision: Decision,
    *,
    store: Store | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> dict[str, Any]:
    """Approve/reject a pending request whole or per employee and issue the permits, all in
    one transaction. Exactly one of two concurrent approvers wins; the other gets
    ``AlreadyDecided``."""
    from core.qr import service as qr

    require(principal, "approver")
    store = _store(store)
    req = store.records("SELECT * FROM tp_requests WHERE id = ?", [request_id])
    if not req:
        raise TPError(t("tp.err.not_found"))
    req = req[0]
    if req["status"] != "pending":
        raise AlreadyDecided(t("tp.err.already_decided"))
    items = store.df(
        "SELECT cccd, full_name FROM tp_request_items WHERE request_id = ? ORDER BY cccd",
        [request_id],
    )
    all_ids = set(items["cccd"])
    approve = all_ids if decision.approve is None else set(decision.approve)
    if approve - all_ids:
        raise TPError(t("tp.err.not_in_request"))
    rejected = all_ids - approve
    reason_code, reason_text = None, ""
    if rejected:
        values = forms.DECISION.validate(
            {
                "decision": "partial" if approve else "reject",
                "reason_code": decision.reason_code,
                "reason_text": decision.reason_text,
            }
        )
        reason_code, reason_text = values["reason_code"], values["reason_text"]
    status = "approved" if not rejected else ("rejected" if not approve else "partial")
    begin, finish = window_utc(req["start_date"], req["end_date"])
    if approve and finish <= clock.now():
        raise TPError(
            t(
                "tp.err.period_over",
                id=request_id,
                period=period_label(req["start_date"], req["end_date"]),
            )
        )
    zones = list(req["zones"])
    hours = (req["start_minute"], req["end_minute"])
    approved = items[items["cccd"].isin(approve)].reset_index(drop=True)
    approved["permit_id"] = fresh_permit_ids(len(approved), store)
    now = clock.utcnow_naive()
    try:
        with store.transaction() as cur:
            n = cur.execute(
                "UPDATE tp_requests SET status = ?, decided_at = ?, decided_by = ?,"
                " reason_code = ?, reason_text = ?, n_approved = ?"
                " WHERE id = ? AND status = 'pending'",
                [
                    status,
                    now,
                    principal.actor,
                    reason_code,
                    reason_text or None,
                    len(approved),
                    request_id,
                ],
            ).fetchone()[0]
            if n != 1:
                raise AlreadyDecided(t("tp.err.already_decided"))
            dec = items.copy()
            dec["status"] = dec["cccd"].map(lambda c: "approved" if c in approve else "rejected")
            dec["reason_code"] = dec["status"].map(
                lambda s: None if s == "approved" else reason_code
            )
            dec = dec.merge(approved[["cccd", "permit_id"]], on="cccd", how="left")
            cur.execute(
                "UPDATE tp_request_items AS i SET status = d.status,"
                " reason_code = d.reason_code, permit_id = d.permit_id"
                " FROM (SELECT UNNEST(?::VARCHAR[]) AS cccd, UNNEST(?::VARCHAR[]) AS status,"
                " UNNEST(?::VARCHAR[]) AS reason_code, UNNEST(?::VARCHAR[]) AS permit_id) d"
                " WHERE i.request_id = ? AND i.cccd = d.cccd",
                [
                    *([None if pd.isna(v) else str(v) for v in dec[c]] for c in _DEC_COLUMNS),
                    request_id,
                ],
            )
            if len(approved):
                issue_items = [
                    qr.IssueItem(
                        claims=_claims(name, cccd, zones, hours),
                        expires=finish,
                        not_before=begin,
                        subject=f"{request_id}/{mask_id(cccd)}",
                        token_id=pid,
                    )
                    for name, cccd, pid in zip(
                        approved["full_name"], approved["cccd"], approved["permit_id"], strict=True
                    )
                ]
                qr.issue(PREFIX, issue_items, principal, store=store, progress=progress)
                store.insert_df(
                    "tp_permits", _permit_frame(approved, req, begin, finish, principal)
                )
            audit.record(
                principal,
                f"tp.request.{status}",
                "tp_request",
                request_id,
                {
                    "approved": len(approved),
                    "rejected": len(rejected),
                    "reason_code": reason_code,
                    "reason": reason_text,
                },
                store=store,
            )
    except AlreadyDecided:
        raise
    except CONFLICTS as exc:
        raise AlreadyDecided(t("tp.err.already_decided")) from exc
    return {"status": status, "approved": len(approved), "rejected": len(rejected)}


def _permit_frame(
    approved: pd.DataFrame,
    req: dict[str, Any],
    begin: datetime,
    finish: datetime,
    principal: Principal,
) -> pd.DataFrame:
    n = len(approved)
    return pd.DataFrame(
        {
            "permit_id": approved["permit_id"],
            "request_id": req["id"],
            "business_id": req["business_id"],
            "cccd": approved["cccd"],
            "full_name": approved["full_name"],
            "valid_from": clock.to_utc_naive(begin),
            "valid_until": clock.to_utc_naive(finish),
            "zones": [list(map(int, req["zones"]))] * n,
            "start_minute": int(req["start_minute"]),
            "end_minute": int(req["end_minute"]),
            "issued_at": clock.utcnow_naive(),
            "issued_by": principal.actor,
            "status": "active",
        }
    )


def bulk_decide(
    principal: Principal, rows: Sequence[Mapping[str, Any]], *, store: Store | None = None
) -> list[tuple[str, str]]:
    """Decisions from the queue table: each row has ``id`` and the answers to
    ``forms.DECISION`` (``decision`` 'approve'/'reject' or empty: no decision, ``reason_code``,
    ``reason_text``), validated row by row. Each request is its own transaction; returns
    (request id, outcome message) for every row with a decision, a refused row's message
    naming its row number and the questions to fix."""
    require(principal, "approver")
    out: list[tuple[str, str]] = []
    for number, row in enumerate(rows, start=1):
        choice = row.get("decision")
        if choice is None or not str(choice).strip():
            continue
        rid = str(row.get("id"))
        answers = {k: row.get(k) for k in ("decision", "reason_code", "reason_text")}
        try:
            values = forms.DECISION.validate(answers)
            if values["decision"] == "partial":  # nobody is selected in the table
                raise FormInvalid.one("decision", "tp.err.bad_decision")
            res = decide(principal, rid, Decision.of(values), store=store)
            out.append((rid, t(f"tp.status.{res['status']}")))
        except FormInvalid as exc:
            problems = "; ".join(
                f"{forms.DECISION.label(name, get_locale())}: {err.message}"
                for name, err in exc.errors.items()
            )
            out.append((rid, t("tp.queue.row_invalid", row=number, problems=problems)))
        except TPError as exc:
            out.append((rid, str(exc)))
    return out


# -- permits ----------------------------------------------------------------------------------


def _permit_scope(principal: Principal, store: Store) -> str | None:
    """The business id a principal is limited to (None = approver, all)."""
    if principal.has("business"):
        return _own_business(principal, store)["id"]
    require(principal, "approver")
    return None


def list_permits(
    principal: Principal,
    *,
    request_id: str | None = None,
    status: str | None = None,
    limit: int = 5000,
    store: Store | None = None,
) -> pd.DataFrame:
    store = _store(store)
    scope = _permit_scope(principal, store)
    where, params = ["1=1"], []
    if scope is not None:
        where.append("business_id = ?")
        params.append(scope)
    if request_id:
        where.append("request_id = ?")
        params.append(request_id)
    if status:
        where.append("status = ?")
        params.append(status)
    frame = store.df(
        "SELECT permit_id, request_id, full_name, cccd, valid_from, valid_until, zones,"  # noqa: S608
        " start_minute, end_minute, status, issued_at, revoke_reason FROM tp_permits WHERE "
        + " AND ".join(where)
        + " ORDER BY issued_at DESC, full_name LIMIT ?",
        [*params, max(1, min(int(limit), 100_000))],
    )
    frame["validity"] = window_labels(frame["valid_from"], frame["valid_until"])
    if scope is None:  # an approver: a list of other people's permits
        audit.record(
            principal,
            "tp.permits.list",
            "tp_request",
            request_id or "-",
            {"count": len(frame), "filter": {"request": request_id, "status": status}},
            store=store,
        )
    return frame


def _permit_rows(
    principal: Principal, store: Store, permit_ids: Sequence[str] | None, request_id: str | None
) -> pd.DataFrame:
    scope = _permit_scope(principal, store)
    if permit_ids is not None:
        frame = store.df(
            "SELECT p.*, b.name AS business, b.tax_code FROM tp_permits p"
            " JOIN tp_businesses b ON b.id = p.business_id"
            " WHERE list_contains(?, p.permit_id)",
            [list(permit_ids)],
        )
        if len(frame) != len(set(permit_ids)):
            raise TPError(t("tp.err.not_found"))
        if scope is not None and (frame["business_id"] != scope).any():
            raise _deny()
        return frame
    clause, params = _active_where(scope, request_id)
    return store.df(
        "SELECT p.*, b.name AS business, b.tax_code FROM tp_permits p"  # noqa: S608
        " JOIN tp_businesses b ON b.id = p.business_id WHERE "
        + clause
        + " ORDER BY p.full_name LIMIT 20000",
        params,
    )


def _active_where(scope: str | None, request_id: str | None) -> tuple[str, list[Any]]:
    """The active permits of a request and/or a business (an approver must name a request)."""
    where, params = ["p.status = 'active'"], []
    if scope is not None:
        where.append("p.business_id = ?")
        params.append(scope)
    if request_id:
        where.append("p.request_id = ?")
        params.append(request_id)
    elif scope is None:
        raise TPError(t("tp.err.not_found"))
    return " AND ".join(where), params  # constant fragments only; values are bound


def active_permit_count(
    principal: Principal, *, request_id: str | None = None, store: Store | None = None
) -> int:
    """How many permits ``permits_pdf``/``permits_zip`` would print, without rendering them."""
    store = _store(store)
    clause, params = _active_where(_permit_scope(principal, store), request_id)
    return int(store.scalar("SELECT count(*) FROM tp_permits p WHERE " + clause, params))  # noqa: S608


def permit_link(permit_text: str) -> str:
    from core.ui.links import web_link

    return web_link("/giay", t=permit_text)


def _permit_text(principal: Principal, store: Store, permit_id: str) -> str:
    """The signed token text of one permit the principal may see."""
    from core.qr import service as qr

    _permit_rows(principal, store, [permit_id], None)
    return qr.token_texts([permit_id], store=store)[permit_id]


def permit_view_link(principal: Principal, permit_id: str, *, store: Store | None = None) -> str:
    """The public page link of one permit (its owner or an approver)."""
    return permit_link(_permit_text(principal, _store(store), permit_id))


def permit_png(principal: Principal, permit_id: str, *, store: Store | None = None) -> bytes:
    from core.qr import render

    return render.png_bytes(_permit_text(principal, _store(store), permit_id))


def _export_audit(
    principal: Principal,
    store: Store,
    what: str,
    frame: pd.DataFrame,
    request_id: str | None,
    purpose: str,
) -> None:
    """An approver's export of other people's permits needs a purpose, recorded with the
    count (a business printing its own permits does not: its row records the count)."""
    purpose = " ".join(str(purpose or "").split())[:300]
    staff = not principal.has("business")
    if staff and len(purpose) < 5:
        raise FormInvalid.one("purpose", "tp.err.purpose")
    audit.record(
        principal,
        f"tp.permits.{what}",
        "tp_request",
        request_id or "-",
        {"count": len(frame), "purpose": purpose},
        store=store,
    )


def permits_zip(
    principal: Principal,
    *,
    request_id: str | None = None,
    purpose: str = "",
    store: Store | None = None,
) -> bytes:
    """Every active permit (of a request, or of the business) as PNG files in one ZIP. An
    approver states the ``purpose`` (audited)."""
    from core.qr import render
    from core.qr import service as qr

    store = _store(store)
    frame = _permit_rows(principal, store, None, request_id)
    if frame.empty:
        raise TPError(t("tp.err.no_permits"))
    _export_audit(principal, store, "export_zip", frame, request_id, purpose)
    texts = qr.token_texts(list(frame["permit_id"]), store=store)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for pid, name, cccd in zip(
            frame["permit_id"], frame["full_name"], frame["cccd"], strict=True
        ):
            safe = "".join(ch if ch.isalnum() else "_" for ch in name)[:40]
            zf.writestr(f"{pid}_{safe}_{cccd[-4:]}.png", render.png_bytes(texts[pid]))
    return buf.getvalue()


def permits_pdf(
    principal: Principal,
    *,
    request_id: str | None = None,
    permit_ids: Sequence[str] | None = None,
    purpose: str = "",
    store: Store | None = None,
) -> bytes:
    """Printable A4 sheets of permit cards. An approver states the ``purpose`` (audited)."""
    from core.qr import render
    from core.qr import service as qr

    store = _store(store)
    frame = _permit_rows(principal, store, permit_ids, request_id)
    if frame.empty:
        raise TPError(t("tp.err.no_permits"))
    _export_audit(principal, store, "export_pdf", frame, request_id, purpose)
    texts = qr.token_texts(list(frame["permit_id"]), store=store)
    cards = [
        render.Card(
            token_text=texts[r.permit_id],
            holder_name=r.full_name,
            lines=[
                f"CCCD: {mask_id(r.cccd)}",
                f"{r.business} ({r.tax_code})",
                t("tp.card.validity", period=window_label(r.valid_from, r.valid_until)),
                t("tp.card.hours", hours=hours_label(r.start_minute, r.end_minute)),
                t("tp.card.zones", zones=zones_label(r.zones)),
            ],
            caption=t("tp.card.caption", id=r.permit_id),
        )
        for r in frame.itertuples()
    ]
    return render.pdf_cards(cards, title=t("tp.card.title"))


def revoke_permit(
    principal: Principal,
    permit_id: str,
    reason: Mapping[str, Any] | str,
    *,
    store: Store | None = None,
) -> None:
    """Revoke a permit: approvers any, a business its own (e.g. a departed employee).
    ``reason``: the answers to ``forms.REVOKE`` (or the reason as text)."""
    from core.qr import service as qr

    store = _store(store)
    frame = _permit_rows(principal, store, [permit_id], None)
    reason = forms.REVOKE.validate(_answers(reason, "reason"))["reason"]
    if frame.iloc[0]["status"] != "active":
        raise TPError(t("tp.err.not_active"))
    try:
        with store.transaction() as cur:
            n = cur.execute(
                "UPDATE tp_permits SET status = 'revoked', revoked_at = ?, revoked_by = ?,"
                " revoke_reason = ? WHERE permit_id = ? AND status = 'active'",
                [clock.utcnow_naive(), principal.actor, reason, permit_id],
            ).fetchone()[0]
            if n != 1:
                raise TPError(t("tp.err.not_active"))
            qr.revoke(permit_id, principal, reason, store=store)
            audit.record(
                principal,
                "tp.permit.revoke",
                "tp_permit",
                permit_id,
                {"reason": reason},
                store=store,
            )
    except CONFLICTS as exc:
        raise TPError(t("tp.err.not_active")) from exc


def renew_permit(
    principal: Principal, permit_id: str, raw: Mapping[str, Any], *, store: Store | None = None
) -> str:
    """Approvers: a new permit for the same holder, zones and hours with a new validity
    window (the answers to ``forms.renew_form``); the old one is revoked as 'renewed'.
    Returns the new permit id."""
    from core.qr import service as qr

    require(principal, "approver")
    store = _store(store)
    frame = _permit_rows(principal, store, [permit_id], None)
    old = frame.iloc[0]
    if old["status"] != "active":
        raise TPError(t("tp.err.not_active"))
    values = forms.renew_form(app_settings().max_validity_days).validate(raw)
    start_date, end_date = values["start_date"], values["end_date"]
    begin, finish = window_utc(start_date, end_date)
    if finish <= clock.now():
        raise FormInvalid.one("end_date", "tp.err.window_over")
    new_id = fresh_permit_ids(1, store)[0]
    zones = list(old["zones"])
    hours = (int(old["start_minute"]), int(old["end_minute"]))
    req = {
        "id": old["request_id"],
        "business_id": old["business_id"],
        "zones": zones,
        "start_minute": hours[0],
        "end_minute": hours[1],
    }
    approved = pd.DataFrame(
        {"permit_id": [new_id], "cccd": [old["cccd"]], "full_name": [old["full_name"]]}
    )
    try:
        with store.transaction() as cur:
            n = cur.execute(
                "UPDATE tp_permits SET status = 'renewed', revoked_at = ?, revoked_by = ?,"
                " revoke_reason = ? WHERE permit_id = ? AND status = 'active'",
                [clock.utcnow_naive(), principal.actor, f"renewed: {new_id}", permit_id],
            ).fetchone()[0]
            if n != 1:
                raise TPError(t("tp.err.not_active"))
            qr.revoke(permit_id, principal, f"renewed: {new_id}", store=store)
            qr.issue(
                PREFIX,
                [
                    qr.IssueItem(
                        claims=_claims(old["full_name"], old["cccd"], zones, hours),
                        expires=finish,
                        not_before=begin,
                        subject=f"{old['request_id']}/{mask_id(old['cccd'])}",
                        token_id=new_id,
                    )
                ],
                principal,
                store=store,
            )
            frame_new = _permit_frame(approved, req, begin, finish, principal)
            frame_new["renewed_from"] = permit_id
            store.insert_df("tp_permits", frame_new)
            audit.record(
                principal,
                "tp.permit.renew",
                "tp_permit",
                new_id,
                {"from": permit_id, "start": str(start_date), "end": str(end_date)},
                store=store,
            )
    except CONFLICTS as exc:
        raise TPError(t("tp.err.not_active")) from exc
    return new_id


def view_permit(
    principal: Principal, token_text: str, *, store: Store | None = None
) -> dict[str, Any]:
    """The public page: verify a permit from its link and return what to show. Anyone may call
    it (the link is the credential). Anonymous checks are counted per hour in aggregate
    (``tp.permit.verify``: attempts, valid ones); a signed-in user's check is an audit row."""
    from core.qr import service as qr

    store = _store(store)
    text = (token_text or "").strip()
    verdict = qr.verify_server(text, expected_prefixes=[PREFIX], store=store)
    reason = getattr(verdict.reason, "value", str(verdict.reason))
    if principal.is_anonymous:
        audit.count("tp.permit.verify", matched=bool(verdict.ok), store=store)
    else:
        audit.record(
            principal,
            "tp.permit.verify",
            "tp_permit",
            verdict.token_id or "-",
            {"result": reason},
            store=store,
        )
    out: dict[str, Any] = {"ok": verdict.ok, "reason": reason, "permit_id": verdict.token_id}
    claims = verdict.claims or {}
    if claims:
        out.update(
            {
                "name": claims.get("n", ""),
                "cccd": claims.get("c", ""),
                "business": claims.get("b", ""),
                "zones": zones_label(claims.get("w", [])),
                "hours": hours_label(*claims.get("h", [0, 0])),
                # the first and last days, as everywhere (rules.period_label)
                **_view_validity(verdict.not_before, verdict.expires_at),
            }
        )
    return out


def _view_validity(begin: datetime | None, finish: datetime | None) -> dict[str, str]:
    """``valid_from`` / ``valid_until`` (first and last local days) and ``validity`` (the
    period in one text) of a permit's window, for its public page."""
    if begin is None or finish is None:
        return {"valid_from": "", "valid_until": "", "validity": ""}
    first, last = window_days(begin, finish)
    return {
        "valid_from": f"{first:%d/%m/%Y}",
        "valid_until": f"{last:%d/%m/%Y}",
        "validity": period_label(first, last),
    }


# -- analytics --------------------------------------------------------------------------------


def analytics(principal: Principal, *, store: Store | None = None) -> dict[str, Any]:
    """Applications, decisions, reasons, permits per day and per ward, median time to
    decision, backlog (approvers, and health officers where that role is installed)."""
    require(principal, "approver", "health_officer")
    store = _store(store)
    offset = "INTERVAL 7 HOUR"  # Asia/Ho_Chi_Minh has no DST: UTC+7 all year
    # Each table is read once per figure family: the totals are the per-day counts added up.
    per_day = store.df(
        f"SELECT CAST(submitted_at + {offset} AS DATE) AS day, count(*) AS applications,"  # noqa: S608
        " count(*) FILTER (WHERE status IN ('approved', 'partial')) AS approved,"
        " count(*) FILTER (WHERE status = 'rejected') AS rejected,"
        " count(*) FILTER (WHERE status = 'pending') AS pending"
        " FROM tp_requests GROUP BY 1 ORDER BY day"
    )
    permits_day = store.df(
        f"SELECT CAST(issued_at + {offset} AS DATE) AS day, count(*) AS permits,"  # noqa: S608
        " count(*) FILTER (WHERE status = 'revoked') AS revoked,"
        " count(*) FILTER (WHERE status = 'active' AND valid_until > ?) AS active"
        " FROM tp_permits GROUP BY 1 ORDER BY day",
        [clock.utcnow_naive()],
    )
    timing = store.records(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY CAST(EXTRACT(EPOCH FROM"
        " decided_at - submitted_at) AS DOUBLE PRECISION)) / 3600.0 AS median_hours,"
        " min(submitted_at) FILTER (WHERE status = 'pending') AS oldest_pending"
        " FROM tp_requests WHERE decided_at IS NOT NULL OR status = 'pending'"
    )[0]
    totals: dict[str, Any] = {
        k: int(per_day[k].sum()) for k in ("applications", "approved", "rejected", "pending")
    }
    totals.update(timing)
    totals.update(
        {
            f"permits_{k}": int(permits_day[c].sum())
            for k, c in (("issued", "permits"), ("revoked", "revoked"), ("active", "active"))
        }
    )
    if totals["oldest_pending"] is not None:
        age = clock.utcnow_naive() - totals["oldest_pending"]
        totals["oldest_pending_hours"] = round(age.total_seconds() / 3600, 1)
    else:
        totals["oldest_pending_hours"] = 0.0
    per_day = per_day.drop(columns="pending").merge(
        permits_day[["day", "permits"]], on="day", how="outer"
    )
    per_day = per_day.fillna(0)
    reasons = store.df(
        "SELECT coalesce(reason_code, 'other') AS reason, count(*) AS requests FROM tp_requests"
        " WHERE status = 'rejected' GROUP BY 1 ORDER BY requests DESC"
    )
    reasons["label"] = reasons["reason"].map(lambda r: forms.label(forms.REASON_CHOICES, r))
    per_ward = store.df(
        "SELECT b.province_code, b.ward_code, CAST(sum(p.n) AS BIGINT) AS permits FROM"
        " (SELECT business_id, count(*) AS n FROM tp_permits GROUP BY 1) AS p"
        " JOIN tp_businesses b ON b.id = p.business_id GROUP BY 1, 2"
        " ORDER BY permits DESC, b.ward_code"
    )
    per_ward["ward"] = per_ward["ward_code"].map(geo.ward_name)
    per_ward["province"] = per_ward["province_code"].map(geo.province_name)
    return {"totals": totals, "per_day": per_day, "reasons": reasons, "per_ward": per_ward}


def stats(store: Store) -> dict[str, Any]:
    """Counts for ``rapid stats --json``."""
    row = store.records(
        "SELECT (SELECT count(*) FROM tp_businesses) AS businesses,"
        " (SELECT count(*) FROM tp_employees WHERE active) AS employees,"
        " (SELECT count(*) FROM tp_requests) AS applications,"
        " (SELECT count(*) FROM tp_requests WHERE status IN ('approved', 'partial')) AS approved,"
        " (SELECT count(*) FROM tp_requests WHERE status = 'rejected') AS rejected,"
        " (SELECT count(*) FROM tp_requests WHERE status = 'pending') AS pending,"
        " (SELECT count(*) FROM tp_permits) AS permits,"
        " (SELECT count(*) FROM tp_permits WHERE status = 'revoked') AS permits_revoked"
    )[0]
    return {k: int(v) for k, v in row.items()}


# -- the staff home page ------------------------------------------------------------------------


def _reachable(principal: Principal, page_key: str) -> bool:
    """The principal may open the page (the home page links to it)."""
    from core.registry import get_registry

    page = get_registry().page(page_key)
    return page is not None and page.allows(principal.roles)


def pending_work(
    principal: Principal | None, *, store: Store | None = None
) -> list[tuple[str, int, str]]:
    """What ``principal`` must act on, for the staff home page: (message key, count, page key)
    for each non-empty pile. Approvers: requests waiting in the queue and business accounts
    waiting for verification. Any other role: nothing (an empty list)."""
    if principal is None or not principal.has("approver"):
        return []
    require(principal, "approver")
    store = _store(store)
    requests = int(store.scalar("SELECT count(*) FROM tp_requests WHERE status = 'pending'") or 0)
    businesses = int(
        store.scalar("SELECT count(*) FROM tp_businesses WHERE status = 'pending'") or 0
    )
    work = [
        ("tp.pending.queue", requests, "travel_permit.queue"),
        ("tp.pending.accounts", businesses, "travel_permit.accounts"),
    ]
    return [w for w in work if w[1] > 0 and _reachable(principal, w[2])]
