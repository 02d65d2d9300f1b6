"""The pluggable SMS sender (core.notify): E.164 numbers, texts in the recipient's language,
nothing sent twice for one event, per-number limits per kind, the file and console senders,
the registry (installed entry points only), the outbox keeps no text nor number in clear."""

from __future__ import annotations

import json
import logging
import os
import stat
from datetime import timedelta
from importlib.metadata import EntryPoint

import pytest
from click.testing import CliRunner

from core import notify
from core.notify import senders
from core.notify.testing import capture_sms


@pytest.fixture()
def sms(tmp_path):
    with capture_sms(tmp_path / "sms.jsonl") as box:
        yield box


def _send(phone="0905 123 456", key="notify.sms.test", kind="test", dedupe="e1", **kw):
    return notify.send_sms(phone, key, kind=kind, dedupe_key=dedupe, **kw)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0905 123 456", "+84905123456"),
        ("+84 905-123-456", "+84905123456"),
        ("84905123456", "+84905123456"),
        ("905123456", "+84905123456"),
        ("+1 202 555 0143", "+12025550143"),
    ],
)
def test_numbers_are_e164(raw, e164):
    assert notify.e164(raw) == e164


@pytest.mark.parametrize("raw", ["0236 3821 234", "12", "", "+999 123", "abc"])
def test_a_landline_or_no_number_is_refused(raw):
    with pytest.raises(notify.NotifyError):
        notify.e164(raw)


def test_the_file_sender_writes_private_json_lines(store, settings, frozen_clock):
    notify.set_sender(None)
    result = _send()
    assert result.sent and result.message_id
    path = settings.data_dir / "outbox" / "sms.jsonl"
    (line,) = path.read_text(encoding="utf-8").splitlines()
    msg = json.loads(line)
    assert msg["to"] == "+84905123456" and msg["kind"] == "test" and msg["dedupe_key"] == "e1"
    assert msg["text"].startswith("Rapid Response Suite: tin nhắn thử")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def test_nothing_is_sent_twice_for_one_event(store, sms):
    assert _send(dedupe="visit:42").sent
    assert _send(dedupe="visit:42").status == "duplicate"
    assert _send(phone="0912 345 678", dedupe="visit:42").status == "duplicate"
    assert _send(dedupe="visit:43").sent
    assert [m["dedupe_key"] for m in sms.messages] == ["visit:42", "visit:43"]
    assert notify.outbox_status("visit:42") == "sent" and notify.outbox_status("nope") is None


def test_a_failed_send_may_be_sent_again(store, tmp_path):
    class Down:
        name = "down"

        def send(self, to_phone, text, *, kind, dedupe_key):
            raise ConnectionError("gateway down")

    notify.set_sender(Down())
    try:
        failed = _send(dedupe="x:1")
        assert failed.status == "failed" and failed.error == "ConnectionError"
        assert notify.outbox_status("x:1") == "failed"
    finally:
        notify.set_sender(None)
    with capture_sms(tmp_path / "again.jsonl") as box:
        assert _send(dedupe="x:1").sent and len(box) == 1
    assert notify.outbox_status("x:1") == "sent"


def test_per_number_limits_per_kind(store, sms, frozen_clock):
    cfg = notify.notify_settings()
    for i in range(cfg.per_phone_per_hour):
        assert _send(dedupe=f"a{i}", kind="code").sent
    assert _send(dedupe="a-late", kind="code").status == "limited"
    assert _send(dedupe="b0", kind="exposure").sent  # another kind is not held back
    assert _send(phone="0912345678", dedupe="c0", kind="code").sent  # another number neither
    assert _send(dedupe="a-late", kind="code").status == "limited"  # refused: not counted
    frozen_clock[0] += timedelta(hours=2)  # the window slides: two hours on, room again
    assert _send(dedupe="a-late", kind="code").sent


def test_the_daily_limit(store, sms, frozen_clock):
    cfg = notify.notify_settings()
    results = []
    for i in range(cfg.per_phone_per_day + 3):
        frozen_clock[0] += timedelta(minutes=61)  # never the hourly limit
        results.append(_send(dedupe=f"day{i}", kind="notice").status)
    assert results[: cfg.per_phone_per_day] == ["sent"] * cfg.per_phone_per_day
    assert set(results[cfg.per_phone_per_day :]) == {"limited"}


def test_texts_in_the_recipients_language(store, sms):
    assert _send(dedupe="l1", lang="en").sent
    assert _send(dedupe="l2", lang="fr").sent  # unknown: Vietnamese
    assert _send(dedupe="l3", key="hd.sms.code", code="123456", minutes=10).sent  # an app's text
    texts = [m["text"] for m in sms.messages]
    assert texts[0].startswith("Rapid Response Suite: a test message")
    assert texts[1].startswith("Rapid Response Suite: tin nhắn thử")
    assert "123456" in texts[2] and "10" in texts[2]
    with pytest.raises(KeyError):
        _send(dedupe="l4", key="no.such.text")


def test_the_outbox_keeps_no_text_and_no_number(store, sms):
    assert _send(dedupe="hd.code:abc", key="hd.sms.code", code="654321", minutes=10).sent
    (row,) = store.records("SELECT * FROM notify_outbox")
    flat = json.dumps(row, default=str)
    assert "654321" not in flat and "905123456" not in flat
    assert row["to_masked"] == "+84******456" and row["status"] == "sent"
    assert row["sender"] == "file"


def test_the_console_sender_logs_with_the_number_masked(store, caplog):
    notify.set_sender(notify.ConsoleSender())
    try:
        with caplog.at_level(logging.INFO, logger="core.notify.senders"):
            assert _send(dedupe="con1").sent
    finally:
        notify.set_sender(None)
    assert "+84******456" in caplog.text and "905123456" not in caplog.text


def test_calling_inside_a_transaction_is_refused(store, sms):
    with store.transaction(), pytest.raises(RuntimeError):
        _send(dedupe="tx")


def test_the_registry_loads_only_installed_entry_points(monkeypatch, settings):
    assert isinstance(notify.sender_from_setting("console"), notify.ConsoleSender)
    assert isinstance(notify.sender_from_setting("file"), notify.FileSender)
    with pytest.raises(notify.NotifyError) as exc:
        notify.sender_from_setting("os:system")  # a module:factory that is not installed
    assert "rapid.senders" in str(exc.value)
    fake = EntryPoint("fake", f"{__name__}:make_fake", senders.ENTRY_POINT_GROUP)

    def entry_points(group=None, **kw):
        return [fake] if group == senders.ENTRY_POINT_GROUP else []

    monkeypatch.setattr("importlib.metadata.entry_points", entry_points)
    assert notify.sender_from_setting("fake").name == "fake"
    assert notify.sender_from_setting(f"{__name__}:make_fake").name == "fake"
    assert senders.installed_senders() == {"fake": f"{__name__}:make_fake"}


class FakeSender:
    name = "fake"

    def send(self, to_phone, text, *, kind, dedupe_key):
        return notify.SendResult("sent", "fake-1")


def make_fake() -> FakeSender:
    return FakeSender()


def test_the_setting_chooses_the_sender(settings, monkeypatch):
    from core.notify.settings import NotifySettings

    notify.set_sender(None)
    assert notify.get_sender().name == "file"  # the default: development, tests, demo
    monkeypatch.setattr(
        "core.notify.settings.notify_settings", lambda: NotifySettings(sender="console")
    )
    assert notify.get_sender().name == "console"


def test_the_sent_sms_fixture_reads_codes(store, sms):
    _send(dedupe="k", key="hd.sms.code", code="042917", minutes=10)
    assert sms.code() == "042917" and sms.code("0905123456") == "042917"
    assert sms.to("+84 912 345 678") == []


def test_rapid_notify_test_sends_one_message(settings, sms, monkeypatch):
    from core.notify.cli import notify_group

    runner = CliRunner()
    done = runner.invoke(notify_group, ["test", "0905123456", "--lang", "en"])
    assert done.exit_code == 0, done.output
    assert "+84******456" in done.output and len(sms) == 1
    assert sms.messages[0]["text"].startswith("Rapid Response Suite: a test message")
    bad = runner.invoke(notify_group, ["test", "0236 3821 234"])
    assert bad.exit_code != 0 and "mobile" in bad.output
