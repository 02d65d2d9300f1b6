"""64 threads submitting 10,000 declarations through the service at once: exactly 10,000 rows,
no error, and the throughput. Baseline (same run): the same 10,000 from one thread."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from health_common import fresh_store  # noqa: E402
from health_declare import form  # noqa: E402

N = 10_000


def run(threads: int, offset: int) -> tuple[float, int]:
    from apps.health_declaration import service

    store = fresh_store()
    service.submit_declaration(None, form(99_999_999))  # keys, caches
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda i: service.submit_declaration(None, form(offset + i)), range(N)))
    took = time.perf_counter() - t0
    rows = store.scalar("SELECT count(*) FROM hd_declarations WHERE person_id <> '048999999999'")
    store.close()
    return took, rows


def main() -> None:
    took, rows = run(64, 0)
    base, base_rows = run(1, 0)
    print(
        f"64 threads: {rows:,} rows (expected {N:,}) in {took:.1f} s = {N / took:,.0f} declarations/s"
    )
    print(f"baseline 1 thread: {base_rows:,} rows in {base:.1f} s = {N / base:,.0f} declarations/s")
    print(
        f"ratio throughput 64/1: {base / took:.2f}  {'PASS' if rows == N and base_rows == N else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
