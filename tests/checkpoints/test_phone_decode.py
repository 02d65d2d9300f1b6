"""zxing-wasm in headless Chromium (the built bundle's decoder, its .wasm from our own origin)
reads our QR codes: one frame (ImageData) of a PNG rendered by core.qr.render, and a fake
camera (a Y4M video showing several codes in turn, through getUserMedia -> <video> -> canvas
frames) decoded continuously; the time from each code's first frame to its decode is
recorded and printed."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from core.qr import Signer
from core.qr.render import png_bytes

from .phone.harness import Harness, b64, chromium, open_harness, serve

pytestmark = pytest.mark.browser

FPS = 15
CODE_FRAMES = 15  # each code shows for 1 s ...
GAP_FRAMES = 8  # ... then about half a second of no code
SIZE = (640, 480)


def _tokens(n: int) -> list[str]:
    signer = Signer(ed25519.Ed25519PrivateKey.generate(), issuer="DN")
    expires = datetime(2021, 9, 20, tzinfo=UTC)
    return [
        signer.sign(
            "TP1:",
            {"n": f"Người thứ {i + 1}", "c": "****1234", "w": [20275, 20194], "h": [360, 1200]},
            expires=expires,
            not_before=expires - timedelta(days=14),
            token_id=f"TP-CAM-{i}",
        )
        for i in range(n)
    ]


def _frame(code: np.ndarray | None, marker: int) -> np.ndarray:
    """A camera frame: the code (if any) on white, and in the top-left corner a grey square
    (``marker``) the page reads to know which segment of the video it is showing."""
    w, h = SIZE
    frame = np.full((h, w), 255, np.uint8)
    frame[8:40, 8:40] = marker
    if code is not None:
        s = 360
        img = cv2.resize(code, (s, s), interpolation=cv2.INTER_NEAREST)
        y, x = (h - s) // 2, (w - s) // 2 + 40
        frame[y : y + s, x : x + s] = img
    return frame


def write_y4m(path: Path, texts: list[str]) -> Path:
    """YUV4MPEG2 4:2:0: for each text, CODE_FRAMES of its code then GAP_FRAMES of none."""
    w, h = SIZE
    chroma = np.full((h // 2) * (w // 2) * 2, 128, np.uint8).tobytes()  # grey: no colour
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for i, text in enumerate(texts):
            png = np.frombuffer(png_bytes(text, scale=4), np.uint8)
            code = cv2.imdecode(png, cv2.IMREAD_GRAYSCALE)
            frames = [(_frame(code, 40 * (i + 1)), CODE_FRAMES), (_frame(None, 230), GAP_FRAMES)]
            for image, count in frames:
                luma = image.tobytes()
                for _ in range(count):
                    f.write(b"FRAME\n" + luma + chroma)
    return path


TEXTS = _tokens(4)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One Chromium whose fake camera plays TEXTS in turn (a browser is launched with its
    camera file), and the harness page in a phone-sized context allowed to use it."""
    video = write_y4m(tmp_path_factory.mktemp("camera") / "codes.y4m", TEXTS)
    args = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with serve() as url, chromium(args) as browser:
        h = open_harness(browser, url, permissions=["camera"])
        yield h
        assert not h.foreign, f"requests left our origin: {h.foreign}"


def test_one_frame_of_a_rendered_code(page: Harness) -> None:
    wasm: list[str] = []
    page.page.on("request", lambda r: wasm.append(r.url) if r.url.endswith(".wasm") else None)
    token = TEXTS[0]
    out = page.call("decodePng", b64(png_bytes(token, scale=4)))
    assert [c["text"] for c in out["codes"]] == [token]
    assert out["codes"][0]["format"] == "QRCode"
    assert wasm == [f"{page.base_url}/scanner/zxing_reader.wasm"]  # our origin, not a CDN
    blank = np.full((120, 160, 3), 255, np.uint8)
    _, png = cv2.imencode(".png", blank)
    assert page.call("decodePng", b64(png.tobytes()))["codes"] == []


def test_fake_camera_codes_in_turn(page: Harness) -> None:
    texts = TEXTS
    started = page.call("startCamera")
    assert started == {"started": True}, started
    latencies: dict[int, float] = {}
    deadline = time.monotonic() + 25
    log: dict = {}
    while len(latencies) < len(texts) and time.monotonic() < deadline:
        time.sleep(0.25)
        log = page.call("cameraLog")
        latencies = _latencies(log, texts)
    assert log.get("error") is None, log.get("error")
    assert len(latencies) == len(texts), (latencies, log.get("segments"), log.get("reads"))
    assert {r["text"] for r in log["reads"]} <= set(texts)  # nothing misread
    ms = sorted(latencies.values())
    print(
        f"\nfake camera, {SIZE[0]}x{SIZE[1]} at {FPS} fps: code's first frame -> decoded, ms: "
        + ", ".join(f"{v:.0f}" for v in ms)
        + f" (median {statistics.median(ms):.0f}); frames shown {log['frames']}, decoded"
        f" {log['decoded']}"
    )
    assert max(ms) < 1000, ms  # read while the code is still on screen


def _latencies(log: dict, texts: list[str]) -> dict[int, float]:
    """For each code, ms from the first frame of its first segment to its first read."""
    out: dict[int, float] = {}
    for i, text in enumerate(texts):
        starts = [s["at"] for s in log.get("segments", []) if s["segment"] == i]
        if not starts:
            continue
        start = starts[0]
        reads = [r["at"] for r in log.get("reads", []) if r["text"] == text and r["at"] >= start]
        if reads:
            out[i] = reads[0] - start
    return out
