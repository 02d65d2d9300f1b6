"""Notifications through a pluggable SMS sender.

``send_sms(to_phone, key, kind=..., dedupe_key=..., lang=..., **params)`` sends one catalog
text in the recipient's language (Vietnamese by default) to one number, normalised to E.164
by the forms core's phone type, once per event (``dedupe_key``, kept in the ``notify_outbox``
table), within per-number limits per kind of message. The sender is chosen by the setting
``notify.sender``: ``file`` (``DATA_DIR/outbox/sms.jsonl``, for development, tests and the
demo), ``console`` (the server log), or a gateway installed as a ``rapid.senders`` entry point.

Tests read what was sent with the ``sent_sms`` fixture (``core.notify.testing``).
"""

from __future__ import annotations

from core.notify.outbox import e164, outbox_status, send_sms
from core.notify.senders import (
    ConsoleSender,
    FileSender,
    NotifyError,
    Sender,
    SendResult,
    get_sender,
    mask_phone,
    sender_from_setting,
    set_sender,
)
from core.notify.settings import NotifySettings, notify_settings

__all__ = [
    "ConsoleSender",
    "FileSender",
    "NotifyError",
    "NotifySettings",
    "SendResult",
    "Sender",
    "e164",
    "get_sender",
    "mask_phone",
    "notify_settings",
    "outbox_status",
    "send_sms",
    "sender_from_setting",
    "set_sender",
]
