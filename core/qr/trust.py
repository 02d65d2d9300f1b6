"""Trust list: which public keys (by kid) may sign which token algorithms.

Serialisable to a JSON-able dict so a checkpoint can load it offline from a signed bundle::

    {"version": 1, "keys": [{"kid": "<base64>", "spki": "<base64 SPKI DER>",
      "algs": ["EdDSA"], "status": "active", "source": "local", "subject": "...",
      "bind_prefix": true}]}

``bind_prefix``: our own keys sign with the token's context prefix (e.g. ``b"TP1:"``) as
COSE external_aad, so a token cannot be relabelled as another type (the prefix is outside
the signature in plain HCERT). Foreign HCERT signers (EU) use an empty external_aad.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

Status = Literal["active", "retired", "compromised"]
Source = Literal["local", "foreign"]
STATUSES = ("active", "retired", "compromised")


class TrustError(ValueError):
    """Bad trust-list data or certificate."""


def spki_der(public_key: Any) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def kid_for_public_key(public_key: Any) -> bytes:
    """First 8 bytes of SHA-256 over the SubjectPublicKeyInfo DER (our own keys)."""
    return hashlib.sha256(spki_der(public_key)).digest()[:8]


def kid_for_certificate(cert_der: bytes) -> bytes:
    """First 8 bytes of SHA-256 over the certificate DER (EU DCC rule for foreign signers)."""
    return hashlib.sha256(cert_der).digest()[:8]


def algs_for_key(public_key: Any) -> tuple[str, ...]:
    """The one COSE algorithm a key type may sign with here."""
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return ("EdDSA",)
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if public_key.curve.name != "secp256r1":
            raise TrustError(f"unsupported EC curve {public_key.curve.name}")
        return ("ES256",)
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < 2048:
            raise TrustError("RSA keys under 2048 bits are not accepted")
        return ("PS256",)
    raise TrustError(f"unsupported key type {type(public_key).__name__}")


def load_certificate(data: bytes | str) -> x509.Certificate:
    """Load an X.509 certificate given as PEM, DER, or base64 of DER."""
    if isinstance(data, str):
        data = data.encode("ascii", "replace")
    try:
        if data[:1] == b"\x30":  # DER SEQUENCE; never strip binary (may end in 0x20/0x0a)
            return x509.load_der_x509_certificate(data)
        stripped = data.strip()
        if stripped.startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(stripped)
        der = base64.b64decode(b"".join(stripped.split()), validate=True)
        return x509.load_der_x509_certificate(der)
    except (ValueError, binascii.Error) as exc:
        raise TrustError(f"not a PEM, DER or base64-DER certificate: {exc}") from None


@dataclass(frozen=True, slots=True)
class TrustEntry:
    kid: bytes
    public_key: Any
    algs: frozenset[str]
    status: Status = "active"
    source: Source = "local"
    subject: str = ""
    bind_prefix: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "kid": base64.b64encode(self.kid).decode(),
            "spki": base64.b64encode(spki_der(self.public_key)).decode(),
            "algs": sorted(self.algs),
            "status": self.status,
            "source": self.source,
            "subject": self.subject,
            "bind_prefix": self.bind_prefix,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrustEntry:
        try:
            pub = serialization.load_der_public_key(base64.b64decode(d["spki"], validate=True))
            allowed = set(algs_for_key(pub))
            algs = frozenset(d.get("algs") or allowed)
            if not algs <= allowed:
                raise TrustError(f"algs {sorted(algs)} not usable with this key type")
            status = d.get("status", "active")
            if status not in STATUSES:
                raise TrustError(f"bad status {status!r}")
            source = d.get("source", "foreign")
            if source not in ("local", "foreign"):
                raise TrustError(f"bad source {source!r}")
            return cls(
                kid=base64.b64decode(d["kid"], validate=True),
                public_key=pub,
                algs=algs,
                status=status,
                source=source,
                subject=str(d.get("subject", "")),
                bind_prefix=bool(d.get("bind_prefix", source == "local")),
            )
        except TrustError:
            raise
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise TrustError(f"bad trust entry: {exc}") from None


class TrustList:
    """kid -> TrustEntry; lookups are a dict access."""

    def __init__(self, entries: Iterable[TrustEntry] = ()) -> None:
        self._by_kid: dict[bytes, TrustEntry] = {}
        for e in entries:
            self.add(e)

    def add(self, entry: TrustEntry) -> None:
        self._by_kid[entry.kid] = entry

    def add_public_key(
        self,
        public_key: Any,
        *,
        kid: bytes | None = None,
        status: Status = "active",
        source: Source = "local",
        subject: str = "",
        bind_prefix: bool | None = None,
    ) -> TrustEntry:
        entry = TrustEntry(
            kid=kid if kid is not None else kid_for_public_key(public_key),
            public_key=public_key,
            algs=frozenset(algs_for_key(public_key)),
            status=status,
            source=source,
            subject=subject,
            bind_prefix=(source == "local") if bind_prefix is None else bind_prefix,
        )
        self.add(entry)
        return entry

    def add_certificate(self, data: bytes | str, *, status: Status = "active") -> TrustEntry:
        """Trust a foreign HCERT signer certificate (PEM, DER or base64 DER)."""
        cert = load_certificate(data)
        der = cert.public_bytes(serialization.Encoding.DER)
        return self.add_public_key(
            cert.public_key(),
            kid=kid_for_certificate(der),
            status=status,
            source="foreign",
            subject=cert.subject.rfc4514_string(),
            bind_prefix=False,
        )

    def set_status(self, kid: bytes, status: Status) -> None:
        self._by_kid[kid] = replace(self._by_kid[kid], status=status)

    def get(self, kid: bytes | None) -> TrustEntry | None:
        return self._by_kid.get(kid) if kid is not None else None

    def __contains__(self, kid: object) -> bool:
        return kid in self._by_kid

    def __iter__(self) -> Iterator[TrustEntry]:
        return iter(self._by_kid.values())

    def __len__(self) -> int:
        return len(self._by_kid)

    def to_dict(self) -> dict[str, Any]:
        return {"version": 1, "keys": [e.to_dict() for e in self]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrustList:
        if not isinstance(d, dict) or d.get("version") != 1 or not isinstance(d.get("keys"), list):
            raise TrustError("trust list must be {'version': 1, 'keys': [...]}")
        return cls(TrustEntry.from_dict(e) for e in d["keys"])
