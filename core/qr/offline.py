"""The signed offline bundle a checkpoint verifies with: trust list + revocation list + rules.

The server signs it with its active key. A station pins the server's keys once (``rapid keys
export-trust`` -> ``trust.json``) and then accepts only bundles signed by them; without a pinned
file the bundle's own trust list checks integrity only, and the loader says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core import clock
from core.qr.bundle import BundleError, open_bundle, sign_bundle
from core.qr.trust import TrustList

BUNDLE_VERSION = 1


@dataclass(frozen=True)
class OfflineBundle:
    trust: TrustList
    revoked: frozenset[str]
    created_at: datetime
    issuer: str
    zone: str | None = None
    checkpoint: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, Any] = field(default_factory=dict)
    pinned: bool = True

    def age_hours(self, now: datetime | None = None) -> float:
        return ((now or clock.now()) - self.created_at).total_seconds() / 3600


def build_bundle(
    *,
    zone: str | None = None,
    checkpoint: dict[str, Any] | None = None,
    rules: dict[str, Any] | None = None,
    store: Any = None,
) -> bytes:
    """Sign the current trust list and revocation list (plus zone, identity, rules)."""
    from core.config import get_settings
    from core.qr import service

    payload = {
        "v": BUNDLE_VERSION,
        "created": int(clock.now().timestamp()),
        "issuer": get_settings().issuer,
        "trust": service.trust_list().to_dict(),
        "revoked": service.revocation_rows(store=store),
        "zone": zone,
        "checkpoint": checkpoint or {},
        "rules": rules or {},
    }
    return sign_bundle(payload, service.signer())


def load_trust_file(path: Path) -> TrustList:
    """A trust list exported with ``rapid keys export-trust``."""
    try:
        return TrustList.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BundleError(f"cannot read trust file {path}: {exc}") from exc


def load_bundle(data: bytes, anchors: TrustList | None = None) -> OfflineBundle:
    """Verify and unpack a bundle. With ``anchors`` the signer must be one of them."""
    pinned = anchors is not None
    if anchors is None:
        import cbor2

        from core.qr.cose import CoseError, parse_sign1

        try:
            inner = cbor2.loads(parse_sign1(bytes(data)).payload)
            anchors = TrustList.from_dict(inner["trust"])
        except (CoseError, ValueError, KeyError, TypeError, cbor2.CBORDecodeError) as exc:
            raise BundleError(f"not a checkpoint bundle: {exc}") from None
    payload = open_bundle(data, anchors)
    try:
        if payload.get("v") != BUNDLE_VERSION:
            raise BundleError(f"unsupported bundle version {payload.get('v')!r}")
        return OfflineBundle(
            trust=TrustList.from_dict(payload["trust"]),
            revoked=frozenset(str(x) for x in payload["revoked"]),
            created_at=datetime.fromtimestamp(int(payload["created"]), UTC),
            issuer=str(payload.get("issuer", "")),
            zone=payload.get("zone"),
            checkpoint=dict(payload.get("checkpoint") or {}),
            rules=dict(payload.get("rules") or {}),
            pinned=pinned,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, BundleError):
            raise
        raise BundleError(f"bundle content is incomplete: {exc}") from None
