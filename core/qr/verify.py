"""Offline token verification: text in, a typed verdict out, never an exception.

Checks run cheapest-first and stop at the first failure::

    size -> prefix format -> expected type -> base45 -> zlib -> CBOR/COSE -> kid known
    -> alg allowed for that key -> signature -> key compromised -> CWT claims -> revoked
    -> no expiry -> not yet valid (nbf, iat) -> expired

A token without an expiry (CWT ``exp``) is refused (``NO_EXPIRY``): every issuer here sets one
(permits: the end of their window; health passes: their validity; isolation links: the end of
isolation plus a margin) and an HCERT always carries one; a signed token that would be good
forever (a test token, a script's mistake) is refused rather than trusted forever.

Everything after the signature check is authenticated; the verdict only carries claims
(``claims``, ``issuer``, times) when the signature verified.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Collection, Container
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2

from core.qr.codec import CodecError, b45decode, inflate, split_prefix
from core.qr.cose import (
    ALG_NAMES,
    CoseError,
    Sign1,
    parse_sign1,
    sig_structure,
    verify_signature,
)
from core.qr.sign import APP_CLAIM, CWT_CTI, CWT_EXP, CWT_IAT, CWT_ISS, CWT_NBF
from core.qr.trust import TrustList

log = logging.getLogger(__name__)

MAX_TOKEN_CHARS = 4096
FOREIGN_PREFIXES = frozenset({"HC1:"})
"""Prefixes whose tokens foreign (trusted certificate) signers may sign."""
HCERT_CLAIM = -260


class Reason(enum.StrEnum):
    VALID = "VALID"
    BAD_PREFIX = "BAD_PREFIX"
    BAD_BASE45 = "BAD_BASE45"
    BAD_COMPRESSION = "BAD_COMPRESSION"
    BAD_STRUCTURE = "BAD_STRUCTURE"
    UNKNOWN_KEY = "UNKNOWN_KEY"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    NOT_YET_VALID = "NOT_YET_VALID"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    WRONG_TYPE = "WRONG_TYPE"
    TOO_LARGE = "TOO_LARGE"
    KEY_COMPROMISED = "KEY_COMPROMISED"
    ALG_NOT_ALLOWED = "ALG_NOT_ALLOWED"
    NO_EXPIRY = "NO_EXPIRY"


@dataclass(frozen=True, slots=True)
class TokenVerdict:
    """Outcome of ``verify``. ``claims`` are the app claims (for foreign HCERTs: every
    non-standard CWT claim, e.g. ``{-260: {1: dcc}}``); empty unless the signature verified."""

    ok: bool
    reason: Reason
    type_prefix: str | None = None
    token_id: str | None = None
    kid: bytes | None = None
    alg: str | None = None
    claims: dict = field(default_factory=dict)
    issuer: str | None = None
    issued_at: datetime | None = None
    not_before: datetime | None = None
    expires_at: datetime | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DecodedToken:
    """Unverified content of a token, for display and debugging only."""

    type_prefix: str
    protected: dict
    unprotected: dict
    payload: Any
    signature: bytes


def _time(v: Any) -> datetime | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    try:
        return datetime.fromtimestamp(v, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _token_id(cti: Any) -> str | None:
    if isinstance(cti, bytes):
        try:
            return cti.decode()
        except UnicodeDecodeError:
            return cti.hex()
    if isinstance(cti, str):
        return cti
    return None


def _unwrap(text: Any) -> tuple[str, bytes] | TokenVerdict:
    """Size, prefix, base45 and zlib layers; a TokenVerdict on failure."""
    if not isinstance(text, str):
        return TokenVerdict(False, Reason.BAD_PREFIX, detail="token is not text")
    if len(text) > MAX_TOKEN_CHARS:
        return TokenVerdict(False, Reason.TOO_LARGE, detail=f"over {MAX_TOKEN_CHARS} chars")
    try:
        prefix, body = split_prefix(text)
    except CodecError as exc:
        return TokenVerdict(False, Reason.BAD_PREFIX, detail=str(exc))
    return prefix, body


def verify(
    text: str,
    *,
    trust: TrustList,
    revoked: Container[str] = frozenset(),
    now: datetime,
    expected_prefixes: Collection[str] | None = None,
    leeway: timedelta = timedelta(0),
) -> TokenVerdict:
    """Verify one scanned token offline. Never raises on bad input.

    ``revoked`` is a set of token ids (O(1) membership). ``now`` must be timezone-aware.
    ``leeway`` tolerates checkpoint clock skew on nbf/iat/exp (default none).
    """
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise ValueError("now must be a timezone-aware datetime")  # caller bug, not input
    if isinstance(expected_prefixes, str):  # "TP1:" would otherwise match "P1:" as substring
        expected_prefixes = (expected_prefixes,)
    try:
        return _verify(text, trust, revoked, now, expected_prefixes, leeway)
    except Exception as exc:  # defence in depth: a verdict, never a crash at a checkpoint
        log.warning("unexpected error verifying token: %s", type(exc).__name__)
        return TokenVerdict(False, Reason.BAD_STRUCTURE, detail=f"internal: {type(exc).__name__}")


def _open_message(prefix: str, body: str) -> Sign1 | TokenVerdict:
    """base45 -> zlib -> COSE_Sign1, or the verdict naming the layer that failed."""
    try:
        compressed = b45decode(body)
    except CodecError as exc:
        return TokenVerdict(False, Reason.BAD_BASE45, type_prefix=prefix, detail=str(exc))
    try:
        raw = inflate(compressed)
    except CodecError as exc:
        return TokenVerdict(False, Reason.BAD_COMPRESSION, type_prefix=prefix, detail=str(exc))
    try:
        return parse_sign1(raw)
    except CoseError as exc:
        return TokenVerdict(False, Reason.BAD_STRUCTURE, type_prefix=prefix, detail=str(exc))


def _verify(
    text: Any,
    trust: TrustList,
    revoked: Container[str],
    now: datetime,
    expected_prefixes: Collection[str] | None,
    leeway: timedelta,
) -> TokenVerdict:
    unwrapped = _unwrap(text)
    if isinstance(unwrapped, TokenVerdict):
        return unwrapped
    prefix, body = unwrapped
    if expected_prefixes is not None and prefix not in expected_prefixes:
        return TokenVerdict(False, Reason.WRONG_TYPE, type_prefix=prefix)
    msg = _open_message(prefix, body)
    if isinstance(msg, TokenVerdict):
        return msg

    kid = msg.kid
    alg_id = msg.alg
    alg = ALG_NAMES.get(alg_id) if isinstance(alg_id, int) else None
    base = {"type_prefix": prefix, "kid": kid, "alg": alg}
    if alg_id is None:
        return TokenVerdict(False, Reason.BAD_STRUCTURE, **base, detail="no alg header")
    entry = trust.get(kid)
    if entry is None:
        return TokenVerdict(False, Reason.UNKNOWN_KEY, **base)
    if entry.source == "foreign" and prefix not in FOREIGN_PREFIXES:
        # A foreign signer vouches for health certificates, never for our own token types:
        # a real EU DCC relabelled "TP1:" must not pass as a permit.
        return TokenVerdict(False, Reason.UNKNOWN_KEY, **base, detail="foreign signer, own type")
    if alg is None or alg not in entry.algs:
        return TokenVerdict(False, Reason.ALG_NOT_ALLOWED, **base, detail=f"alg {alg_id!r}")
    aad = prefix.encode() if entry.bind_prefix else b""
    tbs = sig_structure(msg.protected_raw, msg.payload, aad)
    if not verify_signature(alg_id, entry.public_key, msg.signature, tbs):
        return TokenVerdict(False, Reason.BAD_SIGNATURE, **base)
    if entry.status == "compromised":
        return TokenVerdict(False, Reason.KEY_COMPROMISED, **base)

    # Authenticated from here on; a malformed CWT is still refused as BAD_STRUCTURE.
    try:
        cwt = cbor2.loads(msg.payload)
    except Exception as exc:
        return TokenVerdict(False, Reason.BAD_STRUCTURE, **base, detail=f"CWT: {exc!r}"[:200])
    if not isinstance(cwt, dict):
        return TokenVerdict(False, Reason.BAD_STRUCTURE, **base, detail="CWT is not a map")
    times = {}
    for label, name in ((CWT_EXP, "expires_at"), (CWT_NBF, "not_before"), (CWT_IAT, "issued_at")):
        if label in cwt:
            times[name] = _time(cwt[label])
            if times[name] is None:
                return TokenVerdict(False, Reason.BAD_STRUCTURE, **base, detail=f"bad {name}")
    hcert = cwt.get(HCERT_CLAIM)
    if hcert is not None and not (isinstance(hcert, dict) and isinstance(hcert.get(1), dict)):
        # EU HCERT: claim -260 is {1: <DCC map>} (vector common/CBO1 has bytes there)
        return TokenVerdict(False, Reason.BAD_STRUCTURE, **base, detail="bad hcert claim -260")
    iss = cwt.get(CWT_ISS)
    if APP_CLAIM in cwt:
        claims = cwt[APP_CLAIM]
        if not isinstance(claims, dict):
            return TokenVerdict(False, Reason.BAD_STRUCTURE, **base, detail="app claims not a map")
    else:
        claims = {k: v for k, v in cwt.items() if k not in (1, 2, 3, 4, 5, 6, 7)}
    full = {
        **base,
        "token_id": _token_id(cwt.get(CWT_CTI)),
        "claims": claims,
        "issuer": iss if isinstance(iss, str) else None,
        **times,
    }
    tid = full["token_id"]
    if tid is not None and tid in revoked:
        return TokenVerdict(False, Reason.REVOKED, **full)
    if "expires_at" not in times:
        return TokenVerdict(False, Reason.NO_EXPIRY, **full, detail="no exp claim")
    for name in ("not_before", "issued_at"):
        t = times.get(name)
        if t is not None and now + leeway < t:
            return TokenVerdict(False, Reason.NOT_YET_VALID, **full, detail=name)
    exp = times.get("expires_at")
    if exp is not None and now - leeway >= exp:
        return TokenVerdict(False, Reason.EXPIRED, **full)
    return TokenVerdict(True, Reason.VALID, **full)


def decode_unverified(text: str) -> DecodedToken | TokenVerdict:
    """Decode a token WITHOUT checking anything (display/debug); a verdict if undecodable."""
    try:
        unwrapped = _unwrap(text)
        if isinstance(unwrapped, TokenVerdict):
            return unwrapped
        prefix, body = unwrapped
        msg = _open_message(prefix, body)
        if isinstance(msg, TokenVerdict):
            return msg
        try:
            payload = cbor2.loads(msg.payload)
        except Exception:
            payload = msg.payload
        return DecodedToken(prefix, msg.protected, msg.unprotected, payload, msg.signature)
    except Exception as exc:
        return TokenVerdict(False, Reason.BAD_STRUCTURE, detail=type(exc).__name__)
