"""Test support: the ``sent_sms`` fixture (to be offered by ``core.testkit``).

``sent_sms`` points the sender at a file sender writing under the test's data folder and
gives the messages sent so far::

    def test_code(sent_sms, store):
        ...
        (msg,) = sent_sms.messages
        assert msg["to"] == "+84905123456" and sent_sms.code() in msg["text"]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

_CODE = re.compile(r"\b(\d{6})\b")


class SentSms:
    """The messages a test's file sender wrote, oldest first (dicts: at, id, to, kind,
    dedupe_key, text)."""

    def __init__(self, path: Path) -> None:
        from core.notify.senders import FileSender

        self.sender = FileSender(path)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.sender.read()

    def to(self, phone: str) -> list[dict[str, Any]]:
        """Messages sent to ``phone`` (any form: normalised to E.164 first)."""
        from core.notify import e164

        number = e164(phone)
        return [m for m in self.messages if m["to"] == number]

    def code(self, phone: str | None = None) -> str:
        """The 6-digit code of the last message (to ``phone`` when given)."""
        found = self.to(phone) if phone else self.messages
        assert found, "no SMS was sent"
        match = _CODE.search(found[-1]["text"])
        assert match, f"no 6-digit code in {found[-1]['text']!r}"
        return match.group(1)

    def __len__(self) -> int:
        return len(self.messages)


@contextmanager
def capture_sms(path: Path) -> Iterator[SentSms]:
    """Every message sent inside the block goes to a file sender writing ``path``."""
    from core.notify.senders import set_sender

    box = SentSms(path)
    set_sender(box.sender)
    try:
        yield box
    finally:
        set_sender(None)


@pytest.fixture()
def sent_sms(tmp_path: Path) -> Iterator[SentSms]:
    """A file sender under the test's folder for every message the test sends."""
    with capture_sms(tmp_path / "sent-sms.jsonl") as box:
        yield box
