"""Read throttling: a code held in front of the camera yields one verdict, not thirty a second."""

from __future__ import annotations

import threading


class ReadThrottle:
    """Accept a given code text at most once per ``window_s`` seconds.

    ``accept(text, t)`` is True for the first read of ``text`` and again once ``window_s``
    seconds have passed since the last *accepted* read of it. ``t`` is a monotonic time in
    seconds supplied by the caller (frame timestamp), so tests need no clock. Old entries are
    pruned so memory stays bounded over a long shift.
    """

    def __init__(self, window_s: float = 3.0, max_entries: int = 4096) -> None:
        if window_s < 0:
            raise ValueError("window_s must be >= 0")
        self.window_s = float(window_s)
        self.max_entries = max_entries
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def accept(self, text: str, t: float) -> bool:
        """True if this read of ``text`` at time ``t`` should produce a verdict."""
        with self._lock:
            last = self._last.get(text)
            if last is not None and t - last < self.window_s and t >= last:
                return False
            self._last[text] = t
            if len(self._last) > self.max_entries:
                self._prune(t)
            return True

    def reset(self) -> None:
        """Forget every code (e.g. when the operator switches lanes)."""
        with self._lock:
            self._last.clear()

    def _prune(self, now: float) -> None:
        expired = [k for k, v in self._last.items() if now - v >= self.window_s]
        for k in expired:
            del self._last[k]
        if len(self._last) > self.max_entries:  # still full: drop the oldest
            for k, _ in sorted(self._last.items(), key=lambda kv: kv[1])[
                : len(self._last) - self.max_entries
            ]:
                del self._last[k]
