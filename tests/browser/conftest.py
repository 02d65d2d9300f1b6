"""Real-browser fixtures: the real server (``rapid serve``) and Playwright on Debian's chromium.

Never ``playwright install``: it downloads a browser, which fails here. The Makefile's test
setup installs Debian's ``chromium``; a missing browser fails the test with that advice.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from core.pg_cluster import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("RAPID_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_PASSWORD = "DaNang@2021"


def start_server(
    data_dir: Path, port: int, extra_env: dict[str, str] | None = None
) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPID_")}
    env.update(
        RAPID_DATA_DIR=str(data_dir),
        RAPID_PORT=str(port),
        RAPID_HOST="127.0.0.1",
        RAPID_BASE_URL=f"http://127.0.0.1:{port}",
        **(extra_env or {}),
    )
    log = open(data_dir.parent / f"server-{port}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "rapid"), "serve"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"server at {url} not ready after {timeout} s")


@contextmanager
def running_server(
    data_dir: Path, *, stop_timeout: float = 15, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """``rapid serve`` on ``data_dir`` and a free port: yields its base URL once healthy, prints
    the end of its log when it fails to come up, stops it (killed after ``stop_timeout``)."""
    port = free_port()
    proc = start_server(data_dir, port, extra_env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc)
        yield url
    except Exception:
        print((data_dir.parent / f"server-{port}.log").read_text(errors="replace")[-4000:])
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real server on a fresh data folder with the small demo seeded."""
    with running_server(tmp_path_factory.mktemp("live") / "data") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Debian's chromium is missing: run `make test` (it installs it with apt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def browser_page(browser) -> Iterator[object]:
    """A fresh desktop-sized page; phone tests call ``browser.new_context(viewport=...)``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def submit_login(page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Open the login form and submit it (the caller checks the outcome)."""
    page.goto(base_url)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def login(page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    submit_login(page, base_url, username, password)
    page.get_by_text("Xin chào").wait_for()


def logout(page) -> None:
    """Log out from the sidebar (the login is remembered across page loads until then)."""
    page.get_by_test_id("stSidebar").get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("button", name="Đăng nhập").wait_for()


def pick_option(page, box, option, *, shows: str | None = None, tries: int = 3) -> None:
    """Open a Streamlit selectbox (``box``, a locator) and pick ``option`` (a name or a pattern).

    A click that lands while Streamlit reruns the script can be swallowed: the list does not
    open, or stays open with nothing chosen. Try again then (closing a list left open), and when
    ``shows`` is given, until the box shows that value.
    """
    from playwright.sync_api import expect

    choice = page.get_by_role("option", name=option).first
    for attempt in range(tries):
        last = attempt == tries - 1
        try:
            box.click()
            choice.wait_for(timeout=30_000 if last else 8_000)
            choice.click()
            if shows is not None:
                expect(box).to_have_value(shows, timeout=30_000 if last else 5_000)
            else:
                page.get_by_role("listbox").wait_for(state="detached", timeout=5_000)
            return
        except Exception:  # noqa: BLE001 - swallowed by a rerun: once more, then fail
            if last:
                raise
            page.keyboard.press("Escape")
            page.wait_for_timeout(300)


def webcam_browser(pw, video: Path):
    """Chromium whose camera plays ``video`` (a Y4M file), the camera allowed without a prompt."""
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    return pw.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)


def enrol_f0(page, base_url: str, person: str, name: str, *, phone: str, age: int, ward: str):
    """Log in as the health officer and enrol ``person`` as F0 on the home isolation page."""
    import re

    login(page, base_url, "officer")
    page.get_by_role("link", name="Đăng ký F0/F1").click()
    page.get_by_role("heading", name="Đăng ký F0/F1").first.wait_for()
    form = page.locator("[data-testid='stForm']").first
    form.get_by_label("Số CCCD / hộ chiếu").fill(person)
    form.get_by_label("Họ và tên").fill(name)
    form.get_by_label("Số điện thoại").fill(phone)
    form.get_by_label("Tuổi").fill(str(age))
    pick_option(page, form.get_by_label("Phường/xã"), ward, shows=ward)
    form.get_by_role("button", name="Đăng ký F0").click()
    page.get_by_text(re.compile(f"Đã đăng ký {name}")).wait_for()


PHONE = {"width": 390, "height": 844}
PAGE_BUDGET_BYTES, PAGE_BUDGET_RESPONSES = 60_000, 10
"""A citizen's first visit to a light page: at most this many bytes in this many responses."""


def phone_context(browser, js: bool = True):
    """A fresh phone-sized context (Vietnamese) and its page, JavaScript on or off."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=js, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def first_visit_weight(browser, url: str) -> tuple[int, int]:
    """Bytes on the wire and responses of a first visit to ``url`` on a phone (Chromium's
    network log), printed for the record."""
    context, page = phone_context(browser, True)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    seen = {"bytes": 0, "responses": 0}

    def done(event):
        seen["bytes"] += event.get("encodedDataLength", 0)
        seen["responses"] += 1

    cdp.on("Network.loadingFinished", done)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    context.close()
    print(f"first visit to {url}: {seen['bytes']:,} bytes in {seen['responses']} responses")
    return seen["bytes"], seen["responses"]


def declare_on_phone(
    page, name: str, person: str, phone: str, street: str = "5 Hùng Vương"
) -> None:
    """Fill and send the light declaration page (already open) as a citizen with no symptoms,
    up to its pass."""
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Năm sinh").fill("1990")
    page.get_by_label("Nữ").check()
    page.get_by_label("Số CCCD / hộ chiếu").fill(person)
    page.get_by_label("Số điện thoại").fill(phone)
    page.get_by_label("Phường/xã").select_option(label="Phường Hải Châu")
    page.get_by_label("Số nhà, đường").fill(street)
    page.get_by_label("Tôi cam kết thông tin khai là đúng sự thật", exact=False).check()
    page.get_by_role("button", name="Gửi tờ khai").click()
    page.get_by_text("Đã nhận tờ khai").wait_for()
