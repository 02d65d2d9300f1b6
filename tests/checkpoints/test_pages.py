"""AppTests for the scanner and dashboard pages per role, and the server scanner service."""

from __future__ import annotations

import dataclasses

import cv2
import pytest
from streamlit.testing.v1 import AppTest

from checkpoints import service
from checkpoints.scanlog import COLUMNS
from core.auth import PermissionDenied, Principal
from core.qr import service as qr
from core.testkit import make_principal, page_app, page_text, run_page

from .helpers import ZONE_A, ZONE_B, code_image, issue_permit


def run(page: str, role: str | None) -> AppTest:
    principal = make_principal(role, role, full_name=role) if role else None
    return run_page(page, principal, locale="en")


@pytest.fixture()
def permit(store):
    service.add_checkpoint(
        Principal("a", frozenset({"admin"})), "cp-1", "Chốt 1", ZONE_A, 16.0, 108.2
    )
    return issue_permit(store)


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("checkpoint", True),
        ("admin", False),
        ("approver", False),
        ("business", False),
        ("health_officer", False),
        (None, False),
    ],
)
def test_scanner_page_roles(store, role, allowed):
    at = run("checkpoints.scan", role)
    assert not at.exception
    titles = [t.value for t in at.title]
    assert ("Checkpoint scan" in titles) is allowed
    if not allowed:
        assert at.error


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("checkpoint", True),
        ("admin", True),
        ("approver", True),  # optional roles of the scanner: they watch the dashboard
        ("health_officer", True),
        ("business", False),
        (None, False),
    ],
)
def test_dashboard_roles(store, permit, role, allowed):
    cp = Principal("chot", frozenset({"checkpoint"}))
    service.scan_texts(cp, [permit.text, "XX9:nope"], checkpoint_id="cp-1")
    at = run("checkpoints.dashboard", role)
    assert not at.exception
    assert ("Checkpoint dashboard" in [t.value for t in at.title]) is allowed
    if allowed:
        assert [m.value for m in at.metric][:2] == ["2", "1"]
        assert (role in ("checkpoint", "admin")) == bool(at.expander)  # upload widget


def test_scanner_page_shows_recent_scans(store, permit):
    cp = Principal("checkpoint", frozenset({"checkpoint"}))
    service.scan_texts(cp, [permit.text], checkpoint_id="cp-1")
    at = run("checkpoints.scan", "checkpoint")
    assert not at.exception
    assert len(at.dataframe) == 1 and at.dataframe[0].value.shape[0] == 1
    assert at.selectbox[0].options == ["(no checkpoint)", "Chốt 1 (cp-1)"]
    assert any("Choose your checkpoint" in w.value for w in at.warning)  # no scan without one


def test_server_scan_image_verdicts_and_log(store, permit):
    cp = Principal("chot", frozenset({"checkpoint"}))
    png = cv2.imencode(".png", code_image(permit.text))[1].tobytes()
    (res,) = service.scan_image(cp, png, checkpoint_id="cp-1")
    assert res.verdict.verdict == "VALID" and res.verdict.fields["name"] == "Nguyễn Văn An"
    service.add_checkpoint(
        Principal("a", frozenset({"admin"})), "cp-2", "Chốt 2", ZONE_B, None, None
    )
    (res,) = service.scan_image(cp, png, checkpoint_id="cp-2")
    assert res.verdict.reason == "ZONE_NOT_ALLOWED"
    qr.revoke(permit.token_id, "test", "lost", store=store)
    (res,) = service.scan_image(cp, png, checkpoint_id="cp-1")
    assert res.verdict.reason == "REVOKED"
    assert service.scan_image(cp, b"garbage") is None
    blank = cv2.imencode(".png", code_image(permit.text)[:20, :20])[1].tobytes()
    assert service.scan_image(cp, blank) == []
    rows = store.records(
        "SELECT staff, reason, source, token_hash FROM cp_scans ORDER BY scanned_at"
    )
    assert [r["reason"] for r in rows] == ["VALID", "ZONE_NOT_ALLOWED", "REVOKED"]
    assert all(r["source"] == "server" and permit.token_id not in r["token_hash"] for r in rows)
    assert len({r["token_hash"] for r in rows}) == 1  # one permit: one keyed hash
    with pytest.raises(PermissionDenied):
        service.scan_texts(Principal("b", frozenset({"business"})), [permit.text])


def test_venue_mode_calls_the_hook(store, permit, monkeypatch):
    from core.registry import get_registry

    tt = get_registry().token_type_for("TP1:")
    hooked = dataclasses.replace(
        tt, on_venue_scan=lambda p, venue, claims: f"checked in {claims['n']} at {venue}"
    )
    monkeypatch.setattr(
        type(get_registry()),
        "token_type_for",
        lambda self, text: hooked if text.startswith("TP1:") else None,
    )
    cp = Principal("chot", frozenset({"checkpoint"}))
    (res,) = service.scan_texts(cp, [permit.text], venue_id="quan-an-1")
    assert res.venue_message == "checked in Nguyễn Văn An at quan-an-1"
    assert store.scalar("SELECT checkpoint_id FROM cp_scans") == "venue:quan-an-1"
    assert COLUMNS[0] == "scan_id"


def _scan_upload(store, text: str, locale: str) -> AppTest:
    """The scanner page as checkpoint staff at cp-1: a photo of ``text`` is uploaded."""
    from core import i18n

    i18n.set_locale(locale)  # AppTest formats widget options in this thread, in this language
    png = cv2.imencode(".png", code_image(text))[1].tobytes()
    at = page_app("checkpoints.scan", make_principal("chot", "checkpoint"), locale=locale)
    at.run()
    at.selectbox(key="cp_checkpoint").select("cp-1").run()
    at.file_uploader(key="cp_file").upload("pass.png", png, "image/png").run()
    assert not at.exception, at.exception
    return at


def _card(at: AppTest) -> str:
    (card,) = [m.value for m in at.markdown if "cp-verdict" in m.value]
    return card


RAW_KEYS = ("year_of_birth", "colour", "declared_at", "RISK_RED", "RISK_YELLOW", ">id:", "HD<")


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_health_pass_verdict_card_speaks_the_language_never_raw_keys(store, permit, locale):
    """The health declaration app owns its labels: the scanner shows its words for the
    reason, the fields and the kind of code, in the chosen language."""
    from apps.health_declaration import service as hd
    from tests.apps.health_declaration.conftest import form

    red = hd.submit_declaration(None, form(exposures=["exp_case"]))
    at = _scan_upload(store, red.text, locale)
    card = _card(at)
    for raw in RAW_KEYS:
        assert raw not in card, (raw, card)
    if locale == "vi":
        for words in (
            "CẢNH BÁO",
            "Nguy cơ cao (đỏ)",
            "Thẻ khai báo y tế cá nhân",
            "Mã thẻ",
            "Màu thẻ",
            "Đỏ",
            "Khai báo lúc",
            "Họ tên",
        ):
            assert words in card, (words, card)
    else:
        for words in (
            "WARNING",
            "High risk (red)",
            "Personal health pass",
            "Pass number",
            "Colour",
            "Red",
        ):
            assert words in card, (words, card)
    # the recent-scans list names the kind of code and the reason in words (code for staff)
    table = at.dataframe[0].value
    assert set(table.iloc[:, 2]) == {
        "Thẻ khai báo y tế cá nhân" if locale == "vi" else "Personal health pass"
    }
    assert table.iloc[0, 4].endswith("(RISK_RED)") and not table.iloc[0, 4].startswith("RISK")


def test_permit_verdict_card_shows_its_labels_and_valid_until(store, permit):
    from core import clock
    from core.qr.rulesets import last_day

    at = _scan_upload(store, permit.text, "vi")
    card = _card(at)
    assert "HỢP LỆ" in card and "Giấy đi đường" in card
    for words in ("Họ tên", "CCCD", "Khu vực", "Giờ được đi", "Hiệu lực đến hết ngày"):
        assert words in card, words
    # the last local day the token covers (its expiry less a second), as the permit's window
    # reads on every page, not the midnight after it
    assert last_day(permit.expires_at) in card
    assert clock.fmt_local(permit.expires_at) not in card
    for raw in ("valid_until", "zones", "hours", ">TP<"):
        assert raw not in card
    assert "Giấy đi đường" in page_text(at) or at.dataframe
