"""The phone's checkpoint (the built scanner.js in headless Chromium) against the server's:

- the built-in apps' checkpoint rules, now CertLogic data (``core.qr.rulesets``), give the same
  verdict and reason in Python and JavaScript on every shared case
  (tests/checkpoints/phone/builtin_rule_cases.json, checked against the file too);
- a signed bundle opens on the phone as on the station, and one that is forged, for another
  zone, older than the one held, or past 72 h is refused (warning past 12 h);
- every kind of code scanned with the bundle gives the verdict, reason and type the server's
  ``Verifier`` gives;
- scan log lines signed on the phone by its own station key are read by the server's parser,
  and an edited line is refused.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from checkpoints.bundle import BundleRefused, parse_bundle
from checkpoints.scanlog import LogError, StationRecord, parse_log
from checkpoints.stationkey import load_public_key
from core import clock
from core.config import Settings, set_settings
from core.qr import service as qr
from core.qr.bundle import bundle_signers, sign_bundle
from core.qr.offline import build_bundle
from core.qr.sign import Signer
from core.registry import CheckContext, get_registry
from core.store import Store, set_store

from .helpers import HAS_TP, ZONE_A, ZONE_B, World, build_world
from .phone.harness import Harness, chromium, open_harness, serve

pytestmark = pytest.mark.browser

CASES_FILE = Path(__file__).parent / "phone" / "builtin_rule_cases.json"


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    with serve() as url, chromium() as browser:
        h = open_harness(browser, url)
        yield h
        assert not h.foreign, f"requests left our origin: {h.foreign}"


def _ctx(case: dict[str, Any]) -> CheckContext:
    from datetime import datetime

    c = case["ctx"]
    until = c.get("valid_until")
    return CheckContext(
        now=datetime.fromisoformat(c["now"]),
        zone=c.get("zone"),
        checkpoint_id=c.get("checkpoint"),
        token_id="T-1",
        valid_until=datetime.fromisoformat(until) if until else None,
    )


def test_builtin_rules_agree_on_every_shared_case(harness: Harness) -> None:
    cases = json.loads(CASES_FILE.read_text(encoding="utf-8"))
    assert len(cases) >= 30
    types = {tt.type_id: tt for tt in get_registry().token_types()}
    rulesets = {k: types[k].rule.to_json() for k in ("TP", "HD", "HI") if k in types}
    items = []
    for case in cases:
        ctx = _ctx(case)
        items.append(
            {
                "ruleset": rulesets[case["type"]],
                "claims": case["claims"],
                "ctx": {
                    "now": ctx.now.timestamp() * 1000,
                    "zone": ctx.zone,
                    "checkpoint": ctx.checkpoint_id,
                    "mode": "checkpoint",
                    "tokenId": "T-1",
                    "validFrom": None,
                    "validUntil": ctx.valid_until.timestamp() * 1000 if ctx.valid_until else None,
                },
            }
        )
    js = harness.page.evaluate(
        "(items) => items.map((i) => window.scanner.evaluateRuleSet(i.ruleset, i.claims, i.ctx))",
        items,
    )
    for case, phone in zip(cases, js, strict=True):
        server = types[case["type"]].rule(case["claims"], _ctx(case))
        expected = case["expected"]
        assert [server.verdict, server.reason] == expected, case["name"]
        assert [phone["verdict"], phone["reason"]] == expected, case["name"]


# -- bundles and the verdict pipeline -----------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, dict[str, Any]]]:
    """Permits of every kind, and bundles: older and newer for zone A, one for zone B, one
    signed by a key the phone does not pin, and the pinned signers."""
    base = tmp_path_factory.mktemp("phonecp")
    w = build_world(base)
    settings = Settings(data_dir=base / "data", base_url="http://testserver")
    set_settings(settings)
    qr.reset_cache()
    store = Store(settings.database)
    set_store(store)
    try:
        rules = {"warn_age_hours": 12, "max_age_hours": 72, "leeway_seconds": 60}
        from checkpoints.bundle import token_types

        rules["token_types"] = token_types()
        older = build_bundle(zone=ZONE_A, checkpoint={"id": "cp-1"}, rules=rules, store=store)
        newer = build_bundle(zone=ZONE_A, checkpoint={"id": "cp-1"}, rules=rules, store=store)
        other = build_bundle(zone=ZONE_B, rules=rules, store=store)
        payload = {
            "v": 1,
            "created": int(clock.now().timestamp()),
            "seq": 10**18,
            "issuer": "evil",
            "trust": qr.trust_list().to_dict(),
            "revoked": [],
            "zone": ZONE_A,
            "rules": rules,
        }
        forged = sign_bundle(payload, Signer(ed25519.Ed25519PrivateKey.generate(), "evil"))
        signers = bundle_signers(qr.trust_list())
        bundles = {
            "older": older,
            "newer": newer,
            "other": other,
            "forged": forged,
            "signers": signers.to_dict(),
            "anchors": signers,
        }
    finally:
        set_store(None)
        store.close()
        set_settings(None)
        qr.reset_cache()
    yield w, bundles


def _open(harness: Harness, bundles: dict[str, Any], name: str, **kw: Any) -> dict[str, Any]:
    return harness.page.evaluate(
        """async ([signers, data, opts]) => {
            const list = await window.scanner.TrustList.fromDict(signers)
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0))
            try {
                const b = await window.scanner.openBundle(bytes, { signers: list, ...opts })
                return { ok: true, seq: b.seq, zone: b.zone, warn: b.warn, types: b.tokenTypes.length }
            } catch (exc) {
                return { ok: false, code: exc.code || String(exc) }
            }
        }""",
        [bundles["signers"], base64.b64encode(bundles[name]).decode(), kw],
    )


def test_bundles_refused_on_the_phone_as_on_the_station(
    harness: Harness, world: tuple[World, dict[str, Any]]
) -> None:
    _, b = world
    newer = _open(harness, b, "newer", zone=ZONE_A)
    assert newer["ok"] and newer["zone"] == ZONE_A and not newer["warn"] and newer["types"] >= 3
    older_seq = _open(harness, b, "older")["seq"]
    assert older_seq < newer["seq"]
    assert _open(harness, b, "older", heldSeq=newer["seq"]) == {"ok": False, "code": "ROLLBACK"}
    assert _open(harness, b, "newer", heldSeq=newer["seq"])["ok"]  # the one held
    assert _open(harness, b, "other", zone=ZONE_A) == {"ok": False, "code": "WRONG_ZONE"}
    assert _open(harness, b, "forged", zone=ZONE_A) == {"ok": False, "code": "FORGED"}
    tampered = bytearray(b["newer"])
    tampered[-70] ^= 1  # a byte of the payload, before the signature
    b2 = {**b, "tampered": bytes(tampered)}
    assert _open(harness, b2, "tampered") == {"ok": False, "code": "FORGED"}
    hour = 3600 * 1000
    now = clock.now().timestamp() * 1000
    assert _open(harness, b, "newer", now=now + 13 * hour)["warn"] is True
    assert _open(harness, b, "newer", now=now + 73 * hour) == {"ok": False, "code": "TOO_OLD"}
    # the station (Python) agrees on each
    anchors = b["anchors"]
    parse_bundle(b["newer"], anchors=anchors, station_zone=ZONE_A)
    for name, zone in (("other", ZONE_A), ("forged", ZONE_A)):
        with pytest.raises(BundleRefused):
            parse_bundle(b[name], anchors=anchors, station_zone=zone)


@pytest.mark.skipif(not HAS_TP, reason="needs the travel permit app")
def test_every_kind_of_code_gets_the_servers_verdict(
    harness: Harness, world: tuple[World, dict[str, Any]]
) -> None:
    w, b = world
    station = parse_bundle(b["newer"], anchors=b["anchors"], station_zone=ZONE_A)
    verifier = station.verifier()
    texts = [
        *w.tokens.values(),
        "HC1:NOT-A-REAL-CERT",
        "ZZ9:unknown",
        "hello",
        "TP1:" + "A" * 5000,
        "TP1:$$$",
    ]
    now = clock.now()
    phone = harness.page.evaluate(
        """async ([signers, data, texts, now]) => {
            const list = await window.scanner.TrustList.fromDict(signers)
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0))
            const bundle = await window.scanner.openBundle(bytes, { signers: list, now })
            const out = []
            for (const text of texts) {
                const v = await window.scanner.checkText(bundle, text, { now })
                out.push([v.verdict, v.reason, v.tokenType, v.code, Boolean(v.tokenId)])
            }
            return out
        }""",
        [b["signers"], base64.b64encode(b["newer"]).decode(), texts, now.timestamp() * 1000],
    )
    reasons = set()
    for text, js in zip(texts, phone, strict=True):
        py = verifier.check(text, now)
        assert js == [py.verdict, py.reason, py.token_type, py.code, py.verified], text[:40]
        reasons.add(py.reason)
    assert {"VALID", "EXPIRED", "REVOKED", "ZONE_NOT_ALLOWED", "BAD_SIGNATURE"} <= reasons
    assert {"UNKNOWN_TYPE", "TOO_LARGE"} <= reasons


def test_phone_signed_scan_log_reads_on_the_server(harness: Harness) -> None:
    made = harness.page.evaluate(
        """() => {
            const key = window.scanner.StationKey.generate()
            const v1 = { verdict: 'VALID', reason: 'VALID', tokenType: 'TP', tokenId: 'P-1', code: 'a'.repeat(64) }
            const v2 = { verdict: 'INVALID', reason: 'BAD_SIGNATURE', tokenType: 'TP', tokenId: null, code: 'b'.repeat(64) }
            const lines = [v1, v2].map((v, i) => key.signRow(window.scanner.logRow(v,
                { at: Date.UTC(2021, 8, 10, 8, 0, i), checkpointId: 'cp-1', staff: 'Lan Ánh' })))
            return { kid: key.kid, pub: key.publicKey, text: key.header() + '\\n' + lines.join('\\n') + '\\n' }
        }"""
    )
    import io

    record = StationRecord(made["kid"], load_public_key(made["pub"]), "cp-1", "Lan")
    stations = {made["kid"]: record}
    parsed = parse_log(io.BytesIO(made["text"].encode()), stations, "phone")
    rows = parsed.rows.to_dict("records")
    assert [r["reason"] for r in rows] == ["VALID", "BAD_SIGNATURE"]
    assert rows[0]["token_id"] == "P-1" and rows[1]["code"] == "b" * 64
    assert str(rows[0]["scanned_at"]) == "2021-09-10 08:00:00"
    edited = made["text"].replace("P-1", "P-2")
    with pytest.raises(LogError, match="signature"):
        parse_log(io.BytesIO(edited.encode()), stations, "phone")


_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-5, max_value=1500)
    | st.sampled_from([360.0, 1200.0, 0.5, 20275.0])
    | st.sampled_from(["g", "y", "r", "F0", "F1", "x", "", "HI0123", "1234"]),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)
_CLAIMS = st.dictionaries(st.sampled_from(list("ncwhbkdier") + ["x"]), _VALUES, max_size=6)
_CASES = st.tuples(
    st.sampled_from(["TP", "HD", "HI"]),
    _CLAIMS,
    st.integers(min_value=1_630_000_000, max_value=1_630_200_000),
    st.sampled_from([None, ZONE_A, ZONE_B, "abc", ""]),
)


@hsettings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_CASES, min_size=20, max_size=20))
def test_random_claims_agree_on_the_builtin_rules(harness: Harness, cases: list) -> None:
    """Any claims a signed token could carry: the phone and the server decide alike."""
    from datetime import UTC, datetime

    types = {tt.type_id: tt for tt in get_registry().token_types()}
    items = []
    for type_id, claims, now, zone in cases:
        items.append(
            {
                "ruleset": types[type_id].rule.to_json(),
                "claims": claims,
                "ctx": {"now": now * 1000, "zone": zone, "checkpoint": "cp-1", "tokenId": "T"},
            }
        )
    js = harness.page.evaluate(
        "(items) => items.map((i) => window.scanner.evaluateRuleSet(i.ruleset, i.claims,"
        " { mode: 'checkpoint', validFrom: null, validUntil: null, ...i.ctx }))",
        items,
    )
    for (type_id, claims, now, zone), phone in zip(cases, js, strict=True):
        ctx = CheckContext(
            now=datetime.fromtimestamp(now, UTC), zone=zone, checkpoint_id="cp-1", token_id="T"
        )
        server = types[type_id].rule(claims, ctx)
        assert [phone["verdict"], phone["reason"]] == [server.verdict, server.reason], (
            type_id,
            claims,
            zone,
        )


# -- the verdict card's fields ------------------------------------------------------------------

# token expiries around 15/12/2026 00:00 in Vietnam (17:00 UTC the day before), in seconds
_MIDNIGHT = 1_797_267_600
_EXPIRIES = [_MIDNIGHT - 86_400, _MIDNIGHT - 1, _MIDNIGHT, _MIDNIGHT + 1, _MIDNIGHT + 25_199]


def test_card_fields_agree_with_the_server(harness: Harness) -> None:
    """formatFields on the phone shows what the server's card shows, label and value, in both
    languages; a permit's validity reads as its last local day (``last_day``: 15/12 00:00
    is 14/12), a health pass's as the instant it expires (``epoch_local``)."""
    from datetime import UTC, datetime

    from checkpoints.bundle import token_types
    from core import geo
    from core.i18n import get_locale, set_locale

    entries = {e["type"]: e for e in token_types()}
    types = {tt.type_id: tt for tt in get_registry().token_types()}
    claims = {
        "TP": {
            "n": "Nguyễn Văn An",
            "c": "1234",
            "b": "0101234567",
            "w": [20275],
            "h": [360, 1200],
        },
        "HD": {"n": "Lê Văn Cường", "k": "y", "d": _MIDNIGHT - 3_600, "i": "a1b2c3d4e5f6a7b8"},
    }
    assert datetime.fromtimestamp(_MIDNIGHT, UTC) == datetime(2026, 12, 14, 17, 0, tzinfo=UTC)
    assert {f["name"]: f["format"] for f in entries["TP"]["ruleset"]["fields"]}["valid_until"] == (
        "last_day"
    )
    assert {f["name"]: f["format"] for f in entries["HD"]["ruleset"]["fields"]}["valid_until"] == (
        "epoch_local"
    )
    items = [
        {"type": k, "claims": claims[k], "exp": exp, "lang": lang}
        for k in claims
        if k in types
        for exp in _EXPIRIES
        for lang in ("vi", "en")
    ]
    phone = harness.page.evaluate(
        """([entries, items, wards]) => items.map((i) => window.scanner.formatFields(
            entries[i.type], i.claims, { expiresAt: i.exp }, { lang: i.lang, wards }))""",
        [entries, items, {"20275": geo.ward_name(20275)}],
    )
    shown = {}
    before = get_locale()
    try:
        for item, js in zip(items, phone, strict=True):
            set_locale(item["lang"])
            until = datetime.fromtimestamp(item["exp"], UTC)
            ctx = CheckContext(now=until, zone=None, checkpoint_id="cp-1", valid_until=until)
            server = types[item["type"]].rule(item["claims"], ctx).fields
            names = entries[item["type"]]["field_names"]
            expected = [
                [names[f["name"]][item["lang"]], server[f["name"]]]
                for f in entries[item["type"]]["ruleset"]["fields"]
                if f["name"] in server
            ]
            assert js == expected, item
            shown[(item["type"], item["exp"], item["lang"])] = dict(js)
    finally:
        set_locale(before)
    if "TP" in types:
        days = [shown[("TP", exp, "vi")]["Hiệu lực đến hết ngày"] for exp in _EXPIRIES]
        assert days == ["13/12/2026", "14/12/2026", "14/12/2026", "15/12/2026", "15/12/2026"]
        assert shown[("TP", _MIDNIGHT, "en")]["Valid through"] == "14/12/2026"
    if "HD" in types:
        assert shown[("HD", _MIDNIGHT, "vi")]["Hiệu lực đến"] == "15/12/2026 00:00"
