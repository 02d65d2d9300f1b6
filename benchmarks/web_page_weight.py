"""First visit to the declaration page on a phone <= 60,000 bytes in <= 10 responses, from
Chromium's own network log (CDP ``Network.loadingFinished``: ``encodedDataLength`` summed, one
response per event), until the network is idle, in a fresh context (empty cache) at 390x844.

Ours: ``/khai-bao``. Baseline (same server, same run): the first visit of the Streamlit staff
declaration page (``/health_declaration-declare_for``) in a fresh context holding only the login
cookie of the officer (logged in from another context), until its form is shown and the network
is idle: the same form in the Streamlit front end, which is what a Streamlit page for citizens
would download. Also shown: Streamlit's login page (the first page anyone gets there), the
WebSocket frames the Streamlit pages receive (not in that log, so not counted), a second visit
of ``/khai-bao`` (assets cached), and the time until each form can be used. Exits 1 if the
target is missed.
"""

from __future__ import annotations

import base64
import sys
import time
import urllib.request
from urllib.parse import urlsplit

from web_common import (
    DECLARE_PATH,
    DESKTOP,
    PHONE,
    STREAMLIT_DECLARE_PATH,
    chromium,
    load,
    login,
    rapid_server,
    texts,
    workdir,
)

LIMIT_BYTES = 60_000
LIMIT_RESPONSES = 10
QUIET_S = 1.5  # "network idle": no response finished for this long (after Playwright's own)


class NetworkLog:
    """What Chromium's network log says a page received."""

    def __init__(self, context, page) -> None:
        self.bytes = self.responses = self.cached = self.ws_bytes = self.ws_frames = 0
        self.last = time.monotonic()
        self.types: dict[str, int] = {}
        self.failed: list[str] = []
        self._kind: dict[str, str] = {}
        self._url: dict[str, str] = {}
        cdp = context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._request)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.send("Network.enable")

    def _request(self, event: dict) -> None:
        self._url[event["requestId"]] = event["request"]["url"]

    def _response(self, event: dict) -> None:
        self._kind[event["requestId"]] = event.get("type", "Other")
        response = event.get("response", {})
        if response.get("fromDiskCache") or response.get("fromMemoryCache"):
            self.cached += 1

    def _finished(self, event: dict) -> None:
        self.bytes += int(event.get("encodedDataLength", 0))
        self.responses += 1
        kind = self._kind.get(event["requestId"], "Other")
        self.types[kind] = self.types.get(kind, 0) + 1
        self.last = time.monotonic()

    def _failed(self, event: dict) -> None:
        url = urlsplit(self._url.get(event["requestId"], ""))
        name = url.path.rsplit("/", 1)[-1]
        self.failed.append(f"{url.netloc}/../{name} ({event.get('errorText', '')})")
        self.last = time.monotonic()

    def _frame(self, event: dict) -> None:
        frame = event.get("response", {})
        data = frame.get("payloadData", "")
        self.ws_frames += 1  # binary frames (opcode 2) come base64-encoded
        self.ws_bytes += len(base64.b64decode(data)) if frame.get("opcode") == 2 else len(data)
        self.last = time.monotonic()

    def settle(self, page, limit_s: float = 60) -> None:
        page.wait_for_load_state("networkidle")
        deadline = time.monotonic() + limit_s
        while time.monotonic() - self.last < QUIET_S and time.monotonic() < deadline:
            page.wait_for_timeout(250)

    def kinds(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.types.items(), key=lambda kv: -kv[1]))
        failed = f"; failed, not counted: {', '.join(self.failed)}" if self.failed else ""
        return f"{kinds}; {self.cached} from the browser's cache{failed}"


def visit(browser, url: str, ready, *, cookies=None, context=None) -> tuple[NetworkLog, float]:
    """A phone's visit of ``url`` (a fresh context unless one is given): the network log until
    idle, and the seconds until ``ready(page)`` returned (the form can be used)."""
    own = context is None
    if own:
        context = browser.new_context(viewport=PHONE, locale="vi-VN")
        if cookies:
            context.add_cookies(cookies)
    page = context.new_page()
    page.set_default_timeout(90_000)
    net = NetworkLog(context, page)
    start = time.perf_counter()
    page.goto(url)
    try:
        ready(page)
    except Exception:
        shown = page.locator("body").inner_text(timeout=5_000)[:1500]
        print(f"the page at {page.url} shows:\n{shown}", file=sys.stderr)
        raise
    usable = time.perf_counter() - start
    net.settle(page)
    page.close()
    if own:
        context.close()
    return net, usable


def main() -> int:
    words = texts()
    with workdir() as tmp, rapid_server(tmp / "data") as server, chromium() as browser:
        print(
            f"one server, Chromium {browser.version}, {PHONE['width']}x{PHONE['height']}; {load()}"
        )

        def our_form(page) -> None:
            page.get_by_role("button", name=words["submit"]).wait_for()

        def streamlit_form(page) -> None:
            page.get_by_test_id("stMain").get_by_role("button", name=words["submit"]).wait_for()

        def login_form(page) -> None:
            page.get_by_role("button", name="Đăng nhập").wait_for()

        start = time.perf_counter()  # the server's first page loads its modules: not counted
        urllib.request.urlopen(server.url + DECLARE_PATH, timeout=60).read()
        cold = time.perf_counter() - start
        warm = browser.new_context(viewport=PHONE)  # the browser's own start, not the page's
        warm.new_page().goto(server.url + "/_stcore/health")
        warm.close()
        ours_context = browser.new_context(viewport=PHONE, locale="vi-VN")
        ours, ours_s = visit(browser, server.url + DECLARE_PATH, our_form, context=ours_context)
        again, again_s = visit(browser, server.url + DECLARE_PATH, our_form, context=ours_context)
        ours_context.close()

        staff = browser.new_context(viewport=DESKTOP, locale="vi-VN")
        login(staff.new_page(), server.url, "officer")
        cookies = staff.cookies()
        staff.close()
        base, base_s = visit(
            browser, server.url + STREAMLIT_DECLARE_PATH, streamlit_form, cookies=cookies
        )
        entry, entry_s = visit(browser, server.url + "/", login_form)
        print(load())

    def show(label: str, net: NetworkLog, seconds: float) -> None:
        print(
            f"{label:<46} {net.bytes:>10,} bytes in {net.responses:>3} responses"
            f"  form usable after {seconds:5.2f} s"
        )
        print(f"{'':<46} ({net.kinds()})")

    print(f"(server warmed first: its first {DECLARE_PATH} after start took {cold:.2f} s)")
    show("ours: /khai-bao, first visit", ours, ours_s)
    show("ours: /khai-bao, second visit (cache warm)", again, again_s)
    show("baseline: Streamlit declare_for, first visit", base, base_s)
    show("also: Streamlit login page, first visit", entry, entry_s)
    print(
        f"not counted above (WebSocket payloads received): Streamlit declare_for"
        f" {base.ws_bytes:,} bytes in {base.ws_frames} frames, login page"
        f" {entry.ws_bytes:,} bytes in {entry.ws_frames}; ours none ({ours.ws_frames})"
    )
    ok = ours.bytes <= LIMIT_BYTES and ours.responses <= LIMIT_RESPONSES and not ours.failed
    print(
        f"limit {LIMIT_BYTES:,} bytes in {LIMIT_RESPONSES} responses; ratio ours/baseline:"
        f" bytes {ours.bytes / base.bytes:.4f} ({base.bytes / ours.bytes:.0f}x fewer),"
        f" responses {ours.responses}/{base.responses}  {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
