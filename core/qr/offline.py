"""The signed offline bundle a checkpoint verifies with: trust list + revocation list + rules.

The server signs it with its active key. A station pins the server's keys once (``rapid keys
export-trust`` -> ``trust.json``) and then accepts only bundles signed by them; without a pinned
file the bundle's own trust list checks integrity only, and the loader says so.

Bundle signers are pinned apart from token signers: the pin file's ``bundle_signers`` are our
own keys only, and whatever a file says, a foreign certificate (trusted to read ``HC1:`` health
certificates) never signs a bundle (``core.qr.bundle``). Each bundle carries ``seq``, a number
that grows with every bundle the server builds, so a station can refuse one older than the
newest it has accepted (an old bundle would bring back revoked permits).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core import clock
from core.qr.bundle import BundleError, bundle_signers, open_bundle, sign_bundle
from core.qr.trust import TrustList

BUNDLE_VERSION = 1
SEQ_COUNTER = "bundle-seq"


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
    seq: int = 0
    """Grows with every bundle the server builds (microseconds since the epoch, or more);
    a bundle from before it had one counts its creation second."""

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

    now = clock.now()
    seq = service.keystore().next_counter(SEQ_COUNTER, int(now.timestamp() * 1_000_000))
    payload = {
        "v": BUNDLE_VERSION,
        "created": int(now.timestamp()),
        "seq": seq,
        "issuer": get_settings().issuer,
        "trust": service.trust_list().to_dict(),
        "revoked": service.revocation_rows(store=store),
        "zone": zone,
        "checkpoint": checkpoint or {},
        "rules": rules or {},
    }
    return sign_bundle(payload, service.signer())


def load_trust_file(path: Path) -> TrustList:
    """The bundle signers pinned in a file written by ``rapid keys export-trust``: its
    ``bundle_signers``, or in a file from before they were listed apart, the local keys of its
    trust list. Never a foreign signer; an empty set is an error."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if isinstance(data, dict) and "bundle_signers" in data:
            pinned = TrustList.from_dict({"version": 1, "keys": data["bundle_signers"]})
            TrustList.from_dict({k: data[k] for k in ("version", "keys") if k in data})  # intact
        else:
            pinned = TrustList.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BundleError(f"cannot read trust file {path}: {exc}") from exc
    signers = bundle_signers(pinned)
    if not len(signers):
        raise BundleError(
            f"trust file {path} names no key of the server that may sign bundles"
            " (export it again with `rapid keys export-trust` on the server)"
        )
    return signers


def _seq(payload: dict[str, Any]) -> int:
    seq = payload.get("seq")
    if seq is None:
        return int(payload["created"]) * 1_000_000
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise BundleError("bundle sequence is not a number")
    return seq


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
            seq=_seq(payload),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, BundleError):
            raise
        raise BundleError(f"bundle content is incomplete: {exc}") from None
