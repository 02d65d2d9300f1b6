"""Service tests: declare, pass, re-declare, the holder's secret, rate limit, venues, check-in,
areas. (The attacks on look-ups and declarations: tests/security/test_citizen_privacy.py.)"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from apps.health_declaration import rules, service
from core.forms import FormInvalid
from core.qr import service as qr
from core.registry import CheckContext
from tests.apps.health_declaration.conftest import WARD, area_form, form, venue_form


def _count(store, table="hd_declarations"):
    return store.scalar(f"SELECT count(*) FROM {table}")


def test_declare_gives_signed_pass(hd):
    res = service.submit_declaration(None, form())
    assert res.colour == "green" and res.text.startswith("HD1:")
    verdict = qr.verify_server(res.text, expected_prefixes=["HD1:"])
    assert verdict.ok and verdict.claims["n"] == "Nguyễn Thị Thu Hà"
    assert set(verdict.claims) == {"n", "k", "d", "i"}
    assert (res.expires_at - res.declared_at) == timedelta(hours=24)
    ctx = CheckContext(now=verdict.expires_at, valid_until=verdict.expires_at)
    rr = rules.check(verdict.claims, ctx)
    assert rr.verdict == "VALID" and rr.fields["name"] == "Nguyễn Thị Thu Hà"
    assert rr.fields["colour"] == "Xanh"  # in words
    assert rr.fields["id"] == res.declaration_id[:8].upper() and rr.fields["valid_until"]
    row = hd.records("SELECT phone, full_name FROM hd_declarations")[0]
    assert row["phone"] == "0905123456"


@pytest.mark.parametrize(
    ("over", "colour", "verdict"),
    [
        ({"symptoms": ["fever"]}, "yellow", "VALID"),
        ({"exposures": ["exp_case"]}, "red", "WARN"),
        ({"exposures": ["exp_case"], "symptoms": ["cough"]}, "red", "WARN"),
        ({"visited_countries": ["KR"]}, "yellow", "VALID"),
    ],
)
def test_risk_colours(hd, over, colour, verdict):
    res = service.submit_declaration(None, form(**over))
    assert res.colour == colour
    claims = qr.verify_server(res.text).claims
    assert rules.check(claims, CheckContext(now=res.expires_at)).verdict == verdict


def test_rules_bad_claims():
    assert rules.check({"x": 1}, CheckContext(now=None)).verdict == "INVALID"


def test_epidemic_area_rule_and_audit(hd, officer):
    assert service.submit_declaration(None, form(visited_provinces=[79])).colour == "green"
    area = service.add_area(officer, area_form(79, None, date(2021, 9, 1)))
    res = service.submit_declaration(  # an officer declaring for someone sees the reasons
        officer, form(person_id="048185000124", visited_provinces=[79])
    )
    assert res.colour == "yellow" and "epidemic_area" in res.reasons
    ward_area = service.add_area(officer, area_form(48, WARD, date(2021, 9, 1), date(2021, 9, 30)))
    assert service.submit_declaration(None, form(person_id="048185000125")).colour == "yellow"
    assert service.end_area(officer, area, date(2021, 9, 5))
    assert service.end_area(officer, ward_area, date(2021, 8, 1))  # before start: removed
    assert service.submit_declaration(None, form(person_id="048185000126")).colour == "green"
    actions = [
        r[0] for r in hd.fetchall("SELECT action FROM audit_log WHERE action LIKE 'hd.area%'")
    ]
    assert sorted(actions) == ["hd.area.add", "hd.area.add", "hd.area.end", "hd.area.remove"]
    with pytest.raises(FormInvalid) as bad:
        service.add_area(officer, area_form(48, 99999999, date(2021, 9, 1)))
    assert set(bad.value.errors) == {"ward_code"}
    with pytest.raises(FormInvalid) as bad:
        service.add_area(officer, area_form(48, None, date(2021, 9, 2), date(2021, 9, 1)))
    assert set(bad.value.errors) == {"ends_on"}


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"person_id": "04818500012"}, "person_id"),
        ({"person_id": "0481850001234"}, "person_id"),
        ({"person_id": "04818500012A"}, "person_id"),
        ({"id_kind": "passport", "person_id": "B1"}, "person_id"),
        ({"phone": "+999 123"}, "phone"),  # a foreign number must be a real one
        ({"phone": "0123"}, "phone"),
        ({"birth_year": "2030"}, "birth_year"),
        ({"birth_year": "1900"}, "birth_year"),
        ({"birth_year": "abcd"}, "birth_year"),
        ({"full_name": "x" * 10_000}, "full_name"),
        ({"street": "y" * 10_000}, "street"),
        ({"full_name": "<script>alert(1)</script>"}, "full_name"),
        ({"full_name": "<b>Hà</b>"}, "full_name"),
        ({"full_name": "   "}, "full_name"),
        ({"ward_code": 1}, "ward_code"),
        ({"committed": False}, "committed"),
        ({"sex": "X"}, "sex"),
        ({"symptoms": ["zombie"]}, "symptoms"),
        ({"vaccine_doses": 99}, "vaccine_doses"),
    ],
)
def test_bad_input_writes_nothing(hd, over, field):
    with pytest.raises(FormInvalid) as exc:
        service.submit_declaration(None, form(**over))
    assert field in exc.value.errors
    assert _count(hd) == 0 and _count(hd, "qr_tokens") == 0


def test_nfd_stored_as_nfc(hd):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Thu Hà")
    service.submit_declaration(
        None, form(full_name=nfd, street=unicodedata.normalize("NFD", "Đường Ánh"))
    )
    row = hd.fetchone("SELECT full_name, street FROM hd_declarations")
    assert row == ("Nguyễn Thị Thu Hà", "Đường Ánh")


def test_redeclare_from_the_same_phone_replaces_and_revokes(hd, frozen_clock):
    first = service.submit_declaration(None, form())
    assert first.holder_secret and not first.reasons  # a citizen never gets the reasons
    frozen_clock[0] += timedelta(minutes=5)
    second = service.submit_declaration(
        None, form(symptoms=["cough"]), holders=["garbage", first.holder_secret]
    )
    assert second.replaced_previous and not second.flagged
    assert second.holder_secret != first.holder_secret  # rotated
    assert qr.verify_server(first.text).reason.value == "REVOKED"
    assert qr.verify_server(second.text).ok
    assert service.held_passes(None, [first.holder_secret]) == []  # the old secret is gone
    (held,) = service.held_passes(None, [second.holder_secret])
    assert held.state == "valid" and held.result.declaration_id == second.declaration_id
    assert held.result.text == second.text and held.result.colour == "yellow"
    assert held.result.reasons == ()
    frozen_clock[0] += timedelta(hours=25)
    (held,) = service.held_passes(None, [second.holder_secret])
    assert held.state == "expired" and held.result is None
    assert held.full_name == "Nguyễn Thị Thu Hà"
    third = service.submit_declaration(None, form(), holders=[second.holder_secret])
    assert not third.flagged and not third.replaced_previous  # same phone, pass had expired


def test_rate_limit_per_hour(hd, frozen_clock):
    limit = service.settings().max_declarations_per_hour
    held = []
    for _ in range(limit):
        held = [service.submit_declaration(None, form(), holders=held).holder_secret]
        frozen_clock[0] += timedelta(minutes=1)
    with pytest.raises(service.RateLimited) as exc:
        service.submit_declaration(None, form(), holders=held)
    assert "thử lại" in str(exc.value) and exc.value.wait_s > 0
    assert str(limit) not in str(exc.value)  # the same words whichever limit refused
    assert _count(hd) == limit
    service.submit_declaration(None, form(person_id="048185000999"))  # other person fine
    frozen_clock[0] += timedelta(hours=1)
    service.submit_declaration(None, form(), holders=held)


def test_rate_limit_per_phone(hd, frozen_clock):
    """A household declares together from one phone, up to the per-phone limit an hour."""
    limit = service.settings().max_declarations_per_phone_per_hour
    for i in range(limit):
        service.submit_declaration(None, form(person_id=f"048185{i:06d}"))
    with pytest.raises(service.RateLimited):
        service.submit_declaration(None, form(person_id="048185999999"))
    service.submit_declaration(None, form(person_id="048185999999", phone="0912345678"))
    frozen_clock[0] += timedelta(hours=2)  # the window slides: two hours later, room again
    service.submit_declaration(None, form(person_id="048185999999"))
    assert _count(hd) == limit + 2


def _venue(owner):
    """A business registers a venue; a health officer opens it (which issues its QR)."""
    from core.testkit import make_principal

    venue = service.register_venue(
        owner, venue_form("Chợ <Hàn> =1+1", "market", 48, WARD, "119 Trần Phú", "0236 3821 363")
    )
    assert venue.status == "pending" and venue.link is None and venue.token_id is None
    with pytest.raises(service.HealthError):
        service.venue_poster(owner, venue.id)
    service.approve_venue(make_principal("officer", "health_officer"), venue.id)
    return service.get_venue(owner, venue.id)


def test_venue_poster_and_checkin_by_link(hd, owner, officer, frozen_clock):
    venue = _venue(owner)
    assert venue.link.startswith("http://testserver/check-in?v=HV1")
    pdf = service.venue_poster(owner, venue.id)
    assert pdf.startswith(b"%PDF")
    token = qr.token_texts([venue.token_id])[venue.token_id]
    with pytest.raises(service.CheckinError):  # a secret of no declaration
        service.checkin_as_holder(None, token, "x" * 32)
    held = service.submit_declaration(None, form()).holder_secret
    res = service.checkin_as_holder(None, token, held)
    assert res.venue_name == "Chợ <Hàn> =1+1" and res.full_name == "Nguyễn Thị Thu Hà"
    got = service.checkins_of(
        officer, "048185000123", frozen_clock[0] - timedelta(hours=1), frozen_clock[0]
    )
    assert got["method"].tolist() == ["link"]


def test_bad_venue_tokens_write_nothing(hd, owner, officer, frozen_clock):
    venue = _venue(owner)
    token = qr.token_texts([venue.token_id])[venue.token_id]
    held = service.submit_declaration(None, form()).holder_secret
    forged = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    for bad in (forged, "", "HV1:garbage", "HD1:" + token[4:], "x" * 5000):
        with pytest.raises(service.CheckinError):
            service.checkin_as_holder(None, bad, held)
    assert service.close_venue(owner, venue.id, "closed for lockdown")
    with pytest.raises(service.CheckinError) as exc:
        service.checkin_as_holder(None, token, held)
    assert "đóng" in str(exc.value)
    venue2 = _venue(owner)
    token2 = qr.token_texts([venue2.token_id])[venue2.token_id]
    frozen_clock[0] += timedelta(days=400)
    with pytest.raises(service.CheckinError) as exc:
        service.checkin_as_holder(None, token2, held)
    assert "hết hạn" in str(exc.value)
    assert _count(hd, "hd_checkins") == 0


def test_verified_links_are_kept_briefly(hd, owner, frozen_clock, monkeypatch):
    """A verified poster link is not verified again for LINK_CACHE_S seconds in this process;
    closing the venue here refuses it at once, an expired link is refused from the cache, and a
    revocation from another process takes effect when the entry ages out."""
    venue, other = _venue(owner), _venue(owner)
    token = qr.token_texts([venue.token_id])[venue.token_id]
    token2 = qr.token_texts([other.token_id])[other.token_id]
    held = service.submit_declaration(None, form()).holder_secret
    service.checkin_as_holder(None, token, held)
    service.checkin_as_holder(None, token2, held)
    assert service.close_venue(owner, venue.id, "closed for lockdown")  # this process: at once
    with pytest.raises(service.CheckinError, match="đóng"):
        service.checkin_as_holder(None, token, held)
    service.checkin_as_holder(None, token2, held)  # verified (and kept) again
    qr.revoke(other.token_id, owner, "as another process would", store=hd)  # cache not told
    assert service.checkin_as_holder(None, token2, held).venue_id == other.id
    monkeypatch.setattr(service, "LINK_CACHE_S", 0.0)  # the entry ages out
    with pytest.raises(service.CheckinError, match="đóng"):
        service.checkin_as_holder(None, token2, held)
    third = _venue(owner)
    token3 = qr.token_texts([third.token_id])[third.token_id]
    monkeypatch.setattr(service, "LINK_CACHE_S", 3600.0)
    service.checkin_as_holder(None, token3, held)
    frozen_clock[0] += timedelta(days=400)
    with pytest.raises(service.CheckinError, match="hết hạn"):
        service.checkin_as_holder(None, token3, held)
    assert _count(hd, "hd_checkins") == 5


def test_checkin_with_pass_and_from_scan(hd, owner, scanner, frozen_clock):
    venue = _venue(owner)
    token = qr.token_texts([venue.token_id])[venue.token_id]
    res = service.submit_declaration(None, form(exposures=["exp_case"]))
    assert service.checkin_as_holder(None, token, res.holder_secret).colour == "red"
    claims = qr.verify_server(res.text).claims
    assert service.checkin_from_pass(scanner, venue.id, claims).venue_id == venue.id
    assert service.checkin_from_pass(owner, venue.id, claims).full_name == "Nguyễn Thị Thu Hà"
    from core.testkit import make_principal

    other = make_principal("shop2", "business")
    with pytest.raises(service.CheckinError):
        service.checkin_from_pass(other, venue.id, claims)
    with pytest.raises(service.CheckinError):
        service.checkin_from_pass(scanner, venue.id, {"bad": 1})
    frozen_clock[0] += timedelta(minutes=1)
    # the same phone declares again: replaced, the old pass no longer checks in
    service.submit_declaration(None, form(), holders=[res.holder_secret])
    with pytest.raises(service.CheckinError):
        service.checkin_from_pass(scanner, venue.id, claims)
    assert _count(hd, "hd_checkins") == 3


@pytest.mark.parametrize("micro", [0, 123457, 999999])
def test_a_pass_checks_in_whatever_the_microseconds_of_its_declaration(
    hd, owner, scanner, frozen_clock, micro
):
    """The pass carries whole seconds; the declaration was stored with microseconds (a real
    clock). The one-tap check-in and the scanner's venue mode must still find it."""
    frozen_clock[0] = frozen_clock[0].replace(microsecond=micro)
    venue = _venue(owner)
    token = qr.token_texts([venue.token_id])[venue.token_id]
    res = service.submit_declaration(None, form())
    stored = hd.scalar("SELECT declared_at FROM hd_declarations")
    assert stored.microsecond == micro
    assert service.checkin_as_holder(None, token, res.holder_secret).full_name == (
        "Nguyễn Thị Thu Hà"
    )
    claims = qr.verify_server(res.text).claims
    assert service.checkin_from_pass(scanner, venue.id, claims).venue_id == venue.id
    assert _count(hd, "hd_checkins") == 2
    # a pass whose second does not match its declaration is refused (no neighbour match)
    with pytest.raises(service.CheckinError):
        service.checkin_from_pass(scanner, venue.id, {**claims, "d": claims["d"] - 1})


def test_stats(hd):
    service.submit_declaration(None, form(symptoms=["fever"]))
    s = service.stats(hd)
    assert s["declarations"] == 1 and s["fever_or_cough"] == 1 and s["yellow"] == 1


def test_venue_mode_hook_is_registered_and_records_a_checkin(hd, owner, scanner):
    from core.registry import get_registry

    venue = _venue(owner)
    res = service.submit_declaration(None, form())
    tok = get_registry().token_type_for(res.text)
    assert tok is not None and tok.on_venue_scan is not None
    claims = qr.verify_server(res.text).claims
    message = tok.on_venue_scan(scanner, str(venue.id), claims)
    assert "Nguyễn Thị Thu Hà" in message and venue.name in message
    assert _count(hd, "hd_checkins") == 1
    with pytest.raises(service.CheckinError):
        tok.on_venue_scan(scanner, "not-a-number", claims)


@pytest.mark.parametrize("phone", ["0912 345 678", "0905 123 456"])
def test_someone_else_with_my_id_number_cannot_cancel_my_pass(hd, frozen_clock, phone):
    """A declaration with my CCCD from another phone (even with my number) gets its own pass,
    flagged for officers, and leaves mine valid and mine on my phone."""
    mine = service.submit_declaration(None, form(exposures=["exp_case"]))
    frozen_clock[0] += timedelta(minutes=5)
    other = service.submit_declaration(None, form(phone=phone))
    assert not other.replaced_previous and other.flagged
    assert qr.verify_server(mine.text).ok
    (held,) = service.held_passes(None, [mine.holder_secret])
    assert held.state == "valid" and held.result.declaration_id == mine.declaration_id
    flags = dict(hd.fetchall("SELECT id, holder_flag FROM hd_declarations"))
    assert flags == {mine.declaration_id: "", other.declaration_id: "new_phone"}


def test_only_officers_approve_pending_venues(hd, owner):
    from core.auth import PermissionDenied
    from core.testkit import make_principal

    venue = service.register_venue(
        owner, venue_form("Quán Mới", "shop", 48, WARD, "2 Lê Lợi", "0905000222")
    )
    with pytest.raises(PermissionDenied):
        service.approve_venue(owner, venue.id)
    officer = make_principal("officer", "health_officer")
    assert service.approve_venue(officer, venue.id).status == "open"
    with pytest.raises(service.HealthError):
        service.approve_venue(officer, venue.id)
    actions = [
        r[0]
        for r in hd.fetchall("SELECT action FROM audit_log WHERE object_id = ?", [str(venue.id)])
    ]
    assert "hd.venue.approve" in actions and "hd.venue.register" in actions


def test_paper_declarations_from_the_form_template(hd, officer):
    """The template is the declaration form itself: fill two rows, one bad; the good one is
    stored with its risk colour and no pass; one audit row for the import."""
    from apps.health_declaration.forms import DECLARATION, PAPER_EXAMPLE
    from core.forms.table import parse_upload, template_csv
    from core.forms.table_file import csv_bytes, read_table

    template = template_csv(DECLARATION, PAPER_EXAMPLE)
    header, example = read_table("t.csv", template, max_rows=5, max_bytes=10**6)
    good = dict(zip(header, example, strict=False))
    labels = {f.name: f.label.vi for f in DECLARATION.fields}
    good[labels["full_name"]] = "Lê Văn Giấy"
    good[labels["person_id"]] = "048190000321"
    good[labels["birth_year"]] = 1990
    good[labels["symptoms"]] = "Sốt, Ho"
    bad = {**good, labels["phone"]: "0123456789", labels["person_id"]: "048190000322"}
    data = csv_bytes(header, [[good[h] for h in header], [bad[h] for h in header]])
    result = parse_upload(DECLARATION, "giay.csv", data, max_rows=100, max_bytes=10**6)
    assert len(result.good) == 1 and [e.field for e in result.errors] == ["phone"]
    assert service.import_paper_declarations(officer, result) == 1
    row = hd.records(
        "SELECT full_name, colour, source, token_id, fever, cough FROM hd_declarations"
    )
    assert row == [
        {
            "full_name": "Lê Văn Giấy",
            "colour": "yellow",
            "source": "paper",
            "token_id": None,
            "fever": True,
            "cough": True,
        }
    ]
    assert hd.scalar("SELECT count(*) FROM audit_log WHERE action = 'hd.declaration.import'") == 1


def test_a_citizens_own_pass_is_counted_not_audited_a_staff_declaration_is(hd, officer):
    """6 million self-declared passes would bury staff actions in the audit log: a citizen's
    pass is recorded by its declaration row and counted per hour; staff declaring for someone
    leave an audit row naming them."""
    own = service.submit_declaration(None, form())
    assert hd.scalar("SELECT count(*) FROM audit_log WHERE object_id = ?", [own.token_id]) == 0
    assert hd.scalar("SELECT token_id FROM hd_declarations WHERE id = ?", [own.declaration_id])
    staff = service.submit_declaration(officer, form(person_id="048185000199"))
    assert hd.records(
        "SELECT actor, action FROM audit_log WHERE object_id = ?", [staff.token_id]
    ) == [{"actor": officer.actor, "action": "qr.issue"}]
