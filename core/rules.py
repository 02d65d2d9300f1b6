"""Checkpoint rules as data: CertLogic rules a checkpoint evaluates on a verified token's claims.

A token type's rule is a list of ``Rule``s (the EU DCC business-rule shape: an id, CertLogic
logic that is ``true`` when the token passes, the reason code and words shown when it does not,
and a severity). ``evaluate(rules, claims, ctx)`` gives the checkpoint's ``RuleResult``: VALID
when every rule passes, else the first failing INVALID rule's reason, else (only WARN rules
failed) the first failing WARN rule's reason.

The CertLogic data a rule sees is ``context(claims, ctx)``: ``{"payload": claims, "external":
{...}}``. Every value in ``external`` is computed from ``ctx`` the same way on every verifier
(server or phone), the local ones in Asia/Ho_Chi_Minh (UTC+07:00, no daylight saving time since
1975) from ``validationClock`` (the check time, truncated to the millisecond).

``compile_condition(kind, value, claims=...)`` turns a condition an officer declares in a
spreadsheet into CertLogic (kinds: weekdays, odd_even_day, zones, checkpoints, hours, once);
anything else is refused with a ``ConditionError`` naming the bad part. See docs/RULES.md.

Signature, key, validity window and revocation are checked by the token core before any rule.
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from core import certlogic
from core.clock import LOCAL_TZ
from core.registry import CheckContext, RuleResult

log = logging.getLogger(__name__)

Severity = Literal["INVALID", "WARN"]
SEVERITIES: tuple[str, ...] = ("INVALID", "WARN")
VALID_REASON = "VALID"
"""The reason of a VALID verdict."""
KINDS: tuple[str, ...] = ("weekdays", "odd_even_day", "zones", "checkpoints", "hours", "once")
PARITY_SUFFIX = "_parity"
"""The claim ``<key>_parity`` carries ``"odd"``/``"even"`` of the number in claim ``<key>``."""

_RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_REASON = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,59}")  # as core.registry checks reason codes
_CLAIM_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MAX_CLAIM_DEPTH = 32


class ConditionError(ValueError):
    """A declared condition that cannot be compiled; the message names the bad part."""


@dataclass(frozen=True)
class Rule:
    """One business rule, as in the EU's rule format. ``logic`` is CertLogic that evaluates to
    ``true`` when the token passes; ``reason`` (a code the token type declares) and
    ``text_vi``/``text_en`` say why it did not. ``shows``: claim names the verdict card shows."""

    id: str
    logic: Any
    reason: str
    text_vi: str
    text_en: str
    severity: Severity = "INVALID"
    shows: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _RULE_ID.fullmatch(self.id):
            raise ValueError(f"rule id {self.id!r}: letters, digits, '_', '.', '-' (max 64)")
        if not isinstance(self.reason, str) or not _REASON.fullmatch(self.reason):
            raise ValueError(
                f"rule {self.id}: reason {self.reason!r} must be a code like WRONG_DAY"
            )
        if self.severity not in SEVERITIES:
            raise ValueError(f"rule {self.id}: severity must be INVALID or WARN")
        for lang, text in (("vi", self.text_vi), ("en", self.text_en)):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"rule {self.id}: the {lang} text is empty")
        shows = (self.shows,) if isinstance(self.shows, str) else tuple(self.shows)
        if not all(isinstance(name, str) and name for name in shows):
            raise ValueError(f"rule {self.id}: shows must be claim names")
        object.__setattr__(self, "shows", shows)
        problems = certlogic.validate(self.logic)
        if problems:
            raise ValueError(f"rule {self.id}: {problems[0]}")

    def text(self, locale: str) -> str:
        """The reason in words, in ``locale`` (vi or en)."""
        return self.text_en if locale == "en" else self.text_vi


# -- the data a rule sees -----------------------------------------------------------------------


def _utc_ms(value: datetime) -> datetime:
    """Aware UTC, truncated to the millisecond (naive values are taken as UTC)."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    utc = aware.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def iso(value: datetime | None) -> str | None:
    """A time as CertLogic data: UTC, milliseconds, ``Z`` — JavaScript's ``toISOString()``."""
    if value is None:
        return None
    t = _utc_ms(value)
    return (
        f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
        f".{t.microsecond // 1000:03d}Z"
    )


def _zone(zone: str | None) -> int | str | None:
    """The checkpoint's ward code as an int; None when it has none; other text as it is (it
    then matches no list of ward codes)."""
    text = "" if zone is None else str(zone).strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else text


def _json(value: Any, depth: int = 0) -> Any:
    """Claims as JSON values: string keys, lists for tuples, text for other scalars."""
    if depth > _MAX_CLAIM_DEPTH:
        raise ValueError("the claims are nested too deeply")
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {str(k): _json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v, depth + 1) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def context(claims: dict, ctx: CheckContext, *, used: bool = False) -> dict:
    """The CertLogic data: {"payload": claims, "external": {...}} where external holds
    validationClock (ISO 8601 of ctx.now), valid_from/valid_until (ISO or None), token_id,
    zone (int ward code or None), checkpoint (str or None), mode, and values every verifier
    computes the same way in Asia/Ho_Chi_Minh local time from validationClock: weekday (ISO,
    1=Monday..7=Sunday), day (1-31), day_parity ("odd"/"even"), minute (0-1439 minutes after
    local midnight), date ("YYYY-MM-DD" local); and used (bool: the token was already used
    where a rule needs "once")."""
    local = _utc_ms(ctx.now).astimezone(LOCAL_TZ)
    checkpoint = None if ctx.checkpoint_id in (None, "") else str(ctx.checkpoint_id)
    return {
        "payload": _json(claims),
        "external": {
            "validationClock": iso(ctx.now),
            "valid_from": iso(ctx.valid_from),
            "valid_until": iso(ctx.valid_until),
            "token_id": ctx.token_id,
            "zone": _zone(ctx.zone),
            "checkpoint": checkpoint,
            "mode": ctx.mode,
            "weekday": local.isoweekday(),
            "day": local.day,
            "day_parity": "odd" if local.day % 2 else "even",
            "minute": local.hour * 60 + local.minute,
            "date": local.date().isoformat(),
            "used": bool(used),
        },
    }


# -- verdicts -----------------------------------------------------------------------------------


def passes(rule: Rule, data: Any) -> bool:
    """Whether ``rule`` passes on ``data``: its logic evaluates to ``true`` exactly. Any other
    value, and an evaluation error (the EU's advice), is a failure."""
    try:
        return certlogic.evaluate(rule.logic, data) is True
    except certlogic.CertLogicError as exc:
        log.warning("rule %s could not be evaluated: %s", rule.id, exc)
        return False


def _shown(rules: Sequence[Rule], claims: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in (n for rule in rules for n in rule.shows):
        value = claims.get(name)
        if name in out or value is None:
            continue
        if isinstance(value, list | tuple):
            out[name] = ", ".join(str(v) for v in value)
        else:
            out[name] = str(value)
    return out


def evaluate(
    rules: Sequence[Rule], claims: dict, ctx: CheckContext, *, used: bool = False
) -> RuleResult:
    """VALID when every rule passes; else the first failing INVALID rule's reason (WARN when
    only WARN rules fail); RuleResult.fields as the core's RuleResult expects."""
    fields = _shown(rules, claims) if isinstance(claims, Mapping) else {}
    try:
        data: Any = context(claims, ctx, used=used)
    except ValueError as exc:  # claims no rule can read: every rule fails
        log.warning("claims could not be read by the rules: %s", exc)
        data = None
    warning: Rule | None = None
    for rule in rules:
        if data is not None and passes(rule, data):
            continue
        if rule.severity == "INVALID":
            return RuleResult("INVALID", rule.reason, fields)
        warning = warning or rule
    if warning is not None:
        return RuleResult("WARN", warning.reason, fields)
    return RuleResult("VALID", VALID_REASON, fields)


# -- declared conditions ------------------------------------------------------------------------


def parity(number: int | str) -> str:
    """``"odd"`` or ``"even"`` of a whole number (an int, or ASCII digits such as a household
    number "0127"): what the issuer writes into the ``<key>_parity`` claim."""
    if isinstance(number, str) and number.strip().isascii() and number.strip().isdigit():
        number = int(number.strip())
    if isinstance(number, bool) or not isinstance(number, int):
        raise ValueError(f"{number!r} is not a whole number")
    return "odd" if number % 2 else "even"


def parity_claim(key: str) -> str:
    """The claim key carrying the parity of the number in claim ``key``."""
    return f"{key}{PARITY_SUFFIX}"


def _plain(text: str) -> str:
    """Lower case, no diacritics (đ -> d), no spaces or dots: 'Thứ 2' -> 'thu2'."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s.]+", "", bare.lower())


_WEEKDAYS: dict[str, int] = {}
for _iso_day, _names in enumerate(
    (
        ("mon", "monday", "t2", "thu2", "thuhai"),
        ("tue", "tues", "tuesday", "t3", "thu3", "thuba"),
        ("wed", "wednesday", "t4", "thu4", "thutu"),
        ("thu", "thur", "thurs", "thursday", "t5", "thu5", "thunam"),
        ("fri", "friday", "t6", "thu6", "thusau"),
        ("sat", "saturday", "t7", "thu7", "thubay"),
        ("sun", "sunday", "cn", "chunhat"),
    ),
    start=1,
):
    _WEEKDAYS.update(dict.fromkeys(_names, _iso_day))
_DASH = re.compile(r"\s*[-–—]\s*")
_LIST_SEP = re.compile(r"[,;]")


def _items(value: str, separators: re.Pattern[str] = _LIST_SEP) -> list[str]:
    return [part.strip() for part in separators.split(value) if part.strip()]


def _weekday(word: str) -> int:
    plain = _plain(word)
    if plain.isdigit():
        raise ConditionError(f"{word!r} is ambiguous: write a day name (mon, T2, CN), not a number")
    if plain == "thu" and not word.isascii():
        raise ConditionError(f"{word!r} needs its number: Thứ 2 ... Thứ 7, or CN")
    if plain not in _WEEKDAYS:
        raise ConditionError(
            f"{word!r} is not a day of the week (mon..sun, T2..T7, CN, Thứ 2, Chủ nhật)"
        )
    return _WEEKDAYS[plain]


def _weekdays(value: str) -> list[int]:
    days: set[int] = set()
    for part in _items(value):
        ends = _DASH.split(part)
        if len(ends) == 1:
            days.add(_weekday(part))
        elif len(ends) == 2 and all(ends):
            first, last = _weekday(ends[0]), _weekday(ends[1])
            days.update((first - 1 + i) % 7 + 1 for i in range((last - first) % 7 + 1))
        else:
            raise ConditionError(f"{part!r} is not a day or a range of days like T2-T6")
    if not days:
        raise ConditionError("no day given: write e.g. mon,wed,fri or T2,T4,T6 or T2-T6")
    return sorted(days)


_CLOCK = re.compile(r"(\d{1,2})(?:\s*[:hH.]\s*(\d{2})?)?", re.ASCII)


def _minute(text: str, *, end: bool) -> int:
    found = _CLOCK.fullmatch(text.strip())
    if not found:
        raise ConditionError(f"{text.strip()!r} is not a time of day like 06:00 or 6h30")
    hour, minute = int(found[1]), int(found[2] or 0)
    if minute > 59 or hour > 24 or (hour == 24 and (minute or not end)):
        raise ConditionError(f"{text.strip()!r} is not a time of day (00:00 to 24:00)")
    return hour * 60 + minute


_MINUTE = {"var": "external.minute"}


def _window(part: str) -> Any:
    ends = _DASH.split(part)
    if len(ends) != 2 or not all(ends):
        raise ConditionError(f"{part!r} is not a time window like 06:00-18:00")
    start, end = _minute(ends[0], end=False), _minute(ends[1], end=True)
    if start == end:
        raise ConditionError(
            f"{part!r} starts when it ends: for the whole day leave the condition out"
        )
    if start < end:
        return {"and": [{"<=": [start, _MINUTE]}, {"<": [_MINUTE, end]}]}
    # across midnight: from start until midnight, or from midnight until end
    return {"if": [{"<=": [start, _MINUTE]}, True, {"<": [_MINUTE, end]}]}


def _hours(value: str) -> Any:
    windows = [_window(part) for part in _items(value)]
    if not windows:
        raise ConditionError("no time window given: write e.g. 06:00-18:00 or 22:00-05:00")
    logic = windows[-1]
    for window in reversed(windows[:-1]):
        logic = {"if": [window, True, logic]}
    return logic


def _claim_key(name: str, claims: Mapping[str, str]) -> str | None:
    """The payload key of claim ``name`` (None when ``name`` is not a claim)."""
    if name not in claims:
        return None
    key = claims[name]
    if not isinstance(key, str) or not _CLAIM_KEY.fullmatch(key):
        raise ConditionError(
            f"claim {name!r} maps to {key!r}, which is not a claim key (letters, digits, _ -)"
        )
    return key


def _not_a_claim(name: str, claims: Mapping[str, str], what: str) -> ConditionError:
    close = difflib.get_close_matches(name, list(claims), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    known = ", ".join(sorted(claims)) or "none"
    return ConditionError(f"{name!r} is not {what} (this app's claims: {known}){hint}")


def _in_claim(external: str, key: str) -> Any:
    """``external.<name>`` is in the list claim ``key`` (false when the claim is missing)."""
    claim = {"var": f"payload.{key}"}
    return {"if": [claim, {"in": [{"var": f"external.{external}"}, claim]}, False]}


_WARD = re.compile(r"[0-9]{1,5}")
_CHECKPOINT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


def _zones(value: str, claims: Mapping[str, str]) -> Any:
    key = _claim_key(value, claims)
    if key is not None:
        return _in_claim("zone", key)
    codes: list[int] = []
    for part in _items(value, re.compile(r"[,;\s]+")):
        if not _WARD.fullmatch(part):
            if re.fullmatch(r"[^\W\d]\w*", part):  # a name, not a number
                raise _not_a_claim(part, claims, "a claim of this app nor a ward code")
            raise ConditionError(f"{part!r} is not a ward code (1 to 5 digits, e.g. 20275)")
        if int(part) not in codes:
            codes.append(int(part))
    if not codes:
        raise ConditionError("no ward given: name a claim or list ward codes, e.g. 20275,20194")
    return {"in": [{"var": "external.zone"}, codes]}


def _checkpoints(value: str, claims: Mapping[str, str]) -> Any:
    key = _claim_key(value, claims)
    if key is not None:
        return _in_claim("checkpoint", key)
    ids: list[str] = []
    for part in _items(value, re.compile(r"[,;\s]+")):
        if not _CHECKPOINT_ID.fullmatch(part):
            raise ConditionError(
                f"{part!r} is not a checkpoint id (letters, digits, _ . : -) nor a claim"
            )
        if part not in ids:
            ids.append(part)
    if not ids:
        raise ConditionError("no checkpoint given: name a claim or list checkpoint ids")
    return {"in": [{"var": "external.checkpoint"}, ids]}


def _odd_even_day(value: str, claims: Mapping[str, str]) -> Any:
    key = _claim_key(value, claims)
    if key is None:
        raise _not_a_claim(value or "(empty)", claims, "a claim holding a number")
    return {"===": [{"var": "external.day_parity"}, {"var": f"payload.{parity_claim(key)}"}]}


_YES = frozenset({"", "yes", "y", "true", "1", "x", "co", "once", "1lan"})


def _once(value: str) -> Any:
    if _plain(value) not in _YES:
        raise ConditionError(f"{value!r}: once takes no value (leave it empty, or write yes)")
    return {"!": [{"var": "external.used"}]}


def _kind(kind: str) -> str:
    name = re.sub(r"[\s-]+", "_", str(kind).strip().lower())
    if name not in KINDS:
        close = difflib.get_close_matches(name, KINDS, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ConditionError(f"unknown condition {kind!r} (use one of: {', '.join(KINDS)}){hint}")
    return name


def compile_condition(kind: str, value: str, *, claims: Mapping[str, str]) -> Any:
    """The CertLogic logic of one declared condition. ``claims`` maps the claim names a
    condition may use (as the officer writes them) to their keys in the token's payload.

    - ``weekdays``: "mon,wed,fri", "T2,T4,T6", "T2-T6", "CN" -> ``external.weekday`` in them;
    - ``odd_even_day``: a claim holding a number; the day's parity must equal the number's,
      read from the claim ``<key>_parity`` the issuer writes with ``parity()``;
    - ``zones``: a claim listing ward codes (ints), or codes "20275,20194" -> ``external.zone``;
    - ``checkpoints``: a claim listing checkpoint ids, or ids "CP1,CP2" -> ``external.checkpoint``;
    - ``hours``: "06:00-18:00" (start included, end excluded), "22:00-05:00" across midnight,
      several windows "06:00-11:00, 13:00-17:00" -> ``external.minute``;
    - ``once``: (no value) the token was not used before -> ``external.used`` is false.

    Raises ``ConditionError`` naming the bad part of anything else."""
    name = _kind(kind)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a spreadsheet cell holding one ward code
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ConditionError(f"{name}: the value must be text, got {type(value).__name__}")
    text = value.strip()
    try:
        if name == "weekdays":
            return {"in": [{"var": "external.weekday"}, _weekdays(text)]}
        if name == "odd_even_day":
            return _odd_even_day(text, claims)
        if name == "zones":
            return _zones(text, claims)
        if name == "checkpoints":
            return _checkpoints(text, claims)
        if name == "hours":
            return _hours(text)
        return _once(text)
    except ConditionError as exc:
        raise ConditionError(f"{name}: {exc}") from None
