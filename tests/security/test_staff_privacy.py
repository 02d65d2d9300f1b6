"""Issue 14, items 10, 12, 13, 15 and 6 (travel permits), each as the review ran it against
c45f022.

Item 10: home-isolation links carried F0/F1 readable without a key, the page showed the full
name, and the token alone opened the report form. Item 12: officers' and approvers' reads of
personal data wrote no audit row. Item 6: self-registration was unlimited and told who already
held a username or tax code. Item 15: a permit quota grew with invented roster rows.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import cbor2
import pytest

from apps.home_isolation import forms as hi_forms
from apps.home_isolation import service as hi
from core import audit
from core.qr.codec import b45decode, inflate, split_prefix
from core.qr.cose import parse_sign1
from core.testkit import form_token_of
from tests.apps.home_isolation.conftest import f0_form, f1_form, good_report


@pytest.fixture()
def officer(store):
    from core import accounts
    from core.testkit import make_principal

    accounts.insert_user(
        "system", "officer", "Phạm Thị Y Tế", "health_officer", "DaNang@2021x", store=store
    )
    return make_principal("officer", "health_officer")


# the fields the report page shows (all but the time, which "measured now" stands for)
SHOWN = ",".join(f.name for f in hi_forms.REPORT.input_fields if f.name != "measured_at")


def _token(url: str) -> str:
    return parse_qs(urlparse(url).query)["t"][0]


def _claims_without_key(token: str) -> dict:
    """What anyone with a QR reader sees: no key needed."""
    _, body = split_prefix(token)
    cwt = cbor2.loads(parse_sign1(inflate(b45decode(body))).payload)
    return cwt


def _audit_rows(store, action: str) -> list[dict]:
    return store.records(
        "SELECT actor, object_id, details FROM audit_log WHERE action = ? ORDER BY occurred_at",
        [action],
    )


def _open(client, link: str, code: str):
    first = client.get("/bao-cao", params={"t": link})
    return first, client.post(
        "/bao-cao",
        data={"t": link, "code": code, "_csrf": form_token_of(first.text)},
        follow_redirects=False,
    )


# -- item 10: home-isolation links ---------------------------------------------------------------


def test_item10_link_claims_hold_no_status_or_name(store, officer, frozen_clock):
    """Anyone scanning a monitoring QR read F0/F1 from its claims without any key."""
    f0 = hi.enroll_f0(officer, f0_form())
    f1 = hi.enroll_f1(officer, f1_form(f0["id"]))
    for row in (f0, f1):
        cwt = _claims_without_key(_token(row["link"]))
        text = repr(cwt)
        assert "Nguyễn" not in text and "Trần" not in text and row["person_id"] not in text
        payloads = [v for v in cwt.values() if isinstance(v, dict)]
        assert payloads == [{"e": row["id"]}], cwt  # no "r": "F0"/"F1" beside the reference


def test_item10_the_token_alone_opens_nothing(store, officer, web_client, frozen_clock):
    """The link's token alone showed the person's name and status and took reports for them."""
    f0 = hi.enroll_f0(officer, f0_form())
    link = _token(f0["link"])
    page = web_client.get("/bao-cao", params={"t": link})
    assert page.status_code == 200 and 'name="code"' in page.text
    # what a person reads: not the hidden tokens, nor the token itself in the language links
    # (random base45 text may contain "F0")
    visible = re.sub(r'(value|href)="[^"]*"', "", page.text).replace(link, "")
    for leak in ("Nguyễn", "N.V.A.", "F0", 'name="temperature"'):
        assert leak not in visible
    with pytest.raises(hi.LinkRefused):  # a token is not a session key
        hi.submit_report(None, link, good_report())
    posted = web_client.post(
        "/bao-cao",
        data={
            "t": link,
            "_csrf": form_token_of(page.text),
            "_shown": SHOWN,
            "measured_now": "yes",
            **good_report(),
        },
    )
    assert posted.status_code == 400
    assert store.scalar("SELECT count(*) FROM hi_reports") == 0


def test_item10_code_opens_a_session_page_shows_initials_and_no_token(
    store, officer, web_client, frozen_clock
):
    """The report page showed the full name and kept the token in the address bar and history."""
    f0 = hi.enroll_f0(officer, f0_form())
    link, code = _token(f0["link"]), f0["link_code"]
    first, entered = _open(web_client, link, code)
    assert entered.status_code == 303 and entered.headers["location"] == "/bao-cao"
    cookie = entered.headers["set-cookie"].lower()
    assert "hi_link=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert first.headers["referrer-policy"] == "no-referrer"
    form = web_client.get("/bao-cao")
    assert form.status_code == 200 and 'name="temperature"' in form.text
    visible = re.sub(r'value="[^"]*"', "", form.text)
    assert "N.V.A." in visible and "Nguyễn" not in visible and "F0" not in visible
    assert link not in form.text  # the report form carries no token either
    data = {"_csrf": form_token_of(form.text), "_shown": SHOWN, "measured_now": "yes"}
    sent = web_client.post("/bao-cao", data={**data, **good_report()})
    assert sent.status_code == 200 and link not in sent.text
    assert store.scalar("SELECT count(*) FROM hi_reports") == 1
    again = web_client.get("/bao-cao", params={"t": link}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/bao-cao"  # no code again
    # the code and the session key are stored only as hashes
    stored = store.fetchone("SELECT link_code_hash FROM hi_enrolments WHERE id = ?", [f0["id"]])
    assert code not in stored[0]
    key = web_client.cookies.get("hi_link")
    assert (
        key and store.scalar("SELECT count(*) FROM hi_link_sessions WHERE key_hash = ?", [key]) == 0
    )
    # the server's log never holds the token
    from core.web.security import redact

    assert link not in redact(f'"GET /bao-cao?t={link} HTTP/1.1" 200')
    assert logging.getLogger("uvicorn.access") is not None


def test_item10_wrong_codes_wait_longer_each_time_counted_not_logged(
    store, officer, web_client, frozen_clock
):
    """With no second factor, nothing limited guessing; a code must not be guessable either."""
    f0 = hi.enroll_f0(officer, f0_form())
    link, code = _token(f0["link"]), f0["link_code"]
    wrong = "000000" if code != "000000" else "111111"
    waits = []
    for _ in range(hi.FREE_TRIES + 2):
        with pytest.raises(hi.CodeRefused) as err:
            hi.unlock(None, link, wrong)
        waits.append(err.value.wait)
        if err.value.wait and len(waits) < hi.FREE_TRIES + 2:
            frozen_clock[0] += timedelta(seconds=err.value.wait)
    assert waits[: hi.FREE_TRIES - 1] == [0] * (hi.FREE_TRIES - 1)
    assert 0 < waits[-2] < waits[-1]  # the wait grows
    with pytest.raises(hi.CodeRefused) as err:  # even the right code waits its turn
        hi.unlock(None, link, code)
    assert err.value.key == "hi.code.wait"
    frozen_clock[0] += timedelta(seconds=err.value.wait)
    assert hi.unlock(None, link, code)
    # through the page: the error sits beside the field
    first = web_client.get("/bao-cao", params={"t": link})
    bad = web_client.post(
        "/bao-cao", data={"t": link, "code": wrong, "_csrf": form_token_of(first.text)}
    )
    assert bad.status_code == 422 and 'id="e-code"' in bad.text and "không đúng" in bad.text
    audit.flush_counts()
    row = store.fetchone(
        "SELECT sum(attempts), sum(matches), sum(throttled) FROM audit_counts"
        " WHERE action = 'isolation.link_code'"
    )
    assert row == (hi.FREE_TRIES + 2 + 1 + 1 + 1, 1, 1)
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action LIKE '%link_code%'") == 0


def test_item10_officer_rotates_a_link(store, officer, web_client, frozen_clock):
    """A leaked link could not be withdrawn: the same token worked until the isolation ended."""
    f0 = hi.enroll_f0(officer, f0_form())
    old_link, old_code = _token(f0["link"]), f0["link_code"]
    _, entered = _open(web_client, old_link, old_code)
    assert entered.status_code == 303
    old_key = hi.unlock(None, old_link, old_code)
    issued = hi.new_link(officer, f0["id"])
    assert _token(issued.url) != old_link and issued.code.isdigit()
    with pytest.raises(hi.LinkRefused) as err:
        hi.check_link(None, old_link)
    assert err.value.key == "hi.link.rotated" and "cán bộ y tế" in err.value.message
    with pytest.raises(hi.LinkRefused) as err:
        hi.submit_report(None, old_key, good_report())
    assert err.value.key == "hi.link.rotated"
    page = web_client.get("/bao-cao")  # the browser opened with the old link
    assert page.status_code == 400 and "link mới" in page.text
    assert web_client.get("/bao-cao", params={"t": old_link}).status_code == 400
    if issued.code != old_code:  # the old code does not open the new link
        with pytest.raises(hi.CodeRefused):
            hi.unlock(None, _token(issued.url), old_code)
    new_key = hi.unlock(None, _token(issued.url), issued.code)
    assert hi.submit_report(None, new_key, good_report()).level == "green"
    rows = _audit_rows(store, "isolation.link_rotate")
    assert [(r["actor"], r["object_id"]) for r in rows] == [("officer", f0["id"])]


# -- item 6 (travel permits): self-registration ----------------------------------------------------


def _register_answers(seed: int, **over):
    from tests.apps.travel_permit.conftest import business_answers

    return business_answers(seed, **over)


def test_item6_registrations_are_limited_per_client_and_per_tax_code(store, frozen_clock):
    """One script registered businesses without limit (the review made hundreds in seconds)."""
    from apps.travel_permit import service as tp
    from core.auth import ANONYMOUS
    from core.forms import FORM, FormInvalid

    made = 0
    with pytest.raises(FormInvalid) as err:
        for i in range(50):
            tp.register_business(ANONYMOUS, _register_answers(100 + i), client="203.0.113.9")
            made += 1
    assert made == 5 and set(err.value.errors) == {FORM}
    assert "thử lại sau" in err.value.errors[FORM].message
    # another client still can; one tax code is limited whatever the client
    tp.register_business(ANONYMOUS, _register_answers(200), client="198.51.100.1")
    for n in range(3):
        tp.register_business(
            ANONYMOUS, _register_answers(300, username=f"mst300_{n}"), client=f"192.0.2.{n}"
        )
    with pytest.raises(FormInvalid) as err:
        tp.register_business(
            ANONYMOUS, _register_answers(300, username="mst300_x"), client="192.0.2.99"
        )
    assert set(err.value.errors) == {FORM}
    frozen_clock[0] += timedelta(days=1, minutes=1)  # the windows pass
    tp.register_business(ANONYMOUS, _register_answers(300, username="mst300_y"), client="x")
    audit.flush_counts()
    attempts, throttled = store.fetchone(
        "SELECT sum(attempts), sum(throttled) FROM audit_counts"
        " WHERE action = 'tp.business.register'"
    )
    assert (attempts, throttled) == (5 + 1 + 1 + 3 + 1 + 1, 2)


def test_item6_registration_reveals_no_tax_code_and_usernames_only_after_a_valid_form(
    store, frozen_clock
):
    """Registering told anyone whether a tax code was already registered, and which user
    names existed, one request each."""
    from apps.travel_permit import service as tp
    from core.auth import ANONYMOUS
    from core.forms import FormInvalid

    first = tp.register_business(ANONYMOUS, _register_answers(7), client="a")
    # a taken tax code: received exactly like a new one (same answer, same status)
    again = tp.register_business(ANONYMOUS, _register_answers(7, username="cty_khac"), client="b")
    fresh = tp.register_business(ANONYMOUS, _register_answers(8), client="c")
    assert again["status"] == fresh["status"] == "pending"
    assert set(again) == set(fresh)
    assert again["tax_code_clash"] == first["id"] and fresh["tax_code_clash"] is None
    # a taken user name is told only when the rest is valid (a bad field hides it)...
    with pytest.raises(FormInvalid) as err:
        tp.register_business(
            ANONYMOUS, _register_answers(9, username="cty_7", phone="12"), client="d"
        )
    assert set(err.value.errors) == {"phone"}
    before = store.fetchone("SELECT count(*) FROM web_quota WHERE scope = 'tp.register.client'")[0]
    # ...and then with free alternatives, after the attempt was counted against the client
    with pytest.raises(FormInvalid) as err:
        tp.register_business(ANONYMOUS, _register_answers(9, username="cty_7"), client="d")
    message = err.value.errors["username"].message
    assert "cty_7" in message and "," in message
    assert (
        store.fetchone("SELECT count(*) FROM web_quota WHERE scope = 'tp.register.client'")[0]
        == before + 1
    )


# -- item 15: roster growth --------------------------------------------------------------------


def test_item15_invented_roster_rows_do_not_lift_the_quota_overnight(store, frozen_clock):
    """A business grew its roster from 12 to 312 invented rows and its quota grew with it."""
    from apps.travel_permit import service as tp
    from core.testkit import make_principal
    from tests.apps.travel_permit.conftest import add_roster, register

    approver = make_principal("duyet", "approver")
    owner = register("cty_gian", 4321, store)
    business = tp.my_business(owner, store=store)
    tp.verify_business(approver, business["id"], True, store=store)
    add_roster(owner, 12, store)
    frozen_clock[0] += timedelta(days=1)
    assert tp.quota_status(owner, store=store)["limit"] == 12 * 30 // 100
    add_roster(owner, 300, store, start=100)  # the 12 -> 312 script
    quota = tp.quota_status(owner, store=store)
    assert quota["roster"] == 312
    assert quota["base"] == 22  # 12 + max(20 % of 12, 10 rows)
    assert quota["limit"] == 22 * 30 // 100 and quota["pending_growth"] == 290
    frozen_clock[0] += timedelta(days=1)
    assert tp.quota_status(owner, store=store)["base"] == 32  # +10 a day while small
    # the approver sees the history: size per day, rows added, the base
    history, now = tp.roster_history(approver, business["id"], store=store)
    assert list(history["added"]) == [12, 300, 0]
    assert list(history["size"]) == [12, 312, 312]
    assert list(history["base"]) == [12, 22, 32]
    assert now["added_7d"] == 312 and now["pending_growth"] == 280
    assert _audit_rows(store, "tp.roster.history")


# -- item 12: staff reads are audited --------------------------------------------------------------


def test_item12_officers_reads_of_isolation_records_are_audited(store, officer, frozen_clock):
    """An officer could open anyone's isolation record, list and search the register, and no
    row recorded who looked at whom."""
    f0 = hi.enroll_f0(officer, f0_form())
    before = store.scalar("SELECT count(*) FROM audit_log")
    hi.enrolment(officer, f0["id"])
    hi.board(officer, kind="F0")
    hi.find(officer, {"search": "Nguyễn"})
    rows = store.records(
        "SELECT actor, action, object_id, details FROM audit_log ORDER BY id OFFSET ?", [before]
    )
    actions = [(r["actor"], r["action"]) for r in rows]
    assert actions == [
        ("officer", "isolation.read"),
        ("officer", "isolation.board"),
        ("officer", "isolation.find"),
    ]
    assert rows[0]["object_id"] == f0["id"]
    assert '"kind": "F0"' in rows[1]["details"] and '"count": 1' in rows[1]["details"]
    assert f0["id"] in rows[2]["details"] and "Nguyễn" not in rows[2]["details"]


def test_item12_approvers_reads_and_exports_are_audited_with_a_purpose(store, frozen_clock):
    """An approver read rosters and requests and exported every permit of a request with no
    record of it."""
    from apps.travel_permit import service as tp
    from apps.travel_permit.service import Decision
    from core.forms import FormInvalid
    from core.testkit import make_principal
    from tests.apps.travel_permit.conftest import add_roster, register, request_answers

    approver = make_principal("duyet", "approver")
    owner = register("cty_an", 1234, store)
    bid = tp.my_business(owner, store=store)["id"]
    tp.verify_business(approver, bid, True, store=store)
    ids = add_roster(owner, 10, store)
    rid = tp.submit_request(owner, request_answers(ids[:2]), store=store)
    tp.decide(approver, rid, Decision.approve_all(), store=store)
    before = store.scalar("SELECT count(*) FROM audit_log")
    tp.get_request(approver, rid, store=store)
    tp.list_employees(approver, business_id=bid, store=store)
    tp.queue(approver, store=store)
    tp.list_permits(approver, request_id=rid, store=store)
    with pytest.raises(FormInvalid) as err:  # an export needs a purpose, beside its field
        tp.permits_pdf(approver, request_id=rid, store=store)
    assert set(err.value.errors) == {"purpose"}
    tp.permits_zip(approver, request_id=rid, purpose="Đối chiếu khiếu nại", store=store)
    tp.permits_zip(owner, request_id=rid, store=store)  # a business prints its own: no purpose
    rows = store.records(
        "SELECT actor, action, object_id, details FROM audit_log ORDER BY id OFFSET ?", [before]
    )
    assert [(r["actor"], r["action"]) for r in rows] == [
        ("duyet", "tp.request.read"),
        ("duyet", "tp.roster.read"),
        ("duyet", "tp.queue.view"),
        ("duyet", "tp.permits.list"),
        ("duyet", "tp.permits.export_zip"),
        ("cty_an", "tp.permits.export_zip"),
    ]
    assert '"people": 2' in rows[0]["details"] and '"count": 10' in rows[1]["details"]
    assert "Đối chiếu khiếu nại" in rows[4]["details"] and '"count": 2' in rows[4]["details"]


def test_item6_anonymous_permit_checks_are_counted_not_logged(store, frozen_clock):
    """Each anonymous check at /giay wrote an audit row: unbounded rows from anyone."""
    from apps.travel_permit import service as tp
    from core.auth import ANONYMOUS

    for _ in range(30):
        tp.view_permit(ANONYMOUS, "TP1:NOT-A-PERMIT", store=store)
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'tp.permit.verify'") == 0
    audit.flush_counts()
    assert (
        store.scalar("SELECT sum(attempts) FROM audit_counts WHERE action = 'tp.permit.verify'")
        == 30
    )
