"""The station loop: frames -> decode -> one read per code per few seconds -> verify -> log.

Used by ``rapid checkpoint scan`` and the benchmarks; the Streamlit scanner page uses the same
``Station.process_frame`` on one snapshot.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from core import clock

from .decoder import Decoder
from .dedupe import ReadThrottle
from .scanlog import StationLog
from .verify import ScanVerdict, Verifier

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanEvent:
    verdict: ScanVerdict
    at: datetime
    scan_id: str | None
    frame_index: int
    source_name: str
    polygon: list[tuple[int, int]] = field(default_factory=list)

    def to_json(self, checkpoint_id: str) -> dict[str, Any]:
        v = self.verdict
        return {
            "time": self.at.isoformat(timespec="seconds"),
            "checkpoint": checkpoint_id,
            "source": self.source_name,
            "frame": self.frame_index,
            "verdict": v.verdict,
            "reason": v.reason,
            "type": v.token_type,
            "fields": v.fields,
            "scan_id": self.scan_id,
        }


@dataclass
class Summary:
    frames: int = 0
    frames_without_code: int = 0
    verdicts: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)
    interrupted: bool = False

    @property
    def scans(self) -> int:
        return sum(self.verdicts.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": True,
            "frames": self.frames,
            "scans": self.scans,
            "valid": self.verdicts.get("VALID", 0),
            "invalid": self.verdicts.get("INVALID", 0),
            "warn": self.verdicts.get("WARN", 0),
            "reasons": dict(self.reasons),
            "seconds": round(time.monotonic() - self.started, 1),
            "interrupted": self.interrupted,
        }


class Station:
    """One checkpoint lane: a verifier, a read throttle and (optionally) the local scan log."""

    def __init__(
        self,
        verifier: Verifier,
        *,
        checkpoint_id: str,
        staff: str = "-",
        scan_log: StationLog | None = None,
        throttle_seconds: float = 3.0,
        decoder: Decoder | None = None,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self.verifier = verifier
        self.checkpoint_id = checkpoint_id
        self.staff = staff
        self.scan_log = scan_log
        self.throttle = ReadThrottle(throttle_seconds)
        self.decoder = decoder or Decoder()
        self.now = now
        self.summary = Summary()

    def process_frame(
        self, image: np.ndarray, t: float, *, frame_index: int = 0, source_name: str = ""
    ) -> list[ScanEvent]:
        """Verdicts for the codes in one frame that were not read in the last few seconds."""
        self.summary.frames += 1
        found = self.decoder.decode(image)
        if not found:
            self.summary.frames_without_code += 1
            return []
        events = []
        for d in found:
            if not self.throttle.accept(d.text, t):
                continue
            at = self.now()
            verdict = self.verifier.check(d.text, at)
            scan_id = None
            if self.scan_log is not None:
                scan_id = self.scan_log.append(
                    verdict, checkpoint_id=self.checkpoint_id, staff=self.staff, at=at
                )
            self.summary.verdicts[verdict.verdict] += 1
            self.summary.reasons[verdict.reason] += 1
            events.append(
                ScanEvent(verdict, at, scan_id, frame_index, source_name, list(d.polygon))
            )
        return events

    def run(
        self,
        frames: Iterable[Any],
        on_event: Callable[[ScanEvent], None],
        *,
        still_images: bool = False,
        on_empty: Callable[[Any], None] | None = None,
        check_alive: Callable[[], None] | None = None,
    ) -> Summary:
        """Scan every frame. Still images are separate scans (no throttling between files)."""
        window = self.throttle.window_s
        for frame in frames:
            if check_alive is not None:
                check_alive()
            t = frame.index * (window + 1.0) if still_images else frame.timestamp_s
            events = self.process_frame(
                frame.image, t, frame_index=frame.index, source_name=frame.source_name
            )
            if not events and on_empty is not None and still_images:
                on_empty(frame)
            for ev in events:
                on_event(ev)
        return self.summary
