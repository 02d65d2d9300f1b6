"""Minimal COSE_Sign1 (RFC 9052) for HCERT: encode with EdDSA, verify EdDSA/ES256/PS256.

Only what HCERT needs: a tag-18 array ``[protected bstr, unprotected map, payload bstr,
signature bstr]``, ``alg`` (label 1) and ``kid`` (label 4). Verification accepts the
optional CWT tag 61 around tag 18, and an untagged array, as EU verifiers do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

#: COSE algorithm identifiers (IANA) by name, and back.
ALGS: dict[str, int] = {"EdDSA": -8, "ES256": -7, "PS256": -37}
ALG_NAMES: dict[int, str] = {v: k for k, v in ALGS.items()}
HDR_ALG = 1
HDR_KID = 4
TAG_SIGN1 = 18
TAG_CWT = 61


class CoseError(ValueError):
    """Malformed COSE structure."""


@dataclass(frozen=True, slots=True)
class Sign1:
    """A parsed, not yet verified, COSE_Sign1."""

    protected_raw: bytes
    protected: dict
    unprotected: dict
    payload: bytes
    signature: bytes

    @property
    def alg(self) -> int | None:
        """alg from the protected header, else the unprotected one. EU verifiers accept the
        latter (vector common/CO20); safe here because each trusted key allows one alg."""
        alg = self.protected.get(HDR_ALG)
        if alg is None:
            alg = self.unprotected.get(HDR_ALG)
        return alg

    @property
    def kid(self) -> bytes | None:
        """kid from the protected header, else from the unprotected one (EU rule)."""
        kid = self.protected.get(HDR_KID)
        if kid is None:
            kid = self.unprotected.get(HDR_KID)
        return kid if isinstance(kid, bytes) else None


def _bstr_head(n: int) -> bytes:
    """CBOR head of a byte string of length n."""
    if n < 24:
        return bytes((0x40 | n,))
    if n < 0x100:
        return bytes((0x58, n))
    if n < 0x10000:
        return bytes((0x59,)) + n.to_bytes(2, "big")
    return bytes((0x5A,)) + n.to_bytes(4, "big")


def protected_header(alg: int, kid: bytes) -> bytes:
    """Serialized protected header ``{1: alg, 4: kid}`` (alg first, as the EU issuers do)."""
    return cbor2.dumps({HDR_ALG: alg, HDR_KID: kid})


def sig_structure(protected_raw: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    """``["Signature1", protected, external_aad, payload]`` as CBOR: the bytes signed."""
    return b"".join(
        (
            b"\x84\x6aSignature1",
            _bstr_head(len(protected_raw)),
            protected_raw,
            _bstr_head(len(external_aad)),
            external_aad,
            _bstr_head(len(payload)),
            payload,
        )
    )


class Sign1Encoder:
    """Precomputed framing for one (alg, kid): per token only the payload and signature vary."""

    __slots__ = ("protected_raw", "_tbs_head", "_msg_head")

    def __init__(self, alg: int, kid: bytes) -> None:
        self.protected_raw = protected_header(alg, kid)
        p = _bstr_head(len(self.protected_raw)) + self.protected_raw
        self._tbs_head = b"\x84\x6aSignature1" + p  # then external_aad bstr, payload bstr
        self._msg_head = b"\xd2\x84" + p + b"\xa0"  # tag 18, array(4), protected, {}

    def to_be_signed(self, payload: bytes, external_aad: bytes = b"") -> bytes:
        return b"".join(
            (
                self._tbs_head,
                _bstr_head(len(external_aad)),
                external_aad,
                _bstr_head(len(payload)),
                payload,
            )
        )

    def message(self, payload: bytes, signature: bytes) -> bytes:
        return b"".join(
            (
                self._msg_head,
                _bstr_head(len(payload)),
                payload,
                _bstr_head(len(signature)),
                signature,
            )
        )


def parse_sign1(data: bytes) -> Sign1:
    """Parse a COSE_Sign1; CoseError on anything that is not one (never other exceptions)."""
    try:
        obj = cbor2.loads(data)
    except Exception as exc:  # cbor2 raises several types on hostile input
        raise CoseError(f"CBOR: {type(exc).__name__}") from None
    if isinstance(obj, cbor2.CBORTag) and obj.tag == TAG_CWT:
        obj = obj.value
    if isinstance(obj, cbor2.CBORTag):
        if obj.tag != TAG_SIGN1:
            raise CoseError(f"unexpected CBOR tag {obj.tag}")
        obj = obj.value
    if not isinstance(obj, list | tuple) or len(obj) != 4:  # cbor2 gives tuples inside tags
        raise CoseError("COSE_Sign1 must be an array of 4")
    prot_raw, unprot, payload, sig = obj
    if not (isinstance(prot_raw, bytes) and isinstance(payload, bytes) and isinstance(sig, bytes)):
        raise CoseError("protected, payload and signature must be byte strings")
    if not isinstance(unprot, Mapping):
        raise CoseError("unprotected header must be a map")
    unprot = dict(unprot)
    if prot_raw:
        try:
            prot = cbor2.loads(prot_raw)
        except Exception as exc:
            raise CoseError(f"protected header CBOR: {type(exc).__name__}") from None
        if not isinstance(prot, dict):
            raise CoseError("protected header must be a map")
    else:
        prot = {}
    return Sign1(prot_raw, prot, unprot, payload, sig)


def verify_signature(alg: int, public_key: Any, signature: bytes, tbs: bytes) -> bool:
    """True if ``signature`` over ``tbs`` verifies under ``public_key`` with COSE ``alg``."""
    try:
        if alg == -8 and isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, tbs)
            return True
        if alg == -7 and isinstance(public_key, ec.EllipticCurvePublicKey):
            if len(signature) != 64:
                return False
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            public_key.verify(encode_dss_signature(r, s), tbs, ec.ECDSA(hashes.SHA256()))
            return True
        if alg == -37 and isinstance(public_key, rsa.RSAPublicKey):
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
            public_key.verify(signature, tbs, pss, hashes.SHA256())
            return True
    except (InvalidSignature, ValueError):
        return False
    return False
