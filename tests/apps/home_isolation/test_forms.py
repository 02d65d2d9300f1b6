"""The app's forms: what they accept and refuse (the unified person rules included), the
cross-field rules, their tables, and hypothesis over each whole form: any raw answers give
values or FormInvalid, never another exception."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.home_isolation import app, forms
from core.forms import Form, FormInvalid
from core.forms.storage import check_table

NOW = datetime(2021, 9, 10, 8, 0, tzinfo=UTC)
TODAY = date(2021, 9, 10)  # NOW in Vietnam
WARD = 20275  # Phường An Hải, Da Nang

STORED = {
    "ENROL_F0": forms.ENROL_F0,
    "ENROL_F1": forms.ENROL_F1,
    "REPORT": forms.REPORT,
    "NOTE": forms.NOTE,
    "ASSIGN": forms.ASSIGN,
}
ALL_FORMS: list[Form] = [
    *STORED.values(),
    forms.FIND,
    forms.trace_form(60),
    forms.release_form("Nguyễn Văn An", True),
    forms.release_form("Trần *Bình*", False),
    forms.transfer_form("Lê [Cường](x)"),
]


def _f0(**over):
    base = {
        "person_id": "048090000001",
        "full_name": "Nguyễn Văn An",
        "phone": "0905123456",
        "ward_code": WARD,
        "age": "40",
        "test_date": TODAY,
        "test_type": "pcr",
    }
    return {**base, **over}


def _errors(form: Form, raw, now=NOW) -> set[str]:
    try:
        form.validate(raw, now=now)
    except FormInvalid as exc:
        return set(exc.errors)
    return set()


# -- tables and the manifest ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(STORED))
def test_stored_forms_fit_their_tables(store, name):
    assert check_table(store, STORED[name]) == []


def test_release_form_fits_its_table(store):
    assert check_table(store, forms.release_form("A", True)) == []


def test_manifest_lists_the_module_forms():
    assert set(app.forms) == {f"apps.home_isolation.forms:{n}" for n in (*STORED, "FIND")}


def test_enrolment_forms_are_drawn_in_st_form_the_report_live():
    """The fixed Da Nang ward filter depends on no answer: the form is drawn in st.form."""
    assert not forms.ENROL_F0.has_dependencies and not forms.ENROL_F1.has_dependencies
    assert forms.REPORT.has_dependencies  # "measured now?" shows or hides the time


# -- enrolment ------------------------------------------------------------------------------


def test_f0_minimal_values():
    values = forms.ENROL_F0.validate(_f0(test_date=None) | {"test_date": "10/09/2021"}, now=NOW)
    assert values["age"] == 40 and values["test_date"] == TODAY
    assert values["vaccine_doses"] == 0 and values["chronic"] is None
    assert values["ward_code"] == WARD


@pytest.mark.parametrize(
    ("over", "ok"),
    [
        ({"phone": "0236 3821 234"}, True),  # a Da Nang landline: now accepted
        ({"phone": "+1 202 555 0143"}, True),  # a foreign number: now accepted
        ({"phone": "+84 905 123 456"}, True),
        ({"phone": "0123456789"}, False),  # accepted here before, nowhere now
        ({"person_id": "123456789"}, True),  # a 9-digit passport: now accepted
        ({"person_id": "c1234567"}, True),
        ({"person_id": "048 090 000 001"}, True),
        ({"person_id": "999090000001"}, False),  # no such CCCD province
        ({"full_name": "Nguyen2"}, False),  # accepted here before
        ({"full_name": "  nguyễn   văn  an "}, True),
        ({"vaccine_doses": "6"}, True),
        ({"vaccine_doses": "7"}, False),
        ({"age": "0"}, True),
        ({"age": "121"}, False),
        ({"age": "40.5"}, False),
        ({"chronic": ["diabetes", "Tăng huyết áp"]}, True),  # a code or a label
        ({"chronic": "heart,lung"}, True),
        ({"test_type": "antigen"}, True),
        ({"test_type": "smell"}, False),
        ({"onset_date": TODAY - timedelta(days=60)}, True),
        ({"onset_date": TODAY - timedelta(days=61)}, False),
        ({"test_date": TODAY + timedelta(days=1)}, False),
        ({"test_date": "2021-13-01"}, False),
    ],
)
def test_f0_accepts_and_refuses(over, ok):
    errors = _errors(forms.ENROL_F0, _f0(**over))
    assert (not errors) == ok, errors
    assert errors <= set(over)


def test_f0_needs_age_f1_does_not():
    assert _errors(forms.ENROL_F0, _f0(age="")) == {"age"}
    f1 = {**_f0(age=""), "source_id": "HI0123456789", "exposure_date": TODAY}
    for name in ("test_date", "test_type"):
        f1.pop(name)
    assert forms.ENROL_F1.validate(f1, now=NOW)["age"] is None


def test_f1_needs_its_source_and_a_recent_exposure():
    base = {**_f0(), "source_id": "HI0123456789", "exposure_date": TODAY}
    assert _errors(forms.ENROL_F1, {**base, "source_id": "  "}) == {"source_id"}
    assert _errors(forms.ENROL_F1, {**base, "exposure_date": ""}) == {"exposure_date"}
    assert _errors(forms.ENROL_F1, {**base, "exposure_date": TODAY + timedelta(days=1)}) == {
        "exposure_date"
    }


def test_dates_start_today_on_the_page():
    """Test and exposure dates start at today (as the page always did); onset is empty."""
    defaults = forms.ENROL_F0.defaults(NOW) | forms.ENROL_F1.defaults(NOW)
    assert (
        defaults.items()
        >= {
            "test_date": TODAY,
            "exposure_date": TODAY,
            "test_type": "pcr",
            "vaccine_doses": 0,
        }.items()
    )
    assert "onset_date" not in forms.ENROL_F0.defaults(NOW)


# -- the daily report -------------------------------------------------------------------------


def _report(**over):
    return {"temperature": "36,8", "spo2": "98", "pulse": "80", "resp_rate": "16", **over}


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
    out = forms.REPORT.validate(
        {"spo2": str(spo2), "temperature": text, "pulse": pulse, "resp_rate": f" {resp} "},
        now=NOW,
    )
    assert (out["spo2"], out["pulse"], out["resp_rate"]) == (spo2, pulse, resp)
    assert abs(out["temperature"] - float(temp)) < 1e-9
    assert out["measured_at"] is None  # measured now


@pytest.mark.parametrize(
    ("over", "bad"),
    [
        ({"temperature": "36.85"}, set()),  # kept to one decimal
        ({"temperature": "33,9"}, {"temperature"}),
        ({"spo2": "97.5"}, {"spo2"}),
        ({"spo2": "98.0"}, {"spo2"}),  # a whole number is written without decimals now
        ({"symptoms": ["fever", "Khó thở"]}, set()),
        ({"symptoms": "fever,zombie"}, {"symptoms"}),
        ({"medicines": ["paracetamol"]}, set()),
        ({"note": "x" * 1000}, set()),
        ({"note": "x" * 1001}, {"note"}),
        ({"measured_at": NOW + timedelta(minutes=4)}, set()),
        ({"measured_at": NOW + timedelta(minutes=6)}, {"measured_at"}),
        ({"measured_at": NOW - timedelta(days=2) + timedelta(minutes=1)}, set()),
        ({"measured_at": NOW - timedelta(days=2, minutes=1)}, {"measured_at"}),
        ({"measured_at": "10/09/2021 14:30"}, set()),  # Vietnam time: 07:30 UTC
        ({"measured_at": "sáng nay"}, {"measured_at"}),
        ({"measured_now": False}, {"measured_at"}),
        ({"measured_now": False, "measured_at": NOW - timedelta(hours=1)}, set()),
        ({"measured_now": True, "measured_at": NOW + timedelta(days=9)}, set()),  # hidden
    ],
)
def test_report_accepts_and_refuses(over, bad):
    assert _errors(forms.REPORT, _report(**over)) == bad


def test_report_values():
    out = forms.REPORT.validate(
        _report(temperature="37.04", measured_at="10/09/2021 14:30", symptoms="cough,fever"),
        now=NOW,
    )
    assert out["temperature"] == 37.0
    assert out["measured_at"] == datetime(2021, 9, 10, 7, 30, tzinfo=UTC)
    assert out["symptoms"] == ["fever", "cough"]  # in the list's order


# -- officer actions --------------------------------------------------------------------------


def test_release_form_per_person():
    needs = forms.release_form("Nguyễn Văn An", True)
    assert forms.release_form("Nguyễn Văn An", True) is needs  # cached
    assert "Nguyễn Văn An" in needs.field("confirm").label.vi
    assert _errors(needs, {"confirm": True}) == {"negative_test_date"}
    assert _errors(needs, {"negative_test_date": TODAY}) == {"confirm"}
    assert _errors(needs, {"negative_test_date": TODAY + timedelta(days=1), "confirm": True}) == {
        "negative_test_date"
    }
    assert not _errors(forms.release_form("Nguyễn Văn An", False), {"confirm": True})
    assert "\\*" in forms.release_form("Trần *Bình*", False).field("confirm").label.vi


def test_trace_window():
    form = forms.trace_form(60)
    assert form.validate({}, now=NOW)["window_minutes"] == 60
    assert form.validate({"window_minutes": "1440"}, now=NOW)["window_minutes"] == 1440
    assert _errors(form, {"window_minutes": "0"}) == {"window_minutes"}
    assert _errors(form, {"search": "x" * 41}) == {"search"}


# -- hypothesis: any raw answers --------------------------------------------------------------

anything = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.one_of(st.text(max_size=10), st.integers()), max_size=4),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([UTC, None])),
    st.sampled_from(["36,8", "0905123456", "048090000001", "pcr", "fever", "10/09/2021"]),
)


@pytest.mark.parametrize("form", ALL_FORMS, ids=lambda f: f.id)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_raw_answers_give_values_or_form_invalid(form, data):
    names = [f.name for f in form.input_fields] + ["unknown"]
    raw = data.draw(st.dictionaries(st.sampled_from(names), anything))
    try:
        values = form.validate(raw, now=NOW)
    except FormInvalid as exc:
        assert exc.errors and set(exc.errors) <= set(names)
        for error in exc.errors.values():
            assert error.message
        return
    if form is forms.REPORT:
        assert forms.SPO2[0] <= values["spo2"] <= forms.SPO2[1]
        assert forms.TEMPERATURE[0] <= values["temperature"] <= forms.TEMPERATURE[1]
        at = values["measured_at"]
        assert at is None or NOW - timedelta(days=2) <= at <= NOW + timedelta(minutes=5)
    if form in (forms.ENROL_F0, forms.ENROL_F1):
        assert values["person_id"] and values["ward_code"] is not None
