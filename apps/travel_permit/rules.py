"""The checkpoint rule for TP1: permits. Signature, key, validity window and revocation are
checked by the token core before this runs; the rule checks what only the app knows: the daily
hours (Asia/Ho_Chi_Minh) and whether the checkpoint's ward is one of the permit's zones, as
CertLogic data (``check``, a ``core.qr.rulesets.RuleSet``) that the phone scanner evaluates
too. It
shows the holder, zones, hours and, from the checkpoint's context, until when the permit is
valid (Vietnam time). Labels: ``tp.token.field.*`` and ``tp.token.reason.*``.

On the server the rule also asks who holds the permit (issue 17): the claims carry only the
last 4 CCCD digits, so the holder is resolved from the verified token id (permit id ->
``tp_permits.cccd`` -> person key) and read in ``core.risk``; a holder on the isolation
register is refused with ``HOLDER_ISOLATING``. A process without the server's database (an
offline station, the phone scanner evaluating ``check.to_json()``) cannot know the register:
it gives the data rules' verdict alone. A failing lookup on the server answers WARN
``HOLDER_UNCHECKED`` ("ask the centre") rather than a VALID it cannot vouch for."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from core import clock, geo
from core.qr.rulesets import FieldSpec, RuleSet, last_day
from core.registry import CheckContext, RuleResult
from core.rules import Rule

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

HOLDER_ISOLATING = "HOLDER_ISOLATING"
HOLDER_UNCHECKED = "HOLDER_UNCHECKED"


def within_hours(minute: int, start: int, end: int) -> bool:
    """Inside [start, end) minutes of the day; a window past midnight (start > end) wraps."""
    if start <= end:
        return start <= minute < end
    return minute >= start or minute < end


def hhmm(minute: int) -> str:
    """Minute of the day as 'HH:MM'."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def hours_label(start_minute: int, end_minute: int) -> str:
    """Daily hours as 'HH:MM–HH:MM'."""
    return f"{hhmm(start_minute)}–{hhmm(end_minute)}"


def period_label(start: date, end: date) -> str:
    """A request's or a permit's validity, written one way everywhere (pages, tables, cards,
    the public permit page): its first and last local days, ``01/12/2026 – 14/12/2026``."""
    return f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"


def window_days(valid_from: datetime, valid_until: datetime) -> tuple[date, date]:
    """The first and last local days of a stored UTC validity window [from, until) (local
    midnight to the local midnight after the last day)."""
    first = clock.local(clock.as_utc(valid_from))
    last = clock.local(clock.as_utc(valid_until) - timedelta(microseconds=1))
    assert first is not None and last is not None
    return first.date(), last.date()


def window_label(valid_from: datetime, valid_until: datetime) -> str:
    """A permit's stored UTC validity window as ``period_label``."""
    return period_label(*window_days(valid_from, valid_until))


def window_labels(valid_from: pd.Series, valid_until: pd.Series) -> pd.Series:
    """``window_label`` for whole columns of stored UTC windows (a permits table), at once."""
    import pandas as pd  # pages and exports only: the checkpoint's rules stay light

    first = clock.local_times(valid_from).dt.strftime("%d/%m/%Y")
    last = clock.local_times(valid_until) - pd.Timedelta(microseconds=1)
    return first + " – " + last.dt.strftime("%d/%m/%Y")


def fields(claims: dict[str, Any], valid_until: datetime | None = None) -> dict[str, str]:
    """What the checkpoint shows; ``valid_until`` is the token's expiry (CheckContext)."""
    cccd = str(claims.get("c", ""))
    out = {
        "name": str(claims.get("n", "")),
        "cccd": "*" * 8 + cccd if len(cccd) == 4 else cccd,  # new permits carry the last 4
        "business": str(claims.get("b", "")),  # permits issued before carry the tax code
        "zones": ", ".join(
            geo.ward_name(int(w)) for w in claims.get("w", []) if _int(w) is not None
        ),
    }
    hours = claims.get("h")
    if isinstance(hours, list | tuple) and len(hours) == 2:
        out["hours"] = hours_label(int(hours[0]), int(hours[1]))
    if valid_until is not None:  # the last valid day, as the permit's window reads everywhere
        out["valid_until"] = last_day(valid_until)
    return out


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _server_fields(claims: dict[str, Any], ctx: CheckContext) -> dict[str, str]:
    return fields(claims, ctx.valid_until)


_MINUTE = {"var": "external.minute"}
_START = {"var": "payload.h.0"}
_END = {"var": "payload.h.1"}
_ZONE = {"var": "external.zone"}

HOURS_LOGIC: Any = {
    "if": [
        {"<=": [_START, _END]},
        {"and": [{"<=": [_START, _MINUTE]}, {"<": [_MINUTE, _END]}]},
        {"!": [{"and": [{"<": [_MINUTE, _START]}, {"<=": [_END, _MINUTE]}]}]},
    ]
}
"""Inside [start, end) minutes of the local day; a window past midnight (start > end) wraps."""
ZONE_LOGIC: Any = {"if": [_ZONE, {"in": [_ZONE, {"var": "payload.w"}]}, True]}
"""The checkpoint's ward is one of the permit's (a checkpoint without a zone checks none)."""


def holder_status(token_id: str | None) -> Any:
    """The ``core.risk`` status of the holder of the permit ``token_id`` (the permit id is
    the token id), ``None`` when this process has no database (offline) or the token is no
    permit of ours. Raises on a failing lookup (the caller answers WARN)."""
    from core import risk
    from core.store import current_store

    store = current_store()
    if store is None or not token_id:
        return None
    row = store.fetchone("SELECT cccd FROM tp_permits WHERE permit_id = ?", [str(token_id)[:64]])
    if row is None or not row[0]:
        return None
    return risk.status(str(row[0]), store=store)


@dataclass(frozen=True)
class PermitRuleSet(RuleSet):
    """The permit's data rules (shared with the phone) and, on the server, the holder's
    isolation (``holder_status``): INVALID ``HOLDER_ISOLATING`` when the holder is F0/F1 on the
    register. Only a permit that passes the data rules is looked up."""

    def __call__(self, claims: dict[str, Any], ctx: CheckContext) -> RuleResult:
        result = super().__call__(claims, ctx)
        if result.verdict == "INVALID":
            return result
        try:
            status = holder_status(ctx.token_id)
        except Exception as exc:  # noqa: BLE001 - a checkpoint must answer, not crash
            log.warning("holder check of permit failed: %s", type(exc).__name__)
            return RuleResult("WARN", HOLDER_UNCHECKED, result.fields)
        if status is not None and status.isolating:
            return RuleResult("INVALID", HOLDER_ISOLATING, result.fields)
        return result


check = PermitRuleSet(
    "TP",
    claims={"n": "str", "c": "str", "w": "int[]", "h": "int[2]", "b": "str"},
    optional=("n", "c", "b"),
    rules=(
        Rule(
            "TP-HOURS",
            HOURS_LOGIC,
            "OUTSIDE_HOURS",
            "Ngoài giờ được phép đi lại của giấy",
            "Outside the permit's daily hours",
        ),
        Rule(
            "TP-ZONE",
            ZONE_LOGIC,
            "ZONE_NOT_ALLOWED",
            "Giấy không cho phép đi vào phường/xã của chốt này",
            "The permit does not cover this checkpoint's ward",
        ),
    ),
    fields=(
        FieldSpec("name", "n"),
        FieldSpec("cccd", "c", "masked_id"),
        FieldSpec("business", "b"),
        FieldSpec("zones", "w", "wards"),
        FieldSpec("hours", "h", "hours"),
        FieldSpec("valid_until", "@valid_until", "last_day"),
    ),
    server_fields=_server_fields,
)
"""VALID inside the daily hours and an allowed zone (ctx.zone None: zone not checked)."""
