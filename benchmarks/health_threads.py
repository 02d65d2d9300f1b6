"""64 threads submitting 10,000 declarations through the service at once: exactly 10,000 rows,
no error, and the throughput. Baseline (same run): the same 10,000 from one thread.

Also checked: one signed pass (HD1: token) per declaration. Exits 1 on any miss.
"""

from __future__ import annotations

import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from health_common import fresh_store, load  # noqa: E402
from health_declare import form  # noqa: E402

N = 10_000
THREADS = 64
WARM_ID = 999_999  # person id 048185999999, declared once before timing


def run(threads: int, offset: int) -> tuple[float, int, int, list[str]]:
    """Seconds, declaration rows, pass tokens (both without the warm-up's) and the errors."""
    from apps.health_declaration import service

    folder = tempfile.TemporaryDirectory(prefix="hd-bench-")
    store = fresh_store(Path(folder.name))
    service.submit_declaration(None, form(WARM_ID))  # keys, caches
    errors: list[str] = []

    def one(i: int) -> None:
        try:
            service.submit_declaration(None, form(offset + i))
        except Exception as exc:  # counted and shown, not fatal: the point is how many fail
            errors.append(f"{type(exc).__name__}: {exc}")

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, range(N)))
    took = time.perf_counter() - t0
    rows = store.scalar("SELECT count(*) FROM hd_declarations WHERE person_id <> '048185999999'")
    tokens = store.scalar(
        "SELECT count(*) FROM qr_tokens t JOIN hd_declarations d ON d.token_id = t.token_id"
        " WHERE t.prefix = 'HD1:' AND d.person_id <> '048185999999'"
    )
    store.close()
    folder.cleanup()
    return took, rows, tokens, errors


def main() -> int:
    print(load())
    took, rows, tokens, errors = run(THREADS, 0)
    print(load())
    base, base_rows, base_tokens, base_errors = run(1, 0)
    print(load())
    print(
        f"{THREADS} threads: {rows:,} rows, {tokens:,} passes (expected {N:,}), {len(errors)}"
        f" errors, in {took:.1f} s = {N / took:,.0f} declarations/s"
    )
    print(
        f"baseline 1 thread: {base_rows:,} rows, {base_tokens:,} passes, {len(base_errors)}"
        f" errors, in {base:.1f} s = {N / base:,.0f} declarations/s"
    )
    for e in sorted(set(errors + base_errors))[:10]:
        print("error:", e)
    ok = rows == tokens == base_rows == base_tokens == N and not errors and not base_errors
    print(f"ratio throughput {THREADS}/1: {base / took:.2f}  {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
