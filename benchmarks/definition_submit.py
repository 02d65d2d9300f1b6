"""A submission to a definition app <= 20 ms server time (p95), the built-in apps' budget:
validation through the workbook's form, the unique check, the insert into ``app_<id>``, the
audit row and, for market vouchers, the signed QR code (issued on submission).

Baseline (same run, same machine and database): a health declaration through the built-in
app's own service (validate, store, sign the pass). Exits 1 if the target is missed.

"Server time" is judged on the CPU time the process spends per submission (``process_time``,
every thread, DuckDB's included): the machines these run on are shared (the load average is
printed), and elapsed time there mostly measures the other tenants. Elapsed time is printed
beside it, for both ours and the baseline.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from definition_common import fresh_store, install

LIMIT_MS = 20.0
N = 400


def market(i: int) -> dict:
    return {
        "head": "Trần Thị Bích Ngọc", "household_no": 1000 + i, "members": 3,
        "phone": "0905123456", "province": 48, "ward": 20242,
        "address": "12 Hùng Vương", "market": "cho-con",
    }  # fmt: skip


def relief(i: int) -> dict:
    from core.forms.identity import compose_cccd

    return {
        "head": "Nguyễn Văn Hùng", "cccd": compose_cccd(48, 1975, "M", 1000 + i),
        "phone": "0905999888", "members": 4, "province": 48, "ward": 20275,
        "address": "40 Ngô Quyền", "needs": ["rice", "water"], "point": "cuu-tro-an-hai",
    }  # fmt: skip


def declaration(i: int) -> dict:
    from core import geo

    return {
        "full_name": "Nguyễn Thị Thu Hà", "birth_year": "1985", "sex": "F", "nationality": "VN",
        "id_kind": "cccd", "person_id": f"048185{i:06d}", "phone": f"0905{i % 10**6:06d}",
        "province_code": 48, "ward_code": geo.wards(48)[i % 20].code, "street": "12 Bạch Đằng",
        "symptoms": ["fever"] if i % 5 == 0 else [], "committed": True,
    }  # fmt: skip


def times(fn, n: int) -> tuple[list[float], list[float]]:
    """(CPU ms, elapsed ms) of each call."""
    cpu, wall = [], []
    for i in range(n):
        c0, t0 = time.process_time(), time.perf_counter()
        fn(i)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - t0) * 1000)
    return cpu, wall


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95)]


def main() -> int:
    from apps.health_declaration import service as hd
    from core.auth import Grant, Principal
    from core.definitions import service

    store = fresh_store()
    install(store, "market_vouchers.xlsx")
    install(store, "relief_aid.xlsx")
    official = Principal.of("bench", [Grant("can_bo_phuong", "ward:20242")])
    for i in range(20):  # warm-up (imports, caches, the signer)
        service.submit(official, "phieu_di_cho", market(90_000 + i))
        service.submit(None, "ho_tro_cuu_tro", relief(90_000 + i))
        hd.submit_declaration(None, declaration(900_000 + i))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    mv, mv_wall = times(lambda i: service.submit(official, "phieu_di_cho", market(i)), N)
    ra, ra_wall = times(lambda i: service.submit(None, "ho_tro_cuu_tro", relief(i)), N)
    base, base_wall = times(lambda i: hd.submit_declaration(None, declaration(500_000 + i)), N)
    for label, cpu, wall in (
        ("market voucher (validate+store+sign+audit)", mv, mv_wall),
        ("relief request (validate+store+audit)     ", ra, ra_wall),
        ("baseline, a built-in health declaration   ", base, base_wall),
    ):
        print(
            f"{label}: CPU median {statistics.median(cpu):.2f} ms, p95 {p95(cpu):.2f} ms;"
            f" elapsed median {statistics.median(wall):.2f} ms, p95 {p95(wall):.2f} ms"
        )
    ok = p95(mv) <= LIMIT_MS and p95(ra) <= LIMIT_MS
    ratio = statistics.median(mv) / statistics.median(base)
    print(
        f"ours (market voucher, CPU p95) {p95(mv):.2f} ms, limit {LIMIT_MS} ms;"
        f" ratio ours/baseline (CPU medians) {ratio:.2f}  {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
