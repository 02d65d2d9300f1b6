"""Central checkpoint service: checkpoint identities, stations, the central scan log, uploads
and the data behind the dashboard. Plain Python; every entry point checks the caller's role.

Token ids in the scan log (issue 14 item 11). The central log stores a token id only as
``HMAC-SHA256(server key, id)`` (``token_hash``), and only for scans whose token signature
verified; a scan that did not verify keeps ``code_hash``, the keyed hash of the scanned text,
which counts repeats of one forged code and points at nobody's permit. The key is a server-only
secret made once in the key store (``DATA_DIR/keys/scanlog-hmac.secret``, 0600), never in a
bundle, token or log: without it the hashes cannot be matched to ids, so the logs cannot be
joined into movement traces, and the anomaly checks read ``token_hash`` only. The server hashes
on import (station logs carry the raw id, for this; a station deletes its log once uploaded)
and on its own scanner page's writes.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from core import audit, clock
from core.auth import PermissionDenied, Principal, require
from core.registry import get_registry
from core.store import Store, get_store

from . import anomalies
from .scanlog import LogError, StationRecord, new_scan_id, read_log
from .settings import get_checkpoint_settings
from .verify import ScanVerdict, Verifier

log = logging.getLogger(__name__)

SCANNERS = ("checkpoint", "admin")
VIEWERS = ("checkpoint", "admin", "approver", "health_officer")  # the last two: optional roles
"""Roles of core and of this app only: other apps' roles are theirs (an approver or health
officer who needs the dashboard is granted ``checkpoint`` as well)."""
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


class CheckpointError(ValueError):
    """Bad checkpoint input; ``str()`` is a readable sentence."""


def _store(store: Store | None) -> Store:
    return store or get_store()


# -- checkpoint identities --------------------------------------------------------------------


def add_checkpoint(
    principal: Principal,
    checkpoint_id: str,
    name: str,
    zone: str,
    latitude: float | None,
    longitude: float | None,
    *,
    store: Store | None = None,
) -> dict[str, Any]:
    from core.text import nfc

    from .bundle import clean_zone

    require(principal, "admin")
    store = _store(store)
    if not _ID.match(checkpoint_id or ""):
        raise CheckpointError("checkpoint id: 1-40 letters, digits, '_', '.', '-'")
    name = nfc((name or "").strip())
    if not name or len(name) > 200:
        raise CheckpointError("checkpoint name: 1-200 characters")
    try:
        zone = clean_zone(zone)
    except ValueError as exc:
        raise CheckpointError(str(exc)) from None
    for v, lo, hi, what in ((latitude, -90, 90, "latitude"), (longitude, -180, 180, "longitude")):
        if v is not None and not (lo <= float(v) <= hi):
            raise CheckpointError(f"{what} out of range")
    with store.transaction() as cur:
        if cur.execute("SELECT 1 FROM cp_checkpoints WHERE id = ?", [checkpoint_id]).fetchone():
            raise CheckpointError(f"checkpoint {checkpoint_id} already exists")
        cur.execute(
            "INSERT INTO cp_checkpoints VALUES (?, ?, ?, ?, ?, ?)",
            [checkpoint_id, name, zone, latitude, longitude, clock.utcnow_naive()],
        )
        audit.record(
            principal, "checkpoint.add", "checkpoint", checkpoint_id, {"zone": zone}, store=store
        )
    return get_checkpoint(principal, checkpoint_id, store=store) or {}


def list_checkpoints(principal: Principal, *, store: Store | None = None) -> list[dict[str, Any]]:
    require(principal, *VIEWERS)
    return _store(store).records(
        "SELECT id, name, zone, latitude, longitude FROM cp_checkpoints ORDER BY id"
    )


def get_checkpoint(
    principal: Principal, checkpoint_id: str, *, store: Store | None = None
) -> dict[str, Any] | None:
    require(principal, *VIEWERS)
    rows = _store(store).records(
        "SELECT id, name, zone, latitude, longitude FROM cp_checkpoints WHERE id = ?",
        [checkpoint_id],
    )
    return rows[0] if rows else None


# -- keyed hashes ----------------------------------------------------------------------------

SCAN_KEY = "scanlog-hmac"


@functools.lru_cache(maxsize=8)
def _scan_key_for(keys_dir: str) -> bytes:
    from core.qr import service as qr

    return qr.keystore().secret(SCAN_KEY)


def _scan_key() -> bytes:
    from core.config import get_settings

    return _scan_key_for(str(get_settings().keys_dir))


def token_key_hash(token_id: str) -> str:
    """HMAC-SHA256 (server key) of a verified token id: what the central log stores."""
    return hmac.new(_scan_key(), b"token:" + token_id.encode("utf-8"), hashlib.sha256).hexdigest()


def code_key_hash(code: str) -> str:
    """HMAC-SHA256 (server key) of a scanned code's SHA-256, for scans that did not verify."""
    return hmac.new(_scan_key(), b"code:" + code.encode("ascii"), hashlib.sha256).hexdigest()


# -- stations ---------------------------------------------------------------------------------


def register_station(
    principal: Principal,
    checkpoint_id: str,
    public_key: bytes | str,
    staff: str,
    *,
    store: Store | None = None,
) -> dict[str, Any]:
    """Admins: let the station holding ``public_key`` (its ``rapid checkpoint station-key``)
    upload scan logs for ``checkpoint_id``; its rows are shown as ``staff``. Registering a key
    again moves it (the old registration is kept, retired)."""
    from core.text import nfc

    from .stationkey import StationKeyError, kid_hex, load_public_key, public_key_text

    require(principal, "admin")
    store = _store(store)
    try:
        key = load_public_key(public_key)
    except StationKeyError as exc:
        raise CheckpointError(str(exc)) from None
    staff = nfc((staff or "").strip())
    if not staff or len(staff) > 100 or any(ord(c) < 0x20 or ord(c) == 0x7F for c in staff):
        raise CheckpointError("staff: 1-100 characters")
    if get_checkpoint(principal, checkpoint_id, store=store) is None:
        raise CheckpointError(f"no checkpoint {checkpoint_id}: add it with `rapid checkpoint add`")
    kid = kid_hex(key)
    now = clock.utcnow_naive()
    with store.transaction() as cur:
        cur.execute("DELETE FROM cp_stations WHERE kid = ?", [kid])
        cur.execute(
            "INSERT INTO cp_stations (kid, public_key, checkpoint_id, staff, registered_at,"
            " registered_by) VALUES (?, ?, ?, ?, ?, ?)",
            [kid, public_key_text(key), checkpoint_id, staff, now, principal.actor],
        )
        audit.record(
            principal,
            "checkpoint.station.register",
            "station",
            kid,
            {"checkpoint": checkpoint_id, "staff": staff},
            store=store,
        )
    return {"kid": kid, "checkpoint_id": checkpoint_id, "staff": staff}


def retire_station(principal: Principal, kid: str, *, store: Store | None = None) -> bool:
    """Admins: a lost or replaced station's logs are refused from now on."""
    require(principal, "admin")
    store = _store(store)
    with store.transaction() as cur:
        n = cur.execute(
            "UPDATE cp_stations SET retired_at = ? WHERE kid = ? AND retired_at IS NULL",
            [clock.utcnow_naive(), kid],
        ).fetchone()[0]
        if n:
            audit.record(principal, "checkpoint.station.retire", "station", kid, store=store)
    return bool(n)


def register_phone(
    principal: Principal, checkpoint_id: str, public_key: bytes | str, *, store: Store | None = None
) -> dict[str, Any]:
    """Checkpoint staff: register the key a phone scanner made for itself (``/quet``), so its
    signed scans upload for ``checkpoint_id``; the rows are shown under the staff's own
    account name (never a name the phone sends). Registering the key again moves it."""
    from .stationkey import StationKeyError, kid_hex, load_public_key, public_key_text

    require(principal, *SCANNERS)
    store = _store(store)
    try:
        key = load_public_key(public_key)
    except StationKeyError as exc:
        raise CheckpointError(str(exc)) from None
    if get_checkpoint(principal, checkpoint_id, store=store) is None:
        raise CheckpointError(f"no checkpoint {checkpoint_id}")
    kid = kid_hex(key)
    staff = principal.actor[:100]
    with store.transaction() as cur:
        cur.execute("DELETE FROM cp_stations WHERE kid = ?", [kid])
        cur.execute(
            "INSERT INTO cp_stations (kid, public_key, checkpoint_id, staff, registered_at,"
            " registered_by) VALUES (?, ?, ?, ?, ?, ?)",
            [kid, public_key_text(key), checkpoint_id, staff, clock.utcnow_naive(), staff],
        )
        audit.record(
            principal,
            "checkpoint.station.register_phone",
            "station",
            kid,
            {"checkpoint": checkpoint_id},
            store=store,
        )
    return {"kid": kid, "checkpoint_id": checkpoint_id, "staff": staff}


def upload_phone_log(
    principal: Principal, data: bytes, *, store: Store | None = None
) -> tuple[int, int]:
    """Merge a phone scanner's signed scans (the station log format, sent as the request
    body): every line signed by a registered station key, parsed with the file's limits.
    LogError: nothing written."""
    import io

    from .scanlog import MAX_LOG_BYTES, parse_log

    require(principal, *SCANNERS)
    store = _store(store)
    if len(data) > MAX_LOG_BYTES:
        raise LogError("the upload is too large for a scan log")
    parsed = parse_log(io.BytesIO(data), _stations(store), "phone upload")
    return upload_frame(
        principal,
        _keyed_rows(parsed.rows, parsed.station),
        source_name=f"phone:{parsed.station.kid}",
        source=f"station:{parsed.station.kid}",
        store=store,
    )


def phone_bundle(
    principal: Principal, checkpoint_id: str, *, store: Store | None = None
) -> bytes | None:
    """Checkpoint staff: the signed bundle of a checkpoint's zone (None: no such checkpoint)."""
    from .bundle import build

    require(principal, *SCANNERS)
    store = _store(store)
    cp = get_checkpoint(principal, checkpoint_id, store=store)
    if cp is None:
        return None
    return build(str(cp["zone"]), checkpoint=cp, store=store)


def list_stations(principal: Principal, *, store: Store | None = None) -> list[dict[str, Any]]:
    require(principal, *VIEWERS)
    return _store(store).records(
        "SELECT kid, checkpoint_id, staff, registered_at, retired_at FROM cp_stations"
        " ORDER BY checkpoint_id, kid"
    )


def _stations(store: Store) -> dict[str, StationRecord]:
    from .stationkey import load_public_key

    return {
        kid: StationRecord(kid, load_public_key(key), cp, staff)
        for kid, key, cp, staff in store.fetchall(
            "SELECT kid, public_key, checkpoint_id, staff FROM cp_stations WHERE retired_at IS NULL"
        )
    }


# -- the central scan log ---------------------------------------------------------------------

_SCAN_COLUMNS = (
    "scan_id",
    "scanned_at",
    "checkpoint_id",
    "staff",
    "token_hash",
    "code_hash",
    "token_type",
    "verdict",
    "reason",
    "source",
    "received_at",
)


def record_scan(
    principal: Principal,
    verdict: ScanVerdict,
    checkpoint_id: str,
    *,
    at: datetime | None = None,
    store: Store | None = None,
) -> str:
    """Write one verdict of the server scanner page into the central log (keyed hashes only)."""
    require(principal, *SCANNERS)
    store = _store(store)
    scan_id = new_scan_id()
    verified = verdict.token_id is not None
    store.execute(
        f"INSERT INTO cp_scans ({', '.join(_SCAN_COLUMNS)})"  # noqa: S608 - constant names
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'server', ?)",
        [
            scan_id,
            clock.to_utc_naive(at or clock.now()),
            (checkpoint_id or "-")[:100],
            principal.actor[:100],
            token_key_hash(verdict.token_id) if verified else None,
            None if verified else code_key_hash(verdict.code),
            verdict.token_type[:100],
            verdict.verdict,
            verdict.reason[:100],
            clock.utcnow_naive(),
        ],
    )
    return scan_id


def _keyed_rows(rows: pd.DataFrame, station: StationRecord) -> pd.DataFrame:
    """Parsed log rows as cp_scans rows: ids and codes replaced by keyed hashes, checkpoint and
    staff from the station's registration."""
    out = pd.DataFrame(
        {
            "scan_id": rows["scan_id"],
            "scanned_at": rows["scanned_at"],
            "checkpoint_id": station.checkpoint_id,
            "staff": station.staff,
            "token_hash": [
                token_key_hash(t) if isinstance(t, str) else None for t in rows["token_id"]
            ],
            "code_hash": [code_key_hash(c) if isinstance(c, str) else None for c in rows["code"]],
            "token_type": rows["token_type"],
            "verdict": rows["verdict"],
            "reason": rows["reason"],
        }
    )
    return out.astype({"token_hash": object, "code_hash": object})


def upload_frame(
    principal: Principal,
    frame: pd.DataFrame,
    *,
    source_name: str = "",
    source: str | None = None,
    store: Store | None = None,
) -> tuple[int, int]:
    """Merge rows already in the central log's form (keyed hashes, no raw ids); returns
    (added, already present). All or nothing."""
    require(principal, *SCANNERS)
    store = _store(store)
    if frame.empty:
        return 0, 0
    with store.transaction() as cur:
        present = {
            r[0]
            for r in cur.execute(
                "SELECT scan_id FROM cp_scans WHERE scan_id IN (SELECT unnest(?::VARCHAR[]))",
                [frame["scan_id"].astype(str).tolist()],
            ).fetchall()
        }
        new = frame[~frame["scan_id"].isin(present)].copy()
        if not new.empty:
            new["source"] = (source or f"station:{principal.actor}")[:100]
            new["received_at"] = clock.utcnow_naive()
            store.insert_df("cp_scans", new[list(_SCAN_COLUMNS)])
        audit.record(
            principal,
            "checkpoint.upload",
            "scan_log",
            source_name[:100] or "-",
            {"added": len(new), "skipped": len(present)},
            store=store,
        )
    return len(new), len(present)


def upload_log(
    principal: Principal, path: Path | str, *, store: Store | None = None
) -> tuple[int, int]:
    """Read, check and merge a station's signed log file. LogError: nothing written."""
    require(principal, *SCANNERS)
    store = _store(store)
    parsed = read_log(path, _stations(store))
    return upload_frame(
        principal,
        _keyed_rows(parsed.rows, parsed.station),
        source_name=Path(path).name,
        source=f"station:{parsed.station.kid}",
        store=store,
    )


def recent_scans(
    principal: Principal, *, limit: int = 10, staff: str | None = None, store: Store | None = None
) -> list[dict[str, Any]]:
    require(principal, *VIEWERS)
    return _store(store).records(
        "SELECT scanned_at, checkpoint_id, staff, token_type, verdict, reason FROM cp_scans"
        " WHERE (? IS NULL OR staff = ?) ORDER BY scanned_at DESC LIMIT ?",
        [staff, staff, int(limit)],
    )


def scans_frame(principal: Principal, *, store: Store | None = None) -> pd.DataFrame:
    require(principal, *VIEWERS)
    return _store(store).df(
        "SELECT scan_id, scanned_at, checkpoint_id, staff, token_hash, code_hash, token_type,"
        " verdict, reason, source FROM cp_scans ORDER BY scanned_at"
    )


def per_hour(principal: Principal, *, store: Store | None = None) -> pd.DataFrame:
    require(principal, *VIEWERS)
    return _store(store).df(
        "SELECT checkpoint_id, date_trunc('hour', scanned_at) AS hour, count(*) AS scans"
        " FROM cp_scans GROUP BY 1, 2 ORDER BY 2, 1"
    )


def rejection_reasons(principal: Principal, *, store: Store | None = None) -> pd.DataFrame:
    require(principal, *VIEWERS)
    return _store(store).df(
        "SELECT reason, count(*) AS scans FROM cp_scans WHERE verdict <> 'VALID'"
        " GROUP BY reason ORDER BY scans DESC, reason"
    )


def find_anomalies(principal: Principal, *, store: Store | None = None) -> list[anomalies.Anomaly]:
    require(principal, *VIEWERS)
    store = _store(store)
    s = get_checkpoint_settings()
    scans = store.df(
        "SELECT scanned_at, checkpoint_id, token_hash, code_hash, verdict, reason FROM cp_scans"
    )
    places = store.df("SELECT id, name, latitude, longitude FROM cp_checkpoints")
    return anomalies.detect(
        scans, places, max_speed_kmh=s.max_speed_kmh, repeat_threshold=s.repeat_threshold
    )


def stats(store: Store) -> dict[str, Any]:
    return {
        "checkpoints": store.scalar("SELECT count(*) FROM cp_checkpoints"),
        "scans": store.scalar("SELECT count(*) FROM cp_scans"),
        "rejected": store.scalar("SELECT count(*) FROM cp_scans WHERE verdict <> 'VALID'"),
    }


__all__ = [
    "CheckpointError",
    "LogError",
    "add_checkpoint",
    "find_anomalies",
    "get_checkpoint",
    "list_checkpoints",
    "list_stations",
    "register_station",
    "retire_station",
    "per_hour",
    "record_scan",
    "rejection_reasons",
    "recent_scans",
    "scans_frame",
    "stats",
    "upload_frame",
    "upload_log",
]


# -- the server scanner (the Streamlit page) --------------------------------------------------


@dataclass(frozen=True)
class ServerScan:
    verdict: ScanVerdict
    scan_id: str
    venue_message: str | None = None


def server_verifier(
    checkpoint: dict[str, Any] | None, *, mode: str = "checkpoint", store: Store | None = None
) -> Verifier:
    from core.qr import service as qr

    return Verifier(
        qr.trust_list(),
        qr.RevokedInStore(_store(store)),
        zone=str(checkpoint["zone"]) if checkpoint else None,
        checkpoint_id=str(checkpoint["id"]) if checkpoint else None,
        mode=mode,
        leeway=timedelta(seconds=get_checkpoint_settings().leeway_seconds),
    )


def scan_texts(
    principal: Principal,
    texts: list[str],
    *,
    checkpoint_id: str | None = None,
    venue_id: str | None = None,
    venue_needs_valid: bool = False,
    store: Store | None = None,
) -> list[ServerScan]:
    """Verify decoded texts with the server's keys and revocations, log each verdict.

    Venue mode (``venue_id``): a token whose type has ``on_venue_scan`` records a check-in;
    with ``venue_needs_valid`` only a VALID one does (the phone page: a red pass, WARN at a
    checkpoint, is a refusal at a venue and is not checked in).
    """
    require(principal, *SCANNERS)
    store = _store(store)
    cp = get_checkpoint(principal, checkpoint_id, store=store) if checkpoint_id else None
    mode = "venue" if venue_id else "checkpoint"
    verifier = server_verifier(cp, mode=mode, store=store)
    where = f"venue:{venue_id}"[:100] if venue_id else (cp["id"] if cp else "-")
    out = []
    for text in texts:
        now = clock.now()
        verdict, claims = verifier.check_with_claims(text, now)
        message = None
        wanted = ("VALID",) if venue_needs_valid else ("VALID", "WARN")
        if venue_id and verdict.verdict in wanted:
            message = _venue_checkin(principal, text, claims, venue_id)
        scan_id = record_scan(principal, verdict, where, at=now, store=store)
        out.append(ServerScan(verdict, scan_id, message))
    return out


def _venue_checkin(
    principal: Principal, text: str, claims: dict[str, Any] | None, venue_id: str
) -> str | None:
    from core.i18n import t

    tt = get_registry().token_type_for(text.strip())
    if tt is None or tt.on_venue_scan is None:
        return t("cp.scan.venue_unsupported")
    if claims is None:
        return None
    try:
        return str(tt.on_venue_scan(principal, venue_id, claims))
    except PermissionDenied:
        return t("auth.denied")
    except Exception as exc:  # noqa: BLE001 - an app's hook must not break the scanner
        log.warning("venue check-in hook failed: %s", type(exc).__name__)
        return str(exc)[:300] or t("cp.scan.venue_failed")


MAX_SNAPSHOT_BYTES = 20_000_000
MAX_SNAPSHOT_PIXELS = 40_000_000
"""A phone photo is ~12 MP; a tiny PNG claiming 100k x 100k pixels is refused before decoding."""


def _pixels(data: bytes) -> int:
    """Width x height from the image header without decoding it (0 when unknown)."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            return int(img.width) * int(img.height)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return MAX_SNAPSHOT_PIXELS + 1


@functools.cache
def _server_decoder():
    """One decoder for every snapshot: it keeps only settings and is thread-safe."""
    from .decoder import Decoder

    return Decoder()


def scan_image(
    principal: Principal,
    data: bytes,
    *,
    checkpoint_id: str | None = None,
    venue_id: str | None = None,
    store: Store | None = None,
) -> list[ServerScan] | None:
    """Decode a snapshot and verify every code in it; None if the bytes are not an image."""
    import cv2
    import numpy as np

    require(principal, *SCANNERS)
    if len(data) > MAX_SNAPSHOT_BYTES or _pixels(data) > MAX_SNAPSHOT_PIXELS:
        return None
    try:
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    except Exception:  # noqa: BLE001
        image = None
    if image is None or image.size == 0:
        return None
    texts = [d.text for d in _server_decoder().decode(image)]
    return scan_texts(principal, texts, checkpoint_id=checkpoint_id, venue_id=venue_id, store=store)


def stats_for(principal: Principal, *, store: Store | None = None) -> dict[str, Any]:
    require(principal, *VIEWERS)
    return stats(_store(store))
