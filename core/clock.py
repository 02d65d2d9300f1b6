"""The suite's only clock. Everything stored is UTC; tests inject a fixed or moving clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import pandas as pd

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_now: Callable[[], datetime] | None = None


def now() -> datetime:
    """Timezone-aware UTC now (or the injected clock's time)."""
    return _now() if _now is not None else datetime.now(UTC)


def utcnow_naive() -> datetime:
    """UTC now without tzinfo, as DuckDB TIMESTAMP columns store it."""
    return now().astimezone(UTC).replace(tzinfo=None)


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Inject a clock (tests); ``None`` restores the system clock."""
    global _now
    _now = fn


def to_utc_naive(value: datetime) -> datetime:
    """Aware -> naive UTC; naive values are taken as already UTC."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def as_utc(value: datetime) -> datetime:
    """Naive values are taken as UTC (as stored); aware ones are returned unchanged."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def local(value: datetime | None) -> datetime | None:
    """A stored UTC time shown in Asia/Ho_Chi_Minh."""
    if value is None:
        return None
    return as_utc(value).astimezone(LOCAL_TZ)


def today_local() -> date:
    """Today's date in Asia/Ho_Chi_Minh (by the suite's clock)."""
    return now().astimezone(LOCAL_TZ).date()


def fmt_local(value: datetime | None, pattern: str = "%d/%m/%Y %H:%M") -> str:
    shown = local(value)
    return "" if shown is None else shown.strftime(pattern)


def local_times(values: pd.Series) -> pd.Series:
    """A column of stored UTC times as Asia/Ho_Chi_Minh wall-clock times (tables, CSV)."""
    import pandas as pd  # only pages and exports call this; the CLI's start stays light

    return pd.to_datetime(values).dt.tz_localize(UTC).dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
