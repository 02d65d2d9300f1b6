"""Issue 14, the signed-QR items: bundle signers (1), station scan logs (4), ``rapid qr verify
--bundle`` (9), forged ids in the scan log (11), tokens without expiry (16), id collisions
(19) and the permit's QR size (20). Each test states the attack it stops; each fails on
c45f022's behaviour. APIs added since c45f022 are imported inside the tests that need them, so
every test of this file fails on c45f022 by what it checks, not at import."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import re
import secrets
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cbor2
import cv2
import pytest
import segno
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkpoints import service as cp
from core import clock
from core.auth import Principal
from core.config import Settings, set_settings
from core.qr import Signer, TrustList, sign_bundle
from core.qr import service as qr
from core.qr.sign import APP_CLAIM, CWT_CTI
from core.qr.trust import kid_for_certificate
from core.store import Store
from tests.checkpoints.helpers import (
    ZONE_A,
    build_world,
    code_image,
    issue_permit,
    permit_claims,
    rapid,
    rapid_env,
    tamper,
)

ADMIN = Principal("admin", frozenset({"admin"}))
STAFF = Principal("chot", frozenset({"checkpoint"}))


# -- helpers ----------------------------------------------------------------------------------


def self_signed(key: ed25519.Ed25519PrivateKey, name: str = "DSC Attacker") -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(datetime(2021, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2031, 1, 1, tzinfo=UTC))
        .sign(key, None)
    )


def evil_bundle(attacker: ed25519.Ed25519PrivateKey, bundle_kid: bytes | None = None) -> bytes:
    """A bundle whose trust list makes the attacker's key one of "our" keys, signed by the
    attacker (under ``bundle_kid``: a trusted foreign certificate's kid, or its own)."""
    trust = TrustList()
    trust.add_public_key(attacker.public_key(), source="local", subject="local")
    payload = {
        "v": 1,
        "created": int(clock.now().timestamp()),
        "seq": 2**62,
        "issuer": "VN-DN",
        "trust": trust.to_dict(),
        "revoked": [],
        "zone": ZONE_A,
        "checkpoint": {"id": "cp-1"},
        "rules": {},
    }
    return sign_bundle(payload, Signer(attacker, kid=bundle_kid))


def forged_permit(attacker: ed25519.Ed25519PrivateKey, token_id: str) -> str:
    """A permit for ``token_id`` (a real permit's id) signed by the attacker's own key."""
    now = clock.now()
    return Signer(attacker).sign(
        "TP1:",
        permit_claims("Kẻ Giả Mạo", [ZONE_A]),
        token_id=token_id,
        not_before=now - timedelta(hours=1),
        expires=now + timedelta(days=1),
    )


def json_lines(text: str) -> list[dict]:
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [r for r in rows if not r.get("summary")]


def scan_images(env: dict, images: Path, bundle: Path, log: Path, *extra: str):
    return rapid(
        env, "checkpoint", "scan", "--images", images, "--bundle", bundle, "--json",
        "--log", log, *extra,
    )  # fmt: skip


def image_dir(base: Path, text: str) -> Path:
    folder = base / f"img-{secrets.token_hex(3)}"
    folder.mkdir()
    cv2.imwrite(str(folder / "code.png"), code_image(text))
    return folder


class ServerDb:
    """The server's database and keys, opened in this process (the world's data folder)."""

    def __init__(self, data_dir: Path) -> None:
        self.settings = Settings(data_dir=data_dir, base_url="http://testserver")

    def __enter__(self) -> Store:
        set_settings(self.settings)
        qr.reset_cache()
        self.store = Store(self.settings.database)
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.close()
        set_settings(None)
        qr.reset_cache()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server data folder with keys, permits and checkpoint cp-1 (the real commands)."""
    base = tmp_path_factory.mktemp("server")
    world = build_world(base)
    out = rapid(
        world.env, "checkpoint", "add", "cp-1", "--name", "Chốt 1", "--zone", ZONE_A,
        "--lat", "16.06", "--lon", "108.2",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    world.base = base
    return world


# -- item 1: bundle signers -------------------------------------------------------------------


def test_item1_foreign_signer_cannot_sign_a_bundle(server, tmp_path):
    """Attack: a certificate trusted for HC1 health certificates (``rapid keys trust``) signs a
    checkpoint bundle that makes the attacker's key "local", so forged permits scan VALID."""
    from checkpoints.bundle import BundleRefused, parse_bundle
    from core.qr.offline import load_trust_file

    attacker = ed25519.Ed25519PrivateKey.generate()
    cert = self_signed(attacker)
    pem = tmp_path / "dsc.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    assert rapid(server.env, "keys", "trust", pem).returncode == 0
    trust = tmp_path / "trust.json"
    assert rapid(server.env, "keys", "export-trust", "--out", trust).returncode == 0

    der = cert.public_bytes(serialization.Encoding.DER)
    evil = tmp_path / "evil.bundle"
    evil.write_bytes(evil_bundle(attacker, kid_for_certificate(der)))
    forged = image_dir(tmp_path, forged_permit(attacker, server.ids["valid"]))
    station = rapid_env(tmp_path / "station")

    out = scan_images(station, forged, evil, tmp_path / "a.jsonl", "--trust", trust)
    assert out.returncode == 1, out.stdout
    assert "refusing to scan" in out.stderr and "only the server's own keys" in out.stderr
    assert not json_lines(out.stdout)
    with pytest.raises(BundleRefused, match="unknown or untrusted key"):
        parse_bundle(evil.read_bytes(), anchors=load_trust_file(trust))
    with ServerDb(server.data_dir):  # a station on the server itself: its own trust list
        with pytest.raises(BundleRefused, match="foreign signer"):
            parse_bundle(evil.read_bytes(), anchors=qr.trust_list())

    pins = json.loads(trust.read_text())
    assert pins["bundle_signers"] and {e["source"] for e in pins["bundle_signers"]} == {"local"}
    assert base64.b64encode(kid_for_certificate(der)).decode() in {e["kid"] for e in pins["keys"]}

    good = tmp_path / "good.bundle"
    made = rapid(
        server.env, "checkpoint", "bundle", "--zone", ZONE_A, "--checkpoint", "cp-1",
        "--out", good,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    out = scan_images(station, forged, good, tmp_path / "b.jsonl", "--trust", trust)
    assert out.returncode == 0, out.stderr
    assert [(v["verdict"], v["reason"]) for v in json_lines(out.stdout)] == [
        ("INVALID", "UNKNOWN_KEY")
    ]


def test_item1_an_older_bundle_is_refused(server, tmp_path):
    """Attack: after a permit is revoked, the station is handed an older bundle (from before
    the revocation), and the revoked permit scans VALID again."""
    trust = tmp_path / "trust.json"
    assert rapid(server.env, "keys", "export-trust", "--out", trust).returncode == 0
    args = ("--zone", ZONE_A, "--checkpoint", "cp-1", "--out")
    old, new = tmp_path / "old.bundle", tmp_path / "new.bundle"
    holder = issue_and_keep(server)
    assert rapid(server.env, "checkpoint", "bundle", *args, old).returncode == 0
    with ServerDb(server.data_dir) as store:
        assert qr.revoke(holder.token_id, "test", "lost", store=store)
    assert rapid(server.env, "checkpoint", "bundle", *args, new).returncode == 0

    station = rapid_env(tmp_path / "station")
    code = image_dir(tmp_path, holder.text)
    out = scan_images(station, code, new, tmp_path / "s.jsonl", "--trust", trust)
    assert out.returncode == 0, out.stderr
    assert [v["reason"] for v in json_lines(out.stdout)] == ["REVOKED"]
    out = scan_images(station, code, old, tmp_path / "s.jsonl", "--trust", trust)
    assert out.returncode == 1 and "older than one this station has already used" in out.stderr
    assert not json_lines(out.stdout)


def issue_and_keep(server):
    with ServerDb(server.data_dir) as store:
        return issue_permit(store, "Đặng Văn Hùng")


# -- item 4: station scan logs ----------------------------------------------------------------


def _registered_station(tmp_path: Path, checkpoint: str, staff: str, name: str):
    from checkpoints.stationkey import load_or_create

    key = load_or_create(tmp_path / name)[0]
    if cp.get_checkpoint(ADMIN, checkpoint) is None:
        cp.add_checkpoint(ADMIN, checkpoint, checkpoint, ZONE_A, 16.0, 108.2)
    cp.register_station(ADMIN, checkpoint, key.public_pem(), staff)
    return key


def _write_log(path: Path, key, verdicts, *, staff: str = "lan", checkpoint: str = "cp-1"):
    from checkpoints.scanlog import StationLog

    with StationLog(path, key) as log:
        for v in verdicts:
            log.append(v, checkpoint_id=checkpoint, staff=staff)
    return path


def _verdicts(n: int = 2):
    from checkpoints.verify import ScanVerdict

    return [
        ScanVerdict("VALID", "VALID", "TP", "0" * 64, token_id=f"P{i:03d}") for i in range(n)
    ] + [ScanVerdict("INVALID", "BAD_SIGNATURE", "TP", "1" * 64)]


def test_item4_database_file_with_a_generated_column_is_refused_unopened(
    store, tmp_path, monkeypatch
):
    """Attack: a station uploads a DuckDB file whose ``scans.reason`` is a generated column; the
    server evaluates it while reading (77 s and 12.4 GB for a 1 MB file at c45f022)."""
    import duckdb

    from checkpoints.scanlog import LogError

    evil = tmp_path / "scans.duckdb"
    con = duckdb.connect(str(evil))
    con.execute("CREATE TABLE log_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    con.execute("INSERT INTO log_meta VALUES ('format', 'rapid-checkpoint-log/1')")
    con.execute(
        "CREATE TABLE scans (scan_id VARCHAR PRIMARY KEY, scanned_at TIMESTAMP NOT NULL,"
        " checkpoint_id VARCHAR NOT NULL, staff VARCHAR NOT NULL, token_hash VARCHAR NOT NULL,"
        " token_type VARCHAR NOT NULL, verdict VARCHAR NOT NULL,"
        " reason VARCHAR GENERATED ALWAYS AS (left(repeat('VALID', 1 + length(staff)), 5)))"
    )
    con.execute(
        "INSERT INTO scans (scan_id, scanned_at, checkpoint_id, staff, token_hash, token_type,"
        " verdict) VALUES (?, TIMESTAMP '2021-09-10 08:00:00', 'cp-1', 'admin', ?, 'TP',"
        " 'VALID')",
        ["a" * 32, "b" * 64],
    )
    con.close()
    opened: list[str] = []
    real_connect = duckdb.connect
    monkeypatch.setattr(
        duckdb, "connect", lambda *a, **k: opened.append(str(a[:1])) or real_connect(*a, **k)
    )
    with pytest.raises(LogError, match="not a checkpoint scan log"):
        cp.upload_log(STAFF, evil)
    assert opened == []  # never opened as a database
    assert store.scalar("SELECT count(*) FROM cp_scans") == 0


def test_item4_a_log_signed_by_another_station_is_refused(store, tmp_path):
    """Attack: a log made (or edited) with one station's key passes as another station's, or
    as a station the server never registered, to plant scans at someone else's checkpoint."""
    from checkpoints.scanlog import LogError
    from checkpoints.stationkey import load_or_create

    a = _registered_station(tmp_path, "cp-1", "Tổ chốt 1", "a")
    b = _registered_station(tmp_path, "cp-2", "Tổ chốt 2", "b")
    log_b = _write_log(tmp_path / "b.jsonl", b, _verdicts())
    lines = log_b.read_bytes().split(b"\n")
    lines[0] = lines[0].replace(b.kid.encode(), a.kid.encode())
    as_a = tmp_path / "as-a.jsonl"
    as_a.write_bytes(b"\n".join(lines))
    with pytest.raises(LogError, match=f"does not match station {a.kid}"):
        cp.upload_log(STAFF, as_a)
    log_a = _write_log(tmp_path / "a.jsonl", a, _verdicts(1))
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(log_a.read_bytes() + log_b.read_bytes().split(b"\n")[1] + b"\n")
    with pytest.raises(LogError, match="signature"):
        cp.upload_log(STAFF, mixed)
    stranger = load_or_create(tmp_path / "c")[0]
    with pytest.raises(LogError, match="not registered"):
        cp.upload_log(STAFF, _write_log(tmp_path / "c.jsonl", stranger, _verdicts()))
    assert cp.retire_station(ADMIN, b.kid)
    with pytest.raises(LogError, match="not registered"):
        cp.upload_log(STAFF, log_b)
    assert store.scalar("SELECT count(*) FROM cp_scans") == 0
    assert cp.upload_log(STAFF, log_a) == (2, 0)


def test_item4_a_spoofed_staff_name_is_ignored(store, tmp_path):
    """Attack: a log names another officer (or another checkpoint) so its scans are
    attributed to them; the server takes both from the station's registration."""
    key = _registered_station(tmp_path, "cp-1", "Tổ chốt Hải Vân", "st")
    path = _write_log(tmp_path / "s.jsonl", key, _verdicts(), staff="admin", checkpoint="cp-9")
    assert cp.upload_log(STAFF, path) == (3, 0)
    rows = store.fetchall("SELECT DISTINCT staff, checkpoint_id FROM cp_scans")
    assert rows == [("Tổ chốt Hải Vân", "cp-1")]


def test_item4_a_huge_log_is_refused_before_reading(store, tmp_path, monkeypatch):
    """Attack: a log too large, with too many rows or one endless line, to exhaust memory."""
    from checkpoints import scanlog

    key = _registered_station(tmp_path, "cp-1", "Lan", "st")
    huge = tmp_path / "huge.jsonl"
    with huge.open("wb") as f:
        f.truncate(scanlog.MAX_LOG_BYTES + 1)  # sparse: no disk used
    with pytest.raises(scanlog.LogError, match="too large"):
        cp.upload_log(STAFF, huge)
    path = _write_log(tmp_path / "s.jsonl", key, _verdicts(3))
    monkeypatch.setattr(scanlog, "MAX_ROWS", 2)
    with pytest.raises(scanlog.LogError, match="more than 2 scans"):
        cp.upload_log(STAFF, path)
    long_line = tmp_path / "long.jsonl"
    long_line.write_bytes(path.read_bytes().split(b"\n")[0] + b"\n" + b"x" * 10_000 + b"\n")
    with pytest.raises(scanlog.LogError, match="too long"):
        cp.upload_log(STAFF, long_line)
    assert store.scalar("SELECT count(*) FROM cp_scans") == 0


_KEY = ed25519.Ed25519PrivateKey.generate()


def _parser_fixture():
    """A valid signed log (bytes), its station record and its rows, made once."""
    import tempfile

    from checkpoints.scanlog import StationRecord, read_log
    from checkpoints.stationkey import StationKey

    key = StationKey(_KEY)
    record = StationRecord(key.kid, key.public_key, "cp-1", "Lan")
    with tempfile.TemporaryDirectory() as tmp:
        path = _write_log(Path(tmp) / "log.jsonl", key, _verdicts(3))
        data = path.read_bytes()
        rows = read_log(path, {key.kid: record}).rows
    return data, record, rows


_mutations = st.one_of(
    st.tuples(st.just("truncate"), st.integers(min_value=0, max_value=4000), st.just(b"")),
    st.tuples(st.just("flip"), st.integers(min_value=0, max_value=4000), st.just(b"")),
    st.tuples(st.just("insert"), st.integers(min_value=0, max_value=4000), st.binary(max_size=40)),
    st.tuples(st.just("garbage"), st.just(0), st.binary(max_size=2000)),
    st.tuples(st.just("huge line"), st.integers(min_value=0, max_value=4000), st.just(b"")),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_mutations, min_size=1, max_size=3))
def test_item4_log_parser_refuses_damage_hypothesis(mutations):
    """Attack: a damaged or crafted log (cut short, bytes changed or added, garbage, one huge
    line, a forged signature) is imported. The parser either refuses it or returns only rows
    the station signed."""
    from checkpoints.scanlog import LogError, parse_log

    data, record, rows = _parser_fixture_cached()
    for kind, pos, extra in mutations:
        pos = pos % (len(data) + 1)
        if kind == "truncate":
            data = data[:pos]
        elif kind == "flip" and data:
            pos = min(pos, len(data) - 1)
            data = data[:pos] + bytes([data[pos] ^ 0x21]) + data[pos + 1 :]
        elif kind == "insert":
            data = data[:pos] + extra + data[pos:]
        elif kind == "garbage":
            data = extra
        elif kind == "huge line":
            data = data[:pos] + b"A" * 5000 + data[pos:]
    try:
        parsed = parse_log(io.BytesIO(data), {record.kid: record}, "log")
    except LogError:
        return
    assert _row_set(parsed.rows) <= _row_set(rows)


def _row_set(frame) -> set[tuple]:
    """Rows as tuples, every missing value as None (NaN is not equal to itself, and a frame
    read whole may say NaN where one read from a cut log says None)."""
    import pandas as pd

    plain = frame.astype(object)
    return {tuple(r) for r in plain.where(pd.notna(plain), None).itertuples(index=False)}


_CACHE: list = []


def _parser_fixture_cached():
    if not _CACHE:
        _CACHE.append(_parser_fixture())
    return _CACHE[0]


def test_item4_wrong_signature_is_refused():
    """Attack: a row edited after signing (a VALID made of an INVALID) keeps its signature."""
    from checkpoints.scanlog import LogError, parse_log

    data, record, _ = _parser_fixture_cached()
    edited = data.replace(b'"verdict":"INVALID"', b'"verdict":"VALID"', 1)
    assert edited != data
    with pytest.raises(LogError, match="signature"):
        parse_log(io.BytesIO(edited), {record.kid: record}, "log")
    head, first, *rest = data.split(b"\n")
    row = json.loads(first)
    row["s"] = base64.b64encode(bytes(64)).decode()
    bad = b"\n".join([head, json.dumps(row).encode(), *rest])
    with pytest.raises(LogError, match="signature"):
        parse_log(io.BytesIO(bad), {record.kid: record}, "log")


def test_item4_the_dashboard_upload_takes_a_signed_log(store, tmp_path):
    """The page's upload keeps working with the new format (same steps as before)."""
    from core.testkit import make_principal, run_page

    key = _registered_station(tmp_path, "cp-1", "Lan", "st")
    data = _write_log(tmp_path / "s.jsonl", key, _verdicts()).read_bytes()
    at = run_page("checkpoints.dashboard", make_principal("chot", "checkpoint"), locale="en")
    at.file_uploader(key="cp_log_file").upload("station.jsonl", data, "application/jsonl").run()
    at.button(key="cp_log_go").click().run()
    assert not at.exception
    assert any("Imported 3 new scans" in s.value for s in at.success), [e.value for e in at.error]


# -- item 9: rapid qr verify --bundle ---------------------------------------------------------


def test_item9_qr_verify_with_a_bundle_needs_a_pinned_trust_list(tmp_path):
    """Attack: ``rapid qr verify FORGED --bundle SELF_SIGNED`` trusted the bundle's own trust
    list, so an attacker's self-made bundle made their forged permit VALID (exit 0)."""
    attacker = ed25519.Ed25519PrivateKey.generate()
    evil = tmp_path / "evil.bundle"
    evil.write_bytes(evil_bundle(attacker))
    forged = forged_permit(attacker, "P0000000001")
    env = rapid_env(tmp_path / "data")
    out = rapid(env, "qr", "verify", forged, "--bundle", evil)
    assert out.returncode != 0
    assert "VALID" not in out.stdout and "--trust" in out.stderr and "Traceback" not in out.stderr
    explicit = rapid(env, "qr", "verify", forged, "--bundle", evil, "--allow-unpinned")
    assert "integrity only" in explicit.stderr  # said out loud when asked for


# -- item 11: forged ids in the scan log ------------------------------------------------------


def _two_checkpoints() -> None:
    cp.add_checkpoint(ADMIN, "north", "Chốt Bắc", ZONE_A, 16.20, 108.13)
    cp.add_checkpoint(ADMIN, "south", "Chốt Nam", ZONE_A, 15.97, 108.23)  # 27 km away


def test_item11_forged_code_with_a_real_id_raises_no_anomaly(store, frozen_clock):
    """Attack: a forged QR claiming a real permit's id is scanned far from where the real
    holder just was, and "impossible travel" is raised against the real holder."""
    _two_checkpoints()
    real = issue_permit(store)
    attacker = ed25519.Ed25519PrivateKey.generate()
    cp.scan_texts(STAFF, [real.text], checkpoint_id="north")
    frozen_clock[0] += timedelta(minutes=10)
    forged = cp.scan_texts(
        STAFF, [forged_permit(attacker, real.token_id), tamper(real.text)], checkpoint_id="south"
    )
    assert [s.verdict.reason for s in forged] == ["UNKNOWN_KEY", "BAD_SIGNATURE"]
    assert [a for a in cp.find_anomalies(STAFF) if a.kind == "travel"] == []
    frozen_clock[0] += timedelta(minutes=5)
    cp.scan_texts(STAFF, [real.text], checkpoint_id="south")  # the real permit itself: flagged
    assert [a.kind for a in cp.find_anomalies(STAFF)] == ["travel"]


def test_item11_scan_log_tables_hold_no_raw_token_id(store, settings, tmp_path):
    """Attack: someone who reads the scan log joins it to permit ids (raw, or an unkeyed hash
    of them) and rebuilds people's movements."""
    from checkpoints.verify import Verifier

    _two_checkpoints()
    first, second = issue_permit(store), issue_permit(store, "Lê Thị Hoa")
    cp.scan_texts(STAFF, [first.text, second.text], checkpoint_id="north")
    dump = json.dumps(store.records("SELECT * FROM cp_scans"), default=str)
    assert hashlib.sha256(first.token_id.encode()).hexdigest() not in dump  # c45f022's hash
    key = _registered_station(tmp_path, "north", "Tổ chốt Bắc", "st")
    verifier = Verifier(qr.trust_list(), frozenset(), zone=ZONE_A)
    verdicts = [verifier.check(t, clock.now()) for t in (first.text, second.text, "XX9:x")]
    assert cp.upload_log(STAFF, _write_log(tmp_path / "s.jsonl", key, verdicts)) == (3, 0)

    dump = json.dumps(store.records("SELECT * FROM cp_scans"), default=str)
    for tid in (first.token_id, second.token_id):
        assert tid not in dump
        assert hashlib.sha256(tid.encode()).hexdigest() not in dump  # c45f022's token_hash
    secret = Path(settings.keys_dir) / "scanlog-hmac.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    mac = hmac.new(secret.read_bytes(), b"token:" + first.token_id.encode(), "sha256")
    assert (
        store.scalar("SELECT count(*) FROM cp_scans WHERE token_hash = ?", [mac.hexdigest()]) == 2
    )  # the server's own scan and the station's: one permit, one keyed hash
    assert store.scalar("SELECT count(*) FROM cp_scans WHERE token_hash IS NULL") == 1
    from checkpoints import bundle

    data = bundle.build(ZONE_A, store=store)
    assert secret.read_bytes() not in data
    assert base64.b64encode(secret.read_bytes()).decode() not in json.dumps(
        qr.keystore().export_trust()
    )


# -- item 16: tokens without an expiry --------------------------------------------------------


def test_item16_a_token_without_expiry_is_refused(store):
    """Attack: a token signed without ``exp`` (a script's mistake, a test token) stays VALID
    for ever, past every revocation list that drops expired ids."""
    from checkpoints.verify import Verifier

    signer = qr.signer()
    payload = cbor2.dumps({CWT_CTI: b"P-FOREVER", APP_CLAIM: permit_claims("An", [ZONE_A])})
    forever = signer._finish("TP1:", b"TP1:", payload)
    verdict = qr.verify_server(forever)
    assert not verdict.ok and verdict.reason.value == "NO_EXPIRY"
    scan = Verifier(qr.trust_list(), frozenset(), zone=ZONE_A).check(forever, clock.now())
    assert (scan.verdict, scan.reason) == ("INVALID", "NO_EXPIRY")


def test_item16_every_issuer_sets_an_expiry(store):
    """Every way a token is issued here carries ``exp``: the core refuses an item without one,
    and the apps' tokens (a permit, a health pass) have one."""
    from apps.health_declaration import service as hd
    from core.qr.verify import decode_unverified
    from tests.apps.health_declaration.conftest import form

    with pytest.raises((qr.IssueError, TypeError, ValueError)):
        qr.issue("TP1:", [qr.IssueItem(permit_claims("An", [ZONE_A]), None)], "t", store=store)
    with pytest.raises((TypeError, ValueError)):
        qr.signer().sign("TP1:", {"n": "An"}, expires=None)
    texts = [issue_permit(store).text, hd.submit_declaration(None, form()).text]
    for text in texts:
        payload = decode_unverified(text).payload
        assert isinstance(payload.get(4), int), text[:4]


# -- item 19: id collisions -------------------------------------------------------------------


def _business_with_roster(store, n: int, names: list[str] | None = None):
    from apps.travel_permit import service as tp
    from core.testkit import make_principal
    from tests.apps.travel_permit.conftest import cccd, employee, register

    approver = make_principal("duyet", "approver")
    biz = register("cty_an", 1234, store)
    tp.verify_business(approver, tp.my_business(biz, store=store)["id"], True, store=store)
    for i in range(n):
        extra = {"full_name": names[i % len(names)]} if names else {}
        tp.save_employee(biz, employee(i, **extra), store=store)
    return biz, approver, [cccd(i) for i in range(n)]


def test_item19_a_repeated_permit_id_does_not_fail_the_decision(store, monkeypatch):
    """Attack (of chance): two permits drawn with the same id; with 40-bit ids that is an ~11%
    chance over Da Nang's 507,510 permits, and the repeat failed the approver's decision."""
    from apps.travel_permit import service as tp
    from tests.apps.travel_permit.conftest import request_answers

    biz, approver, ids = _business_with_roster(store, 20)
    first = tp.submit_request(biz, request_answers(ids[:2]), store=store)
    tp.decide(approver, first, tp.Decision.approve_all(), store=store)
    taken = store.fetchall("SELECT permit_id FROM tp_permits")[0][0]
    second = tp.submit_request(biz, request_answers(ids[2:4]), store=store)
    real = tp.new_permit_id
    draws = iter([taken, taken])
    monkeypatch.setattr(tp, "new_permit_id", lambda: next(draws, None) or real())
    out = tp.decide(approver, second, tp.Decision.approve_all(), store=store)
    assert out["status"] == "approved" and out["approved"] == 2
    permits = [r[0] for r in store.fetchall("SELECT permit_id FROM tp_permits")]
    assert len(permits) == len(set(permits)) == 4


def test_item19_a_repeated_token_id_does_not_fail_issuing(store, monkeypatch):
    """Attack (of chance): a random token id repeats one already issued (48 bits: ~6% over six
    million health passes) and the declaration that issues it fails."""
    (old,) = qr.issue(
        "ZZ1:", [qr.IssueItem({"n": "a"}, clock.now() + timedelta(days=1))], "t", store=store
    )
    real = qr.new_token_id
    draws = iter([old.token_id])
    monkeypatch.setattr(qr, "new_token_id", lambda: next(draws, None) or real())
    (new,) = qr.issue(
        "ZZ1:", [qr.IssueItem({"n": "b"}, clock.now() + timedelta(days=1))], "t", store=store
    )
    assert new.token_id != old.token_id and qr.verify_server(new.text).ok


def test_item19_ids_have_at_least_64_random_bits():
    """Token ids, permit ids and the apps' record codes are drawn from 64 bits or more."""
    from apps.home_isolation import service as hi
    from apps.travel_permit import service as tp

    assert len(base64.urlsafe_b64decode(qr.new_token_id() + "==")) >= 8
    assert re.fullmatch(r"P[0-9A-HJKMNP-TV-Z]{13}", tp.new_permit_id())  # 65 bits
    assert re.fullmatch(r"HI[0-9A-F]{16}", hi.new_id())  # 64 bits
    assert len({tp.new_permit_id() for _ in range(10_000)}) == 10_000


# -- item 20: the permit's QR size ------------------------------------------------------------

LONG_NAMES = [
    "Trương Nguyễn Hoàng Phương Thảo",  # five syllables, each with a diacritic: 40 bytes
    "Huỳnh Nguyễn Thị Phương Thảo",
    "Nguyễn Hoàng Phương Trường Giang",
]


def _version(text: str) -> int:
    return segno.make(text, error="m", boost_error=False).version


def test_item20_largest_realistic_permit_fits_qr_version_10(store, monkeypatch):
    """The largest realistic permit (five-syllable names with diacritics, three wards, hours
    past midnight) is a version <= 10 QR code at error correction M, whether its decision
    signs it alone or in a bulk batch; c45f022's claims (tax code, masked CCCD, iss, iat)
    made it version 11."""
    from apps.travel_permit import service as tp
    from apps.travel_permit.rules import fields
    from tests.apps.travel_permit.conftest import WARDS, request_answers

    biz, approver, ids = _business_with_roster(store, 20, LONG_NAMES)
    answers = dict(zones=[WARDS[0], WARDS[2], WARDS[3]], start_minute=22 * 60, end_minute=6 * 60)
    single = tp.submit_request(biz, request_answers(ids[:3], **answers), store=store)
    tp.decide(approver, single, tp.Decision.approve_all(), store=store)
    monkeypatch.setattr(qr, "SMALL_BATCH", 1)  # the bulk signer (zlib level 0) for the next
    bulk = tp.submit_request(biz, request_answers(ids[3:6], **answers), store=store)
    tp.decide(approver, bulk, tp.Decision.approve_all(), store=store)
    texts = [r[0] for r in store.fetchall("SELECT token_text FROM qr_tokens")]
    assert len(texts) == 6
    for text in texts:
        assert _version(text) <= 10, (len(text), text)
        claims = qr.verify_server(text).claims
        assert "b" not in claims and re.fullmatch(r"\d{4}", claims["c"])
        assert fields(claims)["cccd"].startswith("********")
