"""Median frame -> verdict time on 1280x720 frames with one permit code, on one core.

Ours: checkpoints.station.Station.process_frame (zxing-cpp fast path on gray, pyzbar/OpenCV
fallbacks, prefix dispatch, offline verify, app rule), read throttle off so every frame gives a
verdict. Baseline, same frames and run: a naive pipeline, pyzbar on the full colour frame, then
the same verify + rule. Target: <= 15 ms median.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
from _util import line
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyzbar import pyzbar

from checkpoints.station import Station
from checkpoints.verify import Verifier
from core.qr import Signer, TrustList
from core.qr.render import png_bytes
from core.qr.sign import example_permit_claims
from core.registry import get_registry

FRAMES = 60


def frames(text: str, n: int) -> list[np.ndarray]:
    code = cv2.imdecode(np.frombuffer(png_bytes(text, scale=5), np.uint8), cv2.IMREAD_COLOR)
    rng = np.random.default_rng(7)
    out = []
    for i in range(n):
        bg = rng.integers(90, 200, (720, 1280, 3), dtype=np.uint8)
        bg = cv2.GaussianBlur(bg, (0, 0), 3)
        h, w = code.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), -15 + 30 * i / n, 1.0)
        m[0, 2] += 200 + 600 * i / n
        m[1, 2] += 720 / 2 - h / 2
        frame = cv2.warpAffine(code, m, (1280, 720), dst=bg, borderMode=cv2.BORDER_TRANSPARENT)
        noise = rng.normal(0, 6, frame.shape)
        out.append(np.clip(frame + noise, 0, 255).astype(np.uint8))
    return out


def main() -> None:
    cv2.setNumThreads(1)
    signer = Signer(ed25519.Ed25519PrivateKey.generate(), issuer="DN")
    trust = TrustList()
    trust.add_public_key(signer.public_key)
    prefix = "TP1:" if get_registry().token_type_for("TP1:") else "ZZ1:"
    now = datetime.now(UTC)
    claims = example_permit_claims()
    claims["h"] = [0, 1440]
    text = signer.sign(
        prefix, claims, expires=now + timedelta(days=1), not_before=now - timedelta(hours=1)
    )
    revoked = frozenset(f"rv{i:07d}" for i in range(100_000))
    verifier = Verifier(trust, revoked, zone=str(claims["w"][0]), checkpoint_id="cp-bench")
    station = Station(verifier, checkpoint_id="cp-bench", throttle_seconds=0.0)
    imgs = frames(text, FRAMES)

    def ours(img: np.ndarray, i: int) -> str | None:
        ev = station.process_frame(img, float(i))
        return ev[0].verdict.verdict if ev else None

    def naive(img: np.ndarray, i: int) -> str | None:
        found = pyzbar.decode(img)
        for sym in found:
            if sym.type == "QRCODE":
                return verifier.check(sym.data.decode("utf-8", "replace"), now).verdict
        return None

    results = {"ours": [], "baseline": []}
    got = {"ours": 0, "baseline": 0}
    for i, img in enumerate(imgs):  # interleaved so load drift hits both
        for name, fn in (("ours", ours), ("baseline", naive)):
            t = time.process_time()
            v = fn(img, i)
            results[name].append((time.process_time() - t) * 1000)
            got[name] += v == "VALID"
    med_ours = statistics.median(results["ours"])
    med_base = statistics.median(results["baseline"])
    print(f"frame -> verdict, {FRAMES} frames 1280x720, one {prefix} code, CPU time")
    line("ours: median", med_ours, "ms")
    line("ours: 90th percentile", sorted(results["ours"])[int(0.9 * FRAMES)], "ms")
    line("baseline (pyzbar on colour frame): median", med_base, "ms")
    line("ratio (baseline / ours)", med_base / med_ours, "x")
    print(f"verdicts VALID: ours {got['ours']}/{FRAMES}, baseline {got['baseline']}/{FRAMES}")
    print(f"target <= 15 ms median: {'PASS' if med_ours <= 15 else 'FAIL'}")


if __name__ == "__main__":
    main()
