"""QR rendering: matrices match a reference encoder, PNG/SVG/PDF outputs scan and keep Vietnamese."""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import struct
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import base45
import numpy as np
import pytest
import qrcode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pyzbar.pyzbar import decode
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData

from core.qr import render
from core.qr.render import Card, pdf_cards, pdf_poster, png_bytes, qr_matrix, svg_text

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
NAMES = [
    "Nguyễn Thị Ánh Tuyết",
    "Đặng Văn Lâm",
    "Trần Quốc Khánh",
    "Lê Thị Hồng Nhung",
    "Phạm Ngọc Thạch",
    "Võ Thị Sáu",
    "Huỳnh Tấn Phát",
    "Bùi Thị Xuân",
]
EC = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) not installed",
)


def token(n_bytes: int = 120, prefix: str = "TP1:", seed: int = 0) -> str:
    """A base45 text shaped like a signed permit token."""
    rnd = random.Random(seed)
    return prefix + base45.b45encode(bytes(rnd.randrange(256) for _ in range(n_bytes))).decode()


def scan(png: bytes) -> list[str]:
    return [d.data.decode("utf-8") for d in decode(Image.open(io.BytesIO(png)))]


def reference_matrix(
    text: str, level: str, mask: int, alnum: bool, alnum_tail: int = 0
) -> np.ndarray:
    """qrcode's matrix with explicit segments: byte text, alphanumeric text, or byte text
    whose last ``alnum_tail`` characters are an alphanumeric segment."""
    q = qrcode.QRCode(error_correction=EC[level], mask_pattern=mask, border=0)
    if alnum:
        q.add_data(QRData(text, mode=MODE_ALPHA_NUM))
    else:
        head, tail = text[: len(text) - alnum_tail], text[len(text) - alnum_tail :]
        q.add_data(QRData(head.encode(), mode=MODE_8BIT_BYTE))
        if tail:
            q.add_data(QRData(tail, mode=MODE_ALPHA_NUM))
    q.make(fit=True)
    return np.array(q.get_matrix(), dtype=bool)


# --- matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize("level", "LMQH")
@pytest.mark.parametrize("length", [1, 17, 150, 400, 1200])
def test_matrix_identical_to_reference_encoder(level: str, length: int) -> None:
    rnd = random.Random(length)
    alnum_text = "".join(rnd.choice(ALNUM) for _ in range(length))
    url = "https://checkin.example.vn/checkin?v=" + alnum_text
    tail = length if length >= 12 else 0  # short tails stay in the byte segment
    lower = "https://checkin.example.vn/checkin?v=" + alnum_text.lower()
    for mask in (0, 3, 6):
        for text, alnum, n_tail in ((alnum_text, True, 0), (url, False, tail), (lower, False, 0)):
            ref = reference_matrix(text, level, mask, alnum, n_tail)
            got = qr_matrix(text, error=level, mask=mask, boost_error=False)
            assert got.dtype == bool
            assert got.shape == ref.shape
            assert np.array_equal(got, ref), (level, length, mask, alnum)


def test_token_uses_alphanumeric_mode() -> None:
    text = token(250)  # ~375 base45 characters
    assert set(text) <= set(ALNUM)
    alnum_size = reference_matrix(text, "M", 0, alnum=True).shape[0]
    byte_size = reference_matrix(text, "M", 0, alnum=False).shape[0]
    assert alnum_size < byte_size
    assert qr_matrix(text, boost_error=False).shape[0] == alnum_size


def test_url_with_token_switches_to_alphanumeric_for_the_token() -> None:
    url = "https://checkin.hcm.gov.vn/checkin?v=" + token(150)
    n_tail = len(url) - len("https://checkin.hcm.gov.vn/checkin?v=")
    mixed = reference_matrix(url, "M", 0, alnum=False, alnum_tail=n_tail).shape[0]
    assert mixed < reference_matrix(url, "M", 0, alnum=False).shape[0]
    assert qr_matrix(url, boost_error=False).shape[0] == mixed


def test_matrix_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="error level"):
        qr_matrix("A", error="X")
    with pytest.raises(ValueError, match="mask"):
        qr_matrix("A", mask=8)
    with pytest.raises(ValueError, match="too long"):
        qr_matrix("A" * 5000)


# --- PNG ------------------------------------------------------------------------------------


def test_png_of_token_decodes_to_exact_text() -> None:
    for seed in range(5):
        text = token(110 + 10 * seed, seed=seed)
        assert scan(png_bytes(text)) == [text]


def test_png_of_url_decodes_to_exact_text() -> None:
    url = "https://checkin.hcm.gov.vn/checkin?v=" + token(60, prefix="VN1:")
    assert scan(png_bytes(url)) == [url]


def test_png_decodes_with_zxing_too() -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    url = "https://checkin.hcm.gov.vn/checkin?v=" + token(90, prefix="VN1:")
    for text in [token(60 + 20 * i, seed=i) for i in range(10)] + [url]:
        img = Image.open(io.BytesIO(png_bytes(text, scale=4)))
        assert [r.text for r in zxingcpp.read_barcodes(img)] == [text]


@pytest.mark.parametrize(("scale", "border"), [(8, 4), (3, 2), (1, 0), (10, 6)])
def test_png_is_valid_and_sized(scale: int, border: int) -> None:
    text = token(100)
    n = qr_matrix(text).shape[0]
    png = png_bytes(text, scale=scale, border=border)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == height == (n + 2 * border) * scale
    img = Image.open(io.BytesIO(png))
    img.load()  # checks CRCs and zlib stream
    assert img.size == (width, height)
    pixels = np.array(img.convert("L")) < 128
    modules = pixels[::scale, ::scale]
    expected = np.zeros((n + 2 * border,) * 2, dtype=bool)
    expected[border : border + n, border : border + n] = qr_matrix(text)
    assert np.array_equal(modules, expected)


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=ALNUM, min_size=1, max_size=300))
def test_png_roundtrip_any_alphanumeric_text(text: str) -> None:
    assert scan(png_bytes(text, scale=4)) == [text]


@settings(max_examples=30, deadline=None)
@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-./?=&_~", max_size=60),
    st.text(alphabet=ALNUM, max_size=200),
)
def test_png_roundtrip_any_ascii_url(head: str, tail: str) -> None:
    url = "https://" + head + tail
    assert scan(png_bytes(url, scale=4)) == [url]


# --- SVG ------------------------------------------------------------------------------------


def test_svg_is_xml_with_module_viewbox_and_one_path() -> None:
    text = token(120)
    m = qr_matrix(text)
    border = 4
    svg = svg_text(text, border=border)
    root = ET.fromstring(svg)
    n = m.shape[0] + 2 * border
    assert root.get("viewBox") == f"0 0 {n} {n}"
    paths = root.findall("{http://www.w3.org/2000/svg}path")
    assert len(paths) == 1
    # Rebuild the module matrix from the path and compare.
    rebuilt = np.zeros((n, n), dtype=bool)
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", paths[0].get("d")):
        rebuilt[int(y), int(x) : int(x) + int(w)] = True
    assert np.array_equal(rebuilt[border : border + m.shape[0], border : border + m.shape[0]], m)
    assert not rebuilt[:border].any() and not rebuilt[:, :border].any()


# --- PDF ------------------------------------------------------------------------------------


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "in.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
    )
    return out.stdout.decode("utf-8")


def render_page(pdf: bytes, tmp_path: Path, dpi: int = 200) -> Image.Image:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", str(dpi), "-png", str(path), str(tmp_path / "p")],
        check=True,
        capture_output=True,
    )
    (png,) = sorted(tmp_path.glob("p*.png"))
    return Image.open(png)


def sample_cards(n: int = 8) -> list[Card]:
    return [
        Card(
            token_text=token(110 + i, seed=100 + i),
            holder_name=NAMES[i % len(NAMES)],
            lines=[
                "Hiệu lực: 23/11/2026 – 07/12/2026",
                "Cấp bởi: UBND Phường Bến Nghé",
                f"Mã: TP-{i:06d}",
            ],
            caption="Xuất trình tại chốt kiểm soát",
        )
        for i in range(n)
    ]


@needs_poppler
def test_pdf_cards_keep_vietnamese_names(tmp_path: Path) -> None:
    cards = sample_cards()
    # Half of the names arrive decomposed (NFD): they must come out composed (NFC).
    cards = [
        Card(c.token_text, unicodedata.normalize("NFD", c.holder_name), c.lines, c.caption)
        if i % 2
        else c
        for i, c in enumerate(cards)
    ]
    pdf = pdf_cards(cards, title="Giấy đi đường — Phường Bến Nghé")
    assert pdf.startswith(b"%PDF-")
    text = pdftotext(pdf, tmp_path)
    for name in NAMES:
        assert unicodedata.normalize("NFC", name) in text
    assert "Giấy đi đường — Phường Bến Nghé" in text
    assert "Hiệu lực" in text and "Mã: TP-000007" in text
    assert "Xuất trình tại chốt kiểm soát" in text


@needs_poppler
def test_pdf_cards_page_scans(tmp_path: Path) -> None:
    cards = sample_cards()
    page = render_page(pdf_cards(cards), tmp_path)
    found = {d.data.decode() for d in decode(page)}
    assert found == {c.token_text for c in cards}


@needs_poppler
def test_pdf_cards_several_pages(tmp_path: Path) -> None:
    pdf = pdf_cards(sample_cards(19))
    text = pdftotext(pdf, tmp_path)
    assert text.count("\f") == 3  # three pages
    assert "Mã: TP-000018" in text


@needs_poppler
def test_pdf_long_name_is_truncated_with_ellipsis(tmp_path: Path) -> None:
    long_name = "Nguyễn Thị Ánh Tuyết " * 30
    pdf = pdf_cards([Card(token(80), long_name, ["x"], "")])
    text = pdftotext(pdf, tmp_path)
    assert "Nguyễn Thị Ánh Tuyết" in text
    assert "…" in text
    assert text.count("Tuyết") < 10


@needs_poppler
def test_pdf_poster_scans(tmp_path: Path) -> None:
    url = "https://checkin.hcm.gov.vn/checkin?v=" + token(60, prefix="VN1:")
    pdf = pdf_poster(
        url,
        title="Quét mã để khai báo y tế",
        subtitle="Nhà hàng Phở Hùng – 12 Lê Lợi",
        lines=["Mở camera điện thoại và quét mã QR", "Scan with your phone camera"],
    )
    assert [d.data.decode() for d in decode(render_page(pdf, tmp_path, dpi=100))] == [url]
    text = pdftotext(pdf, tmp_path)
    assert "Quét mã để khai báo y tế" in text
    assert "Nhà hàng Phở Hùng" in text


def test_pdf_cards_empty_list_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="at least one card"):
        pdf_cards([])


def test_pdf_cards_token_too_long_fails_before_drawing() -> None:
    with pytest.raises(ValueError, match="too long"):
        pdf_cards([Card("A" * 5000, "Đặng Văn Lâm")])


def test_fonts_are_package_data() -> None:
    fonts = Path(render.__file__).parent / "fonts"
    assert render.FONT_DIR == fonts
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt"):
        assert (fonts / name).is_file()
    assert "/usr/share" not in os.fspath(render.FONT_DIR)


NASTY = [
    unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết"),
    "Ư" * 10_000,
    "محمد بن سلمان עברית",
    "👩‍👩‍👧‍👦 🇻🇳 😀" * 50,
    "\x00\x07\n\r\t\u2028\u2029\ufeff\u200f",
    "\ud800 lone surrogate",
    "",
    " ",
    "a\u0301" * 3000,
]


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_pdf_cards_survive_nasty_text(text: str) -> None:
    pdf = pdf_cards([Card(token(50), text, [text, text], text)], title=text or None)
    assert pdf.startswith(b"%PDF-")
    assert pdf_poster("A", title=text, subtitle=text, lines=[text]).startswith(b"%PDF-")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(max_size=300),
    lines=st.lists(st.text(max_size=200), max_size=6),
    caption=st.text(max_size=200),
)
def test_pdf_cards_never_crash_on_any_unicode(name: str, lines: list[str], caption: str) -> None:
    pdf = pdf_cards([Card("TP1:ABC", name, lines, caption), Card("TP1:DEF", caption, [], name)])
    assert pdf.startswith(b"%PDF-")
