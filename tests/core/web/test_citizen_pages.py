"""The citizens' light pages (issue 18's citizen items) through HTTP, our routes and guard: a
foreign visitor declares with a passport and an international phone number; an over-long paste
is cut and flagged beside its field; the check-in page opened from the menu says what to do; an
undeclared person at a venue declares and comes back to the check-in in one tap; the phone
menu; a red pass says what to do next."""

from __future__ import annotations

import re

import pytest

from apps.health_declaration.forms import DECLARATION
from core.i18n import t_in
from core.testkit import form_token_of
from tests.apps.health_declaration.conftest import WARD, form, venue_form


def _answers(**over) -> dict:
    raw = {k: v for k, v in form(**over).items() if v not in ([], None)}
    raw["committed"] = "yes" if raw.pop("committed", False) else ""
    raw["vaccine_doses"] = str(raw.get("vaccine_doses", ""))
    raw["_shown"] = ",".join(f.name for f in DECLARATION.input_fields)
    return raw


def _post(client, path: str, data: dict, **kw):
    page = client.get(path, **kw)
    return client.post(path, data={**data, "_csrf": form_token_of(page.text)}, **kw)


def _venue_token(name: str = "Chợ Hàn") -> str:
    from apps.health_declaration import service
    from core.qr import service as qr
    from core.testkit import make_principal

    officer = make_principal("officer", "health_officer")
    venue = service.register_venue(officer, venue_form(name, "market", 48, WARD, "1", "0905000111"))
    return qr.token_texts([venue.token_id])[venue.token_id]


@pytest.mark.parametrize(
    ("phone", "stored"),
    [("+1 202 555 0143", "+12025550143"), ("+44 20 7946 0958", "+442079460958")],
)
def test_a_foreign_visitor_declares_with_a_passport_and_an_international_number(
    web_client, store, phone, stored
):
    answers = _answers(
        full_name="John Smith",
        nationality="US",
        id_kind="passport",
        person_id="C03005988",
        birth_year="1980",
        sex="M",
        phone=phone,
    )
    done = _post(web_client, "/khai-bao", answers)
    assert done.status_code == 200, re.findall(r'class="err[^"]*"[^>]*>([^<]+)', done.text)
    assert "Thẻ y tế: Xanh" in done.text and "John Smith" in done.text
    assert store.fetchall("SELECT person_id, phone, nationality FROM hd_declarations") == [
        ("C03005988", stored, "US")
    ]


def test_a_foreign_number_without_its_country_code_is_refused_beside_the_field(web_client, store):
    bad = _post(web_client, "/khai-bao", _answers(phone="202 555 0143"))
    assert bad.status_code == 422 and 'id="e-phone"' in bad.text
    assert 'value="202 555 0143"' in bad.text  # kept
    assert store.scalar("SELECT count(*) FROM hd_declarations") == 0


def test_an_over_long_paste_is_cut_and_flagged_beside_its_field(web_client, store):
    pasted = "12 Bạch Đằng, " + "rất dài " * 60  # 494 characters; the street allows 200
    refused = _post(web_client, "/khai-bao", _answers(street=pasted))
    assert refused.status_code == 422
    field = re.search(r'<div[^>]*id="q-street".*?</div>', refused.text, re.S).group(0)
    flag = re.search(r'<p class="err" id="e-street" role="alert">([^<]+)</p>', field)
    assert flag is not None, field
    assert "200" in flag.group(1) and str(len(" ".join(pasted.split()))) in flag.group(1)
    kept = re.search(r'id="f-street" name="street" value="([^"]*)"', field).group(1)
    assert kept.startswith("12 Bạch Đằng, rất dài") and len(kept) <= 200  # cut, not emptied
    assert 'maxlength="400"' in field  # a longer paste still reaches the server, to be flagged
    assert store.scalar("SELECT count(*) FROM hd_declarations") == 0
    again = _post(web_client, "/khai-bao", _answers(street=kept))  # as the page now shows it
    assert again.status_code == 200, again.text[:500]
    assert store.scalar("SELECT street FROM hd_declarations") == kept


def test_a_long_answer_of_spaces_only_is_not_flagged(web_client, store):
    padded = "12   Bạch   Đằng" + " " * 300
    done = _post(web_client, "/khai-bao", _answers(street=padded))
    assert done.status_code == 200
    assert store.scalar("SELECT street FROM hd_declarations") == "12 Bạch Đằng"


def test_check_in_opened_from_the_menu_says_how_not_forged(web_client, store):
    page = web_client.get("/check-in")
    assert page.status_code == 200
    assert t_in("vi", "hd.poster.line1") in page.text
    assert t_in("vi", "hd.checkin.bad_token") not in page.text
    assert 'href="/khai-bao"' in page.text and 'href="/tra-cuu"' in page.text
    forged = web_client.get("/check-in", params={"v": "HV1:FORGED"})  # a bad code still is one
    assert forged.status_code == 400 and t_in("vi", "hd.checkin.bad_token") in forged.text
    english = web_client.get("/check-in", params={"lang": "en"})
    assert t_in("en", "hd.poster.line1") in english.text
    assert store.scalar("SELECT count(*) FROM hd_checkins") == 0


def test_an_undeclared_person_at_a_venue_declares_and_comes_back_to_check_in(web_client, store):
    token = _venue_token()
    door = web_client.get("/check-in", params={"v": token})
    link = re.search(r'href="(/khai-bao\?v=[^"]+)"', door.text).group(1)
    assert t_in("vi", "hd.checkin.declare_first") in door.text
    page = web_client.get(link.replace("&amp;", "&"))
    assert re.search(r'name="v" value="HV1:', page.text)  # the venue rides along
    done = web_client.post(
        "/khai-bao",
        data={**_answers(), "v": token, "_csrf": form_token_of(page.text)},
    )
    assert done.status_code == 200 and "Đã nhận tờ khai" in done.text
    assert "Check-in tại Chợ Hàn" in done.text  # one tap back to the check-in
    tap = re.search(r'<form method="post" action="/check-in">.*?</form>', done.text, re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', tap))
    checked = web_client.post("/check-in", data=fields)
    assert checked.status_code == 200 and "Đã check-in: Nguyễn Thị Thu Hà" in checked.text
    assert store.scalar("SELECT count(*) FROM hd_checkins") == 1


def test_every_page_has_the_phone_menu_with_the_current_page_marked(web_client):
    for path in ("/khai-bao", "/tra-cuu", "/check-in"):
        page = web_client.get(path)
        menu = re.search(r'<details class="menu">.*?</details>', page.text, re.S)
        assert menu is not None, path
        links = re.findall(r'<a href="([^"]+)"( aria-current="page")?>', menu.group(0))
        assert [href for href, _ in links] == ["/khai-bao", "/tra-cuu", "/check-in"]
        assert [href for href, current in links if current] == [path]
        assert "forms.js" in page.text  # closes the menu after a tap


def test_a_red_pass_says_what_to_do_next(web_client, store):
    done = _post(web_client, "/khai-bao", _answers(exposures=["exp_case"]))
    assert done.status_code == 200
    assert "Thẻ y tế: Đỏ" in done.text
    assert t_in("vi", "hd.pass.next.red") in done.text
    token = _venue_token()
    page = web_client.get("/check-in", params={"v": token})
    tap = re.search(r'<form method="post" action="/check-in">.*?</form>', page.text, re.S).group(0)
    checked = web_client.post(
        "/check-in", data=dict(re.findall(r'name="([^"]+)" value="([^"]*)"', tap))
    )
    assert checked.status_code == 200 and t_in("vi", "hd.pass.next.red") in checked.text
