"""QR size of a travel permit: the largest realistic permit must fit a version 10 QR code at
error correction M (311 characters in alphanumeric mode; a larger code is harder to scan from
a phone screen or a worn print).

Ours: the claims the app builds today (``apps.travel_permit.service._claims``: name, the last 4
digits of the CCCD, wards, hours; no employer tax code), a 65-bit permit id, no ``iss`` or
``iat`` (the key id names the signer, ``nbf`` starts the validity), signed as
``core.qr.service`` signs: zlib level 9 for single decisions, level 0 for batches over 64 (a
level-0 token that would not fit version 10 is compressed). Baseline, measured in the same run:
the same permits as c45f022 issued them (masked CCCD and tax code, issuer "VN-DN", iat, a
10-hex-digit id). The ratio is ours / baseline in characters. Exits 1 when our largest
realistic permit needs a version above 10.
"""

from __future__ import annotations

import secrets
import sys
from datetime import UTC, datetime, timedelta

from _util import line
from cryptography.hazmat.primitives.asymmetric import ed25519

from apps.travel_permit.service import _claims, new_permit_id
from core.qr import Signer
from core.qr.render import qr_version
from core.qr.sign import QR_V10_M_CHARS

TARGET_VERSION = 10
CCCD = "048090001234"
TYPICAL = ("Nguyễn Thị Thu Hà", (20194, 20197, 20200), (360, 1200))
LARGEST = ("Trương Nguyễn Hoàng Phương Thảo", (20194, 20197, 20200), (22 * 60, 6 * 60))
"""Five syllables (a double family name), each of the longest common ones and each with a
diacritic: 31 characters, 40 bytes of UTF-8. Three wards (home, work, one on the way) and
hours past midnight (both minutes need 3 CBOR bytes)."""
LINEAGE = ("Công Tằng Tôn Nữ Thị Phương Thảo", (20194, 20197), (22 * 60, 6 * 60))
"""A rare seven-syllable royal-lineage name (44 bytes): fits with two wards."""
TAX_CODE = "0401234567"


def c45f022_claims(name: str, zones: tuple[int, ...], hours: tuple[int, int]) -> dict:
    """The claims c45f022's ``decide`` signed: masked CCCD and the business tax code."""
    return {
        "n": name,
        "c": "*" * 8 + CCCD[-4:],
        "b": TAX_CODE,
        "w": list(zones),
        "h": list(hours),
    }


def longest(signer: Signer, permit: tuple, *, ours: bool, n: int = 50) -> str:
    """The longest of ``n`` tokens of one permit (ids and signatures vary)."""
    name, zones, hours = permit
    nbf = datetime(2021, 9, 5, 17, tzinfo=UTC)
    exp = nbf + timedelta(days=14)
    if ours:
        claims = _claims(name, CCCD, zones, hours)
        tokens = [
            signer.sign("TP1:", claims, token_id=new_permit_id(), not_before=nbf, expires=exp)
            for _ in range(n)
        ]
    else:
        claims = c45f022_claims(name, zones, hours)
        tokens = [
            signer.sign(
                "TP1:",
                claims,
                token_id="P" + secrets.token_hex(5).upper(),
                not_before=nbf,
                expires=exp,
                issued_at=nbf,
            )
            for _ in range(n)
        ]
    return max(tokens, key=len)


def main() -> int:
    key = ed25519.Ed25519PrivateKey.generate()
    ours = {"single": Signer(key), "bulk (> 64)": Signer(key, zlib_level=0)}
    base = {
        "single": Signer(key, issuer="VN-DN"),
        "bulk (> 64)": Signer(key, issuer="VN-DN", zlib_level=0),
    }
    print(
        f"QR version at error correction M (target <= {TARGET_VERSION},"
        f" i.e. <= {QR_V10_M_CHARS} characters)"
    )
    worst = 0
    for label, permit in (
        ("typical permit", TYPICAL),
        ("largest realistic permit", LARGEST),
        ("royal-lineage name, 2 wards", LINEAGE),
    ):
        print(f"\n{label}: {permit[0]!r}, {len(permit[1])} wards")
        for mode in ours:
            mine = longest(ours[mode], permit, ours=True)
            then = longest(base[mode], permit, ours=False)
            v_mine, v_then = qr_version(mine), qr_version(then)
            worst = max(worst, v_mine)
            line(f"  {mode}: ours", len(mine), f"chars (version {v_mine})")
            line(f"  {mode}: baseline c45f022 (same run)", len(then), f"chars (version {v_then})")
            print(f"{'  ratio ours / baseline':<44} {len(mine) / len(then):>14.2f}")
    met = worst <= TARGET_VERSION
    print(
        f"\ntarget: every permit above in a version <= {TARGET_VERSION} QR code at M:"
        f" {'met' if met else 'NOT met'} (largest: version {worst})"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
