"""The suite's concurrency guarantees on PostgreSQL with several processes, not only threads
(issue 15): each process opens the one database by its URL, as several ``rapid serve``
processes behind the proxy do, and they race at a barrier.

- nothing lost under 64 writers (4 processes x 16 threads of declarations);
- one decision wins between two approvers in two processes;
- the permit quota holds when two processes ask at once;
- one "missed report" alert per silence when four processes refresh the board at once.

PostgreSQL only (skipped, saying why, where PostgreSQL is not installed): DuckDB lets one
process write a database file, which is the reason for this backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.multiprocess import workers

ROOT = Path(__file__).resolve().parents[2]

TIMEOUT_S = 300


def _results(call: str, args: Sequence[tuple]) -> list[Any]:
    """Run ``workers.<call>(*one_args, barrier)`` in one fresh Python process per entry of
    ``args``; their results in order. A process that fails fails the test with its output."""
    with tempfile.TemporaryDirectory(prefix="barrier-") as folder:
        return _run_all(call, args, folder)


def _run_all(call: str, args: Sequence[tuple], folder: str) -> list[Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    logs = [Path(folder) / f"out-{i}.txt" for i in range(len(args))]
    procs = []
    try:
        for i, a in enumerate(args):
            task = {"call": call, "args": list(a)}
            task["barrier"] = {"folder": folder, "parties": len(args), "index": i}
            with logs[i].open("w") as log:  # a file, not a pipe: a chatty worker never blocks
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "tests.multiprocess.workers", json.dumps(task)],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        for proc, log in zip(procs, logs, strict=True):
            proc.wait(timeout=TIMEOUT_S)
            text = log.read_text(errors="replace")
            assert proc.returncode == 0, f"a worker failed ({proc.returncode}):\n{text[-4000:]}"
        return [_result(log.read_text()) for log in logs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _result(output: str) -> Any:
    lines = [ln for ln in output.splitlines() if ln.startswith(workers.RESULT)]
    assert lines, f"a worker gave no result:\n{output[-4000:]}"
    return json.loads(lines[-1].removeprefix(workers.RESULT))


@pytest.fixture()
def shared(settings, pg_store) -> tuple[str, str]:
    """The test's PostgreSQL database URL and data folder, with the keys every process signs
    and hashes with made once here (processes must not race to create them)."""
    from core.qr import service as qr
    from core.web import security

    security.reset_secret()
    security.server_secret()
    qr.signer()
    return pg_store.url, str(settings.data_dir)


def test_nothing_lost_under_64_writers_in_4_processes(shared, pg_store):
    url, data_dir = shared
    per, threads = 64, 16
    calls = [(url, data_dir, p * per, per, threads) for p in range(4)]
    tokens = [t for out in _results("declare", calls) for t in out]
    assert len(tokens) == len(set(tokens)) == 4 * per
    assert pg_store.scalar("SELECT count(*) FROM hd_declarations") == 4 * per
    assert pg_store.scalar("SELECT count(DISTINCT person_id) FROM hd_declarations") == 4 * per
    assert pg_store.scalar("SELECT count(*) FROM qr_tokens WHERE prefix = 'HD1:'") == 4 * per
    assert pg_store.scalar("SELECT count(*) FROM hd_holders") == 4 * per  # one per phone


@pytest.fixture()
def business(settings, pg_store, shared) -> Any:
    """A verified business with 20 employees, on the shared database."""
    from apps.travel_permit import service
    from core.testkit import make_principal
    from tests.apps.travel_permit.conftest import ROOMY, add_roster, register

    settings.apps = {**settings.apps, "travel_permit": ROOMY}
    principal = register("cty_an", 1234, pg_store)
    business = service.my_business(principal, store=pg_store)
    approver = make_principal("duyet", "approver")
    service.verify_business(approver, business["id"], True, store=pg_store)
    add_roster(principal, 20, pg_store)
    return principal


def test_one_decision_wins_between_approvers_in_two_processes(shared, pg_store, business):
    from apps.travel_permit import service
    from tests.apps.travel_permit.conftest import request_answers

    url, data_dir = shared
    ids = list(service.list_employees(business, store=pg_store)["cccd"])[:5]
    rid = service.submit_request(business, request_answers(ids), store=pg_store)
    outcomes = _results("decide", [(url, data_dir, rid, True), (url, data_dir, rid, False)])
    assert sorted(outcomes) == ["AlreadyDecided", "won"], outcomes
    status = pg_store.scalar("SELECT status FROM tp_requests WHERE id = ?", [rid])
    assert status == ("approved" if outcomes[0] == "won" else "rejected")
    permits = pg_store.scalar("SELECT count(*) FROM tp_permits")
    assert permits == (5 if status == "approved" else 0)
    assert pg_store.scalar("SELECT count(*) FROM qr_tokens WHERE prefix <> 'HD1:'") == permits


def test_the_permit_quota_holds_when_two_processes_ask_at_once(shared, pg_store, business):
    from apps.travel_permit import service

    url, data_dir = shared
    company = service.my_business(business, store=pg_store)["id"]
    quota = service._quota(pg_store, company)
    ids = list(service.list_employees(business, store=pg_store)["cccd"])
    half = quota["limit"] - quota["busy"]
    assert 0 < half and 2 * half <= len(ids)
    batches = [ids[:half], ids[half : 2 * half]]
    username = business.username
    outcomes = _results("ask_permits", [(url, data_dir, username, b) for b in batches])
    assert outcomes.count("ok") == 1, outcomes
    after = service._quota(pg_store, company)
    assert after["busy"] <= after["limit"]


def test_one_missed_report_alert_per_silence_from_four_processes(shared, pg_store, frozen_clock):
    """People enrolled on the frozen clock (2021) have been silent ever since by the real clock
    the processes run on: each gets exactly one alert, whichever process opened it."""
    from apps.home_isolation import service
    from core import accounts
    from core.testkit import make_principal
    from tests.apps.home_isolation.conftest import f0_form

    url, data_dir = shared
    accounts.insert_user(
        "system", "officer", "Phạm Thị Y Tế", "health_officer", "DaNang@2021x", store=pg_store
    )
    officer = make_principal("officer", "health_officer")
    for i in range(3):
        service.enroll_f0(
            officer, f0_form(person_id=f"04809000001{i}", phone=f"090512345{i}"), store=pg_store
        )
    opened = _results("refresh_missed", [(url, data_dir)] * 4)
    assert sum(opened) == 3, opened
    assert pg_store.scalar("SELECT count(*) FROM hi_alerts WHERE kind = 'missed'") == 3
    again = _results("refresh_missed", [(url, data_dir)] * 2)
    assert again == [0, 0]
