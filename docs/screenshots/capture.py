"""Take the README's screenshots of the real pages: ``.venv/bin/python docs/screenshots/capture.py``.

Starts ``rapid serve`` on a fresh data folder (small demo), drives Debian's chromium.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    login,
    start_server,
    wait_ready,
)

OUT = Path(__file__).resolve().parent


def settle(page, seconds: float = 2.5) -> None:
    page.wait_for_load_state("networkidle")
    time.sleep(seconds)


def nav(page, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("link", name=name).first.click()
    settle(page)


def main() -> None:
    base = Path(tempfile.mkdtemp())
    port = free_port()
    proc = start_server(base / "data", port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 820})
            page.goto(url)
            settle(page)
            page.screenshot(path=str(OUT / "login.png"))

            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
            phone.goto(f"{url}/health_declaration-declare")
            settle(phone)
            phone.screenshot(path=str(OUT / "declare-phone.png"))

            login(page, url, "approver")
            nav(page, "Hàng chờ duyệt")
            page.screenshot(path=str(OUT / "approver-queue.png"))

            page.get_by_test_id("stSidebar").get_by_role("button").last.click()
            settle(page)
            login(page, url, "officer")
            nav(page, "Bảng theo dõi F0/F1")
            page.screenshot(path=str(OUT / "isolation-board.png"))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


if __name__ == "__main__":
    main()
