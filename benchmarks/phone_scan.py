"""Camera frame to verdict on the phone scanner page (/quet), in headless Chromium with a fake
camera on a 390x844 viewport (issue 16: median <= 150 ms), and the page's first-visit weight.

Ours: the fake camera plays a Y4M video of four permits in turn (each 1 s, then 0.5 s of no
code). For each verdict the page records when the last frame *without* a code was grabbed
(the code appeared after it: an upper bound on "the code appearing") and when the full-screen
verdict was painted; the figure is the median of painted - that frame, over the verdicts whose
two frames are consecutive. The network is cut after the page loaded: the phone verifies
alone.

Baseline, measured in the same run on the same server: today's snapshot flow, the Streamlit
checkpoint page ("Take Photo", the server decodes and verifies, the verdict appears), from the
click (the code already in front of the camera) to the verdict on screen.

Page weight: every response of a first visit to /quet (HTML, script, WebAssembly, manifest,
bundle: the bytes on the wire and unpacked), then what a second visit fetches from the network
(the service worker serves the rest).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _util import line

from core import geo
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, login, running_server
from tests.checkpoints.helpers import code_image, rapid, rapid_env
from tests.checkpoints.test_phone_decode import write_y4m

TARGET_MS = 150.0
VIEW = {"width": 390, "height": 844}
VERDICTS = 12
SNAPSHOTS = 5


def _tokens(base: Path, env: dict[str, str]) -> list[str]:
    ward = sorted(u.code for u in geo.wards(geo.DA_NANG))[0]  # Chốt Hầm Hải Vân's ward
    src = base / "claims.jsonl"
    rows = [
        {"claims": {"n": f"Người thứ {i + 1}", "c": "1234", "w": [ward], "h": [0, 1440]}}
        for i in range(4)
    ]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    out = base / "tokens.txt"
    done = rapid(env, "qr", "sign", "--type", "TP", "--claims", src, "--out", out)
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8").splitlines()


def _login(context: Any, page: Any, url: str) -> None:
    login(page, url, "checkpoint")
    deadline = time.monotonic() + 30
    while not any(c["name"].endswith("rapid_session") for c in context.cookies()):
        assert time.monotonic() < deadline, "no login cookie"
        page.wait_for_timeout(100)


def _phone(pw: Any, url: str, video: Path) -> tuple[list[float], dict[str, int]]:
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
    try:
        context = browser.new_context(viewport=VIEW, locale="vi-VN", permissions=["camera"])
        page = context.new_page()
        page.set_default_timeout(60_000)
        _login(context, page, url)
        weight = {"wire": 0, "unpacked": 0, "requests": 0}

        def count(response: Any) -> None:
            if not response.url.startswith(f"{url}/quet"):
                return
            try:
                body = response.body()
            except Exception:  # noqa: BLE001 - a redirect or aborted response has none
                return
            weight["requests"] += 1
            weight["unpacked"] += len(body)
            weight["wire"] += int(response.headers.get("content-length") or len(body))

        page.on("response", count)
        page.goto(f"{url}/quet")
        page.select_option("#checkpoint", "cp-hai-van")
        page.locator("#bundle-age").wait_for()
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_timeout(500)
        page.remove_listener("response", count)
        second = {"network": 0}
        page.on(
            "response",
            lambda r: (
                second.__setitem__("network", second["network"] + 1)
                if r.url.startswith(f"{url}/quet") and not r.from_service_worker
                else None
            ),
        )
        page.reload()
        page.locator("#bundle-age").wait_for()
        weight["second_visit_network"] = second["network"]
        context.set_offline(True)
        page.wait_for_function(
            "(n) => window.scannerStats.verdicts.length >= n", arg=VERDICTS, timeout=120_000
        )
        stats = page.evaluate("window.scannerStats.verdicts")
    finally:
        browser.close()
    out = []
    for v in stats:
        assert v["verdict"] == "VALID", v
        if v["empty"] is not None and v["frame"] - v["empty"] <= 120:  # consecutive frames
            out.append(v["painted"] - v["empty"])
    return out, weight


def _snapshot(pw: Any, url: str, video: Path) -> list[float]:
    """Today's Streamlit page: Take Photo -> verdict, SNAPSHOTS times."""
    import re

    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
    times = []
    try:  # a desktop viewport: on a phone's the button and verdict sit below the fold
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="vi-VN", permissions=["camera"]
        )
        page = context.new_page()
        page.set_default_timeout(60_000)
        login(page, url, "checkpoint")
        page.get_by_role("link", name="Quét mã QR").first.click()
        page.get_by_text("Quét mã tại chốt").first.wait_for()
        page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name=re.compile("Chốt Hầm Hải Vân")).click()
        for _ in range(SNAPSHOTS):
            button = page.get_by_role("button", name="Take Photo")
            button.wait_for()
            page.wait_for_timeout(1000)
            t0 = time.perf_counter()
            button.click()
            page.get_by_text("HỢP LỆ", exact=True).first.wait_for()
            times.append((time.perf_counter() - t0) * 1000)
            page.get_by_role("button", name="Clear photo").click()
            page.get_by_text("HỢP LỆ", exact=True).first.wait_for(state="detached")
    finally:
        browser.close()
    return times


def main() -> int:
    from playwright.sync_api import sync_playwright

    from tests.browser.test_checkpoint import write_y4m as still_y4m

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = rapid_env(base / "data")
        tokens = _tokens(base, env)
        codes = write_y4m(base / "codes.y4m", tokens)
        still = still_y4m(base / "still.y4m", code_image(tokens[0], scale=4))
        with running_server(base / "data") as url, sync_playwright() as pw:
            ours, weight = _phone(pw, url, codes)
            baseline = _snapshot(pw, url, still)
    assert len(ours) >= VERDICTS // 2, ours
    med, base_med = statistics.median(ours), statistics.median(baseline)
    line(f"phone page: code appearing -> verdict, median of {len(ours)}", med, "ms")
    line(f"baseline: Streamlit Take Photo -> verdict, median of {len(baseline)}", base_med, "ms")
    print(f"{'ratio phone / snapshot':<44} {med / base_med:>14.3f}")
    line("first visit: bytes on the wire", weight["wire"] / 1024, "KB")
    line("first visit: bytes unpacked", weight["unpacked"] / 1024, "KB")
    line("first visit: requests", weight["requests"], "")
    line("second visit: requests to the network", weight["second_visit_network"], "")
    met = med <= TARGET_MS
    print(f"{f'target median <= {TARGET_MS:g} ms':<44} {'met' if met else 'NOT met':>14}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
