"""Hypothesis: the form parsers accept or refuse any input with FormInvalid, never crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.home_isolation.models import (
    SPO2_RANGE,
    TEMP_RANGE,
    FormInvalid,
    parse_enrol,
    parse_number,
    parse_report,
)

NOW = datetime(2021, 9, 10, 8, 0, tzinfo=UTC)
anything = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.text(max_size=10), max_size=4),
    st.datetimes(timezones=st.just(UTC)),
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "temperature",
                "spo2",
                "pulse",
                "resp_rate",
                "symptoms",
                "medicines",
                "note",
                "measured_at",
            ]
        ),
        anything,
    )
)
def test_parse_report_never_crashes(raw):
    try:
        out = parse_report(raw, NOW)
    except FormInvalid as exc:
        assert exc.errors
        return
    assert SPO2_RANGE[0] <= out.spo2 <= SPO2_RANGE[1]
    assert TEMP_RANGE[0] <= out.temperature <= TEMP_RANGE[1]
    assert out.measured_at <= NOW + timedelta(minutes=5)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(50, 100),
    st.decimals(min_value=34, max_value=43, places=1),
    st.integers(25, 250),
    st.integers(4, 80),
    st.booleans(),
)
def test_valid_reports_round_trip(spo2, temp, pulse, resp, comma):
    text = str(temp).replace(".", ",") if comma else str(temp)
    out = parse_report(
        {"spo2": str(spo2), "temperature": text, "pulse": pulse, "resp_rate": f" {resp} "}, NOW
    )
    assert (out.spo2, out.pulse, out.resp_rate) == (spo2, pulse, resp)
    assert abs(out.temperature - float(temp)) < 1e-9


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_parse_number_text(text):
    try:
        value = parse_number(text)
    except ValueError:
        return
    assert value is None or isinstance(value, float)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "person_id",
                "full_name",
                "phone",
                "ward_code",
                "age",
                "chronic",
                "vaccine_doses",
                "test_date",
                "test_type",
                "onset_date",
                "exposure_date",
                "source_id",
            ]
        ),
        anything,
    ),
    st.sampled_from(["F0", "F1"]),
)
def test_parse_enrol_never_crashes(raw, kind):
    try:
        out = parse_enrol(raw, kind, NOW.date())
    except FormInvalid as exc:
        assert exc.errors
        return
    assert out.kind == kind
