"""Aggregate audit counters (core.audit.count): one row per (hour, action), written in bulk;
every page's limited requests counted per hour by core's routes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import audit
from core.testkit import make_principal

ADMIN = make_principal("admin", "admin")


def test_counts_are_one_row_per_hour_and_action(store, frozen_clock, monkeypatch):
    monkeypatch.setattr(audit, "COUNT_FLUSH_S", 3600.0)  # written when read, not on a timer
    for i in range(5):
        audit.count("x.lookup", matched=i == 0, throttled=i >= 3)
    audit.count("x.other")
    frozen_clock[0] += timedelta(hours=1)
    audit.count("x.lookup")
    assert store.scalar("SELECT count(*) FROM audit_counts") == 0  # not yet written
    rows = audit.counts(ADMIN).to_dict("records")
    got = sorted(
        (r["hour"].hour, r["action"], r["attempts"], r["matches"], r["throttled"]) for r in rows
    )
    assert got == [(8, "x.lookup", 5, 1, 2), (8, "x.other", 1, 0, 0), (9, "x.lookup", 1, 0, 0)]
    audit.count("x.lookup", matched=True)
    audit.flush_counts()
    audit.flush_counts()  # nothing twice
    (row,) = audit.counts(ADMIN, action="x.lookup", since=frozen_clock[0]).to_dict("records")
    assert (row["attempts"], row["matches"]) == (2, 1)
    assert store.scalar("SELECT count(*) FROM audit_log") == 0


def test_counts_are_for_admins(store):
    from core.auth import PermissionDenied

    with pytest.raises(PermissionDenied):
        audit.counts(make_principal("o", "health_officer"))


def test_a_closed_store_loses_only_its_counts(settings, store):
    from core.store import Store

    other = Store(settings.data_dir / "other.duckdb")
    other.migrate([])
    audit.count("lost", store=other)
    other.close()
    audit.count("kept")
    audit.flush_counts()
    assert [r["action"] for r in audit.counts(ADMIN).to_dict("records")] == ["kept"]


def test_pages_count_their_limited_requests(web_client, store):
    web_client.get("/khai-bao")  # a plain page view: not an attempt
    for _ in range(3):
        web_client.post("/khai-bao", data={})
    web_client.get("/check-in", params={"v": "HV1:nope"})
    rows = {r["action"]: r for r in audit.counts(ADMIN).to_dict("records")}
    assert rows["web.health_declaration.declare"]["attempts"] == 3
    assert rows["web.health_declaration.check_in"]["attempts"] == 1
