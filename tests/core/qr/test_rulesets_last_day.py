"""The ``last_day`` card format (core.qr.rulesets): an end instant shown as the last Vietnam
day it covers, as a travel permit's validity reads on every page (period_label)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.qr.rulesets import FORMATS, FieldSpec, last_day

# 15/12/2026 00:00 in Vietnam (UTC+7): the end of a permit whose last day is 14/12/2026
MIDNIGHT = datetime(2026, 12, 14, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        (MIDNIGHT, "14/12/2026"),
        (MIDNIGHT + timedelta(microseconds=999_999), "14/12/2026"),  # still the same second
        (MIDNIGHT + timedelta(seconds=1), "15/12/2026"),
        (MIDNIGHT + timedelta(seconds=1, microseconds=1), "15/12/2026"),
        (MIDNIGHT - timedelta(microseconds=1), "14/12/2026"),
        (MIDNIGHT - timedelta(seconds=1, microseconds=1), "14/12/2026"),
        (MIDNIGHT - timedelta(days=1) + timedelta(microseconds=1), "13/12/2026"),
        (MIDNIGHT.replace(tzinfo=None), "14/12/2026"),  # naive: stored UTC
        (datetime(2027, 1, 1, 0, 0, tzinfo=UTC) - timedelta(hours=7), "31/12/2026"),
    ],
)
def test_last_day_is_the_local_date_one_second_before(instant: datetime, shown: str) -> None:
    assert last_day(instant) == shown
    seconds = int(instant.replace(tzinfo=instant.tzinfo or UTC).timestamp())
    assert last_day(seconds) == last_day(float(seconds)) == last_day(instant.replace(microsecond=0))


def test_last_day_agrees_with_the_permit_window() -> None:
    from apps.travel_permit.rules import period_label, window_days

    start = MIDNIGHT - timedelta(days=14)
    first, last = window_days(start, MIDNIGHT)
    assert (first, last) == (date(2026, 12, 1), date(2026, 12, 14))
    assert period_label(first, last).endswith(last_day(MIDNIGHT))


def test_last_day_is_a_declared_format() -> None:
    assert "last_day" in FORMATS and "epoch_local" in FORMATS
    assert FieldSpec("valid_until", "@valid_until", "last_day").format == "last_day"
