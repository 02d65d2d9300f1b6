"""Issue 18 item 11: ``rapid stats`` on a city demo shows Da Nang's seed figures exactly.

The city demo's figures are totals: the health declaration history and the travel permit
history add only what the store lacks (the small demo that ``make run`` seeds on the first
start, today's passes, the demo businesses' requests). Run here through the commands a person
types (``rapid demo``, ``rapid stats --json``) with the city's volumes scaled down a hundred
times (each app's ``CITY`` replaced for the test; the generators take any scale)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from apps.health_declaration import demo as hd_demo
from apps.home_isolation import demo as hi_demo
from apps.travel_permit import demo as tp_demo
from core.cli.main import cli

HD_CITY = hd_demo.Scale(61_310, 320, 154, 6_400, 20_000, 40, 500)
TP_CITY = {"applications": 687, "approved": 226, "rejected": 430, "permits": 5_075}
HD_FIGURES = {
    "declarations": HD_CITY.declarations,
    "fever_or_cough": HD_CITY.fever_cough,
    "contacts": HD_CITY.contacts,
    "from_epidemic_areas": HD_CITY.epidemic,
    "venues": HD_CITY.venues,
    "checkins": HD_CITY.venues * HD_CITY.checkins_per_venue,
}
TP_FIGURES = {
    **{k: TP_CITY[k] for k in ("applications", "approved", "rejected", "permits")},
    "pending": TP_CITY["applications"] - TP_CITY["approved"] - TP_CITY["rejected"],
}


@pytest.fixture()
def rapid(settings, frozen_clock, monkeypatch) -> Iterator:
    """``rapid ARGS...`` in this process on the test's data folder, with a city a hundred times
    smaller; returns the command's output."""
    monkeypatch.setattr(hd_demo, "CITY", HD_CITY)
    monkeypatch.setattr(tp_demo, "CITY", TP_CITY)
    monkeypatch.setattr(hi_demo, "CITY", hi_demo.SMALL)
    env = {"RAPID_DATA_DIR": str(settings.data_dir), "RAPID_BASE_URL": "http://testserver"}
    umask = os.umask(0o077)
    os.umask(umask)  # the command sets 0o077 for its files: give the test run its own back

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    yield run
    os.umask(umask)


def _stats(rapid) -> dict:
    return json.loads(rapid("stats", "--json"))


def _figures(stats: dict, want: dict) -> dict:
    return {k: stats[k] for k in want}


def _store(settings):
    from core.store import Store

    return Store(Path(settings.data_dir) / "rapid.duckdb")


def test_city_demo_after_the_small_demo_shows_the_figures_exactly(rapid, settings):
    rapid("demo", "--scale", "small")
    small = _stats(rapid)
    assert small["health_declaration"]["declarations"] > 0
    assert small["travel_permit"]["applications"] > 0
    rapid("demo", "--scale", "city")
    stats = _stats(rapid)
    assert _figures(stats["health_declaration"], HD_FIGURES) == HD_FIGURES
    assert _figures(stats["travel_permit"], TP_FIGURES) == TP_FIGURES
    assert stats["travel_permit"]["permits_revoked"] == 1  # the small demo's own revocation
    store = _store(settings)
    try:
        # the two histories do not share declaration ids, venue names or a 2021 wave
        assert (
            store.scalar("SELECT count(DISTINCT id) FROM hd_declarations") == HD_CITY.declarations
        )
        assert store.scalar("SELECT count(DISTINCT name) FROM hd_venues") == HD_CITY.venues
        assert (
            store.scalar(
                "SELECT count(*) FROM hd_epidemic_areas WHERE starts_on = ?", [hd_demo.WAVE_STARTS]
            )
            == 1
        )
        # the small demo's logins still work on the city demo, and every permit has its token
        assert store.scalar("SELECT count(*) FROM tp_businesses WHERE username LIKE 'dn_%'") == 3
        assert (
            store.scalar(
                "SELECT count(*) FROM tp_permits p JOIN qr_tokens t ON t.token_id = p.permit_id"
            )
            == TP_CITY["permits"]
        )
    finally:
        store.close()
    rapid("demo", "--scale", "city")  # asked again: nothing is added twice
    again = _stats(rapid)
    assert again["health_declaration"] == stats["health_declaration"]
    assert again["travel_permit"] == stats["travel_permit"]


def test_city_demo_on_a_fresh_folder_shows_the_figures_exactly(rapid):
    rapid("demo", "--scale", "city")
    stats = _stats(rapid)
    assert _figures(stats["health_declaration"], HD_FIGURES) == HD_FIGURES
    assert _figures(stats["travel_permit"], TP_FIGURES) == TP_FIGURES
    rapid("demo", "--scale", "small")  # the smaller demo adds nothing to a city demo's figures
    assert _figures(_stats(rapid)["health_declaration"], HD_FIGURES) == HD_FIGURES


def test_small_demo_is_the_city_a_thousand_times_smaller(rapid):
    rapid("demo", "--scale", "small", "--app", "health_declaration")
    stats = _stats(rapid)["health_declaration"]
    small = hd_demo.SMALL
    assert (
        stats["declarations"],
        stats["fever_or_cough"],
        stats["contacts"],
        stats["from_epidemic_areas"],
    ) == (small.declarations, small.fever_cough, small.contacts, small.epidemic)


@given(
    approved=st.integers(0, 300),
    rejected=st.integers(0, 500),
    pending=st.integers(0, 50),
    extra_permits=st.integers(0, 5_000),
)
def test_the_city_history_makes_up_exactly_what_is_missing(
    approved, rejected, pending, extra_permits
):
    have = {
        "approved": approved,
        "rejected": rejected,
        "pending": pending,
        "permits": approved + extra_permits,  # a demo's approved request has permits
    }
    have["applications"] = approved + rejected + pending
    add = tp_demo.shortfall(have, TP_CITY)
    assert all(v >= 0 for v in add.values())
    assert add["approved"] <= add["permits"]
    after = {k: have[k] + add[k] for k in have}
    fits = (
        approved <= TP_CITY["approved"]
        and rejected <= TP_CITY["rejected"]
        and pending <= TP_FIGURES["pending"]
        and approved + extra_permits <= TP_CITY["permits"] - (TP_CITY["approved"] - approved)
    )
    if fits:  # whatever a smaller demo left, the totals become the city's exactly
        assert after == {k: TP_FIGURES[k] for k in after}
    else:  # past the city somewhere: that figure stays, the others still reach the city's
        for key in ("rejected", "pending", "permits"):
            assert after[key] == max(have[key], TP_FIGURES[key]), key
        assert have["approved"] <= after["approved"] <= max(approved, TP_FIGURES["approved"])
