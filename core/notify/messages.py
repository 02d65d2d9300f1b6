"""Texts of the messages core sends (vi + en), registered in the translation catalog like an
app's ``App.messages``. Apps keep their own SMS texts in their own catalogs; ``render`` finds
either, in the recipient's language."""

from __future__ import annotations

_M: dict[str, tuple[str, str]] = {
    "notify.sms.test": (
        "Rapid Response Suite: tin nhắn thử từ hệ thống. Không cần trả lời.",
        "Rapid Response Suite: a test message from the system. No reply needed.",
    ),
    "notify.cli.sent": (
        "Đã gửi tới {to} qua bộ gửi '{sender}'.",
        "Sent to {to} through the '{sender}' sender.",
    ),
    "notify.cli.not_sent": (
        "Không gửi được tới {to} ({status}{error}).",
        "Not sent to {to} ({status}{error}).",
    ),
}

MESSAGES: dict[str, dict[str, str]] = {k: {"vi": vi, "en": en} for k, (vi, en) in _M.items()}


def render(key: str, lang: str = "vi", /, **params: object) -> str:
    """The text of ``key`` in ``lang`` (Vietnamese when the language is unknown), formatted:
    core's own texts first, then the suite's catalog (an app's SMS texts)."""
    lang = lang if lang in ("vi", "en") else "vi"
    entry = MESSAGES.get(key)
    if entry is None:
        from core.i18n import catalog

        entry = catalog().get(key)
    if entry is None:
        raise KeyError(f"no message {key!r}")
    text = entry.get(lang) or entry["vi"]
    return text.format(**params) if params else text
