"""The pluggable SMS sender: the ``Sender`` protocol, the two development senders, and the
registry that picks one from the ``notify.sender`` setting.

A real gateway is a package that declares an entry point in the group ``rapid.senders``
(``viettel = "mypkg.sms:factory"``); the setting names it (``sender = "viettel"`` or
``sender = "mypkg.sms:factory"``). Only installed entry points are loaded: a value in the
configuration never makes the server import a module of its choosing.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "rapid.senders"
OUTBOX_FILE = Path("outbox") / "sms.jsonl"
"""Where the file sender writes, under the data folder."""


class NotifyError(Exception):
    """A message cannot be sent as asked (unknown sender, not a mobile number...)."""


@dataclass(frozen=True)
class SendResult:
    """What became of one message: ``sent``, ``duplicate`` (this event was already sent),
    ``limited`` (the number's limit for this kind of message is reached) or ``failed``."""

    status: str
    message_id: str = ""
    error: str = ""

    @property
    def sent(self) -> bool:
        return self.status == "sent"


@runtime_checkable
class Sender(Protocol):
    """Delivers one text to one number (E.164). ``kind`` and ``dedupe_key`` are given so a
    gateway can tag the message and refuse a repeat itself; the outbox has already made sure
    the event was not sent before. Returns ``sent`` with the gateway's id, or ``failed``."""

    name: str

    def send(self, to_phone: str, text: str, *, kind: str, dedupe_key: str) -> SendResult: ...


def mask_phone(phone: str) -> str:
    """``+84905123456`` -> ``+84******456``."""
    if len(phone) <= 6:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 6) + phone[-3:]


class ConsoleSender:
    """Writes each message to the server log (development): the number masked."""

    name = "console"

    def send(self, to_phone: str, text: str, *, kind: str, dedupe_key: str) -> SendResult:
        message_id = uuid.uuid4().hex
        log.info("SMS (%s) to %s: %s", kind, mask_phone(to_phone), text)
        return SendResult("sent", message_id)


class FileSender:
    """Appends each message as a JSON line to ``DATA_DIR/outbox/sms.jsonl`` (folder 0700, file
    0600): what tests read (``core.notify.testing.sent_sms``) and the demo's operator opens."""

    name = "file"

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        if self._path is not None:
            return self._path
        from core.config import get_settings

        return get_settings().data_dir / OUTBOX_FILE

    def send(self, to_phone: str, text: str, *, kind: str, dedupe_key: str) -> SendResult:
        from core import clock

        message_id = uuid.uuid4().hex
        line = json.dumps(
            {
                "at": clock.utcnow_naive().isoformat(),
                "id": message_id,
                "to": to_phone,
                "kind": kind,
                "dedupe_key": dedupe_key,
                "text": text,
            },
            ensure_ascii=False,
        )
        path = self.path
        with self._lock:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        return SendResult("sent", message_id)

    def read(self) -> list[dict]:
        """Every message written so far (oldest first)."""
        path = self.path
        if not path.is_file():
            return []
        return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]


BUILTIN = {"console": ConsoleSender, "file": FileSender}

_lock = threading.Lock()
_cached: tuple[str, Sender] | None = None
_override: Sender | None = None


def installed_senders() -> dict[str, str]:
    """Installed ``rapid.senders`` entry points: name -> ``module:factory``."""
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def sender_from_setting(value: str) -> Sender:
    """The sender a ``notify.sender`` value names: ``console``, ``file``, or an installed entry
    point of the group ``rapid.senders`` (by its name or its ``module:factory`` value), whose
    factory is called without arguments. Anything else is refused."""
    from importlib.metadata import entry_points

    name = (value or "").strip()
    if name in BUILTIN:
        return BUILTIN[name]()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if name in (ep.name, ep.value):
            sender = ep.load()()
            if not isinstance(sender, Sender):
                raise NotifyError(f"the {ENTRY_POINT_GROUP} entry point {ep.name!r} gave no Sender")
            return sender
    known = ", ".join(["console", "file", *sorted(installed_senders())])
    raise NotifyError(
        f"unknown SMS sender {name!r}: use one of {known} (a gateway is an installed"
        f" {ENTRY_POINT_GROUP!r} entry point)"
    )


def get_sender() -> Sender:
    """The configured sender (built once per setting value), or the one a test set."""
    global _cached
    if _override is not None:
        return _override
    from core.notify.settings import notify_settings

    value = notify_settings().sender
    with _lock:
        if _cached is None or _cached[0] != value:
            _cached = (value, sender_from_setting(value))
        return _cached[1]


def set_sender(sender: Sender | None) -> None:
    """Use ``sender`` instead of the configured one (tests); None goes back to the setting."""
    global _override, _cached
    with _lock:
        _override = sender
        _cached = None
