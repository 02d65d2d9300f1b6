"""QR rendering for signed tokens: module matrix, PNG, SVG and printable A4 PDF sheets.

Choices, and why:

* **Error correction M (15 % of codewords recoverable) by default.**  Permits are shown on
  cracked phone screens with glare and printed on paper that gets folded in a pocket; M
  survives a crease or a scratch across the code.  Q/H would push a 200-400 character token
  up 2-5 versions (e.g. 400 characters: version 12 at M, 15 at Q, 17 at H), i.e. smaller
  modules at the same print size, which cheap checkpoint webcams and low-end phones then
  fail to resolve.  L is too fragile for paper.  The level is a minimum: when the chosen
  version has room, the next stronger level is used for free.
* **Quiet zone 4 modules**, as ISO/IEC 18004 requires for QR Code; scanners find the finder
  patterns much less reliably against a busy background (a phone UI, a printed card edge)
  with less.
* **Fixed mask (pattern 0 unless asked).**  The mask only lowers the chance of finder-like
  blobs; our payloads are signatures and base45, i.e. close to random, so every mask scores
  about the same and the 8-way penalty search (most of the time in segno/qrcode) buys
  nothing.  Format information records the mask, so any decoder reads it.
* **Alphanumeric mode** for base45 tokens (``TP1:...``: 0-9 A-Z space $%*+-./:), 5.5 bits per
  character instead of 8: a 400 character token is version 12 (65 x 65 modules) at M instead
  of version 15 in byte mode.  Other text (URLs) is byte mode in UTF-8; a URL that ends in a
  token (``https://host/checkin?v=TOKEN``) switches to alphanumeric mode for the token.

The encoder is a small numpy implementation (EC block layout and alignment positions come
from ``segno.consts``; the tests check every matrix is module-for-module identical to the
``qrcode`` library's with the same mask and segments).  It is about 15x faster than segno with
a fixed mask (~0.08 ms vs ~1.4 ms for a 180 character token) because placement, masking and
Reed-Solomon are array operations on cached per-version layouts.  Output is checked to scan
with zbar (pyzbar) and ZXing (zxing-cpp).  OpenCV's ``QRCodeDetector`` misses about 2 % of
perfect synthetic codes whatever the mask (segno's penalty-chosen mask included), so scanners
should not rely on it alone.

PDF sheets are drawn with fpdf2 and the DejaVu Sans fonts bundled in ``core/qr/fonts``
(Vietnamese diacritics); QR codes are drawn as vector rectangles, so they stay crisp at any
zoom and on any printer.
"""

from __future__ import annotations

import logging
import struct
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from segno import consts as _sc

__all__ = [
    "Card",
    "FONT_DIR",
    "QUIET_ZONE",
    "DEFAULT_ERROR",
    "DEFAULT_MASK",
    "qr_matrix",
    "png_bytes",
    "png_from_matrix",
    "svg_text",
    "pdf_cards",
    "pdf_poster",
]

log = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
QUIET_ZONE = 4
DEFAULT_ERROR = "M"
DEFAULT_MASK = 0

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_ALNUM_VALUE = {c: i for i, c in enumerate(_ALNUM)}
_ALNUM_SET = frozenset(_ALNUM)
# Format-information bits of each level (ISO/IEC 18004 table 12).
_EC_FORMAT_BITS = {"L": 1, "M": 0, "Q": 3, "H": 2}
_EC_STRONGER = {"L": "M", "M": "Q", "Q": "H", "H": None}

# --------------------------------------------------------------------------------------------
# GF(256) arithmetic for Reed-Solomon (primitive polynomial 0x11d).
# --------------------------------------------------------------------------------------------
_GF_EXP = np.zeros(2048, dtype=np.uint8)  # indices >= 1000 stay 0: log(0) is mapped there
_GF_LOG = np.zeros(256, dtype=np.int32)
_v = 1
for _i in range(255):
    _GF_EXP[_i] = _v
    _GF_LOG[_v] = _i
    _v <<= 1
    if _v & 0x100:
        _v ^= 0x11D
_GF_EXP[255:510] = _GF_EXP[:255]
_GF_LOG[0] = 1000  # any product with 0 lands in the zero region of _GF_EXP
del _v, _i


def _gf_mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return int(_GF_EXP[(int(_GF_LOG[a]) + int(_GF_LOG[b])) % 255])


@lru_cache(maxsize=64)
def _rs_table(k: int, e: int) -> np.ndarray:
    """Logs of x^(e+k-1-i) mod g(x) for each data position i: shape (k, e).

    The remainder is linear in the data bytes, so ECC = XOR_i data[i] * R_i.
    """
    gen = [1]  # generator polynomial, highest degree first
    for i in range(e):
        nxt = [0] * (len(gen) + 1)
        root = int(_GF_EXP[i])
        for j, c in enumerate(gen):
            nxt[j] ^= c
            nxt[j + 1] ^= _gf_mul(c, root)
        gen = nxt

    def times_x(cur: list[int]) -> list[int]:
        lead, shifted = cur[0], cur[1:] + [0]
        if lead:
            shifted = [s ^ _gf_mul(lead, g) for s, g in zip(shifted, gen[1:], strict=True)]
        return shifted

    cur = [0] * (e - 1) + [1]  # x^0 as a degree < e polynomial, highest degree first
    for _ in range(e):
        cur = times_x(cur)
    rows = np.zeros((k, e), dtype=np.int32)
    for n in range(k):  # row k-1 is x^e mod g, row 0 is x^(e+k-1) mod g
        rows[k - 1 - n] = [int(_GF_LOG[c]) for c in cur]
        cur = times_x(cur)
    rows.setflags(write=False)
    return rows


def _rs_ecc(blocks: np.ndarray, e: int) -> np.ndarray:
    """ECC codewords for equal-length data blocks, shape (nblocks, k) -> (nblocks, e)."""
    table = _rs_table(blocks.shape[1], e)
    logs = _GF_LOG[blocks][:, :, None] + table[None, :, :]
    logs = np.where(logs >= 1000, 1000, logs % 255)
    return np.bitwise_xor.reduce(_GF_EXP[logs], axis=1)


# --------------------------------------------------------------------------------------------
# Symbol layout
# --------------------------------------------------------------------------------------------
def _ec_blocks(version: int, level: str) -> list[tuple[int, int, int]]:
    """[(num_blocks, total codewords per block, data codewords per block), ...]."""
    return [tuple(b) for b in _sc.ECC[version][_sc.ERROR_MAPPING[level]]]


def _data_capacity_bits(version: int, level: str) -> int:
    return 8 * sum(n * d for n, _t, d in _ec_blocks(version, level))


def _format_bits(level: str, mask: int) -> int:
    data = (_EC_FORMAT_BITS[level] << 3) | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return ((data << 10) | (rem & 0x3FF)) ^ 0x5412


def _version_bits(version: int) -> int:
    rem = version
    for _ in range(12):
        rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
    return (version << 12) | (rem & 0xFFF)


@lru_cache(maxsize=40)
def _layout(version: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(template, function-module mask, flat data positions in placement order)."""
    size = 17 + 4 * version
    tpl = np.zeros((size, size), dtype=bool)
    fn = np.zeros((size, size), dtype=bool)

    finder = np.ones((7, 7), dtype=bool)
    finder[1:6, 1:6] = False
    finder[2:5, 2:5] = True
    for r, c in ((0, 0), (0, size - 7), (size - 7, 0)):
        tpl[r : r + 7, c : c + 7] = finder
    fn[:9, :9] = True  # finder, separator, format area
    fn[:9, size - 8 :] = True
    fn[size - 8 :, :9] = True

    fn[6, :] = True
    fn[:, 6] = True
    tpl[6, 8 : size - 8 : 2] = True
    tpl[8 : size - 8 : 2, 6] = True

    if version >= 2:
        pos = _sc.ALIGNMENT_POS[version - 2]
        last = pos[-1]
        align = np.ones((5, 5), dtype=bool)
        align[1:4, 1:4] = False
        align[2, 2] = True
        for r in pos:
            for c in pos:
                if (r, c) in ((6, 6), (6, last), (last, 6)):
                    continue
                tpl[r - 2 : r + 3, c - 2 : c + 3] = align
                fn[r - 2 : r + 3, c - 2 : c + 3] = True

    if version >= 7:
        bits = _version_bits(version)
        for i in range(18):
            a, b = size - 11 + i % 3, i // 3
            bit = bool((bits >> i) & 1)
            tpl[b, a] = bit
            tpl[a, b] = bit
            fn[b, a] = fn[a, b] = True

    order = []
    right = size - 1
    upward = True
    while right >= 1:
        if right == 6:
            right = 5
        rows = range(size - 1, -1, -1) if upward else range(size)
        for r in rows:
            for c in (right, right - 1):
                if not fn[r, c]:
                    order.append(r * size + c)
        upward = not upward
        right -= 2
    positions = np.asarray(order, dtype=np.intp)
    tpl.setflags(write=False)
    fn.setflags(write=False)
    positions.setflags(write=False)
    return tpl, fn, positions


@lru_cache(maxsize=8 * 40)
def _mask_pattern(version: int, mask: int) -> np.ndarray:
    size = 17 + 4 * version
    i, j = np.indices((size, size))
    pats = {
        0: (i + j) % 2 == 0,
        1: i % 2 == 0,
        2: j % 3 == 0,
        3: (i + j) % 3 == 0,
        4: (i // 2 + j // 3) % 2 == 0,
        5: (i * j) % 2 + (i * j) % 3 == 0,
        6: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
        7: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
    }
    pat = pats[mask].ravel()[_layout(version)[2]]
    pat.setflags(write=False)
    return pat


@lru_cache(maxsize=4 * 8 * 40)
def _format_overlay(version: int, level: str, mask: int) -> tuple[np.ndarray, np.ndarray]:
    """(flat indices, bit values) of format information and the dark module."""
    size = 17 + 4 * version
    bits = _format_bits(level, mask)
    idx: list[int] = []
    val: list[bool] = []

    def put(col: int, row: int, bit: bool) -> None:
        idx.append(row * size + col)
        val.append(bit)

    for i in range(15):
        b = bool((bits >> i) & 1)
        if i < 6:
            put(8, i, b)
        elif i < 8:
            put(8, i + 1, b)
        elif i == 8:
            put(7, 8, b)
        else:
            put(14 - i, 8, b)
        if i < 8:
            put(size - 1 - i, 8, b)
        else:
            put(8, size - 15 + i, b)
    put(8, size - 8, True)
    flat_idx, bit_val = np.asarray(idx, dtype=np.intp), np.asarray(val, dtype=bool)
    flat_idx.setflags(write=False)
    bit_val.setflags(write=False)
    return flat_idx, bit_val


# --------------------------------------------------------------------------------------------
# Data encoding
# --------------------------------------------------------------------------------------------
class _Bits:
    __slots__ = ("chunks",)

    def __init__(self) -> None:
        self.chunks: list[str] = []

    def add(self, value: int, length: int) -> None:
        self.chunks.append(format(value, f"0{length}b"))

    def __str__(self) -> str:
        return "".join(self.chunks)


def _count_bits(alnum: bool, version: int) -> int:
    if alnum:
        return 9 if version <= 9 else 11 if version <= 26 else 13
    return 8 if version <= 9 else 16


# A segment is (alphanumeric?, text): alphanumeric text, or text to be sent as UTF-8 bytes.
_Segment = tuple[bool, str]
_MIN_ALNUM_TAIL = 12  # a mode switch costs 4 + 9..16 bits; 2.5 bits saved per character


def _segments(text: str) -> list[_Segment]:
    """Alphanumeric for base45 tokens; for other text, bytes plus an alphanumeric tail when the
    text ends in a long alphanumeric run (``https://host/checkin?v=`` + token)."""
    if _ALNUM_SET.issuperset(text):
        return [(True, text)]
    i = len(text)
    while i > 0 and text[i - 1] in _ALNUM_SET:
        i -= 1
    if len(text) - i >= _MIN_ALNUM_TAIL:
        return [(False, text[:i]), (True, text[i:])]
    return [(False, text)]


def _seg_lengths(segments: list[_Segment]) -> list[tuple[bool, int, int]]:
    """(alphanumeric?, character count, payload bits) of each segment."""
    out = []
    for alnum, part in segments:
        if alnum:
            n = len(part)
            out.append((True, n, 11 * (n // 2) + 6 * (n % 2)))
        else:
            n = len(part.encode("utf-8"))
            out.append((False, n, 8 * n))
    return out


def _bits_needed(lengths: list[tuple[bool, int, int]], version: int) -> int | None:
    total = 0
    for alnum, count, payload in lengths:
        width = _count_bits(alnum, version)
        if count >= 1 << width:
            return None
        total += 4 + width + payload
    return total


def _choose_version(lengths: list[tuple[bool, int, int]], level: str) -> int:
    for version in range(1, 41):
        need = _bits_needed(lengths, version)
        if need is not None and need <= _data_capacity_bits(version, level):
            return version
    chars = sum(count for _a, count, _p in lengths)
    raise ValueError(f"text too long for a QR code at error level {level}: {chars} characters")


def _data_codewords(segments: list[_Segment], version: int, level: str) -> bytes:
    parts: list[str] = []
    for alnum, part in segments:
        if alnum:
            bits = _Bits()
            bits.add(0b0010, 4)
            bits.add(len(part), _count_bits(True, version))
            vals = [_ALNUM_VALUE[c] for c in part]
            for i in range(0, len(vals) - 1, 2):
                bits.add(vals[i] * 45 + vals[i + 1], 11)
            if len(vals) % 2:
                bits.add(vals[-1], 6)
            parts.append(str(bits))
        else:
            data = part.encode("utf-8")
            parts.append(format(0b0100, "04b"))
            parts.append(format(len(data), f"0{_count_bits(False, version)}b"))
            body = np.unpackbits(np.frombuffer(data, dtype=np.uint8)) + 48  # ASCII '0' / '1'
            parts.append(body.tobytes().decode("ascii"))
    s = "".join(parts)
    cap = _data_capacity_bits(version, level)
    s += "0" * min(4, cap - len(s))
    s += "0" * (-len(s) % 8)
    out = int(s, 2).to_bytes(len(s) // 8, "big") if s else b""
    pad = cap // 8 - len(out)
    return out + (b"\xec\x11" * (pad // 2 + 1))[:pad]


def _interleave(codewords: bytes, version: int, level: str) -> np.ndarray:
    blocks = _ec_blocks(version, level)
    buf = np.frombuffer(codewords, dtype=np.uint8)
    data_rows: list[np.ndarray] = []
    ecc_rows: list[np.ndarray] = []
    pos = 0
    for num, total, k in blocks:
        chunk = buf[pos : pos + num * k].reshape(num, k)
        pos += num * k
        data_rows.append(chunk)
        ecc_rows.append(_rs_ecc(chunk, total - k))
    kmax = max(k for _n, _t, k in blocks)
    nblocks = sum(n for n, _t, _k in blocks)
    grid = np.full((nblocks, kmax), -1, dtype=np.int16)
    row = 0
    for chunk in data_rows:
        grid[row : row + chunk.shape[0], : chunk.shape[1]] = chunk
        row += chunk.shape[0]
    data = grid.T.ravel()
    data = data[data >= 0].astype(np.uint8)
    ecc = np.concatenate(ecc_rows, axis=0).T.ravel()
    return np.concatenate([data, ecc])


def qr_version(text: str, *, error: str = DEFAULT_ERROR) -> int:
    """The QR version (1-40) ``qr_matrix`` draws ``text`` in at error correction ``error``."""
    level = error.upper()
    if level not in _EC_FORMAT_BITS:
        raise ValueError(f"error level must be one of L, M, Q, H, not {error!r}")
    return _choose_version(_seg_lengths(_segments(text)), level)


def qr_matrix(
    text: str, *, error: str = DEFAULT_ERROR, mask: int = DEFAULT_MASK, boost_error: bool = True
) -> np.ndarray:
    """QR modules of ``text`` as a 2-D bool array (True = dark), without quiet zone.

    ``error`` is the minimum error-correction level (L, M, Q, H); a stronger level is used when
    it fits the same version (unless ``boost_error=False``).  Text made only of QR alphanumeric
    characters (base45 tokens) is encoded in alphanumeric mode; other text as UTF-8 bytes, with
    a long alphanumeric tail (the token in ``https://host/checkin?v=TOKEN``) switched to
    alphanumeric mode.  Raises ``ValueError`` when the text does not fit in version 40.
    """
    level = error.upper()
    if level not in _EC_FORMAT_BITS:
        raise ValueError(f"error level must be one of L, M, Q, H, not {error!r}")
    if not 0 <= mask <= 7:
        raise ValueError(f"mask must be 0..7, not {mask!r}")
    segments = _segments(text)
    lengths = _seg_lengths(segments)
    version = _choose_version(lengths, level)
    need = _bits_needed(lengths, version)
    nxt = _EC_STRONGER[level]
    while boost_error and nxt is not None and need <= _data_capacity_bits(version, nxt):
        level, nxt = nxt, _EC_STRONGER[nxt]

    codewords = _interleave(_data_codewords(segments, version, level), version, level)
    tpl, _fn, positions = _layout(version)
    bits = np.zeros(positions.shape[0], dtype=bool)
    unpacked = np.unpackbits(codewords).view(bool)
    bits[: unpacked.shape[0]] = unpacked
    bits ^= _mask_pattern(version, mask)
    flat = tpl.ravel().copy()
    flat[positions] = bits
    idx, val = _format_overlay(version, level, mask)
    flat[idx] = val
    return flat.reshape(tpl.shape)


# --------------------------------------------------------------------------------------------
# PNG and SVG
# --------------------------------------------------------------------------------------------
def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(payload, zlib.crc32(kind)) & 0xFFFFFFFF)
    )


def png_from_matrix(matrix: np.ndarray, *, scale: int = 8, border: int = QUIET_ZONE) -> bytes:
    """1-bit grayscale PNG of a module matrix (dark = black)."""
    if scale < 1 or border < 0:
        raise ValueError("scale must be >= 1 and border >= 0")
    n = matrix.shape[0] + 2 * border
    light = np.ones((n, n), dtype=bool)
    light[border : n - border, border : n - border] = ~matrix
    width = n * scale
    # Pack one scaled row per module row, then repeat rows: 1 = white in a grey 1-bit PNG.
    packed = np.packbits(np.repeat(light, scale, axis=1), axis=1)
    rows = np.zeros((n, packed.shape[1] + 1), dtype=np.uint8)  # leading filter byte 0
    rows[:, 1:] = packed
    raw = np.repeat(rows, scale, axis=0).tobytes()
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)),
            _png_chunk(b"IDAT", zlib.compress(raw, 1)),
            _png_chunk(b"IEND", b""),
        )
    )


def png_bytes(
    text: str, *, scale: int = 8, border: int = QUIET_ZONE, error: str = DEFAULT_ERROR
) -> bytes:
    """PNG of the QR code for ``text``: ``scale`` pixels per module, ``border`` modules quiet
    zone, so the image is ``(modules + 2 * border) * scale`` pixels square."""
    return png_from_matrix(qr_matrix(text, error=error), scale=scale, border=border)


def _runs(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Horizontal runs of dark modules: (row, start column, length) arrays."""
    h, w = matrix.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = matrix
    d = np.diff(padded, axis=1)
    sr, sc = np.nonzero(d == 1)
    _er, ec = np.nonzero(d == -1)
    return sr, sc, ec - sc


def svg_text(text: str, *, border: int = QUIET_ZONE, error: str = DEFAULT_ERROR) -> str:
    """Standalone SVG: white background and one dark path; the viewBox is in modules."""
    if border < 0:
        raise ValueError("border must be >= 0")
    m = qr_matrix(text, error=error)
    n = m.shape[0] + 2 * border
    r, c, w = _runs(m)
    d = "".join(
        f"M{x} {y}h{ln}v1h-{ln}z"
        for x, y, ln in zip((c + border).tolist(), (r + border).tolist(), w.tolist(), strict=True)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" '
        f'shape-rendering="crispEdges">'
        f'<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{d}"/></svg>'
    )


# --------------------------------------------------------------------------------------------
# PDF (fpdf2)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Card:
    """One printed permit card: the QR of ``token_text`` plus the holder's details."""

    token_text: str
    holder_name: str
    lines: list[str] = field(default_factory=list)  # e.g. validity, issuer, token id
    caption: str = ""


_FONT = "DejaVu"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
_ELLIPSIS = "\u2026"
_MAX_CHARS = 400  # nothing wider fits on a line; bounds the width search for huge inputs
_PT_PER_MM = 72 / 25.4


def _clean(text: object, limit: int = _MAX_CHARS) -> str:
    """NFC text on one line: controls and line separators become spaces, lone surrogates go."""
    s = unicodedata.normalize("NFC", str(text))[: limit * 2]
    out = []
    for ch in s:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Zl", "Zp"):
            out.append(" ")
        elif cat != "Cs":
            out.append(ch)
    clean = unicodedata.normalize("NFC", "".join(out)).strip()
    return clean if len(clean) <= limit else clean[:limit] + _ELLIPSIS


def _new_pdf(title: str | None):
    from fpdf import FPDF  # imported lazily: only PDF users pay for fpdf2/fontTools

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creator("Rapid Response Suite")
    pdf.set_lang("vi")
    if title:
        pdf.set_title(_clean(title))
    for style, name in _FONT_FILES.items():
        pdf.add_font(_FONT, style=style, fname=str(FONT_DIR / name))
    return pdf


def _fit(pdf, text: str, width: float) -> str:
    """``text`` cut with an ellipsis so that it is at most ``width`` mm wide."""
    if not text or pdf.get_string_width(text) <= width:
        return text
    lo, hi = 0, len(text)  # invariant: text[:lo] + ellipsis fits, text[:hi] + ellipsis does not
    if pdf.get_string_width(_ELLIPSIS) > width:
        return ""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if pdf.get_string_width(text[:mid].rstrip() + _ELLIPSIS) <= width:
            lo = mid
        else:
            hi = mid
    return text[:lo].rstrip() + _ELLIPSIS


def _wrap(pdf, text: str, width: float, max_rows: int) -> list[str]:
    """Greedy word wrap into at most ``max_rows`` rows; the last row gets an ellipsis if cut."""
    if max_rows <= 0 or not text:
        return []
    if pdf.get_string_width(text) <= width:
        return [text]
    rows: list[str] = []
    rest = text
    while rest and len(rows) < max_rows - 1:
        words = rest.split(" ")
        row = words[0]
        used = 1
        for w in words[1:]:
            if pdf.get_string_width(row + " " + w) > width:
                break
            row += " " + w
            used += 1
        if pdf.get_string_width(row) > width:  # one long word: hard cut
            row = _fit(pdf, row, width)[:-1] or row[:1]
            rest = rest[len(row) :].lstrip()
        else:
            rest = " ".join(words[used:]).lstrip()
        rows.append(row)
    if rest:
        rows.append(_fit(pdf, rest, width))
    return rows


def _qr_ops(matrix: np.ndarray, x_mm: float, y_mm: float, size_mm: float, page_h_mm: float) -> str:
    """PDF content-stream operators drawing ``matrix`` (incl. quiet zone) as filled rectangles.

    ``size_mm`` covers the modules plus the quiet zone; (x_mm, y_mm) is the top-left corner.
    One ``re`` per horizontal run, in module units under a single ``cm`` transform.
    """
    n = matrix.shape[0] + 2 * QUIET_ZONE
    s = size_mm / n * _PT_PER_MM
    x0 = (x_mm + size_mm / n * QUIET_ZONE) * _PT_PER_MM
    y0 = (page_h_mm - y_mm - size_mm / n * QUIET_ZONE) * _PT_PER_MM
    r, c, w = _runs(matrix)
    body = "".join(map("{} {} {} 1 re\n".format, c.tolist(), r.tolist(), w.tolist()))
    return f"q 0 g {s:.5f} 0 0 {-s:.5f} {x0:.3f} {y0:.3f} cm\n{body}f Q"


def _draw_qr(pdf, matrix: np.ndarray, x: float, y: float, size: float) -> None:
    # fpdf2 has no public raw-operator API; _out appends to the current page content stream.
    pdf._out(_qr_ops(matrix, x, y, size, pdf.h))


# A4 portrait in mm; 2 x 4 cards of 95 x ~67 mm (credit-card-ish, cut along dashed lines).
_PAGE_W, _PAGE_H, _MARGIN = 210.0, 297.0, 10.0
_COLS, _ROWS = 2, 4
_TITLE_H = 9.0
_PAD = 3.0
_MIN_PRINT_MODULE_MM = 0.33  # ~4 px per module for a 300 dpi print, 3 px for a phone at 20 cm


def pdf_cards(cards: Sequence[Card], *, title: str | None = None) -> bytes:
    """A4 sheets, 2 x 4 cards per page: QR on the left, holder name on top, ``lines`` to the
    right of the QR and ``caption`` at the bottom.  All text is NFC-normalised and cut with an
    ellipsis to fit its box.  Raises ``ValueError`` for an empty card list or a token that
    does not fit in a QR code."""
    cards = list(cards)
    if not cards:
        raise ValueError("pdf_cards needs at least one card")
    matrices = [qr_matrix(card.token_text) for card in cards]  # fail before any drawing
    pdf = _new_pdf(title)
    head = _clean(title) if title else ""
    top = _MARGIN + (_TITLE_H if head else 0.0)
    card_w = (_PAGE_W - 2 * _MARGIN) / _COLS
    card_h = (_PAGE_H - _MARGIN - top) / _ROWS
    name_h, caption_h = 7.0, 5.0
    qr_size = min(card_h - _PAD - name_h - caption_h, card_w * 0.5)
    text_w = card_w - 3 * _PAD - qr_size
    line_step = 3.4
    max_rows = max(1, int(qr_size // line_step))
    per_page = _COLS * _ROWS
    pages = (len(cards) + per_page - 1) // per_page

    for i, (card, matrix) in enumerate(zip(cards, matrices, strict=True)):
        slot = i % per_page
        if slot == 0:
            pdf.add_page()
            page_no = i // per_page + 1
            if head:
                pdf.set_font(_FONT, "B", 12)
                pdf.set_text_color(0)
                label = f"{page_no}/{pages}" if pages > 1 else ""
                pdf.text(_MARGIN, _MARGIN + 5, _fit(pdf, head, _PAGE_W - 2 * _MARGIN - 15))
                if label:
                    pdf.set_font(_FONT, "", 8)
                    pdf.text(_PAGE_W - _MARGIN - pdf.get_string_width(label), _MARGIN + 5, label)
            pdf.set_draw_color(170)
            pdf.set_line_width(0.2)
            pdf.set_dash_pattern(dash=1.5, gap=1.5)
            for col in range(1, _COLS):
                xx = _MARGIN + col * card_w
                pdf.line(xx, top, xx, top + _ROWS * card_h)
            for row in range(_ROWS + 1):
                yy = top + row * card_h
                pdf.line(_MARGIN, yy, _PAGE_W - _MARGIN, yy)
            pdf.set_dash_pattern()
        x = _MARGIN + (slot % _COLS) * card_w
        y = top + (slot // _COLS) * card_h

        pdf.set_font(_FONT, "B", 10)
        pdf.set_text_color(0)
        pdf.text(x + _PAD, y + _PAD + 4.0, _fit(pdf, _clean(card.holder_name), card_w - 2 * _PAD))

        qx, qy = x + _PAD, y + _PAD + name_h
        module_mm = qr_size / (matrix.shape[0] + 2 * QUIET_ZONE)
        if module_mm < _MIN_PRINT_MODULE_MM:
            log.warning(
                "card %d: QR module %.2f mm (%d modules) is too small to scan reliably on paper",
                i,
                module_mm,
                matrix.shape[0],
            )
        _draw_qr(pdf, matrix, qx, qy, qr_size)

        pdf.set_font(_FONT, "", 7.5)
        ty = qy + 4.0
        rows_left = max_rows
        for line in card.lines:
            if rows_left <= 0:
                break
            for row_text in _wrap(pdf, _clean(line), text_w, min(2, rows_left)):
                pdf.text(qx + qr_size + _PAD, ty, row_text)
                ty += line_step
                rows_left -= 1
        if card.caption:
            pdf.set_font(_FONT, "", 7)
            pdf.set_text_color(90)
            pdf.text(
                x + _PAD,
                y + card_h - _PAD,
                _fit(pdf, _clean(card.caption), card_w - 2 * _PAD),
            )
    log.debug("pdf_cards: %d cards on %d pages", len(cards), pages)
    return bytes(pdf.output())


def _centered(pdf, text: str, y: float, style: str, size: float, min_size: float) -> None:
    """One centred line at baseline ``y``, shrunk down to ``min_size`` then ellipsised."""
    width = _PAGE_W - 2 * _MARGIN
    pdf.set_font(_FONT, style, size)
    while size > min_size and pdf.get_string_width(text) > width:
        size = max(min_size, size - 2)
        pdf.set_font(_FONT, style, size)
    text = _fit(pdf, text, width)
    pdf.text((_PAGE_W - pdf.get_string_width(text)) / 2, y, text)


def pdf_poster(
    token_or_url_text: str, *, title: str, subtitle: str = "", lines: Iterable[str] = ()
) -> bytes:
    """One A4 page with a big QR code (e.g. a venue check-in poster), a title, a subtitle and
    a few lines of instructions underneath; text is NFC-normalised and fitted to the page."""
    matrix = qr_matrix(token_or_url_text)
    pdf = _new_pdf(title)
    pdf.add_page()
    pdf.set_text_color(0)
    _centered(pdf, _clean(title), 30.0, "B", 30, 14)
    if subtitle:
        pdf.set_text_color(60)
        _centered(pdf, _clean(subtitle), 42.0, "", 16, 9)
    size = 150.0
    _draw_qr(pdf, matrix, (_PAGE_W - size) / 2, 52.0, size)
    pdf.set_text_color(0)
    y = 52.0 + size + 12.0
    for line in list(lines)[:12]:
        if y > _PAGE_H - _MARGIN:
            break
        _centered(pdf, _clean(line), y, "", 13, 8)
        y += 7.0
    return bytes(pdf.output())
