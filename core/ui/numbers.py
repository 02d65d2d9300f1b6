"""Numbers as a person reads them in the chosen language: Vietnamese groups thousands with a
dot and writes the decimal comma (``6.131.000``, ``104,5``, ``12,3 %``); English the other way
round (``6,131,000``, ``104.5``, ``12.3%``). Empty values (``None``, NaN) read as ``""``.

The parsers read back what the formatters write (and what a person types in that style), so
a figure shown on a page can be typed into a field of the same language.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from numbers import Real

from core.i18n import get_locale

# (thousands separator, decimal mark, text between a share and its "%")
_STYLE: dict[str, tuple[str, str, str]] = {"vi": (".", ",", " "), "en": (",", ".", "")}


def _style(locale: str | None) -> tuple[str, str, str]:
    return _STYLE.get(locale or get_locale(), _STYLE["vi"])


def _empty(x: object) -> bool:
    if x is None:
        return True
    if isinstance(x, float):
        return math.isnan(x)
    try:  # numpy / pandas scalars: NaN, pd.NA, NaT
        import pandas as pd

        return bool(pd.isna(x))
    except (TypeError, ValueError, ImportError):
        return False


def _decimal(x: object) -> Decimal:
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool):
        return Decimal(int(x))
    if isinstance(x, int):
        return Decimal(x)
    if isinstance(x, Real) or hasattr(x, "__float__"):
        value = float(x)  # type: ignore[arg-type]
        if math.isinf(value):
            raise ValueError(f"not a finite number: {x!r}")
        return Decimal(repr(value))  # the shortest decimal that reads back as this float
    raise TypeError(f"not a number: {x!r}")


def _grouped(value: Decimal, digits: int, thousands: str, mark: str) -> str:
    """``value`` rounded half away from zero to ``digits`` places, thousands grouped."""
    exp = Decimal(1).scaleb(-digits)
    rounded = value.quantize(exp, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0"
    text = f"{rounded:,.{digits}f}"  # "," groups, "." marks: swap for the chosen style
    return text.replace(",", "\0").replace(".", mark).replace("\0", thousands)


def fmt_int(n: int | float | None, locale: str | None = None) -> str:
    """A whole number with thousands grouped (``6.131.000`` / ``6,131,000``); a fraction is
    rounded half away from zero; ``None`` or NaN is ``""``."""
    if _empty(n):
        return ""
    thousands, mark, _ = _style(locale)
    return _grouped(_decimal(n), 0, thousands, mark)


def fmt_decimal(x: float | None, digits: int = 1, locale: str | None = None) -> str:
    """A number with ``digits`` decimals (``104,5`` / ``104.5``), thousands grouped;
    ``None`` or NaN is ``""``."""
    if _empty(x):
        return ""
    thousands, mark, _ = _style(locale)
    return _grouped(_decimal(x), max(0, digits), thousands, mark)


def fmt_share(x: float | None, locale: str | None = None, digits: int = 1) -> str:
    """A share given as a fraction (0.123) as a percentage: ``12,3 %`` / ``12.3%``;
    ``None`` or NaN is ``""``."""
    if _empty(x):
        return ""
    thousands, mark, gap = _style(locale)
    return f"{_grouped(_decimal(x) * 100, max(0, digits), thousands, mark)}{gap}%"


def _pattern(thousands: str, mark: str) -> re.Pattern[str]:
    t, m = re.escape(thousands), re.escape(mark)
    return re.compile(rf"[-+]?(?:\d{{1,3}}(?:{t}\d{{3}})+|\d+)(?:{m}\d+)?")


_PATTERNS = {loc: _pattern(th, mk) for loc, (th, mk, _) in _STYLE.items()}


def parse_decimal(text: str, locale: str | None = None) -> Decimal:
    """A number written in the chosen style (``1.234,5`` / ``1,234.5``; grouping optional,
    spaces around it ignored). Raises ``ValueError`` for anything else."""
    loc = locale or get_locale()
    loc = loc if loc in _STYLE else "vi"
    thousands, mark, _ = _STYLE[loc]
    cleaned = text.strip().replace("\u00a0", "")
    if not _PATTERNS[loc].fullmatch(cleaned):
        raise ValueError(f"not a number in the {loc} style: {text!r}")
    try:
        return Decimal(cleaned.replace(thousands, "").replace(mark, "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(f"not a number: {text!r}") from exc


def parse_int(text: str, locale: str | None = None) -> int:
    """A whole number written in the chosen style (``6.131.000`` / ``6,131,000``)."""
    value = parse_decimal(text, locale)
    if value != value.to_integral_value():
        raise ValueError(f"not a whole number: {text!r}")
    return int(value)
