"""Anomaly flags over the central scan log.

* impossible travel: the same permit (token hash) at two checkpoints further apart than it
  could travel in the time between (great-circle distance / time > ``max_speed_kmh``);
* repeats: one revoked permit (token hash) or one forged code (code hash: the same text)
  scanned ``repeat_threshold`` times or more.

Only scans whose token signature verified have a ``token_hash`` (the keyed hash of the token
id): a forged code that claims a real permit's id has none, so it can never raise an anomaly
against the real holder. Vectorised with pandas/numpy: consecutive scans of each token, not
all pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .verify import FORGED_REASONS

EARTH_KM = 6371.0088
BAD_REASONS = frozenset({"REVOKED"}) | FORGED_REASONS


@dataclass(frozen=True)
class Anomaly:
    kind: str  # "travel" | "repeat"
    token_hash: str
    first_seen: pd.Timestamp
    last_seen: pd.Timestamp
    checkpoints: tuple[str, ...]
    count: int = 2
    km: float = 0.0
    minutes: float = 0.0
    kmh: float = 0.0
    reason: str = ""


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km (numpy arrays or floats)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def impossible_travel(
    scans: pd.DataFrame, places: pd.DataFrame, max_speed_kmh: float = 90.0
) -> list[Anomaly]:
    if scans.empty or places.empty:
        return []
    pos = places.set_index("id")[["latitude", "longitude"]]
    df = scans[["scanned_at", "checkpoint_id", "token_hash"]].join(pos, on="checkpoint_id")
    df = df.dropna(subset=["token_hash", "latitude", "longitude"])
    df = df[df["token_hash"].duplicated(keep=False)]
    if df.empty:
        return []
    df = df.sort_values(["token_hash", "scanned_at"]).reset_index(drop=True)
    prev = df.shift(1)
    same = (prev["token_hash"] == df["token_hash"]) & (prev["checkpoint_id"] != df["checkpoint_id"])
    df, prev = df[same], prev[same]
    if df.empty:
        return []
    km = haversine_km(
        prev["latitude"].to_numpy(float),
        prev["longitude"].to_numpy(float),
        df["latitude"].to_numpy(float),
        df["longitude"].to_numpy(float),
    )
    hours = (
        pd.to_datetime(df["scanned_at"]) - pd.to_datetime(prev["scanned_at"])
    ).dt.total_seconds().to_numpy(float) / 3600.0
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(hours > 0, km / np.maximum(hours, 1e-12), np.inf)
    flag = (speed > max_speed_kmh) & (km > 0.05)
    out = []
    for i in np.flatnonzero(flag):
        a, b = prev.iloc[i], df.iloc[i]
        out.append(
            Anomaly(
                "travel",
                str(b["token_hash"]),
                pd.Timestamp(a["scanned_at"]),
                pd.Timestamp(b["scanned_at"]),
                (str(a["checkpoint_id"]), str(b["checkpoint_id"])),
                2,
                round(float(km[i]), 2),
                round(float(hours[i]) * 60, 1),
                round(float(speed[i]), 1) if np.isfinite(speed[i]) else float("inf"),
            )
        )
    return out


def repeated_bad(scans: pd.DataFrame, threshold: int = 2) -> list[Anomaly]:
    if scans.empty:
        return []
    codes = scans["code_hash"] if "code_hash" in scans else pd.Series(None, index=scans.index)
    revoked = scans["reason"].eq("REVOKED") & scans["token_hash"].notna()
    forged = scans["reason"].isin(FORGED_REASONS) & codes.notna()
    bad = scans.assign(key=scans["token_hash"].where(revoked, codes))[revoked | forged]
    if bad.empty:
        return []
    g = bad.groupby("key").agg(
        n=("reason", "size"),
        first=("scanned_at", "min"),
        last=("scanned_at", "max"),
        reason=("reason", lambda s: ",".join(sorted(set(s)))),
        where=("checkpoint_id", lambda s: tuple(sorted(set(map(str, s))))),
    )
    g = g[g["n"] >= threshold].sort_values("n", ascending=False)
    return [
        Anomaly(
            "repeat",
            str(h),
            pd.Timestamp(r["first"]),
            pd.Timestamp(r["last"]),
            r["where"],
            int(r["n"]),
            reason=r["reason"],
        )
        for h, r in g.iterrows()
    ]


def detect(
    scans: pd.DataFrame,
    places: pd.DataFrame,
    *,
    max_speed_kmh: float = 90.0,
    repeat_threshold: int = 2,
) -> list[Anomaly]:
    return impossible_travel(scans, places, max_speed_kmh) + repeated_bad(scans, repeat_threshold)
