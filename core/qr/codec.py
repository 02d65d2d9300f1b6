"""Text layer of HCERT tokens: context prefix, base45 (RFC 9285) and zlib.

The ``base45`` package encodes ~170 bytes in ~19 us in pure Python, which alone would
cap bulk signing near 50,000 tokens/s before any signing work; the encoder here looks up
whole 16-bit pairs in a 65,536-entry table (~1.5 us for the same input). The decoder is
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


def _pair_table() -> list[str]:
    """Three-character encodings of every 16-bit value, indexed by the value as read in
    native byte order, so ``memoryview(data).cast('H')`` can index the table directly."""
    a = ALPHABET
    big = [a[n % 45] + a[(n // 45) % 45] + a[n // 2025] for n in range(65536)]
    if sys.byteorder == "big":
        return big
    return [big[((n & 0xFF) << 8) | (n >> 8)] for n in range(65536)]


_PAIRS = _pair_table()
_SINGLE = [ALPHABET[n % 45] + ALPHABET[n // 45] for n in range(256)]
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def b45encode(data: bytes) -> str:
    """Base45-encode ``data`` (RFC 9285) to a str."""
    n = len(data) & ~1
    out = "".join(map(_PAIRS.__getitem__, memoryview(data)[:n].cast("H"))) if n else ""
    if len(data) & 1:
        out += _SINGLE[data[-1]]
    return out


def b45decode(text: str) -> bytes:
    """Strictly decode base45 text; raise CodecError on any malformed input."""
    value = _VALUE
    n = len(text)
    if n % 3 == 1:
        raise CodecError("base45 length leaves a single character")
    try:
        digits = [value[c] for c in text]
    except KeyError:
        raise CodecError("character outside the base45 alphabet") from None
    full = n - n % 3
    words = array("H")
    append = words.append
    for i in range(0, full, 3):
        v = digits[i] + digits[i + 1] * 45 + digits[i + 2] * 2025
        if v > 0xFFFF:
            raise CodecError("base45 triplet exceeds 16 bits")
        append(v)
    if sys.byteorder == "little":
        words.byteswap()
    out = words.tobytes()
    if n % 3 == 2:
        v = digits[full] + digits[full + 1] * 45
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
    return out


def deflate(data: bytes) -> bytes:
    """zlib-compress (level 9, 512-byte window: tokens are tiny, a small window is cheaper)."""
    return zlib.compress(data, 9, 9)
