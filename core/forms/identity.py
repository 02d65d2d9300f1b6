"""National identifiers and names, one parser each, shared by every app.

- CCCD (căn cước công dân): 12 digits. Digits 1-3 are the code of the province where the birth
  was registered (the 63 codes of Circular 07/2016/TT-BCA; the 2025 provinces kept a subset of
  them), digit 4 is the century and sex (0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s...),
  digits 5-6 the last two digits of the birth year.
- Passport: 6 to 9 letters and digits (ICAO Doc 9303 allows up to 9; many countries' passports
  are digits only).
- Person id: a CCCD when it is 12 digits, otherwise a passport number.
- Phone: a Vietnamese mobile or landline (Google's libphonenumber metadata for VN, matched by a
  compiled pattern so a 50,000-row roster stays fast), stored as ``0xxxxxxxxx``; a foreign
  number in international form (``+1 202 555 0143``), stored as E.164.
- Person name: letters of any script with their marks, spaces, ``.``, ``'`` and ``-``.
- Tax code (mã số thuế): python-stdnum's ``vn.mst`` (10 digits, or 13 with a branch).
- Vehicle plate: ``43A-123.45`` style.

Every parser takes a raw value (text from a form, or a spreadsheet cell) and returns the clean
value or raises ``FieldError``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache

from core.forms.errors import FieldError

CCCD_PROVINCES: frozenset[str] = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034"
    " 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068"
    " 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)
MAX_AGE = 120
PASSPORT_KEY_BASE = 10**12

_SEPARATORS = re.compile(r"[\s.\-_/]")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")
_PASSPORT = re.compile(r"[A-Z0-9]{6,9}")
_PLATE = re.compile(r"\d{2}[A-Z]{1,2}\d?\d{4,5}")
_PLATE_SEPARATORS = re.compile(r"[\s.\-]")
_NAME_PUNCT = frozenset(" .'-’")


def nfc(text: str) -> str:
    """``text`` in composed form (NFC); cheap when it already is."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def code_text(value: object) -> str:
    """A code typed in a cell, as text: a spreadsheet's 48090001234.0 reads as 48090001234,
    and a leading apostrophe (the spreadsheet's "this is text" mark, which exports add before
    ``+84...``) is dropped."""
    if isinstance(value, str):
        text = nfc(value).strip()
        return text[1:].lstrip() if text.startswith("'") else text
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or value is None:
        return ""
    return nfc(str(value)).strip()


# -- CCCD, passport, person id ----------------------------------------------------------------


def cccd_birth_year(cccd: str) -> int:
    """The birth year a (well-formed) CCCD encodes."""
    return 1900 + 100 * (int(cccd[3]) // 2) + int(cccd[4:6])


def cccd_sex(cccd: str) -> str:
    """'M' or 'F', as digit 4 of a CCCD encodes it."""
    return "F" if int(cccd[3]) % 2 else "M"


def compose_cccd(province: int, birth_year: int, sex: str, serial: int) -> str:
    """A well-formed CCCD for demo data and tests: the province code of birth registration,
    the century/sex digit, the birth year's last two digits and a 6-digit serial."""
    century = (birth_year // 100 - 19) * 2 + (1 if sex == "F" else 0)
    if not 0 <= century <= 9 or not 0 <= serial < 10**6 or f"{province:03d}" not in CCCD_PROVINCES:
        raise ValueError("no CCCD for these values")
    return f"{province:03d}{century}{birth_year % 100:02d}{serial:06d}"


def parse_cccd(value: object, *, this_year: int) -> str:
    """A 12-digit CCCD with a real province code and a possible birth year."""
    text = _SEPARATORS.sub("", code_text(value))
    if not text:
        raise FieldError("forms.err.required")
    if not text.isascii() or not text.isdigit():
        raise FieldError("forms.err.cccd_digits")
    if len(text) == 11:
        raise FieldError("forms.err.cccd_11")
    if len(text) != 12:
        raise FieldError("forms.err.cccd_length", n=len(text))
    if text[:3] not in CCCD_PROVINCES:
        raise FieldError("forms.err.cccd_province", code=text[:3])
    year = cccd_birth_year(text)
    if year > this_year or year < this_year - MAX_AGE:
        raise FieldError("forms.err.cccd_year", year=year)
    return text


def parse_passport(value: object) -> str:
    """6-9 letters and digits, upper case; spaces and dashes ignored."""
    text = _SEPARATORS.sub("", code_text(value)).upper()
    if not text:
        raise FieldError("forms.err.required")
    if not text.isascii() or not _PASSPORT.fullmatch(text):
        raise FieldError("forms.err.passport")
    return text


def parse_person_id(value: object, *, this_year: int) -> str:
    """A CCCD (12 digits, checked as such) or else a passport number."""
    text = _SEPARATORS.sub("", code_text(value)).upper()
    if not text:
        raise FieldError("forms.err.required")
    if text.isdigit() and len(text) >= 10:
        return parse_cccd(text, this_year=this_year)
    if not text.isascii() or not _PASSPORT.fullmatch(text):
        raise FieldError("forms.err.person_id")
    return text


def normalize_person_id(value: object) -> str:
    """The lenient form every app uses to look a person up (no format check): separators
    removed, upper case. Matches what ``parse_person_id`` returns for a valid id."""
    return _SEPARATORS.sub("", code_text(value)).upper()


def person_key(person_id: str) -> int:
    """An integer key of a person id, stored beside it so large scans compare integers.

    CCCD: the number itself (< 10^12). Passport: 10^12 + a 56-bit BLAKE2b hash. Callers also
    compare the id itself, so a hash collision never mixes two people.
    """
    pid = normalize_person_id(person_id)
    if len(pid) == 12 and pid.isdigit():
        return int(pid)
    digest = hashlib.blake2b(pid.encode(), digest_size=7).digest()
    return PASSPORT_KEY_BASE + int.from_bytes(digest, "big")


# -- phone ----------------------------------------------------------------------------------------


@cache
def _vn_phone() -> re.Pattern[str]:
    """Vietnamese mobile and fixed-line numbers (national form without the leading 0), from
    libphonenumber's metadata: the same rule ``phonenumbers.is_valid_number`` applies."""
    from phonenumbers import PhoneMetadata

    meta = PhoneMetadata.metadata_for_region("VN")
    mobile = meta.mobile.national_number_pattern
    fixed = meta.fixed_line.national_number_pattern
    return re.compile(f"(?:{mobile})|(?:{fixed})")


@cache
def _vn_mobile() -> re.Pattern[str]:
    from phonenumbers import PhoneMetadata

    return re.compile(PhoneMetadata.metadata_for_region("VN").mobile.national_number_pattern)


def parse_phone(value: object, *, mobile_only: bool = False, foreign: bool = True) -> str:
    """A Vietnamese number as ``0xxxxxxxxx`` (``+84``/``84``/``0084`` forms accepted; a 9-digit
    mobile whose leading 0 a spreadsheet dropped is restored), or a foreign number in
    international form as E.164 (``+12025550143``)."""
    text = code_text(value)
    if len(text) == 10 and text[0] == "0" and text.isdigit() and text.isascii():
        pattern = _vn_mobile() if mobile_only else _vn_phone()
        if pattern.fullmatch(text, 1):
            return text
    text = _PHONE_SEPARATORS.sub("", text)
    if not text:
        raise FieldError("forms.err.required")
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+"):
        if text.startswith("+84"):
            text = "0" + text[3:]
        elif not foreign:
            raise FieldError("forms.err.phone")
        else:
            return _foreign_phone(text)
    elif text.startswith("84") and len(text) in (11, 12):
        text = "0" + text[2:]
    elif len(text) == 9 and text[0] in "35789":
        text = "0" + text
    if not text.isascii() or not text.isdigit() or not text.startswith("0"):
        raise FieldError("forms.err.phone")
    pattern = _vn_mobile() if mobile_only else _vn_phone()
    if not pattern.fullmatch(text[1:]):
        raise FieldError("forms.err.phone_mobile" if mobile_only else "forms.err.phone")
    return text


def _foreign_phone(text: str) -> str:
    import phonenumbers

    if len(text) > 20 or not text[1:].isdigit():
        raise FieldError("forms.err.phone")
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise FieldError("forms.err.phone") from None
    if not phonenumbers.is_valid_number(number):
        raise FieldError("forms.err.phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# -- names, tax code, plate -------------------------------------------------------------------------


_SIMPLE_NAME = re.compile(r"[^\W\d_]+(?:[ .'’-]+[^\W\d_]+)*[.]?")


def parse_person_name(value: object, *, max_length: int = 100) -> str:
    """A person's name: NFC, single spaces, letters (any script) with their marks and
    ``. ' -`` between them; digits, symbols and markup are refused."""
    text = " ".join(nfc(str(value if value is not None else "")).split())
    if 2 <= len(text) <= max_length and _SIMPLE_NAME.fullmatch(text):
        return text
    if not text:
        raise FieldError("forms.err.required")
    if len(text) > max_length:
        raise FieldError("forms.err.too_long", max=max_length)
    if len(text) < 2:
        raise FieldError("forms.err.name_short")
    if not unicodedata.category(text[0]).startswith("L"):
        raise FieldError("forms.err.name_chars")
    for ch in text:
        if ch in _NAME_PUNCT:
            continue
        if not unicodedata.category(ch).startswith(("L", "M")):
            raise FieldError("forms.err.name_chars")
    return text


def parse_tax_code(value: object) -> str:
    """A Vietnamese tax code: ``0401234567`` or a branch ``0401234567-001``."""
    from stdnum.exceptions import ValidationError
    from stdnum.vn import mst

    text = code_text(value)
    if not text:
        raise FieldError("forms.err.required")
    try:
        number = mst.validate(text)
    except ValidationError as exc:
        key = "forms.err.tax_code_check" if "checksum" in type(exc).__name__.lower() else None
        raise FieldError(key or "forms.err.tax_code") from None
    return mst.format(number)


def parse_plate(value: object) -> str:
    """A vehicle plate such as ``43A-123.45`` or ``43-B1 234.56``, upper case."""
    text = " ".join(code_text(value).upper().split())
    if not text:
        raise FieldError("forms.err.required")
    if not _PLATE.fullmatch(_PLATE_SEPARATORS.sub("", text)):
        raise FieldError("forms.err.plate")
    return text
