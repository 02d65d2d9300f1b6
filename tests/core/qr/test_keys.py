"""KeyStore: files, modes, rotation, compromise, passphrases, foreign certificates."""

from __future__ import annotations

import base64
import json
import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from core.qr import KeyStore, KeyStoreError, Reason, TrustList, verify
from core.qr.trust import kid_for_certificate
from tests.core.qr.conftest import EXP, NBF, NOW


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def _sign(store: KeyStore, tid: str) -> str:
    return store.active_signer("DN").sign(
        "TP1:", {"n": tid}, token_id=tid, not_before=NBF, expires=EXP
    )


def test_init_is_idempotent_and_private(tmp_path):
    ks = KeyStore(tmp_path / "keys")
    first = ks.init()
    assert ks.init() == first
    assert [k.status for k in ks.list()] == ["active"]
    assert first.alg == "EdDSA" and len(first.kid) == 8
    assert _mode(tmp_path / "keys") == 0o700
    pems = list((tmp_path / "keys").glob("*.pem"))
    assert len(pems) == 1 and _mode(pems[0]) == 0o600
    assert _mode(tmp_path / "keys" / "keys.json") == 0o600
    assert b"ENCRYPTED" not in pems[0].read_bytes()
    assert not list((tmp_path / "keys").glob("*.tmp"))


def test_ensure_active_says_whether_it_created_the_key(tmp_path):
    ks = KeyStore(tmp_path / "keys")
    info, created = ks.ensure_active()
    assert created
    assert ks.ensure_active() == (info, False)
    ks.mark_compromised(info.kid)
    fresh, created = ks.ensure_active()
    assert created and fresh.kid != info.kid


def test_kid_is_sha256_of_spki(tmp_path):
    ks = KeyStore(tmp_path)
    info = ks.init()
    signer = ks.active_signer()
    spki = signer.public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    import hashlib

    assert info.kid == signer.kid == hashlib.sha256(spki).digest()[:8]


def test_rotation_keeps_old_tokens_valid(tmp_path):
    ks = KeyStore(tmp_path)
    old = ks.init()
    t_old = _sign(ks, "old")
    new = ks.rotate()
    assert new.kid != old.kid
    assert {k.kid: k.status for k in ks.list()} == {old.kid: "retired", new.kid: "active"}
    t_new = _sign(ks, "new")
    trust = ks.trust_list()
    assert verify(t_old, trust=trust, now=NOW).reason is Reason.VALID
    assert verify(t_new, trust=trust, now=NOW).kid == new.kid
    # old tokens stop at their own expiry, like any other token
    assert verify(t_old, trust=trust, now=EXP + timedelta(1)).reason is Reason.EXPIRED


def test_compromised_key_is_refused(tmp_path):
    ks = KeyStore(tmp_path)
    bad = ks.init()
    t_bad = _sign(ks, "bad")
    ks.rotate()
    t_good = _sign(ks, "good")
    ks.mark_compromised(bad.kid.hex())
    trust = ks.trust_list()
    assert verify(t_bad, trust=trust, now=NOW).reason is Reason.KEY_COMPROMISED
    assert verify(t_good, trust=trust, now=NOW).ok
    with pytest.raises(KeyStoreError):
        ks.mark_compromised(b"\0" * 8)


def test_compromised_active_key_stops_signing(tmp_path):
    ks = KeyStore(tmp_path)
    info = ks.init()
    ks.mark_compromised(base64.b64encode(info.kid).decode())
    with pytest.raises(KeyStoreError, match="no active"):
        ks.active_signer()
    ks.init()  # creates a fresh active key
    assert ks.active_signer().kid != info.kid


def test_encrypted_keys_need_the_passphrase(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    ks = KeyStore(tmp_path, passphrase="đúng mật khẩu")
    ks.init()
    pem = next(tmp_path.glob("*.pem")).read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in pem
    assert ks.active_signer().sign("TP1:", {}, expires=EXP)
    with pytest.raises(KeyStoreError, match="wrong passphrase"):
        KeyStore(tmp_path, passphrase="sai").active_signer()
    with pytest.raises(KeyStoreError, match="passphrase is required"):
        KeyStore(tmp_path).active_signer()
    with pytest.raises(KeyStoreError):
        KeyStore(tmp_path, passphrase="sai").rotate()  # refuses to mix passphrases
    assert len(ks.list()) == 1
    assert "PRIVATE" not in caplog.text and "mật khẩu" not in caplog.text


def test_passphrase_given_for_plain_key(tmp_path):
    KeyStore(tmp_path).init()
    with pytest.raises(KeyStoreError, match="not encrypted"):
        KeyStore(tmp_path, passphrase="x").active_signer()


def test_metadata_survives_reload_and_is_json(tmp_path):
    KeyStore(tmp_path).init()
    KeyStore(tmp_path).rotate()
    meta = json.loads((tmp_path / "keys.json").read_text())
    assert meta["version"] == 1 and len(meta["keys"]) == 2
    assert "PRIVATE" not in json.dumps(meta)


def test_clock_is_injectable(tmp_path):
    t = datetime(2021, 9, 5, 1, 2, 3, tzinfo=UTC)
    assert KeyStore(tmp_path, clock=lambda: t).init().created == t


def _cert(key, name: str = "DSC test") -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    algo = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2021, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2023, 1, 1, tzinfo=UTC))
        .sign(key, algo)
    )


@pytest.mark.parametrize(
    ("key", "alg"),
    [
        (ec.generate_private_key(ec.SECP256R1()), "ES256"),
        (rsa.generate_private_key(public_exponent=65537, key_size=2048), "PS256"),
        (ed25519.Ed25519PrivateKey.generate(), "EdDSA"),
    ],
)
@pytest.mark.parametrize("form", ["pem", "der", "b64"])
def test_trust_foreign_certificate(tmp_path, key, alg, form):
    cert = _cert(key)
    der = cert.public_bytes(serialization.Encoding.DER)
    data = {
        "pem": cert.public_bytes(serialization.Encoding.PEM),
        "der": der,
        "b64": base64.b64encode(der),
    }[form]
    ks = KeyStore(tmp_path)
    ks.init()
    info = ks.trust_certificate(data)
    assert info.kid == kid_for_certificate(der) and info.alg == alg and info.source == "foreign"
    assert ks.trust_certificate(data) == info  # idempotent
    entry = ks.trust_list().get(info.kid)
    assert entry.algs == {alg} and entry.source == "foreign" and not entry.bind_prefix
    assert "DSC test" in entry.subject
    assert len(ks.trust_list()) == 2


def test_trust_certificate_rejects_garbage(tmp_path):
    with pytest.raises(KeyStoreError):
        KeyStore(tmp_path).trust_certificate(b"not a certificate")


def test_export_trust_round_trips(tmp_path):
    ks = KeyStore(tmp_path)
    ks.init()
    t = _sign(ks, "x")
    ks.rotate()
    ks.trust_certificate(
        _cert(ec.generate_private_key(ec.SECP256R1())).public_bytes(serialization.Encoding.PEM)
    )
    exported = json.loads(json.dumps(ks.export_trust()))
    assert "PRIVATE" not in json.dumps(exported)
    trust = TrustList.from_dict(exported)
    assert len(trust) == 3
    assert verify(t, trust=trust, now=NOW).ok


def test_der_ending_in_whitespace_bytes_loads():
    """Regression: binary DER must not be .strip()ped (it can end in 0x20 or 0x0a)."""
    from core.qr.trust import load_certificate

    for _ in range(200):
        key = ed25519.Ed25519PrivateKey.generate()
        der = _cert(key).public_bytes(serialization.Encoding.DER)
        if der[-1] in b" \t\n\r\x0b\x0c":
            break
    else:
        pytest.skip("no certificate ending in a whitespace byte generated")
    assert load_certificate(der).public_bytes(serialization.Encoding.DER) == der
