"""Text hygiene for outside input: NFC, trimming, length limits, formula-safe export."""

from __future__ import annotations

import unicodedata

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def nfc(value: str) -> str:
    """Vietnamese typed in decomposed form (NFD) is stored composed (NFC), trimmed."""
    return unicodedata.normalize("NFC", value).strip()


def collapse_spaces(value: str) -> str:
    return " ".join(nfc(value).split())


def formula_safe(value: object) -> object:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def mask_id(number: str, keep: int = 4) -> str:
    """'012345678901' -> '********8901'."""
    digits = number.strip()
    return "*" * max(0, len(digits) - keep) + digits[-keep:]


_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~=$:")


def md_escape(value: object) -> str:
    """User text made safe to embed in Streamlit markdown (no links, images, emphasis)."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(value))
