"""Every field type's parser, through a one-field form, and hypothesis over all of them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.forms import Field, FieldError, Form, FormInvalid, Upload, choice_list
from core.forms.types import TYPES

NOW = datetime(2021, 9, 10, 1, 30, 0, 123457, tzinfo=UTC)  # 08:30 in Vietnam
COLOURS = choice_list(
    "colours", [("g", "Xanh", "Green"), ("y", "Vàng", "Yellow"), ("r", "Đỏ", "Red")]
)


def one(type_: str, raw, **kw):
    """Validate ``raw`` in a form of one optional field of ``type_``; the value or the key."""
    form = Form("tt", "T", [Field("x", type_, ("X", "X"), **kw)], choices=[COLOURS])
    try:
        return form.validate({"x": raw}, now=NOW)["x"]
    except FormInvalid as exc:
        return exc.errors["x"].key


def test_text():
    assert one("text", "  a   b ") == "a b"
    assert one("text", "a\nb", appearance="multiline") == "a\nb"
    assert one("text", "a\x00b") == "forms.err.control_chars"
    assert one("text", "x" * 11, parameters={"max_length": 10}) == "forms.err.too_long"
    assert one("text", "x", parameters={"min_length": 2}) == "forms.err.too_short"
    assert one("text", "   ") is None
    assert one("text", 12.0) == "12"


def test_numbers():
    assert one("integer", " 12 ") == 12
    assert one("integer", 3.0) == 3
    assert one("integer", "3.5") == "forms.err.integer"
    assert one("integer", True) == "forms.err.integer"
    assert one("integer", "11", parameters={"max": 10}) == "forms.err.too_large"
    assert one("integer", "-1", parameters={"min": 0}) == "forms.err.too_small"
    assert one("integer", 10**20) == "forms.err.too_large"
    assert one("decimal", "36,8") == 36.8
    assert one("decimal", "36.8") == 36.8
    assert one("decimal", float("inf")) == "forms.err.decimal"
    assert one("decimal", "36,85", parameters={"decimals": 1}) == pytest.approx(36.9, abs=0.06)
    assert one("birth_year", "1985") == 1985
    assert one("birth_year", "2022") == "forms.err.year_future"
    assert one("birth_year", "1900") == "forms.err.year_old"
    assert one("birth_year", "85") == "forms.err.year_old"
    assert one("birth_year", "abc") == "forms.err.year"


def test_dates_and_times():
    assert one("date", "10/09/2021") == date(2021, 9, 10)
    assert one("date", "2021-09-10") == date(2021, 9, 10)
    assert one("date", "1-9-2021") == date(2021, 9, 1)
    assert one("date", "31/02/2021") == "forms.err.date"
    assert one("date", datetime(2021, 9, 10, 5)) == date(2021, 9, 10)
    assert one("date", "01/01/2020", parameters={"min": "2021-01-01"}) == "forms.err.date_min"
    # a local wall-clock time is stored as UTC
    assert one("datetime", "10/09/2021 08:30") == datetime(2021, 9, 10, 1, 30, tzinfo=UTC)
    assert one("datetime", "2021-09-10T08:30:00+07:00") == datetime(2021, 9, 10, 1, 30, tzinfo=UTC)
    assert one("datetime", "soon") == "forms.err.datetime"
    # the calendar's first day has no UTC equivalent east of Greenwich: an error, not a crash
    assert one("datetime", date(1, 1, 1)) == "forms.err.datetime"
    assert one("datetime", datetime(1, 1, 1)) == "forms.err.datetime"
    assert one("time", "06:00") == 360
    assert one("time", "24:00") == 1440
    assert one("time", time(20, 30)) == 1230
    assert one("time", "25:00") == "forms.err.time"
    assert one("time", "6:75") == "forms.err.time"


def test_choices():
    assert one("select_one colours", "g") == "g"
    assert one("select_one colours", "Vàng") == "y"
    assert one("select_one colours", "vang") == "y"  # no diacritics, any case
    assert one("select_one colours", "RED") == "r"
    assert one("select_one colours", "blue") == "forms.err.choice"
    assert one("select_multiple colours", ["r", "g", "r"]) == ["g", "r"]  # list order, once
    assert one("select_multiple colours", "Đỏ, Xanh") == ["g", "r"]
    assert one("select_multiple colours", "g y") == ["g", "y"]
    assert one("select_multiple colours", ["g", "x"]) == "forms.err.choice"
    assert one("select_multiple colours", ["g", "y"], parameters={"max_selected": 1}) == (
        "forms.err.too_many"
    )


def test_builtin_lists():
    assert one("select_one provinces", "Thành phố Đà Nẵng") == 48
    assert one("select_one provinces", 48) == 48
    assert one("select_one provinces", "48") == 48
    assert one("select_one countries", "US") == "US"
    assert one("select_one countries", "Hoa Kỳ") == "US"
    assert one("select_one countries", "France") == "FR"
    hai_chau = one("select_one wards", "Phường Hải Châu")
    assert one("select_one wards", "phuong hai chau") == hai_chau
    assert one("select_one wards", "Hải Châu", choice_filter="province = 48") == hai_chau


def test_yes_no_and_acknowledge():
    for word in ("có", "Yes", "x", "1", True):
        assert one("yes_no", word) is True
    for word in ("không", "no", "0", False):
        assert one("yes_no", word) is False
    assert one("yes_no", "maybe") == "forms.err.yes_no"
    assert one("acknowledge", True) is True
    assert one("acknowledge", False) is None
    form = Form("tt", "T", [Field("ok", "acknowledge", ("Cam kết", "I commit"), required=True)])
    with pytest.raises(FormInvalid) as info:
        form.validate({"ok": False})
    assert info.value.errors["ok"].key == "forms.err.required"


def test_identifiers_through_forms():
    assert one("cccd", "048 090 001 234") == "048090001234"
    assert one("phone", "0236 3821 234") == "02363821234"
    assert one("person_name", "Nguyen2") == "forms.err.name_chars"
    assert one("person_id", "c1234567") == "C1234567"
    assert one("tax_code", "0100109106") == "0100109106"
    assert one("vehicle_plate", "43a-123.45") == "43A-123.45"


def test_file():
    png = b"\x89PNG\r\n\x1a\n" + b"x" * 10
    assert one("file", ("a.png", png), parameters={"accept": "png,pdf"}) == png
    assert one("file", Upload("a.pdf", png), parameters={"accept": "png,pdf"}) == (
        "forms.err.file_type"
    )
    assert one("file", ("a.png", b"x" * 2_000_001), parameters={"max_mb": 2}) == (
        "forms.err.file_size"
    )
    assert one("file", "not a file") == "forms.err.file"


ANY = st.recursive(
    st.one_of(
        st.none(),
        st.text(max_size=50),
        st.integers(),
        st.floats(),
        st.booleans(),
        st.dates(),
        st.datetimes(),
        st.times(),
        st.binary(max_size=10),
    ),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=6,
)
TYPED = [name for name, kind in TYPES.items() if kind.build is not None and name != "table"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(TYPED), ANY)
def test_every_type_returns_a_value_or_a_field_error(name, raw):
    type_ = f"{name} colours" if TYPES[name].needs_list else name
    form = Form("tt", "T", [Field("x", type_, ("X", "X"))], choices=[COLOURS])
    try:
        form.validate({"x": raw}, now=NOW)
    except FormInvalid as exc:
        assert set(exc.errors) == {"x"}
        assert isinstance(exc.errors["x"], FieldError)
        assert exc.errors["x"].message  # a message exists in the catalogue


def test_every_message_key_exists_in_both_languages():
    from core.forms.messages import catalog

    texts = catalog()
    for key, entry in texts.items():
        assert set(entry) == {"vi", "en"} and all(entry.values()), key
