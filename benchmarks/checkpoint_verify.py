"""Checkpoint verification per token with a 100,000-entry revocation list, on one core:
prefix dispatch -> offline verify with the bundle's trust list + revocation set -> app rule.

Ours: the station verifier (checkpoints.verify.Verifier) built from a signed offline bundle
(revocations held as a frozenset). Baseline, same run: the same pipeline with the revocation
list kept as a Python list (what a naive loader gives). Target: <= 0.2 ms per token.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from _util import line
from cryptography.hazmat.primitives.asymmetric import ed25519

from checkpoints.bundle import parse_bundle
from checkpoints.verify import Verifier
from core.qr import Signer, TrustList
from core.qr.bundle import sign_bundle
from core.qr.sign import example_permit_claims
from core.registry import get_registry

N = 5_000
N_BASE = 300
REVOKED = 100_000


def main() -> None:
    signer = Signer(ed25519.Ed25519PrivateKey.generate(), issuer="DN")
    trust = TrustList()
    trust.add_public_key(signer.public_key)
    for _ in range(200):
        trust.add_public_key(ed25519.Ed25519PrivateKey.generate().public_key(), status="retired")
    prefix = "TP1:" if get_registry().token_type_for("TP1:") else "ZZ1:"
    now = datetime.now(UTC)
    claims = example_permit_claims()
    claims["h"] = [0, 1440]
    tokens = [
        signer.sign(
            prefix,
            claims,
            expires=now + timedelta(days=1),
            token_id=f"ok{i:07d}",
            not_before=now - timedelta(hours=1),
        )
        for i in range(N)
    ]
    revoked = [f"rv{i:07d}" for i in range(REVOKED)]
    payload = {
        "v": 1,
        "created": int(now.timestamp()),
        "issuer": "DN",
        "trust": trust.to_dict(),
        "revoked": revoked,
        "zone": str(claims["w"][0]),
        "checkpoint": {"id": "cp-bench"},
        "rules": {},
    }
    t0 = time.perf_counter()
    sb = parse_bundle(sign_bundle(payload, signer), anchors=trust)
    load_ms = (time.perf_counter() - t0) * 1000
    ours = sb.verifier()
    base = Verifier(trust, list(revoked), zone=sb.zone, checkpoint_id="cp-bench")
    assert ours.check(tokens[0], now).verdict == "VALID", ours.check(tokens[0], now)

    def per_token(v: Verifier, toks: list[str]) -> float:
        t = time.process_time()
        for tok in toks:
            v.check(tok, now)
        return (time.process_time() - t) / len(toks) * 1000

    ours_ms = statistics.median(per_token(ours, tokens) for _ in range(3))
    base_ms = statistics.median(per_token(base, tokens[:N_BASE]) for _ in range(3))
    print(f"checkpoint verify, {REVOKED:,} revocations, type {prefix} (rule included)")
    line("bundle load (verify signature, 100k ids)", load_ms, "ms")
    line("ours: frozenset revocations", ours_ms * 1000, "us/token")
    line("baseline: list revocations", base_ms * 1000, "us/token")
    line("ratio (baseline / ours)", base_ms / ours_ms, "x")
    print(f"target <= 200 us/token: {'PASS' if ours_ms <= 0.2 else 'FAIL'}")


if __name__ == "__main__":
    main()
