"""National identifiers, phone numbers and names: one rule for every app."""

from __future__ import annotations

import unicodedata

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.forms import identity
from core.forms.errors import FieldError

YEAR = 2021


def key_of(fn, *args, **kw) -> str:
    with pytest.raises(FieldError) as info:
        fn(*args, **kw)
    return info.value.key


# -- CCCD ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("048090001234", "048090001234"),
        ("048 090 001 234", "048090001234"),
        ("048.090.001.234", "048090001234"),
        (" 001203000123 ", "001203000123"),  # Hà Nội, born 2003, male
        ("079185000123", "079185000123"),  # Hồ Chí Minh, born 1985, female
    ],
)
def test_cccd_accepts(raw, clean):
    assert identity.parse_cccd(raw, this_year=YEAR) == clean


@pytest.mark.parametrize(
    "raw, key",
    [
        ("", "forms.err.required"),
        ("04809000123a", "forms.err.cccd_digits"),
        ("٠٤٨٠٩٠٠٠١٢٣٤", "forms.err.cccd_digits"),  # Arabic-Indic digits are not ASCII
        (48090001234, "forms.err.cccd_11"),  # a spreadsheet dropped the leading zero
        ("0480900012", "forms.err.cccd_length"),
        ("0480900012345", "forms.err.cccd_length"),
        ("003090001234", "forms.err.cccd_province"),  # 003 is no province code
        ("099090001234", "forms.err.cccd_province"),
        ("048490001234", "forms.err.cccd_year"),  # century digit 4 = 2100s
        ("048222001234", "forms.err.cccd_year"),  # born 2022 > this year
        ("048000001234", "forms.err.cccd_year"),  # born 1900: older than 120
    ],
)
def test_cccd_refuses(raw, key):
    assert key_of(identity.parse_cccd, raw, this_year=YEAR) == key


def test_cccd_birth_year_and_sex():
    assert identity.cccd_birth_year("048185000123") == 1985
    assert identity.cccd_sex("048185000123") == "F"
    assert identity.cccd_birth_year("001203000123") == 2003
    assert identity.cccd_sex("001203000123") == "M"


def test_every_current_province_code_is_a_cccd_code():
    from core import geo

    assert {f"{p.code:03d}" for p in geo.provinces()} <= identity.CCCD_PROVINCES
    assert len(identity.CCCD_PROVINCES) == 63


# -- passport and person id ----------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["C1234567", "c 123-4567", "123456789", "AB12345", "X00000"])
def test_passport_accepts(raw):
    assert identity.parse_passport(raw) == raw.replace(" ", "").replace("-", "").upper()


@pytest.mark.parametrize("raw", ["C123", "1234567890", "AB12345É", "<script>"])
def test_passport_refuses(raw):
    assert key_of(identity.parse_passport, raw) == "forms.err.passport"


def test_person_id_is_cccd_or_passport():
    assert identity.parse_person_id("048 090 001 234", this_year=YEAR) == "048090001234"
    assert identity.parse_person_id("c1234567", this_year=YEAR) == "C1234567"
    assert identity.parse_person_id("123456789", this_year=YEAR) == "123456789"
    assert key_of(identity.parse_person_id, "48090001234", this_year=YEAR) == "forms.err.cccd_11"
    assert key_of(identity.parse_person_id, "AB", this_year=YEAR) == "forms.err.person_id"


def test_normalize_matches_parse_for_valid_ids():
    for raw in ("048 090 001 234", "c-1234567", "048.090.001.234"):
        assert identity.normalize_person_id(raw) == identity.parse_person_id(raw, this_year=YEAR)


def test_person_key():
    assert identity.person_key("048090001234") == 48090001234
    passport = identity.person_key("C1234567")
    assert passport > identity.PASSPORT_KEY_BASE
    assert identity.person_key("c 1234567") == passport


# -- phone -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("0905 123 456", "0905123456"),
        ("+84 905 123 456", "0905123456"),
        ("84905123456", "0905123456"),
        ("0084905123456", "0905123456"),
        ("(0236) 3821 234", "02363821234"),  # Da Nang landline
        ("0236 3821 234", "02363821234"),
        (905123456, "0905123456"),  # a spreadsheet dropped the leading zero
        ("0862.123.456", "0862123456"),
        ("+1 202 555 0143", "+12025550143"),  # a foreign visitor's number
        ("+33 6 12 34 56 78", "+33612345678"),
    ],
)
def test_phone_accepts(raw, clean):
    assert identity.parse_phone(raw) == clean


@pytest.mark.parametrize(
    "raw",
    ["0123456789", "0236382123", "12345", "090512345a", "+1 202", "+999 123 456 789", "+" * 30],
)
def test_phone_refuses(raw):
    assert key_of(identity.parse_phone, raw) == "forms.err.phone"


def test_phone_options():
    assert key_of(identity.parse_phone, "02363821234", mobile_only=True) == "forms.err.phone_mobile"
    assert identity.parse_phone("0905123456", mobile_only=True) == "0905123456"
    assert key_of(identity.parse_phone, "+12025550143", foreign=False) == "forms.err.phone"


@settings(max_examples=400, deadline=None)
@given(st.sampled_from("123456789"), st.text(alphabet="0123456789", min_size=7, max_size=11))
def test_vietnamese_numbers_follow_libphonenumber(first, digits):
    """The compiled fast path agrees with phonenumbers.is_valid_number for VN mobile/landline."""
    text = "0" + first + digits
    try:
        ours = identity.parse_phone(text)
    except FieldError:
        ours = None
    number = phonenumbers.parse(text, "VN")
    valid = phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    assert (ours is not None) == valid, text


# -- names, tax code, plate --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("Nguyễn   Văn An", "Nguyễn Văn An"),
        (unicodedata.normalize("NFD", "Trần Thị Ánh"), "Trần Thị Ánh"),
        ("O'Brien", "O'Brien"),
        ("Jean-Luc Picard", "Jean-Luc Picard"),
        ("Đặng Thị Mỹ Dung", "Đặng Thị Mỹ Dung"),
        ("李小龍", "李小龍"),
    ],
)
def test_person_name_accepts(raw, clean):
    assert identity.parse_person_name(raw) == clean


@pytest.mark.parametrize(
    "raw, key",
    [
        ("Nguyen2", "forms.err.name_chars"),
        ("<b>An</b>", "forms.err.name_chars"),
        ("-An", "forms.err.name_chars"),
        ("A", "forms.err.name_short"),
        ("   ", "forms.err.required"),
        ("A" * 101, "forms.err.too_long"),
    ],
)
def test_person_name_refuses(raw, key):
    assert key_of(identity.parse_person_name, raw) == key


def test_tax_code():
    assert identity.parse_tax_code("0100109106") == "0100109106"
    assert identity.parse_tax_code("0100109106001") == "0100109106-001"
    assert identity.parse_tax_code(" 0100109106-001 ") == "0100109106-001"
    assert key_of(identity.parse_tax_code, "0100109107") == "forms.err.tax_code_check"
    assert key_of(identity.parse_tax_code, "0100109106-000") == "forms.err.tax_code"
    assert key_of(identity.parse_tax_code, "01001") == "forms.err.tax_code"


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=999_999_999))
def test_tax_code_check_digit_is_the_general_department_of_taxation_rule(n):
    """Weights 31 29 23 19 17 13 7 5 3; check = 10 - sum mod 11 (no code when that is 10);
    a serial of all zeros (digits 3-9) is no code either."""
    first9 = f"{n:09d}"
    if first9[2:] == "0000000":
        return
    total = sum(int(d) * w for d, w in zip(first9, (31, 29, 23, 19, 17, 13, 7, 5, 3), strict=True))
    check = 10 - total % 11
    for digit in range(10):
        text = first9 + str(digit)
        try:
            identity.parse_tax_code(text)
            ok = True
        except FieldError:
            ok = False
        assert ok == (check == digit), text


def test_plate():
    assert identity.parse_plate("43a-123.45") == "43A-123.45"
    assert identity.parse_plate("43-B1 234.56") == "43-B1 234.56"
    assert key_of(identity.parse_plate, "ABC") == "forms.err.plate"


# -- anything at all ----------------------------------------------------------------------------------

ANY = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.binary(max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(ANY)
def test_parsers_raise_only_field_errors(value):
    for parse in (
        lambda v: identity.parse_cccd(v, this_year=YEAR),
        identity.parse_passport,
        lambda v: identity.parse_person_id(v, this_year=YEAR),
        identity.parse_phone,
        identity.parse_person_name,
        identity.parse_tax_code,
        identity.parse_plate,
    ):
        try:
            out = parse(value)
        except FieldError:
            continue
        assert isinstance(out, str) and out == unicodedata.normalize("NFC", out)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(identity.CCCD_PROVINCES)),
    st.integers(min_value=YEAR - identity.MAX_AGE, max_value=YEAR),
    st.sampled_from("MF"),
    st.integers(min_value=0, max_value=999_999),
)
def test_composed_cccds_are_valid_and_carry_year_and_sex(province, year, sex, serial):
    cccd = identity.compose_cccd(int(province), year, sex, serial)
    assert identity.parse_cccd(cccd, this_year=YEAR) == cccd
    assert identity.cccd_birth_year(cccd) == year and identity.cccd_sex(cccd) == sex
