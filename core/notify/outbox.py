"""Sending one message for one event: the number normalised (E.164), the text in the
recipient's language, the per-number limits, and the outbox that makes sure nothing is sent
twice for the same event."""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import TYPE_CHECKING

from core.notify.senders import NotifyError, SendResult, get_sender, mask_phone

if TYPE_CHECKING:
    from core.store import Store

log = logging.getLogger(__name__)

MAX_KEY = 200


def e164(phone: str) -> str:
    """A mobile number as E.164 (``0905 123 456`` -> ``+84905123456``), through the forms
    core's phone type; a landline or anything else raises ``NotifyError``."""
    from core.forms.errors import FieldError
    from core.forms.identity import parse_phone

    try:
        number = parse_phone(phone, mobile_only=True, foreign=True)
    except FieldError:
        raise NotifyError("not a mobile phone number") from None
    return "+84" + number[1:] if number.startswith("0") else number


def _phone_hash(phone: str) -> str:
    from core.web.security import server_secret

    return hmac.new(server_secret(), b"notify\x00" + phone.encode(), hashlib.sha256).hexdigest()[
        :32
    ]


def send_sms(
    to_phone: str,
    key: str,
    *,
    kind: str,
    dedupe_key: str,
    lang: str = "vi",
    store: Store | None = None,
    **params: object,
) -> SendResult:
    """Send message ``key`` (a catalog text, formatted with ``params``) in ``lang`` to
    ``to_phone`` through the configured sender, once per ``dedupe_key``.

    ``duplicate`` when that event was already sent (or is being sent); ``limited`` when the
    number has had ``per_phone_per_hour`` / ``per_phone_per_day`` messages of this ``kind``
    (another kind is not held back: a flood of one-time codes does not stop an exposure
    notice); ``failed`` when the gateway failed (the event may be sent again). Raises
    ``NotifyError`` for a number that cannot receive SMS. Call it outside a transaction: the
    outbox row must be committed before the message leaves.
    """
    from core import audit, clock
    from core.notify.messages import render
    from core.notify.settings import notify_settings
    from core.store import CONFLICTS, CONSTRAINTS, get_store
    from core.web.security import Quota, spend_quotas

    st = store or get_store()
    if st.in_transaction:
        raise RuntimeError("send_sms must be called outside a transaction")
    if not dedupe_key or len(dedupe_key) > MAX_KEY:
        raise ValueError("dedupe_key must be 1 to 200 characters")
    phone = e164(to_phone)
    lang = lang if lang in ("vi", "en") else "vi"
    text = render(key, lang, **params)
    sender = get_sender()
    cfg = notify_settings()
    quotas = [
        (Quota(f"notify.{kind}.hour", cfg.per_phone_per_hour, 3600), phone),
        (Quota(f"notify.{kind}.day", cfg.per_phone_per_day, 86400), phone),
    ]
    now = clock.utcnow_naive()
    try:
        with st.transaction() as cur:
            row = cur.execute(
                "SELECT status FROM notify_outbox WHERE dedupe_key = ?", [dedupe_key]
            ).fetchone()
            if row is not None and row[0] != "failed":
                return SendResult("duplicate")
            if spend_quotas(quotas, store=st):
                audit.count(f"notify.{kind}", throttled=True, store=st)
                return SendResult("limited")
            cur.execute("DELETE FROM notify_outbox WHERE dedupe_key = ?", [dedupe_key])
            cur.execute(
                "INSERT INTO notify_outbox (dedupe_key, kind, to_hash, to_masked, lang, sender,"
                " status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'sending', ?)",
                [dedupe_key, kind, _phone_hash(phone), mask_phone(phone), lang, sender.name, now],
            )
    except (*CONFLICTS, *CONSTRAINTS):  # the same event at the same moment from elsewhere
        return SendResult("duplicate")
    try:
        result = sender.send(phone, text, kind=kind, dedupe_key=dedupe_key)
    except Exception as exc:  # noqa: BLE001 - a gateway's failure is recorded, not raised
        log.warning("SMS (%s) to %s failed: %s", kind, mask_phone(phone), type(exc).__name__)
        result = SendResult("failed", error=type(exc).__name__)
    status = "sent" if result.sent else "failed"
    st.execute(
        "UPDATE notify_outbox SET status = ?, sent_at = ?, message_id = ?, error = ?"
        " WHERE dedupe_key = ?",
        [status, clock.utcnow_naive() if result.sent else None, result.message_id[:200],
         result.error[:500], dedupe_key],
    )  # fmt: skip
    audit.count(f"notify.{kind}", matched=result.sent, store=st)
    return result if result.status in ("sent", "failed") else SendResult("failed", error="sender")


def outbox_status(dedupe_key: str, *, store: Store | None = None) -> str | None:
    """The outbox status of an event (``sending``, ``sent``, ``failed``), None if never sent."""
    from core.store import get_store

    st = store or get_store()
    return st.scalar("SELECT status FROM notify_outbox WHERE dedupe_key = ?", [dedupe_key])
