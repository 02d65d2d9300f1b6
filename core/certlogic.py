"""CertLogic: the EU DCC business-rule language (a JsonLogic subset), evaluated exactly as its
specification says (version 1.3.3, ehn-dcc-development/eu-dcc-business-rules,
``certlogic/specification/README.md``), so that a rule gives the same answer here and in the
reference JavaScript implementation (certlogic-js) on a phone.

``evaluate(rule, data)`` validates the whole rule first (unknown operation, wrong number of
operands, a non-literal where the spec wants a literal, a malformed ``var`` path, nesting deeper
than ``MAX_DEPTH`` or JSON larger than ``MAX_RULE_BYTES``), then evaluates it; an invalid rule or a
type error met while evaluating raises ``CertLogicError``, never another exception.
``validate(rule)`` lists the problems without evaluating (the messages of certlogic-js's
validator, prefixed by a JSON Pointer to the sub-expression when it is not the root).

Where the specification is explicit we follow it; where it is silent we follow certlogic-js:

- truthy/falsy: ``false null "" 0 [] {}`` are falsy; ``true``, non-empty strings, non-zero
  integers, non-empty arrays and objects are truthy; everything else (a non-integer number, a
  date-time) is neither, and ``if``/``and``/``!`` raise on it;
- an integer is a JSON number with no fraction (``1.0`` is the integer 1, as in JavaScript);
  ``+`` and the comparisons refuse integers beyond +-(2**53 - 1), which JavaScript cannot hold
  exactly;
- ``===`` (and ``in``) compare strings, numbers, booleans and null by value and arrays, objects
  and date-times by identity, as JavaScript's ``===`` does (``[1] === [1]`` is false);
- ``var`` reads object members and array items (a fragment of ASCII digits) only: a missing
  member, an index out of range, or drilling into a string, number or boolean gives null;
- date-times are instants with millisecond precision; ``plusTime`` adds months and years the way
  JavaScript's ``Date.setUTCMonth``/``setUTCFullYear`` do (2021-01-31 + 1 month = 2021-03-03);
  a date-time string that is not a real calendar date or time (the spec leaves it undefined) and
  a result outside JavaScript's date range raise ``CertLogicError``.

There is no ``or``, ``!!``, ``==``, ``!=``, ``-``, ``*``, ``%`` or ``var`` default in CertLogic:
they are unknown operations. Each evaluation is bounded (``MAX_STEPS`` operations), so a
``reduce`` nested in a ``reduce`` cannot run away on a large list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_DEPTH",
    "MAX_RULE_BYTES",
    "MAX_STEPS",
    "CertLogicError",
    "DateTime",
    "boolsiness",
    "evaluate",
    "validate",
]

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects a rule may have."""
MAX_RULE_BYTES = 64 * 1024
"""Largest rule, as compact UTF-8 JSON."""
MAX_STEPS = 100_000
"""Most operations one evaluation may perform (a few tenths of a second)."""

MAX_SAFE_INTEGER = 2**53 - 1
_MAX_TIME_MS = 8_640_000_000_000_000  # ECMAScript's TimeClip bound
_MS_PER_DAY = 86_400_000
_MS_PER_HOUR = 3_600_000

INFIX = (
    "===",
    "and",
    ">",
    "<",
    ">=",
    "<=",
    "in",
    "+",
    "after",
    "before",
    "not-after",
    "not-before",
)
COMPARISONS = frozenset({">", "<", ">=", "<=", "after", "before", "not-after", "not-before"})
TIME_UNITS = ("year", "month", "day", "hour")
_HINTS = {
    "or": ' (CertLogic has no "or": write {"if": [a, true, b]} or {"!": [{"and": [{"!": [a]}, '
    '{"!": [b]}]}]})',
    "!!": ' (CertLogic has no "!!": write {"!": [{"!": [a]}]})',
    "==": ' (CertLogic has only "===")',
    "!=": ' (CertLogic has no "!=": write {"!": [{"===": [a, b]}]})',
    "!==": ' (CertLogic has no "!==": write {"!": [{"===": [a, b]}]})',
}


class CertLogicError(ValueError):
    """An invalid CertLogic rule, or a type error met while evaluating one."""


@dataclass(frozen=True, eq=False)
class DateTime:
    """A date-time value made by ``plusTime`` or ``dccDateOfBirth``: milliseconds since
    1970-01-01T00:00:00Z. Compared by identity with ``===``, as JavaScript Dates are."""

    ms: int

    def isoformat(self) -> str:
        """As JavaScript's ``Date.toISOString()``: ``2021-06-01T00:00:00.000Z``."""
        days, ms = divmod(self.ms, _MS_PER_DAY)
        y, m, d = _civil_from_days(days)
        year = f"{y:04d}" if 0 <= y <= 9999 else f"{'-' if y < 0 else '+'}{abs(y):06d}"
        hh, rest = divmod(ms, _MS_PER_HOUR)
        mi, rest = divmod(rest, 60_000)
        s, milli = divmod(rest, 1000)
        return f"{year}-{m:02d}-{d:02d}T{hh:02d}:{mi:02d}:{s:02d}.{milli:03d}Z"

    def __repr__(self) -> str:
        return f"DateTime({self.isoformat()})"


# -- values -------------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    """An integer in JavaScript's sense: an int (not a bool) or a float with no fraction."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def _is_literal(expr: Any) -> bool:
    return isinstance(expr, str | bool) or _is_int(expr)


def boolsiness(value: Any) -> bool | None:
    """True for a truthy value, False for a falsy one, None for a value that is neither."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, str | list | dict):
        return len(value) > 0
    if _is_int(value):
        return value != 0
    return None


def _strict_equal(a: Any, b: Any) -> bool:
    """JavaScript's ``===`` on JSON values and date-times."""
    if a is None or b is None:
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return a is b


def _show(value: Any) -> str:
    """A short, safe rendering of a value for an error message."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return "<a very large integer>"
    if isinstance(value, DateTime):
        return value.isoformat()
    try:
        text = json.dumps(value, ensure_ascii=False, default=lambda o: type(o).__name__)
    except (ValueError, TypeError, RecursionError):
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 80 else text[:77] + "..."


# -- validation ---------------------------------------------------------------------------------


def validate(rule: Any) -> list[str]:
    """Every problem that makes ``rule`` an invalid CertLogic expression; empty when valid."""
    problem = _limits(rule)
    if problem:
        return [problem]
    problems: list[str] = []
    _check(rule, "", problems)
    return problems


def _limits(rule: Any) -> str | None:
    """The first size limit ``rule`` breaks, checked without recursion."""
    stack: list[tuple[Any, int]] = [(rule, 0)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_RULE_BYTES:
            return f"the rule is larger than {MAX_RULE_BYTES // 1024} KB"
        if isinstance(node, dict | list):
            if depth >= MAX_DEPTH:
                return f"the rule is nested deeper than {MAX_DEPTH} levels"
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    try:
        text = json.dumps(rule, ensure_ascii=False, separators=(",", ":"), default=repr)
    except TypeError:  # a key that is neither a string nor a number: _check names it
        return None
    except ValueError:  # an integer of thousands of digits
        return "the rule holds a number too large to write as JSON"
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_RULE_BYTES:
        return f"the rule is larger than {MAX_RULE_BYTES // 1024} KB ({size} bytes of JSON)"
    return None


def _add(problems: list[str], where: str, message: str) -> None:
    problems.append(f"{where}: {message}" if where else message)


def _pointer(where: str, *parts: Any) -> str:
    out = where
    for part in parts:
        out += "/" + str(part).replace("~", "~0").replace("/", "~1")
    return out


_PATH = re.compile(r"[^.]+?(\.[^.]+?)*")


def _check(expr: Any, where: str, problems: list[str]) -> None:
    """certlogic-js's format validator, with our stricter literal checks."""
    if _is_literal(expr):
        return
    if isinstance(expr, float):
        _add(problems, where, f"{_show(expr)} is a non-integer number")
        return
    if isinstance(expr, list):
        for i, item in enumerate(expr):
            _check(item, _pointer(where, i), problems)
        return
    if not isinstance(expr, dict):
        _add(problems, where, "invalid CertLogic expression")
        return
    if len(expr) != 1:
        _add(
            problems, where, f"expression object must have exactly one key, but it has {len(expr)}"
        )
        return
    ((operator, values),) = expr.items()
    if not isinstance(operator, str):
        _add(problems, where, "invalid CertLogic expression")
        return
    here = _pointer(where, operator)
    if operator == "var":
        if not isinstance(values, str):
            _add(problems, where, 'not of the form { "var": "<path>" }')
        elif values != "" and not _PATH.fullmatch(values):
            _add(problems, where, f"data access path doesn't have a valid format: {values}")
        return
    if not isinstance(values, list):
        _add(problems, where, 'operation not of the form { "<operator>": [ <values...> ] }')
        return
    n = len(values)
    if operator in INFIX:
        if operator == "and":
            if n < 2:
                _add(
                    problems,
                    where,
                    f'an "and" operation must have at least 2 operands, but it has {n}',
                )
            checked = values
        elif operator in COMPARISONS:
            if not 2 <= n <= 3:
                _add(
                    problems,
                    where,
                    f'an operation with operator "{operator}" must have 2 or 3 operands, '
                    f"but it has {n}",
                )
            checked = values[:3]
        else:
            if n != 2:
                _add(
                    problems,
                    where,
                    f'an operation with operator "{operator}" must have 2 operands, but it has {n}',
                )
            checked = values[:2]
        for i, item in enumerate(checked):
            _check(item, _pointer(here, i), problems)
    elif operator in ("if", "reduce"):
        if n != 3:
            article = "an" if operator == "if" else "a"
            _add(
                problems,
                where,
                f'{article} "{operator}"-operation must have exactly 3 values/operands, '
                f"but it has {n}",
            )
        for i, item in enumerate(values[:3]):
            _check(item, _pointer(here, i), problems)
    elif operator == "!":
        if n != 1:
            _add(
                problems,
                where,
                f"a !-operation (logical not/negation) must have exactly 1 operand, but it has {n}",
            )
        else:
            _check(values[0], _pointer(here, 0), problems)
    elif operator == "plusTime":
        if n != 3:
            _add(
                problems,
                where,
                f'a "plusTime"-operation must have exactly 3 values/operands, but it has {n}',
            )
        if n > 0:
            _check(values[0], _pointer(here, 0), problems)
        if n > 1 and not _is_int(values[1]):
            _add(
                problems,
                where,
                f'"amount" argument (#2) of "plusTime" must be an integer, but it is: '
                f"{_show(values[1])}",
            )
        if n > 2 and values[2] not in TIME_UNITS:
            _add(
                problems,
                where,
                f'"unit" argument (#3) of "plusTime" must be a string equal to one of '
                f"{', '.join(TIME_UNITS)}, but it is: {_show(values[2])}",
            )
    elif operator == "extractFromUVCI":
        if n != 2:
            _add(
                problems,
                where,
                f'an "extractFromUVCI"-operation must have exactly 2 values/operands, '
                f"but it has {n}",
            )
        if n > 0:
            _check(values[0], _pointer(here, 0), problems)
        if n > 1 and not _is_int(values[1]):
            _add(
                problems,
                where,
                f'"index" argument (#2) of "extractFromUVCI" must be an integer, but it is: '
                f"{_show(values[1])}",
            )
    elif operator == "dccDateOfBirth":
        if n != 1:
            _add(
                problems,
                where,
                f'a "dccDateOfBirth"-operation must have exactly 1 value/operand, but it has {n}',
            )
        if n > 0:
            _check(values[0], _pointer(here, 0), problems)
    else:
        hint = _HINTS.get(operator, "")
        _add(problems, where, f'unrecognised operator: "{_clip(operator)}"{hint}')


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


# -- evaluation ---------------------------------------------------------------------------------


def evaluate(rule: Any, data: Any) -> Any:
    """The value of ``rule`` on ``data`` (JSON values; date-times come back as ``DateTime``).

    Raises ``CertLogicError`` for an invalid rule (see ``validate``) or a type error while
    evaluating (e.g. ``in`` on a non-array, ``+`` on a string, ``plusTime`` on a number)."""
    problems = validate(rule)
    if problems:
        raise CertLogicError(problems[0])
    return _Evaluation().run(rule, data)


class _Evaluation:
    """One evaluation of a validated rule, with its step budget."""

    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps = 0

    def run(self, expr: Any, data: Any) -> Any:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise CertLogicError(f"evaluation took more than {MAX_STEPS} steps")
        if _is_literal(expr):
            return int(expr) if isinstance(expr, float) else expr
        if isinstance(expr, list):
            return [self.run(item, data) for item in expr]
        ((operator, values),) = expr.items()
        if operator == "var":
            return _access(data, values)
        if operator == "if":
            guard = self.run(values[0], data)
            truth = boolsiness(guard)
            if truth is None:
                raise CertLogicError(
                    f"if-guard evaluates to something neither truthy, nor falsy: {_show(guard)}"
                )
            return self.run(values[1] if truth else values[2], data)
        if operator == "and":
            result: Any = True
            for operand in values:
                result = self.run(operand, data)
                truth = boolsiness(result)
                if truth is None:
                    raise CertLogicError(
                        'all operands of an "and" operation must be either truthy or falsy'
                    )
                if not truth:
                    return result
            return result
        if operator == "!":
            operand = self.run(values[0], data)
            truth = boolsiness(operand)
            if truth is None:
                raise CertLogicError(
                    f"operand of ! evaluates to something neither truthy, nor falsy: "
                    f"{_show(operand)}"
                )
            return not truth
        if operator == "plusTime":
            when = self.run(values[0], data)
            if not isinstance(when, str):
                raise CertLogicError('date argument (#1) of "plusTime" must be a string')
            return DateTime(plus_time(_parse_date_time(when), int(values[1]), values[2]))
        if operator == "reduce":
            return self._reduce(values, data)
        if operator == "extractFromUVCI":
            uvci = self.run(values[0], data)
            if not (uvci is None or isinstance(uvci, str)):
                raise CertLogicError(
                    '"UVCI" argument (#1) of "extractFromUVCI" must be either a string or null'
                )
            return extract_from_uvci(uvci, int(values[1]))
        if operator == "dccDateOfBirth":
            dob = self.run(values[0], data)
            if not isinstance(dob, str):
                raise CertLogicError('operand of "dccDateOfBirth" must be a string')
            return DateTime(dcc_date_of_birth(dob))
        args = [self.run(v, data) for v in values]
        return _infix(operator, args)

    def _reduce(self, values: list[Any], data: Any) -> Any:
        items = self.run(values[0], data)
        if items is None:
            return self.run(values[2], data)
        if not isinstance(items, list):
            raise CertLogicError("operand of reduce evaluated to a non-null non-array")
        accumulator = self.run(values[2], data)
        for current in items:
            accumulator = self.run(values[1], {"accumulator": accumulator, "current": current})
        return accumulator


def _infix(operator: str, args: list[Any]) -> Any:
    if operator == "===":
        return _strict_equal(args[0], args[1])
    if operator == "in":
        if not isinstance(args[1], list):
            raise CertLogicError('right-hand side of an "in" operation must be an array')
        return any(_strict_equal(args[0], item) for item in args[1])
    if operator == "+":
        if not (_safe_int(args[0]) and _safe_int(args[1])):
            raise CertLogicError("operands of this operation must both be integers")
        total = int(args[0]) + int(args[1])
        if abs(total) > MAX_SAFE_INTEGER:
            raise CertLogicError("the sum is beyond the integers JavaScript holds exactly")
        return total
    if operator in ("<", ">", "<=", ">="):
        if not all(_safe_int(a) for a in args):
            raise CertLogicError("all operands of a comparison operation must be of integer type")
        return _compare(operator, [int(a) for a in args])
    if not all(isinstance(a, DateTime) for a in args):
        raise CertLogicError("all operands of a date-time comparison must be date-times")
    symbol = {"after": ">", "before": "<", "not-after": "<=", "not-before": ">="}[operator]
    return _compare(symbol, [a.ms for a in args])


def _safe_int(value: Any) -> bool:
    return _is_int(value) and abs(value) <= MAX_SAFE_INTEGER


def _compare(symbol: str, values: list[int]) -> bool:
    def holds(a: int, b: int) -> bool:
        if symbol == "<":
            return a < b
        if symbol == ">":
            return a > b
        if symbol == "<=":
            return a <= b
        return a >= b

    return all(holds(a, b) for a, b in zip(values, values[1:], strict=False))


_DIGITS = re.compile(r"[0-9]+")


def _access(data: Any, path: str) -> Any:
    """``var``: drill into objects by member and arrays by index; null when there is nothing."""
    if path == "":
        return data
    value = data
    for fragment in path.split("."):
        if isinstance(value, dict):
            value = value.get(fragment)
        elif isinstance(value, list) and _DIGITS.fullmatch(fragment):
            index = int(fragment)
            value = value[index] if index < len(value) else None
        else:
            return None
    return value


# -- date-times ---------------------------------------------------------------------------------


_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+?)?"
    r"(Z|(([+-])([0-9]{1,2}):?([0-9]{2})?))?"
)
_YEAR = re.compile(r"[0-9]{4}")
_YEAR_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (any year; month 1-12)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, d


def _days_in_month(y: int, m: int) -> int:
    if m == 2:
        return 29 if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 28
    return 30 if m in (4, 6, 9, 11) else 31


def _make_day(y: int, m0: int, d: int) -> int:
    """ECMAScript MakeDay: month ``m0`` counted from 0 may overflow into other years, and the
    day may overflow into other months."""
    y += m0 // 12
    return _days_from_civil(y, m0 % 12 + 1, 1) + d - 1


def _checked(ms: int) -> int:
    if abs(ms) > _MAX_TIME_MS:
        raise CertLogicError("the date-time is outside the range of JavaScript dates")
    return ms


def _date_ms(text: str, y: str, m: str, d: str) -> int:
    year, month, day = int(y), int(m), int(d)
    if not (1 <= month <= 12 and 1 <= day <= _days_in_month(year, month)):
        raise CertLogicError(f"not a calendar date: {_clip(text)}")
    return _days_from_civil(year, month, day) * _MS_PER_DAY


def _round_up_partial_date(text: str) -> int | None:
    """``YYYY`` -> YYYY-12-31, ``YYYY-MM`` -> the month's last day (midnight UTC); else None."""
    if _YEAR.fullmatch(text):
        return _days_from_civil(int(text), 12, 31) * _MS_PER_DAY
    found = _YEAR_MONTH.fullmatch(text)
    if found:
        year, month = int(found[1]), int(found[2])
        if not 1 <= month <= 12:
            raise CertLogicError(f"not a calendar month: {_clip(text)}")
        return _days_from_civil(year, month, _days_in_month(year, month)) * _MS_PER_DAY
    return None


def _parse_date_time(text: str) -> int:
    """A date(-time) string in one of the spec's formats as milliseconds since the epoch."""
    partial = _round_up_partial_date(text)
    if partial is not None:
        return partial
    found = _DATE.fullmatch(text)
    if found:
        return _date_ms(text, *found.groups())
    found = _DATE_TIME.fullmatch(text)
    if not found:
        raise CertLogicError(f"not an allowed date or date-time format: {_clip(text)}")
    y, mo, d, hh, mi, ss, fraction, zone, _, sign, oh, om = found.groups()
    hour, minute, second = int(hh), int(mi), int(ss)
    if hour > 23 or minute > 59 or second > 59:
        raise CertLogicError(f"not a time of day: {_clip(text)}")
    ms = _date_ms(text, y, mo, d) + (hour * 3600 + minute * 60 + second) * 1000
    if fraction:
        ms += int(fraction[1:4].ljust(3, "0"))  # milliseconds; further digits are dropped
    if zone and zone != "Z":
        off_h, off_m = int(oh), int(om or "0")
        if off_h > 23 or off_m > 59:
            raise CertLogicError(f"not a time zone offset: {_clip(text)}")
        offset = (off_h * 60 + off_m) * 60_000
        ms -= offset if sign == "+" else -offset
    return ms


def plus_time(ms: int, amount: int, unit: str) -> int:
    """``ms`` plus ``amount`` time units, as JavaScript's ``Date.setUTC<unit>(get + amount)``."""
    if amount == 0:
        return _checked(ms)
    if unit == "day":
        return _checked(ms + amount * _MS_PER_DAY)
    if unit == "hour":
        return _checked(ms + amount * _MS_PER_HOUR)
    days, in_day = divmod(ms, _MS_PER_DAY)
    y, m, d = _civil_from_days(days)
    if unit == "month":
        day = _make_day(y, m - 1 + amount, d)
    elif unit == "year":
        day = _make_day(y + amount, m - 1, d)
    else:
        raise CertLogicError(f"unknown time unit {_show(unit)}")
    return _checked(day * _MS_PER_DAY + in_day)


def dcc_date_of_birth(text: str) -> int:
    """A DCC date of birth (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) as the last instant
    consistent with it, at midnight UTC (milliseconds since the epoch)."""
    partial = _round_up_partial_date(text)
    if partial is not None:
        return partial
    found = _DATE.fullmatch(text)
    if not found:
        raise CertLogicError(f"can't parse {_show(_clip(text))} as an EU DCC date-of-birth")
    return _date_ms(text, *found.groups())


_UVCI_SEPARATORS = re.compile(r"[/#:]")


def extract_from_uvci(uvci: str | None, index: int) -> str | None:
    """Fragment ``index`` of a UCI split on ``/``, ``#`` and ``:`` (after an optional
    ``URN:UVCI:`` prefix), or None."""
    if uvci is None or index < 0:
        return None
    if uvci.startswith("URN:UVCI:"):
        uvci = uvci[len("URN:UVCI:") :]
    fragments = _UVCI_SEPARATORS.split(uvci)
    return fragments[index] if index < len(fragments) else None
