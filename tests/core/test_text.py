import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from core.text import formula_safe, mask_id, md_escape, nfc


@given(st.text(max_size=500))
def test_md_escape_leaves_no_markdown_syntax(value):
    out = md_escape(value)
    assert re.sub(r"\\(.)", r"\1", out, flags=re.S) == value
    unescaped = re.sub(r"\\.", "", out, flags=re.S)
    assert not set("[]()*_`#<>!|~") & set(unescaped)


@given(st.text(max_size=200))
def test_nfc_is_composed_and_trimmed(value):
    out = nfc(value)
    assert unicodedata.is_normalized("NFC", out) and out == out.strip()


def test_nfd_vietnamese_becomes_nfc():
    assert nfc(unicodedata.normalize("NFD", " Nguyễn Thị Ánh ")) == "Nguyễn Thị Ánh"


@given(st.text(max_size=50))
def test_formula_safe_never_starts_with_a_formula_character(value):
    out = formula_safe(value)
    assert not str(out).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_mask_id():
    assert mask_id("012345678901") == "********8901"
