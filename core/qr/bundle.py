"""Signed offline bundles: a dict (trust list, revocations, rules, zone...) as CBOR inside a
COSE_Sign1 signed with an Ed25519 Signer. External AAD ``b"rapid-bundle/1"`` keeps a bundle
signature from ever being accepted as a token signature and vice versa.

Only our own keys sign bundles. A bundle decides which keys a checkpoint trusts for tokens, so
a foreign signer (a certificate trusted with ``rapid keys trust`` to read ``HC1:`` health
certificates) that could sign one could make its own key "local" and forge permits. Given a
``TrustList``, ``open_bundle`` therefore accepts only entries with ``source == "local"`` that
are not compromised, and says so when the signer is a foreign one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import cbor2

from core.qr.cose import ALG_NAMES, CoseError, parse_sign1, sig_structure, verify_signature
from core.qr.sign import Signer
from core.qr.trust import TrustList, kid_for_public_key

BUNDLE_AAD = b"rapid-bundle/1"


class BundleError(ValueError):
    """The bundle is malformed, tampered with, or not signed by a trusted key."""


def sign_bundle(payload: Mapping[str, Any], signer: Signer) -> bytes:
    """Serialise ``payload`` to CBOR and sign it; returns the bundle bytes (tag-18 COSE)."""
    try:
        body = cbor2.dumps(dict(payload))
    except Exception as exc:
        raise BundleError(f"payload is not CBOR-serialisable: {exc}") from None
    enc = signer.encoder
    return enc.message(body, signer.sign_bytes(enc.to_be_signed(body, BUNDLE_AAD)))


def bundle_signers(trust: TrustList) -> TrustList:
    """The entries of ``trust`` that may sign a bundle: our own keys, not compromised."""
    return TrustList(e for e in trust if e.source == "local" and e.status != "compromised")


def _keys(trusted: TrustList | Mapping[bytes, Any] | Iterable[Any]) -> dict[bytes, Any]:
    if isinstance(trusted, TrustList):
        return {e.kid: e.public_key for e in bundle_signers(trusted)}
    if isinstance(trusted, Mapping):
        return dict(trusted)
    return {kid_for_public_key(k): k for k in trusted}


def open_bundle(
    data: bytes, trusted: TrustList | Mapping[bytes, Any] | Iterable[Any]
) -> dict[str, Any]:
    """Check a bundle's signature and return its payload dict; BundleError otherwise.

    ``trusted``: a TrustList (only its local, not compromised keys sign bundles), a
    ``{kid: public_key}`` mapping, or an iterable of public keys (kid derived from the SPKI).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise BundleError("bundle must be bytes")
    try:
        msg = parse_sign1(bytes(data))
    except CoseError as exc:
        raise BundleError(f"not a signed bundle: {exc}") from None
    kid = msg.protected.get(4)
    alg = msg.protected.get(1)
    key = _keys(trusted).get(kid) if isinstance(kid, bytes) else None
    if key is None:
        entry = (
            trusted.get(kid) if isinstance(trusted, TrustList) and isinstance(kid, bytes) else None
        )
        if entry is not None and entry.source != "local":
            raise BundleError(
                "bundle signed by a foreign signer (trusted only for HC1 health certificates);"
                " only this server's own keys may sign bundles"
            )
        if entry is not None:
            raise BundleError("bundle signed by a compromised key")
        shown = f" (kid {kid.hex()})" if isinstance(kid, bytes) else ""
        raise BundleError(
            f"bundle signed by an unknown or untrusted key{shown}: only the server's own"
            " keys, as pinned, may sign bundles"
        )
    if not isinstance(alg, int) or alg not in ALG_NAMES:
        raise BundleError(f"bundle algorithm {alg!r} not supported")
    if not verify_signature(
        alg, key, msg.signature, sig_structure(msg.protected_raw, msg.payload, BUNDLE_AAD)
    ):
        raise BundleError("bundle signature does not verify (tampered or wrong key)")
    try:
        payload = cbor2.loads(msg.payload)
    except Exception as exc:
        raise BundleError(f"bundle payload is not CBOR: {type(exc).__name__}") from None
    if not isinstance(payload, dict):
        raise BundleError("bundle payload is not a map")
    return payload
