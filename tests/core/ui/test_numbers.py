"""Numbers in the chosen language's style (core.ui.numbers): Vietnamese ``6.131.000``,
``104,5``, ``12,3 %``; English ``6,131,000``, ``104.5``, ``12.3%``; empty values empty; what is
written reads back."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import i18n
from core.ui.numbers import fmt_decimal, fmt_int, fmt_share, parse_decimal, parse_int


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (6_131_000, "6.131.000", "6,131,000"),
        (31_973, "31.973", "31,973"),
        (999, "999", "999"),
        (1000, "1.000", "1,000"),
        (0, "0", "0"),
        (-1_234_567, "-1.234.567", "-1,234,567"),
        (2.5, "3", "3"),  # half away from zero, not to even
        (-2.5, "-3", "-3"),
        (-0.2, "0", "0"),  # never "-0"
        (np.int64(639_975), "639.975", "639,975"),
        (Decimal("15396"), "15.396", "15,396"),
    ],
)
def test_fmt_int(value, vi, en):
    assert fmt_int(value, "vi") == vi
    assert fmt_int(value, "en") == en


@pytest.mark.parametrize("empty", [None, math.nan, np.nan, pd.NA, pd.NaT])
def test_empty_values_read_empty(empty):
    assert fmt_int(empty, "vi") == ""
    assert fmt_decimal(empty, 1, "en") == ""
    assert fmt_share(empty, "vi") == ""


def test_infinity_is_refused():
    with pytest.raises(ValueError):
        fmt_int(math.inf, "vi")


def test_fmt_share():
    assert fmt_share(0.123, "vi") == "12,3 %"
    assert fmt_share(0.123, "en") == "12.3%"
    assert fmt_share(31_973 / 6_131_000, "vi", digits=2) == "0,52 %"
    assert fmt_share(1, "en", digits=0) == "100%"
    assert fmt_share(12.5, "vi") == "1.250,0 %"


def test_fmt_decimal():
    assert fmt_decimal(104.0, 1, "vi") == "104,0"
    assert fmt_decimal(104.25, 1, "en") == "104.3"
    assert fmt_decimal(37.55, 1, "vi") == "37,6"  # the float 37.55 is shown as written
    assert fmt_decimal(12345.678, 2, "vi") == "12.345,68"
    assert fmt_decimal(12345.678, 0, "en") == "12,346"


def test_the_ui_locale_is_the_default():
    i18n.set_locale("en")
    try:
        assert fmt_int(6_131_000) == "6,131,000"
        assert fmt_share(0.5) == "50.0%"
    finally:
        i18n.set_locale("vi")
    assert fmt_int(6_131_000) == "6.131.000"
    assert fmt_decimal(1.5) == "1,5"


@pytest.mark.parametrize(
    ("text", "locale", "value"),
    [
        ("6.131.000", "vi", 6_131_000),
        ("6131000", "vi", 6_131_000),
        (" 6,131,000 ", "en", 6_131_000),
        ("-12", "en", -12),
    ],
)
def test_parse_int(text, locale, value):
    assert parse_int(text, locale) == value


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("6,131,000", "vi"),  # the other language's grouping
        ("6.131.000", "en"),
        ("1.5", "vi"),  # a dot in Vietnamese groups thousands: "1.5" is neither
        ("12.34.567", "vi"),
        ("", "vi"),
        ("abc", "en"),
        ("1,5", "vi"),  # a decimal is not a whole number
    ],
)
def test_parse_int_refuses(text, locale):
    with pytest.raises(ValueError):
        parse_int(text, locale)


def test_parse_decimal():
    assert parse_decimal("104,5", "vi") == Decimal("104.5")
    assert parse_decimal("1.234,56", "vi") == Decimal("1234.56")
    assert parse_decimal("1,234.56", "en") == Decimal("1234.56")


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(i18n.LOCALES))
def test_int_round_trip(n, locale):
    assert parse_int(fmt_int(n, locale), locale) == n


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False),
    st.sampled_from(i18n.LOCALES),
)
def test_decimal_round_trip(x, locale):
    assert parse_decimal(fmt_decimal(x, 2, locale), locale) == x


@given(st.text(max_size=30), st.sampled_from(i18n.LOCALES))
def test_parse_takes_any_text_without_crashing(text, locale):
    try:
        value = parse_decimal(text, locale)
    except ValueError:
        return
    assert value.is_finite()
