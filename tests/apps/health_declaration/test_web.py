"""The citizens' light pages of the health declaration, through HTTP (our routes and guard)."""

from __future__ import annotations

import re

import pytest

from apps.health_declaration.forms import DECLARATION
from core.testkit import form_token_of
from tests.apps.health_declaration.conftest import WARD, form


def _post(client, path: str, data: dict, token: str | None = None, **kw):
    page = client.get(path, **kw)
    body = {**data, "_csrf": token if token is not None else form_token_of(page.text)}
    return client.post(path, data=body, **kw)


def _answers(**over) -> dict:
    raw = {k: v for k, v in form(**over).items() if v not in ([], None)}
    raw["committed"] = "yes" if raw.pop("committed", False) else ""
    raw["vaccine_doses"] = str(raw.get("vaccine_doses", ""))
    raw["_shown"] = ",".join(f.name for f in DECLARATION.input_fields)
    return raw


def test_declare_gives_the_pass_page(web_client, store):
    page = web_client.get("/khai-bao")
    assert page.status_code == 200 and 'lang="vi"' in page.text
    assert '<label for="f-phone">' in page.text and "aria-describedby" in page.text
    done = _post(web_client, "/khai-bao", _answers())
    assert done.status_code == 200, done.text[:2000]
    assert "Thẻ y tế: Xanh" in done.text and '<img class="qr"' in done.text
    (cookie,) = [c for c in done.headers.get_list("set-cookie") if c.startswith("rapid_hd_holder=")]
    for part in ("HttpOnly", "SameSite=Lax", "Path=/", f"Max-Age={30 * 86400}"):
        assert part in cookie, cookie
    assert "Secure" not in cookie  # plain HTTP here; Secure over HTTPS (next test)
    assert store.scalar("SELECT count(*) FROM hd_declarations") == 1


def test_the_holder_cookie_is_secure_over_https(store):
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.testclient import TestClient

    from core.web import http, security
    from core.web.routes import web_routes

    security.reset_secret()
    http.reset_limiters()
    app = Starlette(routes=web_routes(), middleware=[Middleware(security.WebGuard)])
    with TestClient(app, base_url="https://testserver") as client:
        done = _post(client, "/khai-bao", _answers())
    (cookie,) = [c for c in done.headers.get_list("set-cookie") if c.startswith("rapid_hd_holder=")]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_errors_beside_fields_values_kept_nothing_written(web_client, store):
    bad = _post(web_client, "/khai-bao", _answers(full_name="Nguyen2", phone="0123456789"))
    assert bad.status_code == 422
    assert 'id="e-full_name"' in bad.text and 'id="e-phone"' in bad.text
    assert 'value="0123456789"' in bad.text  # kept
    assert store.scalar("SELECT count(*) FROM hd_declarations") == 0


def test_a_missing_or_replayed_form_token_writes_nothing(web_client, store):
    missing = web_client.post("/khai-bao", data=_answers())
    assert missing.status_code == 422 and "quá hạn" in missing.text
    page = web_client.get("/khai-bao")
    token = form_token_of(page.text)
    first = web_client.post("/khai-bao", data={**_answers(), "_csrf": token})
    assert first.status_code == 200
    again = web_client.post("/khai-bao", data={**_answers(), "_csrf": token})
    assert again.status_code == 422 and "đã được gửi" in again.text
    assert store.scalar("SELECT count(*) FROM hd_declarations") == 1


def test_the_declaration_and_its_form_token_are_one_transaction(web_client, store):
    """The token is used inside the declaration's own transaction: the nonce and the row
    commit together, and a form that failed validation has its token used all the same."""
    page = web_client.get("/khai-bao")
    token = form_token_of(page.text)
    done = web_client.post("/khai-bao", data={**_answers(), "_csrf": token})
    assert done.status_code == 200
    assert store.scalar("SELECT count(*) FROM web_form_nonces") == 1
    bad_page = web_client.get("/khai-bao")
    bad_token = form_token_of(bad_page.text)
    bad = web_client.post("/khai-bao", data={**_answers(full_name="Nguyen2"), "_csrf": bad_token})
    assert bad.status_code == 422
    fixed = web_client.post(
        "/khai-bao", data={**_answers(person_id="048185000077"), "_csrf": bad_token}
    )
    assert fixed.status_code == 422 and "đã được gửi" in fixed.text  # used, not reusable
    assert store.scalar("SELECT count(*) FROM hd_declarations") == 1


def test_a_declaration_rolled_back_leaves_its_form_token_usable(web_client, store, monkeypatch):
    """A declaration that fails inside its transaction (here the store loses a race four times
    over) writes nothing, the token included: the person sends the same form again."""
    from apps.health_declaration import service
    from core.store import ConflictError

    page = web_client.get("/khai-bao")
    token = form_token_of(page.text)
    real = service.risk.record

    def lost(*args, **kwargs):
        raise ConflictError("lost a race")

    monkeypatch.setattr(service.risk, "record", lost)
    with pytest.raises(ConflictError):
        web_client.post("/khai-bao", data={**_answers(), "_csrf": token})
    assert store.scalar("SELECT count(*) FROM web_form_nonces") == 0
    assert store.scalar("SELECT count(*) FROM hd_declarations") == 0
    monkeypatch.setattr(service.risk, "record", real)
    again = web_client.post("/khai-bao", data={**_answers(), "_csrf": token})
    assert again.status_code == 200 and "Thẻ y tế" in again.text
    assert store.scalar("SELECT count(*) FROM hd_declarations") == 1
    replay = web_client.post("/khai-bao", data={**_answers(), "_csrf": token})
    assert replay.status_code == 422 and "đã được gửi" in replay.text


def test_two_sends_of_one_form_at_once_make_one_declaration(web_client, store):
    """A double tap: both posts race with the same token; one pass, one "already sent"."""
    import threading

    page = web_client.get("/khai-bao")
    token = form_token_of(page.text)
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def send() -> None:
        barrier.wait()
        codes.append(web_client.post("/khai-bao", data={**_answers(), "_csrf": token}).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(codes) == [200, 422], codes
    assert store.scalar("SELECT count(*) FROM hd_declarations") == 1


def test_a_question_that_appears_on_submit_is_asked_not_skipped(web_client, store):
    answers = _answers()
    answers["_shown"] = "full_name"  # as if the page had shown only the name
    refused = _post(web_client, "/khai-bao", answers)
    assert refused.status_code == 422 and "Câu hỏi mới" in refused.text


def test_xss_in_answers_is_shown_as_text(web_client):
    bad = _post(
        web_client, "/khai-bao", _answers(street="<script>alert(1)</script>", full_name="<b>x</b>")
    )
    assert "<script>alert(1)</script>" not in bad.text and "&lt;script&gt;" in bad.text


def test_english_from_the_browser_and_the_switch_sticks(web_client):
    english = web_client.get("/khai-bao", headers={"accept-language": "en-US,en;q=0.9"})
    assert 'lang="en"' in english.text and "Health declaration" in english.text
    web_client.get("/khai-bao?lang=vi")
    assert 'lang="vi"' in web_client.get("/khai-bao", headers={"accept-language": "en"}).text


def _venue_token(name: str = "Chợ Cồn") -> str:
    from apps.health_declaration import service
    from core.qr import service as qr
    from core.testkit import make_principal
    from tests.apps.health_declaration.conftest import venue_form

    officer = make_principal("officer", "health_officer")
    venue = service.register_venue(officer, venue_form(name, "market", 48, WARD, "1", "0905000111"))
    return qr.token_texts([venue.token_id])[venue.token_id]


def _one_tap(client, link: str) -> dict:
    """What the check-in page's one-tap button sends: the link, the held pass's tag and the
    page's form token."""
    page = client.get("/check-in", params={"v": link})
    tag = re.search(r'name="n" value="([0-9a-f]{12})"', page.text).group(1)
    return {"v": link, "n": tag, "_csrf": form_token_of(page.text)}


def test_the_phone_that_declared_sees_its_pass_and_checks_in_with_one_tap(web_client, store):
    token = _venue_token()
    _post(web_client, "/khai-bao", _answers())
    mine = web_client.get("/tra-cuu")
    assert mine.status_code == 200 and "Thẻ của bạn" in mine.text
    assert "Nguyễn Thị Thu Hà" in mine.text and '<img class="qr"' in mine.text
    page = web_client.get("/check-in", params={"v": token})
    assert "Chợ Cồn" in page.text and "Check-in: Nguyễn Thị Thu Hà" in page.text
    done = web_client.post("/check-in", data=_one_tap(web_client, token))
    assert done.status_code == 200 and "Đã check-in" in done.text
    assert store.scalar("SELECT count(*) FROM hd_checkins") == 1
    forged = web_client.get("/check-in", params={"v": "HV1:FORGED"})
    assert forged.status_code == 400


def test_a_closed_or_expired_poster_link_gets_a_clear_page_and_writes_nothing(
    web_client, store, frozen_clock
):
    """A poster link whose venue closed after the page was opened, and one past its expiry
    (both refused even after a recent check-in verified them: the link cache)."""
    from datetime import timedelta

    from apps.health_declaration import service
    from apps.health_declaration.messages import MESSAGES
    from core.testkit import make_principal

    closing, expiring = _venue_token("Chợ Cồn"), _venue_token("Chợ Hàn")
    _post(web_client, "/khai-bao", _answers())
    for link in (closing, expiring):
        assert "Đã check-in" in web_client.post("/check-in", data=_one_tap(web_client, link)).text
    assert store.scalar("SELECT count(*) FROM hd_checkins") == 2

    opened = _one_tap(web_client, closing)  # the page is open when the venue closes
    venue = service.venue_from_token(closing)
    officer = make_principal("officer", "health_officer")
    assert service.close_venue(officer, venue.id, "đóng cửa phong tỏa")
    sent = web_client.post("/check-in", data=opened)
    assert MESSAGES["hd.err.venue_closed"]["vi"] in sent.text and "Đã check-in" not in sent.text
    again = web_client.get("/check-in", params={"v": closing})
    assert again.status_code == 400 and MESSAGES["hd.err.venue_closed"]["vi"] in again.text

    assert web_client.get("/check-in", params={"v": expiring}).status_code == 200  # kept again
    frozen_clock[0] += timedelta(days=400)
    old = web_client.get("/check-in", params={"v": expiring})
    assert old.status_code == 400 and MESSAGES["hd.checkin.expired_token"]["vi"] in old.text
    assert store.scalar("SELECT count(*) FROM hd_checkins") == 2


def test_another_phone_gets_a_code_on_the_declared_phone(web_client, store, sent_sms):
    """From another phone: phone + CCCD -> a code by SMS to the declared number -> the pass,
    kept on this phone from then on."""
    _post(web_client, "/khai-bao", _answers())
    web_client.cookies.clear()  # another phone
    asked = _post(
        web_client, "/tra-cuu", {"step": "ask", "phone": "0905123456", "person_id": "048185000123"}
    )
    assert asked.status_code == 200 and "Nếu thông tin khớp" in asked.text
    assert "Nguyễn Thị Thu Hà" not in asked.text
    (sms,) = sent_sms.messages
    assert sms["to"] == "+84905123456" and sms["kind"] == "hd.code"
    challenge = re.search(r'name="c" value="([^"]+)"', asked.text).group(1)
    wrong = web_client.post(
        "/tra-cuu",
        data={
            "step": "code",
            "c": challenge,
            "code": "000000" if sent_sms.code() != "000000" else "111111",
            "_csrf": form_token_of(asked.text),
        },
    )
    assert wrong.status_code == 422 and 'id="e-code"' in wrong.text
    right = web_client.post(
        "/tra-cuu",
        data={
            "step": "code",
            "c": challenge,
            "code": sent_sms.code(),
            "_csrf": form_token_of(wrong.text),
        },
    )
    assert right.status_code == 200 and "Thẻ của bạn" in right.text
    assert "Nguyễn Thị Thu Hà" in right.text and '<img class="qr"' in right.text
    assert "Thẻ của bạn" in web_client.get("/tra-cuu").text  # kept on this phone


def test_check_in_from_another_phone_with_a_code(web_client, store, sent_sms):
    token = _venue_token()
    _post(web_client, "/khai-bao", _answers())
    web_client.cookies.clear()
    page = web_client.get("/check-in", params={"v": token})
    assert "Check-in:" not in page.text  # nothing held on this phone
    asked = web_client.post(
        "/check-in",
        data={"v": token, "step": "ask", "phone": "0905123456", "person_id": "048185000123",
              "_shown": "phone,person_id", "_csrf": form_token_of(page.text)},
    )  # fmt: skip
    assert asked.status_code == 200 and "Nếu thông tin khớp" in asked.text
    assert store.scalar("SELECT count(*) FROM hd_checkins") == 0  # the numbers alone: nothing
    challenge = re.search(r'name="c" value="([^"]+)"', asked.text).group(1)
    done = web_client.post(
        "/check-in",
        data={"v": token, "step": "code", "c": challenge, "code": sent_sms.code(),
              "_csrf": form_token_of(asked.text)},
    )  # fmt: skip
    assert done.status_code == 200 and "Đã check-in: Nguyễn Thị Thu Hà" in done.text
    assert store.scalar("SELECT count(*) FROM hd_checkins") == 1
    again = web_client.get("/check-in", params={"v": token})
    assert "Check-in: Nguyễn Thị Thu Hà" in again.text  # one tap from now on


def test_one_phone_holds_a_household(web_client, store):
    _post(web_client, "/khai-bao", _answers())
    _post(
        web_client,
        "/khai-bao",
        _answers(person_id="048190000321", full_name="Lê Văn Con", birth_year="1990"),
    )
    mine = web_client.get("/tra-cuu").text
    assert (
        "Nguyễn Thị Thu Hà" in mine and "Lê Văn Con" in mine and mine.count('<img class="qr"') == 2
    )


def test_old_streamlit_links_redirect(web_client):
    old = web_client.get("/health_declaration-checkin?v=HV1:X", follow_redirects=False)
    assert old.status_code == 301 and old.headers["location"] == "/check-in?v=HV1:X"


def test_security_headers_body_cap_and_flood(web_client, store):
    page = web_client.get("/khai-bao")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    big = web_client.post(
        "/khai-bao",
        content=b"a=" + b"x" * 70_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert big.status_code == 413
    codes = [web_client.post("/tra-cuu", data={"phone": "1"}).status_code for _ in range(40)]
    assert 429 in codes
    flood = web_client.post("/tra-cuu", data={"phone": "1"})
    assert flood.status_code == 429 and int(flood.headers["retry-after"]) >= 1
    assert "giây" in flood.text
