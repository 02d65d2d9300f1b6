"""The checkpoint rule for TP1: permits. Signature, key, validity window and revocation are
checked by the token core before this runs; the rule checks what only the app knows: the daily
hours (Asia/Ho_Chi_Minh) and whether the checkpoint's ward is one of the permit's zones. It
shows the holder, zones, hours and, from the checkpoint's context, until when the permit is
valid (Vietnam time). Labels: ``tp.token.field.*`` and ``tp.token.reason.*``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core import clock, geo
from core.registry import CheckContext, RuleResult


def _minute_of_day(now: datetime) -> int:
    local = clock.local(now)
    return local.hour * 60 + local.minute  # type: ignore[union-attr]


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


def check(claims: dict[str, Any], ctx: CheckContext) -> RuleResult:
    """VALID inside the daily hours and an allowed zone (ctx.zone None: zone not checked)."""
    try:
        shown = fields(claims, ctx.valid_until)
        hours = claims["h"]
        start, end = int(hours[0]), int(hours[1])
        zones = {int(w) for w in claims["w"]}
    except (KeyError, TypeError, ValueError, IndexError):
        return RuleResult("INVALID", "BAD_CLAIMS", {})
    if not within_hours(_minute_of_day(ctx.now), start, end):
        return RuleResult("INVALID", "OUTSIDE_HOURS", shown)
    if ctx.zone is not None and str(ctx.zone).strip():
        zone = _int(str(ctx.zone).strip())
        if zone is None or zone not in zones:
            return RuleResult("INVALID", "ZONE_NOT_ALLOWED", shown)
    return RuleResult("VALID", "VALID", shown)
