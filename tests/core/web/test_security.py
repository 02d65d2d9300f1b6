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
