"""Take the README's screenshots of the real pages: ``.venv/bin/python docs/screenshots/capture.py``.

Starts ``rapid serve`` on a fresh data folder (small demo), drives Debian's chromium.
"""

from __future__ import annotations

import os
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
    login,
    logout,
    running_server,
)

OUT = Path(__file__).resolve().parent


def settle(page, seconds: float = 2.5) -> None:
    page.wait_for_load_state("networkidle")
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

        logout(page)
        login(page, url, "officer")
        nav(page, "Bảng theo dõi F0/F1")
        page.screenshot(path=str(OUT / "isolation-board.png"))

        logout(page)
        login(page, url, "checkpoint")
        nav(page, "Quét mã QR")
        page.locator("input[type=file]").first.set_input_files(str(permit_png))
        page.get_by_test_id("cp-verdict").first.wait_for()
        settle(page)
        page.get_by_test_id("cp-verdict").first.scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / "checkpoint-verdict.png"))
        browser.close()


if __name__ == "__main__":
    main()
