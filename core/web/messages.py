"""Texts of the citizens' page shell (``core.web.layout``) in Vietnamese and English."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "web.menu": {"vi": "Danh mục", "en": "Menu"},
}
