"""Issuing tokens: claims -> CWT -> COSE_Sign1 (EdDSA) -> zlib -> base45 -> prefix.

Claim layout (CBOR map, integer labels from the IANA CWT registry):

=====  ======  ===========================================================
label  name    value
=====  ======  ===========================================================
1      iss     issuer, short text such as ``"DN"`` (omitted if empty)
4      exp     expiry, integer seconds since the Unix epoch (UTC)
5      nbf     not before, integer seconds (omitted if not given)
6      iat     issued at, integer seconds (omitted if not given)
7      cti     token id as UTF-8 bytes (revocation key; random 72 bits if not given)
-65537 app     the app's own claims: one CBOR map (see APP_CLAIM)
=====  ======  ===========================================================

``APP_CLAIM = -65537`` is the first label of the CWT registry's private-use range
(< -65536), so it can never clash with a registered claim (HCERT itself uses -260).
App claims should be compact: one-letter keys, integers instead of strings where a code
exists (ward codes), minutes instead of "HH:MM", and no personal data beyond what a
checkpoint must see (masked ID). Example travel permit, see ``example_permit_claims``.

Every token also binds its context prefix: the COSE external_aad is the prefix in ASCII
(e.g. ``b"TP1:"``), so relabelling a health declaration as a travel permit breaks the
signature. This costs no bytes in the QR.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric import ed25519

from core.qr.codec import b45encode, check_prefix, deflate
from core.qr.cose import ALGS, Sign1Encoder
from core.qr.trust import kid_for_public_key

CWT_ISS, CWT_EXP, CWT_NBF, CWT_IAT, CWT_CTI = 1, 4, 5, 6, 7
APP_CLAIM = -65537

TimeLike = datetime | int


def to_epoch(t: TimeLike | None) -> int | None:
    """Seconds since the epoch from an aware datetime or an int; naive datetimes refused."""
    if t is None:
        return None
    if isinstance(t, datetime):
        if t.tzinfo is None:
            raise ValueError("naive datetime: token times must be timezone-aware (UTC)")
        return int(t.timestamp())
    if isinstance(t, int) and not isinstance(t, bool):
        return t
    raise TypeError(f"expected aware datetime or int seconds, got {type(t).__name__}")


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """One token to issue: the app claims plus the standard CWT claims."""

    claims: Mapping[str | int, Any]
    expires: TimeLike
    token_id: str | None = None
    not_before: TimeLike | None = None
    issued_at: TimeLike | None = None
    extra: Mapping[int, Any] = field(default_factory=dict)


QR_V10_M_CHARS = 311
"""Most characters of a token (QR alphanumeric mode) in a QR version 10 at error correction M;
a larger version is harder to scan from a phone screen or a worn print."""


def example_permit_claims() -> dict[str, Any]:
    """The typical travel permit used by tests and benchmarks (documentation by example): only
    what the checkpoint checks or shows (no employer tax code: the gate does not use it)."""
    return {
        "n": "Nguyễn Thị Thu Hà",  # holder name, NFC
        "c": "1234",  # the last 4 digits of the CCCD (shown masked: ********1234)
        "w": [20194, 20197, 20200],  # ward codes (ints)
        "h": [360, 1200],  # daily hours 06:00-20:00 as minutes
    }


class Signer:
    """Ed25519 token signer for one key; cheap to call in a loop."""

    def __init__(
        self,
        private_key: ed25519.Ed25519PrivateKey,
        issuer: str = "",
        kid: bytes | None = None,
        *,
        zlib_level: int = 9,
    ) -> None:
        """``zlib_level``: 9 (default) for the shortest tokens, 0 for ~1.4x faster bulk
        issuing at ~10 more characters per token (see ``core.qr.codec.deflate``); a level-0
        token that would not fit a version 10 QR code (``QR_V10_M_CHARS``) is compressed."""
        if not isinstance(private_key, ed25519.Ed25519PrivateKey):
            raise TypeError("Signer needs an Ed25519 private key")
        if not 0 <= zlib_level <= 9:
            raise ValueError("zlib_level must be 0..9")
        self.zlib_level = zlib_level
        self._key = private_key
        self.public_key = private_key.public_key()
        self.kid = kid if kid is not None else kid_for_public_key(self.public_key)
        self.issuer = issuer
        self.alg = "EdDSA"
        self._enc = Sign1Encoder(ALGS["EdDSA"], self.kid)

    def __repr__(self) -> str:  # never show key material
        return f"Signer(kid={self.kid.hex()}, issuer={self.issuer!r})"

    def sign_bytes(self, data: bytes) -> bytes:
        """Raw Ed25519 signature (used by bundles)."""
        return self._key.sign(data)

    @property
    def encoder(self) -> Sign1Encoder:
        return self._enc

    def _payload(
        self,
        claims: Mapping[str | int, Any],
        token_id: str | None,
        nbf: int | None,
        exp: int | None,
        iat: int | None,
        extra: Mapping[int, Any] | None = None,
    ) -> bytes:
        p: dict[int, Any] = {}
        if self.issuer:
            p[CWT_ISS] = self.issuer
        if exp is None:
            raise ValueError("expires is required")
        p[CWT_EXP] = exp
        if nbf is not None:
            p[CWT_NBF] = nbf
        if iat is not None:
            p[CWT_IAT] = iat
        p[CWT_CTI] = (token_id or secrets.token_urlsafe(9)).encode()
        if extra:
            p.update(extra)
        p[APP_CLAIM] = dict(claims)
        return cbor2.dumps(p)

    def _finish(self, prefix: str, aad: bytes, payload: bytes) -> str:
        enc = self._enc
        msg = enc.message(payload, self._key.sign(enc.to_be_signed(payload, aad)))
        packed = deflate(msg, self.zlib_level)
        if self.zlib_level == 0 and len(prefix) + (len(packed) * 3 + 1) // 2 > QR_V10_M_CHARS:
            packed = deflate(msg, 9)  # a large token is worth the compression time
        return prefix + b45encode(packed)

    def sign(
        self,
        prefix: str,
        claims: Mapping[str | int, Any],
        *,
        expires: TimeLike,
        token_id: str | None = None,
        not_before: TimeLike | None = None,
        issued_at: TimeLike | None = None,
    ) -> str:
        """Issue one token; returns the prefixed base45 text to put in a QR code."""
        check_prefix(prefix)
        payload = self._payload(
            claims, token_id, to_epoch(not_before), to_epoch(expires), to_epoch(issued_at)
        )
        return self._finish(prefix, prefix.encode(), payload)

    def sign_many(
        self,
        prefix: str,
        items: Iterable[TokenClaims | Mapping[str, Any]],
        progress: Callable[[int], None] | None = None,
        *,
        progress_every: int = 1000,
    ) -> list[str]:
        """Issue many tokens of one type. ``items`` are TokenClaims or dicts with the same
        field names; ``progress(done)`` is called every ``progress_every`` tokens and at the end.
        """
        check_prefix(prefix)
        aad = prefix.encode()
        out: list[str] = []
        append = out.append
        payload_of = self._payload
        finish = self._finish
        done = 0
        for it in items:
            if isinstance(it, TokenClaims):
                payload = payload_of(
                    it.claims,
                    it.token_id,
                    to_epoch(it.not_before),
                    to_epoch(it.expires),
                    to_epoch(it.issued_at),
                    it.extra,
                )
            else:
                payload = payload_of(
                    it["claims"],
                    it.get("token_id"),
                    to_epoch(it.get("not_before")),
                    to_epoch(it["expires"]),
                    to_epoch(it.get("issued_at")),
                    it.get("extra"),
                )
            append(finish(prefix, aad, payload))
            done += 1
            if progress is not None and done % progress_every == 0:
                progress(done)
        if progress is not None and done % progress_every:
            progress(done)
        return out
