"""Contact tracing: candidates from the health declaration app's check-ins, enrolled as F1."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.home_isolation import service
from tests.apps.home_isolation.conftest import WARD, f0_form
from tests.apps.home_isolation.hd_data import add_checkins, add_venue

F0_ID = "048090000001"


@pytest.fixture()
def venues(store, officer, frozen_clock):
    now = frozen_clock[0]
    cafe = add_venue(store, "Cà phê Sông Hàn", WARD)
    market = add_venue(store, "Chợ Hàn", WARD)
    add_checkins(
        store,
        [
            (cafe, now - timedelta(days=2, hours=3), F0_ID, "Nguyễn Văn An", "0905123456", WARD),
            # within 60 min at the same venue -> candidates
            (
                cafe,
                now - timedelta(days=2, hours=2, minutes=30),
                "048090000010",
                "Lê Văn Cường",
                "0905000010",
                WARD,
            ),
            (
                cafe,
                now - timedelta(days=2, hours=3, minutes=50),
                "048090000011",
                "Phan Thị Dung",
                "0905000011",
                WARD,
            ),
            # 90 minutes later: outside the default window
            (
                cafe,
                now - timedelta(days=2, hours=1, minutes=30),
                "048090000012",
                "Võ Văn Em",
                "0905000012",
                WARD,
            ),
            # another venue, same time: not a contact
            (
                market,
                now - timedelta(days=2, hours=3),
                "048090000013",
                "Đỗ Thị Gấm",
                "0905000013",
                WARD,
            ),
            # before the infectious window (test 1 day ago, onset 2 days ago -> from 4 days ago)
            (market, now - timedelta(days=6), F0_ID, "Nguyễn Văn An", "0905123456", WARD),
            (market, now - timedelta(days=6), "048090000014", "Hồ Văn Hải", "0905000014", WARD),
        ],
    )
    return cafe, market


def test_tracing_lists_and_enrols_contacts(store, officer, venues):
    f0 = service.enroll_f0(officer, f0_form(person_id=F0_ID))
    found = service.trace_candidates(officer, f0["id"])
    assert set(found["candidate_id"]) == {"048090000010", "048090000011"}
    assert set(found["venue_name"]) == {"Cà phê Sông Hàn"}
    assert (found["overlap_minutes"] > 0).all()
    assert not found["already_enrolled"].any()

    wider = service.trace_candidates(officer, f0["id"], {"window_minutes": "120"})
    assert "048090000012" in set(wider["candidate_id"])

    out = service.enroll_contacts(officer, f0["id"], found)
    assert len(out["enrolled"]) == 2 and out["skipped"] == []
    for eid in out["enrolled"]:
        row = service.enrolment(officer, eid)
        assert row["kind"] == "F1" and row["source_id"] == f0["id"] and row["token_id"]
        assert row["exposure_date"] is not None
        notes = service.person_notes(officer, eid)
        assert notes[["actor", "kind", "text"]].values.tolist() == [
            ["officer", "enrol", f"F1 <- {f0['id']}"]
        ]
    again = service.trace_candidates(officer, f0["id"])
    assert again["already_enrolled"].all()
    second = service.enroll_contacts(officer, f0["id"], again)
    assert second["enrolled"] == [] and len(second["skipped"]) == 2


def test_tracing_refuses_f1_source(store, officer, venues):
    f0 = service.enroll_f0(officer, f0_form(person_id=F0_ID))
    found = service.trace_candidates(officer, f0["id"])
    f1 = service.enroll_contacts(officer, f0["id"], found.head(1))["enrolled"][0]
    with pytest.raises(service.IsolationError) as err:
        service.trace_candidates(officer, f1)
    assert err.value.key == "hi.err.source_unknown"
