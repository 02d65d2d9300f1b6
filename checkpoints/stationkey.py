"""A checkpoint station's own key, and the station's state on disk.

Each station machine makes an Ed25519 key once (``DATA_DIR/station/station-key.pem``, folder
0700, file 0600) and signs every line of its scan log with it (``checkpoints.scanlog``). The
server accepts a log only from a station whose public key an administrator registered for a
checkpoint (``rapid checkpoint station-key`` on the station prints it; ``rapid checkpoint
register-station`` on the server records it). This key signs nothing else: not tokens, not
bundles.

``StationState`` (``DATA_DIR/station/state.json``, 0600) keeps the sequence number of the newest
bundle this station has accepted, so an older bundle (with fewer revocations) is refused.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from core.qr.trust import kid_for_public_key, spki_der

log = logging.getLogger(__name__)

KEY_FILE = "station-key.pem"
STATE_FILE = "state.json"


class StationKeyError(ValueError):
    """The station key (or a public key given for a station) is missing or unusable."""


def station_dir() -> Path:
    from core.config import get_settings

    return Path(get_settings().data_dir) / "station"


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    _private_dir(folder)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def kid_hex(public_key: ed25519.Ed25519PublicKey) -> str:
    """The station's id: 16 hex digits of SHA-256 over its public key (SPKI DER)."""
    return kid_for_public_key(public_key).hex()


@dataclass(frozen=True)
class StationKey:
    private_key: ed25519.Ed25519PrivateKey

    def __repr__(self) -> str:  # never show key material
        return f"StationKey({self.kid})"

    @property
    def public_key(self) -> ed25519.Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def kid(self) -> str:
        return kid_hex(self.public_key)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)

    def public_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")


def load_or_create(folder: Path | None = None) -> tuple[StationKey, bool]:
    """This station's key, made on first use; True when it was just made."""
    folder = Path(folder) if folder is not None else station_dir()
    path = folder / KEY_FILE
    with _locked(folder):
        if not path.exists():
            key = ed25519.Ed25519PrivateKey.generate()
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            _write_private(path, pem)
            sk = StationKey(key)
            log.info("created the station key %s", sk.kid)
            return sk, True
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise StationKeyError(f"cannot read the station key {path}: {exc}") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise StationKeyError(f"{path} is not an Ed25519 key")
    return StationKey(key), False


def load_public_key(data: bytes | str) -> ed25519.Ed25519PublicKey:
    """A station's public key from PEM (SubjectPublicKeyInfo) or base64 of its DER."""
    raw = data.encode("ascii", "replace") if isinstance(data, str) else bytes(data)
    raw = raw.strip()
    if len(raw) > 4096:
        raise StationKeyError("not a station public key (too long)")
    try:
        if raw.startswith(b"-----BEGIN"):
            key: Any = serialization.load_pem_public_key(raw)
        else:
            key = serialization.load_der_public_key(base64.b64decode(raw, validate=True))
    except (ValueError, TypeError, binascii.Error):
        raise StationKeyError("not a station public key (PEM or base64 DER expected)") from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise StationKeyError("a station key is an Ed25519 public key")
    return key


def public_key_text(public_key: ed25519.Ed25519PublicKey) -> str:
    """Base64 of the SubjectPublicKeyInfo DER, as the server stores it."""
    return base64.b64encode(spki_der(public_key)).decode("ascii")


class StationState:
    """The station's small persistent state (JSON, 0600): the newest bundle it accepted."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else station_dir()
        self.path = self.folder / STATE_FILE

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise StationKeyError(f"cannot read the station state {self.path}: {exc}") from None
        return data if isinstance(data, dict) else {}

    def bundle_seq(self) -> int:
        value = self._read().get("bundle_seq", 0)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    def raise_bundle_seq(self, seq: int) -> None:
        """Remember ``seq`` as the newest bundle accepted (never lowers it)."""
        with _locked(self.folder):
            data = self._read()
            old = data.get("bundle_seq", 0)
            if not isinstance(old, int) or isinstance(old, bool):
                old = 0
            if seq > old:
                data["bundle_seq"] = int(seq)
                _write_private(self.path, (json.dumps(data, indent=1) + "\n").encode())
