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

from .helpers import ZONE_A, ZONE_B, code_image, issue_permit


def script(page_key: str) -> None:
    from core.ui.shell import run_single_page

    run_single_page(page_key)


def run(page: str, role: str | None) -> AppTest:
    at = AppTest.from_function(script, args=(page,), default_timeout=60)
    if role:
        at.session_state["principal"] = Principal(role, frozenset({role}), full_name=role)
    at.session_state["locale"] = "en"
    return at.run()


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
        ("approver", True),
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
