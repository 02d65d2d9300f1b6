"""Round trip and one test per verdict reason."""

from __future__ import annotations

import time
import zlib
from datetime import timedelta

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from core.qr import (
    MAX_TOKEN_CHARS,
    DecodedToken,
    Reason,
    Signer,
    TokenClaims,
    TrustList,
    decode_unverified,
    verify,
)
from core.qr.codec import b45decode, b45encode
from core.qr.cose import Sign1Encoder
from core.qr.sign import APP_CLAIM
from tests.core.qr.conftest import EXP, NBF, NOW


def _reseal(token: str, raw: bytes, prefix: str | None = None) -> str:
    return (prefix or token[:4]) + b45encode(zlib.compress(raw))


def _raw(token: str) -> bytes:
    return zlib.decompress(b45decode(token[4:]))


def test_round_trip_valid(token, trust, signer, permit_claims):
    v = verify(token, trust=trust, now=NOW, expected_prefixes={"TP1:"})
    assert v.ok and v.reason is Reason.VALID
    assert v.claims == permit_claims
    assert v.token_id == "TP25000123"
    assert v.type_prefix == "TP1:"
    assert v.kid == signer.kid and v.alg == "EdDSA"
    assert v.issuer == "DN"
    assert (v.not_before, v.issued_at, v.expires_at) == (NBF, NBF, EXP)


def test_reason_is_a_string():
    assert Reason.VALID == "VALID" and Reason("EXPIRED") is Reason.EXPIRED


def test_typical_permit_size(token):
    """Measured: ~285 characters (version 10 at error correction M holds 311). The claims carry
    only what a checkpoint needs (name, last 4 CCCD digits, wards, hours: no tax code); the
    signature (64 B + 2 B CBOR head), COSE framing with the 8-byte kid and zlib take ~100 B of
    it whatever the claims. The largest realistic permit's QR version is checked in
    tests/security (issue 14 item 20) and measured by benchmarks/qr_size.py."""
    assert len(token) <= 290


def test_time_boundaries(token, trust):
    assert verify(token, trust=trust, now=NBF).reason is Reason.VALID
    assert verify(token, trust=trust, now=EXP - timedelta(seconds=1)).reason is Reason.VALID
    assert verify(token, trust=trust, now=EXP).reason is Reason.EXPIRED
    assert verify(token, trust=trust, now=NBF - timedelta(seconds=1)).reason is Reason.NOT_YET_VALID
    skewed = verify(token, trust=trust, now=EXP, leeway=timedelta(minutes=5))
    assert skewed.reason is Reason.VALID


def test_expired(token, trust):
    v = verify(token, trust=trust, now=EXP + timedelta(days=1))
    assert not v.ok and v.reason is Reason.EXPIRED
    assert v.token_id == "TP25000123"  # authenticated details are still shown


def test_not_yet_valid(token, trust):
    assert verify(token, trust=trust, now=NBF - timedelta(hours=1)).reason is Reason.NOT_YET_VALID


def test_unknown_key(token):
    other = TrustList()
    other.add_public_key(ed25519.Ed25519PrivateKey.generate().public_key())
    assert verify(token, trust=other, now=NOW).reason is Reason.UNKNOWN_KEY


def test_revoked(token, trust):
    revoked = {f"TP{i:08d}" for i in range(100_000)}
    assert verify(token, trust=trust, now=NOW, revoked=revoked).reason is Reason.VALID
    revoked.add("TP25000123")
    assert verify(token, trust=trust, now=NOW, revoked=revoked).reason is Reason.REVOKED


def test_key_compromised(token, trust, signer):
    trust.set_status(signer.kid, "compromised")
    assert verify(token, trust=trust, now=NOW).reason is Reason.KEY_COMPROMISED


def test_retired_key_still_valid(token, trust, signer):
    trust.set_status(signer.kid, "retired")
    assert verify(token, trust=trust, now=NOW).reason is Reason.VALID


def test_alg_not_allowed(signer, trust, permit_claims):
    """A token claiming ES256 under our Ed25519 kid is refused before any signature check."""
    enc = Sign1Encoder(-7, signer.kid)
    payload = cbor2.dumps({4: int(EXP.timestamp()), 7: b"x", APP_CLAIM: permit_claims})
    tbs = enc.to_be_signed(payload, b"TP1:")
    forged = "TP1:" + b45encode(zlib.compress(enc.message(payload, signer.sign_bytes(tbs))))
    assert verify(forged, trust=trust, now=NOW).reason is Reason.ALG_NOT_ALLOWED
    unknown_alg = Sign1Encoder(-999, signer.kid)
    forged = "TP1:" + b45encode(zlib.compress(unknown_alg.message(payload, b"\0" * 64)))
    assert verify(forged, trust=trust, now=NOW).reason is Reason.ALG_NOT_ALLOWED


def test_key_type_decides_alg():
    tl = TrustList()
    e = tl.add_public_key(ec.generate_private_key(ec.SECP256R1()).public_key())
    assert e.algs == {"ES256"}


def test_wrong_type(token, trust):
    v = verify(token, trust=trust, now=NOW, expected_prefixes={"HD1:", "HI1:"})
    assert v.reason is Reason.WRONG_TYPE and v.type_prefix == "TP1:"


def test_relabelled_prefix_breaks_signature(token, trust):
    """The prefix is bound as external_aad: a permit relabelled HD1: does not verify."""
    relabelled = "HD1:" + token[4:]
    assert verify(relabelled, trust=trust, now=NOW).reason is Reason.BAD_SIGNATURE


def test_too_large_is_fast(trust):
    big = "TP1:" + "A" * 1_000_000
    t0 = time.perf_counter()
    v = verify(big, trust=trust, now=NOW)
    assert v.reason is Reason.TOO_LARGE
    assert time.perf_counter() - t0 < 0.01
    assert verify("TP1:" + "A" * MAX_TOKEN_CHARS, trust=trust, now=NOW).reason is Reason.TOO_LARGE


@pytest.mark.parametrize(
    "text", ["", "TP1", "tp1:ABC", "T:ABC", "TOOLONG12:ABC", "TP1ABC", ":ABC", "TP-1:ABC", "😀:"]
)
def test_bad_prefix(text, trust):
    assert verify(text, trust=trust, now=NOW).reason is Reason.BAD_PREFIX


def test_not_text(trust):
    assert verify(b"TP1:ABC", trust=trust, now=NOW).reason is Reason.BAD_PREFIX  # type: ignore[arg-type]
    assert verify(None, trust=trust, now=NOW).reason is Reason.BAD_PREFIX  # type: ignore[arg-type]


@pytest.mark.parametrize("body", ["abc", "A", "ÀBC", "GGW", "FGW"[:2] + "Z", "::", "A\nB"])
def test_bad_base45(body, trust):
    assert verify("TP1:" + body, trust=trust, now=NOW).reason is Reason.BAD_BASE45


def test_bad_compression(token, trust):
    raw = _raw(token)
    not_compressed = "TP1:" + b45encode(raw)
    assert verify(not_compressed, trust=trust, now=NOW).reason is Reason.BAD_COMPRESSION
    truncated = "TP1:" + b45encode(zlib.compress(raw)[:-3])
    assert verify(truncated, trust=trust, now=NOW).reason is Reason.BAD_COMPRESSION
    bomb = "TP1:" + b45encode(zlib.compress(b"\0" * 1_000_000, 9))
    assert len(bomb) < MAX_TOKEN_CHARS
    assert verify(bomb, trust=trust, now=NOW).reason is Reason.BAD_COMPRESSION
    trailing = "TP1:" + b45encode(zlib.compress(raw) + b"x")
    assert verify(trailing, trust=trust, now=NOW).reason is Reason.BAD_COMPRESSION


@pytest.mark.parametrize(
    "obj",
    [
        b"\xff\xff",  # not CBOR
        cbor2.dumps([1, 2, 3]),
        cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b""])),
        cbor2.dumps(cbor2.CBORTag(98, [b"", {}, b"", b""])),
        cbor2.dumps(cbor2.CBORTag(18, ["x", {}, b"", b""])),
        cbor2.dumps(cbor2.CBORTag(18, [b"\xa1", {}, b"", b""])),  # truncated protected map
        cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps([1]), {}, b"", b""])),
        cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b"", b""])),  # no alg
        b"\x9f" * 5000,  # deep indefinite nesting
    ],
)
def test_bad_structure(obj, trust):
    text = "TP1:" + b45encode(zlib.compress(obj))
    assert verify(text, trust=trust, now=NOW).reason is Reason.BAD_STRUCTURE


def test_signed_but_malformed_cwt(signer, trust):
    """A correctly signed payload that is not a CWT map is still BAD_STRUCTURE."""
    enc = signer.encoder
    for payload in (
        b"\xff",
        cbor2.dumps([1]),
        cbor2.dumps({4: "soon"}),
        cbor2.dumps({APP_CLAIM: 1}),
    ):
        msg = enc.message(payload, signer.sign_bytes(enc.to_be_signed(payload, b"TP1:")))
        text = "TP1:" + b45encode(zlib.compress(msg))
        assert verify(text, trust=trust, now=NOW).reason is Reason.BAD_STRUCTURE


def test_bad_signature(token, trust):
    raw = bytearray(_raw(token))
    raw[-1] ^= 1
    assert verify(_reseal(token, bytes(raw)), trust=trust, now=NOW).reason is Reason.BAD_SIGNATURE


def test_naive_now_is_a_caller_bug(token, trust):
    with pytest.raises(ValueError):
        verify(token, trust=trust, now=NOW.replace(tzinfo=None))


def test_sign_many_matches_sign(signer, trust, permit_claims):
    seen = []
    items = [
        TokenClaims(permit_claims, expires=EXP, token_id=f"T{i}", not_before=NBF)
        for i in range(2500)
    ]
    items.append({"claims": {"x": 1}, "expires": EXP, "token_id": "dict-item"})
    tokens = signer.sign_many("TP1:", items, progress=seen.append)
    assert len(tokens) == 2501 and seen == [1000, 2000, 2501]
    for i in (0, 1234, 2499):
        v = verify(tokens[i], trust=trust, now=NOW)
        assert v.ok and v.token_id == f"T{i}" and v.claims == permit_claims
    assert verify(tokens[-1], trust=trust, now=NOW).claims == {"x": 1}


def test_generated_token_ids_are_unique(signer, trust):
    tokens = signer.sign_many("TP1:", [{"claims": {}, "expires": EXP}] * 200)
    ids = {verify(t, trust=trust, now=NOW).token_id for t in tokens}
    assert len(ids) == 200


def test_sign_rejects_bad_input(signer):
    with pytest.raises(ValueError):
        signer.sign("tp1:", {}, expires=EXP)
    with pytest.raises(ValueError):
        signer.sign("TP1:", {}, expires=EXP.replace(tzinfo=None))
    assert "kid=" in repr(signer) and "Private" not in repr(signer)


def test_decode_unverified(token):
    d = decode_unverified(token)
    assert isinstance(d, DecodedToken)
    assert d.type_prefix == "TP1:" and d.protected[1] == -8 and d.payload[7] == b"TP25000123"
    assert decode_unverified("TP1:!!").reason is Reason.BAD_BASE45
    assert decode_unverified("nope").reason is Reason.BAD_PREFIX


def test_foreign_signer_with_other_issuer(trust):
    other = Signer(ed25519.Ed25519PrivateKey.generate(), issuer="")
    trust.add_public_key(other.public_key, source="foreign", bind_prefix=False)
    enc = other.encoder
    payload = cbor2.dumps({4: int(EXP.timestamp()), -260: {1: {"v": 1}}})
    msg = enc.message(payload, other.sign_bytes(enc.to_be_signed(payload)))
    v = verify("HC1:" + b45encode(zlib.compress(msg)), trust=trust, now=NOW)
    assert v.ok and v.claims == {-260: {1: {"v": 1}}} and v.issuer is None and v.token_id is None


def test_zlib_level_0_tokens_verify(signer, trust, permit_claims):
    fast = Signer(signer._key, issuer="DN", zlib_level=0)
    t = fast.sign("TP1:", permit_claims, token_id="Z0", not_before=NBF, expires=EXP)
    v = verify(t, trust=trust, now=NOW)
    assert v.ok and v.claims == permit_claims
    # Level 9 is shorter for ~97% of keys (the signature is random bytes): a fixed key and
    # issue time keep the size comparison deterministic.
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    sizes = {
        level: len(
            Signer(key, issuer="DN", zlib_level=level).sign(
                "TP1:", permit_claims, token_id="Z0", not_before=NBF, expires=EXP, issued_at=NBF
            )
        )
        for level in (0, 9)
    }
    assert sizes[9] < sizes[0]
    with pytest.raises(ValueError):
        Signer(signer._key, zlib_level=10)


def test_expected_prefixes_as_a_single_string(token, trust):
    assert verify(token, trust=trust, now=NOW, expected_prefixes="TP1:").ok
    assert (
        verify(token, trust=trust, now=NOW, expected_prefixes="XTP1:").reason is Reason.WRONG_TYPE
    )


def test_foreign_signer_cannot_vouch_for_our_token_types():
    """A real EU DCC relabelled with our prefix is refused even though its signer is trusted."""
    import json
    from pathlib import Path

    from core.qr import TrustList, verify
    from core.qr.verify import Reason

    data = Path(__file__).parents[2] / "data" / "dcc" / "AT" / "1.json"
    vector = json.loads(data.read_text())
    trust = TrustList()
    trust.add_certificate(vector["TESTCTX"]["CERTIFICATE"])
    now = __import__("datetime").datetime.fromisoformat(vector["TESTCTX"]["VALIDATIONCLOCK"])
    good = verify(vector["PREFIX"], trust=trust, now=now)
    assert good.reason in (Reason.VALID, Reason.EXPIRED)
    relabelled = "TP1:" + vector["PREFIX"][4:]
    v = verify(relabelled, trust=trust, now=now)
    assert not v.ok and v.reason == Reason.UNKNOWN_KEY
