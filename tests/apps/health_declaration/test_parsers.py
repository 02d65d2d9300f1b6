"""Hypothesis tests for every form-field parser."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.health_declaration import models as m

ANY = st.text(max_size=12_000)


def _ok_or_field_error(fn, value, *args, **kw):
    try:
        return fn(value, *args, **kw)
    except m.FieldError as exc:
        assert exc.key.startswith("hd.err.")
        return None


@given(st.from_regex(r"\A\d{12}\Z"))
def test_cccd_accepts_12_digits(value):
    assert m.parse_person_id(value) == value
    assert m.person_key(value) == int(value)


@given(st.from_regex(r"\A\d{1,11}\Z") | st.from_regex(r"\A\d{13,30}\Z"))
def test_cccd_wrong_length(value):
    assert _ok_or_field_error(m.parse_person_id, value) is None


@settings(max_examples=200)
@given(ANY, st.sampled_from(["cccd", "passport"]))
def test_person_id_never_crashes(value, kind):
    out = _ok_or_field_error(m.parse_person_id, value, kind)
    if out is not None:
        assert (len(out) == 12 and out.isdigit()) if kind == "cccd" else 6 <= len(out) <= 9


@given(st.from_regex(r"\A[A-Z][0-9]{7}\Z"))
def test_passport_key_distinct_from_cccd(value):
    assert m.parse_person_id(value, "passport") == value
    assert m.person_key(value) >= m.PASSPORT_KEY_BASE


@given(
    st.sampled_from(["3", "5", "7", "8", "9"]),
    st.from_regex(r"\A\d{8}\Z"),
    st.sampled_from(["0", "+84", "84"]),
)
def test_phone_vietnamese_forms(first, rest, prefix):
    assert m.parse_phone(prefix + first + rest) == "0" + first + rest


@settings(max_examples=200)
@given(ANY)
def test_phone_never_crashes(value):
    out = _ok_or_field_error(m.parse_phone, value)
    if out is not None:
        assert out.startswith("0") and out.isdigit() and len(out) in (10, 11)


@given(st.integers(min_value=-5000, max_value=5000))
def test_year_range(year):
    out = _ok_or_field_error(m.parse_birth_year, str(year), this_year=2021)
    assert (out == year) == (1901 <= year <= 2021)


@settings(max_examples=200)
@given(ANY)
def test_year_never_crashes(value):
    _ok_or_field_error(m.parse_birth_year, value, this_year=2021)


NAME_CHARS = st.characters(categories=("Lu", "Ll", "Lo", "Mn", "Zs", "Po", "Sm"))


@settings(max_examples=300)
@given(st.text(alphabet=NAME_CHARS, max_size=12_000) | ANY)
def test_name_nfc_no_html_bounded(value):
    out = _ok_or_field_error(m.parse_name, value)
    if out is not None:
        assert unicodedata.is_normalized("NFC", out)
        assert "<" not in out and ">" not in out and len(out) <= m.MAX_NAME
        assert out == " ".join(out.split())


@given(st.sampled_from(["Nguyễn Thị Thu Hà", "Đặng Văn Ánh", "Trần Quốc Toản", "O'Brien-Smith"]))
def test_name_nfd_becomes_nfc(name):
    assert m.parse_name(unicodedata.normalize("NFD", name)) == name


@settings(max_examples=200)
@given(ANY)
def test_text_bounded(value):
    out = _ok_or_field_error(m.parse_text, value)
    if out is not None:
        assert len(out) <= m.MAX_STREET and unicodedata.is_normalized("NFC", out)


def test_ten_thousand_chars_refused():
    for fn in (m.parse_name, m.parse_text, m.parse_phone, m.parse_person_id):
        assert _ok_or_field_error(fn, "a" * 10_000) is None


FORM_FIELDS = [
    "full_name",
    "birth_year",
    "phone",
    "street",
    "id_kind",
    "person_id",
    "sex",
    "nationality",
    "province_code",
    "ward_code",
    "symptoms",
    "exposures",
    "chronic",
    "vaccine_doses",
    "visited_countries",
    "visited_provinces",
    "committed",
]
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=300),
    st.lists(st.one_of(st.text(max_size=20), st.integers()), max_size=5),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(FORM_FIELDS), ANYTHING))
def test_a_whole_declaration_form_never_crashes(raw):
    """Whatever a form (or a crafted request) sends: a declaration, or messages per field."""
    try:
        m.validate_declaration(raw)
    except m.DeclarationInvalid as exc:
        assert exc.errors and all(key.startswith("hd.err.") for key, _ in exc.errors.values())
