"""Chromium plays a Y4M video of a permit QR as the webcam; the checkpoint page's "Chụp ảnh"
(Streamlit's "Take Photo") captures a frame and shows the verdict; the dashboard then charts
the scan at its Vietnam-time hour, in a browser on New York time, in Vietnamese and after a
switch to English."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

from core import clock, geo
from tests.browser.conftest import login, pick_option, running_server, webcam_browser
from tests.checkpoints.helpers import HAS_TP, code_image, rapid, rapid_env


def write_y4m(path: Path, image: np.ndarray, frames: int = 30, size=(640, 480)) -> Path:
    """Raw YUV4MPEG2 (4:2:0) with the image centred on a white frame."""
    w, h = size
    canvas = np.full((h, w, 3), 255, np.uint8)
    s = min(h - 40, image.shape[0])
    img = cv2.resize(image, (s, s), interpolation=cv2.INTER_NEAREST)
    y0, x0 = (h - s) // 2, (w - s) // 2
    canvas[y0 : y0 + s, x0 : x0 + s] = img
    yuv = cv2.cvtColor(canvas, cv2.COLOR_BGR2YUV_I420)
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n")
            f.write(yuv.tobytes())
    return path


@pytest.fixture(scope="module")
def server_with_permit(tmp_path_factory):
    base = tmp_path_factory.mktemp("cpbrowser")
    data = base / "data"
    env = rapid_env(data)
    claims = base / "claims.jsonl"
    if HAS_TP:
        row = {
            "n": "Nguyễn Văn An",
            "c": "********1234",
            "b": "0401234567",
            "w": [sorted(u.code for u in geo.wards(geo.DA_NANG))[0]],  # Chốt Hầm Hải Vân's
            "h": [0, 1440],
        }
        type_name = "TP"
    else:  # pragma: no cover - travel permit app not installed
        pytest.skip("needs the travel permit app's TP1: type")
    claims.write_text(json.dumps({"claims": row}, ensure_ascii=False) + "\n")
    out = rapid(
        env, "qr", "sign", "--type", type_name, "--claims", claims, "--out", base / "tokens.txt"
    )
    assert out.returncode == 0, out.stderr
    token = (base / "tokens.txt").read_text(encoding="utf-8").splitlines()[0]  # base45 has spaces
    with running_server(data) as url:
        yield url, token, base


def test_webcam_snapshot_shows_verdict(server_with_permit):
    from playwright.sync_api import sync_playwright

    url, token, base = server_with_permit
    video = write_y4m(base / "permit.y4m", code_image(token, scale=4))
    with sync_playwright() as pw:
        browser = webcam_browser(pw, video)
        try:
            context = browser.new_context(
                viewport={"width": 1280, "height": 900},
                locale="vi-VN",
                permissions=["camera"],
                timezone_id="America/New_York",  # the chart must not follow the browser's zone
            )
            page = context.new_page()
            page.set_default_timeout(60_000)
            login(page, url, "checkpoint")
            page.get_by_role("link", name="Quét mã QR").first.click()  # same session
            page.get_by_text("Quét mã tại chốt").first.wait_for()
            page.get_by_text("Chọn chốt đang đứng").wait_for()  # nothing is checked without one
            box = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first
            pick_option(page, box, re.compile("Chốt Hầm Hải Vân"))
            button = page.get_by_role("button", name="Chụp ảnh")
            button.wait_for()
            page.wait_for_timeout(1500)  # let the fake camera deliver frames
            button.click()
            try:
                page.get_by_text("HỢP LỆ", exact=True).first.wait_for()
            except Exception:
                page.screenshot(path=str(base / "checkpoint-failure.png"), full_page=True)
                raise
            assert page.get_by_text("Nguyễn Văn An").count() >= 1
            _dashboard_charts_the_scan_in_vietnam_time(page, scanned=clock.now())
        finally:
            browser.close()


def _dashboard_charts_the_scan_in_vietnam_time(page, scanned) -> None:
    """The dashboard's figures and its per-hour chart: the scan's hour in Vietnam time (the
    browser is on New York time), axis titles with units, Vietnamese ticks."""
    page.get_by_test_id("stSidebar").get_by_role("link", name="Bảng điều khiển").first.click()
    page.get_by_text("Lượt quét theo chốt, theo giờ").wait_for()
    axis = page.locator("[aria-label^='X-axis titled']").first
    axis.wait_for()
    label = axis.get_attribute("aria-label") or ""
    assert "Giờ quét (giờ Việt Nam" in label, label
    hours = {
        clock.local(scanned + timedelta(minutes=m)).strftime("%d/%m %H:00") for m in (-1, 0, 1)
    }
    assert any(h in label for h in hours), (label, hours)
    y_axis = page.locator("[aria-label^='Y-axis titled']").first.get_attribute("aria-label")
    assert "Số lượt quét (lượt)" in (y_axis or ""), y_axis
    chart_text = page.get_by_test_id("stVegaLiteChart").first.inner_text()
    for english in ("AM", "PM", "December", "January", "Hour", "Scans"):
        assert english not in chart_text, (english, chart_text)
    bars = page.locator("[aria-roledescription='bar']")
    assert bars.count() >= 1  # the single hour is a visible bar
    box = bars.first.bounding_box()
    assert box is not None and box["width"] >= 10 and box["height"] >= 10, box
    # the language switched to English: the same hour, English titles, nothing Vietnamese left
    language = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first
    pick_option(page, language, "English")
    page.get_by_text("Scans per checkpoint per hour").wait_for()
    # the chart redrawn in English (the Vietnamese one may still be on the page a moment)
    axis = page.locator('[aria-label^="X-axis titled \'Hour of scan"]').first
    axis.wait_for()
    label = axis.get_attribute("aria-label") or ""
    assert "Hour of scan (Vietnam time" in label and any(h in label for h in hours), label
    y_axis = page.locator("[aria-label^='Y-axis titled']").first.get_attribute("aria-label")
    assert "Scans (count)" in (y_axis or ""), y_axis
    chart_text = page.get_by_test_id("stVegaLiteChart").first.inner_text()
    for vietnamese in ("tháng", "Giờ", "lượt", "AM", "PM"):
        assert vietnamese not in chart_text, (vietnamese, chart_text)
