"""The generic service of every definition app: submit, look up, resubmit, review (one decision
wins), bulk entry, lists and exports, QR codes (issue, print, revoke) and panel data.

Every entry point takes the caller's ``Principal`` first and the app id second, and checks
the roles the definition names for that action (deny by default) and, for a role granted in
one area, that the submission lies in it. Input is validated by the definition's form
(``FormInvalid``: an error per field); every decision, issuance, revocation, export and
import is audited. SQL names come from the checked definition only (``app_<id>``, column
names checked by ``core.forms.storage.IDENT``); every value is a bound parameter.

Nothing here imports Streamlit: the same service serves the Streamlit pages today and the
citizens' light pages later.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from core import audit, clock
from core.auth import Area, PermissionDenied, Principal, require
from core.definitions import install
from core.definitions.manifest import action_roles
from core.definitions.workbook import Definition
from core.forms import storage
from core.forms.errors import FieldError, FormInvalid
from core.forms.model import Field, Form
from core.i18n import t
from core.store import CONFLICTS, Store, get_store

if TYPE_CHECKING:
    import pandas as pd

    from core.forms.table import TableResult

log = logging.getLogger(__name__)

PENDING, APPROVED, REJECTED, ACCEPTED = "pending", "approved", "rejected", "accepted"
STATUSES = (PENDING, APPROVED, REJECTED, ACCEPTED)
REJECT_LIST = "reject_reasons"
"""A choices list of this name gives reviewers coded reasons to pick (else free text)."""
SHOWN_FIELDS = 6
LOCAL_OFFSET_HOURS = 7  # Asia/Ho_Chi_Minh has no daylight saving time


class DefinitionAppError(ValueError):
    """A business refusal of a definition app; ``str()`` is a sentence for the user."""


class AlreadyDecided(DefinitionAppError):
    """Another reviewer decided first (one decision wins)."""


@dataclass(frozen=True)
class Submitted:
    id: int
    ref: str
    status: str
    token_text: str | None = None


def _store(store: Store | None) -> Store:
    return store or get_store()


def _def(app_id: str) -> Definition:
    try:
        return install.definition(app_id)
    except install.NotActive:
        raise DefinitionAppError(t("da.err.no_app", app=str(app_id)[:40])) from None


def _table(d: Definition) -> str:
    name = d.table
    if not storage.IDENT.fullmatch(name):
        raise DefinitionAppError("bad table")
    return f'"{name}"'


_LAYOUTS: dict[int, tuple[Form, tuple[tuple[Field, tuple[storage.Column, ...]], ...]]] = {}


def _layout(d: Definition) -> tuple[tuple[Field, tuple[storage.Column, ...]], ...]:
    """The storage columns of each field of the definition's form, worked out once per form
    (``storage.field_columns`` looks at every choice of a list on each call: the ward list of
    a form has thousands)."""
    found = _LAYOUTS.get(id(d.form))
    if found is None or found[0] is not d.form:
        if len(_LAYOUTS) > 64:
            _LAYOUTS.clear()
        layout = tuple((f, tuple(storage.field_columns(d.form, f))) for f in d.form.fields)
        found = _LAYOUTS[id(d.form)] = (d.form, layout)
    return found[1]


def _row(d: Definition, values: Mapping[str, Any]) -> dict[str, Any]:
    """``storage.row`` of a validated submission, from the cached layout."""
    return {
        column.name: storage._stored(values.get(f.name), column, f)  # noqa: SLF001
        for f, cols in _layout(d)
        for column in cols
    }


def _col(name: str) -> str:
    if not storage.IDENT.fullmatch(name):
        raise DefinitionAppError(f"bad column {name!r}")
    return f'"{name}"'


def _need(principal: Principal | None, d: Definition, action: str) -> Principal:
    roles = action_roles(d)[action]
    if not roles:
        raise PermissionDenied(t("auth.denied"))
    return require(principal, *sorted(roles))


def _areas(principal: Principal, roles: frozenset[str]) -> list[Area] | None:
    """Where the principal holds any of ``roles``: None = everywhere."""
    areas: list[Area] = []
    for grant in principal.grants:
        if grant.role in roles:
            if not grant.scope:
                return None
            if grant.area is not None:
                areas.append(grant.area)
    return areas


def _area_where(principal: Principal, roles: frozenset[str]) -> tuple[str, list[Any]]:
    areas = _areas(principal, roles)
    if areas is None:
        return "TRUE", []
    parts, params = [], []
    for area in areas:
        parts.append("_ward = ?" if area.kind == "ward" else "_province = ?")
        params.append(area.code)
    return ("(" + " OR ".join(parts) + ")" if parts else "FALSE"), params


def _check_area(
    principal: Principal, roles: frozenset[str], ward: int | None, province: int | None
) -> None:
    areas = _areas(principal, roles)
    if areas is None:
        return
    if any(a.allows(ward_code=ward, province_code=province) for a in areas):
        return
    raise PermissionDenied(t("auth.denied_area", area=areas[0].label() if areas else "-"))


def _area_of(d: Definition, values: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """(ward, province) of a submission, from the area field."""
    from core import geo

    if d.area_field is None:
        return None, None
    code = values.get(d.area_field)
    if code is None:
        return None, None
    if d.area_kind() == "ward":
        return int(code), geo.ward_province(int(code))
    return None, int(code)


def _new_ref() -> str:
    """A submission's reference: what a citizen keeps to look it up (its only key)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


# -- validity and claims ----------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def validity(
    d: Definition, values: Mapping[str, Any], now: datetime
) -> tuple[datetime | None, datetime]:
    """(not before, expires) of a code issued now for these values (aware UTC)."""
    start: datetime | None = None
    if d.valid_from_field:
        value = values.get(d.valid_from_field)
        if isinstance(value, datetime):
            start = clock.as_utc(value)
        elif isinstance(value, date):
            start = _day_start(value)
    if d.valid_days:
        end = (start or now) + timedelta(days=d.valid_days)
    elif d.valid_hours:
        end = (start or now) + timedelta(hours=d.valid_hours)
    else:
        value = values.get(d.valid_until_field or "")
        if isinstance(value, datetime):
            end = clock.as_utc(value)
        elif isinstance(value, date):
            end = _day_start(value + timedelta(days=1))
        else:
            raise DefinitionAppError(t("da.err.no_validity"))
    return start, end


def _check_window(d: Definition, values: Mapping[str, Any], now: datetime) -> None:
    """A code that would already be expired is refused beside the field that sets its end."""
    if d.issue == "none":
        return
    start, end = validity(d, values, now)
    if end <= now or (start is not None and start >= end):
        name = d.valid_until_field or d.valid_from_field or ""
        raise (
            FormInvalid({name: FieldError("da.err.past")})
            if name
            else DefinitionAppError(t("da.err.past"))
        )


def _issue(
    d: Definition,
    principal: Principal | str,
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    store: Store,
    now: datetime,
) -> dict[int, tuple[str, str, datetime | None, datetime]]:
    """Sign one code per (id, values) inside the caller's transaction and note it on the row."""

    from core.definitions import token
    from core.qr import service as qr

    if not rows:
        return {}
    items, windows = [], []
    for sub_id, values in rows:
        start, end = validity(d, values, now)
        windows.append((start, end))
        items.append(
            qr.IssueItem(
                claims=token.claims(d, values),
                expires=end,
                not_before=start,
                subject=f"{d.app_id}/{sub_id}",
                token_id=qr.new_token_id(),
            )
        )
    issued = qr.issue(d.token_prefix or "", items, principal, store=store)
    if len(rows) == 1:  # one submission: a plain UPDATE (no lists to build)
        (start, end), token = windows[0], issued[0]
        store.execute(
            f"UPDATE {_table(d)} SET _token_id = ?, _valid_from = ?, _valid_until = ?"  # noqa: S608
            " WHERE _id = ?",
            [
                token.token_id,
                None if start is None else clock.to_utc_naive(start),
                clock.to_utc_naive(end),
                rows[0][0],
            ],
        )
        return {rows[0][0]: (token.token_id, token.text, start, end)}
    # many submissions: one UPDATE from the values as typed list parameters (no frame)
    store.execute(
        f"UPDATE {_table(d)} AS a SET _token_id = i.token_id, _valid_from = i.valid_from,"  # noqa: S608
        " _valid_until = i.valid_until FROM (SELECT unnest(CAST(? AS BIGINT[])) AS sid,"
        " unnest(CAST(? AS VARCHAR[])) AS token_id, unnest(CAST(? AS TIMESTAMP[])) AS valid_from,"
        " unnest(CAST(? AS TIMESTAMP[])) AS valid_until) AS i WHERE a._id = i.sid",
        [
            [r[0] for r in rows],
            [i.token_id for i in issued],
            [None if w[0] is None else clock.to_utc_naive(w[0]) for w in windows],
            [clock.to_utc_naive(w[1]) for w in windows],
        ],
    )
    return {
        sid: (i.token_id, i.text, w[0], w[1])
        for (sid, _), i, w in zip(rows, issued, windows, strict=True)
    }


# -- submitting -------------------------------------------------------------------------------


def _duplicates(
    d: Definition, store: Store, values: Mapping[str, Any], skip: int | None = None
) -> None:
    """FormInvalid beside the first unique field when a submission not rejected has the same
    values."""
    if not d.unique:
        return
    columns = {f.name: cols for f, cols in _layout(d)}
    cols = [columns[name][0].name for name in d.unique]
    row = _row(d, values)
    # "=" for a given value lets DuckDB use the unique columns' index (install.ensure_table)
    where = " AND ".join(f"{_col(c)} IS NULL" if row[c] is None else f"{_col(c)} = ?" for c in cols)
    found = store.scalar(
        f"SELECT _ref FROM {_table(d)} WHERE {where} AND _status <> 'rejected'"  # noqa: S608
        " AND _id IS DISTINCT FROM ? LIMIT 1",
        [row[c] for c in cols if row[c] is not None] + [skip],
    )
    if found is not None:
        raise FormInvalid({d.unique[0]: FieldError("da.err.duplicate", ref=found)})


def submit(
    principal: Principal | None,
    app_id: str,
    raw: Mapping[str, Any],
    *,
    store: Store | None = None,
) -> Submitted:
    """One submission: citizens without an account (public apps) or the submitter roles, a
    scoped role in its own area only. FormInvalid names each bad answer; nothing is written
    then. Issues the QR code at once when the definition says ``on_submit``."""
    from core.auth import ANONYMOUS

    d = _def(app_id)
    principal = principal or ANONYMOUS
    if not d.public:
        require(principal, *sorted(d.submitter_roles))
    store = _store(store)
    values = d.form.validate(raw)
    ward, province = _area_of(d, values)
    if not d.public:
        _check_area(principal, d.submitter_roles, ward, province)
    now = clock.now()
    _check_window(d, values, now)
    status = PENDING if d.workflow == "review" else ACCEPTED
    row = {
        "_ref": _new_ref(),
        "_version": d.version[:100],
        "_submitted_at": clock.to_utc_naive(now),
        "_submitted_by": principal.actor,
        "_status": status,
        "_ward": ward,
        "_province": province,
        **_row(d, values),
    }
    text = None
    with store.transaction():
        _duplicates(d, store, values)
        sub_id = int(store.insert_row(d.table, row, returning="_id"))
        if d.issue == "on_submit":
            text = _issue(d, principal, [(sub_id, values)], store, now)[sub_id][1]
        audit.record(
            principal,
            f"{d.app_id}.submit",
            d.app_id,
            str(sub_id),
            {"ref": row["_ref"], "status": status, "issued": text is not None},
            store=store,
        )
    return Submitted(sub_id, row["_ref"], status, text)


def _by_ref(d: Definition, store: Store, ref: str) -> dict[str, Any] | None:
    ref = (ref or "").strip().upper()[:20]
    rows = store.records(
        f"SELECT * FROM {_table(d)} WHERE _ref = ?",  # noqa: S608
        [ref],
    )
    return rows[0] if rows else None


def status(
    principal: Principal | None, app_id: str, ref: str, *, store: Store | None = None
) -> dict[str, Any]:
    """What the holder of a reference sees: the status, the reason of a refusal, the QR code
    once issued, and (for a rejected one that may be sent again) the answers to correct.
    Anyone holding the reference (it is the key), no account needed."""
    from core.qr import service as qr

    d = _def(app_id)
    store = _store(store)
    rec = _by_ref(d, store, ref)
    if rec is None:
        raise DefinitionAppError(t("da.err.no_ref"))
    out: dict[str, Any] = {
        "id": rec["_id"],
        "ref": rec["_ref"],
        "status": rec["_status"],
        "submitted_at": rec["_submitted_at"],
        "reason": _reason_words(d, rec),
        "valid_from": rec["_valid_from"],
        "valid_until": rec["_valid_until"],
        "token_text": None,
        "revoked": False,
        "can_resubmit": d.resubmit and rec["_status"] == REJECTED,
        "values": storage.parse_stored(d.form, rec) if rec["_status"] == REJECTED else {},
    }
    if rec["_token_id"]:
        out["token_text"] = qr.token_texts([rec["_token_id"]], store=store).get(rec["_token_id"])
        out["revoked"] = qr.is_revoked(rec["_token_id"], store=store)
    return out


def _reason_words(d: Definition, rec: Mapping[str, Any]) -> str:
    from core.i18n import get_locale

    parts = []
    code = rec.get("_reason_code")
    if code:
        chosen = d.form.lists.get(REJECT_LIST)
        choice = chosen.get(code) if chosen else None
        parts.append(choice.text(get_locale()) if choice else str(code))
    if rec.get("_reason_text"):
        parts.append(str(rec["_reason_text"]))
    return " — ".join(parts)


def resubmit(
    principal: Principal | None,
    app_id: str,
    ref: str,
    raw: Mapping[str, Any],
    *,
    store: Store | None = None,
) -> Submitted:
    """Correct and send again a rejected submission (when the definition allows it): back in
    the queue, its attempt counted. The reference is the key for citizens; a submitter role
    acts in its own area."""
    from core.auth import ANONYMOUS

    d = _def(app_id)
    principal = principal or ANONYMOUS
    if not d.public:
        require(principal, *sorted(d.submitter_roles))
    if not d.resubmit:
        raise DefinitionAppError(t("da.err.no_resubmit"))
    store = _store(store)
    rec = _by_ref(d, store, ref)
    if rec is None:
        raise DefinitionAppError(t("da.err.no_ref"))
    if not d.public:
        _check_area(principal, d.submitter_roles, rec["_ward"], rec["_province"])
    if rec["_status"] != REJECTED:
        raise DefinitionAppError(t("da.err.not_rejected"))
    values = d.form.validate(raw)
    ward, province = _area_of(d, values)
    if not d.public:
        _check_area(principal, d.submitter_roles, ward, province)
    now = clock.now()
    _check_window(d, values, now)
    changes = {
        **_row(d, values),
        "_ward": ward,
        "_province": province,
        "_version": d.version[:100],
        "_submitted_at": clock.to_utc_naive(now),
    }
    sets = ", ".join(f"{_col(c)} = ?" for c in changes)
    with store.transaction() as cur:
        _duplicates(d, store, values, skip=rec["_id"])
        done = cur.execute(
            f"UPDATE {_table(d)} SET {sets}, _status = 'pending', _attempt = _attempt + 1,"  # noqa: S608
            " _decided_at = NULL, _decided_by = NULL, _reason_code = NULL, _reason_text = NULL"
            " WHERE _id = ? AND _status = 'rejected' RETURNING _id",
            [*changes.values(), rec["_id"]],
        ).fetchall()
        if not done:
            raise DefinitionAppError(t("da.err.not_rejected"))
        audit.record(
            principal,
            f"{d.app_id}.resubmit",
            d.app_id,
            str(rec["_id"]),
            {"ref": rec["_ref"], "attempt": int(rec["_attempt"]) + 1},
            store=store,
        )
    return Submitted(int(rec["_id"]), rec["_ref"], PENDING)


# -- review -----------------------------------------------------------------------------------


def display_fields(d: Definition) -> list[Field]:
    """The first stored questions: what lists show beside the system columns."""
    return [f for f in d.form.input_fields if f.storage_column is not None][:SHOWN_FIELDS]


def _select(d: Definition, extra: Sequence[str] = ()) -> str:
    cols = ["_id", "_ref", "_submitted_at", "_submitted_by", "_status", "_attempt",
            "_decided_at", "_decided_by", "_reason_code", "_reason_text", "_token_id",
            "_valid_from", "_valid_until", "_ward"]  # fmt: skip
    cols += [f.storage_column for f in display_fields(d) if f.storage_column]  # type: ignore[misc]
    for c in extra:
        if c not in cols:
            cols.append(c)
    return ", ".join(_col(c) for c in cols)


def queue(
    principal: Principal,
    app_id: str,
    *,
    limit: int = 200,
    offset: int = 0,
    store: Store | None = None,
) -> tuple[pd.DataFrame, int]:
    """Pending submissions, oldest first, in the reviewer's area; and how many there are."""
    d = _def(app_id)
    _need(principal, d, "review")
    where, params = _area_where(principal, d.reviewers)
    store = _store(store)
    total = store.scalar(
        f"SELECT count(*) FROM {_table(d)} WHERE _status = 'pending' AND {where}",  # noqa: S608
        params,
    )
    frame = store.df(
        f"SELECT {_select(d)} FROM {_table(d)} WHERE _status = 'pending' AND {where}"  # noqa: S608
        " ORDER BY _submitted_at, _id LIMIT ? OFFSET ?",
        [*params, max(1, min(int(limit), 5000)), max(0, int(offset))],
    )
    return frame, int(total or 0)


def record(
    principal: Principal, app_id: str, submission_id: int, *, store: Store | None = None
) -> dict[str, Any]:
    """One submission with every answer (reviewers and viewers, in their area)."""
    d = _def(app_id)
    roles = action_roles(d)["view"] | d.reviewers
    require(principal, *sorted(roles))
    rec = _record(d, _store(store), submission_id)
    _check_area(
        principal, frozenset(r for r in roles if principal.has(r)), rec["_ward"], rec["_province"]
    )
    return rec


def _record(d: Definition, store: Store, submission_id: int) -> dict[str, Any]:
    rows = store.records(
        f"SELECT * FROM {_table(d)} WHERE _id = ?",  # noqa: S608
        [int(submission_id)],
    )
    if not rows:
        raise DefinitionAppError(t("da.err.not_found", id=submission_id))
    return rows[0]


@functools.lru_cache(maxsize=64)
def _refusal_form(app_id: str, checksum: str) -> Form:
    """What a reviewer answers to reject: a coded reason (the workbook's ``reject_reasons``
    list) and/or a text, required."""
    d = install.definition(app_id)
    coded = d.form.lists.get(REJECT_LIST)
    fields = []
    if coded is not None:
        fields.append(
            Field("reason_code", f"select_one {REJECT_LIST}", ("Lý do", "Reason"), required=True)
        )
    fields.append(
        Field(
            "reason_text",
            "text",
            ("Lý do từ chối", "Reason for the refusal")
            if coded is None
            else ("Ghi chú thêm", "More details"),
            required=coded is None,
            appearance="multiline",
            parameters={"max_length": 500},
        )
    )
    return Form("da_refusal", ("Từ chối", "Refusal"), fields, choices=[coded] if coded else [])


def refusal_form(app_id: str) -> Form:
    d = _def(app_id)
    return _refusal_form(app_id, d.checksum)


def decide(
    principal: Principal,
    app_id: str,
    submission_id: int,
    decision: str,
    reason: Mapping[str, Any] | None = None,
    *,
    store: Store | None = None,
) -> dict[str, Any]:
    """Approve or reject one pending submission (a rejection needs its reason: FormInvalid
    beside the reason field otherwise). One of two reviewers acting at once wins; the other
    gets AlreadyDecided. Approval issues the code when the definition says ``on_approve``;
    the decision, the code and the audit row commit together."""
    d = _def(app_id)
    _need(principal, d, "review")
    if decision not in ("approve", "reject"):
        raise DefinitionAppError(t("da.err.decision"))
    store = _store(store)
    rec = _record(d, store, submission_id)
    _check_area(principal, d.reviewers, rec["_ward"], rec["_province"])
    code = text = None
    if decision == "reject":
        answers = refusal_form(app_id).validate(dict(reason or {}))
        code, text = answers.get("reason_code"), answers.get("reason_text") or None
    if rec["_status"] != PENDING:
        raise AlreadyDecided(t("da.err.already_decided"))
    now = clock.now()
    values = storage.parse_stored(d.form, rec)
    issue = decision == "approve" and d.issue == "on_approve"
    if issue:
        start, end = validity(d, values, now)
        if end <= now:
            raise DefinitionAppError(t("da.err.past"))
    new_status = APPROVED if decision == "approve" else REJECTED
    try:
        with store.transaction() as cur:
            done = cur.execute(
                f"UPDATE {_table(d)} SET _status = ?, _decided_at = ?, _decided_by = ?,"  # noqa: S608
                " _reason_code = ?, _reason_text = ? WHERE _id = ? AND _status = 'pending'"
                " RETURNING _id",
                [
                    new_status,
                    clock.to_utc_naive(now),
                    principal.actor,
                    code,
                    text,
                    int(submission_id),
                ],
            ).fetchall()
            if not done:
                raise AlreadyDecided(t("da.err.already_decided"))
            token_id = None
            if issue:
                token_id = _issue(d, principal, [(int(submission_id), values)], store, now)[
                    int(submission_id)
                ][0]
            audit.record(
                principal,
                f"{d.app_id}.{decision}",
                d.app_id,
                str(submission_id),
                {"ref": rec["_ref"], "reason_code": code, "reason": text, "token_id": token_id},
                store=store,
            )
    except AlreadyDecided:
        raise
    except CONFLICTS as exc:
        raise AlreadyDecided(t("da.err.already_decided")) from exc
    return {"id": int(submission_id), "status": new_status, "token_id": token_id}


def bulk_decide(
    principal: Principal,
    app_id: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    store: Store | None = None,
) -> list[tuple[int, str]]:
    """Decisions of a reviewed table: each row ``{"id", "decision": approve|reject|None,
    "reason_code", "reason_text"}``; rows without a decision are skipped. Each row is decided
    on its own (one refused row does not stop the others); returns (id, outcome in words)."""
    d = _def(app_id)
    _need(principal, d, "review")
    out: list[tuple[int, str]] = []
    for row in rows:
        decision = row.get("decision")
        if not decision:
            continue
        sid = int(row["id"])
        try:
            result = decide(
                principal,
                app_id,
                sid,
                str(decision),
                {"reason_code": row.get("reason_code"), "reason_text": row.get("reason_text")},
                store=store,
            )
        except FormInvalid as exc:
            from core.i18n import get_locale

            form = refusal_form(app_id)
            out.append(
                (
                    sid,
                    "; ".join(
                        f"{form.label(name, get_locale())}: {message}"
                        for name, message in exc.messages().items()
                    ),
                )
            )
        except DefinitionAppError as exc:
            out.append((sid, str(exc)))
        else:
            out.append((sid, t(f"da.status.{result['status']}")))
    return out


# -- lists, exports ---------------------------------------------------------------------------


def submissions(
    principal: Principal,
    app_id: str,
    *,
    status: str | None = None,
    limit: int = 500,
    store: Store | None = None,
) -> tuple[pd.DataFrame, int]:
    """Submissions newest first (viewers, reviewers and the submitter roles, in their area)."""
    d = _def(app_id)
    _need(principal, d, "view")
    roles = action_roles(d)["view"]
    where, params = _area_where(principal, frozenset(r for r in roles if principal.has(r)))
    if status is not None:
        if status not in STATUSES:
            raise DefinitionAppError(t("da.err.status"))
        where += " AND _status = ?"
        params.append(status)
    store = _store(store)
    total = store.scalar(f"SELECT count(*) FROM {_table(d)} WHERE {where}", params)  # noqa: S608
    frame = store.df(
        f"SELECT {_select(d)} FROM {_table(d)} WHERE {where}"  # noqa: S608
        " ORDER BY _submitted_at DESC, _id DESC LIMIT ?",
        [*params, max(1, min(int(limit), 10_000))],
    )
    return frame, int(total or 0)


def _labels(d: Definition, f: Field, locale: str) -> Any:
    """A function from a stored value to what a person reads (choice labels, ward names)."""
    chosen = d.form.choice_list(f)

    def one(value: Any) -> Any:
        if value is None:
            return ""
        choice = chosen.get(value) if chosen is not None else None
        return choice.text(locale) if choice is not None else value

    if f.base_type == "select_multiple" and chosen is not None:
        return lambda v: ", ".join(
            str(one(p if not chosen.integer else int(p))) for p in str(v or "").split(",") if p
        )
    if f.base_type in ("select_one",) and chosen is not None:
        return one
    if f.base_type == "yes_no":
        return lambda v: "" if v is None else t("forms.yes" if v else "forms.no")
    return lambda v: "" if v is None else v


def export(
    principal: Principal,
    app_id: str,
    fmt: str = "csv",
    *,
    store: Store | None = None,
) -> bytes:
    """Every submission in the caller's area as CSV or XLSX: headers in the reader's language,
    choices and wards in words, times in Vietnam time, formula-safe; columns of fields a
    newer version dropped come last, marked retired. Audited (who exported how many rows)."""
    import pandas as pd

    from core.forms.table_file import Sheet, csv_bytes, xlsx_bytes
    from core.i18n import get_locale

    d = _def(app_id)
    _need(principal, d, "export")
    if fmt not in ("csv", "xlsx"):
        raise DefinitionAppError(t("da.err.format"))
    locale = get_locale()
    store = _store(store)
    where, params = _area_where(
        principal, frozenset(r for r in action_roles(d)["export"] if principal.has(r))
    )
    frame = store.df(
        f"SELECT * FROM {_table(d)} WHERE {where} ORDER BY _id",  # noqa: S608
        params,
    )
    header: list[str] = []
    columns: list[pd.Series] = []
    system = [
        ("_id", "da.col.id"),
        ("_ref", "da.col.ref"),
        ("_status", "da.col.status"),
        ("_submitted_at", "da.col.submitted_at"),
        ("_submitted_by", "da.col.submitted_by"),
        ("_decided_at", "da.col.decided_at"),
        ("_decided_by", "da.col.decided_by"),
        ("_reason_text", "da.col.reason"),
        ("_valid_until", "da.col.valid_until"),
    ]
    for col, key in system:
        series = frame[col] if col in frame else pd.Series(dtype=object)
        if col in ("_submitted_at", "_decided_at", "_valid_until") and len(series):
            series = clock.local_times(series).dt.strftime("%d/%m/%Y %H:%M").fillna("")
        if col == "_status":
            series = series.map(lambda s: t(f"da.status.{s}") if s else "")
        header.append(t(key))
        columns.append(series)
    for f in d.form.fields:
        for c in storage.field_columns(d.form, f):
            if c.name not in frame:
                continue
            label = f.label.get(locale) or f.name
            if c.choice is not None:
                chosen = d.form.choice_list(f)
                choice = chosen.get(c.choice) if chosen else None
                label = f"{label}: {choice.text(locale) if choice else c.choice}"
            header.append(label)
            series = frame[c.name].astype(object).where(frame[c.name].notna(), None)
            columns.append(series.map(_labels(d, f, locale)) if c.choice is None else series)
    for col in install.retired_columns(store, d):
        header.append(t("da.col.retired", name=col))
        columns.append(frame[col].astype(object).where(frame[col].notna(), None))
    rows = list(zip(*[c.tolist() for c in columns], strict=True)) if len(frame) else []
    if fmt == "csv":
        data = csv_bytes(header, rows)
    else:
        data = xlsx_bytes([Sheet(d.app_id[:31], header, [list(r) for r in rows])])
    audit.record(
        principal,
        f"{d.app_id}.export",
        d.app_id,
        "*",
        {"format": fmt, "rows": len(frame)},
        store=store,
    )
    return data


# -- bulk entry -------------------------------------------------------------------------------


def import_rows(
    principal: Principal,
    app_id: str,
    result: TableResult,
    *,
    store: Store | None = None,
) -> int:
    """Store the good rows of a checked spreadsheet (``core.forms.table.parse_upload`` with
    the definition's form) as submissions, all or nothing; issue their codes when the
    definition says ``on_submit``. A row outside the caller's area, or repeating a unique
    value already stored, refuses the whole file naming the spreadsheet rows."""
    import pandas as pd

    d = _def(app_id)
    _need(principal, d, "entry")
    roles = action_roles(d)["entry"]
    store = _store(store)
    if result.form is not d.form:
        raise DefinitionAppError(t("da.err.other_form"))
    good = result.good
    if good.empty:
        return 0
    now = clock.now()
    status = PENDING if d.workflow == "review" else ACCEPTED
    records: list[dict[str, Any]] = []
    values_of: list[dict[str, Any]] = []
    outside: list[int] = []
    for item in good.to_dict("records"):
        rownum = int(item.pop("row"))
        values = {k: (None if _missing(v) else v) for k, v in item.items()}
        ward, province = _area_of(d, values)
        try:
            _check_area(principal, frozenset(r for r in roles if principal.has(r)), ward, province)
        except PermissionDenied:
            outside.append(rownum)
            continue
        try:
            _check_window(d, values, now)
        except (FormInvalid, DefinitionAppError):
            outside.append(rownum)
            continue
        values_of.append(values)
        records.append(
            {
                "_ref": _new_ref(),
                "_version": d.version[:100],
                "_submitted_at": clock.to_utc_naive(now),
                "_submitted_by": principal.actor,
                "_status": status,
                "_ward": ward,
                "_province": province,
                **_row(d, values),
            }
        )
    if outside:
        raise DefinitionAppError(t("da.err.rows_refused", rows=", ".join(map(str, outside[:20]))))
    with store.transaction():
        for values, rownum in zip(values_of, good["row"], strict=True):
            try:
                _duplicates(d, store, values)
            except FormInvalid as exc:
                raise DefinitionAppError(
                    t("da.err.row_duplicate", row=int(rownum), problem=exc.messages()[d.unique[0]])
                ) from None
        frame = pd.DataFrame(records)
        store.insert_df(d.table, frame)
        found = dict(
            store.fetchall(
                f"SELECT _ref, _id FROM {_table(d)} WHERE _ref IN (SELECT unnest(CAST(? AS VARCHAR[])))",  # noqa: S608
                [list(frame["_ref"])],
            )
        )
        ids = [int(found[ref]) for ref in frame["_ref"]]
        if d.issue == "on_submit":
            _issue(d, principal, list(zip(ids, values_of, strict=True)), store, now)
        audit.record(
            principal,
            f"{d.app_id}.import",
            d.app_id,
            f"{ids[0]}-{ids[-1]}",
            {"rows": len(ids), "issued": d.issue == "on_submit"},
            store=store,
        )
    return len(records)


def _missing(value: Any) -> bool:
    try:
        import pandas as pd

        return value is None or (not isinstance(value, list | tuple) and bool(pd.isna(value)))
    except (TypeError, ValueError):
        return False


# -- codes: print, revoke ---------------------------------------------------------------------


def codes(
    principal: Principal,
    app_id: str,
    *,
    limit: int = 1000,
    store: Store | None = None,
) -> pd.DataFrame:
    """Submissions holding a QR code, newest first, with ``revoked`` (in the caller's area)."""
    d = _def(app_id)
    _need(principal, d, "cards")
    roles = action_roles(d)["cards"]
    where, params = _area_where(principal, frozenset(r for r in roles if principal.has(r)))
    return _store(store).df(
        f"SELECT {_select(d)}, r.token_id IS NOT NULL AS revoked FROM {_table(d)} a"  # noqa: S608
        f" LEFT JOIN qr_revocations r ON r.token_id = a._token_id"
        f" WHERE a._token_id IS NOT NULL AND {where}"
        " ORDER BY a._id DESC LIMIT ?",
        [*params, max(1, min(int(limit), 10_000))],
    )


def cards_pdf(
    principal: Principal,
    app_id: str,
    submission_ids: Sequence[int],
    *,
    store: Store | None = None,
) -> bytes:
    """A4 sheets of cards (QR and the declared lines, Vietnamese diacritics) for these
    submissions; revoked or missing codes are left out. Audited."""
    from core.i18n import get_locale
    from core.qr import render
    from core.qr import service as qr

    d = _def(app_id)
    _need(principal, d, "cards")
    roles = frozenset(r for r in action_roles(d)["cards"] if principal.has(r))
    store = _store(store)
    wanted = sorted({int(i) for i in submission_ids})[:5000]
    if not wanted:
        raise DefinitionAppError(t("da.err.none_chosen"))
    where, params = _area_where(principal, roles)
    rows = store.records(
        f"SELECT * FROM {_table(d)} WHERE _id IN (SELECT unnest(CAST(? AS BIGINT[])))"  # noqa: S608
        " AND _token_id IS NOT NULL"
        f" AND {where} AND _token_id NOT IN (SELECT token_id FROM qr_revocations) ORDER BY _id",
        [wanted, *params],
    )
    if not rows:
        raise DefinitionAppError(t("da.err.none_chosen"))
    texts = qr.token_texts([r["_token_id"] for r in rows], store=store)
    locale = get_locale()
    cards = []
    for rec in rows:
        values = storage.parse_stored(d.form, rec)
        lines = []
        for name in d.card_lines or d.claims:
            f = d.form.by_name[name]
            shown = shown_value(d, f, values.get(name), locale)
            lines.append(f"{f.label.get(locale) or name}: {shown}")
        until = clock.fmt_local(rec["_valid_until"])
        lines.append(f"{t('da.col.valid_until')}: {until}")
        holder = lines[0].split(": ", 1)[-1] if lines else rec["_ref"]
        cards.append(
            render.Card(
                token_text=texts[rec["_token_id"]],
                holder_name=holder,
                lines=lines[1:],
                caption=f"{(d.card_title or d.title).get(locale)} · {rec['_ref']}",
            )
        )
    data = render.pdf_cards(cards, title=(d.card_title or d.title).get(locale))
    audit.record(
        principal,
        f"{d.app_id}.cards",
        d.app_id,
        ",".join(str(r["_id"]) for r in rows)[:500],
        {"cards": len(cards)},
        store=store,
    )
    return data


def shown_value(d: Definition, f: Field, value: Any, locale: str, *, mask: bool = True) -> str:
    """A typed answer as a person reads it: choices, wards and yes/no in words, dates
    dd/mm/yyyy, times in Vietnam time; identity numbers and phones masked unless ``mask`` is
    false (a reviewer checking the person)."""
    from core import geo
    from core.text import mask_id

    if value is None or value == "" or value == []:
        return ""
    if mask and d.masked(f.name):
        return mask_id(str(value))
    if f.list_name == "wards" and not isinstance(value, list):
        return geo.ward_name(int(value))
    if isinstance(value, list):
        chosen = d.form.choice_list(f)
        return ", ".join(
            (chosen.get(v).text(locale) if chosen and chosen.get(v) else str(v))
            for v in value  # type: ignore[union-attr]
        )
    chosen = d.form.choice_list(f)
    if chosen is not None and chosen.get(value) is not None:
        return chosen.get(value).text(locale)  # type: ignore[union-attr]
    if isinstance(value, datetime):
        return clock.fmt_local(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return t("forms.yes" if value else "forms.no")
    return str(value)


def revoke(
    principal: Principal,
    app_id: str,
    submission_id: int,
    reason: str,
    *,
    store: Store | None = None,
) -> None:
    """Revoke a submission's QR code (a reason is required; FormInvalid beside it otherwise).
    Checkpoints refuse it from then on (REVOKED); audited."""
    from core.qr import service as qr

    d = _def(app_id)
    _need(principal, d, "revoke")
    reason = " ".join(str(reason or "").split())[:500]
    if not reason:
        raise FormInvalid.one("reason", "da.err.reason_needed")
    store = _store(store)
    rec = _record(d, store, submission_id)
    roles = frozenset(r for r in action_roles(d)["revoke"] if principal.has(r))
    _check_area(principal, roles, rec["_ward"], rec["_province"])
    if not rec["_token_id"]:
        raise DefinitionAppError(t("da.err.no_code"))
    with store.transaction():
        if not qr.revoke(rec["_token_id"], principal, reason, store=store):
            raise DefinitionAppError(t("da.err.already_revoked"))
        audit.record(
            principal,
            f"{d.app_id}.revoke",
            d.app_id,
            str(submission_id),
            {"token_id": rec["_token_id"], "reason": reason},
            store=store,
        )


# -- panels -----------------------------------------------------------------------------------


def panel_data(
    principal: Principal, app_id: str, index: int, *, store: Store | None = None
) -> pd.DataFrame:
    """The counts behind one declared panel, in the caller's area: ``label`` and ``count``
    (per day: ``day``, ``status``, ``count``). One GROUP BY in the database."""
    from core import geo
    from core.i18n import get_locale

    d = _def(app_id)
    _need(principal, d, "panels")
    try:
        panel = d.panels[int(index)]
    except (IndexError, ValueError):
        raise DefinitionAppError(t("da.err.no_panel")) from None
    roles = frozenset(r for r in action_roles(d)["panels"] if principal.has(r))
    where, params = _area_where(principal, roles)
    store = _store(store)
    locale = get_locale()
    table = _table(d)
    if panel.kind == "per_day":
        if panel.field:
            day = _col(d.form.by_name[panel.field].storage_column or panel.field)
            day = f"CAST({day} AS DATE)"
        else:
            day = f"CAST(_submitted_at + INTERVAL {LOCAL_OFFSET_HOURS} HOUR AS DATE)"
        frame = store.df(
            f"SELECT {day} AS day, _status AS status, count(*) AS count FROM {table}"  # noqa: S608
            f" WHERE {where} AND {day} IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2",
            params,
        )
        frame["status"] = frame["status"].map(lambda s: t(f"da.status.{s}"))
        return frame
    f = d.form.by_name[panel.field or ""]
    col = _col(f.storage_column or f.name)
    if f.base_type == "select_multiple":
        frame = store.df(
            f"SELECT code, count(*) AS count FROM (SELECT unnest(string_to_array({col}, ','))"  # noqa: S608
            f" AS code FROM {table} WHERE {where}) AS s WHERE code <> '' GROUP BY 1 ORDER BY 2 DESC",
            params,
        )
    else:
        frame = store.df(
            f"SELECT {col} AS code, count(*) AS count FROM {table} WHERE {where}"  # noqa: S608
            f" AND {col} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 60",
            params,
        )
    chosen = d.form.choice_list(f)
    if panel.kind == "per_area" and f.list_name == "wards":
        frame["label"] = frame["code"].map(lambda c: geo.ward_name(int(c)))
    elif panel.kind == "per_area":
        frame["label"] = frame["code"].map(lambda c: geo.province_name(int(c)))
    elif f.base_type == "yes_no":
        frame["label"] = frame["code"].map(lambda v: t("forms.yes" if v else "forms.no"))
    else:

        def label(code: Any) -> str:
            key = (
                int(code)
                if chosen is not None and chosen.integer and str(code).lstrip("-").isdigit()
                else code
            )
            choice = chosen.get(key) if chosen is not None else None
            return choice.text(locale) if choice is not None else str(code)

        frame["label"] = frame["code"].map(label)
    return frame[["label", "count"]]


def stats(store: Store, app_id: str) -> dict[str, Any]:
    """Counts per status, for ``rapid stats``."""
    d = _def(app_id)
    rows = store.fetchall(
        f"SELECT _status, count(*) FROM {_table(d)} GROUP BY 1 ORDER BY 1"  # noqa: S608
    )
    out: dict[str, Any] = {"submissions": sum(n for _, n in rows)}
    out.update({status: n for status, n in rows})
    if d.issue != "none":
        out["codes"] = store.scalar(
            f"SELECT count(*) FROM {_table(d)} WHERE _token_id IS NOT NULL"  # noqa: S608
        )
    return out


__all__ = [
    "AlreadyDecided",
    "DefinitionAppError",
    "Submitted",
    "bulk_decide",
    "cards_pdf",
    "codes",
    "decide",
    "export",
    "import_rows",
    "panel_data",
    "queue",
    "record",
    "refusal_form",
    "resubmit",
    "revoke",
    "stats",
    "status",
    "submissions",
    "submit",
]
