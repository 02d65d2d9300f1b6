"""Tampering and fuzzing: no change to a valid token verifies, no input makes verify raise."""

from __future__ import annotations

import zlib

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.qr import Reason, Signer, TokenVerdict, TrustList, verify
from core.qr.codec import ALPHABET, b45decode, b45encode
from tests.core.qr.conftest import EXP, NOW

EXPECTED = {"TP1:"}


def _refused(text, trust) -> Reason:
    v = verify(text, trust=trust, now=NOW)
    assert isinstance(v, TokenVerdict)
    assert not v.ok, f"accepted a tampered token: {text!r}"
    return v.reason


def test_every_symbol_at_every_position_is_refused(token, trust):
    """Exhaustive: each of the ~300 positions replaced by every other base45 symbol
    (~13,000 variants), plus a lowercase and a non-ASCII character."""
    assert verify(token, trust=trust, now=NOW).ok
    seen: set[Reason] = set()
    for i, old in enumerate(token):
        for c in ALPHABET + "aé":
            if c != old:
                seen.add(_refused(token[:i] + c + token[i + 1 :], trust))
    # the prefix area yields BAD_PREFIX / BAD_SIGNATURE (prefix bound), the body the rest
    assert {Reason.BAD_PREFIX, Reason.BAD_SIGNATURE, Reason.BAD_BASE45} <= seen


@pytest.mark.parametrize("seed", range(4))
def test_every_symbol_change_is_refused_for_fresh_tokens(seed):
    """Same, over fresh keys and token ids: the last deflate byte's padding bits differ per
    token, and a token with free padding bits once verified after a one-symbol change."""
    signer = Signer(ed25519.Ed25519PrivateKey.generate(), issuer="DN")
    trust = TrustList()
    trust.add_public_key(signer.public_key)
    token = signer.sign("TP1:", {"n": f"Trần Văn {seed}"}, token_id=f"T{seed}", expires=EXP)
    for i, old in enumerate(token):
        for c in ALPHABET:
            if c != old:
                _refused(token[:i] + c + token[i + 1 :], trust)


def test_nonzero_deflate_padding_is_refused(signer, trust):
    """zlib ignores the unused high bits of the last deflate byte; we require them zero."""
    # claims with repeats, so the token is fixed-Huffman coded rather than a stored block
    # (today's compact permit is stored: it does not compress); padding width varies per token
    claims = {"n": "Nguyễn Thị Thu Hà", "c": "********1234", "b": "0401234567", "w": [20194]}
    for n in range(2000):
        token = signer.sign("TP1:", claims, token_id=f"P{n}", expires=EXP)
        z = b45decode(token[4:])
        out = zlib.decompress(z)
        for bit in range(7, 0, -1):
            b = bytearray(z)
            b[-5] |= 1 << bit
            if b[-5] == z[-5]:
                continue
            try:
                same = zlib.decompress(bytes(b)) == out
            except zlib.error:
                same = False
            if same:
                v = verify("TP1:" + b45encode(bytes(b)), trust=trust, now=NOW)
                assert v.reason is Reason.BAD_COMPRESSION
                return
    pytest.fail("no token with free padding bits found")


def test_nonzero_stored_block_padding_is_refused(signer, trust):
    """A stored deflate block skips to a byte boundary after its 3 header bits: 5 more
    ignored bits, also required to be zero (not reachable by one base45 change, but by a
    byte change)."""
    token = signer.sign("TP1:", {"i": 1}, token_id="S1", expires=EXP)
    z = bytearray(b45decode(token[4:]))
    assert (z[2] >> 1) & 3 == 0  # tiny tokens do not compress: zlib stores them
    z[2] |= 0x80
    assert zlib.decompress(bytes(z)) == zlib.decompress(b45decode(token[4:]))
    v = verify("TP1:" + b45encode(bytes(z)), trust=trust, now=NOW)
    assert v.reason is Reason.BAD_COMPRESSION


def test_every_deletion_and_duplication_is_refused(token, trust):
    for i in range(len(token)):
        _refused(token[:i] + token[i + 1 :], trust)
        _refused(token[:i] + token[i] + token[i:], trust)
    _refused(token + "0", trust)
    _refused(token + "00", trust)


def test_every_byte_of_the_cose_message_is_protected(token, trust):
    """Flip each byte of the decompressed COSE_Sign1 (low bit, and all bits), re-compress and
    re-encode so the outer layers are valid: every variant is still refused."""
    raw = zlib.decompress(b45decode(token[4:]))
    for i in range(len(raw)):
        for mask in (0x01, 0xFF):
            b = bytearray(raw)
            b[i] ^= mask
            _refused("TP1:" + b45encode(zlib.compress(bytes(b))), trust)


def test_every_byte_of_the_zlib_stream_is_protected(token, trust):
    z = b45decode(token[4:])
    for i in range(len(z)):
        b = bytearray(z)
        b[i] ^= 0x01
        _refused("TP1:" + b45encode(bytes(b)), trust)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=600))
def test_random_text_never_raises(trust, text):
    v = verify(text, trust=trust, now=NOW, expected_prefixes=EXPECTED)
    assert isinstance(v, TokenVerdict) and not v.ok


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=ALPHABET, max_size=600))
def test_random_base45_never_raises(trust, body):
    v = verify("TP1:" + body, trust=trust, now=NOW)
    assert isinstance(v, TokenVerdict) and not v.ok


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400))
def test_random_compressed_bytes_never_raise(trust, data):
    v = verify("TP1:" + b45encode(zlib.compress(data)), trust=trust, now=NOW)
    assert isinstance(v, TokenVerdict) and not v.ok


_cbor = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64 - 1)
    | st.floats()
    | st.binary(max_size=40)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.integers(-300, 300) | st.text(max_size=3), inner, max_size=5)
        | st.builds(cbor2.CBORTag, st.sampled_from([18, 61, 1, 0, 24]), inner)
    ),
    max_leaves=20,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_cbor)
def test_random_cbor_never_raises(trust, obj):
    try:
        data = cbor2.dumps(obj)
    except Exception:
        return
    v = verify("TP1:" + b45encode(zlib.compress(data)), trust=trust, now=NOW)
    assert isinstance(v, TokenVerdict) and not v.ok


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_mutated_valid_tokens_never_raise(token, trust, data):
    text = token
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text)))
        op = data.draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
        c = data.draw(st.characters())
        if op == "replace" and i < len(text):
            text = text[:i] + c + text[i + 1 :]
        elif op == "insert":
            text = text[:i] + c + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + 1 :]
        else:
            text = text[:i]
    v = verify(text, trust=trust, now=NOW, expected_prefixes=EXPECTED)
    assert isinstance(v, TokenVerdict)
    assert v.ok == (text == token)
