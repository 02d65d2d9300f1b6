"""base45, prefix and zlib helpers against the reference ``base45`` package."""

from __future__ import annotations

import zlib

import base45
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.qr.codec import (
    CodecError,
    b45decode,
    b45encode,
    check_prefix,
    inflate,
    split_prefix,
)


def test_rfc9285_examples():
    assert b45encode(b"AB") == "BB8"
    assert b45encode(b"Hello!!") == "%69 VD92EX0"
    assert b45encode(b"base-45") == "UJCLQE7W581"
    assert b45decode("QED8WEX0") == b"ietf!"
    assert b45encode(b"") == "" and b45decode("") == b""


@given(st.binary(max_size=300))
def test_matches_reference_package(data):
    text = b45encode(data)
    assert text == base45.b45encode(data).decode()
    assert b45decode(text) == data


@given(st.text(max_size=60))
def test_decode_is_strict_and_agrees_with_reference(text):
    try:
        ours = b45decode(text)
    except CodecError:
        ours = None
    try:
        ref = base45.b45decode(text)
    except Exception:
        ref = None
    if ours is not None:
        assert ours == ref


@pytest.mark.parametrize("text", ["A", "GGW", "0ZZ", ":::", "abc", "ZZ", "AB\0"])
def test_decode_rejects(text):
    with pytest.raises(CodecError):
        b45decode(text)


def test_prefixes():
    assert split_prefix("HC1:ABC") == ("HC1:", "ABC")
    assert split_prefix("ABCDEFG8:X") == ("ABCDEFG8:", "X")
    for bad in ("H:ABC", "ABCDEFGHI:X", "hc1:A", "HC1"):
        with pytest.raises(CodecError):
            split_prefix(bad)
    assert check_prefix("TP1:") == "TP1:"
    with pytest.raises(ValueError):
        check_prefix("TP1")


def test_inflate_limits():
    assert inflate(zlib.compress(b"x" * 100)) == b"x" * 100
    with pytest.raises(CodecError):
        inflate(zlib.compress(b"x" * 100_000))
    with pytest.raises(CodecError):
        inflate(b"\x78\x9c")
    with pytest.raises(CodecError):
        inflate(b"not zlib")
