"""A 5,000-row roster upload validated and stored <= 3 s. Baseline: the same rows stored by a
naive row-by-row INSERT (no validation), measured in the same run."""

from __future__ import annotations

import time

from travel_permit_common import fresh_store

from apps.travel_permit import service
from core import accounts
from core.auth import ANONYMOUS
from core.forms.table import parse_upload, template_headers

ROWS, LIMIT = 5_000, 3.0


def main() -> None:
    store = fresh_store()
    from apps.travel_permit.demo import _mst

    answers = {
        "name": "Công ty Bench",
        "tax_code": _mst(1),
        "sector": "it",
        "address": "1 Lê Lợi",
        "ward_code": 20275,
        "contact_name": "Lê Văn A",
        "phone": "0905123456",
        "username": "bench_dn",
        "password": "Benchmark2021",
    }
    service.register_business(ANONYMOUS, answers, store=store)
    who = accounts.principal_for(accounts.get_user("bench_dn", store=store))
    form = service.roster_form(service.my_business(who, store=store))
    head = ",".join(template_headers(form))
    body = "".join(
        f"Nguyễn Văn An,0480900{i:05d},0905123456,Hải Châu,An Hải,43A-123.45,Kỹ sư\n"
        for i in range(ROWS)
    )
    data = ("\ufeff" + head + "\n" + body).encode()
    t0 = time.perf_counter()
    parsed = parse_upload(
        form, "r.csv", data, max_rows=50_000, max_bytes=20_000_000, unique=("cccd",)
    )
    service.import_roster(who, parsed, store=store)
    ours = time.perf_counter() - t0
    assert len(parsed.good) == ROWS and not parsed.errors
    store.execute("CREATE TABLE naive (cccd VARCHAR, full_name VARCHAR, phone VARCHAR)")
    t0 = time.perf_counter()
    for i in range(ROWS):
        store.execute(
            "INSERT INTO naive VALUES (?, ?, ?)", [f"0480900{i:05d}", "Nguyễn Văn An", "0905123456"]
        )
    base = time.perf_counter() - t0
    print(f"roster upload {ROWS} rows (validate + upsert)  ours {ours:.3f} s  (limit {LIMIT} s)")
    print(f"baseline naive row-by-row INSERT, no validation  {base:.3f} s")
    print(f"ratio ours/baseline {ours / base:.2f}  {'PASS' if ours <= LIMIT else 'FAIL'}")


if __name__ == "__main__":
    main()
