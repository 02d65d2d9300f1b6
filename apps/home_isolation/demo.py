"""Demo data. ``small``: 40 F0, 120 F1 in seconds. ``city``: 3,000 F0 and 30,000 F1 with 10 days
of reports (some worsening, some silent), bulk-inserted from DataFrames.

People are taken from the health declaration demo's check-ins (the documented read-only view
``hd_checkins_v``), so every F0 is someone who checked in at venues. That demo's check-ins are
dated in the 2021 wave (Feb-Oct 2021); to let tracing find real candidates, a share of the F0
are *historical* cases from that wave (tested the day after one of their check-ins, released
10 days later): pick one on the tracing page and their venue contacts appear. The live cohort
is tested in the last 10 days and drives the board, alerts and analytics.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from apps.home_isolation import service
from apps.home_isolation.forms import CHRONIC, PROVINCE
from apps.home_isolation.models import LEVELS, RANK, isolation_settings
from core import audit, clock, geo
from core.registry import DemoContext
from core.store import Store

log = logging.getLogger(__name__)

ACTOR = "demo"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hoa", "Lan", "Linh", "Nam", "Sơn", "Vy"]


@dataclass(frozen=True)
class Scale:
    f0: int
    f1_per_f0: int
    historical_f0: int
    days: int
    issue_links: bool


SMALL = Scale(f0=40, f1_per_f0=3, historical_f0=10, days=10, issue_links=True)
CITY = Scale(f0=3_000, f1_per_f0=10, historical_f0=200, days=10, issue_links=False)


def _people(store: Store, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` distinct people with check-ins in the health declaration demo (person_id, name,
    phone, ward, one check-in time); synthetic people make up any shortfall."""
    frame = pd.DataFrame(columns=["person_id", "full_name", "phone", "ward_code", "checked_in_at"])
    try:
        total = int(store.scalar("SELECT count(*) FROM hd_checkins_v") or 0)
        # a big history: about 2% of the people (5 of 256 first bytes of a hash), same on both
        # databases
        sample = " WHERE substr(md5(person_id), 1, 2) < '05'" if total > 2_000_000 else ""
        frame = store.df(
            "SELECT person_id, min(full_name) AS full_name, min(phone) AS phone,"  # noqa: S608 - constant fragments
            " min(ward_code) AS ward_code, max(checked_in_at) AS checked_in_at"
            f" FROM hd_checkins_v{sample} GROUP BY person_id"
            " ORDER BY md5(person_id) LIMIT ?",
            [int(n * 2)],
        )
    except Exception as exc:  # noqa: BLE001 - the health declaration demo may be absent
        log.warning("no health declaration check-ins to take demo people from: %s", exc)
    frame = frame.sample(frac=1.0, random_state=int(rng.integers(1 << 30))).head(n)
    missing = n - len(frame)
    if missing > 0:
        wards = [w.code for w in geo.wards(PROVINCE)]
        idx = np.arange(missing)
        extra = pd.DataFrame(
            {
                "person_id": [f"0489{i:08d}" for i in idx],
                "full_name": [
                    f"{FAMILY[i % len(FAMILY)]} Văn {GIVEN[(i // 10) % len(GIVEN)]}" for i in idx
                ],
                "phone": [f"0935{i:06d}" for i in idx],
                "ward_code": [wards[i % len(wards)] for i in idx],
                "checked_in_at": pd.NaT,
            }
        )
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame.reset_index(drop=True)


def _levels(df: pd.DataFrame, age: np.ndarray, chronic: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Vectorised triage with the configured rule table (numeric rules; demo symptoms only
    include fever, whose day-count rule needs history and is left to live reports)."""
    s = isolation_settings()
    rank = np.zeros(len(df), dtype=np.int16)
    reasons = [[] for _ in range(len(df))]
    ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
    for rule in s.rules:
        if rule.field not in ("spo2", "temperature", "pulse", "resp_rate"):
            continue
        hit = ops[rule.op](df[rule.field].to_numpy(dtype=float), float(rule.value))
        rank = np.where(hit, np.maximum(rank, RANK[rule.level]), rank)
        for i in np.flatnonzero(hit):
            reasons[i].append(rule.code)
    risky = (np.nan_to_num(age, nan=0) >= s.elderly_age) | chronic
    rank = np.where(risky, np.minimum(rank + 1, 3), rank)
    for i in np.flatnonzero(risky):
        reasons[i].append("risk_group")
    return rank, [",".join(r) for r in reasons]


def generate(store: Store, scale: Scale, progress=lambda f, s: None, *, seed: int = 2021) -> None:
    rng = np.random.default_rng(seed)
    s = isolation_settings()
    now = clock.utcnow_naive()
    today = clock.today_local()
    n_f0 = scale.f0
    n_f1 = scale.f0 * scale.f1_per_f0
    progress(0.05, "people")
    people = _people(store, n_f0 + n_f1, rng)
    people = people[
        ~people["person_id"].isin(service._active_among(store, people["person_id"].tolist()))
    ]
    n_f1 = min(n_f1, len(people) - n_f0)
    f0p = people.iloc[:n_f0].reset_index(drop=True)
    f1p = people.iloc[n_f0 : n_f0 + n_f1].reset_index(drop=True)

    # -- F0: live cohort (tested in the last `days` days) and historical traceable cohort
    hist = np.zeros(n_f0, dtype=bool)
    has_checkin = f0p["checked_in_at"].notna().to_numpy()
    hist[np.flatnonzero(has_checkin)[: scale.historical_f0]] = True
    day_ago = rng.integers(0, scale.days, n_f0)
    test_date = np.array([today - timedelta(days=int(d)) for d in day_ago], dtype=object)
    ci = pd.to_datetime(f0p["checked_in_at"])
    for i in np.flatnonzero(hist):
        test_date[i] = (clock.local(ci[i].to_pydatetime()) + timedelta(days=1)).date()  # type: ignore[union-attr]
    onset = np.array(
        [
            d - timedelta(days=int(k)) if k < 3 else None
            for d, k in zip(test_date, rng.integers(0, 5, n_f0), strict=True)
        ],
        dtype=object,
    )
    f0_ids = [service.new_id() for _ in range(n_f0)]
    f0_enrolled = [
        service.local_midnight_utc(d) + timedelta(hours=2 + int(h))
        for d, h in zip(test_date, rng.integers(0, 8, n_f0), strict=True)
    ]
    f0 = pd.DataFrame(
        {
            "id": f0_ids,
            "person_id": f0p["person_id"],
            "full_name": f0p["full_name"],
            "phone": f0p["phone"],
            "ward_code": f0p["ward_code"].astype(int),
            "kind": "F0",
            "source_id": None,
            "test_date": pd.to_datetime(list(test_date)),
            "test_type": np.where(rng.random(n_f0) < 0.6, "pcr", "antigen"),
            "onset_date": pd.to_datetime(list(onset)),
            "exposure_date": pd.NaT,
            "isolation_end": pd.to_datetime([d + timedelta(days=s.f0_days) for d in test_date]),
            "enrolled_at": f0_enrolled,
            "historical": hist,
        }
    )
    # -- F1: linked to a live F0, last exposure 0-2 days before the F0's test
    live_f0 = np.flatnonzero(~hist)
    link = (
        live_f0[rng.integers(0, len(live_f0), n_f1)]
        if len(live_f0) and n_f1
        else np.array([], dtype=int)
    )
    exposure = [
        test_date[j] - timedelta(days=int(k))
        for j, k in zip(link, rng.integers(0, 3, n_f1), strict=True)
    ]
    f1 = pd.DataFrame(
        {
            "id": [service.new_id() for _ in range(n_f1)],
            "person_id": f1p["person_id"],
            "full_name": f1p["full_name"],
            "phone": f1p["phone"],
            "ward_code": f1p["ward_code"].astype(int),
            "kind": "F1",
            "source_id": [f0_ids[j] for j in link],
            "test_date": pd.NaT,
            "test_type": None,
            "onset_date": pd.NaT,
            "exposure_date": pd.to_datetime(exposure),
            "isolation_end": pd.to_datetime([d + timedelta(days=s.f1_days) for d in exposure]),
            "enrolled_at": [
                f0_enrolled[j] + timedelta(hours=int(h))
                for j, h in zip(link, rng.integers(2, 30, n_f1), strict=True)
            ],
            "historical": False,
        }
    )
    people_df = pd.concat([f0, f1], ignore_index=True)
    n = len(people_df)
    people_df["enrolled_at"] = pd.to_datetime(people_df["enrolled_at"]).clip(
        upper=pd.Timestamp(now)
    )
    people_df["province_code"] = people_df["ward_code"].map(lambda w: geo.ward_province(w) or 0)
    age = rng.normal(42, 17, n).clip(1, 98).round()
    people_df["age"] = pd.array(age.astype(int), dtype="Int16")
    chronic = rng.random(n) < 0.15
    codes = CHRONIC.names
    people_df["chronic"] = np.where(chronic, [codes[i % len(codes)] for i in range(n)], "")
    people_df["vaccine_doses"] = pd.array(rng.integers(0, 4, n), dtype="Int16")
    # released: historical cohort, and live people past their end (F0 with a negative test)
    ended = people_df["isolation_end"].dt.date.to_numpy() < today
    released = people_df["historical"].to_numpy() | (ended & (rng.random(n) < 0.8))
    people_df["status"] = np.where(released, "released", "isolating")
    hospital = (~released) & (rng.random(n) < 0.01)
    people_df.loc[hospital, "status"] = "hospital"
    rel_at = [
        service.local_midnight_utc(d.date()) + timedelta(hours=3)
        for d in people_df["isolation_end"]
    ]
    people_df["released_at"] = pd.to_datetime(rel_at).where(released)
    people_df["released_at"] = people_df["released_at"].clip(upper=pd.Timestamp(now))
    people_df["released_by"] = np.where(released, ACTOR, None)
    people_df["negative_test_date"] = people_df["isolation_end"].where(
        released & (people_df["kind"] == "F0")
    )
    people_df["transferred_at"] = pd.to_datetime(np.where(hospital, now, None))
    progress(0.3, "reports")

    # -- reports: one or two a day from enrolment until release (or now); profiles
    profile = rng.choice(["normal", "worsening", "silent", "fever"], n, p=[0.85, 0.03, 0.08, 0.04])
    start = pd.to_datetime(people_df["enrolled_at"]).to_numpy()
    stop = pd.to_datetime(people_df["released_at"]).fillna(pd.Timestamp(now)).to_numpy()
    stop = np.where(
        people_df["status"].to_numpy() == "hospital",
        pd.to_datetime(people_df["transferred_at"]).to_numpy(),
        stop,
    )
    span_h = ((stop - start) / np.timedelta64(1, "h")).astype(float)
    silent_cut = np.where(profile == "silent", rng.uniform(26, 72, n), 0.0)
    per_day = rng.integers(1, 3, n)
    counts = np.maximum(0, np.floor((span_h - silent_cut) / 24 * per_day)).astype(int)
    counts = np.minimum(counts, scale.days * 2 + 2)
    owner = np.repeat(np.arange(n), counts)
    seq = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    step_h = 24.0 / per_day[owner]
    measured = start[owner] + (
        (seq + 1) * step_h * 3600 + rng.uniform(-1800, 1800, len(owner))
    ).astype("timedelta64[s]")
    measured = np.minimum(measured, np.datetime64(now))
    frac = seq / np.maximum(1, counts[owner] - 1)
    prof = profile[owner]
    spo2 = np.clip(np.round(rng.normal(97.5, 1.0, len(owner))), 94, 100)
    spo2 = np.where(prof == "worsening", np.round(98 - 7 * frac), spo2)
    temp = np.round(rng.normal(36.9, 0.35, len(owner)), 1)
    temp = np.where(prof == "fever", np.round(rng.normal(38.7, 0.3, len(owner)), 1), temp)
    temp = np.where(prof == "worsening", np.round(37.2 + 1.8 * frac, 1), temp)
    pulse = np.round(rng.normal(82, 9, len(owner)) + np.where(prof == "worsening", 30 * frac, 0))
    resp = np.round(rng.normal(17, 1.5, len(owner)) + np.where(prof == "worsening", 8 * frac, 0))
    reports = pd.DataFrame(
        {
            "id": [f"R{i:011X}" for i in rng.integers(0, 1 << 44, len(owner))],
            "enrolment_id": people_df["id"].to_numpy()[owner],
            "measured_at": measured,
            "received_at": measured,
            "temperature": np.clip(temp, 34, 43),
            "spo2": spo2.astype(int),
            "pulse": np.clip(pulse, 40, 200).astype(int),
            "resp_rate": np.clip(resp, 8, 45).astype(int),
            "symptoms": np.where(
                temp >= 38.0, "fever,cough", np.where(rng.random(len(owner)) < 0.3, "cough", "")
            ),
            "medicines": np.where(temp >= 38.0, "paracetamol", ""),
            "note": "",
        }
    )
    rank, reasons = _levels(reports, age[owner], chronic[owner])
    reports["level_rank"] = rank
    reports["level"] = [LEVELS[r] for r in rank]
    reports["reasons"] = reasons
    progress(0.6, f"{len(reports):,} reports")

    last = (
        reports.sort_values("measured_at").groupby("enrolment_id").tail(1).set_index("enrolment_id")
    )
    people_df["level"] = people_df["id"].map(last["level"]).fillna("green")
    people_df["level_rank"] = people_df["id"].map(last["level_rank"]).fillna(0).astype("int16")
    people_df["level_reasons"] = people_df["id"].map(last["reasons"]).fillna("")
    people_df["last_report_at"] = people_df["id"].map(last["measured_at"])
    people_df["reports_count"] = (
        people_df["id"].map(reports["enrolment_id"].value_counts()).fillna(0).astype(int)
    )
    people_df["enrolled_by"] = ACTOR

    cols = [
        "id", "person_id", "full_name", "phone", "province_code", "ward_code", "age", "chronic",
        "vaccine_doses", "kind", "source_id", "test_date", "test_type", "onset_date",
        "exposure_date", "isolation_end", "status", "level", "level_rank", "level_reasons",
        "last_report_at", "reports_count", "enrolled_at", "enrolled_by", "released_at",
        "released_by", "negative_test_date", "transferred_at",
    ]  # fmt: skip
    active = people_df[people_df["status"] != "released"]
    isolating = people_df["status"].to_numpy() == "isolating"
    with store.transaction():
        store.insert_df("hi_enrolments", people_df[cols])
        store.insert_df(
            "hi_active", active[["person_id", "id"]].rename(columns={"id": "enrolment_id"})
        )
        from core import risk

        risk.record_many(service.risk_frame(active), actor=ACTOR, store=store)
        store.insert_df("hi_reports", reports)
        # alerts: the latest report red -> open red alert; worsening profile -> worsening
        red = last[(last["level"] == "red")].reset_index()
        red = red[red["enrolment_id"].isin(people_df.loc[isolating, "id"])]
        worse_ids = people_df.loc[isolating & (profile == "worsening"), "id"]
        worse = last.loc[last.index.intersection(worse_ids)].reset_index()
        alerts = pd.concat(
            [
                pd.DataFrame(
                    {
                        "enrolment_id": red["enrolment_id"],
                        "kind": "red",
                        "opened_at": red["measured_at"],
                        "report_id": red["id"],
                    }
                ),
                pd.DataFrame(
                    {
                        "enrolment_id": worse["enrolment_id"],
                        "kind": "worsening",
                        "opened_at": worse["measured_at"],
                        "report_id": worse["id"],
                    }
                ),
            ],
            ignore_index=True,
        )
        alerts.insert(0, "id", [f"A{i:011X}" for i in rng.integers(0, 1 << 44, len(alerts))])
        store.insert_df("hi_alerts", alerts)
        audit.record_many(
            ACTOR, "isolation.enrol", "enrolment", people_df["id"].tolist(), store=store
        )
    progress(0.8, "alerts")
    service.refresh_missed(store=store)
    if scale.issue_links:
        progress(0.85, "monitoring links")
        with store.transaction():
            service._issue_links(store, people_df.loc[isolating, "id"].tolist(), ACTOR)
    progress(1.0, f"{n_f0:,} F0, {n_f1:,} F1, {len(reports):,} reports")


def seed(ctx: DemoContext) -> None:
    generate(ctx.store, CITY if ctx.scale == "city" else SMALL, ctx.progress, seed=ctx.seed)
