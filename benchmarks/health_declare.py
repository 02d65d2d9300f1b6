"""One declaration (validate, store, sign the pass) <= 20 ms server time, on the city database.

Baseline (same run): validation alone (the pure-Python part), to show what storing + signing
add.
"""

from __future__ import annotations

import statistics
import time

from health_common import city_store  # noqa: E402

LIMIT_MS = 20.0


def form(i: int) -> dict:
    from core import geo

    return {
        "full_name": "Nguyễn Thị Thu Hà", "birth_year": "1985", "sex": "F", "nationality": "VN",
        "id_kind": "cccd", "person_id": f"0489{i:08d}", "phone": "0905123456",
        "province_code": 48, "ward_code": geo.wards(48)[i % 20].code, "street": "12 Bạch Đằng",
        "symptoms": ["fever"] if i % 5 == 0 else [], "committed": True,
    }  # fmt: skip


def main() -> None:
    from apps.health_declaration import service
    from apps.health_declaration.models import validate_declaration

    store = city_store()
    n0 = store.scalar("SELECT count(*) FROM hd_declarations")
    for i in range(20):  # warm-up
        service.submit_declaration(None, form(90_000_000 + i))
    times = []
    for i in range(300):
        t0 = time.perf_counter()
        service.submit_declaration(None, form(i))
        times.append((time.perf_counter() - t0) * 1000)
    base = []
    for i in range(300):
        t0 = time.perf_counter()
        validate_declaration(form(i))
        base.append((time.perf_counter() - t0) * 1000)
    p50, p95 = statistics.median(times), sorted(times)[int(len(times) * 0.95)]
    b50 = statistics.median(base)
    print(f"declarations in the table: {n0:,}")
    print(
        f"one declaration (validate+store+sign): median {p50:.2f} ms, p95 {p95:.2f} ms (limit {LIMIT_MS} ms)"
    )
    print(f"baseline validation only: median {b50:.3f} ms")
    print(f"ratio ours/baseline: {p50 / b50:.1f}  {'PASS' if p95 <= LIMIT_MS else 'FAIL'}")


if __name__ == "__main__":
    main()
