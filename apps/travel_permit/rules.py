"""The checkpoint rule for TP1: permits. Signature, key, validity window and revocation are
checked by the token core before this runs; the rule checks what only the app knows: the daily
hours (Asia/Ho_Chi_Minh) and whether the checkpoint's ward is one of the permit's zones, as
CertLogic data (``check``, a ``core.qr.rulesets.RuleSet``) that the phone scanner evaluates
too. It
shows the holder, zones, hours and, from the checkpoint's context, until when the permit is
valid (Vietnam time). Labels: ``tp.token.field.*`` and ``tp.token.reason.*``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core import clock, geo
from core.qr.rulesets import FieldSpec, RuleSet
from core.registry import CheckContext
from core.rules import Rule


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
    if valid_until is not None:
        out["valid_until"] = clock.fmt_local(valid_until)
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

check = RuleSet(
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
        FieldSpec("valid_until", "@valid_until", "epoch_local"),
    ),
    server_fields=_server_fields,
)
"""VALID inside the daily hours and an allowed zone (ctx.zone None: zone not checked)."""
