"""``rapid db backup`` / ``restore`` (issue 15 item 6, DuckDB): a round trip keeps every row,
diacritics and sequences; a bad or incomplete backup is refused and nothing is replaced."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import backup
from core.store import Store
from tests.plugins.install import ROOT

RAPID = str(Path(sys.executable).parent / "rapid")
NAME = "Nguyễn Thị Ánh Tuyết"


def _seed(store: Store) -> None:
    store.execute(
        "INSERT INTO audit_log (occurred_at, actor, action, object_type, object_id, details)"
        " VALUES (TIMESTAMP '2026-12-02 04:15:37.123456', ?, 'test.seed', 'person', '1', '{}')",
        [NAME],
    )
    store.set_state("demo_note", "Đà Nẵng")


def test_round_trip_keeps_every_row_and_the_sequences(store, settings, tmp_path):
    _seed(store)
    before = backup.table_counts(store)
    folder = tmp_path / "bk"
    manifest = backup.backup(store, folder)
    assert manifest.tables == before and sum(before.values()) > 0
    assert json.loads((folder / "manifest.json").read_text())["tables"] == before
    assert (folder / "schema.sql").is_file() and not (folder / "keys").exists()

    target = tmp_path / "other" / "rapid.duckdb"
    done = backup.restore(folder, target)
    assert done.tables == before and done.kept is None
    copy = Store(target)
    try:
        row = copy.fetchone("SELECT actor, occurred_at FROM audit_log WHERE action = 'test.seed'")
        assert row[0] == NAME and row[1].microsecond == 123456
        assert copy.get_state("demo_note") == "Đà Nẵng"
        # sequences carry on after the last id instead of starting again
        last = copy.scalar("SELECT max(id) FROM audit_log")
        copy.execute(
            "INSERT INTO audit_log (occurred_at, actor, action, object_type, object_id, details)"
            " VALUES (now(), 'x', 'after', 'x', 'x', '{}')"
        )
        assert copy.scalar("SELECT id FROM audit_log WHERE action = 'after'") > last
    finally:
        copy.close()


@pytest.fixture()
def backed_up(store, settings, tmp_path) -> Path:
    """The seeded test database's backup folder."""
    _seed(store)
    folder = tmp_path / "bk"
    backup.backup(store, folder)
    return folder


def test_restore_refuses_a_database_with_data_unless_replace_and_keeps_the_old_one(
    backed_up, tmp_path
):
    folder = backed_up
    target = tmp_path / "live" / "rapid.duckdb"
    backup.restore(folder, target)
    live = Store(target)
    live.execute("DELETE FROM app_state")  # a change made after the backup
    live.close()
    with pytest.raises(backup.BackupError, match="already holds data"):
        backup.restore(folder, target)
    done = backup.restore(folder, target, replace=True)
    assert done.kept is not None and done.kept.exists()
    again = Store(target)
    try:
        assert again.get_state("demo_note") == "Đà Nẵng"
    finally:
        again.close()


def test_a_backup_whose_files_do_not_match_its_manifest_is_refused_and_nothing_replaced(
    backed_up, tmp_path
):
    folder = backed_up
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["audit_log"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    target = tmp_path / "t" / "rapid.duckdb"
    with pytest.raises(backup.BackupError, match="audit_log"):
        backup.restore(folder, target)
    assert not target.exists() and not list(target.parent.glob("*.restoring-*"))


def test_backup_refuses_a_folder_with_files_and_leaves_no_half_backup(store, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "x").write_text("mine")
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.backup(store, full)
    assert (full / "x").read_text() == "mine"
    bad = tmp_path / "bad"
    store.close()  # the export fails: the store is closed
    with pytest.raises(Exception):  # noqa: B017, PT011 - whichever error, no folder stays
        backup.backup(store, bad)
    assert not bad.exists()


def test_not_a_backup_folder(tmp_path):
    with pytest.raises(backup.BackupError, match="no manifest.json"):
        backup.restore(tmp_path, tmp_path / "db.duckdb")
    (tmp_path / "manifest.json").write_text(
        json.dumps({"format": "rapid-backup", "version": 1, "backend": "duckdb",
                    "created_at": "x", "tables": {"t": 1}})
    )  # fmt: skip
    with pytest.raises(backup.BackupError, match="incomplete backup"):
        backup.restore(tmp_path, tmp_path / "db.duckdb")


@given(st.text(max_size=300))
def test_any_manifest_text_parses_or_says_why(text):
    try:
        parsed = backup.parse_manifest(text)
    except backup.BackupError as exc:
        assert "manifest" in str(exc)
    else:
        assert parsed.tables


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=10,
)


@given(
    st.fixed_dictionaries(
        {"format": st.just("rapid-backup"), "version": st.just(1), "backend": st.just("duckdb")},
        optional={"created_at": _JSONISH, "tables": _JSONISH, "with_keys": _JSONISH},
    )
)
def test_manifest_fields_of_any_shape_parse_or_say_why(data):
    try:
        parsed = backup.parse_manifest(json.dumps(data))
    except backup.BackupError as exc:
        assert "manifest" in str(exc)
    else:
        assert all(isinstance(n, int) and n >= 0 for n in parsed.tables.values())


def _rapid(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [RAPID, *args], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def test_the_commands_round_trip_with_keys_and_audit_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPID_")}
    env["RAPID_DATA_DIR"] = str(tmp_path / "data")
    assert _rapid(env, "db", "migrate").returncode == 0
    assert _rapid(env, "keys", "init").returncode == 0
    out = _rapid(env, "db", "backup", "--to", str(tmp_path / "bk"), "--with-keys")
    assert out.returncode == 0, out.stderr
    assert "backup written to" in out.stdout and (tmp_path / "bk" / "keys").is_dir()
    assert oct((tmp_path / "bk").stat().st_mode & 0o777) == "0o700"

    out = _rapid(env, "db", "restore", str(tmp_path / "bk"))
    assert out.returncode == 1 and "already holds data" in out.stderr  # refused, one line
    env2 = {**env, "RAPID_DATA_DIR": str(tmp_path / "data2")}
    out = _rapid(env2, "db", "restore", str(tmp_path / "bk"))
    assert out.returncode == 0, out.stderr
    assert "counts match the backup" in out.stdout and "signing keys restored" in out.stdout
    assert sorted(p.name for p in (tmp_path / "data2" / "keys").iterdir()) == sorted(
        p.name for p in (tmp_path / "data" / "keys").iterdir()
    )
    for where, action in ((env, "db.backup"), (env2, "db.restore")):
        out = _rapid(where, "audit", "--json", "--action", action)
        assert out.returncode == 0, out.stderr
        assert [row["action"] for row in json.loads(out.stdout)] == [action]

    out = _rapid(env, "db", "restore", str(tmp_path / "nowhere"))
    assert out.returncode != 0 and "no manifest.json" in out.stderr
