"""Run the built phone scanner library (core/web/assets/scanner/) in headless Chromium.

The tests need no Node: a small HTTP server on 127.0.0.1 serves the committed bundle under
``/scanner/`` and this folder's harness page at ``/``; Playwright drives Debian's chromium
(the browser fixtures' launch arguments). Every request the page makes to another origin is
refused and recorded, so a test can check that nothing (the .wasm above all) comes from a CDN.
"""

from __future__ import annotations

import base64
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
ASSETS = ROOT / "core" / "web" / "assets" / "scanner"
BUNDLE = ASSETS / "scanner.js"
WASM = ASSETS / "zxing_reader.wasm"


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".html": "text/html; charset=utf-8",
    }

    def translate_path(self, path: str) -> str:
        name = path.split("?", 1)[0].split("#", 1)[0]
        if name.startswith("/scanner/"):
            return str(ASSETS / Path(name).name)
        return str(HERE / (Path(name).name or "harness.html"))

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@contextmanager
def serve() -> Iterator[str]:
    """Base URL of a loopback server for the bundle and the harness page."""
    if not BUNDLE.exists() or not WASM.exists():
        pytest.fail("the scanner bundle is missing: run `make assets` (web/scanner/build.sh)")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(HERE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def chromium(extra_args: Sequence[str] = ()) -> Iterator[Any]:
    """Debian's chromium under Playwright, as the browser tests launch it."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Debian's chromium is missing: run `make test` (it installs it with apt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args], headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Harness:
    """The harness page, loaded; ``foreign`` lists requests refused for leaving our origin."""

    page: Any
    base_url: str
    foreign: list[str] = field(default_factory=list)

    def call(self, function: str, arg: Any = None) -> Any:
        """``await window[function](arg)`` in the page."""
        return self.page.evaluate(f"(arg) => window.{function}(arg)", arg)


def open_harness(browser: Any, base_url: str, **context_options: Any) -> Harness:
    context = browser.new_context(viewport={"width": 390, "height": 844}, **context_options)
    page = context.new_page()
    page.set_default_timeout(30_000)
    harness = Harness(page, base_url)

    def route(r: Any) -> None:
        if r.request.url.startswith(base_url + "/"):
            r.continue_()
        else:
            harness.foreign.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base_url}/harness.html")
    try:
        page.wait_for_function("window.harnessReady === true", timeout=15_000)
    except Exception:
        raise AssertionError(f"the harness page did not load the bundle: {errors}") from None
    return harness


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
