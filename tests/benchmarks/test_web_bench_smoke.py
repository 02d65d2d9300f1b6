"""The light pages' benchmarks cannot rot: the load test's machinery (locust as a library against
one real ``rapid serve``, declarations then one-tap check-ins with the held pass) runs for 3 s a
phase with 4 users, and its row/pass accounting must come out exact. The speed targets are the
benchmark's business (``benchmarks/web_load.py``), not this test's: the machine is shared.

Locust monkey-patches the process with gevent on import, so the script runs in a child process,
as ``make bench`` runs it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import web_common  # noqa: E402 - benchmarks/ is not a package

pytestmark = pytest.mark.slow


def smoke_run(script: str, tmp_path: Path) -> tuple[str, dict]:
    """``benchmarks/<script> --smoke --json``: its output and its results; it must exit 0."""
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, str(BENCH / script), "--smoke", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run.stdout, json.loads(out.read_text())


def test_load_smoke_accounts_for_every_row(tmp_path: Path) -> None:
    stdout, result = smoke_run("web_load.py", tmp_path)
    assert "per-client limits raised in the server's environment" in stdout
    declared, checked, rows = result["declarations"], result["checkins"], result["rows"]
    assert declared["failures"] == 0 and declared["errors"] == {}
    assert declared["ok"] >= 4  # 4 users, one person a second each, 1 s warm-up + 3 s
    assert declared["started"] == declared["ok"]
    assert rows["declarations"] == rows["passes"] == rows["holders"] == declared["ok"]
    assert checked is not None
    assert checked["failures"] == 0 and checked["errors"] == {}
    assert checked["ok"] >= 4
    assert rows["checkins"] == checked["ok"] == checked["started"]
    assert declared["server_cpu"] > 0 and declared["requests"] >= 2 * declared["window_ok"]


def test_people_are_distinct_and_valid() -> None:
    from core.forms.identity import parse_cccd, parse_phone

    people = [web_common.person(serial) for serial in (200_000, 500_000, 500_001, 999_999)]
    assert len({cccd for cccd, _ in people}) == len({phone for _, phone in people}) == 4
    for cccd, phone in people:
        assert parse_cccd(cccd, this_year=2026) == cccd
        assert parse_phone(phone, mobile_only=True)


def test_one_tap_form_is_found_among_the_page_forms() -> None:
    page = (
        '<form method="post" action="/tra-cuu"><input type="hidden" name="_csrf" value="x1">'
        '<input name="step" value="ask"></form>'
        '<form method="post" action="/check-in"><input type="hidden" name="_csrf" value="t0k">'
        '<input type="hidden" name="v" value="HV1:A"><input type="hidden" name="n"'
        ' value="abc123"></form>'
    )
    assert web_common.one_tap_body(page, "HV1:A") == "_csrf=t0k&v=HV1%3AA&n=abc123"
    with pytest.raises(ValueError):
        web_common.one_tap_body(page.split("</form>")[0] + "</form>", "HV1:A")


@given(st.text(max_size=400))
def test_page_parsers_refuse_any_text_cleanly(text: str) -> None:
    """Whatever a server sends back, the parsers give the fields or a ValueError (an error
    counted by the load test), never another exception."""
    for parse in (web_common.form_fields, lambda p: web_common.one_tap_body(p, "HV1:A")):
        try:
            parse(text)
        except ValueError:
            pass


def test_several_processes_smoke_accounts_for_every_row(tmp_path: Path) -> None:
    """``pg_processes.py --smoke``: one then two ``rapid serve`` processes on one PostgreSQL
    database behind nginx (each started here, as the benchmark starts them), no error, and
    exactly one declaration, pass and holder per pass page in each phase."""
    from core import pg_cluster
    from tests.deploy.nginx_proxy import NGINX

    reason = pg_cluster.why_unavailable() or (None if NGINX else "nginx is not installed")
    if reason:
        pytest.skip(reason)
    _, result = smoke_run("pg_processes.py", tmp_path)
    assert [p["processes"] for p in result["phases"]] == [1, 2]
    for phase in result["phases"]:
        done = phase["result"]
        assert done["failures"] == 0 and done["errors"] == {}
        assert done["ok"] >= 4 and done["started"] == done["ok"]
        assert phase["rows_exact"]
        rows = phase["rows"]
        assert rows["declarations"] == rows["passes"] == rows["holders"] == done["ok"]
    assert len(result["phases"][1]["cores_used"]["each_server"]) == 2
