"""Approving one request of 200 employees (sign + store 200 permits, one transaction) <= 1 s.
Baseline: storing the same 200 permit rows unsigned (no QR core), same run."""

from __future__ import annotations

import time

import pandas as pd
from travel_permit_common import fresh_store

from apps.travel_permit import service
from apps.travel_permit.demo import seed_small
from apps.travel_permit.service import Decision
from core import accounts, clock
from core.demo import ensure_demo_users
from core.forms.table import TableResult

LIMIT = 1.0


def main() -> None:
    store = fresh_store()
    ensure_demo_users(store)
    seed_small(store)
    who = accounts.principal_for(accounts.get_user("dn_business2", store=store))
    approver = accounts.principal_for(accounts.get_user("approver", store=store))
    rows = [
        {
            "full_name": "Phạm Thị Hoa",
            "cccd": f"0489900{i:05d}",
            "phone": "0905123456",
            "home_ward": 20275,
            "work_ward": 20275,
            "plate": "",
            "job_title": "",
        }
        for i in range(700)
    ]
    form = service.roster_form(service.my_business(who, store=store))
    service.import_roster(who, TableResult(form, pd.DataFrame(rows)), store=store)
    today = clock.local(clock.now()).date()
    answers = {
        "employees": [r["cccd"] for r in rows[:200]],
        "purpose": "Bench",
        "start_date": today,
        "end_date": today,
        "zones": [20275],
    }
    rid = service.submit_request(who, answers, store=store)
    from core.qr import service as qr

    qr.signer()
    t0 = time.perf_counter()
    service.decide(approver, rid, Decision.approve_all(), store=store)
    ours = time.perf_counter() - t0
    frame = store.df("SELECT * FROM tp_permits WHERE request_id = ?", [rid])
    frame["permit_id"] = frame["permit_id"] + "X"
    t0 = time.perf_counter()
    with store.transaction():
        store.insert_df("tp_permits", frame)
    base = time.perf_counter() - t0
    print(f"approve 200 employees (sign+store+audit)  ours {ours:.3f} s  (limit {LIMIT} s)")
    print(f"baseline unsigned insert of 200 permits    {base:.3f} s")
    print(f"ratio ours/baseline {ours / base:.1f}  {'PASS' if ours <= LIMIT else 'FAIL'}")


if __name__ == "__main__":
    main()
