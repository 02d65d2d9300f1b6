"""Bulk token signing, end to end on one core: claims -> CWT -> COSE_Sign1 -> zlib -> base45.

Baseline: raw Ed25519 signatures/s over messages of the same size, measured in the same run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from _util import interleaved, line
from cryptography.hazmat.primitives.asymmetric import ed25519

from core.qr import Signer, TokenClaims
from core.qr.sign import example_permit_claims

N = 20_000
PERMITS = 507_510  # permits Da Nang issued 5-29 Sept 2021


def main() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    signer = Signer(key, issuer="DN")
    nbf = datetime(2021, 9, 5, tzinfo=UTC)
    claims = example_permit_claims()
    items = [
        TokenClaims(
            claims,
            token_id=f"TP{i:08d}",
            not_before=nbf,
            expires=nbf + timedelta(days=7),
            issued_at=nbf,
        )
        for i in range(N)
    ]
    fast = Signer(key, issuer="DN", zlib_level=0)
    msg = b"\0" * 190  # the to-be-signed bytes of a typical permit are ~190 bytes
    sign = key.sign
    print(f"{N:,} typical travel permits, one core (CPU time), median token length in brackets")
    for name, s in (
        ("zlib level 9 (default, smallest)", signer),
        ("zlib level 0 (stored; core.qr.service.issue uses it for batches > 64)", fast),
    ):
        t_ours, t_raw = interleaved(
            lambda s=s: s.sign_many("TP1:", items), lambda: [sign(msg) for _ in range(N)]
        )
        ours = N / t_ours
        raw = N / t_raw
        lengths = sorted(len(t) for t in s.sign_many("TP1:", items[:501]))
        print(f"{name} [{lengths[250]} chars]")
        line("  end-to-end tokens/s (sign_many)", ours, "tokens/s")
        line("  baseline: raw Ed25519 signatures/s (same run)", raw, "sig/s")
        print(f"{'  ratio ours / raw Ed25519':<44} {ours / raw:>14.2f}")
        line(f"  projected time for {PERMITS:,} permits", PERMITS / ours, "s")
        print(f"{'  target >= 20,000 tokens/s':<44} {'met' if ours >= 20_000 else 'NOT met':>14}")


if __name__ == "__main__":
    main()
