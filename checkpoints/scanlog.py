"""The station's scan log and the parser that reads one for upload.

Format ``rapid-checkpoint-log/2``: UTF-8 JSON lines, nothing that can execute. The first line
names the station (the id of its key, ``checkpoints.stationkey``)::

    {"format": "rapid-checkpoint-log/2", "station": "<16 hex digits>"}

then one line per verdict, each signed by the station's Ed25519 key::

    {"r": {"scan_id": "<32 hex>", "scanned_at": "2021-09-10T08:00:00.123457+00:00",
           "checkpoint_id": "cp-1", "staff": "Lan", "token_type": "TP", "verdict": "VALID",
           "reason": "VALID", "token_id": "P0ABC..." | null, "code": null | "<64 hex>"},
     "s": "<base64 Ed25519 signature>"}

The signature covers ``rapid-checkpoint-log/2``, the station id and the row as canonical JSON
(sorted keys, no spaces), so a line cannot be moved to another station's log, and a log cannot
be edited or forged without the station's key. Each line is written, flushed and synced the
moment the verdict is shown: a crash loses at most the line being written, which the next run
drops. ``token_id`` is there only when the token's signature verified (the server turns it into
a keyed hash on import and keeps nothing else of it), ``code`` (SHA-256 of the scanned text)
only when it did not. The raw ids are the reason a station's log is for uploading, not for
keeping: once the server has it, start a new log (``--log``) and delete the old file.

The parser trusts nothing in the file: size, line and row caps first, one strict schema, the
station looked up among those registered on the server, every signature checked. The staff
name and the checkpoint of the rows come from the station's registration, not from the file.
Rows carry a unique ``scan_id``; the central store merges on it, so uploading the same log
twice adds nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from core import clock

from .stationkey import StationKey
from .verify import UNVERIFIED_REASONS, ScanVerdict

LOG_FORMAT = "rapid-checkpoint-log/2"
DOMAIN = LOG_FORMAT.encode() + b"\0"
VERDICTS = frozenset({"VALID", "INVALID", "WARN"})
MAX_LOG_BYTES = 128 * 1024 * 1024
MAX_ROWS = 250_000
MAX_LINE_BYTES = 4096
ROW_KEYS = frozenset(
    {
        "scan_id",
        "scanned_at",
        "checkpoint_id",
        "staff",
        "token_type",
        "verdict",
        "reason",
        "token_id",
        "code",
    }
)
COLUMNS = ["scan_id", "scanned_at", "token_type", "verdict", "reason", "token_id", "code"]
"""Columns of a parsed log (``ParsedLog.rows``)."""

_SCAN_ID = re.compile(r"^[0-9a-f]{32}$")
_STATION = re.compile(r"^[0-9a-f]{16}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
_TEXT = re.compile(r"^[^\x00-\x1f\x7f]{1,100}$")
_TOKEN_ID = re.compile(r"^[^\x00-\x1f\x7f]{1,128}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$")
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


class LogError(Exception):
    """A scan log cannot be read or uploaded; ``str()`` says why. Nothing was written."""


def new_scan_id() -> str:
    return uuid.uuid4().hex


def canonical(row: Mapping[str, Any]) -> bytes:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signed_bytes(station: str, row: Mapping[str, Any]) -> bytes:
    return DOMAIN + station.encode("ascii") + b"\0" + canonical(row)


def _header(station: str) -> bytes:
    return canonical({"format": LOG_FORMAT, "station": station}) + b"\n"


# -- the station's side: write ---------------------------------------------------------------


class StationLog:
    """Append-only local log of verdicts (one JSON-lines file per station), each line signed."""

    def __init__(self, path: Path | str, key: StationKey) -> None:
        self.path = Path(path)
        self.key = key
        self.station = key.kid
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._file: BinaryIO = os.fdopen(fd, "r+b", buffering=0)
        except OSError as exc:
            raise LogError(f"cannot open the scan log {self.path}: {exc.strerror or exc}") from None
        try:
            self._prepare()
        except BaseException:
            self._file.close()
            raise

    def _prepare(self) -> None:
        f = self._file
        first = f.readline(MAX_LINE_BYTES + 1)
        if not first:
            f.write(_header(self.station))
            os.fsync(f.fileno())
            return
        try:
            head = json.loads(first)
        except ValueError:
            head = None
        if not (isinstance(head, dict) and head.get("format") == LOG_FORMAT):
            raise LogError(
                f"{self.path} is not a checkpoint scan log ({LOG_FORMAT}): give another --log"
            )
        if head.get("station") != self.station:
            raise LogError(f"{self.path} was written by another station key; give a new --log file")
        size = f.seek(0, os.SEEK_END)
        if size:
            f.seek(size - 1)
            if f.read(1) != b"\n":  # a line cut off by a crash: drop it
                f.seek(0)
                data = f.read()
                keep = data.rfind(b"\n") + 1
                f.truncate(keep)
                f.seek(keep)
                os.fsync(f.fileno())

    def append(
        self,
        verdict: ScanVerdict,
        *,
        checkpoint_id: str,
        staff: str,
        at: datetime | None = None,
    ) -> str:
        scan_id = new_scan_id()
        when = clock.as_utc(at or clock.now())
        row = {
            "scan_id": scan_id,
            "scanned_at": when.isoformat(timespec="microseconds"),
            "checkpoint_id": _clip(checkpoint_id, "-"),
            "staff": _clip(staff, "-"),
            "token_type": _clip(verdict.token_type, "?"),
            "verdict": verdict.verdict,
            "reason": _clip(verdict.reason, "?"),
            "token_id": verdict.token_id,
            "code": None if verdict.token_id else verdict.code,
        }
        sig = base64.b64encode(self.key.sign(signed_bytes(self.station, row))).decode()
        line = json.dumps({"r": row, "s": sig}, ensure_ascii=False, separators=(",", ":"))
        self._file.write(line.encode() + b"\n")
        os.fsync(self._file.fileno())
        return scan_id

    def close(self) -> None:
        try:
            self._file.close()
        except OSError:
            pass

    def __enter__(self) -> StationLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _clip(value: str, default: str) -> str:
    text = "".join(ch for ch in str(value or "") if ord(ch) >= 0x20 and ord(ch) != 0x7F)
    return text[:100] or default


# -- the server's side: read ------------------------------------------------------------------


@dataclass(frozen=True)
class StationRecord:
    """A station registered on the server (``cp_stations``)."""

    kid: str
    public_key: ed25519.Ed25519PublicKey
    checkpoint_id: str
    staff: str


@dataclass(frozen=True)
class ParsedLog:
    station: StationRecord
    rows: pd.DataFrame  # COLUMNS; scanned_at naive UTC


def _strict_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError("repeated key")
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _json_line(line: bytes, n: int) -> Any:
    try:
        return json.loads(
            line.decode("utf-8"),
            object_pairs_hook=_strict_object,
            parse_constant=_no_constants,
            parse_float=lambda s: _no_constants("a number"),
            parse_int=lambda s: _no_constants("a number"),
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise LogError(f"line {n}: not a scan log line") from None


def _check_row(row: Any, n: int) -> tuple[Any, ...]:
    if not isinstance(row, dict) or set(row) != ROW_KEYS:
        raise LogError(f"line {n}: the row does not have the scan log's fields")
    if not isinstance(row["scan_id"], str) or not _SCAN_ID.match(row["scan_id"]):
        raise LogError(f"line {n}: bad scan id")
    when = row["scanned_at"]
    if not isinstance(when, str) or not _TIME.match(when):
        raise LogError(f"line {n}: bad time")
    try:
        at = datetime.fromisoformat(when)
    except ValueError:
        raise LogError(f"line {n}: bad time") from None
    if at < _EARLIEST:
        raise LogError(f"line {n}: bad time")
    if row["verdict"] not in VERDICTS:
        raise LogError(f"line {n}: bad verdict")
    for name in ("checkpoint_id", "staff", "token_type", "reason"):
        value = row[name]
        if not isinstance(value, str) or not _TEXT.match(value):
            raise LogError(f"line {n}: bad {name}")
    tid, code = row["token_id"], row["code"]
    if tid is not None and (not isinstance(tid, str) or not _TOKEN_ID.match(tid)):
        raise LogError(f"line {n}: bad token id")
    if code is not None and (not isinstance(code, str) or not _HASH.match(code)):
        raise LogError(f"line {n}: bad code")
    if (tid is None) == (code is None):
        raise LogError(f"line {n}: a row names either a verified token id or a code")
    if tid is not None and row["reason"] in UNVERIFIED_REASONS:
        raise LogError(f"line {n}: a token id for a code that did not verify")
    return (
        row["scan_id"],
        clock.to_utc_naive(at),
        row["token_type"],
        row["verdict"],
        row["reason"],
        tid,
        code,
    )


def _verify_line(station: StationRecord, row: dict[str, Any], sig: Any, n: int) -> None:
    if not isinstance(sig, str) or len(sig) != 88:
        raise LogError(f"line {n}: bad signature")
    try:
        raw = base64.b64decode(sig, validate=True)
        station.public_key.verify(raw, signed_bytes(station.kid, row))
    except (binascii.Error, ValueError, InvalidSignature):
        raise LogError(
            f"line {n}: the signature does not match station {station.kid}"
            " (edited, or written by another station)"
        ) from None


def parse_log(data: BinaryIO, stations: Mapping[str, StationRecord], name: str) -> ParsedLog:
    """Parse and check a log read from ``data`` (at most ``MAX_LOG_BYTES`` are read)."""
    first = data.readline(MAX_LINE_BYTES + 1)
    if not first:
        raise LogError(f"{name} is empty")
    if len(first) > MAX_LINE_BYTES or not first.endswith(b"\n"):
        raise LogError(f"{name} is not a checkpoint scan log ({LOG_FORMAT})")
    try:
        head = _json_line(first, 1)
    except LogError:
        raise LogError(f"{name} is not a checkpoint scan log ({LOG_FORMAT})") from None
    if (
        not isinstance(head, dict)
        or set(head) != {"format", "station"}
        or head["format"] != LOG_FORMAT
        or not isinstance(head["station"], str)
        or not _STATION.match(head["station"])
    ):
        raise LogError(f"{name} is not a checkpoint scan log ({LOG_FORMAT})")
    station = stations.get(head["station"])
    if station is None:
        raise LogError(
            f"{name} comes from station {head['station']}, which is not registered"
            " (rapid checkpoint register-station)"
        )
    rows: list[tuple[Any, ...]] = []
    seen: set[str] = set()
    n = 1
    read = len(first)
    while True:
        line = data.readline(MAX_LINE_BYTES + 1)
        if not line:
            break
        n += 1
        read += len(line)
        if read > MAX_LOG_BYTES:
            raise LogError(f"{name} is too large for a scan log")
        if len(line) > MAX_LINE_BYTES:
            raise LogError(f"line {n}: too long for a scan log line")
        if not line.endswith(b"\n"):
            raise LogError(f"line {n}: cut off (the log is incomplete)")
        if len(rows) >= MAX_ROWS:
            raise LogError(f"{name} holds more than {MAX_ROWS:,} scans: upload it in parts")
        obj = _json_line(line, n)
        if not isinstance(obj, dict) or set(obj) != {"r", "s"}:
            raise LogError(f"line {n}: not a scan log line")
        parsed = _check_row(obj["r"], n)
        _verify_line(station, obj["r"], obj["s"], n)
        if parsed[0] in seen:
            raise LogError(f"line {n}: the log repeats a scan id")
        seen.add(parsed[0])
        rows.append(parsed)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["scanned_at"] = pd.to_datetime(frame["scanned_at"])
    return ParsedLog(station, frame)


def read_log(path: Path | str, stations: Mapping[str, StationRecord]) -> ParsedLog:
    """The checked rows of a station log file; LogError if it is not an intact, signed log of
    a registered station. Only reads bytes: nothing in the file is opened as a database or
    run."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise LogError(f"cannot read {p.name}: {exc.strerror or exc}") from None
    if size == 0:
        raise LogError(f"{p.name} is empty")
    if size > MAX_LOG_BYTES:
        raise LogError(f"{p.name} is too large for a scan log")
    try:
        with p.open("rb") as f:
            return parse_log(f, stations, p.name)
    except OSError as exc:
        raise LogError(f"cannot read {p.name}: {exc.strerror or exc}") from None
