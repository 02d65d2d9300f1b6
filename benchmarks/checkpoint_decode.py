"""Benchmark: checkpoint QR decoding (``checkpoints.decoder.Decoder``) against single engines.

(a) median frame->decode time on 1280x720 BGR frames with one permit code (target <= 15 ms on
    one core), ours vs pyzbar alone (and zxing-cpp alone, for reference);
(b) decode rate on the seeded synthetic hard set (``checkpoints.hardset``): pyzbar alone,
    OpenCV alone, zxing-cpp alone, ours;
(c) decode rate on the real photos in ``tests/data/qr-photos``: pyzbar alone, zxing-cpp alone,
    ours;
(d) the same photos degraded seven ways (blur, noise, JPEG q12, dark, low contrast, 0.55x,
    glare): real textures and real print, checkpoint conditions. Same three engines.

Everything runs on one thread (``cv2.setNumThreads(1)``).  Run:
``.venv/bin/python benchmarks/checkpoint_decode.py [--hard N] [--seed S]`` (about 1-2 minutes).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from checkpoints.decoder import (  # noqa: E402
    Decoder,
    opencv_engine,
    to_gray,
    zbar_engine,
    zxing_engine,
)
from checkpoints.hardset import BASE45, _background, iter_samples, qr_matrix, render_qr  # noqa: E402

PHOTOS = ROOT / "tests" / "data" / "qr-photos"


def pyzbar_alone(image: np.ndarray) -> list[str]:
    return [t for t, _ in zbar_engine(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))]


def zxing_alone(image: np.ndarray) -> list[str]:
    return [t for t, _ in zxing_engine(to_gray(image))]  # zxing-cpp defaults (try harder on)


def opencv_alone(image: np.ndarray) -> list[str]:
    return [t for t, _ in opencv_engine(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))]


def easy_frames(n: int, seed: int = 7) -> list[tuple[np.ndarray, str]]:
    """1280x720 frames, one permit code each (40-60% of the frame height), mild blur + noise."""
    rng = np.random.default_rng(seed)
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        text = "TP1:" + "".join(rnd.choices(BASE45, k=rnd.randint(160, 200)))
        mods = qr_matrix(text)
        px = max(3, int(rng.uniform(0.4, 0.6) * 720 / (mods.shape[0] + 8)))
        code = cv2.cvtColor(render_qr(mods, px), cv2.COLOR_GRAY2BGR)
        frame = _background(rng)
        h, w = code.shape[:2]
        y, x = int(rng.integers(10, 720 - h - 10)), int(rng.integers(10, 1280 - w - 10))
        frame[y : y + h, x : x + w] = code
        frame = cv2.GaussianBlur(frame, (3, 3), 0.8)
        noise = rng.normal(0, 4, frame.shape)
        frame = np.clip(frame + noise, 0, 255).astype(np.uint8)
        out.append((frame, text))
    return out


DEGRADATIONS = ("blur", "noise", "jpeg", "dark", "low-contrast", "small", "glare")


def degrade(image: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """One photographic degradation of a real photo (for benchmark part d)."""
    img = image.astype(np.float32)
    if kind == "blur":
        return cv2.GaussianBlur(image, (0, 0), rng.uniform(1.3, 2.0))
    if kind == "noise":
        img = img + rng.normal(0, 18, img.shape)
    elif kind == "jpeg":
        return cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 12])[1], 1)
    elif kind == "dark":
        img = img * 0.25
    elif kind == "low-contrast":
        img = 90 + img * 0.25
    elif kind == "small":
        return cv2.resize(image, None, fx=0.55, fy=0.55, interpolation=cv2.INTER_AREA)
    elif kind == "glare":
        h, w = image.shape[:2]
        spot = np.zeros((h, w), np.float32)
        cv2.ellipse(spot, (w // 2, h // 2), (w // 6, h // 10), 30, 0, 360, 1.0, -1)
        img = img + cv2.GaussianBlur(spot, (0, 0), w * 0.03)[:, :, None] * 170
    return np.clip(img, 0, 255).astype(np.uint8)


def median_ms(fn, frames, repeats: int) -> tuple[float, int]:
    times, hits = [], 0
    for _ in range(repeats):
        for image, text in frames:
            t0 = time.perf_counter()
            texts = fn(image)
            times.append((time.perf_counter() - t0) * 1e3)
            hits += text in texts
    return statistics.median(times), hits // repeats


def rates(engines: dict, samples) -> dict[str, tuple[int, float, float]]:
    """engine -> (hits, median ms, p95 ms)."""
    out = {}
    for name, fn in engines.items():
        hits, times = 0, []
        for image, text in samples:
            t0 = time.perf_counter()
            texts = fn(image)
            times.append((time.perf_counter() - t0) * 1e3)
            hits += text in texts
        times.sort()
        out[name] = (hits, statistics.median(times), times[int(0.95 * (len(times) - 1))])
    return out


def print_rates(title: str, res: dict, n: int) -> None:
    print(f"\n{title} (n={n})")
    print(f"  {'engine':<12} {'read':>9} {'rate':>7} {'median ms':>10} {'p95 ms':>8}")
    for name, (hits, med, p95) in res.items():
        print(f"  {name:<12} {hits:>4}/{n:<4} {hits / n:>7.1%} {med:>10.2f} {p95:>8.1f}")
    ours = res["ours"][0] / n
    for name, (hits, _, _) in res.items():
        if name != "ours":
            base = hits / n
            ratio = f"{ours / base:.2f}x" if base else "inf"
            print(f"  ours vs {name}: {ours:.1%} vs {base:.1%} (ratio {ratio})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hard", type=int, default=300, help="synthetic hard-set size")
    ap.add_argument("--seed", type=int, default=2026, help="synthetic hard-set seed")
    ap.add_argument("--frames", type=int, default=30, help="easy 1280x720 frames for (a)")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    decoder = Decoder()

    def ours(image: np.ndarray) -> list[str]:
        return [d.text for d in decoder.decode(image)]

    t_start = time.perf_counter()
    frames = easy_frames(args.frames)
    for fn in (ours, pyzbar_alone, zxing_alone):  # warm-up
        fn(frames[0][0])
    ms_ours, ok_ours = median_ms(ours, frames, 5)
    ms_zbar, ok_zbar = median_ms(pyzbar_alone, frames, 5)
    ms_zx, ok_zx = median_ms(zxing_alone, frames, 5)
    n = len(frames)
    print(f"(a) 1280x720 frame with one code, median frame->decode ms, one thread (n={n} x 5)")
    print(f"  ours           {ms_ours:7.2f} ms  (read {ok_ours}/{n})  target <= 15 ms")
    print(f"  pyzbar alone   {ms_zbar:7.2f} ms  (read {ok_zbar}/{n})  baseline")
    print(f"  zxing alone    {ms_zx:7.2f} ms  (read {ok_zx}/{n})")
    print(f"  ratio pyzbar/ours: {ms_zbar / ms_ours:.1f}x faster")

    samples = [(s.image, s.text) for s in iter_samples(args.hard, seed=args.seed)]
    res = rates(
        {"pyzbar": pyzbar_alone, "opencv": opencv_alone, "zxing-cpp": zxing_alone, "ours": ours},
        samples,
    )
    print_rates(f"(b) synthetic hard set, seed {args.seed}", res, len(samples))

    photos = []
    for img in sorted(PHOTOS.glob("*/*.png")):
        photos.append((cv2.imread(str(img)), img.with_suffix(".txt").read_bytes().decode()))
    res = rates({"pyzbar": pyzbar_alone, "zxing-cpp": zxing_alone, "ours": ours}, photos)
    print_rates("(c) real photos, tests/data/qr-photos", res, len(photos))
    degraded = [
        (degrade(img, kind, np.random.default_rng(i)), text)
        for i, (img, text) in enumerate(photos)
        for kind in DEGRADATIONS
    ]
    res = rates({"pyzbar": pyzbar_alone, "zxing-cpp": zxing_alone, "ours": ours}, degraded)
    print_rates(f"(d) real photos degraded ({', '.join(DEGRADATIONS)})", res, len(degraded))
    print(f"\ntotal {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
