"""The verification pipeline after decoding: dispatch on the token prefix, verify the token
offline (trust list + revocations), apply the app's rule, and return one verdict.

The scanner never imports an app: the prefix is looked up in the registry
(``token_type_for``) and that TokenType's ``rule`` is called. Foreign EU health certificates
(``HC1:``) whose signer is in the trust list are shown as a health certificate.

A verdict carries the token id only when the token's signature verified (``token_id``): the id a
forged code claims is never used, so a forgery naming a real permit cannot be counted against
its holder. Every verdict carries ``code``, the SHA-256 of the scanned text, which identifies
that exact code (repeats of one forged code) and nobody's permit. Neither is printed; the
station keeps them in its signed log until the server takes them (``checkpoints.scanlog``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Container
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.qr.trust import TrustList
from core.qr.verify import TokenVerdict, verify
from core.registry import CheckContext, Registry, RuleResult, get_registry

log = logging.getLogger(__name__)

HC_PREFIX = "HC1:"
HC_TYPE = "HC"
UNKNOWN_TYPE = "UNKNOWN_TYPE"
MAX_SCAN_CHARS = 4096
FORGED_REASONS = frozenset(
    {"BAD_SIGNATURE", "UNKNOWN_KEY", "KEY_COMPROMISED", "ALG_NOT_ALLOWED", "BAD_STRUCTURE"}
)
UNVERIFIED_REASONS = FORGED_REASONS | frozenset(
    {
        "BAD_PREFIX",
        "BAD_BASE45",
        "BAD_COMPRESSION",
        "WRONG_TYPE",
        "TOO_LARGE",
        "UNKNOWN_TYPE",
        "NOT_TEXT",
        "INTERNAL_ERROR",
    }
)
"""Reasons given before (or instead of) a good signature: such a verdict never has a token id."""
MAX_TOKEN_ID_CHARS = 128


@dataclass(frozen=True)
class ScanVerdict:
    """What the checkpoint shows and logs for one scanned code."""

    verdict: str  # VALID | INVALID | WARN
    reason: str
    token_type: str  # type id (TP, HD, HC, ...) or "?" when unknown
    code: str  # sha256 hex of the scanned text: this exact code, nobody's permit
    fields: dict[str, str] = field(default_factory=dict)
    detail: str = ""
    token_id: str | None = field(default=None, repr=False)
    """The token's id, only when its signature verified; never printed or shown."""

    @property
    def ok(self) -> bool:
        return self.verdict == "VALID"

    @property
    def verified(self) -> bool:
        return self.token_id is not None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        del out["token_id"]
        return out


def hash_id(value: str) -> str:
    """SHA-256 hex of a text (UTF-8)."""
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def code_digest(text: str) -> str:
    """The fingerprint of one scanned code: SHA-256 of its text."""
    return hash_id("text:" + text)


def _verified_id(token_id: str | None) -> str | None:
    if not token_id or len(token_id) > MAX_TOKEN_ID_CHARS:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in token_id):
        return None
    return token_id


def _signed_id(v: TokenVerdict) -> str | None:
    """The token id of a verdict whose signature verified (the token core fills ``token_id``
    only after the signature check, and claims only then)."""
    if v.reason.value in UNVERIFIED_REASONS:
        return None
    return _verified_id(v.token_id)


def _s(value: Any) -> str:
    return "" if value is None else str(value)[:200]


def dcc_fields(claims: dict[Any, Any]) -> dict[str, str] | None:
    """Name, date of birth and the vaccination/test/recovery entry of an EU DCC payload."""
    hcert = claims.get(-260)
    dcc = hcert.get(1) if isinstance(hcert, dict) else None
    if not isinstance(dcc, dict):
        return None
    nam = dcc.get("nam") if isinstance(dcc.get("nam"), dict) else {}
    name = " ".join(x for x in (_s(nam.get("gn")), _s(nam.get("fn"))) if x) or _s(nam.get("fnt"))
    out = {"name": name, "dob": _s(dcc.get("dob"))}
    for key, kind in (("v", "vaccination"), ("t", "test"), ("r", "recovery")):
        entries = dcc.get(key)
        if isinstance(entries, list) and entries and isinstance(entries[0], dict):
            e = entries[0]
            out["kind"] = kind
            if key == "v":
                out["entry"] = (
                    f"{_s(e.get('mp'))} dose {_s(e.get('dn'))}/{_s(e.get('sd'))}, {_s(e.get('dt'))}"
                )
            elif key == "t":
                out["entry"] = f"{_s(e.get('tt'))} {_s(e.get('tr'))}, {_s(e.get('sc'))}"
            else:
                out["entry"] = f"{_s(e.get('fr'))} – {_s(e.get('du'))}"
            out["issuer"] = _s(e.get("is"))
            break
    return out


class Verifier:
    """Offline verification with one trust list and revocation set (a bundle or the server's)."""

    def __init__(
        self,
        trust: TrustList,
        revoked: Container[str],
        *,
        zone: str | None = None,
        checkpoint_id: str | None = None,
        mode: str = "checkpoint",
        leeway: timedelta = timedelta(0),
        registry: Registry | None = None,
    ) -> None:
        self.trust = trust
        self.revoked = revoked
        self.zone = zone
        self.checkpoint_id = checkpoint_id
        self.mode = mode
        self.leeway = leeway
        self._registry = registry

    def _type_for(self, text: str) -> Any:
        reg = self._registry or get_registry()
        return reg.token_type_for(text)

    def check(self, text: Any, now: datetime) -> ScanVerdict:
        """One scanned text to a verdict. Never raises on bad input."""
        return self.check_with_claims(text, now)[0]

    def check_with_claims(self, text: Any, now: datetime) -> tuple[ScanVerdict, dict | None]:
        """The verdict and, when the token itself verified, its claims (for venue mode), so a
        caller needing both does not verify the signature twice. Never raises on bad input."""
        try:
            return self._check(text, now)
        except Exception as exc:  # noqa: BLE001 - a verdict, never a crash at a checkpoint
            log.warning("unexpected error checking a scan: %s", type(exc).__name__)
            safe = text if isinstance(text, str) else repr(text)
            return ScanVerdict("INVALID", "INTERNAL_ERROR", "?", code_digest(safe[:4096])), None

    def _check(self, text: Any, now: datetime) -> tuple[ScanVerdict, dict | None]:
        if not isinstance(text, str):
            return ScanVerdict("INVALID", "NOT_TEXT", "?", code_digest(repr(text)[:200])), None
        text = text.strip()
        if len(text) > MAX_SCAN_CHARS:
            verdict = ScanVerdict(
                "INVALID", "TOO_LARGE", "?", code_digest(text), detail="over 4096 chars"
            )
            return verdict, None
        if text.startswith(HC_PREFIX):
            return self._health_certificate(text, now)
        tt = self._type_for(text)
        if tt is None:
            verdict = ScanVerdict("INVALID", UNKNOWN_TYPE, "?", code_digest(text), detail=text[:16])
            return verdict, None
        v = verify(
            text,
            trust=self.trust,
            revoked=self.revoked,
            now=now,
            expected_prefixes=[tt.prefix],
            leeway=self.leeway,
        )
        code = code_digest(text)
        tid = _signed_id(v)
        if not v.ok:
            verdict = ScanVerdict(
                "INVALID", v.reason.value, tt.type_id, code, detail=v.detail[:200], token_id=tid
            )
            return verdict, None
        claims = dict(v.claims)
        return self._apply_rule(tt, claims, code, now, v), claims

    def _apply_rule(
        self, tt: Any, claims: dict, code: str, now: datetime, token: TokenVerdict
    ) -> ScanVerdict:
        tid = _signed_id(token)
        if tt.rule is None:
            return ScanVerdict("WARN", "NO_RULE", tt.type_id, code, token_id=tid)
        ctx = CheckContext(
            now=now,
            zone=self.zone,
            checkpoint_id=self.checkpoint_id,
            mode=self.mode,
            token_id=token.token_id,
            valid_from=token.not_before or token.issued_at,
            valid_until=token.expires_at,
        )
        try:
            result = tt.rule(dict(claims), ctx)
        except Exception as exc:  # noqa: BLE001 - an app bug must not stop the checkpoint
            log.warning("rule of %s failed: %s", tt.type_id, type(exc).__name__)
            return ScanVerdict("INVALID", "RULE_ERROR", tt.type_id, code, token_id=tid)
        if not isinstance(result, RuleResult) or result.verdict not in ("VALID", "INVALID", "WARN"):
            return ScanVerdict("INVALID", "RULE_ERROR", tt.type_id, code, token_id=tid)
        fields = {str(k): _s(val) for k, val in (result.fields or {}).items()}
        if result.reason not in tt.reasons or not set(fields) <= set(tt.fields):
            log.warning(  # shown as a bare code / key: the app should declare (and label) it
                "rule of %s returned an undeclared reason %s or fields %s",
                tt.type_id,
                result.reason,
                sorted(set(fields) - set(tt.fields)),
            )
        return ScanVerdict(
            result.verdict, str(result.reason), tt.type_id, code, fields, token_id=tid
        )

    def _health_certificate(self, text: str, now: datetime) -> tuple[ScanVerdict, dict | None]:
        v = verify(
            text,
            trust=self.trust,
            revoked=self.revoked,
            now=now,
            expected_prefixes=[HC_PREFIX],
            leeway=self.leeway,
        )
        code = code_digest(text)
        tid = _signed_id(v)
        if not v.ok:
            verdict = ScanVerdict(
                "INVALID", v.reason.value, HC_TYPE, code, detail=v.detail[:200], token_id=tid
            )
            return verdict, None
        claims = dict(v.claims)
        fields = dcc_fields(v.claims)
        if fields is None:
            verdict = ScanVerdict(
                "INVALID", "BAD_STRUCTURE", HC_TYPE, code, detail="no DCC payload"
            )
            return verdict, claims
        return ScanVerdict("VALID", "VALID", HC_TYPE, code, fields, token_id=tid), claims
