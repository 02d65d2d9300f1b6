"""Home isolation: registry, monitoring links, reports, triage and alerts, the officer board,
contact tracing and analytics. All SQL of the app lives here; every entry point checks
authorization first (deny by default).

Officer entry points take a :class:`Principal` with the ``health_officer`` role. The citizen's
entry points (``open_link``, ``submit_report``) accept any principal, including the anonymous
one: the signed monitoring token is the authority, checked server-side on every call.

Entry points with input take the raw answers of a form of ``apps.home_isolation.forms`` (as
``render_form`` gives them) and validate them with it: bad answers, and the rules only the
service can check (already enrolled, unknown source F0, unknown staff member), raise
``core.forms.FormInvalid`` naming the field, so the page shows each beside its field.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd

from apps.home_isolation import PREFIX
from apps.home_isolation.forms import (
    ASSIGN,
    ENROL_FORMS,
    FIND,
    NOTE,
    REPORT,
    AlertLine,
    alert_field,
    release_form,
    trace_form,
    transfer_form,
)
from apps.home_isolation.models import (
    KINDS,
    LEVELS,
    STATUSES,
    IsolationSettings,
    MonitoringClaims,
    isolation_settings,
)
from apps.home_isolation.rules import is_worsening, triage
from core import audit, clock, geo, risk
from core.auth import Principal, require
from core.forms import FieldError, FormInvalid, storage
from core.forms.identity import code_text, normalize_person_id, parse_phone
from core.i18n import t, t_in
from core.store import CONFLICTS, CONSTRAINTS, Store, get_store
from core.text import collapse_spaces, mask_id, nfc

log = logging.getLogger(__name__)

OFFICER = "health_officer"
ALERT_KINDS = ("red", "missed", "worsening")
RISK_LEVEL = {"F0": "red", "F1": "yellow"}
"""The level of an enrolment's ``isolation`` signal in core.risk (in hospital: red)."""


class IsolationError(Exception):
    """A refusal that is not about one answer (``key`` is a messages.py key): no such
    enrolment, already released, the day's reports all sent... Pages show it above the form."""

    def __init__(self, key: str, **kwargs: Any) -> None:
        self.key = key
        self.kwargs = kwargs
        super().__init__(key)

    @property
    def message(self) -> str:
        return t(self.key, **self.kwargs)

    def __str__(self) -> str:
        return self.message


class LinkRefused(IsolationError):
    """The monitoring link is forged, expired, or its person is no longer isolating."""


# -- helpers ----------------------------------------------------------------------------------


def _store(store: Store | None) -> Store:
    return store or get_store()


def _settings() -> IsolationSettings:
    return isolation_settings()


def local_midnight_utc(day: date) -> datetime:
    """Start of a local calendar day as naive UTC (for TIMESTAMP comparisons)."""
    return clock.to_utc_naive(datetime.combine(day, time(0), tzinfo=clock.LOCAL_TZ))


def new_id(prefix: str = "HI") -> str:
    """``prefix`` + 16 hex digits (64 random bits): with 40 bits, 700,000 daily reports (50,000
    people isolating for two weeks) had a ~20% chance of one repeated id, which failed that
    report."""
    return prefix + secrets.token_hex(8).upper()


def isolation_end(
    kind: str,
    *,
    test_date: date | None,
    exposure_date: date | None,
    settings: IsolationSettings,
) -> date:
    """F0: the positive test date + ``f0_days`` (release also needs a negative test when
    ``f0_needs_negative_test``); F1: last exposure + ``f1_days``."""
    if kind == "F0":
        assert test_date is not None
        return test_date + timedelta(days=settings.f0_days)
    assert exposure_date is not None
    return exposure_date + timedelta(days=settings.f1_days)


def _link_expiry(end: date, settings: IsolationSettings) -> datetime:
    last_day = end + timedelta(days=settings.link_grace_days + 1)
    return datetime.combine(last_day, time(0), tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def _enrolment(store: Store, enrolment_id: str) -> dict[str, Any]:
    rows = store.records("SELECT * FROM hi_enrolments WHERE id = ?", [str(enrolment_id)])
    if not rows:
        raise IsolationError("hi.err.not_found")
    return rows[0]


def _note(store: Store, enrolment_id: str, actor: str, kind: str, text: str) -> None:
    _notes(store, [enrolment_id], actor, kind, text)


def _notes(store: Store, enrolment_ids: Sequence[str], actor: str, kind: str, text: str) -> None:
    """The same note on each of ``enrolment_ids``, in one statement."""
    store.execute(
        "INSERT INTO hi_notes (id, enrolment_id, created_at, actor, kind, text)"
        " SELECT UNNEST(?::VARCHAR[]), UNNEST(?::VARCHAR[]), ?, ?, ?, ?",
        [
            [new_id("N") for _ in enrolment_ids],
            list(enrolment_ids),
            clock.utcnow_naive(),
            actor,
            kind,
            text[:2000],
        ],
    )


def _resolve_alerts(store: Store, enrolment_id: str, kinds: Sequence[str] = ALERT_KINDS) -> None:
    marks = ", ".join("?" for _ in kinds)
    store.execute(
        "UPDATE hi_alerts SET resolved_at = ?, closed_how = 'report' WHERE enrolment_id = ?"  # noqa: S608 - placeholders only
        " AND acknowledged_at IS NULL"
        f" AND resolved_at IS NULL AND kind IN ({marks})",
        [clock.utcnow_naive(), enrolment_id, *kinds],
    )


def _end_monitoring(
    store: Store,
    principal: Principal,
    row: Mapping[str, Any],
    action: str,
    reason: str,
    note: str,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Note and audit ``action`` and revoke the person's monitoring token (release and
    transfer to hospital; inside the caller's transaction, after ``_close_alerts_for`` closed
    every open alert with its note or the override)."""
    from core.qr import service as qr

    _note(store, row["id"], principal.actor, action, nfc(note))
    if row["token_id"]:
        qr.revoke(row["token_id"], principal, reason, store=store)
    audit.record(
        principal,
        f"isolation.{action}",
        "enrolment",
        row["id"],
        {**(details or {}), "note": nfc(note)[:200]},
        store=store,
    )


# -- registry ---------------------------------------------------------------------------------


ENROLMENT_INPUT = (
    "kind",
    "person_id",
    "full_name",
    "phone",
    "province_code",
    "ward_code",
    "age",
    "chronic",
    "vaccine_doses",
    "source_id",
    "test_date",
    "test_type",
    "onset_date",
    "exposure_date",
)
"""The columns of an enrolment that come from its form (or from a traced contact's check-in);
the rest are computed on insert."""


def _enrolment_input(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """An enrolment form's validated values as its ``hi_enrolments`` columns (both forms give
    every column of ``ENROLMENT_INPUT``; a question the other kind asks is NULL)."""
    rec: dict[str, Any] = dict.fromkeys(ENROLMENT_INPUT)
    rec.update(storage.row(ENROL_FORMS[kind], values))
    rec["kind"] = kind
    rec["province_code"] = geo.ward_province(rec["ward_code"]) or 0
    return rec


def _frame_of(
    rows: Sequence[Mapping[str, Any]], ids: Sequence[str], actor: str, s: IsolationSettings
) -> pd.DataFrame:
    """Enrolment rows (``ENROLMENT_INPUT`` columns each) ready for ``insert_enrolments``."""
    now = clock.utcnow_naive()
    return pd.DataFrame(
        {
            "id": list(ids),
            "person_id": [r["person_id"] for r in rows],
            "full_name": [r["full_name"] for r in rows],
            "phone": [r["phone"] for r in rows],
            "province_code": [r["province_code"] for r in rows],
            "ward_code": [r["ward_code"] for r in rows],
            "age": pd.array([r["age"] for r in rows], dtype="Int16"),
            "chronic": [r["chronic"] or "" for r in rows],
            "vaccine_doses": pd.array([r["vaccine_doses"] for r in rows], dtype="Int16"),
            "kind": [r["kind"] for r in rows],
            "source_id": [r["source_id"] for r in rows],
            "test_date": pd.to_datetime([r["test_date"] for r in rows]),
            "test_type": [r["test_type"] for r in rows],
            "onset_date": pd.to_datetime([r["onset_date"] for r in rows]),
            "exposure_date": pd.to_datetime([r["exposure_date"] for r in rows]),
            "isolation_end": pd.to_datetime(
                [
                    isolation_end(
                        r["kind"],
                        test_date=r["test_date"],
                        exposure_date=r["exposure_date"],
                        settings=s,
                    )
                    for r in rows
                ]
            ),
            "status": "isolating",
            "enrolled_at": now,
            "enrolled_by": actor,
        }
    )


def insert_enrolments(
    frame: pd.DataFrame, actor: Principal | str, *, store: Store, issue_links: bool = True
) -> dict[str, IssuedLink]:
    """Bulk insert prepared enrolment rows (also used by the demo). Raises IsolationError when
    a person is already enrolled. Call inside a transaction. Returns each new link and its
    code (shown once; an officer gives a code later by issuing a new link)."""
    who = actor.actor if isinstance(actor, Principal) else str(actor)
    clash = store.fetchone(
        "SELECT person_id FROM hi_active WHERE person_id IN (SELECT UNNEST(?::VARCHAR[])) LIMIT 1",
        [frame["person_id"].astype(str).tolist()],
    )
    if clash or frame["person_id"].duplicated().any():
        raise IsolationError("hi.err.already_enrolled")
    store.insert_df("hi_enrolments", frame)
    store.insert_df("hi_active", frame[["person_id", "id"]].rename(columns={"id": "enrolment_id"}))
    risk.record_many(risk_frame(frame), replace=True, actor=who, store=store)
    audit.record_many(
        who,
        "isolation.enrol",
        "enrolment",
        frame["id"].tolist(),
        [{"kind": k, "source": s} for k, s in zip(frame["kind"], frame["source_id"], strict=True)],
        store=store,
    )
    if issue_links:
        return _issue_links(store, frame["id"].tolist(), who)
    return {}


def risk_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Enrolment rows (id, person_id, kind, status, enrolled_at) as ``isolation`` signals of
    core.risk: F0 red, F1 yellow, anyone in hospital red; until released."""
    level = frame["kind"].map(RISK_LEVEL)
    if "status" in frame:
        level = level.where(frame["status"] != "hospital", "red")
    return pd.DataFrame(
        {
            "person_id": frame["person_id"],
            "source": "isolation",
            "ref": frame["id"],
            "level": level,
            "reason_code": frame["kind"],
            "since": frame["enrolled_at"],
        }
    )


def risk_signals(principal: Principal, *, store: Store | None = None) -> pd.DataFrame:
    """Everyone on the register now (isolating or in hospital) as ``isolation`` signals, for
    ``core.risk.rebuild`` (administrators): the backfill of enrolments made before core.risk."""
    require(principal, "admin")
    frame = _store(store).df(
        "SELECT id, person_id, kind, status, enrolled_at FROM hi_enrolments"
        " WHERE status IN ('isolating', 'hospital')"
    )
    return risk_frame(frame)


def _issue_links(
    store: Store, enrolment_ids: Sequence[str], actor: str, progress: Any = None
) -> dict[str, IssuedLink]:
    """Sign a monitoring token for each enrolment, valid to its isolation end + grace, with a
    new second-factor code each (stored as a keyed hash: the clear code is only in the answer).
    The claims hold the enrolment reference alone: no F0/F1, no name."""
    from core.qr import service as qr

    if not enrolment_ids:
        return {}
    s = _settings()
    rows = store.fetchall(
        "SELECT id, isolation_end FROM hi_enrolments WHERE id IN (SELECT UNNEST(?::VARCHAR[]))",
        [list(enrolment_ids)],
    )
    items = [
        qr.IssueItem(
            claims=MonitoringClaims(e=eid).model_dump(),
            expires=_link_expiry(end, s),
            subject=eid,
        )
        for eid, end in rows
    ]
    codes = {eid: new_link_code(s.link_code_digits) for eid, _ in rows}
    with store.transaction():
        issued = qr.issue(PREFIX, items, actor, store=store, progress=progress)
        store.execute(
            "UPDATE hi_enrolments SET token_id = f.token_id, link_code_hash = f.code_hash,"
            " link_failures = 0, link_wait_until = NULL"
            " FROM (SELECT UNNEST(?::VARCHAR[]) AS id, UNNEST(?::VARCHAR[]) AS token_id,"
            " UNNEST(?::VARCHAR[]) AS code_hash) f WHERE hi_enrolments.id = f.id",
            [
                [i.subject for i in issued],
                [i.token_id for i in issued],
                [code_hash(i.subject, codes[i.subject]) for i in issued],
            ],
        )
    return {i.subject: IssuedLink(i.text, codes[i.subject]) for i in issued}


def _resolve_source(store: Store, ref: str) -> dict[str, Any]:
    """The F0 an F1's ``source_id`` answer names (their enrolment id or person id)."""
    rows = store.records(
        "SELECT * FROM hi_enrolments WHERE kind = 'F0' AND (id = ? OR person_id = ?)"
        " ORDER BY enrolled_at DESC LIMIT 1",
        [ref, normalize_person_id(ref)],
    )
    if not rows:
        raise FormInvalid.one("source_id", "hi.err.source_unknown")
    return rows[0]


def enroll(
    principal: Principal, kind: str, raw: Mapping[str, Any], *, store: Store | None = None
) -> dict[str, Any]:
    """Enrol one F0 or F1 from the answers of ``ENROL_F0``/``ENROL_F1``; returns the enrolment
    with its monitoring link. Raises FormInvalid (bad answers, unknown source F0, already
    enrolled: each beside its field)."""
    require(principal, OFFICER)
    if kind not in KINDS:
        raise IsolationError("hi.err.kind")
    store = _store(store)
    rec = _enrolment_input(kind, ENROL_FORMS[kind].validate(raw))
    with store.transaction():
        if kind == "F1":
            rec["source_id"] = _resolve_source(store, rec["source_id"])["id"]
        if store.scalar("SELECT 1 FROM hi_active WHERE person_id = ?", [rec["person_id"]]):
            raise FormInvalid.one("person_id", "hi.err.already_enrolled")
        eid = new_id()
        frame = _frame_of([rec], [eid], principal.actor, _settings())
        issued = insert_enrolments(frame, principal, store=store)
        _note(store, eid, principal.actor, "enrol", kind)
    row = _display(store, eid)
    row["link"] = _link_url(issued[eid].text)
    row["link_code"] = issued[eid].code
    return row


def enroll_f0(
    principal: Principal, raw: Mapping[str, Any], *, store: Store | None = None
) -> dict[str, Any]:
    return enroll(principal, "F0", raw, store=store)


def enroll_f1(
    principal: Principal, raw: Mapping[str, Any], *, store: Store | None = None
) -> dict[str, Any]:
    return enroll(principal, "F1", raw, store=store)


def enrolment(
    principal: Principal, enrolment_id: str, *, store: Store | None = None
) -> dict[str, Any]:
    """One enrolment with display fields (ward name, masked id, source F0). An officer
    opening a person: one audit row (``isolation.read``)."""
    require(principal, OFFICER)
    store = _store(store)
    row = _display(store, enrolment_id)
    audit.record(principal, "isolation.read", "enrolment", row["id"], store=store)
    return row


def _display(store: Store, enrolment_id: str) -> dict[str, Any]:
    row = _enrolment(store, enrolment_id)
    row["ward"] = geo.ward_name(row["ward_code"])
    row["person_id_masked"] = mask_id(row["person_id"])
    row["source_name"] = None
    if row["source_id"]:
        row["source_name"] = store.scalar(
            "SELECT full_name FROM hi_enrolments WHERE id = ?", [row["source_id"]]
        )
    row["due_release"] = (
        row["status"] == "isolating" and row["isolation_end"] <= clock.today_local()
    )
    return row


def enrollment_or_none(
    principal: Principal, enrolment_id: str, *, store: Store | None = None
) -> dict[str, Any] | None:
    """Like ``enrolment`` but None when there is no such enrolment."""
    require(principal, OFFICER)
    try:
        return enrolment(principal, enrolment_id, store=store)
    except IsolationError:
        return None


def _link_url(text: str) -> str:
    from core.ui.links import web_link

    return web_link("/bao-cao", t=text)


def monitoring_link(principal: Principal, enrolment_id: str, *, store: Store | None = None) -> str:
    """The person's current monitoring link (without its code, which is never stored in
    clear: ``new_link`` gives a new link and code). Issued now if they have none yet."""
    from core.qr import service as qr

    require(principal, OFFICER)
    store = _store(store)
    row = _enrolment(store, enrolment_id)
    if row["status"] != "isolating":
        raise IsolationError("hi.err.not_isolating")
    text = None
    if row["token_id"] and not qr.is_revoked(row["token_id"], store=store):
        text = qr.token_texts([row["token_id"]], store=store).get(row["token_id"])
    if text is None:
        return new_link(principal, enrolment_id, store=store).url
    return _link_url(text)


@dataclass(frozen=True)
class IssuedLink:
    text: str
    code: str

    @property
    def url(self) -> str:
        return _link_url(self.text)


def new_link(principal: Principal, enrolment_id: str, *, store: Store | None = None) -> IssuedLink:
    """Rotate a person's monitoring link: a new token and a new code; the old token is revoked
    (opening it says to call the officer) and every browser session opened with it ends (it
    says the same) until the new link and code are entered. Audited (``isolation.link_rotate``); the code is in the answer only."""
    from core.qr import service as qr

    require(principal, OFFICER)
    store = _store(store)
    with store.transaction():
        row = _enrolment(store, enrolment_id)
        if row["status"] != "isolating":
            raise IsolationError("hi.err.not_isolating")
        if row["token_id"]:
            qr.revoke(row["token_id"], principal, ROTATED, store=store)
        issued = _issue_links(store, [row["id"]], principal.actor)[row["id"]]
        _note(store, row["id"], principal.actor, "link", "")
        audit.record(
            principal,
            "isolation.link_rotate",
            "enrolment",
            row["id"],
            {"old_token": row["token_id"] or ""},
            store=store,
        )
    return issued


def needs_negative_test(row: Mapping[str, Any], settings: IsolationSettings) -> bool:
    """Whether releasing this enrolment needs a negative test date: an isolating F0, when
    ``f0_needs_negative_test`` (the release form of the page and of the service agree)."""
    return bool(
        row["kind"] == "F0" and row["status"] == "isolating" and settings.f0_needs_negative_test
    )


# -- release and transfer guarded by the open alerts (issue 17 item 5) ------------------------


def _open_alert_rows(store: Store, enrolment_id: str) -> list[dict[str, Any]]:
    """The enrolment's open alerts, oldest first, with the readings of the report that opened
    each (a red alert says which SpO2)."""
    return store.records(
        "SELECT a.id, a.kind, a.opened_at, r.spo2, r.temperature, r.reasons FROM hi_alerts a"
        " LEFT JOIN hi_reports r ON r.id = a.report_id AND r.enrolment_id = a.enrolment_id"
        " WHERE a.enrolment_id = ? AND a.acknowledged_at IS NULL AND a.resolved_at IS NULL"
        " ORDER BY a.opened_at, a.id",
        [str(enrolment_id)],
    )


def _alert_summary(alert: Mapping[str, Any], lang: str) -> str:
    """``Chỉ số nguy hiểm · SpO2 91% · 38,9 °C · 01/12 17:02``: what the alert was about."""
    parts = [t_in(lang, f"hi.alert.{alert['kind']}")]
    if alert.get("spo2") is not None:
        parts.append(f"SpO2 {int(alert['spo2'])}%")
    if alert.get("temperature") is not None:
        temp = f"{float(alert['temperature']):.1f}"
        parts.append(f"{temp.replace('.', ',') if lang == 'vi' else temp} °C")
    shown = clock.local(alert["opened_at"])
    if shown is not None:
        parts.append(shown.strftime("%d/%m %H:%M"))
    return " · ".join(parts)


def _alert_lines(alerts: Sequence[Mapping[str, Any]]) -> tuple[AlertLine, ...]:
    return tuple((str(a["id"]), _alert_summary(a, "vi"), _alert_summary(a, "en")) for a in alerts)


def release_form_for(principal: Principal, enrolment_id: str, *, store: Store | None = None) -> Any:
    """The release form of one person as the service will check it: the negative test date
    when needed, a closing note per open alert (or an override with its reason), the tick."""
    require(principal, OFFICER)
    store = _store(store)
    refresh_missed(store=store)
    row = _enrolment(store, enrolment_id)
    alerts = _alert_lines(_open_alert_rows(store, row["id"]))
    return release_form(row["full_name"], needs_negative_test(row, _settings()), alerts)


def transfer_form_for(
    principal: Principal, enrolment_id: str, *, store: Store | None = None
) -> Any:
    """The transfer form of one person: a closing note per open alert (or an override with
    its reason) and the tick naming them."""
    require(principal, OFFICER)
    store = _store(store)
    refresh_missed(store=store)
    row = _enrolment(store, enrolment_id)
    return transfer_form(row["full_name"], _alert_lines(_open_alert_rows(store, row["id"])))


def _guarded_values(
    store: Store, row: Mapping[str, Any], raw: Mapping[str, Any], build: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate ``raw`` with the form ``build(alert lines)`` of the person's open alerts now
    (inside the transaction). When the answers were given for other alerts than the open
    ones (one opened or closed meanwhile), refuse: the officer must look again."""
    alerts = _open_alert_rows(store, row["id"])
    names = {alert_field(str(a["id"])) for a in alerts}
    given = {k for k in raw if str(k).startswith("alert_")}
    answered_guard = bool(given) or "override" in raw
    if answered_guard and not raw.get("override") and names - given:
        raise IsolationError("hi.err.alerts_changed", n=len(names - given))
    values = build(_alert_lines(alerts)).validate(raw)
    return values, alerts


def _close_alerts_for(
    store: Store,
    principal: Principal,
    row: Mapping[str, Any],
    action: str,
    alerts: Sequence[Mapping[str, Any]],
    values: Mapping[str, Any],
) -> dict[str, Any]:
    """Close every open alert of a person being released or transferred: each with its note
    (acknowledged by the officer), or all with the override's reason. Each closing goes to the
    case log and the audit log; nothing closes silently. Returns the audit details."""
    if not alerts:
        return {"alerts_closed": 0}
    now = clock.utcnow_naive()
    override = bool(values.get("override"))
    reason = nfc(str(values.get("override_reason") or ""))
    ids, notes, how = [], [], f"override_{action}" if override else action
    for alert in alerts:
        aid = str(alert["id"])
        note = reason if override else nfc(str(values.get(alert_field(aid)) or ""))
        ids.append(aid)
        notes.append(note)
        summary = _alert_summary(alert, "en")
        text = f"{'override' if override else 'closed'} [{summary}]: {note}"
        _note(store, row["id"], principal.actor, "alert_close", text)
    closing = " FROM (SELECT UNNEST(?::VARCHAR[]) AS id, UNNEST(?::VARCHAR[]) AS note) f"
    if override:  # left open by the officer's decision: resolved, not acknowledged
        store.execute(
            "UPDATE hi_alerts SET resolved_at = ?, close_note = f.note, closed_how = ?"  # noqa: S608 - constant
            + closing
            + " WHERE hi_alerts.id = f.id",
            [now, how, ids, notes],
        )
    else:
        store.execute(
            "UPDATE hi_alerts SET acknowledged_at = ?, acknowledged_by = ?,"  # noqa: S608 - constant
            " close_note = f.note, closed_how = ?" + closing + " WHERE hi_alerts.id = f.id",
            [now, principal.actor, how, ids, notes],
        )
    audit.record_many(
        principal,
        "isolation.alert_override" if override else "isolation.alert_close",
        "alert",
        ids,
        [
            {"enrolment": row["id"], "kind": a["kind"], "on": action, "note": n[:200]}
            for a, n in zip(alerts, notes, strict=True)
        ],
        store=store,
    )
    details: dict[str, Any] = {"alerts_closed": len(ids), "alerts": ids[:50]}
    if override:
        details["override"] = reason[:200]
    return details


def release(
    principal: Principal,
    enrolment_id: str,
    raw: Mapping[str, Any],
    *,
    store: Store | None = None,
) -> None:
    """End monitoring from the answers of ``release_form`` (``release_form_for`` builds it):
    status released, the monitoring token revoked. The release is confirmed by a tick naming
    the person; an isolating F0 needs a negative test date (when configured), never in the
    future; each open alert needs a closing note, or the override with its reason (audited:
    ``isolation.alert_close`` / ``isolation.alert_override`` per alert); nobody is released
    twice."""
    require(principal, OFFICER)
    store = _store(store)
    s = _settings()
    refresh_missed(store=store)
    with store.transaction():
        row = _enrolment(store, enrolment_id)
        if row["status"] == "released":
            raise IsolationError("hi.err.already_released")
        values, alerts = _guarded_values(
            store,
            row,
            raw,
            lambda lines: release_form(row["full_name"], needs_negative_test(row, s), lines),
        )
        negative_test_date = values["negative_test_date"]
        now = clock.utcnow_naive()
        closed = _close_alerts_for(store, principal, row, "release", alerts, values)
        store.execute(
            "UPDATE hi_enrolments SET status = 'released', released_at = ?, released_by = ?,"
            " negative_test_date = coalesce(?, negative_test_date) WHERE id = ?",
            [now, principal.actor, negative_test_date, row["id"]],
        )
        store.execute("DELETE FROM hi_active WHERE enrolment_id = ?", [row["id"]])
        risk.clear(row["person_id"], "isolation", row["id"], store=store)
        _end_monitoring(
            store,
            principal,
            row,
            "release",
            "home isolation released",
            "",
            {"negative_test_date": negative_test_date, **closed},
        )


def transfer_to_hospital(
    principal: Principal,
    enrolment_id: str,
    raw: Mapping[str, Any],
    *,
    store: Store | None = None,
) -> None:
    """Move an isolating person to hospital care, confirmed by the tick of ``transfer_form``
    (``transfer_form_for`` builds it): each open alert needs a closing note or the override
    with its reason (audited); home monitoring stops, the link is revoked."""
    require(principal, OFFICER)
    store = _store(store)
    refresh_missed(store=store)
    with store.transaction():
        row = _enrolment(store, enrolment_id)
        if row["status"] != "isolating":
            raise IsolationError("hi.err.not_isolating")
        values, alerts = _guarded_values(
            store, row, raw, lambda lines: transfer_form(row["full_name"], lines)
        )
        closed = _close_alerts_for(store, principal, row, "transfer", alerts, values)
        store.execute(
            "UPDATE hi_enrolments SET status = 'hospital', transferred_at = ? WHERE id = ?",
            [clock.utcnow_naive(), row["id"]],
        )
        # still on the register (no green pass, no check-in), now red
        risk.record(
            row["person_id"], "isolation", "red", row["kind"], row["enrolled_at"], None,
            row["id"], replace=True, actor=principal, store=store,
        )  # fmt: skip
        _end_monitoring(store, principal, row, "transfer", "transferred to hospital", "", closed)


def acknowledge(
    principal: Principal, alert_id: str, *, note: str = "", store: Store | None = None
) -> None:
    """Acknowledge one open alert."""
    require(principal, OFFICER)
    store = _store(store)
    with store.transaction():
        row = store.fetchone(
            "SELECT enrolment_id, kind FROM hi_alerts WHERE id = ? AND acknowledged_at IS NULL"
            " AND resolved_at IS NULL",
            [str(alert_id)],
        )
        if row is None:
            raise IsolationError("hi.err.alert_closed")
        store.execute(
            "UPDATE hi_alerts SET acknowledged_at = ?, acknowledged_by = ?, close_note = ?,"
            " closed_how = 'ack' WHERE id = ?",
            [clock.utcnow_naive(), principal.actor, nfc(note)[:500], str(alert_id)],
        )
        _note(store, row[0], principal.actor, "ack", f"{row[1]} {nfc(note)}".strip())
        audit.record(
            principal,
            "isolation.alert_ack",
            "alert",
            str(alert_id),
            {"enrolment": row[0], "kind": row[1]},
            store=store,
        )


def assign(
    principal: Principal, enrolment_id: str, raw: Mapping[str, Any], *, store: Store | None = None
) -> None:
    """Assign a person to a health officer from the answer of ``ASSIGN`` (the user name of an
    existing, enabled health_officer account)."""
    from core import accounts

    require(principal, OFFICER)
    store = _store(store)
    username = ASSIGN.validate(raw)["staff"].lower()
    try:
        user = accounts.get_user(username, store=store)
    except accounts.AccountError as exc:
        raise FormInvalid.one("staff", "hi.err.staff_unknown", name=username[:40]) from exc
    if not user.has_role(OFFICER) or user.disabled:
        raise FormInvalid.one("staff", "hi.err.staff_unknown", name=username[:40])
    with store.transaction():
        row = _enrolment(store, enrolment_id)
        store.execute(
            "UPDATE hi_enrolments SET assigned_to = ? WHERE id = ?", [username, row["id"]]
        )
        _note(store, row["id"], principal.actor, "assign", username)
        audit.record(
            principal, "isolation.assign", "enrolment", row["id"], {"staff": username}, store=store
        )


def add_note(
    principal: Principal, enrolment_id: str, raw: Mapping[str, Any], *, store: Store | None = None
) -> None:
    """Add the officer's note (the answer of ``NOTE``) to a person's case log."""
    require(principal, OFFICER)
    store = _store(store)
    body = NOTE.validate(raw)["note"]
    with store.transaction():
        row = _enrolment(store, enrolment_id)
        _note(store, row["id"], principal.actor, "note", body)
        audit.record(
            principal, "isolation.note", "enrolment", row["id"], {"length": len(body)}, store=store
        )


# -- the citizen's link -----------------------------------------------------------------------
#
# The signed token in the link names the enrolment; alone it opens nothing. The person enters
# the code the officer gave at enrolment once per browser (``unlock``), which opens a session:
# a random key in an HttpOnly cookie, stored here as its hash and bound to that token, so a
# rotated link (``new_link``), a release or a transfer ends it.

ROTATED = "link rotated"
"""The revocation reason of a replaced monitoring token (its link then says: call the officer)."""
FREE_TRIES = 3
"""Wrong codes allowed before each further try waits (30 s, then doubling, up to a day)."""


def new_link_code(digits: int = 6) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(digits))


def code_hash(enrolment_id: str, code: str) -> str:
    """The stored form of a link code: keyed with the server secret, so the table alone does
    not give the 10^6 codes to a brute force."""
    import hashlib
    import hmac

    from core.web.security import server_secret

    message = f"hi-link-code\x00{enrolment_id}\x00{code}".encode()
    return hmac.new(server_secret(), message, hashlib.sha256).hexdigest()


def _key_hash(key: str) -> str:
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()


def failure_wait(failures: int) -> timedelta:
    """The wait before the next try after ``failures`` wrong codes in a row."""
    if failures < FREE_TRIES:
        return timedelta(0)
    return timedelta(seconds=min(86_400, 30 * 2 ** (failures - FREE_TRIES)))


def initials(name: str) -> str:
    """``Nguyễn Văn An`` -> ``N.V.A.``: what the citizen's page shows of a name."""
    return "".join(f"{w[0].upper()}." for w in collapse_spaces(nfc(name or "")).split(" ") if w)


class CodeRefused(IsolationError):
    """A wrong code, or a try while the wait after wrong codes runs (``wait`` seconds)."""

    def __init__(self, key: str, wait: int = 0, **kwargs: Any) -> None:
        super().__init__(key, seconds=wait, **kwargs)
        self.wait = wait


@dataclass(frozen=True)
class LinkView:
    enrolment_id: str
    initials: str
    isolation_end: date
    reports_today: int
    max_per_day: int
    last_level: str


def _reports_on_day(store: Store, enrolment_id: str, now: datetime) -> int:
    """Reports received on the local calendar day of ``now``."""
    day = clock.local(now).date()  # type: ignore[union-attr]
    count = store.scalar(
        "SELECT count(*) FROM hi_reports WHERE enrolment_id = ? AND received_at >= ? AND received_at < ?",
        [enrolment_id, local_midnight_utc(day), local_midnight_utc(day + timedelta(days=1))],
    )
    return int(count or 0)


def _live(row: Mapping[str, Any]) -> dict[str, Any]:
    if row["status"] == "released":
        raise LinkRefused("hi.link.released")
    if row["status"] != "isolating":
        raise LinkRefused("hi.link.hospital")
    return dict(row)


def _check_token(store: Store, token_text: str) -> tuple[dict[str, Any], Any]:
    """The enrolment a monitoring token names, and the verdict; LinkRefused when it is forged,
    expired, replaced by a newer link, or its person is no longer isolating."""
    from core.qr import service as qr

    text = (token_text or "").strip()
    if not text:
        raise LinkRefused("hi.link.missing")
    try:
        verdict = qr.verify_server(text, expected_prefixes=[PREFIX], store=store)
    except Exception:  # noqa: BLE001 - any parser failure is a bad link, never a crash
        log.info("monitoring link failed to verify", exc_info=True)
        raise LinkRefused("hi.link.bad") from None
    reason = getattr(verdict.reason, "value", str(verdict.reason))
    claims_ok = True
    try:
        claims = MonitoringClaims.model_validate(verdict.claims)
    except (ValueError, TypeError):
        claims_ok = False
    if not verdict.ok:
        if reason == "EXPIRED":
            raise LinkRefused("hi.link.expired")
        if reason == "REVOKED" and claims_ok:
            rows = store.records(
                "SELECT status, token_id FROM hi_enrolments WHERE id = ?", [claims.e]
            )
            if (
                rows
                and rows[0]["status"] == "isolating"
                and rows[0]["token_id"] != verdict.token_id
            ):
                raise LinkRefused("hi.link.rotated")
            raise LinkRefused("hi.link.released")
        raise LinkRefused("hi.link.bad")
    if not claims_ok:
        raise LinkRefused("hi.link.bad")
    rows = store.records("SELECT * FROM hi_enrolments WHERE id = ?", [claims.e])
    if not rows or rows[0]["token_id"] != verdict.token_id:
        raise LinkRefused("hi.link.bad")
    return _live(rows[0]), verdict


def check_link(principal: Principal, token_text: str, *, store: Store | None = None) -> str:
    """The enrolment id a monitoring link opens (before its code is entered: the page shows
    nothing of the person then). Raises LinkRefused. Any principal: the token decides."""
    del principal
    return _check_token(_store(store), token_text)[0]["id"]


def unlock(principal: Principal, token_text: str, code: str, *, store: Store | None = None) -> str:
    """Check the code of a monitoring link; returns a new session key for the browser's cookie.
    Wrong codes count per enrolment: after ``FREE_TRIES`` each try waits longer (CodeRefused
    with the seconds). Every try is counted per hour (``isolation.link_code``), not logged."""
    del principal
    store = _store(store)
    row, verdict = _check_token(store, token_text)
    now = clock.utcnow_naive()
    wait_until = row.get("link_wait_until")
    if wait_until is not None and wait_until > now:
        audit.count("isolation.link_code", throttled=True, store=store)
        raise CodeRefused("hi.code.wait", wait=max(1, int((wait_until - now).total_seconds())))
    given = "".join(ch for ch in str(code or "") if ch.isdigit())[:12]
    expected = row.get("link_code_hash")
    if not expected:
        audit.count("isolation.link_code", store=store)
        raise LinkRefused("hi.link.no_code")
    import hmac

    if not given or not hmac.compare_digest(code_hash(row["id"], given), expected):
        failures = int(row.get("link_failures") or 0) + 1
        wait = failure_wait(failures)
        store.execute(
            "UPDATE hi_enrolments SET link_failures = ?, link_wait_until = ? WHERE id = ?",
            [failures, now + wait if wait else None, row["id"]],
        )
        audit.count("isolation.link_code", store=store)
        raise CodeRefused("hi.code.wrong", wait=int(wait.total_seconds()))
    key = secrets.token_urlsafe(24)
    del verdict
    expires = clock.to_utc_naive(_link_expiry(row["isolation_end"], _settings()))
    with store.transaction():
        store.execute(
            "UPDATE hi_enrolments SET link_failures = 0, link_wait_until = NULL WHERE id = ?",
            [row["id"]],
        )
        store.execute(
            "INSERT INTO hi_link_sessions (key_hash, enrolment_id, token_id, created_at,"
            " expires_at) VALUES (?, ?, ?, ?, ?)",
            [_key_hash(key), row["id"], row["token_id"], now, expires],
        )
    audit.count("isolation.link_code", matched=True, store=store)
    return key


def _check_link(store: Store, session_key: str) -> dict[str, Any]:
    """The enrolment of a browser session (the cookie's key): LinkRefused when there is no
    such session, its link was replaced or expired, or the person is no longer isolating."""
    key = (session_key or "").strip()
    if not key:
        raise LinkRefused("hi.link.missing")
    if len(key) > 64:
        raise LinkRefused("hi.link.bad")
    found = store.records(
        "SELECT s.token_id AS session_token, s.expires_at, e.* FROM hi_link_sessions s"
        " JOIN hi_enrolments e ON e.id = s.enrolment_id WHERE s.key_hash = ?",
        [_key_hash(key)],
    )
    if not found:
        raise LinkRefused("hi.link.bad")
    row = found[0]
    if row["status"] == "isolating" and row["session_token"] != row["token_id"]:
        raise LinkRefused("hi.link.rotated")
    if row["expires_at"] <= clock.utcnow_naive():
        raise LinkRefused("hi.link.expired")
    return _live(row)


def session_enrolment(
    principal: Principal, session_key: str, *, store: Store | None = None
) -> str | None:
    """The enrolment id of a live session key, or None."""
    del principal
    try:
        return _check_link(_store(store), session_key)["id"]
    except LinkRefused:
        return None


def open_link(principal: Principal, session_key: str, *, store: Store | None = None) -> LinkView:
    """What the report page shows for a browser session opened with a link and its code: the
    person's initials (never the full name), today's count. Any principal (the key decides)."""
    del principal  # public: the session opened with the link's code is the authority
    store = _store(store)
    row = _check_link(store, session_key)
    return LinkView(
        enrolment_id=row["id"],
        initials=initials(row["full_name"]),
        isolation_end=row["isolation_end"],
        reports_today=_reports_on_day(store, row["id"], clock.now()),
        max_per_day=_settings().max_reports_per_day,
        last_level=row["level"],
    )


@dataclass(frozen=True)
class ReportResult:
    report_id: str
    level: str
    reasons: tuple[str, ...]
    alerts: tuple[str, ...]


def submit_report(
    principal: Principal,
    session_key: str,
    raw: Mapping[str, Any],
    *,
    store: Store | None = None,
) -> ReportResult:
    """Record one daily report (the answers of ``REPORT``) sent in a browser session opened
    with a monitoring link and its code (``unlock``);
    triage it and open alerts. No measured time: measured now. Raises LinkRefused, FormInvalid
    or IsolationError; nothing is written then."""
    store = _store(store)
    s = _settings()
    now = clock.now()
    data = REPORT.validate(raw, now=now)
    measured_at = data["measured_at"] or now
    with store.transaction():
        row = _check_link(store, session_key)
        eid = row["id"]
        same = _same_report(store, eid, data, now)
        if same is not None:
            return same
        if _reports_on_day(store, eid, now) >= s.max_reports_per_day:
            raise IsolationError("hi.err.too_many", max=s.max_reports_per_day)
        measured = clock.to_utc_naive(measured_at)
        window_start = measured - timedelta(days=s.fever_window_days)
        fever_days_rows = store.fetchall(
            "SELECT DISTINCT CAST(measured_at + INTERVAL '7 hours' AS DATE) FROM hi_reports"
            " WHERE enrolment_id = ? AND measured_at > ? AND measured_at <= ? AND temperature >= ?",
            [eid, window_start, measured, s.fever_threshold],
        )
        fever_days = {r[0] for r in fever_days_rows}
        if data["temperature"] >= s.fever_threshold:
            fever_days.add(clock.local(measured_at).date())  # type: ignore[union-attr]
        chronic = [c for c in (row["chronic"] or "").split(",") if c]
        verdict = triage(
            {
                "spo2": data["spo2"],
                "temperature": data["temperature"],
                "pulse": data["pulse"],
                "resp_rate": data["resp_rate"],
                "fever_days": len(fever_days),
            },
            data["symptoms"] or (),
            age=row["age"],
            chronic=chronic,
            settings=s,
        )
        rid = new_id("R")
        store.insert_row(
            "hi_reports",
            {
                "id": rid,
                "enrolment_id": eid,
                **storage.row(REPORT, data),
                "measured_at": measured,
                "received_at": clock.to_utc_naive(now),
                "note": data["note"] or "",
                "level": verdict.level,
                "level_rank": verdict.rank,
                "reasons": ",".join(verdict.reasons),
            },
        )
        latest = row["last_report_at"] is None or measured >= row["last_report_at"]
        if latest:
            store.execute(
                "UPDATE hi_enrolments SET level = ?, level_rank = ?, level_reasons = ?,"
                " last_report_at = ?, reports_count = reports_count + 1 WHERE id = ?",
                [verdict.level, verdict.rank, ",".join(verdict.reasons), measured, eid],
            )
        else:
            store.execute(
                "UPDATE hi_enrolments SET reports_count = reports_count + 1 WHERE id = ?", [eid]
            )
        _resolve_alerts(store, eid, ("missed",))
        opened: list[str] = []
        if verdict.level == "red":
            _open_alert(store, eid, "red", rid)
            opened.append("red")
        recent = store.fetchall(
            "SELECT level_rank, spo2 FROM hi_reports WHERE enrolment_id = ?"
            " ORDER BY measured_at DESC LIMIT ?",
            [eid, s.worsening_reports],
        )
        trend = [(int(r), None if o is None else int(o)) for r, o in reversed(recent)]
        if is_worsening(trend, s) and not store.scalar(
            "SELECT 1 FROM hi_alerts WHERE enrolment_id = ? AND kind = 'worsening'"
            " AND acknowledged_at IS NULL AND resolved_at IS NULL",
            [eid],
        ):
            _open_alert(store, eid, "worsening", rid)
            opened.append("worsening")
        audit.record(
            principal,
            "isolation.report",
            "enrolment",
            eid,
            {"report": rid, "level": verdict.level, "alerts": opened},
            store=store,
        )
    return ReportResult(rid, verdict.level, verdict.reasons, tuple(opened))


SAME_REPORT_S = 120
"""A report identical to one from the same person received less than this many seconds ago
is that report sent twice (a double tap, a resent page): it is not recorded again."""

_SAME_COLUMNS = ("temperature", "spo2", "pulse", "resp_rate", "symptoms", "medicines")


def _same_report(
    store: Store, enrolment_id: str, data: Mapping[str, Any], now: datetime
) -> ReportResult | None:
    """The report this one repeats (same answers, same person, received within
    ``SAME_REPORT_S``), as its result with no alert opened again; None for a new report."""
    values = storage.row(REPORT, data)
    where = ["enrolment_id = ?", "received_at >= ?", "note = ?"]
    params: list[Any] = [
        enrolment_id,
        clock.to_utc_naive(now) - timedelta(seconds=SAME_REPORT_S),
        data["note"] or "",
    ]
    for column in _SAME_COLUMNS:
        where.append(f"{column} IS NOT DISTINCT FROM ?")
        params.append(values[column])
    if data["measured_at"] is not None:  # a time given: it must be the same time
        where.append("measured_at = ?")
        params.append(clock.to_utc_naive(data["measured_at"]))
    else:  # measured now: so was the earlier one
        where.append("measured_at = received_at")
    found = store.fetchone(
        "SELECT id, level, reasons FROM hi_reports WHERE "  # noqa: S608 - constant fragments
        + " AND ".join(where)
        + " ORDER BY received_at DESC LIMIT 1",
        params,
    )
    if found is None:
        return None
    rid, level, reasons = found
    log.info("report %s sent again within %s s: not recorded twice", rid, SAME_REPORT_S)
    return ReportResult(rid, level, tuple(c for c in (reasons or "").split(",") if c), ())


def repeated_report(
    principal: Principal,
    session_key: str,
    raw: Mapping[str, Any],
    *,
    store: Store | None = None,
) -> ReportResult | None:
    """The report these answers repeat (sent in this browser session less than
    ``SAME_REPORT_S`` ago), or None: a page sent twice (a double tap) shows the first one's
    result instead of a refusal. Writes nothing. Raises LinkRefused or FormInvalid."""
    store = _store(store)
    now = clock.now()
    data = REPORT.validate(raw, now=now)
    row = _check_link(store, session_key)
    return _same_report(store, row["id"], data, now)


def _open_alert(store: Store, enrolment_id: str, kind: str, report_id: str | None) -> None:
    store.execute(
        "INSERT INTO hi_alerts (id, enrolment_id, kind, opened_at, report_id) VALUES (?, ?, ?, ?, ?)",
        [new_id("A"), enrolment_id, kind, clock.utcnow_naive(), report_id],
    )


def refresh_missed(*, store: Store | None = None) -> int:
    """Open a 'missed' alert for everyone isolating who has not reported for ``missed_hours``
    (counted from the last report, or from enrolment), once per silence. Idempotent; the
    alert's time is when the silence crossed the limit, so its age is true."""
    store = _store(store)
    hours = _settings().missed_hours
    cutoff = clock.utcnow_naive() - timedelta(hours=hours)
    try:
        with store.transaction() as cur:
            inserted = cur.execute(
                "INSERT INTO hi_alerts (id, enrolment_id, kind, opened_at, report_id)"
                " SELECT 'M' || e.id || '@' || CAST(CAST(EXTRACT(EPOCH FROM"
                " coalesce(e.last_report_at, e.enrolled_at)) AS BIGINT) AS VARCHAR), e.id,"
                " 'missed', coalesce(e.last_report_at, e.enrolled_at) + (? * INTERVAL '1 hour'),"
                " NULL FROM hi_enrolments e"
                " WHERE e.status = 'isolating' AND coalesce(e.last_report_at, e.enrolled_at) <= ?"
                " AND NOT EXISTS (SELECT 1 FROM hi_alerts a WHERE a.enrolment_id = e.id"
                "   AND a.kind = 'missed' AND a.opened_at > coalesce(e.last_report_at, e.enrolled_at))"
                " ON CONFLICT (id) DO NOTHING",
                [hours, cutoff],
            ).fetchone()
    except (*CONFLICTS, *CONSTRAINTS):
        return 0  # a concurrent refresh opened the same alerts first
    return int(inserted[0]) if inserted else 0


# -- the officer board and a person's page ------------------------------------------------------


def board(
    principal: Principal,
    *,
    ward_code: int | None = None,
    status: str | None = "isolating",
    kind: str | None = None,
    level: str | None = None,
    alerts_only: bool = False,
    limit: int | None = None,
    store: Store | None = None,
) -> tuple[pd.DataFrame, int]:
    """Everyone matching the filters, worst level first, then oldest open alert, then longest
    silence; an open red alert's readings (``red_spo2``, ``red_temperature``, ``red_pulse``,
    ``red_resp_rate``: what raised it). Returns (first ``limit`` rows, total count)."""
    require(principal, OFFICER)
    store = _store(store)
    if status is not None and status not in STATUSES:
        raise IsolationError("hi.err.bad_filter")
    if kind is not None and kind not in KINDS:
        raise IsolationError("hi.err.bad_filter")
    if level is not None and level not in LEVELS:
        raise IsolationError("hi.err.bad_filter")
    refresh_missed(store=store)
    limit = limit or _settings().board_limit
    where = ["1=1"]
    params: list[Any] = []
    if ward_code is not None:
        where.append("e.ward_code = ?")
        params.append(int(ward_code))
    if status is not None:
        where.append("e.status = ?")
        params.append(status)
    if kind is not None:
        where.append("e.kind = ?")
        params.append(kind)
    if level is not None:
        where.append("e.level = ?")
        params.append(level)
    if alerts_only:
        where.append("a.n IS NOT NULL")
    clause = " AND ".join(where)  # constant fragments only; values are bound
    sql = (
        "WITH a AS (SELECT enrolment_id, count(*) AS n, min(opened_at) AS oldest,"  # noqa: S608
        " string_agg(DISTINCT kind, ',' ORDER BY kind) AS kinds,"
        " (array_agg(report_id ORDER BY opened_at DESC) FILTER (WHERE kind = 'red'))[1]"
        " AS red_report FROM hi_alerts"
        " WHERE acknowledged_at IS NULL AND resolved_at IS NULL GROUP BY enrolment_id)"
        " SELECT e.id, e.kind, e.full_name, e.person_id, e.phone, e.ward_code, e.age, e.status,"
        " e.level, e.level_rank, e.level_reasons, e.last_report_at, e.isolation_end,"
        " e.assigned_to, coalesce(a.n, 0) AS open_alerts, coalesce(a.kinds, '') AS alert_kinds,"
        " a.oldest AS oldest_alert_at, r.spo2 AS red_spo2, r.temperature AS red_temperature,"
        " r.pulse AS red_pulse, r.resp_rate AS red_resp_rate, count(*) OVER () AS total"
        " FROM hi_enrolments e LEFT JOIN a ON a.enrolment_id = e.id"
        " LEFT JOIN hi_reports r ON r.id = a.red_report AND r.enrolment_id = e.id"
        f" WHERE {clause}"
        " ORDER BY e.level_rank DESC, a.oldest ASC NULLS LAST,"
        " e.last_report_at ASC NULLS FIRST, e.id LIMIT ?"
    )
    frame = store.df(sql, [*params, int(limit)])
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    audit.record(
        principal,
        "isolation.board",
        "enrolment",
        "-",
        {
            "count": len(frame),
            "total": total,
            "filter": {
                "ward": ward_code,
                "status": status,
                "kind": kind,
                "level": level,
                "alerts_only": alerts_only,
            },
        },
        store=store,
    )
    frame = frame.drop(columns=["total"])
    frame["person_id"] = frame["person_id"].map(mask_id)
    frame["ward"] = frame["ward_code"].map(geo.ward_name)
    now = clock.utcnow_naive()
    frame["alert_age_hours"] = (
        (now - pd.to_datetime(frame["oldest_alert_at"])).dt.total_seconds() / 3600
    ).round(1)
    return frame, total


def person_reports(
    principal: Principal, enrolment_id: str, *, store: Store | None = None
) -> pd.DataFrame:
    """A person's reports, oldest first."""
    require(principal, OFFICER)
    return _store(store).df(
        "SELECT id, measured_at, received_at, temperature, spo2, pulse, resp_rate, symptoms,"
        " medicines, note, level, reasons FROM hi_reports WHERE enrolment_id = ?"
        " ORDER BY measured_at",
        [str(enrolment_id)],
    )


def person_alerts(
    principal: Principal, enrolment_id: str, *, open_only: bool = False, store: Store | None = None
) -> pd.DataFrame:
    """A person's alerts, newest first, each with the readings and reasons of the report that
    opened it (empty for a missed report)."""
    require(principal, OFFICER)
    store = _store(store)
    refresh_missed(store=store)
    extra = " AND a.acknowledged_at IS NULL AND a.resolved_at IS NULL" if open_only else ""
    return store.df(
        "SELECT a.id, a.kind, a.opened_at, a.report_id, a.acknowledged_at, a.acknowledged_by,"  # noqa: S608
        " a.resolved_at, a.close_note, a.closed_how, r.spo2, r.temperature, r.pulse,"
        " r.resp_rate, coalesce(r.reasons, '') AS reasons FROM hi_alerts a"
        " LEFT JOIN hi_reports r ON r.id = a.report_id AND r.enrolment_id = a.enrolment_id"
        f" WHERE a.enrolment_id = ?{extra} ORDER BY a.opened_at DESC",
        [str(enrolment_id)],
    )


def person_notes(
    principal: Principal, enrolment_id: str, *, store: Store | None = None
) -> pd.DataFrame:
    require(principal, OFFICER)
    return _store(store).df(
        "SELECT created_at, actor, kind, text FROM hi_notes WHERE enrolment_id = ?"
        " ORDER BY created_at DESC",
        [str(enrolment_id)],
    )


def _phone_or_text(value: object) -> str:
    """A phone number as stored (``parse_phone``), or the value as text when it is none."""
    try:
        return parse_phone(value)
    except FieldError:
        return code_text(value)


def find(
    principal: Principal, raw: Mapping[str, Any], *, limit: int = 20, store: Store | None = None
) -> pd.DataFrame | None:
    """Enrolments whose id, person id, phone or name matches the ``search`` answer of ``FIND``
    (or of ``trace_form``), newest first; None when nothing was searched for."""
    require(principal, OFFICER)
    needle = FIND.validate(raw)["search"]
    if not needle:
        return None
    store = _store(store)
    frame = store.df(
        "SELECT id, kind, full_name, status, ward_code, enrolled_at FROM hi_enrolments"
        " WHERE id = ? OR person_id = ? OR phone = ? OR full_name ILIKE ?"
        " ORDER BY enrolled_at DESC LIMIT ?",
        [needle, normalize_person_id(needle), _phone_or_text(needle), f"%{needle}%", int(limit)],
    )
    # who was looked for is recorded as the people found (the search text may be a number)
    audit.record(
        principal,
        "isolation.find",
        "enrolment",
        "-",
        {"count": len(frame), "found": frame["id"].head(50).tolist()},
        store=store,
    )
    return frame


# -- contact tracing ----------------------------------------------------------------------------


def infectious_since(row: Mapping[str, Any], settings: IsolationSettings) -> datetime:
    """Start of the infectious window: local midnight, N days before onset or test."""
    days = [d for d in (row.get("onset_date"), row.get("test_date")) if d is not None]
    first = min(days) if days else clock.local(row["enrolled_at"]).date()  # type: ignore[union-attr]
    start = first - timedelta(days=settings.infectious_days_before)
    return datetime.combine(start, time(0), tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def trace_window(raw: Mapping[str, Any] | None = None) -> int:
    """The window (+/- minutes) of a tracing search: the ``window_minutes`` answer of
    ``trace_form``, or ``trace_window_minutes`` when not given. Raises FormInvalid."""
    s = _settings()
    return int(trace_form(s.trace_window_minutes).validate(raw or {})["window_minutes"])


def trace_candidates(
    principal: Principal,
    source_id: str,
    raw: Mapping[str, Any] | None = None,
    *,
    store: Store | None = None,
) -> pd.DataFrame:
    """F1 candidates for an F0: people checked in at the same venue within +/- the window
    (the ``window_minutes`` answer of ``trace_form``; the setting when not given) of the F0's
    check-ins during the infectious window (through the health declaration app's
    ``co_checkins`` interface, which checks the principal's role itself). Adds
    ``already_enrolled``; the F0 themself is left out."""
    require(principal, OFFICER)
    from core.registry import get_registry

    co_checkins = get_registry().interface("health_declaration", "co_checkins")
    store = _store(store)
    s = _settings()
    minutes = trace_window(raw)
    source = _enrolment(store, source_id)
    if source["kind"] != "F0":
        raise IsolationError("hi.err.source_unknown")
    since = infectious_since(source, s)
    frame = co_checkins(principal, source["person_id"], since, clock.now(), minutes, store=store)
    frame = frame[frame["candidate_id"] != source["person_id"]].copy()
    if frame.empty:
        frame["already_enrolled"] = pd.Series(dtype=bool)
        return frame.reset_index(drop=True)
    active = _active_among(store, frame["candidate_id"].astype(str).tolist())
    frame["already_enrolled"] = frame["candidate_id"].isin(active)
    audit.record(
        principal,
        "isolation.trace",
        "enrolment",
        source["id"],
        {"count": int(frame["candidate_id"].nunique()), "window_minutes": minutes},
        store=store,
    )
    return frame.sort_values(
        ["candidate_id", "overlap_minutes"], ascending=[True, False]
    ).reset_index(drop=True)


def enroll_contacts(
    principal: Principal,
    source_id: str,
    candidates: pd.DataFrame | Sequence[Mapping[str, Any]],
    *,
    store: Store | None = None,
) -> dict[str, list[str]]:
    """Enrol the selected candidates as F1 of ``source_id`` in one transaction. Last exposure
    is the (latest) candidate check-in day. People already enrolled are skipped.

    Each new F1 gets their monitoring link by SMS (``core.notify``, once per link) once the
    enrolment is committed; the link's code is not in the message: it is returned (``codes``,
    shown once to the officer, who reads it out as for a single enrolment). ``sms`` says what
    became of each message (``sent``, ``limited``, ``failed``, ``no_mobile``...)."""
    require(principal, OFFICER)
    store = _store(store)
    frame = pd.DataFrame(candidates)
    if frame.empty:
        return {"enrolled": [], "skipped": [], "codes": {}, "sms": {}}
    s = _settings()
    today = clock.today_local()
    with store.transaction():
        source = _enrolment(store, source_id)
        if source["kind"] != "F0":
            raise IsolationError("hi.err.source_unknown")
        frame["candidate_id"] = frame["candidate_id"].map(normalize_person_id)
        latest = frame.sort_values("candidate_checked_in_at").groupby("candidate_id").tail(1)
        active = _active_among(store, latest["candidate_id"].tolist())
        rows: list[dict[str, Any]] = []
        skipped: list[str] = []
        for rec in latest.to_dict(orient="records"):
            pid = rec["candidate_id"]
            if pid in active or pid == source["person_id"]:
                skipped.append(pid)
                continue
            seen = pd.Timestamp(rec["candidate_checked_in_at"]).to_pydatetime()
            exposure = clock.local(seen).date()  # type: ignore[union-attr]
            ward = _int_or_none(rec.get("candidate_ward"))
            if ward is None or not geo.is_ward(ward):
                ward = int(source["ward_code"])
            # the check-in's own data (another app's record, not a form of ours)
            rows.append(
                {
                    **dict.fromkeys(ENROLMENT_INPUT),
                    "kind": "F1",
                    "person_id": pid,
                    "full_name": collapse_spaces(str(rec.get("candidate_name") or pid))[:100],
                    "phone": _phone_or_text(rec.get("candidate_phone")),
                    "ward_code": ward,
                    "province_code": geo.ward_province(ward) or 0,
                    "chronic": "",
                    "exposure_date": min(exposure, today),
                    "source_id": source["id"],
                }
            )
        ids = [new_id() for _ in rows]
        issued: dict[str, IssuedLink] = {}
        if rows:
            issued = insert_enrolments(
                _frame_of(rows, ids, principal.actor, s), principal, store=store
            )
            _notes(store, ids, principal.actor, "enrol", f"F1 <- {source['id']}")
    phones = {eid: str(rec["phone"]) for eid, rec in zip(ids, rows, strict=True)}
    return {
        "enrolled": ids,
        "skipped": skipped,
        "codes": {eid: issued[eid].code for eid in ids if eid in issued},
        "sms": _send_links(store, issued, phones),
    }


def _send_links(
    store: Store, issued: Mapping[str, IssuedLink], phones: Mapping[str, str]
) -> dict[str, str]:
    """Send each new monitoring link by SMS to its person (once per link: the outbox's
    dedupe key names the enrolment and the link); the status of each, by enrolment id."""
    from core.notify import NotifyError, send_sms

    out: dict[str, str] = {}
    for eid, link in issued.items():
        digest = hashlib.sha256(link.text.encode()).hexdigest()[:16]
        try:
            result = send_sms(
                phones.get(eid, ""),
                "hi.sms.link",
                kind="isolation_link",
                dedupe_key=f"hi.link:{eid}:{digest}",
                store=store,
                url=link.url,
            )
        except NotifyError:  # a landline, or a number that was never a phone
            out[eid] = "no_mobile"
            continue
        out[eid] = result.status
    if out:
        log.info("monitoring links by SMS: %s", dict(Counter(out.values())))
    return out


def _active_among(store: Store, person_ids: Sequence[str]) -> set[str]:
    """Those of ``person_ids`` who are enrolled right now."""
    if not person_ids:
        return set()
    rows = store.fetchall(
        "SELECT person_id FROM hi_active WHERE person_id IN (SELECT UNNEST(?::VARCHAR[]))",
        [sorted(set(person_ids))],
    )
    return {r[0] for r in rows}


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- the F1 follow-up calendar and the transmission chain (issue 17 item 3) -----------------
#
# Like Go.Data's follow-ups: each F1 has a status per day for ``f1_followup_days`` days after
# the last exposure. A day is ``reported`` (a report by the monitoring link), ``symptomatic``
# (a report with symptoms or a level above green), ``called`` (an outreach call that reached
# the person), ``missed`` (none of them, and the day is over), ``due`` (today, nothing yet),
# ``upcoming``, ``not_enrolled`` (before the enrolment) or ``ended`` (after release/transfer).
# A missed day opens an outreach task (``followup_events``, pulled by the outreach app's sync).

WORKER = "health_worker"
DAY_STATUSES: tuple[str, ...] = (
    "symptomatic",
    "reported",
    "called",
    "missed",
    "due",
    "upcoming",
    "not_enrolled",
    "ended",
)
_CAL_COLUMNS = (
    "id, person_id, full_name, phone, ward_code, kind, status, exposure_date, enrolled_at,"
    " released_at, transferred_at, source_id"
)


def _calls_by_day(principal: Principal, store: Store, person_ids: Sequence[str]) -> pd.DataFrame:
    """Outreach calls per person and local day (``attempts``, ``reached``), through the
    outreach app's ``attempts_of`` interface; empty when that app is not installed."""
    from core.registry import InterfaceError, get_registry

    empty = pd.DataFrame(
        {
            "person_id": pd.Series(dtype=str),
            "day": pd.Series(dtype="datetime64[ns]"),
            "attempts": pd.Series(dtype=int),
            "reached": pd.Series(dtype=bool),
        }
    )
    if not person_ids:
        return empty
    try:
        attempts_of = get_registry().interface("outreach", "attempts_of")
    except InterfaceError:
        return empty
    frame = attempts_of(principal, list(person_ids), store=store)
    if frame.empty:
        return empty
    frame = frame.assign(day=clock.local_times(frame["attempted_at"]).dt.normalize())
    return frame.groupby(["person_id", "day"], as_index=False).agg(
        attempts=("outcome", "size"), reached=("reached", "any")
    )


def _local_day_series(values: pd.Series) -> pd.Series:
    """Stored UTC times as local calendar days (midnight ``datetime64``; NaT stays NaT)."""
    return clock.local_times(values).dt.normalize()


def _day_grid(
    principal: Principal, store: Store, people: pd.DataFrame, s: IsolationSettings
) -> pd.DataFrame:
    """One row per F1 enrolment and follow-up day with its status (``DAY_STATUSES``), the
    reports of the day, their worst level and the calls. ``people``: ``_CAL_COLUMNS``.
    Vectorised: the outreach sync runs it over every F1 isolating in the city."""
    import numpy as np

    cols = ["id", "day_no", "day", "status", "reports", "level_rank", "attempts", "reached"]
    keep = [*cols, "person_id", "full_name", "phone", "ward_code"]
    if people.empty:
        return pd.DataFrame(columns=keep)
    today = pd.Timestamp(clock.today_local())
    n = s.f1_followup_days
    people = people.reset_index(drop=True)
    enrolled_day = _local_day_series(people["enrolled_at"])
    first = pd.to_datetime(people["exposure_date"]).fillna(enrolled_day)
    end_day = _local_day_series(people["released_at"]).fillna(
        _local_day_series(people["transferred_at"])
    )
    base = people.assign(first=first, enrolled_day=enrolled_day, end_day=end_day)
    grid = base.loc[base.index.repeat(n)].reset_index(drop=True)
    grid["day_no"] = np.tile(np.arange(1, n + 1), len(base))
    grid["day"] = grid["first"] + pd.to_timedelta(grid["day_no"], unit="D")
    reports = store.df(
        "SELECT r.enrolment_id AS id, CAST(r.measured_at + INTERVAL '7 hours' AS DATE) AS day,"
        " count(*) AS reports, max(r.level_rank) AS level_rank,"
        " bool_or(r.symptoms <> '' OR r.level_rank > 0) AS symptomatic"
        " FROM hi_reports r WHERE r.enrolment_id IN (SELECT UNNEST(?::VARCHAR[]))"
        " AND r.measured_at >= ?"
        " GROUP BY 1, 2",
        [base["id"].tolist(), local_midnight_utc(grid["day"].min().date())],
    )
    reports["day"] = pd.to_datetime(reports["day"])
    grid = grid.merge(reports, on=["id", "day"], how="left")
    calls = _calls_by_day(principal, store, sorted(set(base["person_id"])))
    grid = grid.merge(calls, on=["person_id", "day"], how="left")
    grid["reports"] = grid["reports"].fillna(0).astype(int)
    grid["attempts"] = grid["attempts"].fillna(0).astype(int)
    reached = grid["reached"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    sym = grid["symptomatic"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    day, end = grid["day"], grid["end_day"]
    reported = (grid["reports"] > 0).to_numpy()
    grid["status"] = np.select(
        [
            (day < grid["enrolled_day"]).to_numpy(),
            (end.notna() & (day > end)).to_numpy(),
            (day > today).to_numpy(),
            reported & sym,
            reported,
            reached,
            (end.notna() & (day == end)).to_numpy(),  # released or transferred that day
            (day == today).to_numpy(),
        ],
        ["not_enrolled", "ended", "upcoming", "symptomatic", "reported", "called", "ended",
         "due"],
        default="missed",
    )  # fmt: skip
    grid["day"] = grid["day"].dt.date
    return grid[keep]


def _f1_rows(store: Store, where: str, params: Sequence[Any]) -> pd.DataFrame:
    return store.df(
        f"SELECT {_CAL_COLUMNS} FROM hi_enrolments WHERE kind = 'F1' AND {where}",  # noqa: S608 - constant fragments
        list(params),
    )


def f1_calendar(
    principal: Principal, enrolment_id: str, *, store: Store | None = None
) -> pd.DataFrame:
    """An F1's follow-up calendar: one row per day (``day_no`` 1..``f1_followup_days`` after
    the last exposure) with its ``status`` (``DAY_STATUSES``), the reports of the day, their
    worst level and the outreach calls. Health officers; audited (a read of one person)."""
    require(principal, OFFICER)
    store = _store(store)
    row = _enrolment(store, enrolment_id)
    if row["kind"] != "F1":
        raise IsolationError("hi.err.not_f1")
    people = _f1_rows(store, "id = ?", [row["id"]])
    grid = _day_grid(principal, store, people, _settings())
    audit.record(principal, "isolation.calendar.read", "enrolment", row["id"], store=store)
    return grid.drop(columns=["person_id", "full_name", "phone", "ward_code"])


def f1_board(
    principal: Principal,
    *,
    ward_code: int | None = None,
    limit: int | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """The follow-up calendars of the F1s isolating now (in a ward, when given), most missed
    days first: one row per F1 with ``d1``..``dN`` (each day's status), ``missed`` and
    ``reported`` counts. Health officers; audited (how many)."""
    require(principal, OFFICER)
    store = _store(store)
    s = _settings()
    where, params = "status = 'isolating'", []
    if ward_code is not None:
        where += " AND ward_code = ?"
        params.append(int(ward_code))
    people = _f1_rows(
        store, where + " ORDER BY enrolled_at LIMIT ?", [*params, limit or s.board_limit]
    )
    grid = _day_grid(principal, store, people, s)
    audit.record(
        principal,
        "isolation.calendar.board",
        "enrolment",
        "-",
        {"count": len(people), "ward": ward_code},
        store=store,
    )
    if grid.empty:
        return pd.DataFrame(columns=["id", "full_name", "ward", "missed", "reported"])
    wide = grid.pivot(index="id", columns="day_no", values="status")
    wide.columns = [f"d{int(c)}" for c in wide.columns]
    counts = grid.groupby("id").agg(
        missed=("status", lambda x: int((x == "missed").sum())),
        reported=("status", lambda x: int(x.isin(["reported", "symptomatic", "called"]).sum())),
    )
    out = (
        people.set_index("id")[["full_name", "ward_code", "exposure_date"]]
        .join(counts)
        .join(wide)
        .reset_index()
    )
    out.insert(2, "ward", out["ward_code"].map(geo.ward_name))
    return out.sort_values(["missed", "id"], ascending=[False, True]).reset_index(drop=True)


def followup_events(
    principal: Principal, since: datetime, until: datetime, *, store: Store | None = None
) -> pd.DataFrame:
    """The F1 follow-up days missed in [since, until) (a day counts as missed at the local
    midnight that ends it), as outreach events (the outreach app's sync opens a task per
    person; ``event_key`` ``f1:<enrolment>:<day>`` is seen once). Health workers and
    officers; audited (counts)."""
    from core.forms.identity import person_key

    require(principal, OFFICER, WORKER)
    store = _store(store)
    s = _settings()
    lo, hi = clock.to_utc_naive(since), clock.to_utc_naive(until)
    first_day = (clock.local(lo) or lo).date() - timedelta(days=s.f1_followup_days + 1)
    people = _f1_rows(store, "status = 'isolating' AND exposure_date >= ?", [first_day])
    grid = _day_grid(principal, store, people, s)
    cols = ["kind", "event_key", "person_key", "person_id", "full_name", "phone", "ward_code",
            "lang", "level", "reasons", "event_at", "venue_name"]  # fmt: skip
    if grid.empty:
        return pd.DataFrame(columns=cols)
    missed = grid[grid["status"] == "missed"].copy()
    missed["event_at"] = [local_midnight_utc(d + timedelta(days=1)) for d in missed["day"]]
    missed = missed[(missed["event_at"] >= lo) & (missed["event_at"] < hi)]
    events = pd.DataFrame(
        {
            "kind": "followup",
            "event_key": [
                f"f1:{i}:{d.isoformat()}" for i, d in zip(missed["id"], missed["day"], strict=True)
            ],
            "person_key": missed["person_id"].map(person_key).astype("int64"),
            "person_id": missed["person_id"],
            "full_name": missed["full_name"],
            "phone": missed["phone"],
            "ward_code": missed["ward_code"].astype("int64"),
            "lang": "vi",
            "level": "yellow",
            "reasons": "f1_missed_day",
            "event_at": pd.to_datetime(missed["event_at"]),
            "venue_name": "",
        },
        columns=cols,
    )
    audit.record(
        principal,
        "isolation.followup_events",
        "enrolment",
        "window",
        {"since": lo, "until": hi, "rows": len(events)},
        store=store,
    )
    return events.reset_index(drop=True)


def chain_sources(
    principal: Principal, *, limit: int = 300, store: Store | None = None
) -> pd.DataFrame:
    """F0s to start a transmission chain from, those with the most linked F1s first (then
    the newest): ``id``, ``full_name``, ``status``, ``enrolled_at``, ``contacts``. Health
    officers; audited (how many)."""
    require(principal, OFFICER)
    store = _store(store)
    frame = store.df(
        "SELECT e.id, e.full_name, e.status, e.enrolled_at, count(c.id) AS contacts"
        " FROM hi_enrolments e LEFT JOIN hi_enrolments c ON c.source_id = e.id"
        " WHERE e.kind = 'F0' GROUP BY e.id, e.full_name, e.status, e.enrolled_at"
        " ORDER BY contacts DESC, e.enrolled_at DESC, e.id LIMIT ?",
        [max(1, min(int(limit), 5000))],
    )
    audit.record(
        principal, "isolation.chain.sources", "enrolment", "-", {"count": len(frame)}, store=store
    )
    return frame


def transmission_chain(
    principal: Principal, enrolment_id: str, *, max_depth: int = 6, store: Store | None = None
) -> pd.DataFrame:
    """The transmission chain around an enrolment: from its first known F0 (climbing from an
    F1 to the F0 it was traced from, and from an F0 to the F1 enrolment that person had
    before) down through every F1 linked to each F0 (tracing or the enrolment form) and every
    F1 who later became an F0. One row per link: ``parent_id``, ``id``, ``kind``,
    ``full_name``, ``status``, ``enrolled_at``, ``depth``, ``link`` (``root`` | ``contact`` |
    ``became_f0``). Health officers; audited."""
    require(principal, OFFICER)
    store = _store(store)
    start = _enrolment(store, enrolment_id)
    root = start
    for _ in range(max_depth):
        parent = None
        if root["kind"] == "F1" and root["source_id"]:
            parent = _enrolment(store, root["source_id"])
        elif root["kind"] == "F0":
            earlier = store.records(
                "SELECT * FROM hi_enrolments WHERE kind = 'F1' AND person_id = ?"
                " AND enrolled_at <= ? AND source_id IS NOT NULL ORDER BY enrolled_at DESC LIMIT 1",
                [root["person_id"], root["enrolled_at"]],
            )
            parent = earlier[0] if earlier else None
        if parent is None or parent["id"] == root["id"]:
            break
        root = parent
    cols = ["parent_id", "id", "kind", "full_name", "status", "enrolled_at", "depth", "link"]
    rows = [[None, root["id"], root["kind"], root["full_name"], root["status"],
             root["enrolled_at"], 0, "root"]]  # fmt: skip
    seen = {root["id"]}
    frontier = [root]
    for depth in range(1, max_depth + 1):
        ids = [r["id"] for r in frontier if r["kind"] == "F0"]
        f1_people = [r for r in frontier if r["kind"] == "F1"]
        found: list[dict[str, Any]] = []
        if ids:
            for child in store.records(
                "SELECT id, kind, full_name, status, enrolled_at, source_id, person_id"
                " FROM hi_enrolments WHERE list_contains(?, source_id)"
                " ORDER BY enrolled_at, id",
                [ids],
            ):
                found.append({**child, "parent_id": child["source_id"], "link": "contact"})
        for f1 in f1_people:
            for later in store.records(
                "SELECT id, kind, full_name, status, enrolled_at, source_id, person_id"
                " FROM hi_enrolments WHERE kind = 'F0' AND person_id = ? AND enrolled_at >= ?"
                " ORDER BY enrolled_at LIMIT 1",
                [f1["person_id"], f1["enrolled_at"]],
            ):
                found.append({**later, "parent_id": f1["id"], "link": "became_f0"})
        frontier = []
        for child in found:
            if child["id"] in seen:
                continue
            seen.add(child["id"])
            rows.append([child["parent_id"], child["id"], child["kind"], child["full_name"],
                         child["status"], child["enrolled_at"], depth, child["link"]])  # fmt: skip
            frontier.append(child)
        if not frontier:
            break
    audit.record(
        principal,
        "isolation.chain.read",
        "enrolment",
        start["id"],
        {"root": root["id"], "links": len(rows)},
        store=store,
    )
    return pd.DataFrame(rows, columns=cols)


# -- analytics and stats ------------------------------------------------------------------------


def active_by_ward(principal: Principal, *, store: Store | None = None) -> pd.DataFrame:
    """Active (isolating) F0 and F1 per ward."""
    require(principal, OFFICER)
    frame = _store(store).df(
        "SELECT ward_code, count(*) FILTER (WHERE kind = 'F0') AS f0,"
        " count(*) FILTER (WHERE kind = 'F1') AS f1 FROM hi_enrolments"
        " WHERE status = 'isolating' GROUP BY ward_code ORDER BY count(*) DESC"
    )
    frame.insert(1, "ward", frame["ward_code"].map(geo.ward_name))
    return frame


def per_day(principal: Principal, *, days: int = 14, store: Store | None = None) -> pd.DataFrame:
    """New F0, new F1 and releases per local day, the last ``days`` days."""
    require(principal, OFFICER)
    start = local_midnight_utc(clock.today_local() - timedelta(days=days - 1))
    return _store(store).df(
        "WITH ev AS ("
        " SELECT CAST(enrolled_at + INTERVAL '7 hours' AS DATE) AS day, kind AS what"
        " FROM hi_enrolments WHERE enrolled_at >= ?"
        " UNION ALL SELECT CAST(released_at + INTERVAL '7 hours' AS DATE), 'released'"
        " FROM hi_enrolments WHERE released_at >= ?)"
        " SELECT day, count(*) FILTER (WHERE what = 'F0') AS new_f0,"
        " count(*) FILTER (WHERE what = 'F1') AS new_f1,"
        " count(*) FILTER (WHERE what = 'released') AS released"
        " FROM ev GROUP BY day ORDER BY day",
        [start, start],
    )


def open_alerts_summary(principal: Principal, *, store: Store | None = None) -> pd.DataFrame:
    """Open alerts per kind with their age in hours (median and oldest)."""
    require(principal, OFFICER)
    store = _store(store)
    refresh_missed(store=store)
    frame = store.df(
        "SELECT kind, count(*) AS open_alerts, percentile_cont(0.5) WITHIN GROUP"
        " (ORDER BY CAST(EXTRACT(EPOCH FROM ? - opened_at) AS DOUBLE PRECISION)) / 3600"
        " AS median_age_hours,"
        " max(CAST(EXTRACT(EPOCH FROM ? - opened_at) AS DOUBLE PRECISION)) / 3600"
        " AS oldest_age_hours"
        " FROM hi_alerts WHERE acknowledged_at IS NULL AND resolved_at IS NULL"
        " GROUP BY kind ORDER BY kind",
        [clock.utcnow_naive(), clock.utcnow_naive()],
    )
    ages = ["median_age_hours", "oldest_age_hours"]
    frame[ages] = frame[ages].astype(float).round(1)
    return frame


def totals(principal: Principal, *, store: Store | None = None) -> dict[str, int]:
    require(principal, OFFICER)
    return stats(_store(store))


def stats(store: Store) -> dict[str, int]:
    """For ``rapid stats``: active F0/F1, in hospital, released, open alerts (by kind)."""
    refresh_missed(store=store)
    row = store.fetchone(
        "SELECT count(*) FILTER (WHERE status = 'isolating' AND kind = 'F0'),"
        " count(*) FILTER (WHERE status = 'isolating' AND kind = 'F1'),"
        " count(*) FILTER (WHERE status = 'hospital'),"
        " count(*) FILTER (WHERE status = 'released') FROM hi_enrolments"
    ) or (0, 0, 0, 0)
    alerts = dict(
        store.fetchall(
            "SELECT kind, count(*) FROM hi_alerts WHERE acknowledged_at IS NULL"
            " AND resolved_at IS NULL GROUP BY kind"
        )
    )
    return {
        "active_f0": int(row[0] or 0),
        "active_f1": int(row[1] or 0),
        "in_hospital": int(row[2] or 0),
        "released": int(row[3] or 0),
        "open_alerts": int(sum(alerts.values())),
        "open_alerts_red": int(alerts.get("red", 0)),
        "open_alerts_missed": int(alerts.get("missed", 0)),
        "open_alerts_worsening": int(alerts.get("worsening", 0)),
    }


# -- the staff home page ------------------------------------------------------------------------

_WORK_PAGES = ("home_isolation.board", "outreach.today")
"""Where a pile of isolation work is dealt with, the first one the principal may open."""


def _work_page(principal: Principal) -> str | None:
    from core.registry import get_registry

    registry = get_registry()
    for key in _WORK_PAGES:
        page = registry.page(key)
        if page is not None and page.allows(principal.roles):
            return key
    return None


def _area_clause(principal: Principal) -> tuple[str, list[Any]] | None:
    """The enrolments the principal looks after, as a SQL condition on ``e``: everywhere, or
    the wards (or province) of their grant; None when they hold neither role."""
    clauses: list[str] = []
    params: list[Any] = []
    for role in (OFFICER, WORKER):
        if not principal.has(role):
            continue
        area = principal.area(role)
        if area is None:
            return "TRUE", []
        column = "e.ward_code" if area.kind == "ward" else "e.province_code"
        clauses.append(f"{column} = ?")
        params.append(int(area.code))
    if not clauses:
        return None
    return "(" + " OR ".join(clauses) + ")", params


def pending_work(
    principal: Principal | None, *, store: Store | None = None
) -> list[tuple[str, int, str]]:
    """What ``principal`` must act on, for the staff home page: (message key, count, page key)
    for each non-empty pile. Health officers and ward health workers: the open alerts (a red
    or worsening report, not yet acknowledged) and the people whose daily report is missing,
    within the area of their grant. Any other role: nothing (an empty list)."""
    if principal is None or not principal.has(OFFICER, WORKER):
        return []
    require(principal, OFFICER, WORKER)
    scope = _area_clause(principal)
    page = _work_page(principal)
    if scope is None or page is None:
        return []
    store = _store(store)
    refresh_missed(store=store)
    where, params = scope
    row = store.fetchone(
        "SELECT count(*) FILTER (WHERE a.kind <> 'missed'),"  # noqa: S608 - constant fragments
        " count(DISTINCT e.id) FILTER (WHERE a.kind = 'missed')"
        " FROM hi_alerts a JOIN hi_enrolments e ON e.id = a.enrolment_id"
        " WHERE a.acknowledged_at IS NULL AND a.resolved_at IS NULL"
        f" AND e.status = 'isolating' AND {where}",
        params,
    )
    alerts, missed = (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)
    work = [("hi.pending.alerts", alerts, page), ("hi.pending.missed", missed, page)]
    return [w for w in work if w[1] > 0]


__all__ = [
    "IsolationError",
    "CodeRefused",
    "IssuedLink",
    "LinkRefused",
    "LinkView",
    "ReportResult",
    "acknowledge",
    "active_by_ward",
    "add_note",
    "assign",
    "board",
    "enroll",
    "enroll_contacts",
    "enroll_f0",
    "enroll_f1",
    "enrolment",
    "enrollment_or_none",
    "f1_board",
    "f1_calendar",
    "followup_events",
    "find",
    "chain_sources",
    "check_link",
    "monitoring_link",
    "new_link",
    "needs_negative_test",
    "open_alerts_summary",
    "open_link",
    "pending_work",
    "per_day",
    "person_alerts",
    "person_notes",
    "person_reports",
    "release",
    "release_form_for",
    "repeated_report",
    "session_enrolment",
    "submit_report",
    "totals",
    "trace_candidates",
    "trace_window",
    "transfer_form_for",
    "transmission_chain",
    "transfer_to_hospital",
    "unlock",
]
