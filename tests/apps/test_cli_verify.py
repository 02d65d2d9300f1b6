"""`rapid qr verify` on the apps' real tokens, as an operator runs it: a demo permit verifies,
and is refused after revocation; a citizen's health pass verifies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core.config import Settings, set_settings
from core.registry import get_registry
from core.store import Store, set_store
from core.testkit import make_principal
from tests.plugins.install import ROOT

RAPID = str(Path(sys.executable).parent / "rapid")


def _rapid(data: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPID_")}
    env["RAPID_DATA_DIR"] = str(data)
    return subprocess.run(
        [RAPID, *args], env=env, capture_output=True, text=True, timeout=300, cwd=ROOT
    )


def _open(data: Path) -> Store:
    """This process opens the database between CLI runs (the CLI needs it free)."""
    set_settings(Settings(data_dir=data))
    store = Store(data / "rapid.duckdb")
    store.migrate(get_registry().all_migrations())
    set_store(store)
    return store


def _close(store: Store) -> None:
    set_store(None)
    store.close()
    set_settings(None)


def test_permit_and_pass_verify_with_the_cli(tmp_path):
    from apps.health_declaration import service as hd
    from apps.travel_permit import service as tp
    from core.qr import service as qr
    from tests.apps.health_declaration.conftest import form

    data = tmp_path / "data"
    out = _rapid(data, "demo", "--scale", "small", "--app", "travel_permit")
    assert out.returncode == 0, out.stderr

    store = _open(data)
    try:
        permit_id = store.scalar(
            "SELECT permit_id FROM tp_permits WHERE status = 'active'"
            " AND valid_from <= now() AND valid_until > now() ORDER BY permit_id LIMIT 1"
        )
        permit = qr.token_texts([permit_id], store=store)[permit_id]
        health_pass = hd.submit_declaration(None, form(), store=store).text
    finally:
        _close(store)

    out = _rapid(data, "qr", "verify", permit, "--json")
    verdict = json.loads(out.stdout)
    assert out.returncode == 0 and verdict["reason"] == "VALID"
    assert verdict["type"] == "TP1:" and verdict["token_id"] == permit_id
    out = _rapid(data, "qr", "verify", health_pass, "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["reason"] == "VALID"

    store = _open(data)
    try:
        tp.revoke_permit(
            make_principal("approver", "approver"), permit_id, "nghỉ việc", store=store
        )
    finally:
        _close(store)
    out = _rapid(data, "qr", "verify", permit, "--json")
    assert out.returncode == 1 and json.loads(out.stdout)["reason"] == "REVOKED"
