"""Definition apps' public forms as citizens' light pages (``/a/<app_id>``), through HTTP with
core's guard: errors beside fields, form tokens, the QR inline when the app issues on
submission, the look-up and resubmission, apps added at run time, old Streamlit links."""

from __future__ import annotations

import re
from typing import Any

from core.testkit import form_token_of
from tests.core.definitions.conftest import (
    AN_HAI,
    RELIEF,
    VACCINATION,
    relief_answers,
    sheets_of,
    vaccination_answers,
    workbook,
)


def _posted(app_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers as the browser posts them (every question shown)."""
    from core.definitions import install

    form = install.definition(app_id).form
    out: dict[str, Any] = {}
    for name, value in answers.items():
        if isinstance(value, bool):
            out[name] = "yes" if value else ""
        elif isinstance(value, list):
            out[name] = value
        elif hasattr(value, "isoformat"):
            out[name] = value.isoformat()
        else:
            out[name] = str(value)
    out["_shown"] = ",".join(f.name for f in form.input_fields)
    return out


def _post(client: Any, path: str, data: dict[str, Any], **kw: Any) -> Any:
    page = client.get(path)
    return client.post(path, data={**data, "_csrf": form_token_of(page.text)}, **kw)


def _count(store: Any, app_id: str) -> int:
    return int(store.scalar(f"SELECT count(*) FROM app_{app_id}"))  # noqa: S608


def _issuing_on_submit() -> bytes:
    """The relief app, public and issuing its code on submission (no review)."""
    sheets = sheets_of(RELIEF)
    for row in sheets["app"]:
        if row and row[0] == "workflow":
            row[1] = "none"
        if row and row[0] == "issue":
            row[1] = "on_submit"
        if row and row[0] == "resubmit":
            row[1] = "no"
    return workbook(sheets)


def test_the_form_is_a_light_page_with_errors_beside_fields(web_client, store, install_app):
    install_app(VACCINATION)
    page = web_client.get(f"/a/{VACCINATION}")
    assert page.status_code == 200 and 'lang="vi"' in page.text
    assert "Đăng ký tiêm chủng COVID-19" in page.text
    assert '<label for="f-full_name">' in page.text and "<script src=" in page.text
    assert page.headers["content-security-policy"].startswith("default-src")
    assert "x-content-type-options" in page.headers
    bad = _post(
        web_client,
        f"/a/{VACCINATION}",
        _posted(VACCINATION, vaccination_answers(full_name="Le2", phone="0123")),
    )
    assert bad.status_code == 422
    assert 'id="e-full_name"' in bad.text and 'id="e-phone"' in bad.text
    assert 'value="0123"' in bad.text  # kept
    assert _count(store, VACCINATION) == 0
    english = web_client.get(f"/a/{VACCINATION}?lang=en")
    assert 'lang="en"' in english.text and "Send" in english.text


def test_a_sent_form_gives_the_reference_and_the_lookup(web_client, store, install_app):
    install_app(VACCINATION)
    done = _post(web_client, f"/a/{VACCINATION}", _posted(VACCINATION, vaccination_answers()))
    assert done.status_code == 200, done.text[:3000]
    ref = re.search(r"<strong>([A-Z0-9]{10})</strong>", done.text)[1]
    assert _count(store, VACCINATION) == 1
    assert "<svg" not in done.text  # reviewed first: no code yet
    looked = web_client.post(
        f"/a/{VACCINATION}/tra-cuu", data={"ref": ref, "_csrf": form_token_of(done.text)}
    )
    assert looked.status_code == 200 and "Chờ duyệt" in looked.text
    unknown = _post(web_client, f"/a/{VACCINATION}/tra-cuu", {"ref": "ZZZZZZZZZZ"})
    assert unknown.status_code == 422 and 'id="e-ref"' in unknown.text


def test_the_qr_is_shown_inline_when_the_app_issues_on_submission(web_client, store, install_app):
    install_app(_issuing_on_submit())
    done = _post(web_client, f"/a/{RELIEF}", _posted(RELIEF, relief_answers()))
    assert done.status_code == 200, done.text[:3000]
    assert "<svg" in done.text and 'href="data:image/png;base64,' in done.text
    token = store.scalar(f"SELECT _token_id FROM app_{RELIEF}")  # noqa: S608
    assert token and store.scalar("SELECT count(*) FROM qr_tokens WHERE token_id = ?", [token])


def test_a_missing_or_replayed_form_token_writes_nothing(web_client, store, install_app):
    install_app(VACCINATION)
    answers = _posted(VACCINATION, vaccination_answers())
    missing = web_client.post(f"/a/{VACCINATION}", data=answers)
    assert missing.status_code == 422 and _count(store, VACCINATION) == 0
    token = form_token_of(web_client.get(f"/a/{VACCINATION}").text)
    first = web_client.post(f"/a/{VACCINATION}", data={**answers, "_csrf": token})
    assert first.status_code == 200
    again = web_client.post(
        f"/a/{VACCINATION}",
        data={**_posted(VACCINATION, vaccination_answers(2)), "_csrf": token},
    )
    assert again.status_code == 422 and _count(store, VACCINATION) == 1


def test_a_refused_one_is_corrected_and_sent_again_on_the_lookup(web_client, store, install_app):
    from core.definitions import service
    from core.testkit import make_principal

    install_app(RELIEF)
    sent = service.submit(None, RELIEF, relief_answers())
    official = make_principal("xa", f"can_bo_xa@ward:{AN_HAI}")
    service.decide(
        official, RELIEF, sent.id, "reject", {"reason_code": "unverified", "reason_text": "Sai"}
    )
    page = _post(web_client, f"/a/{RELIEF}/tra-cuu", {"ref": sent.ref})
    assert "Bị từ chối" in page.text and "Sửa và gửi lại" in page.text
    assert "Không xác minh được — Sai" in page.text  # the reason, in words
    assert 'value="Nguyễn Văn Hùng"' in page.text  # the answers to correct
    data = {
        **_posted(RELIEF, relief_answers(members=6)),
        "step": "resubmit",
        "ref": sent.ref,
        "_csrf": form_token_of(page.text.split("<h2>", 1)[1]),
    }
    again = web_client.post(f"/a/{RELIEF}/tra-cuu", data=data)
    assert again.status_code == 200, again.text[:3000]
    assert "Chờ duyệt" in again.text
    assert store.scalar(f"SELECT _status FROM app_{RELIEF}") == "pending"  # noqa: S608


def test_an_app_activated_while_running_is_served_and_old_links_move(
    web_client, store, install_app
):
    from core.definitions import install

    assert web_client.get(f"/a/{RELIEF}").status_code == 404  # not installed yet
    install.forget()  # another process installs it: this one learns from the counter
    install_app(RELIEF)
    install.forget()
    assert web_client.get(f"/a/{RELIEF}").status_code == 200
    moved = web_client.get(f"/{RELIEF}-status?ref=ABC", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == f"/a/{RELIEF}/tra-cuu?ref=ABC"
    moved = web_client.get(f"/{RELIEF}-submit", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == f"/a/{RELIEF}"
    # a staff-only app's Streamlit page is not ours to redirect; unknown ids are 404 here
    assert web_client.get("/phieu_di_cho-submit", follow_redirects=False).status_code == 404
    assert web_client.get("/a/khong_co").status_code == 404
    assert web_client.get("/a/Bad-Id").status_code == 404


def test_a_non_public_app_has_no_public_form(web_client, store, install_app):
    install_app("phieu_di_cho")
    assert web_client.get("/a/phieu_di_cho").status_code == 404


def test_submissions_are_counted_per_hour(web_client, store, install_app):
    from core import audit

    install_app(VACCINATION)
    _post(web_client, f"/a/{VACCINATION}", _posted(VACCINATION, vaccination_answers()))
    audit.flush_counts()
    assert store.scalar(
        "SELECT sum(attempts) FROM audit_counts WHERE action = ?", [f"web.da.{VACCINATION}"]
    )


def test_body_cap_and_a_flood_from_one_client_write_nothing(web_client, store, install_app):
    install_app(VACCINATION)
    big = web_client.post(
        f"/a/{VACCINATION}",
        content=b"a=" + b"x" * 70_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert big.status_code == 413
    answers = _posted(VACCINATION, vaccination_answers())
    codes = [web_client.post(f"/a/{VACCINATION}", data=answers).status_code for _ in range(80)]
    assert 429 in codes
    flood = web_client.post(f"/a/{VACCINATION}", data=answers)
    assert flood.status_code == 429 and int(flood.headers["retry-after"]) >= 1
    assert "giây" in flood.text
    assert _count(store, VACCINATION) == 0  # none had a form token
