"""Public links to pages of the suite (put in QR codes and shown to citizens)."""

from __future__ import annotations

from urllib.parse import urlencode

from core.config import get_settings


def page_path(page_key: str) -> str:
    """The URL path Streamlit serves a page under (``travel_permit.view`` -> ``travel_permit-view``)."""
    return page_key.replace(".", "-")


def page_link(page_key: str, **params: str) -> str:
    """Absolute link to a page with query parameters, from the configured base URL."""
    base = get_settings().base_url.rstrip("/")
    query = f"?{urlencode(params)}" if params else ""
    return f"{base}/{page_path(page_key)}{query}"


def web_link(path: str, **params: str) -> str:
    """Absolute link to a citizens' light web page (``/check-in``) with query parameters."""
    base = get_settings().base_url.rstrip("/")
    query = f"?{urlencode(params)}" if params else ""
    return f"{base}{path}{query}"
