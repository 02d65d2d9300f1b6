"""Take the README's screenshots of the real pages: ``.venv/bin/python docs/screenshots/capture.py``.

Starts ``rapid serve`` on a fresh data folder (small demo), drives Debian's chromium.
"""

from __future__ import annotations

import os
import re
import subprocess
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
    declare_on_phone,
    login,
    logout,
    pick_option,
    running_server,
)

OUT = Path(__file__).resolve().parent


def settle(page, seconds: float = 2.5) -> None:
    """Let a page finish drawing: its network quiet (Streamlit's socket may keep it busy on a
    loaded machine; then the pause alone), then a short pause for the last rerun."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_load_state("networkidle", timeout=15_000)
    except PlaywrightTimeout:
        pass
    time.sleep(seconds)


def nav(page, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("link", name=name).first.click()
    settle(page)


def seed_and_pick_permit(data_dir: Path) -> Path:
    """Seed the small demo before the server starts and write one valid permit's QR as PNG."""
    import duckdb

    from core.qr.render import png_bytes

    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPID_")}
    env["RAPID_DATA_DIR"] = str(data_dir)
    rapid = str(Path(sys.executable).parent / "rapid")
    subprocess.run([rapid, "demo", "--scale", "small"], env=env, check=True, cwd=ROOT)
    con = duckdb.connect(str(data_dir / "rapid.duckdb"), read_only=True)
    (text,) = con.execute(
        "SELECT t.token_text FROM tp_permits p JOIN qr_tokens t ON t.token_id = p.permit_id"
        " WHERE p.status = 'active' AND p.valid_from <= now() AND p.valid_until > now()"
        " ORDER BY p.permit_id LIMIT 1"
    ).fetchone()
    con.close()
    png = data_dir.parent / "permit.png"
    png.write_bytes(png_bytes(text, scale=6))
    return png


def main() -> None:
    base = Path(tempfile.mkdtemp())
    permit_png = seed_and_pick_permit(base / "data")
    with running_server(base / "data", stop_timeout=20) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 820}, locale="vi-VN")
        page.goto(url)
        settle(page)
        page.screenshot(path=str(OUT / "login.png"))

        phone = browser.new_page(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="vi-VN"
        )
        phone.goto(f"{url}/khai-bao")
        settle(phone, 0.5)
        phone.screenshot(path=str(OUT / "declare-phone.png"))
        declare_on_phone(phone, "Lê Thị Minh Thư", "048190123456", "0935 123 456")
        settle(phone, 0.5)
        phone.screenshot(path=str(OUT / "pass-phone.png"))

        login(page, url, "approver")
        nav(page, "Hàng chờ duyệt")
        page.screenshot(path=str(OUT / "approver-queue.png"))

        logout(page)
        login(page, url, "officer")
        settle(page)
        page.screenshot(path=str(OUT / "home-pending-work.png"))
        nav(page, "Bảng theo dõi F0/F1")
        page.screenshot(path=str(OUT / "isolation-board.png"))
        nav(page, "Địa điểm check-in")
        page.get_by_test_id("stDataFrame").first.scroll_into_view_if_needed()
        settle(page, 0.5)
        page.screenshot(path=str(OUT / "venues-review.png"))

        logout(page)
        login(page, url, "checkpoint")
        nav(page, "Quét mã QR")
        box = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first
        pick_option(page, box, re.compile("Chốt Hầm Hải Vân"))
        uploader = page.get_by_test_id("stFileUploader").first
        uploader.locator("input[type=file]").set_input_files(str(permit_png))
        try:
            page.get_by_test_id("cp-verdict").first.wait_for()
        except Exception:
            page.screenshot(path="/tmp/cp-fail.png")
            raise
        settle(page)
        page.get_by_test_id("cp-verdict").first.scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / "checkpoint-verdict.png"))
        nav(page, "Bảng điều khiển chốt")
        page.screenshot(path=str(OUT / "checkpoint-dashboard.png"), full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
