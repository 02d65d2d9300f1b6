"""Decoder: real photos, multi-code frames, non-QR barcodes, binary payloads, odd arrays."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest
import segno
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from checkpoints.decoder import Decoded, Decoder, to_gray
from checkpoints.hardset import BASE45, generate, qr_matrix, render_qr

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "qr-photos"


@pytest.fixture(scope="module")
def decoder() -> Decoder:
    return Decoder()


def qr_image(text: str | bytes, module_px: int = 6, error: str = "m") -> np.ndarray:
    qr = segno.make_qr(text, error=error, boost_error=False)
    modules = np.array([list(r) for r in qr.matrix], dtype=bool)
    return render_qr(modules, module_px)


def place(frame: np.ndarray, code: np.ndarray, x: int, y: int) -> tuple[int, int, int, int]:
    h, w = code.shape[:2]
    frame[y : y + h, x : x + w] = code if frame.ndim == 2 else code[:, :, None]
    return x, y, x + w, y + h


def inside(poly: list[tuple[int, int]], box: tuple[int, int, int, int], slack: int = 12) -> bool:
    x0, y0, x1, y1 = box
    return all(x0 - slack <= x <= x1 + slack and y0 - slack <= y <= y1 + slack for x, y in poly)


def photo_cases() -> list[tuple[Path, str]]:
    cases = []
    for img in sorted(PHOTOS.glob("*/*.png")):
        expected = img.with_suffix(".txt").read_bytes().decode("utf-8")
        cases.append((img, expected))
    return cases


def test_photo_folder_is_present() -> None:
    assert (PHOTOS / "LICENSE").is_file()
    assert len(photo_cases()) == 81


def test_reads_every_real_photo(decoder: Decoder) -> None:
    failures = []
    for path, expected in photo_cases():
        image = cv2.imread(str(path))
        texts = [d.text for d in decoder.decode(image)]
        if expected not in texts:
            failures.append(f"{path.relative_to(PHOTOS)} -> {[t[:30] for t in texts]}")
    assert not failures, f"{len(failures)} photos not read: " + "; ".join(failures)


def test_no_code_gives_empty_list(decoder: Decoder) -> None:
    rng = np.random.default_rng(1)
    frame = cv2.GaussianBlur(rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8), (9, 9), 3)
    assert decoder.decode(frame) == []
    assert decoder.decode(np.full((480, 640), 255, np.uint8)) == []


def test_single_code_has_text_polygon_method(decoder: Decoder) -> None:
    text = "TP1:" + "".join(random.Random(3).choices(BASE45, k=180))
    frame = np.full((720, 1280, 3), 180, np.uint8)
    box = place(frame, qr_image(text, 5), 400, 150)
    (found,) = decoder.decode(frame)
    assert isinstance(found, Decoded)
    assert found.text == text
    assert len(found.polygon) >= 4 and inside(found.polygon, box)
    assert all(isinstance(v, int) for pt in found.polygon for v in pt)
    assert found.method


def test_two_codes_in_one_frame_both_with_positions(decoder: Decoder) -> None:
    frame = np.full((720, 1280, 3), 200, np.uint8)
    box_a = place(frame, qr_image("TP1:FIRST-PERMIT-0001", 8), 60, 100)
    box_b = place(frame, qr_image("https://permit.example.vn/v/abc123", 8), 760, 250)
    found = {d.text: d for d in decoder.decode(frame)}
    assert set(found) == {"TP1:FIRST-PERMIT-0001", "https://permit.example.vn/v/abc123"}
    assert inside(found["TP1:FIRST-PERMIT-0001"].polygon, box_a)
    assert inside(found["https://permit.example.vn/v/abc123"].polygon, box_b)


@pytest.mark.parametrize(
    ("fmt", "payload"),
    [
        (zxingcpp.BarcodeFormat.EAN13, "5901234123457"),
        (zxingcpp.BarcodeFormat.Code128, "PERMIT-42"),
    ],
)
def test_linear_barcode_only_is_ignored(decoder: Decoder, fmt, payload: str) -> None:
    bar = np.array(zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(payload, fmt), scale=3))
    frame = np.full((480, 640), 255, np.uint8)
    place(frame, bar, 100, 100)
    # the barcode is genuinely readable, just not a QR code
    assert payload in [r.text for r in zxingcpp.read_barcodes(frame)]
    assert decoder.decode(frame) == []


def test_binary_payload_decodes_with_replacement(decoder: Decoder) -> None:
    rnd = random.Random(7)
    payload = bytes(rnd.randrange(256) for _ in range(200)) + b"\xff\xfe\x80"
    found = decoder.decode(qr_image(payload, 6))
    assert len(found) == 1, found
    assert isinstance(found[0].text, str) and found[0].text
    assert "\ufffd" in found[0].text


def test_utf8_payload_round_trips(decoder: Decoder) -> None:
    text = "Giấy đi đường: Nguyễn Văn A, Quận 1"
    (found,) = decoder.decode(qr_image(text.encode("utf-8"), 6))
    assert found.text == text


def test_latin1_and_kanji_payloads(decoder: Decoder) -> None:
    (found,) = decoder.decode(qr_image("Müller, Zürich", 6))  # segno: ISO-8859-1, no ECI
    assert found.text == "Müller, Zürich"
    (found,) = decoder.decode(qr_image("点検所", 6))  # kanji mode (Shift_JIS)
    assert found.text == "点検所"


def test_three_kilobyte_code(decoder: Decoder) -> None:
    text = "TP1:" + "".join(random.Random(11).choices(BASE45, k=3000))
    img = cv2.cvtColor(qr_image(text, 4, error="l"), cv2.COLOR_GRAY2BGR)
    assert [d.text for d in decoder.decode(img)] == [text]


def test_small_code_in_large_frame(decoder: Decoder) -> None:
    text = "TP1:" + "".join(random.Random(5).choices(BASE45, k=180))
    frame = np.full((1080, 1920, 3), 150, np.uint8)
    box = place(frame, qr_image(text, 3), 1500, 800)
    (found,) = decoder.decode(frame)
    assert found.text == text and inside(found.polygon, box)


def test_budget_zero_is_fast_path_only(decoder: Decoder) -> None:
    code = qr_image("TP1:INVERTED", 6)
    assert decoder.decode(255 - code, budget_ms=0) == []  # inverted needs a fallback
    assert [d.text for d in decoder.decode(code, budget_ms=0)] == ["TP1:INVERTED"]


def test_inverted_and_low_contrast(decoder: Decoder) -> None:
    code = qr_image("TP1:INVERTED", 6)
    assert [d.text for d in decoder.decode(255 - code)] == ["TP1:INVERTED"]
    faint = (100 + code.astype(np.float32) / 255 * 40).astype(np.uint8)
    assert [d.text for d in decoder.decode(faint)] == ["TP1:INVERTED"]


def test_synthetic_hard_set_mostly_read(decoder: Decoder) -> None:
    samples = generate(30, seed=123)
    read = sum(s.text in [d.text for d in decoder.decode(s.image)] for s in samples)
    assert read >= 24, f"only {read}/30 synthetic hard samples read"


def test_hardset_is_reproducible() -> None:
    a, b = generate(2, seed=9), generate(2, seed=9)
    assert [s.text for s in a] == [s.text for s in b]
    assert all(np.array_equal(x.image, y.image) for x, y in zip(a, b))
    assert all(s.image.shape == (720, 1280, 3) for s in a)
    assert qr_matrix("TP1:X").shape[0] == 21


@pytest.mark.parametrize(
    "arr",
    [
        np.zeros((0, 0), np.uint8),
        np.zeros((1, 1, 3), np.uint8),
        np.zeros((5,), np.uint8),
        np.zeros((4, 4, 2), np.uint8),
        np.zeros((4, 4, 5), np.uint8),
        np.full((20, 30), np.nan, np.float32),
        np.ones((20, 30, 3), np.float64),
        np.ones((20, 30), bool),
        np.arange(600, dtype=np.int64).reshape(20, 30),
        np.zeros((2, 3, 4, 5), np.uint8),
        None,
    ],
)
def test_odd_arrays_never_raise(decoder: Decoder, arr) -> None:
    assert decoder.decode(arr) == []


def test_to_gray_shapes() -> None:
    assert to_gray(np.zeros((10, 12, 4), np.uint8)).shape == (10, 12)
    assert to_gray(np.zeros((10, 12, 1), np.uint8)).shape == (10, 12)
    assert to_gray(np.zeros((10, 12), np.uint16)).dtype == np.uint8


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hnp.arrays(
        dtype=np.uint8,
        shape=st.one_of(
            hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=64),
            st.tuples(st.integers(1, 64), st.integers(1, 64), st.sampled_from([1, 3, 4])),
        ),
    )
)
def test_random_images_never_raise(arr: np.ndarray) -> None:
    found = Decoder(budget_ms=50).decode(arr)
    assert isinstance(found, list)
    assert all(isinstance(d.text, str) for d in found)


# --- read throttle (checkpoints.dedupe) ---------------------------------------------------


def test_throttle_refuses_repeats_within_window() -> None:
    from checkpoints.dedupe import ReadThrottle

    th = ReadThrottle(window_s=3.0)
    assert th.accept("TP1:A", 10.0)
    assert not th.accept("TP1:A", 10.1)
    assert not th.accept("TP1:A", 12.9)
    assert th.accept("TP1:B", 11.0)  # other codes are independent
    assert th.accept("TP1:A", 13.0)  # window over
    assert not th.accept("TP1:A", 15.9)
    assert th.accept("TP1:A", 16.0)


def test_throttle_bounded_and_reset() -> None:
    from checkpoints.dedupe import ReadThrottle

    th = ReadThrottle(window_s=1.0, max_entries=10)
    for i in range(100):
        assert th.accept(f"code{i}", i * 0.01)
    assert len(th._last) <= 10
    th.reset()
    assert th.accept("code99", 0.99)
    with pytest.raises(ValueError):
        ReadThrottle(window_s=-1)
