"""Text layer of HCERT tokens: context prefix, base45 (RFC 9285) and zlib.

Own base45 rather than the ``base45`` package: the package spends ~19 us encoding and ~17 us
decoding a 170-byte token (character-by-character arithmetic), a third of the per-token
budget for bulk signing (>= 20,000 tokens/s). Here encoding looks up two characters at once
in a 2,025-entry table and decoding maps characters to digits with one ``bytes.translate``;
both are ~8 us for 200 bytes on cold data. (A 65,536-entry pair table is faster in a
micro-benchmark but slower on thousands of distinct tokens: cache misses.) The decoder is
strict (RFC 9285 section 4.2): unknown characters, a dangling single character, or a
triplet/pair whose value does not fit in 16/8 bits are errors.
"""

from __future__ import annotations

import re
import sys
import zlib
from array import array

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
PREFIX_RE = re.compile(r"[A-Z0-9]{2,8}:")
#: Largest inflated payload accepted; real tokens are a few hundred bytes (zip-bomb guard).
MAX_INFLATED = 16 * 1024


class CodecError(ValueError):
    """Raised by the strict decoders in this module."""


_TWO = [ALPHABET[n % 45] + ALPHABET[n // 45] for n in range(2025)]  # n -> 2 chars
_SINGLE = _TWO[:256]
_TO_DIGITS = bytes.maketrans(ALPHABET.encode(), bytes(range(45)))
_NOT_B45 = bytes(c for c in range(256) if chr(c) not in ALPHABET)


def b45encode(data: bytes) -> str:
    """Base45-encode ``data`` (RFC 9285) to a str."""
    n = len(data) & ~1
    words = array("H", data[:n])
    if sys.byteorder == "little":
        words.byteswap()
    two, a = _TWO, ALPHABET
    out = "".join([two[v % 2025] + a[v // 2025] for v in words])
    if len(data) & 1:
        out += _SINGLE[data[-1]]
    return out


def b45decode(text: str) -> bytes:
    """Strictly decode base45 text; raise CodecError on any malformed input."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise CodecError("non-ASCII character in base45") from None
    d = raw.translate(_TO_DIGITS, _NOT_B45)
    if len(d) != len(raw):
        raise CodecError("character outside the base45 alphabet")
    n = len(d)
    rest = n % 3
    if rest == 1:
        raise CodecError("base45 length leaves a single character")
    full = n - rest
    vals = [
        x + 45 * y + 2025 * z for x, y, z in zip(d[0:full:3], d[1:full:3], d[2:full:3], strict=True)
    ]
    if vals and max(vals) > 0xFFFF:
        raise CodecError("base45 triplet exceeds 16 bits")
    words = array("H", vals)
    if sys.byteorder == "little":
        words.byteswap()
    out = words.tobytes()
    if rest:
        v = d[full] + 45 * d[full + 1]
        if v > 0xFF:
            raise CodecError("base45 pair exceeds 8 bits")
        out += bytes((v,))
    return out


def split_prefix(text: str) -> tuple[str, str]:
    """Split ``"TP1:BODY"`` into ``("TP1:", "BODY")``; CodecError if no valid prefix."""
    m = PREFIX_RE.match(text)
    if m is None:
        raise CodecError("missing or malformed context prefix")
    return m.group(0), text[m.end() :]


def check_prefix(prefix: str) -> str:
    """Validate a context prefix such as ``"TP1:"`` (2-8 capitals/digits then ':')."""
    if not isinstance(prefix, str) or PREFIX_RE.fullmatch(prefix) is None:
        raise ValueError(f"invalid context prefix {prefix!r}: need 2-8 of A-Z0-9 then ':'")
    return prefix


def inflate(data: bytes, limit: int = MAX_INFLATED) -> bytes:
    """zlib-decompress at most ``limit`` bytes; CodecError if broken, truncated or larger."""
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, limit)
    except zlib.error as exc:
        raise CodecError(f"zlib: {exc}") from None
    if d.unconsumed_tail:
        raise CodecError("inflated payload exceeds limit")
    if not d.eof:
        raise CodecError("zlib stream truncated")
    if d.unused_data:
        raise CodecError("trailing data after zlib stream")
    if len(data) > 6:
        if (data[2] >> 1) & 3 == 0 and data[2] >> 3:
            raise CodecError("non-zero padding bits in a stored deflate block header")
        if data[-5] and _same_without_top_bit(data, out):
            raise CodecError("non-zero padding bits at the end of the deflate stream")
    return out


def _same_without_top_bit(data: bytes, out: bytes) -> bool:
    """Whether clearing the highest set bit of the last deflate byte still inflates to ``out``.

    The unused high bits of that byte are padding which zlib ignores, so without this check
    several texts would carry the same signed token (a one-character change of a valid token
    would verify). zlib always writes zero padding: if the highest set bit can be cleared
    without changing the output, it was padding and the stream is not canonical.
    """
    last = data[-5]
    cleared = data[:-5] + bytes((last & ~(1 << (last.bit_length() - 1)),)) + data[-4:]
    try:
        d = zlib.decompressobj()
        return d.decompress(cleared, len(out) + 1) == out and d.eof and not d.unused_data
    except zlib.error:
        return False


def deflate(data: bytes, level: int = 9) -> bytes:
    """zlib-compress a token (512-byte window: tokens are tiny).

    Level 9 (default) writes a fixed-Huffman block for a typical permit: ~7 bytes
    (~10 characters) shorter than level 0, which keeps it at QR version 10 instead of 11.
    Level 0 writes a stored block and is ~15x cheaper (~1 us instead of ~13 us per token
    here), for bulk issuing when throughput matters more than size. Any level inflates the
    same way; the stream is a valid zlib stream either way.
    """
    if level == 0:
        c = zlib.compressobj(0, zlib.DEFLATED, 9, 1)
        return c.compress(data) + c.flush()
    return zlib.compress(data, level, 9)
