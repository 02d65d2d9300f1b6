"""Issue 17 in a real browser: a permit of a person in isolation is refused at the checkpoint.

A fresh data folder with the small demo; a demo business asks for a permit for a new employee,
valid all day in the ward of "Chốt Hầm Hải Vân", and the approver approves it (through the
travel permit service, before the server starts: DuckDB has one writer). Chromium plays a Y4M
video of that permit's QR code as the checkpoint's webcam. The first scan says VALID; a health
officer then enrols the holder as F0 on the home isolation page; the next scan is refused with
the isolation reason (``HOLDER_ISOLATING``), and a screenshot is kept."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from core import clock, geo
from core.forms.identity import compose_cccd
from tests.browser.conftest import enrol_f0, login, pick_option, running_server, webcam_browser
from tests.checkpoints.helpers import HAS_TP, code_image, rapid, rapid_env

pytestmark = pytest.mark.browser

CHECKPOINT = "cp-hai-van"
CHECKPOINT_NAME = "Chốt Hầm Hải Vân"
HOLDER = "Đoàn Thị Cách Ly"
BIRTH_YEAR = 1988
ISOLATING_VI = "Người mang giấy đang cách ly (F0/F1): không được đi lại"
CAMERA_PLAYING = """() => [...document.querySelectorAll('video')]
    .some(v => v.readyState >= 2 && v.videoWidth > 0)"""
"""The fake camera delivers frames (what a person waits for before pressing the button)."""
SHOTS = os.environ.get("RAPID_SHOTS", "")  # a folder: keep the screenshots there too


def write_y4m(path: Path, image: np.ndarray, frames: int = 30, size=(640, 480)) -> Path:
    """Raw YUV4MPEG2 (4:2:0): the code centred on a white frame, with a little sensor noise
    that differs from frame to frame (two snapshots of a real camera are never the same
    bytes)."""
    w, h = size
    rng = np.random.default_rng(17)
    canvas = np.full((h, w, 3), 255, np.uint8)
    s = min(h - 40, image.shape[0])
    img = cv2.resize(image, (s, s), interpolation=cv2.INTER_NEAREST)
    y0, x0 = (h - s) // 2, (w - s) // 2
    canvas[y0 : y0 + s, x0 : x0 + s] = img
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            noise = rng.integers(-6, 7, canvas.shape)
            frame = np.clip(canvas.astype(np.int16) + noise, 0, 255).astype(np.uint8)
            f.write(b"FRAME\n")
            f.write(cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
    return path


def _issue_permit(data: Path) -> dict[str, str]:
    """A demo business's permit for a new employee, all day in the checkpoint's ward, approved
    by the demo approver: the permit id, the holder's CCCD and the ward's name."""
    from apps.travel_permit import service
    from apps.travel_permit.service import Decision
    from checkpoints import service as cp_service
    from core import accounts
    from core.config import Settings, set_settings
    from core.qr import service as qr
    from core.registry import get_registry
    from core.store import Store, set_store
    from core.testkit import make_principal

    set_settings(Settings(data_dir=data, base_url="http://testserver"))
    qr.reset_cache()
    store = Store(data / "rapid.duckdb")
    try:
        store.migrate(get_registry().all_migrations())
        set_store(store)
        cp = cp_service.get_checkpoint(make_principal("cp", "checkpoint"), CHECKPOINT, store=store)
        assert cp is not None, "the demo has no checkpoint " + CHECKPOINT
        zone = int(cp["zone"])
        business = accounts.principal_for(accounts.get_user("dn_business1", store=store))
        approver = accounts.principal_for(accounts.get_user("approver", store=store))
        cccd = compose_cccd(geo.DA_NANG, BIRTH_YEAR, "F", 170_017)
        service.save_employee(
            business,
            {
                "full_name": HOLDER,
                "cccd": cccd,
                "phone": "0905170017",
                "home_ward": zone,
                "work_ward": zone,
                "job_title": "Lái xe",
            },
            store=store,
        )
        today = clock.today_local()
        request_id = service.submit_request(
            business,
            {
                "employees": [cccd],
                "purpose": "Chở hàng thiết yếu qua chốt",
                "start_date": today,
                "end_date": today + timedelta(days=2),
                "zones": [zone],
                "start_minute": 0,
                "end_minute": 24 * 60,  # all day: the test passes at any hour
            },
            store=store,
        )
        service.decide(approver, request_id, Decision.approve_all(), store=store)
        permits = service.list_permits(business, request_id=request_id, store=store)
        assert len(permits) == 1, permits
        permit_id = str(permits.iloc[0]["permit_id"])
    finally:
        set_store(None)
        store.close()
        set_settings(None)
        qr.reset_cache()
    return {"permit_id": permit_id, "cccd": cccd, "ward": geo.ward_name(zone)}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not HAS_TP:  # pragma: no cover - the travel permit app is built in
        pytest.skip("needs the travel permit app")
    base = tmp_path_factory.mktemp("riskcheckpoint")
    data = base / "data"
    env = rapid_env(data)
    seeded = rapid(env, "demo", "--scale", "small", timeout=600)
    assert seeded.returncode == 0, seeded.stderr[-2000:]
    permit = _issue_permit(data)
    shown = rapid(env, "permits", "text", permit["permit_id"])  # what the operator would run
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout.strip()
    assert text.startswith("TP1:"), text
    video = write_y4m(base / "permit.y4m", code_image(text, scale=4))
    with running_server(data) as url:
        yield {"url": url, "base": base, "video": video, **permit}


def _shot(page: Any, base: Path, name: str) -> Path:
    path = base / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
    return path


def _scan(page: Any, url: str, base: Path, name: str) -> Any:
    """Open the scanner in a new session (a reload), choose the checkpoint, take a photo of the
    fake camera's permit; returns the verdict card once it shows."""
    page.goto(f"{url}/")
    page.get_by_text("Xin chào").wait_for()  # the login is remembered
    page.get_by_role("link", name="Quét mã QR").first.click()
    page.get_by_text("Quét mã tại chốt").first.wait_for()
    page.get_by_text("Chọn chốt đang đứng").wait_for()  # nothing is checked without one
    box = page.get_by_test_id("stMain").get_by_label("Chốt", exact=True)
    pick_option(page, box, re.compile(CHECKPOINT_NAME), shows=re.compile(CHECKPOINT_NAME))
    page.get_by_text("Chọn chốt đang đứng").wait_for(state="detached")
    card = page.get_by_test_id("cp-verdict").first
    missed = page.get_by_text("Không tìm thấy mã QR trong ảnh")
    for attempt in range(3):  # a photo taken before the camera's first frame shows no code
        page.get_by_role("button", name="Chụp ảnh").wait_for()  # Streamlit's "Take Photo"
        page.wait_for_function(CAMERA_PLAYING, timeout=60_000)
        page.get_by_role("button", name="Chụp ảnh").click()
        try:
            card.or_(missed).first.wait_for(timeout=60_000)
        except Exception:
            _shot(page, base, f"{name}-failure")
            raise
        if card.count():
            card.scroll_into_view_if_needed()
            return card
        page.get_by_role("button", name="Clear photo").click()
    _shot(page, base, f"{name}-failure")
    raise AssertionError(f"no code found in {attempt + 1} photos")


def _enrol_f0(page: Any, url: str, person: str, name: str, ward: str) -> None:
    """A health officer enrols ``person`` as F0 on the home isolation page."""
    age = clock.today_local().year - BIRTH_YEAR
    enrol_f0(page, url, person, name, phone="0905170017", age=age, ward=ward)


def test_a_permit_of_a_person_in_isolation_is_refused_at_the_checkpoint(site):
    from playwright.sync_api import expect, sync_playwright

    url, base = site["url"], site["base"]
    with sync_playwright() as pw:
        browser = webcam_browser(pw, site["video"])
        try:
            staff = browser.new_context(
                viewport={"width": 1280, "height": 900}, locale="vi-VN", permissions=["camera"]
            )
            page = staff.new_page()
            page.set_default_timeout(60_000)
            login(page, url, "checkpoint")

            card = _scan(page, url, base, "risk-checkpoint-1-valid")
            expect(card).to_contain_text("HỢP LỆ")
            expect(card).not_to_contain_text("KHÔNG HỢP LỆ")
            expect(card).to_contain_text(HOLDER)
            _shot(page, base, "risk-checkpoint-1-valid")

            officer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
            desk = officer.new_page()
            desk.set_default_timeout(60_000)
            _enrol_f0(desk, url, site["cccd"], HOLDER, site["ward"])
            officer.close()

            card = _scan(page, url, base, "risk-checkpoint-2-refused")
            expect(card).to_contain_text("KHÔNG HỢP LỆ")
            expect(card).to_contain_text(ISOLATING_VI)
            expect(card).to_contain_text(HOLDER)  # staff see whose permit it is
            shot = _shot(page, base, "risk-checkpoint-2-refused")
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()
