"""Size of a typical travel-permit token vs the same claims as JSON + base64.

Also prints where the bytes go, and the QR version each text needs at error correction M
(our token is QR alphanumeric mode, 5.5 bits/char; base64 needs byte mode, 8 bits/char).
"""

from __future__ import annotations

import base64
import json
import sys
import zlib
from datetime import UTC, datetime, timedelta

import cbor2
from _util import line
from cryptography.hazmat.primitives.asymmetric import ed25519

from core.qr import Signer
from core.qr.codec import b45decode
from core.qr.sign import APP_CLAIM, example_permit_claims

PERMIT_ID = "TP25000123"  # ~10 characters, as in the brief


def qr_version(text: str) -> str:
    try:
        import segno
    except ImportError:
        return "?"
    return str(segno.make(text, error="m", boost_error=False).version)


TARGET_CHARS = 200


def main() -> int:
    signer = Signer(ed25519.Ed25519PrivateKey.generate(), issuer="DN")
    nbf = datetime(2021, 9, 5, tzinfo=UTC)
    exp = nbf + timedelta(days=7)
    claims = example_permit_claims()
    # median over many token ids: the length varies by a few chars with the signature bytes
    # (zlib fixed Huffman codes spend 9 bits on bytes >= 144)
    tokens = sorted(
        (
            signer.sign(
                "TP1:", claims, token_id=f"TP25{i:06d}", not_before=nbf, expires=exp, issued_at=nbf
            )
            for i in range(1000)
        ),
        key=len,
    )
    lengths = [len(t) for t in tokens]
    token = tokens[len(tokens) // 2]
    ours = len(token)

    readable = {
        "iss": "DN",
        "jti": PERMIT_ID,
        "iat": int(nbf.timestamp()),
        "nbf": int(nbf.timestamp()),
        "exp": int(exp.timestamp()),
        "name": claims["n"],
        "cccd": claims["c"],
        "tax_code": claims["b"],
        "wards": claims["w"],
        "hours": "06:00-20:00",
    }
    js = json.dumps(readable, ensure_ascii=False, separators=(",", ":")).encode()
    b64 = base64.b64encode(js).decode()
    sig = base64.urlsafe_b64encode(signer.sign_bytes(js)).rstrip(b"=").decode()
    jws = (
        base64.urlsafe_b64encode(b'{"alg":"EdDSA","kid":"' + base64.b64encode(signer.kid) + b'"}')
        .rstrip(b"=")
        .decode()
        + "."
        + base64.urlsafe_b64encode(js).rstrip(b"=").decode()
        + "."
        + sig
    )

    line("our token, typical permit (median of 1,000)", ours, "chars")
    print(f"{'  min / max':<44} {lengths[0]:>8} / {lengths[-1]} chars")
    line("baseline: same claims as JSON + base64 (unsigned)", len(b64), "chars")
    print(f"{'ratio ours / JSON+base64':<44} {ours / len(b64):>14.2f}")
    line("signed baseline: JWS compact (EdDSA, JSON)", len(jws), "chars")
    print(f"{'ratio ours / JWS':<44} {ours / len(jws):>14.2f}")
    print(
        f"{'QR version at ECC M: ours / JSON+b64 / JWS':<44} {qr_version(token):>8} / {qr_version(b64)} / {qr_version(jws)}"
    )

    raw = zlib.decompress(b45decode(token[4:]))
    cwt = cbor2.loads(cbor2.loads(raw).value[2])
    payload = cbor2.loads(raw).value[2]
    app = len(cbor2.dumps(cwt[APP_CLAIM]))
    std = len(payload) - app
    framing = len(raw) - len(payload) - 66 - len(signer.encoder.protected_raw)
    print("\nwhere the bytes go in the median token (base45 turns 2 bytes into 3 chars):")
    for name, n in (
        ("Ed25519 signature (+2 B CBOR head)", 66),
        ("protected header {alg, kid 8 B}", len(signer.encoder.protected_raw)),
        ("COSE framing (tag, array, bstr heads)", framing),
        ("CWT map: iss/exp/nbf/iat/cti, app label", std),
        ("app claims (name, CCCD, tax, wards, hours)", app),
        ("zlib (header, block, adler32)", len(b45decode(token[4:])) - len(raw)),
    ):
        print(f"  {name:<44} {n:>5} B")
    print(f"  {'prefix':<44} {4:>5} chars")
    print(
        "a 200-char token holds 130 bytes; signature + kid + framing + zlib alone take "
        f"{66 + len(signer.encoder.protected_raw) + framing + len(b45decode(token[4:])) - len(raw)} B"
    )
    met = len(token) <= TARGET_CHARS
    print(
        f"target <= {TARGET_CHARS} chars for a typical permit: {'met' if met else 'NOT met'}"
        " (the required claims plus an Ed25519 signature do not fit; see the breakdown)"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
