"""One translation function for every UI string. Vietnamese is the default, English the other.

Catalogs are dicts ``{key: {"vi": ..., "en": ...}}``: core's own (``core.messages``) plus each
app's ``App.messages``. A test fails when a key lacks either language or a ``t("...")`` in the
code names a key that does not exist.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

log = logging.getLogger(__name__)

LOCALES = ("vi", "en")
LOCALE_NAMES = {"vi": "Tiếng Việt", "en": "English"}

_locale: ContextVar[str | None] = ContextVar("rapid_locale", default=None)
_catalog: dict[str, dict[str, str]] | None = None


def catalog() -> dict[str, dict[str, str]]:
    global _catalog
    if _catalog is None:
        from core.account_messages import MESSAGES as ACCOUNT_MESSAGES
        from core.definitions.messages import MESSAGES as DEFINITION_MESSAGES
        from core.forms.messages import catalog as forms_catalog
        from core.messages import MESSAGES
        from core.registry import get_registry

        merged = dict(MESSAGES)
        merged.update(ACCOUNT_MESSAGES)
        merged.update(forms_catalog())
        merged.update(DEFINITION_MESSAGES)
        merged.update(get_registry().messages())
        _catalog = merged
    return _catalog


def reset_catalog() -> None:
    global _catalog
    _catalog = None


def get_locale() -> str:
    value = _locale.get()
    if value is None:
        from core.config import get_settings

        value = get_settings().locale
    return value


def set_locale(locale: str) -> None:
    _locale.set(locale if locale in LOCALES else "vi")


def t(key: str, /, **kwargs: object) -> str:
    """The text of ``key`` in the current language, formatted with ``kwargs``."""
    entry = catalog().get(key)
    if entry is None:
        log.warning("missing translation key %s", key)
        return key
    text = entry.get(get_locale()) or entry["vi"]
    return text.format(**kwargs) if kwargs else text


def t_in(locale: str, key: str, /, **kwargs: object) -> str:
    """The text of ``key`` in a given language (for CLI output and exports)."""
    token = _locale.set(locale)
    try:
        return t(key, **kwargs)
    finally:
        _locale.reset(token)


def reason_text(code: str, *namespaces: str) -> str:
    """A verdict reason code in the current language with the code beside it, e.g.
    ``"Đã bị thu hồi (REVOKED)"``. Looks in ``qr.reason`` (the token core's codes) and then in
    the given namespaces (an app's own rule reasons); the bare code when none has it."""
    for ns in ("qr.reason", *namespaces):
        key = f"{ns}.{code}"
        if key in catalog():
            return f"{t(key)} ({code})"
    return code
