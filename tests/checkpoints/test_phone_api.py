"""The phone scanner's server side (core.web.scanner, checkpoints.service): the page and every
API call need a checkpoint login (deny by default), the bundle is the checkpoint zone's signed
bundle with the built-in rules as data, a phone registers its own station key under the staff
member's account name, its signed scans upload once (and an edited one is refused), and venue
mode checks in only a VALID pass. Runs in process (Starlette's test client), no browser."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkpoints import service
from checkpoints.bundle import parse_bundle
from checkpoints.scanlog import LOG_FORMAT, canonical, signed_bytes
from checkpoints.stationkey import StationKey
from checkpoints.verify import ScanVerdict
from core import accounts, login_sessions
from core.qr import service as qr
from core.qr.bundle import bundle_signers
from core.web.scanner import CSP, _load

from .helpers import ZONE_A

GOOD = "Mat-khau-2021"
API = {"x-rapid-scanner": "1"}


def _cookie(store: Any, admin: Any, name: str, role: str) -> dict[str, str]:
    accounts.create_user(admin, name, f"Cán bộ {name}", role, GOOD, store=store)
    token = login_sessions.open_session(accounts.authenticate(name, GOOD, store=store))
    return {"cookie": f"{login_sessions.COOKIE}={token}"}


@pytest.fixture()
def world(store: Any, admin: Any, web_client: Any) -> dict[str, Any]:
    service.add_checkpoint(admin, "cp-1", "Chốt 1", ZONE_A, 16.0, 108.2, store=store)
    return {
        "client": web_client,
        "staff": _cookie(store, admin, "lan", "checkpoint"),
        "approver": _cookie(store, admin, "minh", "approver"),
    }


def _log(key: StationKey, rows: list[dict[str, Any]]) -> bytes:
    import base64

    lines = [canonical({"format": LOG_FORMAT, "station": key.kid}).decode()]
    for row in rows:
        sig = base64.b64encode(key.sign(signed_bytes(key.kid, row))).decode()
        lines.append(json.dumps({"r": row, "s": sig}, ensure_ascii=False, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode()


def _row(n: int) -> dict[str, Any]:
    return {
        "scan_id": f"{n:032x}",
        "scanned_at": "2021-09-10T08:00:00.123000+00:00",
        "checkpoint_id": "cp-1",
        "staff": "whoever the phone says",
        "token_type": "TP",
        "verdict": "VALID",
        "reason": "VALID",
        "token_id": f"P{n}",
        "code": None,
    }


def test_page_and_api_deny_by_default(world: dict[str, Any]) -> None:
    c = world["client"]
    assert c.get("/quet").status_code == 401
    approver = c.get("/quet", headers=world["approver"])
    assert approver.status_code == 403 and "không có quyền" in approver.text
    page = c.get("/quet", headers=world["staff"])
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert "'wasm-unsafe-eval'" in CSP and "unsafe-eval'" not in CSP.replace("wasm-unsafe", "")
    assert page.headers["permissions-policy"].startswith("camera=(self)")
    config = json.loads(page.text.split('id="scanner-config">')[1].split("</script>")[0])
    assert [cp["id"] for cp in config["checkpoints"]] == ["cp-1"]
    assert config["messages"]["cp.phone.start"] == {"vi": "Bắt đầu quét", "en": "Start scanning"}
    assert config["signers"]["keys"] and all(
        k["source"] == "local" for k in config["signers"]["keys"]
    )
    url = "/quet/api/bundle?checkpoint=cp-1"
    assert c.get(url, headers=world["staff"]).status_code == 403  # no API header
    assert c.get(url, headers=API).status_code == 401
    assert c.get(url, headers={**API, **world["approver"]}).status_code == 403
    base = config["assets"]
    wasm = c.get(base + "zxing_reader.wasm")
    assert wasm.status_code == 200 and wasm.headers["content-type"] == "application/wasm"
    assert c.get(base + "../core.py").status_code == 404
    assert c.get("/quet/a/0000/page.js").status_code == 404


def test_bundle_for_the_checkpoints_zone_carries_the_rules(
    world: dict[str, Any], store: Any
) -> None:
    r = world["client"].get("/quet/api/bundle?checkpoint=cp-1", headers={**API, **world["staff"]})
    assert r.status_code == 200 and r.headers["content-type"] == "application/cbor"
    opened = parse_bundle(r.content, anchors=bundle_signers(qr.trust_list()), station_zone=ZONE_A)
    types = {t["type"]: t for t in opened.bundle.rules["token_types"]}
    assert types["TP"]["ruleset"]["rules"][0]["id"] == "TP-HOURS"
    assert types["HD"]["ruleset"]["valid_reason"] == "OK"
    assert types["TP"]["reasons"]["ZONE_NOT_ALLOWED"]["en"]
    assert opened.bundle.rules["wards"][ZONE_A]
    missing = world["client"].get(
        "/quet/api/bundle?checkpoint=nope", headers={**API, **world["staff"]}
    )
    assert missing.status_code == 404


def test_a_phone_registers_its_key_and_uploads_signed_scans_once(
    world: dict[str, Any], store: Any
) -> None:
    c = world["client"]
    key = StationKey(ed25519.Ed25519PrivateKey.generate())
    log = _log(key, [_row(1), _row(2)])
    post = {"headers": {**API, "content-type": "text/plain", **world["staff"]}}
    refused = c.post("/quet/api/scans", content=log, **post)
    assert refused.status_code == 400 and "not registered" in refused.json()["detail"]
    from checkpoints.stationkey import public_key_text

    body = json.dumps({"checkpoint": "cp-1", "public_key": public_key_text(key.public_key)})
    reg = c.post("/quet/api/station", content=body, headers={**API, **world["staff"]})
    assert reg.status_code == 200 and reg.json() == {
        "kid": key.kid,
        "checkpoint_id": "cp-1",
        "staff": "lan",
    }
    assert (
        store.scalar(
            "SELECT count(*) FROM audit_log WHERE action = 'checkpoint.station.register_phone'"
        )
        == 1
    )
    assert c.post("/quet/api/scans", content=log, **post).json() == {"added": 2, "skipped": 0}
    assert c.post("/quet/api/scans", content=log, **post).json() == {"added": 0, "skipped": 2}
    rows = store.records("SELECT staff, checkpoint_id, token_hash FROM cp_scans ORDER BY scan_id")
    assert {r["staff"] for r in rows} == {"lan"}  # the registration's, not the phone's
    assert all(r["token_hash"] and r["token_hash"] != "P1" for r in rows)
    edited = log.replace(b'"P1"', b'"P9"')
    assert c.post("/quet/api/scans", content=edited, **post).status_code == 400
    big = b"x" * (61 * 1024)
    assert c.post("/quet/api/scans", content=big, **post).status_code == 413
    bad = c.post("/quet/api/station", content=b"{", headers={**API, **world["staff"]})
    assert bad.status_code == 400


def test_venue_mode_checks_in_only_a_valid_pass(
    store: Any, admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Server side of the phone's venue mode: a WARN (a red pass) is a refusal and is not
    checked in; the Streamlit page (without ``venue_needs_valid``) keeps checking WARN in."""
    staff = accounts.principal_for(
        accounts.create_user(admin, "thu", "Thu", "checkpoint", GOOD, store=store)
    )
    checked: list[str] = []

    class Fake:
        def __init__(self, verdict: str) -> None:
            self.verdict = verdict

        def check_with_claims(self, text: str, now: Any) -> tuple[ScanVerdict, dict]:
            return ScanVerdict(self.verdict, "RISK_RED", "HD", "0" * 64, token_id="H1"), {"n": "A"}

    monkeypatch.setattr(
        service, "_venue_checkin", lambda p, text, claims, venue: checked.append(venue) or "ok"
    )
    for verdict, needs_valid, expected in (
        ("WARN", True, []),
        ("VALID", True, ["7"]),
        ("WARN", False, ["7"]),
        ("INVALID", False, []),
    ):
        checked.clear()
        monkeypatch.setattr(service, "server_verifier", lambda *a, v=verdict, **k: Fake(v))
        out = service.scan_texts(
            staff, ["HD1:x"], venue_id="7", venue_needs_valid=needs_valid, store=store
        )
        assert checked == expected, (verdict, needs_valid)
        assert (out[0].venue_message == "ok") == bool(expected)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
def test_api_json_bodies_never_break_the_reader(body: bytes) -> None:
    out = _load(body)
    assert out is None or isinstance(out, dict)
