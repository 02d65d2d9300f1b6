"""The phone scanner page (/quet) in Chromium as checkpoint staff use it: a 390x844 phone, a
fake camera playing a Y4M video of several codes in turn, the network cut once the page has
loaded; each verdict is seen full-screen, verified on the phone from the signed bundle; the
scans kept on the phone are uploaded, signed by the phone's station key, once back online.
Venue mode: a green pass checks in (server call), a red pass is a refusal."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core import clock, geo
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    declare_on_phone,
    login,
    running_server,
    webcam_browser,
)
from tests.checkpoints.helpers import HAS_TP, rapid, rapid_env, tamper
from tests.checkpoints.test_phone_decode import write_y4m

pytestmark = pytest.mark.browser

VIEW = {"width": 390, "height": 844}


def _sign(env: dict[str, str], base: Path, type_id: str, claims: dict[str, Any]) -> str:
    src = base / f"claims-{type_id}.jsonl"
    out = base / f"tokens-{type_id}.txt"
    src.write_text(json.dumps({"claims": claims}, ensure_ascii=False) + "\n", encoding="utf-8")
    done = rapid(env, "qr", "sign", "--type", type_id, "--claims", src, "--out", out)
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8").splitlines()[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not HAS_TP:  # pragma: no cover - the travel permit app is built in
        pytest.skip("needs the travel permit app")
    base = tmp_path_factory.mktemp("phonepage")
    data = base / "data"
    env = rapid_env(data)
    wards = sorted(u.code for u in geo.wards(geo.DA_NANG))
    here, elsewhere = wards[0], wards[1]  # Chốt Hầm Hải Vân stands in the first ward
    now = int(clock.now().timestamp())
    permit = _sign(
        env, base, "TP", {"n": "Nguyễn Văn An", "c": "1234", "w": [here], "h": [0, 1440]}
    )
    codes = {
        "valid": permit,
        "zone": _sign(
            env, base, "TP", {"n": "Trần Thị Bình", "c": "5678", "w": [elsewhere], "h": [0, 1440]}
        ),
        "red": _sign(env, base, "HD", {"n": "Lê Văn Cường", "k": "r", "d": now, "i": "d" * 32}),
        "forged": tamper(permit),
    }
    with running_server(data) as url:
        yield {"url": url, "codes": codes, "base": base, "env": env}


def _staff_login(context: Any, page: Any, url: str) -> None:
    """Log in on the staff pages; the remembered-login cookie (written by the page's script
    just after) is what the scanner page checks."""
    login(page, url, "checkpoint")
    deadline = time.monotonic() + 30
    while not any(c["name"].endswith("rapid_session") for c in context.cookies()):
        assert time.monotonic() < deadline, "no login cookie"
        page.wait_for_timeout(100)


def _open_scanner(browser: Any, url: str) -> tuple[Any, Any]:
    context = browser.new_context(viewport=VIEW, locale="vi-VN", permissions=["camera"])
    page = context.new_page()
    page.set_default_timeout(60_000)
    _staff_login(context, page, url)
    page.goto(f"{url}/quet")
    page.select_option("#checkpoint", "cp-hai-van")
    page.locator("#bundle-age").wait_for()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.locator("#bundle-age").wait_for()
    return context, page


def _wait_verdict(page: Any, title: str, name: str | None, reason: str) -> None:
    page.wait_for_function(
        """([title, name, reason]) => {
            const box = document.querySelector('#verdict:not([hidden])')
            if (!box || box.querySelector('h1').textContent !== title) return false
            const shown = box.querySelector('.name')
            if ((shown ? shown.textContent : null) !== name) return false
            return box.querySelector('.reason').textContent.includes(reason)
        }""",
        arg=[title, name, reason],
        timeout=45_000,
    )
    box = page.locator("#verdict").bounding_box()
    assert box == {"x": 0, "y": 0, **VIEW}, box  # the whole screen, no scrolling


def test_fake_camera_offline_verdicts_full_screen(site: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    codes = site["codes"]
    order = ["valid", "zone", "red", "forged"]
    video = write_y4m(site["base"] / "codes.y4m", [codes[k] for k in order])
    with sync_playwright() as pw:
        browser = webcam_browser(pw, video)
        try:
            context, page = _open_scanner(browser, site["url"])
            page.screenshot(path=str(site["base"] / "phone-scanner.png"))
            context.set_offline(True)
            page.reload()  # from the service worker's cache, the bundle from the phone's
            page.locator("#bundle-age").wait_for()
            assert page.evaluate("!navigator.onLine")
            try:
                _wait_verdict(page, "HỢP LỆ", "Nguyễn Văn An", "Hợp lệ")
                assert page.locator("#verdict dd").filter(has_text="00:00–24:00").count() == 1
                page.screenshot(path=str(site["base"] / "phone-valid.png"))
                _wait_verdict(page, "KHÔNG HỢP LỆ", "Trần Thị Bình", "khu vực")
                _wait_verdict(page, "CẦN KIỂM TRA", "Lê Văn Cường", "đỏ")
                _wait_verdict(page, "KHÔNG HỢP LỆ", None, "Chữ ký sai")
            except Exception:
                page.screenshot(path=str(site["base"] / "phone-failure.png"))
                raise
            stats = page.evaluate("window.scannerStats.verdicts")
            assert {v["reason"] for v in stats} >= {
                "VALID",
                "ZONE_NOT_ALLOWED",
                "RISK_RED",
                "BAD_SIGNATURE",
            }
            assert page.locator("#pending").inner_text() != "Đã gửi hết lượt quét"  # kept
            context.set_offline(False)
            page.evaluate("window.dispatchEvent(new Event('online'))")
            page.locator("#pending", has_text="Đã gửi hết lượt quét").wait_for(timeout=30_000)
        finally:
            browser.close()


def _venue_id(browser: Any, url: str) -> str:
    """A venue's id, read from its poster link as a health officer sees it."""
    import re
    from urllib.parse import parse_qs, urlparse

    import cbor2

    from core.qr.codec import b45decode, inflate, split_prefix

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    login(page, url, "officer")
    page.get_by_role("link", name="Địa điểm check-in").click()
    link = page.get_by_text(re.compile(r"/check-in\?v=HV1%3A")).first
    link.wait_for()
    token = parse_qs(urlparse(link.inner_text().strip()).query)["v"][0]
    context.close()
    _, body = split_prefix(token)
    msg = cbor2.loads(inflate(b45decode(body)))
    cwt = cbor2.loads((msg.value if isinstance(msg, cbor2.CBORTag) else msg)[2])
    claims = cwt.get(-65537, cwt)
    return str(claims["v"])


def _declare_green(browser: Any, url: str) -> bytes:
    """A citizen declares on their phone; the pass PNG their page offers for download."""
    import base64

    context = browser.new_context(viewport=VIEW, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{url}/khai-bao")
    declare_on_phone(page, "Phạm Thị Xanh", "048190123987", "0935 123 987", "9 Hùng Vương")
    href = page.locator("a[download]").first.get_attribute("href")
    context.close()
    return base64.b64decode(href.split(",", 1)[1])


def test_installing_the_worker_keeps_the_held_bundle(site: dict[str, Any]) -> None:
    """The worker drops older scanner versions' caches when it activates, never the held
    bundle: on a slow phone it activates after the first bundle came (a station then found
    itself offline with no bundle), and on every upgrade of the scanner."""
    from playwright.sync_api import sync_playwright

    video = write_y4m(site["base"] / "nothing.y4m", [site["codes"]["valid"]])
    with sync_playwright() as pw:
        browser = webcam_browser(pw, video)
        try:
            context = browser.new_context(viewport=VIEW, locale="vi-VN", permissions=["camera"])
            page = context.new_page()
            page.set_default_timeout(60_000)
            _staff_login(context, page, site["url"])
            page.evaluate(
                """async () => {
                    await (await caches.open('rapid-scanner-bundle')).put(
                        '/quet/held-bundle/cp-hai-van', new Response('held'))
                    await (await caches.open('rapid-scanner-0.0.old')).put('/x', new Response('x'))
                }"""
            )
            page.goto(f"{site['url']}/quet")
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")
            keys = page.evaluate("caches.keys()")
            assert "rapid-scanner-bundle" in keys and "rapid-scanner-0.0.old" not in keys, keys
        finally:
            browser.close()


def test_no_camera_photo_fallback_and_venue_mode(site: dict[str, Any]) -> None:
    """Without a camera the page says so and offers a photo; in venue mode a red pass is a
    refusal (nothing recorded) and a green one is checked in by the server."""
    from playwright.sync_api import sync_playwright

    from core.qr.render import png_bytes

    red = site["base"] / "red.png"
    red.write_bytes(png_bytes(site["codes"]["red"], scale=6))
    green = site["base"] / "green.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            venue = _venue_id(browser, site["url"])
            green.write_bytes(_declare_green(browser, site["url"]))
            context = browser.new_context(viewport=VIEW, locale="vi-VN")
            page = context.new_page()
            page.set_default_timeout(60_000)
            _staff_login(context, page, site["url"])
            page.goto(f"{site['url']}/quet")
            page.select_option("#checkpoint", "cp-hai-van")
            page.locator("#bundle-age").wait_for()
            problem = page.locator("#camera-problem")
            problem.wait_for()
            assert "ảnh" in problem.inner_text()  # says to take a photo instead
            page.screenshot(path=str(site["base"] / "phone-no-camera.png"))
            page.select_option("#mode", "venue")
            page.fill("#venue", venue)
            page.set_input_files("#photo", str(red))
            _wait_verdict(page, "TỪ CHỐI", "Lê Văn Cường", "đỏ")
            assert "không ghi check-in" in page.locator("#verdict-note").inner_text()
            page.screenshot(path=str(site["base"] / "phone-venue-red.png"))
            page.locator("#verdict").click()
            page.set_input_files("#photo", str(green))
            _wait_verdict(page, "HỢP LỆ", "Phạm Thị Xanh", "Xanh")
            page.locator("#verdict-note", has_text="Đã check-in Phạm Thị Xanh").wait_for()
            page.screenshot(path=str(site["base"] / "phone-venue-green.png"))
        finally:
            browser.close()


def test_the_page_and_its_api_need_a_checkpoint_login(site: dict[str, Any]) -> None:
    import urllib.error
    import urllib.request

    url = site["url"]

    def status(path: str, **headers: str) -> int:
        request = urllib.request.Request(url + path, headers=headers)
        try:
            with urllib.request.urlopen(request) as r:
                return r.status
        except urllib.error.HTTPError as exc:
            return exc.code

    assert status("/quet") == 401
    assert status("/quet/api/bundle?checkpoint=cp-hai-van", **{"x-rapid-scanner": "1"}) == 401
    assert status("/quet/api/bundle?checkpoint=cp-hai-van") == 403  # no API header
    with urllib.request.urlopen(url + "/quet/sw.js") as r:
        assert r.headers["service-worker-allowed"] == "/quet"
    with urllib.request.urlopen(url + "/quet/app.webmanifest") as r:
        assert json.loads(r.read())["start_url"] == "/quet"
