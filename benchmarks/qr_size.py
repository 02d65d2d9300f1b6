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
from core.qr.codec import b45decode, b45encode, deflate
from core.qr.cose import ALGS, Sign1Encoder
from core.qr.sign import (
    APP_CLAIM,
    CWT_CTI,
    CWT_EXP,
    CWT_IAT,
    CWT_ISS,
    CWT_NBF,
    example_permit_claims,
)

PERMIT_ID = "TP25000123"  # ~10 characters, as in the brief


def qr_version(text: str) -> str:
    try:
        import segno
    except ImportError:
        return "?"
    return str(segno.make(text, error="m", boost_error=False).version)


TARGET_CHARS = 200


def what_if(
    app: object,
    *,
    kid: bytes,
    token_id: bytes,
    nbf: int,
    exp: int,
    compress: bool = True,
) -> int:
    """Length of a TP1: token built another way (fresh key, same CWT claims), for the
    owner's decision only: these layouts are not what we issue."""
    key = ed25519.Ed25519PrivateKey.generate()
    payload = cbor2.dumps(
        {CWT_ISS: "DN", CWT_EXP: exp, CWT_NBF: nbf, CWT_IAT: nbf, CWT_CTI: token_id, APP_CLAIM: app}
    )
    enc = Sign1Encoder(ALGS["EdDSA"], kid)
    msg = enc.message(payload, key.sign(enc.to_be_signed(payload, b"TP1:")))
    return len("TP1:" + b45encode(deflate(msg) if compress else msg))


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
    floor = sorted(
        len(
            signer.sign(
                "TP1:", {}, token_id=f"TP25{i:06d}", not_before=nbf, expires=exp, issued_at=nbf
            )
        )
        for i in range(200)
    )[100]
    room = TARGET_CHARS - floor
    print(
        f"\nfloor: the same token with an EMPTY app-claims map (only the CWT claims issue 3"
        f" requires,\nkid and signature): {floor} chars, "
        + (
            f"leaving {room} chars for the permit's fields"
            if room >= 0
            else f"already {-room} over the target before any permit field"
        )
    )
    t0, t1 = int(nbf.timestamp()), int(exp.timestamp())
    compact = [claims["n"], 1234, int(claims["b"]), claims["w"], claims["h"]]
    today = {"kid": signer.kid, "token_id": PERMIT_ID.encode()}
    small = {"kid": signer.kid[:4], "token_id": b"\x01" * 6, "compress": False}
    rows = (
        ("as issued today (map, text values)", claims, today),
        ("app claims as a CBOR array of integers", compact, today),
        ("+ kid 4 B, 6-byte token id, no zlib", compact, small),
        ("+ drop the holder's name", compact[1:], small),
        ("+ drop the name and the zones", [1234, compact[2], compact[4]], small),
    )
    print("what-if layouts, measured (median over 51 keys), for the owner's decision:")
    for label, app, kw in rows:
        n = sorted(what_if(app, **kw, nbf=t0, exp=t1) for _ in range(51))[25]
        print(f"  {label:<44} {n:>5} chars")
    met = len(token) <= TARGET_CHARS
    print(
        f"target <= {TARGET_CHARS} chars for a typical permit: {'met' if met else 'NOT met'}"
        " (the required claims plus an Ed25519 signature do not fit; see the floor above)"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
