"""Register test plugins through real entry points: a ``.dist-info`` folder on ``sys.path``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def write_dist(site: Path, entries: dict[str, str], name: str = "tiny_plugin") -> Path:
    """Create ``name-0.1.dist-info`` in ``site`` publishing ``entries`` under ``rapid.apps``."""
    info = site / f"{name}-0.1.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    lines = "\n".join(f"{k} = {v}" for k, v in entries.items())
    (info / "entry_points.txt").write_text(f"[rapid.apps]\n{lines}\n")
    return site


def activate(site: Path) -> None:
    for path in (str(site), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)


@contextmanager
def database_held_by_another_process(path: Path) -> Iterator[None]:
    """Another process opens ``path`` read-write (as a running server does) for the block."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(path)!r}); print('ok', flush=True);"
            " time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        yield
    finally:
        holder.kill()
        holder.wait()
