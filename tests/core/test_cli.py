"""The ``rapid`` command, run as a user runs it: a subprocess with its own data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins.install import ROOT, database_held_by_another_process, write_dist

RAPID = str(Path(sys.executable).parent / "rapid")


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, str]:
    site = write_dist(tmp_path / "site", {"tiny": "tests.plugins.tiny_app:app"})
    e = {k: v for k, v in os.environ.items() if not k.startswith("RAPID_")}
    e["RAPID_DATA_DIR"] = str(tmp_path / "data")
    e["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)])
    return e


def rapid(env: dict[str, str], *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [RAPID, *args], env=env, capture_output=True, text=True, input=input, timeout=120, cwd=ROOT
    )


def test_help_lists_every_command(env):
    out = rapid(env, "--help")
    assert out.returncode == 0
    for cmd in ["apps", "audit", "config", "db", "demo", "keys", "qr", "serve", "stats", "users"]:
        assert cmd in out.stdout


def test_apps_json_lists_the_test_plugin(env):
    out = rapid(env, "apps", "--json")
    assert out.returncode == 0, out.stderr
    apps = {a["id"]: a for a in json.loads(out.stdout)}
    assert apps["tiny"]["status"] == "ok"
    assert apps["tiny"]["pages"] == ["tiny.hello"] and apps["tiny"]["token_types"] == ["ZZ1:"]


def test_users_lifecycle_and_audit(env):
    assert rapid(env, "db", "migrate").returncode == 0
    out = rapid(
        env,
        "users",
        "add",
        "lan",
        "--name",
        "Nguyễn Thị Lan",
        "--role",
        "approver",
        "--password-stdin",
        input="Mat-khau-2021\n",
    )
    assert out.returncode == 0, out.stderr
    out = rapid(env, "users", "list", "--json")
    users = json.loads(out.stdout)
    assert users[0]["username"] == "lan" and users[0]["full_name"] == "Nguyễn Thị Lan"
    assert rapid(env, "users", "disable", "lan").returncode == 0
    assert json.loads(rapid(env, "users", "list", "--json").stdout)[0]["disabled"] is True
    out = rapid(env, "users", "reset-password", "lan", input="Mat-khau-moi-2022\n")
    assert out.returncode == 0, out.stderr
    actions = [r["action"] for r in json.loads(rapid(env, "audit", "--json").stdout)]
    assert actions == ["user.reset_password", "user.disable", "user.create"]


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["users", "add", "xyz1", "--name", "X", "--role", "admin", "--password-stdin"], "10"),
        (
            [
                "users",
                "add",
                "xyz1",
                "--name",
                "X",
                "--role",
                "wizard",
                "--password-stdin",
            ],
            "wizard",
        ),
        (["users", "disable", "ghost"], "ghost"),
        (
            [
                "users",
                "add",
                "x' OR 1=1 --",
                "--name",
                "X",
                "--role",
                "admin",
                "--password-stdin",
            ],
            "3–32",
        ),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(env, args, fragment):
    out = rapid(env, *args, input="short\n" if fragment == "10" else "Good-pass-123\n")
    assert out.returncode != 0
    assert fragment in out.stderr
    assert json.loads(rapid(env, "users", "list", "--json").stdout) == []


def test_broken_config_file(env, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("port = [")
    out = rapid(env, "--config", str(bad), "config")
    assert out.returncode != 0 and "not valid TOML" in out.stderr


def test_config_hides_secrets(env):
    env = dict(env, RAPID_KEY_PASSPHRASE="very-secret-pass", RAPID_PORT="9999")
    out = rapid(env, "config", "--json")
    data = json.loads(out.stdout)
    assert data["port"] == 9999 and data["key_passphrase"] == "********"
    assert "very-secret-pass" not in out.stdout


def test_db_held_by_another_process(env, tmp_path):
    assert rapid(env, "db", "migrate").returncode == 0
    db = Path(env["RAPID_DATA_DIR"]) / "rapid.duckdb"
    with database_held_by_another_process(db):
        out = rapid(env, "users", "list")
        assert out.returncode == 1
        assert "in use by another process" in out.stderr


def test_demo_and_stats_use_the_plugin_seeder(env):
    out = rapid(env, "demo", "--scale", "small", "--app", "tiny")
    assert out.returncode == 0, out.stderr
    stats = json.loads(rapid(env, "stats", "--json").stdout)
    assert stats["tiny"] == {"things": 1}


def test_qr_round_trip_sign_render_decode_verify(env, tmp_path):
    from PIL import Image
    from pyzbar.pyzbar import decode

    claims = tmp_path / "claims.jsonl"
    claims.write_text(
        json.dumps({"claims": {"n": "Đặng Thị Ánh", "c": "****1234"}}, ensure_ascii=False)
        + "\n"
        + json.dumps({"claims": {"n": "Lê Văn Bình"}, "token_id": "P000002"})
        + "\n",
        encoding="utf-8",
    )
    tokens = tmp_path / "tokens.txt"
    out = rapid(env, "qr", "sign", "--type", "ZZ", "--claims", str(claims), "--out", str(tokens))
    assert out.returncode == 0, out.stderr
    lines = tokens.read_text().splitlines()
    assert len(lines) == 2 and all(x.startswith("ZZ1:") for x in lines)

    pngs = tmp_path / "png"
    assert (
        rapid(
            env, "qr", "render", "--in", str(tokens), "--format", "png", "--out", str(pngs)
        ).returncode
        == 0
    )
    decoded = [decode(Image.open(p))[0].data.decode() for p in sorted(pngs.glob("*.png"))]
    assert decoded == lines

    scanned = tmp_path / "scanned.txt"
    scanned.write_text("\n".join(decoded))
    out = rapid(env, "qr", "verify", "--in", str(scanned), "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    verdicts = [json.loads(x) for x in out.stdout.splitlines()]
    assert [v["reason"] for v in verdicts] == ["VALID", "VALID"]
    assert verdicts[0]["claims"]["n"] == "Đặng Thị Ánh"

    out = rapid(env, "qr", "verify", lines[0][:-3] + "AAA", "--json")
    assert out.returncode == 1 and json.loads(out.stdout)["valid"] is False

    pdf = tmp_path / "cards.pdf"
    forged = tmp_path / "forged.txt"
    forged.write_text(lines[0][:-3] + "AAA\n")
    out = rapid(env, "qr", "render", "--in", str(forged), "--format", "pdf", "--out", str(pdf))
    assert out.returncode == 1 and "do not verify" in out.stderr and not pdf.exists()
    assert (
        rapid(
            env, "qr", "render", "--in", str(tokens), "--format", "pdf", "--out", str(pdf)
        ).returncode
        == 0
    )
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Đặng Thị Ánh" in text


def test_qr_verify_at_time_and_offline_bundle(env, tmp_path):
    claims = tmp_path / "c.jsonl"
    claims.write_text('{"claims": {"n": "A"}, "expires": "2030-01-01T00:00:00+00:00"}\n')
    tokens = tmp_path / "t.txt"
    assert (
        rapid(
            env, "qr", "sign", "--type", "ZZ1:", "--claims", str(claims), "--out", str(tokens)
        ).returncode
        == 0
    )
    out = rapid(
        env, "qr", "verify", "--in", str(tokens), "--at", "2031-01-01T00:00:00+00:00", "--json"
    )
    assert json.loads(out.stdout)["reason"] == "EXPIRED" and out.returncode == 1


def test_qr_sign_bad_claims_file_writes_nothing(env, tmp_path):
    claims = tmp_path / "c.jsonl"
    claims.write_text('{"claims": {"n": "A"}}\nnot json\n')
    tokens = tmp_path / "t.txt"
    out = rapid(env, "qr", "sign", "--type", "ZZ", "--claims", str(claims), "--out", str(tokens))
    assert out.returncode == 1 and "line 2" in out.stderr
    assert not tokens.exists()
    claims.write_text('{"claims": {"n": "A", "unexpected": 1}}\n')
    out = rapid(env, "qr", "sign", "--type", "ZZ", "--claims", str(claims), "--out", str(tokens))
    assert out.returncode == 1 and "line 1" in out.stderr


def test_keys_init_rotate_list_export(env, tmp_path):
    assert rapid(env, "keys", "init").returncode == 0
    assert rapid(env, "keys", "rotate").returncode == 0
    keys = json.loads(rapid(env, "keys", "list", "--json").stdout)
    assert sorted(k["status"] for k in keys) == ["active", "retired"]
    keyfiles = [p for p in (Path(env["RAPID_DATA_DIR"]) / "keys").iterdir() if p.suffix == ".pem"]
    assert keyfiles and all((p.stat().st_mode & 0o777) == 0o600 for p in keyfiles)
    trust = tmp_path / "trust.json"
    assert rapid(env, "keys", "export-trust", "--out", str(trust)).returncode == 0
    assert len(json.loads(trust.read_text())["keys"]) == 2


def test_key_events_are_audited_even_while_the_server_holds_the_database(env):
    assert rapid(env, "keys", "init").returncode == 0
    assert rapid(env, "keys", "rotate").returncode == 0
    actions = [r["action"] for r in json.loads(rapid(env, "audit", "--json").stdout)]
    assert actions[:2] == ["key.rotate", "key.create"]
    db = Path(env["RAPID_DATA_DIR"]) / "rapid.duckdb"
    with database_held_by_another_process(db):
        out = rapid(env, "keys", "rotate")
        assert out.returncode == 0 and "logged on its next start" in out.stderr
    rows = json.loads(rapid(env, "audit", "--json").stdout)
    assert [r["action"] for r in rows].count("key.rotate") == 2
    assert not (Path(env["RAPID_DATA_DIR"]) / "pending-audit.jsonl").exists()


def test_users_with_several_roles_grant_and_revoke(env):
    out = rapid(
        env,
        "users",
        "add",
        "lan",
        "--name",
        "Nguyễn Thị Lan",
        "--role",
        "approver",
        "--role",
        "health_officer",
        "--password-stdin",
        input="Mat-khau-2021\n",
    )
    assert out.returncode == 0, out.stderr
    (user,) = json.loads(rapid(env, "users", "list", "--json").stdout)
    assert user["roles"] == ["approver", "health_officer"]
    assert user["role_labels"] == ["Cán bộ phê duyệt", "Cán bộ y tế"]
    assert rapid(env, "users", "grant", "lan", "checkpoint").returncode == 0
    out = rapid(env, "users", "grant", "lan", "checkpoint")
    assert out.returncode == 1 and "checkpoint" in out.stderr
    out = rapid(env, "users", "revoke", "lan", "health_officer")
    assert out.returncode == 0 and out.stdout.strip() == "lan: approver, checkpoint"
    out = rapid(env, "users", "revoke", "lan", "admin")
    assert out.returncode == 1 and "admin" in out.stderr
    actions = [r["action"] for r in json.loads(rapid(env, "audit", "--json").stdout)]
    assert actions == ["user.revoke", "user.grant", "user.create"]
    text = rapid(env, "users", "list").stdout
    assert "Cán bộ phê duyệt [approver]" in text and "checkpoint" in text


def test_scoped_roles_at_the_command_line(env, tmp_path):
    """ROLE@ward:CODE with the test plugin's ward-scoped role; bad ones exit 2 naming them."""
    site = write_dist(
        tmp_path / "site2",
        {"tiny": "tests.plugins.tiny_app:app", "ward_app": "tests.plugins.ward_app:app"},
        name="ward_plugin",
    )
    env = dict(env, PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    roles = {r["id"]: r["scope"] for r in json.loads(rapid(env, "roles", "--json").stdout)}
    assert roles["ward_worker"] == "ward" and roles["approver"] == "" and "tiny_user" in roles
    base = ["users", "add", "phuong", "--name", "Cán Bộ", "--password-stdin"]
    for bad, fragment in (
        ("ward_worker@ward:999999", "999999"),
        ("approver@ward:20275", "approver"),
        ("ward_worker@district:1", "district:1"),
        ("ward_worker@", "ward_worker@"),
        ("wizard", "wizard"),
    ):
        out = rapid(env, *base, "--role", bad, input="Mat-khau-2021\n")
        assert out.returncode == 2 and fragment in out.stderr, (bad, out.stderr)
        assert "--role" in out.stderr
    out = rapid(
        env,
        *base,
        "--role",
        "ward_worker@ward:20275",
        "--role",
        "approver",
        input="Mat-khau-2021\n",
    )
    assert out.returncode == 0, out.stderr
    (user,) = json.loads(rapid(env, "users", "list", "--json").stdout)
    assert user["roles"] == ["approver", "ward_worker@ward:20275"]
    assert user["role_labels"][1].endswith("(Phường An Hải)")


@pytest.mark.parametrize("command", [("config",), ("config", "--json"), ("serve", "--no-demo")])
def test_unknown_or_bad_app_settings_stop_config_and_serve(env, tmp_path, command):
    out = rapid(dict(env, RAPID_APPS__TRAVEL_PERMIT__QUOTA_PRECENT="20"), *command)
    assert out.returncode == 2
    assert (
        "[apps.travel_permit] quota_precent: unknown setting; did you mean quota_percent?"
        in out.stderr
    )
    assert "Rapid Response Suite: http" not in out.stdout  # nothing started
    cfg = tmp_path / "rapid.toml"
    cfg.write_text("[apps.checkpoints]\nleeway_seconds = 99999\n")
    out = rapid(env, "--config", str(cfg), *command)
    assert out.returncode == 2 and "[apps.checkpoints] leeway_seconds:" in out.stderr
    assert "99999" in out.stderr


def test_valid_app_settings_pass(env):
    out = rapid(dict(env, RAPID_APPS__TRAVEL_PERMIT__QUOTA_PERCENT="20"), "config", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["apps"] == {"travel_permit": {"quota_percent": "20"}}


def test_an_unreachable_postgresql_is_one_clear_line_and_nothing_starts(env):
    """The server and the operator commands alike: exit 1, the address with its password
    masked, no DuckDB file made instead."""
    env = {**env, "RAPID_DATABASE_URL": "postgresql://rapid:secret@127.0.0.1:1/rapid"}
    for args in (("serve",), ("db", "migrate"), ("users", "list")):
        out = rapid(env, *args)
        assert out.returncode == 1, (args, out.stderr)
        assert "cannot open the database postgresql://rapid:********@127.0.0.1:1" in out.stderr
        assert "secret" not in out.stderr + out.stdout
    assert not (Path(env["RAPID_DATA_DIR"]) / "rapid.duckdb").exists()  # nothing written


def test_the_operator_commands_work_on_postgresql(env, pg_database):
    env = {**env, "RAPID_DATABASE_URL": pg_database.replace("rapid@", "rapid:secret@", 1)}
    out = rapid(env, "db", "migrate")
    assert out.returncode == 0, out.stderr
    assert "is up to date" in out.stdout and "postgresql://rapid:********@" in out.stdout
    out = rapid(
        env,
        *("users", "add", "lan", "--name", "Lê Thị Lan", "--role", "approver"),
        "--password-stdin",
        input="Mật-khẩu-dài-2021\n",
    )
    assert out.returncode == 0, out.stderr
    out = rapid(env, "users", "list", "--json")
    assert out.returncode == 0, out.stderr
    assert [u["username"] for u in json.loads(out.stdout)] == ["lan"]
    out = rapid(env, "audit", "--json", "--action", "user.create")
    assert out.returncode == 0, out.stderr
    assert [r["object_id"] for r in json.loads(out.stdout)] != []
    for text in (out.stdout, out.stderr):
        assert "secret" not in text
    assert not (Path(env["RAPID_DATA_DIR"]) / "rapid.duckdb").exists()  # all of it in PostgreSQL
