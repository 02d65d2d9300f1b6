"""Signed offline bundles."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.qr import BundleError, Signer, TrustError, TrustList, open_bundle, sign_bundle

PAYLOAD = {
    "trust": {"version": 1, "keys": []},
    "revoked": [f"TP{i:08d}" for i in range(1000)],
    "rules": {"TP1:": {"hours": True}},
    "zone": "Hải Châu",
}


def test_round_trip(signer, trust):
    data = sign_bundle(PAYLOAD, signer)
    assert open_bundle(data, trust) == PAYLOAD
    assert open_bundle(data, {signer.kid: signer.public_key}) == PAYLOAD
    assert open_bundle(data, [signer.public_key]) == PAYLOAD


def test_every_byte_tampered_is_refused(signer, trust):
    data = sign_bundle({"zone": "Hải Châu", "revoked": ["A", "B"]}, signer)
    for i in range(len(data)):
        b = bytearray(data)
        b[i] ^= 0x01
        with pytest.raises(BundleError):
            open_bundle(bytes(b), trust)


def test_unknown_or_compromised_signer(signer, trust):
    data = sign_bundle(PAYLOAD, signer)
    other = TrustList()
    other.add_public_key(ed25519.Ed25519PrivateKey.generate().public_key())
    with pytest.raises(BundleError, match="unknown"):
        open_bundle(data, other)
    trust.set_status(signer.kid, "compromised")
    with pytest.raises(BundleError):
        open_bundle(data, trust)


def test_token_signature_is_not_a_bundle_signature(signer, trust):
    """Domain separation: a COSE message signed as a token does not open as a bundle."""
    import zlib

    from core.qr.codec import b45decode

    token = signer.sign("TP1:", {"a": 1}, expires=2_000_000_000)
    raw = zlib.decompress(b45decode(token[4:]))
    with pytest.raises(BundleError, match="signature"):
        open_bundle(raw, trust)


@pytest.mark.parametrize("data", [b"", b"\x00", b"garbage" * 10, "text"])
def test_garbage(data, trust):
    with pytest.raises(BundleError):
        open_bundle(data, trust)


def test_unserialisable_payload(signer):
    with pytest.raises(BundleError):
        sign_bundle({"x": object()}, signer)


def test_other_signer_same_payload(trust):
    rogue = Signer(ed25519.Ed25519PrivateKey.generate())
    with pytest.raises(BundleError):
        open_bundle(sign_bundle(PAYLOAD, rogue), trust)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300))
def test_random_bytes_only_raise_bundle_error(trust, data):
    with pytest.raises(BundleError):
        open_bundle(data, trust)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["version", "keys", "x"]),
        _json
        | st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "kid": st.text(max_size=12) | st.integers(),
                    "spki": st.text(max_size=60) | st.none(),
                    "algs": _json,
                    "status": st.sampled_from(["active", "retired", "compromised", "bogus"])
                    | _json,
                    "source": st.sampled_from(["local", "foreign", "x"]),
                    "bind_prefix": _json,
                },
            )
            | _json,
            max_size=3,
        ),
    )
)
def test_trust_list_from_dict_only_raises_trust_error(d):
    """A trust list arrives inside a bundle: malformed content gives TrustError only."""
    try:
        TrustList.from_dict(d)
    except TrustError:
        pass


def test_trust_list_round_trip(trust, signer):
    back = TrustList.from_dict(trust.to_dict())
    e = back.get(signer.kid)
    assert e.algs == {"EdDSA"} and e.source == "local" and e.bind_prefix
    with pytest.raises(TrustError):
        TrustList.from_dict({"version": 1, "keys": [{**e.to_dict(), "algs": ["ES256"]}]})
