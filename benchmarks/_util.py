"""Tiny timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a clone, no install


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Lowest CPU time of this process (seconds) over ``repeat`` runs of ``fn``.

    CPU time, not wall time: the code is single-threaded, so this is the cost on one core,
    and it is not inflated when other jobs share the machine (tests, other benchmarks).
    """
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def interleaved(
    ours: Callable[[], object], base: Callable[[], object], repeat: int = 3
) -> tuple[float, float]:
    """Best CPU times of ``ours`` and ``base``, run alternately so load drift hits both."""
    a = b = float("inf")
    for _ in range(repeat):
        a = min(a, best_of(ours, 1))
        b = min(b, best_of(base, 1))
    return a, b


def line(label: str, value: float, unit: str) -> None:
    print(f"{label:<44} {value:>14,.1f} {unit}")
