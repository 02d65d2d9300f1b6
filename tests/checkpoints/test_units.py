"""Bundle loader, verification dispatch, scan log parser, anomalies (with hypothesis for the
parsers of outside input)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkpoints import anomalies, bundle, scanlog, service
from checkpoints.stationkey import load_or_create
from checkpoints.verify import ScanVerdict, Verifier, code_digest, hash_id
from core import clock
from core.auth import PermissionDenied, Principal
from core.qr import service as qr
from core.qr.offline import load_trust_file
from core.qr.trust import TrustList

from .helpers import ZONE_A, ZONE_B, issue_permit, tamper

DATA = Path(__file__).resolve().parents[1] / "data" / "dcc"
CP = Principal("chot", frozenset({"checkpoint"}))
ADMIN = Principal("admin", frozenset({"admin"}))
BUSINESS = Principal("biz", frozenset({"business"}))


@pytest.fixture()
def issued(store):
    return issue_permit(store)


def test_bundle_round_trip_and_ages(store, issued):
    data = bundle.build(ZONE_A, store=store)
    sb = bundle.parse_bundle(data, station_zone=ZONE_A)
    assert sb.zone == ZONE_A and sb.checkpoint_id == f"zone-{ZONE_A}"
    assert sb.verifier().check(issued.text, clock.now()).verdict == "VALID"
    later = clock.now() + timedelta(hours=13)
    assert any("13.0 h old" in w for w in bundle.parse_bundle(data, now=later).warnings)
    with pytest.raises(bundle.BundleRefused, match="72 h limit"):
        bundle.parse_bundle(data, now=clock.now() + timedelta(hours=73))
    with pytest.raises(bundle.BundleRefused, match="past the 5 h"):
        bundle.parse_bundle(data, now=clock.now() + timedelta(hours=6), max_age_hours=5)
    with pytest.raises(bundle.BundleRefused, match=f"for zone {ZONE_A}"):
        bundle.parse_bundle(data, station_zone=ZONE_B)


def test_bundle_pinned_trust(store, tmp_path, issued):
    data = bundle.build(ZONE_A, store=store)
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(qr.trust_list().to_dict()))
    sb = bundle.parse_bundle(data, anchors=load_trust_file(trust))
    assert not any("pinned" in w for w in sb.warnings)
    with pytest.raises(bundle.BundleRefused, match="not valid"):
        bundle.parse_bundle(data, anchors=TrustList())


def test_bundle_tampered_refused(store):
    data = bytearray(bundle.build(ZONE_A, store=store))
    for i in (10, len(data) // 2, len(data) - 3):
        bad = bytearray(data)
        bad[i] ^= 0x40
        with pytest.raises(bundle.BundleRefused):
            bundle.parse_bundle(bytes(bad))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_bundle_loader_never_crashes(data):
    with pytest.raises(bundle.BundleRefused):
        bundle.parse_bundle(data)


def _verifier() -> Verifier:
    return Verifier(qr.trust_list(), frozenset(), zone=ZONE_A)


def test_dispatch_on_prefix(store, issued):
    v = _verifier()
    now = clock.now()
    assert v.check(issued.text, now).fields["name"] == "Nguyễn Văn An"
    assert v.check(tamper(issued.text), now).reason == "BAD_SIGNATURE"
    assert v.check("XX9:ABC", now).reason == "UNKNOWN_TYPE"
    assert v.check("https://example.com", now).reason == "UNKNOWN_TYPE"
    assert v.check("TP1:" + "A" * 5000, now).reason == "TOO_LARGE"
    assert v.check(issued.text, now).token_id == issued.token_id
    assert v.check(issued.text, now).code == code_digest(issued.text)
    assert v.check(tamper(issued.text), now).token_id is None  # never the id a forgery claims


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(st.text(max_size=300), st.from_regex(r"(TP1|HC1|ZZ1|HD1):[0-9A-Z $%*+./:-]{0,200}"))
)
def test_scanned_text_always_gives_a_verdict(store, text):
    v = Verifier(TrustList(), frozenset())
    out = v.check(text, datetime(2021, 9, 10, tzinfo=UTC))
    assert out.verdict == "INVALID" and out.reason and len(out.code) == 64
    assert out.token_id is None


def test_foreign_health_certificate(store):
    vector = json.loads((DATA / "AT" / "1.json").read_text())
    trust = TrustList()
    trust.add_certificate(vector["TESTCTX"]["CERTIFICATE"])
    when = datetime.fromisoformat(vector["TESTCTX"]["VALIDATIONCLOCK"].replace("Z", "+00:00"))
    out = Verifier(trust, frozenset()).check(vector["PREFIX"], when)
    assert (out.verdict, out.token_type) == ("VALID", "HC"), out
    assert (
        out.fields["dob"]
        and out.fields["name"]
        and out.fields["kind"] in ("vaccination", "test", "recovery")
    )
    assert Verifier(TrustList(), frozenset()).check(vector["PREFIX"], when).reason == "UNKNOWN_KEY"


# -- scan log ---------------------------------------------------------------------------------


def _station(tmp_path: Path, checkpoint: str = "cp-1", staff: str = "Lan", name: str = "st"):
    """A station key registered on the server for ``checkpoint``."""
    key = load_or_create(tmp_path / name)[0]
    if not service.get_checkpoint(ADMIN, checkpoint):
        service.add_checkpoint(ADMIN, checkpoint, checkpoint, ZONE_A, None, None)
    service.register_station(ADMIN, checkpoint, key.public_pem(), staff)
    return key


def _log(tmp_path: Path, n: int = 3, key=None) -> Path:
    path = tmp_path / "station.jsonl"
    with scanlog.StationLog(path, key or _station(tmp_path)) as log:
        for i in range(n):
            log.append(
                ScanVerdict(
                    "INVALID" if i else "VALID",
                    "REVOKED" if i else "VALID",
                    "TP",
                    hash_id(str(i)),
                    token_id=f"P{i}",
                ),
                checkpoint_id="cp-1",
                staff="lan",
            )
    return path


def test_upload_is_idempotent_and_role_checked(store, tmp_path):
    path = _log(tmp_path)
    assert service.upload_log(CP, path) == (3, 0)
    assert service.upload_log(ADMIN, path) == (0, 3)
    assert store.scalar("SELECT count(*) FROM cp_scans") == 3
    assert store.scalar("SELECT count(DISTINCT staff) FROM cp_scans") == 1
    assert store.scalar("SELECT min(staff) FROM cp_scans") == "Lan"  # the registration's
    with pytest.raises(PermissionDenied):
        service.upload_log(BUSINESS, path)


def test_station_log_survives_a_crash_and_appends(store, tmp_path):
    key = _station(tmp_path)
    path = _log(tmp_path, 2, key)
    with path.open("ab") as f:
        f.write(b'{"r": {"scan_id": "cut')  # the line being written when the power went
    with scanlog.StationLog(path, key) as log:
        log.append(
            ScanVerdict("VALID", "VALID", "TP", "0" * 64, token_id="P9"),
            checkpoint_id="cp-1",
            staff="x",
        )
    assert service.upload_log(CP, path) == (3, 0)
    other = load_or_create(tmp_path / "other")[0]
    with pytest.raises(scanlog.LogError, match="another station"):
        scanlog.StationLog(path, other)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(min_size=0, max_size=4096))
def test_corrupt_log_is_refused_nothing_written(store, tmp_path, data):
    path = tmp_path / "corrupt.jsonl"
    path.write_bytes(data)
    with pytest.raises(scanlog.LogError):
        service.upload_log(CP, path)
    assert store.scalar("SELECT count(*) FROM cp_scans") == 0


row_values = st.fixed_dictionaries(
    {
        "scan_id": st.one_of(st.just("a" * 32), st.text(max_size=40), st.none()),
        "scanned_at": st.one_of(
            st.just("2021-09-10T08:00:00.123457+00:00"), st.text(max_size=20), st.none()
        ),
        "checkpoint_id": st.one_of(st.just("cp-1"), st.text(max_size=120)),
        "staff": st.one_of(st.just("lan"), st.text(max_size=10)),
        "token_type": st.one_of(st.just("TP"), st.text(max_size=5)),
        "verdict": st.one_of(st.sampled_from(["VALID", "INVALID", "WARN"]), st.text(max_size=8)),
        "reason": st.one_of(
            st.just("VALID"), st.sampled_from(["BAD_SIGNATURE"]), st.text(max_size=8)
        ),
        "token_id": st.one_of(st.just("P1"), st.none(), st.text(max_size=3)),
        "code": st.one_of(st.just("b" * 64), st.none(), st.text(max_size=70)),
    }
)


@settings(max_examples=300, deadline=None)
@given(row_values)
def test_log_rows_validated_or_refused(row):
    try:
        out = scanlog._check_row(row, 2)
    except scanlog.LogError:
        return
    assert out[3] in scanlog.VERDICTS and (out[5] is None) != (out[6] is None)


def test_a_database_file_is_not_a_log(tmp_path):
    import duckdb

    p = tmp_path / "other.duckdb"
    con = duckdb.connect(str(p))
    con.execute("CREATE TABLE x (a INT)")
    con.close()
    with pytest.raises(scanlog.LogError, match="not a checkpoint scan log"):
        scanlog.read_log(p, {})


# -- anomalies --------------------------------------------------------------------------------


def test_anomalies_travel_and_repeats(store):
    for cid, lat, lon in (
        ("north", 16.20, 108.13),
        ("south", 15.97, 108.23),
        ("near", 16.201, 108.131),
    ):
        service.add_checkpoint(ADMIN, cid, cid, ZONE_A, lat, lon)
    t0 = datetime(2021, 9, 10, 8, 0)
    rows = [
        # 27 km in 10 minutes: impossible
        ("a" * 32, t0, "north", "h1" * 32, "VALID", "VALID"),
        ("b" * 32, t0 + timedelta(minutes=10), "south", "h1" * 32, "VALID", "VALID"),
        # 27 km in 2 hours: fine
        ("c" * 32, t0, "north", "h2" * 32, "VALID", "VALID"),
        ("d" * 32, t0 + timedelta(hours=2), "south", "h2" * 32, "VALID", "VALID"),
        # 150 m in 1 minute: fine
        ("e" * 32, t0, "north", "h3" * 32, "VALID", "VALID"),
        ("f" * 32, t0 + timedelta(minutes=1), "near", "h3" * 32, "VALID", "VALID"),
        # revoked code shown three times
        *[
            (f"{i:032x}", t0 + timedelta(minutes=i), "north", "h4" * 32, "INVALID", "REVOKED")
            for i in range(3)
        ],
        # expired once: not an anomaly
        ("9" * 32, t0, "north", "h5" * 32, "INVALID", "EXPIRED"),
    ]
    frame = pd.DataFrame(
        rows, columns=["scan_id", "scanned_at", "checkpoint_id", "token_hash", "verdict", "reason"]
    )
    frame["staff"], frame["token_type"], frame["code_hash"] = "lan", "TP", None
    service.upload_frame(CP, frame)
    found = service.find_anomalies(CP)
    travel = [a for a in found if a.kind == "travel"]
    repeat = [a for a in found if a.kind == "repeat"]
    assert [a.token_hash for a in travel] == ["h1" * 32]
    assert travel[0].kmh > 90 and 20 < travel[0].km < 35
    assert [(a.token_hash, a.count) for a in repeat] == [("h4" * 32, 3)]


def test_haversine():
    assert anomalies.haversine_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(111.19, abs=0.1)


def test_uploaded_log_cannot_read_server_files(tmp_path):
    """A crafted log whose ``scans`` is a view over read_text() must be refused."""
    import duckdb
    import pytest

    from checkpoints.scanlog import LOG_FORMAT, LogError, read_log

    secret = tmp_path / "secret.pem"
    secret.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n")
    evil = tmp_path / "evil.duckdb"
    con = duckdb.connect(str(evil))
    con.execute("CREATE TABLE log_meta (key VARCHAR, value VARCHAR)")
    con.execute("INSERT INTO log_meta VALUES ('format', ?)", [LOG_FORMAT])
    con.execute(
        f"CREATE VIEW scans AS SELECT md5(content) AS scan_id, content AS reason FROM read_text('{secret}')"
    )
    con.close()
    with pytest.raises(LogError) as err:
        read_log(evil, {})
    assert "BEGIN" not in str(err.value)


def test_image_bomb_snapshot_is_refused_before_decoding(store):
    """A small PNG that claims a huge canvas must not be decoded into gigabytes."""
    import struct
    import zlib

    from checkpoints import service
    from core.testkit import make_principal

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 0, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 100))
        + chunk(b"IEND", b"")
    )
    assert service.scan_image(make_principal("cp", "checkpoint"), png) is None


def test_the_rule_gets_the_token_id_and_validity_window(store, issued):
    """CheckContext carries the verified token's id and window (aware UTC), so a gate can show
    "valid until"; the permit rule shows it as its last Vietnam day (``last_day``)."""
    import dataclasses

    from core.qr.rulesets import last_day
    from core.registry import App, CheckContext, Registry, RuleResult, get_registry

    seen: list[CheckContext] = []
    real = get_registry().token_type("TP")

    def spy(claims, ctx):
        seen.append(ctx)
        return real.rule(claims, ctx)

    tt = dataclasses.replace(real, rule=spy)
    reg = Registry([App(id="spy", title_vi="s", title_en="s", token_types=[tt])], [])
    v = Verifier(qr.trust_list(), frozenset(), zone=ZONE_A, checkpoint_id="cp-9", registry=reg)
    verdict = v.check(issued.text, clock.now())
    (ctx,) = seen
    assert ctx.token_id == issued.token_id and ctx.checkpoint_id == "cp-9"
    assert ctx.valid_until == issued.expires_at.replace(microsecond=0)
    assert ctx.valid_from == issued.not_before.replace(microsecond=0)
    assert ctx.valid_until.tzinfo is not None and ctx.valid_from < ctx.now < ctx.valid_until
    assert verdict.fields["valid_until"] == last_day(ctx.valid_until)
    assert verdict.fields["valid_until"] == clock.fmt_local(
        ctx.valid_until - timedelta(seconds=1), "%d/%m/%Y"
    )
    assert isinstance(real.rule(dict(qr.verify_server(issued.text).claims), ctx), RuleResult)


def test_rules_return_only_declared_reasons_and_fields(store, issued):
    """Every reason and field a rule gives is declared (and so labelled) by its app."""
    from apps.health_declaration import service as hd
    from core.registry import get_registry
    from tests.apps.health_declaration.conftest import form

    texts = [issued.text]
    for over in ({}, {"symptoms": ["fever"]}, {"exposures": ["exp_case"]}):
        texts.append(hd.submit_declaration(None, form(person_id="048185000123", **over)).text)
    service.add_checkpoint(ADMIN, "cp-b", "Chốt B", ZONE_B, None, None)
    for zone in (ZONE_A, ZONE_B):
        v = Verifier(qr.trust_list(), frozenset(), zone=zone)
        for text in texts:
            out = v.check(text, clock.now())
            tt = get_registry().token_type(out.token_type)
            assert out.reason in tt.reasons, (out.token_type, out.reason)
            assert set(out.fields) <= set(tt.fields), (out.token_type, out.fields)
