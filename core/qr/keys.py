"""Signing keys on disk.

``keys_dir`` (mode 0700) holds one PEM per Ed25519 private key (``ed25519-<kidhex>.pem``,
mode 0600, PKCS#8, encrypted with BestAvailableEncryption when a passphrase is given) and
``keys.json`` with the metadata, written atomically (tmp + fsync + os.replace)::

    {"version": 1,
     "keys": [{"kid": "<base64>", "alg": "EdDSA", "created": "<ISO UTC>",
               "status": "active|retired|compromised", "file": "ed25519-....pem",
               "spki": "<base64 SPKI DER>"}],
     "foreign": [{"kid": "<base64>", "cert": "<base64 DER>", "status": "active", ...}]}

Exactly one local key is active (the signer); retired keys stay trusted so their tokens
remain valid until they expire; compromised keys are refused (KEY_COMPROMISED).
Key material is never logged. Mutations take an exclusive ``flock`` on ``.lock``.

``export_trust`` is what a checkpoint station pins: every token signer (``keys``, local and
foreign) and, separately, the keys that may sign its offline bundles (``bundle_signers``:
our own keys, never a foreign certificate). ``secret(name)`` keeps server-only random secrets
(``<name>.secret``, 32 bytes, 0600) beside the keys, such as the key of the scan logs'
keyed hashes; they are never exported.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import json
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from core import clock
from core.qr.bundle import bundle_signers
from core.qr.sign import Signer
from core.qr.trust import (
    TrustEntry,
    TrustError,
    TrustList,
    kid_for_public_key,
    load_certificate,
    spki_der,
)

log = logging.getLogger(__name__)
META = "keys.json"
SECRET_BYTES = 32
_SECRET_NAME = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


class KeyStoreError(RuntimeError):
    """Key store problem with a message fit for an operator (never contains key material)."""


@dataclass(frozen=True, slots=True)
class KeyInfo:
    kid: bytes
    created: datetime
    status: str
    alg: str
    source: str = "local"
    subject: str = ""

    @property
    def kid_b64(self) -> str:
        return base64.b64encode(self.kid).decode()


def _default_clock() -> datetime:
    return clock.now()


def parse_kid(kid: bytes | str) -> bytes:
    """A kid from bytes, 16 hex chars, or base64."""
    if isinstance(kid, bytes):
        return kid
    try:
        if len(kid) == 16:
            return bytes.fromhex(kid)
        return base64.b64decode(kid, validate=True)
    except (ValueError, binascii.Error):
        raise KeyStoreError(f"not a kid: {kid!r}") from None


class KeyStore:
    def __init__(
        self,
        keys_dir: Path | str,
        passphrase: str | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.dir = Path(keys_dir)
        self._pass = passphrase.encode() if passphrase else None
        self._clock = clock or _default_clock

    def __repr__(self) -> str:
        return f"KeyStore({str(self.dir)!r}, encrypted={self._pass is not None})"

    # ---- storage -------------------------------------------------------------------------
    def _ensure_dir(self) -> None:
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self._ensure_dir()
        fd = os.open(self.dir / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _read(self) -> dict[str, Any]:
        path = self.dir / META
        if not path.exists():
            return {"version": 1, "keys": [], "foreign": []}
        try:
            meta = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise KeyStoreError(f"cannot read {path}: {exc}") from None
        if not isinstance(meta, dict) or meta.get("version") != 1:
            raise KeyStoreError(f"{path}: unknown metadata format")
        meta.setdefault("keys", [])
        meta.setdefault("foreign", [])
        return meta

    def _write(self, meta: dict[str, Any]) -> None:
        path = self.dir / META
        tmp = path.with_name(f".{META}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def _new_key(self, meta: dict[str, Any]) -> dict[str, Any]:
        key = ed25519.Ed25519PrivateKey.generate()
        kid = kid_for_public_key(key.public_key())
        enc: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(self._pass)
            if self._pass
            else serialization.NoEncryption()
        )
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)
        name = f"ed25519-{kid.hex()}.pem"
        fd = os.open(self.dir / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
            f.flush()
            os.fsync(f.fileno())
        rec = {
            "kid": base64.b64encode(kid).decode(),
            "alg": "EdDSA",
            "created": self._clock().astimezone(UTC).isoformat(),
            "status": "active",
            "file": name,
            "spki": base64.b64encode(spki_der(key.public_key())).decode(),
        }
        meta["keys"].append(rec)
        log.info("created signing key kid=%s", rec["kid"])
        return rec

    def _load_private(self, rec: dict[str, Any]) -> ed25519.Ed25519PrivateKey:
        path = self.dir / rec["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise KeyStoreError(f"cannot read private key file {path.name}: {exc}") from None
        try:
            key = serialization.load_pem_private_key(data, password=self._pass)
        except TypeError:
            if self._pass is None:
                raise KeyStoreError(
                    "the signing key is encrypted: a passphrase is required"
                ) from None
            raise KeyStoreError(
                "a passphrase was given but the signing key is not encrypted"
            ) from None
        except ValueError:
            raise KeyStoreError(
                "cannot decrypt the signing key: wrong passphrase or damaged key file"
            ) from None
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise KeyStoreError(f"{path.name} is not an Ed25519 key")
        return key

    @staticmethod
    def _active(meta: dict[str, Any]) -> dict[str, Any] | None:
        return next((r for r in meta["keys"] if r["status"] == "active"), None)

    # ---- public API ----------------------------------------------------------------------
    def init(self) -> KeyInfo:
        """Create the first signing key if there is no active one; idempotent."""
        return self.ensure_active()[0]

    def ensure_active(self) -> tuple[KeyInfo, bool]:
        """The active key, created first when there is none; True if it was just created."""
        with self._locked():
            meta = self._read()
            rec = self._active(meta)
            if rec is not None:
                return self._info(rec), False
            rec = self._new_key(meta)
            self._write(meta)
            return self._info(rec), True

    def rotate(self) -> KeyInfo:
        """Make a new active key; the previous active key becomes 'retired' (still trusted)."""
        with self._locked():
            meta = self._read()
            old = self._active(meta)
            if old is not None:
                self._load_private(old)  # same passphrase for all keys: fail before changing
                old["status"] = "retired"
            rec = self._new_key(meta)
            self._write(meta)
            return self._info(rec)

    def list(self) -> list[KeyInfo]:
        """Local keys then foreign certificates, oldest first."""
        meta = self._read()
        return [self._info(r) for r in meta["keys"]] + [
            self._foreign_info(f) for f in meta["foreign"]
        ]

    def mark_compromised(self, kid: bytes | str) -> None:
        """Refuse every token of this key from now on (local or foreign). An active local key
        stops signing; call rotate() to get a new one."""
        want = base64.b64encode(parse_kid(kid)).decode()
        with self._locked():
            meta = self._read()
            for rec in (*meta["keys"], *meta["foreign"]):
                if rec["kid"] == want:
                    rec["status"] = "compromised"
                    self._write(meta)
                    log.warning("key kid=%s marked compromised", want)
                    return
        raise KeyStoreError(f"no key with kid {want}")

    def active_signer(self, issuer: str = "", *, zlib_level: int = 9) -> Signer:
        """A Signer for the active key (decrypts it with the passphrase)."""
        meta = self._read()
        rec = self._active(meta)
        if rec is None:
            raise KeyStoreError("no active signing key: run init() or rotate()")
        key = self._load_private(rec)
        return Signer(key, issuer, base64.b64decode(rec["kid"]), zlib_level=zlib_level)

    def trust_certificate(self, data: bytes | str) -> KeyInfo:
        """Trust a foreign signer certificate (PEM, DER or base64 DER); idempotent per kid."""
        try:
            der = load_certificate(data).public_bytes(serialization.Encoding.DER)
            entry = TrustList().add_certificate(der)
        except TrustError as exc:
            raise KeyStoreError(str(exc)) from None
        rec = {
            "kid": base64.b64encode(entry.kid).decode(),
            "alg": sorted(entry.algs)[0],
            "cert": base64.b64encode(der).decode(),
            "subject": entry.subject,
            "status": "active",
            "added": self._clock().astimezone(UTC).isoformat(),
        }
        with self._locked():
            meta = self._read()
            for old in meta["foreign"]:
                if old["kid"] == rec["kid"]:
                    rec = old
                    break
            else:
                meta["foreign"].append(rec)
                self._write(meta)
        return self._foreign_info(rec)

    def trust_list(self) -> TrustList:
        """Our public keys (all statuses: compromised ones produce KEY_COMPROMISED) plus
        the trusted foreign certificates."""
        meta = self._read()
        tl = TrustList()
        for r in meta["keys"]:
            pub = serialization.load_der_public_key(base64.b64decode(r["spki"]))
            tl.add_public_key(
                pub,
                kid=base64.b64decode(r["kid"]),
                status=r["status"],
                source="local",
                subject="local",
            )
        for f in meta["foreign"]:
            e = tl.add_certificate(f["cert"], status=f["status"])
            if e.kid != base64.b64decode(f["kid"]):
                raise KeyStoreError(f"foreign certificate kid mismatch for {f['kid']}")
        return tl

    def export_trust(self) -> dict[str, Any]:
        """JSON-able pin file for a checkpoint station (public keys only): the trust list of
        token signers (``version``/``keys``, as ``TrustList.to_dict``) plus ``bundle_signers``,
        our own keys that are not compromised, the only ones a station accepts a bundle from."""
        trust = self.trust_list()
        return {
            **trust.to_dict(),
            "bundle_signers": [e.to_dict() for e in bundle_signers(trust)],
        }

    def next_counter(self, name: str, floor: int = 0) -> int:
        """The next value of a counter kept as ``<name>.counter``: greater than every value it
        gave before and at least ``floor`` (so a clock set back never repeats a value)."""
        if not _SECRET_NAME.match(name):
            raise KeyStoreError(f"bad counter name {name!r}")
        path = self.dir / f"{name}.counter"
        with self._locked():
            try:
                last = int(path.read_text("ascii").strip() or 0)
            except FileNotFoundError:
                last = 0
            except (OSError, ValueError) as exc:
                raise KeyStoreError(f"cannot read {path.name}: {exc}") from None
            value = max(int(floor), last + 1)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(f"{value}\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        return value

    def secret(self, name: str) -> bytes:
        """A random server-only secret kept as ``<name>.secret`` (0600), made on first use.
        Never exported, never in a bundle or token."""
        if not _SECRET_NAME.match(name):
            raise KeyStoreError(f"bad secret name {name!r}")
        path = self.dir / f"{name}.secret"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            with self._locked():
                if not path.exists():
                    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    with os.fdopen(fd, "wb") as f:
                        f.write(secrets.token_bytes(SECRET_BYTES))
                        f.flush()
                        os.fsync(f.fileno())
                    os.replace(tmp, path)
                    log.info("created server secret %s", name)
            data = path.read_bytes()
        except OSError as exc:
            raise KeyStoreError(f"cannot read {path.name}: {exc.strerror or exc}") from None
        if len(data) != SECRET_BYTES:
            raise KeyStoreError(f"{path.name} is damaged (expected {SECRET_BYTES} bytes)")
        return data

    def _info(self, rec: dict[str, Any]) -> KeyInfo:
        return KeyInfo(
            kid=base64.b64decode(rec["kid"]),
            created=datetime.fromisoformat(rec["created"]),
            status=rec["status"],
            alg=rec["alg"],
        )

    @staticmethod
    def _foreign_info(rec: dict[str, Any]) -> KeyInfo:
        return KeyInfo(
            kid=base64.b64decode(rec["kid"]),
            created=datetime.fromisoformat(rec["added"]),
            status=rec["status"],
            alg=rec["alg"],
            source="foreign",
            subject=rec.get("subject", ""),
        )


__all__ = ["KeyInfo", "KeyStore", "KeyStoreError", "TrustEntry", "parse_kid"]
