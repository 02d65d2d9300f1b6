"""The citizens' light pages of the health declaration, through HTTP (our routes and guard)."""

from __future__ import annotations

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
    assert "Thẻ y tế: Xanh" in done.text and "<svg" in done.text
    assert "rapid_hd_pass" in done.headers.get("set-cookie", "")
    assert store.scalar("SELECT count(*) FROM hd_declarations") == 1


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


def test_look_up_and_check_in_with_the_pass_on_this_phone(web_client, store):
    from apps.health_declaration import service
    from core.qr import service as qr
    from core.testkit import make_principal
    from tests.apps.health_declaration.conftest import venue_form

    officer = make_principal("officer", "health_officer")
    venue = service.register_venue(
        officer, venue_form("Chợ Cồn", "market", 48, WARD, "1", "0905000111")
    )
    token = qr.token_texts([venue.token_id])[venue.token_id]
    _post(web_client, "/khai-bao", _answers())
    found = _post(web_client, "/tra-cuu", {"phone": "0905 123 456", "person_id": "048185000123"})
    assert found.status_code == 200 and "Nguyễn Thị Thu Hà" in found.text
    none = _post(web_client, "/tra-cuu", {"phone": "0905 999 999", "person_id": "048185000123"})
    assert none.status_code == 422
    page = web_client.get("/check-in", params={"v": token})
    assert "Chợ Cồn" in page.text and 'name="with" value="pass"' in page.text
    done = web_client.post(
        "/check-in", data={"v": token, "with": "pass", "_csrf": form_token_of(page.text)}
    )
    assert done.status_code == 200 and "Đã check-in" in done.text
    assert store.scalar("SELECT count(*) FROM hd_checkins") == 1
    forged = web_client.get("/check-in", params={"v": "HV1:FORGED"})
    assert forged.status_code == 400


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
