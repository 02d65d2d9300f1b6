"""``make bench``: run every benchmark script in turn and summarise.

Each script prints its own figure, a baseline measured in the same run, and the ratio, and exits
non-zero when its target is missed. Pass names to run a subset: ``run_all.py qr_sign qr_png``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = {"run_all.py"}


def main(argv: list[str]) -> int:
    scripts = sorted(
        p
        for p in HERE.glob("*.py")
        if p.name not in SKIP
        and not p.name.startswith("_")
        and not p.stem.endswith("_common")
        and '__name__ == "__main__"' in p.read_text(encoding="utf-8")
    )
    if argv:
        wanted = {a.removesuffix(".py") for a in argv}
        scripts = [p for p in scripts if p.stem in wanted]
    results: list[tuple[str, int, float]] = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        results.append((script.name, code, time.perf_counter() - start))
    print("\n=== summary ===")
    for name, code, seconds in results:
        print(f"{'PASS' if code == 0 else 'FAIL'}  {name:<36} {seconds:7.1f} s")
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
