"""Issue 14 item 13: nothing was ever deleted. Each kind of record has a retention (declared
by its app, overridable by a setting); ``rapid purge`` and the daily job delete what is older,
per kind, and say how many; a dry run deletes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from apps.home_isolation import service as hi
from core import audit, retention
from core.qr import service as qr
from core.registry import App, Retention, validate_manifest
from core.testkit import make_principal
from tests.apps.home_isolation.conftest import f0_form, release_answers, token_of

OFFICER = make_principal("officer", "health_officer")


@pytest.fixture()
def officer(store):
    from core import accounts

    accounts.insert_user(
        "system", "officer", "Phạm Thị Y Tế", "health_officer", "DaNang@2021x", store=store
    )
    return OFFICER


def _count(store, table: str) -> int:
    return int(store.scalar(f"SELECT count(*) FROM {table}"))  # noqa: S608 - test constant


def _released_person(store, officer, frozen_clock, pid: str) -> str:
    """An F0 enrolled, one report, released today."""
    f0 = hi.enroll_f0(officer, f0_form(person_id=pid))
    key = hi.unlock(None, token_of(f0["link"]), f0["link_code"])
    hi.submit_report(
        None, key, {"temperature": "37", "spo2": "98", "pulse": "80", "resp_rate": "16"}
    )
    today = (frozen_clock[0] + timedelta(hours=7)).date()
    hi.release(officer, f0["id"], release_answers(today))
    return f0["id"]


def test_item13_rows_older_than_their_retention_go_newer_stay_per_kind(
    store, officer, frozen_clock
):
    """Isolation records, reports and audit rows were kept forever."""
    old = _released_person(store, officer, frozen_clock, "048090000011")
    frozen_clock[0] += timedelta(days=100)
    recent = _released_person(store, officer, frozen_clock, "048090000012")
    isolating = hi.enroll_f0(officer, f0_form(person_id="048090000013"))["id"]
    frozen_clock[0] += timedelta(days=90)  # old: released 190 days ago; recent: 90
    counts = retention.purge(store=store)
    assert counts["home_isolation.isolation_records"] == 1
    left = {r[0] for r in store.fetchall("SELECT id FROM hi_enrolments")}
    assert left == {recent, isolating}
    for table in ("hi_reports", "hi_notes"):
        owners = {r[0] for r in store.fetchall(f"SELECT enrolment_id FROM {table}")}  # noqa: S608
        assert old not in owners and recent in owners, table
    # one audit row says what went, per kind
    rows = store.records("SELECT actor, details FROM audit_log WHERE action = 'retention.purge'")
    assert len(rows) == 1 and rows[0]["actor"] == retention.ACTOR
    assert json.loads(rows[0]["details"])["deleted"]["home_isolation.isolation_records"] == 1
    # the audit log is kept longer: two years
    frozen_clock[0] += timedelta(days=365 * 2 - 190 + 1)
    n_audit = _count(store, "audit_log")
    counts = retention.purge(store=store)
    assert 0 < counts["core.audit"] < n_audit
    first = store.scalar("SELECT min(occurred_at) FROM audit_log")
    assert first >= frozen_clock[0].replace(tzinfo=None) - timedelta(days=730)


def test_item13_a_dry_run_deletes_nothing_and_a_setting_changes_the_days(
    store, officer, frozen_clock
):
    """There was no way to see what a purge would delete, nor to set a retention."""
    _released_person(store, officer, frozen_clock, "048090000021")
    frozen_clock[0] += timedelta(days=40)
    assert retention.purge(dry_run=True, store=store)["home_isolation.isolation_records"] == 0
    shorter = {"home_isolation.isolation_records": 30}
    dry = retention.purge(dry_run=True, overrides=shorter, store=store)
    assert dry["home_isolation.isolation_records"] == 1
    assert _count(store, "hi_enrolments") == 1 and _count(store, "hi_reports") == 1
    assert not store.scalar("SELECT count(*) FROM audit_log WHERE action = 'retention.purge'")
    done = retention.purge(overrides=shorter, store=store)
    assert done["home_isolation.isolation_records"] == 1
    assert _count(store, "hi_enrolments") == 0 and _count(store, "hi_reports") == 0


def test_item13_the_setting_refuses_unknown_kinds_and_bad_days(store):
    """A typo in a retention setting must not silently keep data forever."""
    problems = retention.problems({"home_isolation.isolation_record": 30})
    assert problems and "did you mean home_isolation.isolation_records" in problems[0]
    assert retention.problems({"core.audit": 0}) and retention.problems({"core.audit": "x"})
    assert retention.problems({"core.audit": 3650}) == []
    with pytest.raises(ValueError):
        retention.purge(overrides={"nope.kind": 3}, store=store)
    bad = App(
        id="bad_app",
        title_vi="x",
        title_en="x",
        retention={"rows": Retention("t; DROP TABLE users", "at", 0)},
    )
    found = validate_manifest(bad)
    assert any("identifiers" in p for p in found) and any("default_days" in p for p in found)
    kinds = retention.declared()
    for name in ("home_isolation.isolation_records", "travel_permit.permits", "core.audit"):
        assert name in kinds
    assert kinds["core.audit"].default_days > max(
        r.default_days for n, r in kinds.items() if n != "core.audit" and n != "core.audit_counts"
    )


def test_item13_token_texts_go_after_their_retention_revocations_until_expiry(
    store, officer, frozen_clock
):
    """Every token's text (a citizen's link) was kept forever, revoked or expired."""
    f0 = hi.enroll_f0(officer, f0_form(person_id="048090000031"))
    old_token = hi.enrolment(officer, f0["id"])["token_id"]
    hi.new_link(officer, f0["id"])  # revokes the first link
    texts = {"core.token_texts": 5}
    frozen_clock[0] += timedelta(days=4)
    assert retention.purge(overrides=texts, store=store)["core.token_texts"] == 0
    assert qr.token_texts([old_token], store=store)[old_token].startswith("HI1:")
    frozen_clock[0] += timedelta(days=2)
    assert retention.purge(overrides=texts, store=store)["core.token_texts"] == 1
    assert qr.token_texts([old_token], store=store).get(old_token) in ("", None)
    assert qr.is_revoked(old_token, store=store)  # the id stays on the list until it expires
    frozen_clock[0] += timedelta(days=30)  # past the link's expiry (+ a day)
    retention.purge(overrides=texts, store=store)
    assert not qr.is_revoked(old_token, store=store)
    retention.purge(overrides=texts, store=store)  # the next day's run: the row goes
    assert old_token not in qr.token_texts([old_token], store=store)


def test_item13_the_daily_job_runs_once_a_day_across_processes(store, frozen_clock):
    """No job ever ran; two server processes must not both purge."""
    assert retention.last_run_warning(store) is not None  # never ran: the admin page says so
    assert retention.run_if_due(store) is not None
    assert retention.run_if_due(store) is None  # the other process, same moment
    assert retention.last_run_warning(store) is None
    frozen_clock[0] += timedelta(hours=23)
    assert retention.claim_run(store) is False
    frozen_clock[0] += timedelta(hours=1, seconds=1)
    assert retention.claim_run(store) is True
    assert retention.claim_run(store) is False
    frozen_clock[0] += timedelta(days=2, seconds=1)
    assert "2" in (retention.last_run_warning(store) or "")
    runs = store.scalar("SELECT count(*) FROM audit_log WHERE action = 'retention.purge'")
    assert runs == 1  # claim_run alone does not purge; run_if_due did once


def test_the_daily_job_leaves_a_demo_seed_alone(store, frozen_clock):
    """The demo's story starts in February 2021: a daily purge would empty it on the first
    start. A demo installation is left alone by the job (an operator may still purge)."""
    from core.demo import DEMO, mark_kind

    audit.record("x", "y", "z", "1", store=store)
    frozen_clock[0] += timedelta(days=800)
    mark_kind(store, DEMO)
    assert retention.run_if_due(store) is None
    assert retention.last_run_warning(store) is None
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'y'") == 1
    assert retention.purge(store=store)["core.audit"] >= 1  # by hand, it purges


def test_item13_rapid_purge_prints_per_kind_and_fails_loudly(
    store, settings, frozen_clock, monkeypatch
):
    """There was no command to purge."""
    from core.cli.purge import purge_cmd

    audit.record("x", "y", "z", "1", store=store)
    frozen_clock[0] += timedelta(days=800)
    store.close()
    runner = CliRunner()
    dry = runner.invoke(purge_cmd, ["--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    data = json.loads(dry.output)
    assert data["dry_run"] and data["rows"]["core.audit"] >= 1
    done = runner.invoke(purge_cmd, [])
    assert done.exit_code == 0 and "core.audit" in done.output and "deleted" in done.output
    again = runner.invoke(purge_cmd, ["--json"])
    assert json.loads(again.output)["rows"]["core.audit"] == 0  # the first run's row is new
    monkeypatch.setattr(retention, "_overrides", lambda: {"core.audits": 5})  # a typo
    bad = runner.invoke(purge_cmd, [])
    assert bad.exit_code == 1 and "did you mean core.audit" in bad.output


def test_item13_settings_check_names_a_wrong_retention_key():
    """``rapid serve`` / ``rapid config`` check ``[retention_days]`` with the apps' settings."""
    from types import SimpleNamespace

    from core.registry import get_registry

    fake = SimpleNamespace(apps={}, retention_days={"travel_permit.permit": 30, "core.audit": 9})
    problems = get_registry().check_settings(fake)  # type: ignore[arg-type]
    assert len(problems) == 1 and "did you mean travel_permit.permits" in problems[0]
