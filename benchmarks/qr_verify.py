"""Offline verification cost per token with a 100,000-entry revocation list (one core).

Baseline: raw Ed25519 verification of the same to-be-signed bytes, measured in the same run.
Target: <= 150 us per token end to end.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from _util import interleaved, line
from cryptography.hazmat.primitives.asymmetric import ed25519

from core.qr import Reason, Signer, TokenClaims, TrustList, verify
from core.qr.sign import example_permit_claims

N = 5_000
REVOKED = 100_000


def main() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    signer = Signer(key, issuer="DN")
    trust = TrustList()
    trust.add_public_key(signer.public_key)
    # a realistic trust list: our key among 200 others (foreign + retired)
    for _ in range(200):
        trust.add_public_key(ed25519.Ed25519PrivateKey.generate().public_key(), status="retired")
    nbf = datetime(2021, 9, 5, tzinfo=UTC)
    now = nbf + timedelta(days=2)
    items = [
        TokenClaims(
            example_permit_claims(),
            token_id=f"TP{i:08d}",
            not_before=nbf,
            expires=nbf + timedelta(days=7),
        )
        for i in range(N)
    ]
    tokens = signer.sign_many("TP1:", items)
    revoked = frozenset(f"RV{i:08d}" for i in range(REVOKED - 500)) | {
        f"TP{i:08d}" for i in range(0, N, 10)
    }
    assert len(revoked) == REVOKED
    expected = {"TP1:", "HD1:"}

    verdicts: list = []

    def ours() -> None:
        verdicts[:] = [
            verify(t, trust=trust, revoked=revoked, now=now, expected_prefixes=expected)
            for t in tokens
        ]

    tbs = signer.encoder.to_be_signed(b"\0" * 120, b"TP1:")
    sig = key.sign(tbs)
    pub = signer.public_key

    def raw() -> None:
        for _ in range(N):
            pub.verify(sig, tbs)

    t_ours, t_raw = interleaved(ours, raw)
    counts = {r: sum(v.reason is r for v in verdicts) for r in (Reason.VALID, Reason.REVOKED)}
    assert counts[Reason.VALID] == N - N // 10 and counts[Reason.REVOKED] == N // 10, counts
    us_ours, us_raw = t_ours / N * 1e6, t_raw / N * 1e6
    line(f"verify() per token, {REVOKED:,} revoked ids", us_ours, "us")
    line("baseline: raw Ed25519 verify", us_raw, "us")
    print(f"{'ratio ours / raw Ed25519':<44} {us_ours / us_raw:>14.2f}")
    print(f"{'target <= 150 us':<44} {'met' if us_ours <= 150 else 'NOT met':>14}")


if __name__ == "__main__":
    main()
