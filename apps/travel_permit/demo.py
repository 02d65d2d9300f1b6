"""Demo data. ``small``: three Da Nang businesses with logins dn_business1..3 (demo password),
rosters, requests in every state and permits valid today. ``city``: the same three businesses,
then Da Nang, 5-29 Sept 2021, up to exactly 68,735 applications, 22,559 approved, 43,015
rejected, the rest pending, 507,510 signed permits - built as DataFrames and bulk-inserted (no
row-by-row database loops).

The city's figures are the totals ``rapid stats`` shows: the city history adds only what the
store lacks (the small demo's requests, seeded by ``make run`` on the first start or just
before, and whatever people asked for while trying it), so the figures are Da Nang's exactly and
the demo logins of the small demo work on the city demo too."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from core import accounts, audit, clock, geo
from core.demo import DEMO_PASSWORD
from core.registry import DemoContext
from core.store import Store

from . import service
from .forms import REJECT_REASONS, SECTORS
from .service import Decision

log = logging.getLogger(__name__)

CITY = {"applications": 68_735, "approved": 22_559, "rejected": 43_015, "permits": 507_510}
BUSINESSES_PER_APPLICATION = 9_000 / 68_735
"""The city's businesses (no login accounts) for its applications: 9,000 at Da Nang's scale."""
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đoàn",
    "Trương",
    "Mai",
    "Tôn",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Hữu",
    "Đức",
    "Minh",
    "Thanh",
    "Ngọc",
    "Quốc",
    "Thu",
    "Xuân",
    "Hoài",
    "Công",
    "Kim",
    "Bảo",
    "Anh",
]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Nhung",
    "Phúc",
    "Phương",
    "Quân",
    "Quang",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Trung",
    "Tuấn",
    "Vy",
    "Yến",
]
COMPANY = [
    "Thương mại",
    "Vận tải",
    "Thực phẩm",
    "Xây dựng",
    "Dịch vụ",
    "Cơ khí",
    "Dệt may",
    "Thủy sản",
    "Dược phẩm",
    "Logistics",
]
COMPANY_NAMES = [
    "Sông Hàn",
    "Ngũ Hành",
    "Tiên Sa",
    "Hải Vân",
    "Sơn Trà",
    "Bà Nà",
    "Mỹ Khê",
    "Non Nước",
    "Cẩm Lệ",
    "Liên Chiểu",
    "Hòa Vang",
    "Thanh Khê",
]


def seed(ctx: DemoContext) -> None:
    """The small demo; for ``city`` then the city's history up to Da Nang's figures."""
    if ctx.scale == "city":
        seed_small(ctx.store, lambda f, s: ctx.progress(0.05 * f, s), seed=ctx.seed)
        seed_city(ctx.store, lambda f, s: ctx.progress(0.05 + 0.95 * f, s), seed=ctx.seed)
    else:
        seed_small(ctx.store, ctx.progress, seed=ctx.seed)


def _mst(n: int) -> str:
    """A valid tax code (check digit of Vietnam's MST) derived from ``n``."""
    from stdnum.vn.mst import calc_check_digit

    while True:
        first9 = f"04{n % 10_000_000:07d}"
        check = calc_check_digit(first9)
        if len(check) == 1:
            return first9 + check
        n += 1


def _approver(store: Store):
    try:
        return accounts.principal_for(accounts.get_user("approver", store=store))
    except accounts.AccountError:
        return accounts.principal_for(
            accounts.insert_user(
                "system", "approver", "Trần Thị Duyệt", "approver", DEMO_PASSWORD, store=store
            )
        )


# -- small ------------------------------------------------------------------------------------


def seed_small(store: Store, progress=lambda f, s: None, *, seed: int = 2021) -> None:
    from core.auth import ANONYMOUS

    if store.scalar("SELECT count(*) FROM tp_businesses WHERE username LIKE 'dn_business%'"):
        return
    rng = np.random.default_rng(seed)
    wards = [u.code for u in geo.wards(geo.DA_NANG)]
    approver = _approver(store)
    today = clock.today_local()
    names = [
        ("Công ty TNHH Vận tải Sông Hàn", "logistics"),
        ("Công ty CP Thực phẩm Tiên Sa", "food"),
        ("Siêu thị Hải Vân", "retail"),
    ]
    for b, (company, sector) in enumerate(names, start=1):
        progress(b / 4, f"business {b}")
        username = f"dn_business{b}"
        answers = {
            "name": company,
            "tax_code": _mst(4000 + b * 37),
            "sector": sector,
            "address": f"{10 + b} Bạch Đằng",
            "ward_code": wards[b],
            "contact_name": f"{FAMILY[b]} {MIDDLE[b]} {GIVEN[b]}",
            "phone": f"090512345{b}",
            "username": username,
            "password": DEMO_PASSWORD,
        }
        service.register_business(ANONYMOUS, answers, store=store)
        principal = accounts.principal_for(accounts.get_user(username, store=store))
        bid = service.my_business(principal, store=store)["id"]
        if b == 3:
            continue  # stays pending: the approver has an account to verify
        service.verify_business(approver, bid, True, store=store)
        emps = []
        for i in range(40):
            emps.append(
                {
                    "full_name": f"{FAMILY[rng.integers(len(FAMILY))]}"
                    f" {MIDDLE[rng.integers(len(MIDDLE))]} {GIVEN[rng.integers(len(GIVEN))]}",
                    "cccd": f"048{b:02d}{rng.integers(1940, 2003) % 100:02d}{i:05d}",
                    "phone": f"090{rng.integers(10**6, 10**7)}",
                    "home_ward": wards[int(rng.integers(len(wards)))],
                    "work_ward": wards[b],
                    "job_title": "Nhân viên",
                }
            )
        for emp in emps:
            service.save_employee(principal, emp, store=store)
        ids = [e["cccd"] for e in emps]

        def form_for(chosen, days=7, b=b):
            return {
                "employees": chosen,
                "purpose": "Đi làm tại cơ sở sản xuất, kinh doanh thiết yếu",
                "start_date": today,
                "end_date": today + timedelta(days=days - 1),
                "zones": [wards[b], wards[b + 3], wards[0]],
                "start_minute": 5 * 60,
                "end_minute": 21 * 60,
            }

        r_ok = service.submit_request(principal, form_for(ids[0:5]), store=store)
        service.decide(approver, r_ok, Decision.approve_all(), store=store)
        r_part = service.submit_request(principal, form_for(ids[5:8]), store=store)
        service.decide(
            approver,
            r_part,
            Decision(frozenset(ids[5:7]), "employee_data", "Số CCCD của một người không khớp"),
            store=store,
        )
        r_rej = service.submit_request(principal, form_for(ids[8:10]), store=store)
        service.decide(
            approver,
            r_rej,
            Decision.reject_all("not_essential", "Ngành nghề không thuộc diện thiết yếu"),
            store=store,
        )
        service.submit_request(principal, form_for(ids[10:12]), store=store)  # pending
        if b == 1:
            pid = service.list_permits(principal, request_id=r_ok, store=store).iloc[0]["permit_id"]
            service.revoke_permit(principal, pid, "Nhân viên đã nghỉ việc", store=store)
    progress(1.0, "small demo done")


# -- city -------------------------------------------------------------------------------------


def _names(rng, n: int) -> np.ndarray:
    f = np.array(FAMILY, dtype=object)[rng.integers(0, len(FAMILY), n)]
    m = np.array(MIDDLE, dtype=object)[rng.integers(0, len(MIDDLE), n)]
    g = np.array(GIVEN, dtype=object)[rng.integers(0, len(GIVEN), n)]
    return f + " " + m + " " + g


def _aware_utc(values: np.ndarray) -> np.ndarray:
    """datetime64 (naive UTC) -> aware UTC datetimes, each distinct value converted once."""
    uniq, inverse = np.unique(values, return_inverse=True)
    aware = [pd.Timestamp(u).floor("us").to_pydatetime().replace(tzinfo=UTC) for u in uniq]
    return np.array(aware, dtype=object)[inverse]


def _split_total(rng, n: int, total: int, mean_shape: float = 1.3) -> np.ndarray:
    """n positive integers summing exactly to total (gamma-distributed sizes; total >= n)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    w = rng.gamma(mean_shape, 1.0, n)
    sizes = np.maximum(1, np.floor(w / w.sum() * total)).astype(np.int64)
    diff = total - int(sizes.sum())
    idx = rng.integers(0, n, abs(diff))
    np.add.at(sizes, idx, 1 if diff > 0 else 0)
    if diff < 0:  # take back from the largest
        order = np.argsort(-sizes)
        k = 0
        while diff < 0:
            j = order[k % n]
            if sizes[j] > 1:
                sizes[j] -= 1
                diff += 1
            k += 1
    return sizes


def remaining(store: Store, volumes: dict[str, int]) -> dict[str, int]:
    """What the city history adds so that ``service.stats`` shows ``volumes`` (``shortfall``
    of the store's counts)."""
    return shortfall(service.stats(store), volumes)


def shortfall(have: dict[str, int], volumes: dict[str, int]) -> dict[str, int]:
    """``volumes`` minus ``have`` per figure (applications, approved, rejected, pending,
    permits), never below zero, and never more approved requests than permits to share."""
    ok = max(0, volumes["approved"] - have["approved"])
    rejected = max(0, volumes["rejected"] - have["rejected"])
    pending = max(
        0, volumes["applications"] - volumes["approved"] - volumes["rejected"] - have["pending"]
    )
    permits = max(0, volumes["permits"] - have["permits"])
    ok = min(ok, permits)  # every approved request carries at least one permit
    return {
        "applications": ok + rejected + pending,
        "approved": ok,
        "rejected": rejected,
        "pending": pending,
        "permits": permits,
    }


def seed_city(
    store: Store,
    progress=lambda f, s: None,
    *,
    seed: int = 2021,
    volumes: dict[str, int] | None = None,
) -> dict[str, int]:
    """Da Nang 2021 volumes (``volumes``, default ``CITY``): the store's totals after it. Returns
    the counts (``service.stats``)."""
    from core.qr import service as qr

    if store.scalar("SELECT count(*) FROM tp_businesses WHERE user_id LIKE 'city:%'"):
        return service.stats(store)
    todo = remaining(store, volumes or CITY)
    log.info("travel permit city demo adds %s", todo)
    if not todo["applications"]:
        return service.stats(store)
    rng = np.random.default_rng(seed)
    wards = np.array([u.code for u in geo.wards(geo.DA_NANG)], dtype=np.int32)
    n_apps, n_ok, n_rej = todo["applications"], todo["approved"], todo["rejected"]
    n_pend = todo["pending"]
    n_biz = max(10, round(n_apps * BUSINESSES_PER_APPLICATION))
    progress(0.01, "businesses")
    # businesses: no login accounts (user_id 'city:<n>'), verified, spread over Da Nang's wards
    biz_ids = np.array([f"city-{i:05d}" for i in range(n_biz)], dtype=object)
    taxes = [_mst(100_000 + i * 7) for i in range(n_biz)]
    biz_ward = wards[rng.integers(0, len(wards), n_biz)]
    created = datetime(2021, 9, 1, 1, 0)
    businesses = pd.DataFrame(
        {
            "id": biz_ids,
            "user_id": "city:" + pd.Series(biz_ids),
            "username": "",
            "name": [
                f"Công ty {COMPANY[i % len(COMPANY)]} {COMPANY_NAMES[(i // 10) % len(COMPANY_NAMES)]} {i}"
                for i in range(n_biz)
            ],
            "tax_code": taxes,
            "sector": np.array(SECTORS, dtype=object)[rng.integers(0, len(SECTORS), n_biz)],
            "address": "Đà Nẵng",
            "province_code": geo.DA_NANG,
            "ward_code": biz_ward,
            "contact_name": _names(rng, n_biz),
            "phone": "0905000000",
            "status": "verified",
            "status_reason": "",
            "created_at": created,
            "verified_at": created,
            "verified_by": "approver",
        }
    )
    store.insert_df("tp_businesses", businesses)

    # requests: statuses in exact proportions, shuffled; sizes sum to the permit total
    status = np.array(
        ["approved"] * n_ok + ["rejected"] * n_rej + ["pending"] * n_pend, dtype=object
    )
    rng.shuffle(status)
    rid = np.array([f"C{i:06d}" for i in range(n_apps)], dtype=object)
    req_biz = rng.integers(0, n_biz, n_apps)
    sizes = np.zeros(n_apps, dtype=np.int64)
    ok = status == "approved"
    sizes[ok] = _split_total(rng, n_ok, todo["permits"])
    sizes[~ok] = np.clip(rng.gamma(1.3, 8.0, (~ok).sum()).astype(np.int64) + 1, 1, 400)
    sizes = np.minimum(sizes, 2000)
    if sizes[ok].sum() != todo["permits"]:  # clipping moved some: put them back on small ones
        short = todo["permits"] - int(sizes[ok].sum())
        ok_idx = np.flatnonzero(ok)
        np.add.at(sizes, ok_idx[rng.integers(0, len(ok_idx), short)], 1)
    start_utc = datetime(2021, 9, 4, 17, 0)  # 5 Sep 00:00 local
    day = rng.integers(0, 24, n_apps)
    minute = rng.normal(9.5 * 60, 150, n_apps).clip(6 * 60, 22 * 60).astype(np.int64)
    submitted = pd.to_datetime(start_utc) + pd.to_timedelta(day * 1440 + minute, unit="m")
    decide_h = rng.lognormal(np.log(9), 0.8, n_apps)
    decided = submitted + pd.to_timedelta(decide_h * 3600, unit="s")
    decided = decided.where(status != "pending", pd.NaT)
    local_decided = (decided + pd.Timedelta(hours=7)).normalize()
    start_date = local_decided.where(
        status == "approved", (submitted + pd.Timedelta(hours=7)).normalize()
    )
    days = rng.integers(3, 15, n_apps)
    end_date = start_date + pd.to_timedelta(days - 1, unit="D")
    reasons = np.array(REJECT_REASONS, dtype=object)[
        rng.choice(len(REJECT_REASONS), n_apps, p=[0.34, 0.26, 0.14, 0.08, 0.1, 0.03, 0.05])
    ]
    n_zones = rng.integers(1, 4, n_apps)
    zones = [
        sorted({int(biz_ward[b]), *map(int, wards[rng.integers(0, len(wards), k - 1)])})
        for b, k in zip(req_biz, n_zones, strict=True)
    ]
    requests = pd.DataFrame(
        {
            "id": rid,
            "business_id": biz_ids[req_biz],
            "purpose": "Đi làm tại cơ sở sản xuất, kinh doanh thiết yếu",
            "start_date": start_date.date,
            "end_date": end_date.date,
            "zones": zones,
            "start_minute": 5 * 60,
            "end_minute": 21 * 60,
            "n_employees": sizes,
            "status": status,
            "submitted_at": submitted,
            "decided_at": decided,
            "decided_by": np.where(status == "pending", None, "approver"),
            "reason_code": np.where(status == "rejected", reasons, None),
            "reason_text": np.where(
                status == "rejected", "Không đáp ứng điều kiện theo quy định", None
            ),
            "n_approved": np.where(ok, sizes, 0),
            "created_by": "demo",
        }
    )
    requests["start_date"] = pd.to_datetime(requests["start_date"])
    requests["end_date"] = pd.to_datetime(requests["end_date"])
    progress(0.05, "rosters")

    # items: employees of a request are a slice of its business's roster (roster >= needs / 0.3)
    item_req = np.repeat(np.arange(n_apps), sizes)
    offset_in_req = np.arange(len(item_req)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    roster_size = np.zeros(n_biz, dtype=np.int64)
    np.maximum.at(roster_size, req_biz, sizes)
    roster_size = np.maximum(roster_size * 10 // 3 + 1, 10)
    req_start = rng.integers(0, 1 << 30, n_apps) % roster_size[req_biz]
    emp_idx = (req_start[item_req] + offset_in_req) % roster_size[req_biz[item_req]]
    item_biz = req_biz[item_req]

    # CCCD = "048" (Da Nang) + 5 digits of the business + 4 of the employee: joined from two
    # small tables of pre-formatted parts (no per-row formatting over ~1.7M rows)
    biz_part = np.array([f"048{i:05d}" for i in range(n_biz)], dtype=object)
    emp_part = np.array([f"{i:04d}" for i in range(10_000)], dtype=object)

    def cccd_of(bidx, eidx):
        return biz_part[bidx] + emp_part[eidx]

    # roster: every (business, employee index) up to its roster size
    emp_biz = np.repeat(np.arange(n_biz), roster_size)
    emp_local = np.arange(len(emp_biz)) - np.repeat(
        np.cumsum(roster_size) - roster_size, roster_size
    )
    emp_names = _names(rng, len(emp_biz))
    employees = pd.DataFrame(
        {
            "business_id": biz_ids[emp_biz],
            "cccd": cccd_of(emp_biz, emp_local % 10_000),
            "full_name": emp_names,
            "phone": "0905000000",
            "home_ward": wards[rng.integers(0, len(wards), len(emp_biz))],
            "work_ward": biz_ward[emp_biz],
            "plate": "",
            "job_title": "Nhân viên",
            "active": True,
            "updated_at": created,
        }
    ).drop_duplicates(["business_id", "cccd"])
    store.insert_df("tp_employees", employees)
    name_lookup = np.cumsum(roster_size) - roster_size  # first row of each business
    item_names = emp_names[name_lookup[item_biz] + emp_idx]
    item_cccd = cccd_of(item_biz, emp_idx % 10_000)
    item_status = np.where(
        status[item_req] == "approved",
        "approved",
        np.where(status[item_req] == "rejected", "rejected", "pending"),
    )
    n_perm = int((item_status == "approved").sum())
    permit_ids = np.array([f"D{i:09d}" for i in range(n_perm)], dtype=object)
    item_permit = np.full(len(item_req), None, dtype=object)
    item_permit[item_status == "approved"] = permit_ids
    items = pd.DataFrame(
        {
            "request_id": rid[item_req],
            "cccd": item_cccd,
            "full_name": item_names,
            "status": item_status,
            "reason_code": np.where(item_status == "rejected", reasons[item_req], None),
            "permit_id": item_permit,
        }
    )
    progress(0.1, "requests")
    with store.transaction():
        store.insert_df("tp_requests", requests)
        store.insert_df("tp_request_items", items)

    # permits: sign 507,510 tokens in chunks (each chunk one transaction with its rows)
    sel = item_status == "approved"
    p_req = item_req[sel]
    valid_from = pd.to_datetime(requests["start_date"]).to_numpy()[p_req] - np.timedelta64(7, "h")
    valid_until = pd.to_datetime(requests["end_date"]).to_numpy()[p_req] + np.timedelta64(17, "h")
    issued = decided.to_numpy()[p_req]
    permits = pd.DataFrame(
        {
            "permit_id": permit_ids,
            "request_id": rid[p_req],
            "business_id": biz_ids[req_biz[p_req]],
            "cccd": item_cccd[sel],
            "full_name": item_names[sel],
            "valid_from": valid_from,
            "valid_until": valid_until,
            "zones": [zones[i] for i in p_req],
            "start_minute": 5 * 60,
            "end_minute": 21 * 60,
            "issued_at": issued,
            "issued_by": "approver",
            "status": "active",
        }
    )
    # token claims as plain lists; validity bounds converted once per distinct value
    names_l = item_names[sel].tolist()
    tail_l = [c[-4:] for c in item_cccd[sel].tolist()]
    zones_l = permits["zones"].tolist()
    from_l = _aware_utc(valid_from).tolist()
    until_l = _aware_utc(valid_until).tolist()
    issued_l = _aware_utc(issued).tolist()
    req_l = rid[p_req].tolist()
    ids_l = permit_ids.tolist()
    hours = [300, 1260]
    chunk = 50_000
    done = 0
    for lo in range(0, n_perm, chunk):
        hi = min(lo + chunk, n_perm)
        part = permits.iloc[lo:hi]
        items_q = [
            qr.IssueItem(
                claims={"n": names_l[i], "c": tail_l[i], "w": zones_l[i], "h": hours},
                expires=until_l[i],
                not_before=from_l[i],
                subject=f"{req_l[i]}/{tail_l[i]}",
                token_id=ids_l[i],
                issued_at=issued_l[i],
            )
            for i in range(lo, hi)
        ]
        with store.transaction():
            qr.issue(service.PREFIX, items_q, "approver", store=store)
            store.insert_df("tp_permits", part)
        done += len(part)
        progress(0.15 + 0.8 * done / n_perm, f"permits {done:,}/{n_perm:,}")
    decisions = requests[requests["status"] != "pending"]
    audit.record_many(
        "approver",
        "tp.request.decide",
        "tp_request",
        list(decisions["id"]),
        store=store,
        at=clock.utcnow_naive(),
    )
    progress(1.0, "city demo done")
    return service.stats(store)
