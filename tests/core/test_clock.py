"""core.clock: naive stored times are UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from core import clock


def test_as_utc_takes_naive_as_utc_and_keeps_aware_values():
    assert clock.as_utc(datetime(2021, 9, 10, 8, 0)) == datetime(2021, 9, 10, 8, 0, tzinfo=UTC)
    hcm = datetime(2021, 9, 10, 15, 0, tzinfo=timezone(timedelta(hours=7)))
    assert clock.as_utc(hcm) is hcm
    assert clock.fmt_local(datetime(2021, 9, 10, 8, 0)) == "10/09/2021 15:00"


def test_today_local_is_the_date_in_ho_chi_minh(frozen_clock):
    from datetime import UTC, date, datetime

    from core import clock

    frozen_clock[0] = datetime(2021, 9, 10, 18, 30, tzinfo=UTC)  # 01:30 on the 11th in Vietnam
    assert clock.today_local() == date(2021, 9, 11)


def test_local_times_turns_a_stored_utc_column_into_vietnam_time():
    import pandas as pd

    from core.clock import local_times

    stored = pd.Series(pd.to_datetime(["2021-09-05 07:56:00", "2021-09-05 20:30:00"]))
    shown = local_times(stored)
    assert list(shown.dt.strftime("%d/%m %H:%M")) == ["05/09 14:56", "06/09 03:30"]
