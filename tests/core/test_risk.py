"""The person risk core service: record, clear, status, bulk and rebuild."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from core import clock, risk
from core.forms.identity import person_key
from core.testkit import make_principal

CCCD = "048185000123"
PASSPORT = "B1234567"


def test_no_signal_is_green(store, frozen_clock):
    assert risk.status(CCCD) == risk.GREEN
    assert risk.status(person_key(CCCD)).level == "green"


def test_worst_active_signal_wins_with_sources_and_reasons(store, frozen_clock):
    now = clock.utcnow_naive()
    risk.record(CCCD, "declaration", "yellow", "symptom_any", now, now + timedelta(hours=24), "d1")
    risk.record(CCCD, "isolation", "red", "F0", now, None, "HI-1")
    got = risk.status(CCCD)
    assert got.level == "red"
    assert got.sources == ("isolation", "declaration")
    assert got.reasons == ("F0", "symptom_any")
    assert got.isolating and got.must_stay_home and not got.exposed
    assert got.level_of("declaration") == "yellow"
    # by key too, the same answer
    assert risk.status(person_key(CCCD)) == got


def test_clear_and_expiry(store, frozen_clock):
    now = clock.utcnow_naive()
    risk.record(CCCD, "isolation", "red", "F0", now, None, "HI-1")
    risk.record(CCCD, "exposure", "yellow", "exposure_f0", now, now + timedelta(days=14), "v1")
    assert risk.clear(CCCD, "isolation") == 1
    assert risk.clear(CCCD, "isolation") == 0
    assert risk.status(CCCD).level == "yellow"
    frozen_clock[0] = frozen_clock[0] + timedelta(days=14, seconds=1)
    assert risk.status(CCCD) == risk.GREEN
    # a signal recorded for later does not count yet
    risk.record(CCCD, "isolation", "red", "F0", frozen_clock[0] + timedelta(hours=1), None, "x")
    assert risk.status(CCCD).level == "green"


def test_replace_clears_the_previous_signal_of_the_source(store, frozen_clock):
    now = clock.utcnow_naive()
    risk.record(CCCD, "declaration", "red", "exp_case", now, None, "d1", replace=True)
    risk.record(CCCD, "declaration", "green", "declared", now, None, "d2", replace=True)
    got = risk.status(CCCD)
    assert got.level == "green" and [s.ref for s in got.signals] == ["d2"]
    # recording the same signal again updates it (one row), and revives a cleared one
    risk.record(CCCD, "declaration", "yellow", "abroad", now, None, "d2")
    assert risk.status(CCCD).level == "yellow"
    assert store.scalar("SELECT count(*) FROM person_risk WHERE ref = 'd2'") == 1


def test_inside_the_callers_transaction(store, frozen_clock):
    now = clock.utcnow_naive()
    with pytest.raises(RuntimeError), store.transaction():
        risk.record(CCCD, "isolation", "red", "F0", now, None, "HI-1")
        raise RuntimeError("the caller failed")
    assert risk.status(CCCD) == risk.GREEN


def test_passport_keys_compare_the_id(store, frozen_clock):
    now = clock.utcnow_naive()
    risk.record(PASSPORT.lower(), "isolation", "yellow", "F1", now, None, "HI-2")
    assert risk.status(PASSPORT).level == "yellow"
    # another id of the same key (a made-up collision) does not see it
    store.execute("UPDATE person_risk SET person_id = 'OTHER'")
    assert risk.status(PASSPORT) == risk.GREEN


def test_record_many_and_bad_input(store, frozen_clock):
    now = clock.utcnow_naive()
    frame = pd.DataFrame(
        {
            "person_id": [CCCD, "048185000124", CCCD],
            "source": ["exposure"] * 3,
            "ref": ["v1", "v1", "v1"],
            "level": ["yellow"] * 3,
            "reason_code": ["exposure_f0"] * 3,
            "since": [now] * 3,
            "until": [now + timedelta(days=14)] * 3,
        }
    )
    assert risk.record_many(frame) == 2
    assert risk.record_many(frame) == 2  # again: updated, not doubled
    assert store.scalar("SELECT count(*) FROM person_risk") == 2
    assert risk.counts() == {"exposure": 2}
    with pytest.raises(risk.RiskError):
        risk.record(CCCD, "rumour", "red", "x", now)
    with pytest.raises(risk.RiskError):
        risk.record(CCCD, "isolation", "purple", "x", now)
    with pytest.raises(risk.RiskError):
        risk.record(" ", "isolation", "red", "F0", now)


def test_record_many_takes_aware_times_as_utc_and_no_until_as_open(store, frozen_clock):
    """Times given with a zone are stored as naive UTC; a frame without ``until`` (or NaT in
    it) records open signals; ``replace`` clears the person's other signals of the source."""
    now = clock.utcnow_naive()
    risk.record(CCCD, "isolation", "red", "F0", now - timedelta(days=3), None, "old")
    aware = pd.Timestamp(now - timedelta(hours=1)).tz_localize("UTC").tz_convert(clock.LOCAL_TZ)
    frame = pd.DataFrame(
        {
            "person_id": [CCCD, "048185000124"],
            "source": ["isolation"] * 2,
            "ref": ["new", "new"],
            "level": ["yellow", "red"],
            "reason_code": ["F1", "F0"],
            "since": [aware, aware],
        }
    )
    assert risk.record_many(frame, replace=True) == 2
    rows = store.fetchall(
        "SELECT ref, since, until, cleared_at IS NULL FROM person_risk"
        " WHERE person_key = ? ORDER BY ref",
        [person_key(CCCD)],
    )
    assert rows == [
        ("new", now - timedelta(hours=1), None, True),
        ("old", now - timedelta(days=3), None, False),
    ]
    assert risk.status(CCCD).level == "yellow"


def test_rebuild_takes_the_apps_signals(store, frozen_clock):
    now = clock.utcnow_naive()
    risk.record(CCCD, "isolation", "red", "F0", now, None, "stale")
    admin = make_principal("root", "admin")
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied
        risk.rebuild(make_principal("o", "health_officer"))
    counts = risk.rebuild(admin)
    assert isinstance(counts, dict)
    if "isolation" in counts:  # home isolation offers its register: the stale one is gone
        assert risk.status(CCCD) == risk.GREEN
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'risk.rebuild'") == 1


@settings(max_examples=60, deadline=None)
@given(hs.text(max_size=30))
def test_any_person_text_is_handled(text):
    """A person id from outside input never breaks the key: a key or RiskError."""
    try:
        key, pid = risk._person(text)
    except risk.RiskError:
        return
    assert isinstance(key, int) and pid


def test_simultaneous_records_of_one_signal_leave_one_row(store, frozen_clock):
    """Threads recording the same (person, source, ref) at once: the losers get a conflict
    (retried, as every caller's transaction loop does), never a second row or a lost update."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from core.store import CONFLICTS

    now = clock.utcnow_naive()
    gate = threading.Barrier(8)
    levels = ["green", "yellow", "red", "green", "yellow", "red", "green", "yellow"]

    def one(i: int) -> int:
        gate.wait()
        for attempt in range(20):
            try:
                risk.record(CCCD, "declaration", levels[i], "declared", now, None, "same")
                return attempt
            except CONFLICTS:
                time.sleep(0.002 * (attempt + 1))
        raise AssertionError("never recorded")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(8)))
    assert store.scalar("SELECT count(*) FROM person_risk WHERE ref = 'same'") == 1
    assert risk.status(CCCD).level in set(levels)


def test_fresh_signals_recorded_at_once_are_all_kept(store, frozen_clock):
    """``fresh`` records (a new ref each: one INSERT, no read) from threads at once: no false
    conflicts between different refs, every row there; a repeated fresh ref is a conflict."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from core.store import ConflictError

    now = clock.utcnow_naive()
    gate = threading.Barrier(8)

    def one(i: int) -> None:
        gate.wait()
        risk.record(f"04818500{i:04d}", "declaration", "green", "declared", now, None, f"d{i}",
                    fresh=True)  # fmt: skip

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(8)))
    assert store.scalar("SELECT count(*) FROM person_risk") == 8
    with pytest.raises(ConflictError):
        risk.record("048185000001", "declaration", "red", "x", now, None, "d1", fresh=True)
    assert risk.status("048185000001").level == "green"
