"""Guards of the citizens' pages: form tokens, rate limits, client address, headers, logs."""

from __future__ import annotations

import logging

from hypothesis import given, settings
from hypothesis import strategies as st

from core.web import security
from core.web.http import choose_locale, client_address


def test_form_tokens_are_bound_to_the_browser_and_used_once(store):
    security.reset_secret()
    sid = security.new_sid()
    token = security.form_token(sid)
    assert security.check_form_token(token, sid).ok
    assert security.check_form_token(token, sid).problem == "replayed"
    assert (
        security.check_form_token(security.form_token(sid), security.new_sid()).problem == "forged"
    )
    assert security.check_form_token(token[:-2] + "xx", sid).problem == "forged"
    assert security.check_form_token(None, sid).problem == "missing"
    assert security.check_form_token("garbage", sid).problem == "forged"


def test_an_old_form_token_is_expired(store, monkeypatch):
    security.reset_secret()
    sid = security.new_sid()
    token = security.form_token(sid)
    monkeypatch.setattr(security, "TOKEN_MAX_AGE_S", -1)
    assert security.check_form_token(token, sid).problem == "expired"


def test_the_secret_file_is_private(settings):
    import os
    import stat

    security.reset_secret()
    security.server_secret()
    mode = stat.S_IMODE(os.stat(settings.keys_dir / "web-secret").st_mode)
    assert mode == 0o600


def test_rate_limiter_refills():
    now = [0.0]
    limit = security.RateLimiter(60, burst=3, clock=lambda: now[0])
    assert [limit.allow("a") for _ in range(3)] == [0, 0, 0]
    assert limit.allow("a") == 1  # one per second
    assert limit.allow("b") == 0  # another client
    now[0] += 1.0
    assert limit.allow("a") == 0


def test_forwarded_for_only_from_a_trusted_proxy():
    assert client_address(("10.0.0.9", 1), "1.2.3.4", []) == "10.0.0.9"
    assert client_address(("127.0.0.1", 1), "1.2.3.4", ["127.0.0.1"]) == "1.2.3.4"
    assert client_address(("127.0.0.1", 1), "6.6.6.6, 1.2.3.4", ["127.0.0.1"]) == "1.2.3.4"


def test_locale_choice():
    assert choose_locale({"lang": "en"}, {"rapid_lang": "vi"}, "vi") == "en"
    assert choose_locale({}, {"rapid_lang": "en"}, "vi") == "en"
    assert choose_locale({}, {}, "en-US,en;q=0.8") == "en"
    assert choose_locale({}, {}, "fr-FR") == "vi"
    assert choose_locale({"lang": "xx"}, {}, "") == "vi"


def test_tokens_are_kept_out_of_logs(caplog):
    security.install_log_redaction()
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info(
            '%s - "GET %s HTTP/1.1" 200', "1.2.3.4", "/check-in?v=HV1:NCFOXN%25TS3DH3ZSUZK+.V0ETOA"
        )
        logging.getLogger("uvicorn.access").info("scan TP1:6BFOXN%TS3DH3ZSUZK+.V0ETOAQW1 done")
    text = caplog.text
    assert "NCFOXN" not in text and "6BFOXN" not in text and "[token]" in text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_redact_never_crashes_and_keeps_short_text(text):
    out = security.redact(text)
    assert isinstance(out, str)


# -- per-identity quotas --------------------------------------------------------------------------


def test_a_quota_counts_per_identity_and_slides(store, frozen_clock):
    from datetime import timedelta

    quota = security.Quota("test.lookup", 3, 3600)
    assert [security.spend_quotas([(quota, "048185000123")]) for _ in range(3)] == [0, 0, 0]
    wait = security.spend_quotas([(quota, "048185000123")])
    assert 0 < wait <= 2 * 3600
    assert security.spend_quotas([(quota, "048185000124")]) == 0  # another person
    assert security.spend_quotas([(security.Quota("other", 3), "048185000123")]) == 0
    frozen_clock[0] += timedelta(hours=1)  # the last hour still holds most of the 3
    assert security.quota_wait([(quota, "048185000123")]) > 0
    frozen_clock[0] += timedelta(seconds=wait)  # as long as it said
    assert security.spend_quotas([(quota, "048185000123")]) == 0


def test_quotas_are_all_or_nothing_and_refusals_are_not_counted(store, frozen_clock):
    by_id, by_phone = security.Quota("t.id", 2), security.Quota("t.phone", 5)
    uses = [(by_id, "048185000123"), (by_phone, "+84905123456")]
    assert security.spend_quotas(uses) == 0 and security.spend_quotas(uses) == 0
    for _ in range(10):
        assert security.spend_quotas(uses) > 0  # the CCCD is spent: the phone is not charged
    rows = dict(store.fetchall("SELECT scope, n FROM web_quota"))
    assert rows == {"t.id": 2, "t.phone": 2}


def test_a_quota_keeps_no_number_in_clear(store):
    security.spend_quotas([(security.Quota("t", 5), "048185000123")])
    (subject,) = store.fetchone("SELECT subject FROM web_quota")
    assert "048185000123" not in subject and len(subject) == 32
    assert subject == security.subject_of("t", "048185000123")
    assert subject != security.subject_of("u", "048185000123")


def test_a_quota_joins_the_callers_transaction(store):
    quota = security.Quota("t.tx", 1)
    try:
        with store.transaction():
            assert security.spend_quotas([(quota, "x")]) == 0
            raise RuntimeError("the action failed")
    except RuntimeError:
        pass
    assert security.spend_quotas([(quota, "x")]) == 0  # the failed action gave its use back


def test_the_wait_is_exact_at_the_edges():
    from datetime import datetime

    q = security.Quota("t", 4, 100)
    at = datetime(2021, 9, 10, 8, 0, 0)  # a window start (multiple of 100 s since the epoch)
    assert security._quota_wait(q, at, 0, 0) == 0
    assert security._quota_wait(q, at, 3, 0) == 0
    assert security._quota_wait(q, at, 4, 0) > 0
    assert security._quota_wait(q, at, 0, 4) > 0  # the whole previous window still counts


# -- the same token or quota from simultaneous requests ---------------------------------------------


def _at_once(n: int, work):
    """``work(i)`` from ``n`` threads released together; results (or exceptions) by ``i``."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    gate = threading.Barrier(n)

    def one(i: int):
        gate.wait()
        try:
            return work(i)
        except Exception as exc:  # noqa: BLE001 - returned for the test to judge
            return exc

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def test_one_form_token_sent_16_times_at_once_is_used_once(store):
    security.reset_secret()
    sid = security.new_sid()
    token = security.form_token(sid)
    checks = _at_once(16, lambda i: security.check_form_token(token, sid))
    assert [c.ok for c in checks].count(True) == 1, checks
    assert {c.problem for c in checks if not c.ok} == {"replayed"}
    assert store.scalar("SELECT count(*) FROM web_form_nonces") == 1


def test_a_quota_spent_from_simultaneous_requests_counts_each_use_once(store, frozen_clock):
    quota = security.Quota("t.race", 5, 3600)
    waits = _at_once(12, lambda i: security.spend_quotas([(quota, "+12025550143")]))
    errors = [w for w in waits if isinstance(w, Exception)]
    assert not errors, errors
    granted = [w for w in waits if w == 0]
    assert len(granted) == 5 and all(w > 0 for w in waits if w != 0)
    assert store.scalar("SELECT sum(n) FROM web_quota WHERE scope = 't.race'") == 5
