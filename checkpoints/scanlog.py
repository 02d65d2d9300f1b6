"""The station's scan log (a local DuckDB file) and the parser that reads one for upload.

Every verdict is written (and committed) the moment it is shown, so a crash or Ctrl-C loses
nothing. Rows carry a unique ``scan_id``; the central store merges on it, so uploading the same
log twice adds nothing.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from core import clock

from .verify import ScanVerdict

LOG_FORMAT = "rapid-checkpoint-log/1"
COLUMNS = [
    "scan_id",
    "scanned_at",
    "checkpoint_id",
    "staff",
    "token_hash",
    "token_type",
    "verdict",
    "reason",
]
VERDICTS = frozenset({"VALID", "INVALID", "WARN"})
MAX_LOG_BYTES = 512 * 1024 * 1024
_SELECT = (
    "SELECT scan_id, scanned_at, checkpoint_id, staff, token_hash, token_type, verdict, reason"
    " FROM scans"
)
_SCAN_ID = re.compile(r"^[0-9a-f]{32}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
_TEXT = re.compile(r"^[^\x00-\x1f\x7f]{1,100}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS log_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS scans (
    scan_id VARCHAR PRIMARY KEY,
    scanned_at TIMESTAMP NOT NULL,
    checkpoint_id VARCHAR NOT NULL,
    staff VARCHAR NOT NULL,
    token_hash VARCHAR NOT NULL,
    token_type VARCHAR NOT NULL,
    verdict VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);
"""


class LogError(Exception):
    """A scan log cannot be read or uploaded; ``str()`` says why. Nothing was written."""


def new_scan_id() -> str:
    return uuid.uuid4().hex


class StationLog:
    """Append-only local log of verdicts (one DuckDB file per station)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path))
            self._con.execute(_SCHEMA)
            self._con.execute(
                "INSERT INTO log_meta VALUES ('format', ?) ON CONFLICT DO NOTHING", [LOG_FORMAT]
            )
        except duckdb.Error as exc:
            raise LogError(f"cannot open the scan log {self.path}: {exc}") from None

    def append(
        self,
        verdict: ScanVerdict,
        *,
        checkpoint_id: str,
        staff: str,
        at: datetime | None = None,
    ) -> str:
        scan_id = new_scan_id()
        when = clock.to_utc_naive(at or clock.now())
        self._con.execute(
            "INSERT INTO scans VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                scan_id,
                when,
                checkpoint_id[:100],
                (staff or "-")[:100],
                verdict.token_hash,
                verdict.token_type[:100],
                verdict.verdict,
                verdict.reason[:100],
            ],
        )
        return scan_id

    def close(self) -> None:
        try:
            self._con.close()
        except duckdb.Error:
            pass

    def __enter__(self) -> StationLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def validate_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Check every row of an uploaded log; LogError naming the first bad row otherwise."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise LogError(f"missing column(s): {', '.join(missing)}")
    frame = frame[COLUMNS].copy()
    times = pd.to_datetime(frame["scanned_at"], errors="coerce", utc=True, format="mixed")
    for i, row in enumerate(frame.itertuples(index=False)):
        n = i + 1
        if not isinstance(row.scan_id, str) or not _SCAN_ID.match(row.scan_id):
            raise LogError(f"row {n}: bad scan id")
        if pd.isna(times.iloc[i]):
            raise LogError(f"row {n}: bad time")
        if not isinstance(row.token_hash, str) or not _HASH.match(row.token_hash):
            raise LogError(f"row {n}: bad token hash")
        if row.verdict not in VERDICTS:
            raise LogError(f"row {n}: bad verdict {str(row.verdict)[:20]!r}")
        for name in ("checkpoint_id", "staff", "token_type", "reason"):
            value = getattr(row, name)
            if not isinstance(value, str) or not _TEXT.match(value):
                raise LogError(f"row {n}: bad {name}")
    if frame["scan_id"].duplicated().any():
        raise LogError("the log repeats a scan id")
    frame["scanned_at"] = times.dt.tz_convert("UTC").dt.tz_localize(None)
    return frame.reset_index(drop=True)


UNTRUSTED_FILE_CONFIG = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "lock_configuration": True,
}
"""An uploaded log is someone else's database: it may hold views that read server files
(``read_text('data/keys/*.pem')``) or reach the network. Open it with those turned off and
read only real tables."""


def read_log(path: Path | str) -> pd.DataFrame:
    """The validated rows of a station log file; LogError if it is not a readable, intact log."""
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
        con = duckdb.connect(str(p), read_only=True, config=UNTRUSTED_FILE_CONFIG)
    except Exception as exc:  # noqa: BLE001 - duckdb raises several kinds on garbage
        raise LogError(f"{p.name} is not a scan log (corrupt or another kind of file)") from exc
    try:
        kinds = dict(
            con.execute(
                "SELECT table_name, table_type FROM information_schema.tables"
                " WHERE table_name IN ('scans', 'log_meta')"
            ).fetchall()
        )
        if kinds != {"scans": "BASE TABLE", "log_meta": "BASE TABLE"}:
            raise LogError(f"{p.name} is not a checkpoint scan log (tables missing or not tables)")
        try:
            fmt = con.execute("SELECT value FROM log_meta WHERE key = 'format'").fetchone()
        except Exception:  # noqa: BLE001
            fmt = None
        if fmt is None or fmt[0] != LOG_FORMAT:
            raise LogError(f"{p.name} is not a checkpoint scan log ({LOG_FORMAT})")
        try:
            frame = con.execute(_SELECT).df()
        except Exception as exc:  # noqa: BLE001
            raise LogError(
                f"{p.name}: the scans table cannot be read ({type(exc).__name__})"
            ) from None
    finally:
        con.close()
    return validate_rows(frame)
