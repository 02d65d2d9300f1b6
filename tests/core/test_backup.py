"""``rapid db backup`` / ``restore`` (issue 15 item 6) on DuckDB and on PostgreSQL (pg_dump /
pg_restore): a round trip keeps every row, diacritics and sequences; a bad or incomplete backup
is refused and nothing is replaced; a URL's password is never printed."""

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
from core.schema import BACKENDS
from core.store import Store, open_store
from core.testkit import fresh_store
from tests.plugins.install import ROOT

RAPID = str(Path(sys.executable).parent / "rapid")
NAME = "Nguyễn Thị Ánh Tuyết"
SECRET = "S3cretPw0rdXYZ"
_databases = iter(range(1, 1_000_000))


@pytest.fixture(params=BACKENDS)
def db(request, settings):
    """A fresh migrated database of either backend, whatever RAPID_TEST_DATABASE says."""
    yield from fresh_store(settings, request, postgres=request.param == "postgresql")


@pytest.fixture()
def restore_target(db, tmp_path, request):
    """Where a restore goes: a new DuckDB file, or a new empty PostgreSQL database."""
    if not backup.is_postgres(db):
        yield tmp_path / "other" / "rapid.duckdb"
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = f"rapid_bk{next(_databases)}"
    yield cluster.create_database(name)
    cluster.drop_database(name)


def _seed(store: Store) -> None:
    store.execute(
        "INSERT INTO audit_log (occurred_at, actor, action, object_type, object_id, details)"
        " VALUES (TIMESTAMP '2026-12-02 04:15:37.123456', ?, 'test.seed', 'person', '1', '{}')",
        [NAME],
    )
    store.set_state("demo_note", "Đà Nẵng")


def test_round_trip_keeps_every_row_and_the_sequences(db, restore_target, tmp_path):
    _seed(db)
    before = backup.table_counts(db)
    folder = tmp_path / "bk"
    manifest = backup.backup(db, folder)
    assert manifest.tables == before and sum(before.values()) > 0
    written = json.loads((folder / "manifest.json").read_text())
    assert written["tables"] == before
    if backup.is_postgres(db):
        assert written["backend"] == "postgresql" and (folder / backup.DUMP).is_file()
    else:
        assert written["backend"] == "duckdb" and (folder / "schema.sql").is_file()
    assert not (folder / "keys").exists()

    done = backup.restore(folder, restore_target)
    assert done.tables == before and done.kept is None
    copy = open_store(restore_target)
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
def backed_up(db, tmp_path) -> Path:
    """The seeded test database's backup folder."""
    _seed(db)
    folder = tmp_path / "bk"
    backup.backup(db, folder)
    return folder


def test_restore_refuses_a_database_with_data_unless_replace_and_keeps_the_old_one(
    backed_up, restore_target, tmp_path
):
    folder = backed_up
    target = restore_target
    backup.restore(folder, target)
    live = open_store(target)
    live.execute("DELETE FROM app_state")  # a change made after the backup
    live.close()
    with pytest.raises(backup.BackupError, match="already holds data"):
        backup.restore(folder, target)
    kept_in = tmp_path / "kept"
    done = backup.restore(folder, target, replace=True, keep_in=kept_in)
    assert done.kept is not None and done.kept.exists()
    again = open_store(target)
    try:
        assert again.get_state("demo_note") == "Đà Nẵng"
    finally:
        again.close()
    if isinstance(target, str):  # PostgreSQL: the replaced database was backed up first
        assert done.kept == kept_in
        assert backup.read_manifest(kept_in).tables["app_state"] == 0


def test_a_backup_whose_files_do_not_match_its_manifest_is_refused_and_nothing_replaced(
    backed_up, restore_target
):
    folder = backed_up
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["audit_log"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(backup.BackupError, match="audit_log"):
        backup.restore(folder, restore_target)
    if isinstance(restore_target, Path):
        assert not restore_target.exists()
        assert not list(restore_target.parent.glob("*.restoring-*"))
    else:  # the dump was checked before the database was touched
        target = open_store(restore_target)
        try:
            assert not any(backup.table_counts(target).values())
        finally:
            target.close()


def test_backup_refuses_a_folder_with_files_and_leaves_no_half_backup(db, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "x").write_text("mine")
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.backup(db, full)
    assert (full / "x").read_text() == "mine"
    bad = tmp_path / "bad"
    db.close()  # the export fails: the store is closed
    with pytest.raises(Exception):  # noqa: B017, PT011 - whichever error, no folder stays
        backup.backup(db, bad)
    assert not bad.exists()


def test_a_backup_of_one_backend_is_refused_by_the_other(backed_up, tmp_path, db, pg_database):
    target = tmp_path / "d" / "rapid.duckdb" if backup.is_postgres(db) else pg_database
    with pytest.raises(backup.BackupError, match="backup and this installation uses"):
        backup.restore(backed_up, target)


def test_a_missing_pg_dump_is_a_clear_error(pg_store, tmp_path, monkeypatch):
    monkeypatch.setattr(backup, "PG_LIB", tmp_path / "no-postgresql")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("RAPID_PG_BINDIR", raising=False)
    with pytest.raises(backup.BackupError, match="pg_dump is not installed"):
        backup.backup(pg_store, tmp_path / "bk")
    assert not (tmp_path / "bk").exists()


def test_the_client_programs_get_the_password_in_their_environment_only():
    dbname, env = backup.client_connection(
        f"postgresql://rapid:{SECRET}@db.example:5433/rapid?sslmode=require"
    )
    assert SECRET not in dbname and env["PGPASSWORD"] == SECRET
    assert "host=db.example" in dbname and "port=5433" in dbname and "sslmode=require" in dbname


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
        {
            "format": st.just("rapid-backup"),
            "version": st.just(1),
            "backend": st.sampled_from(BACKENDS) | _JSONISH,
        },
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
        assert parsed.backend in BACKENDS


def _rapid(
    env: dict[str, str], *args: str, input: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [RAPID, *args], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT, input=input
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


def test_the_commands_round_trip_on_postgresql_without_showing_the_password(
    tmp_path, pg_cluster, pg_database
):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPID_")}
    env["RAPID_DATA_DIR"] = str(tmp_path / "data")
    env["RAPID_DATABASE_URL"] = pg_database.replace("rapid@", f"rapid:{SECRET}@", 1)
    for args in (("db", "migrate"), ("keys", "init")):
        out = _rapid(env, *args)
        assert out.returncode == 0, (args, out.stderr)
    out = _rapid(
        env, "users", "add", "lan", "--name", NAME, "--role", "approver", "--password-stdin",
        input="Mật-khẩu-dài-2021\n",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    out = _rapid(env, "db", "backup", "--to", str(tmp_path / "bk"), "--with-keys")
    assert out.returncode == 0, out.stderr
    assert "backup written to" in out.stdout and (tmp_path / "bk" / backup.DUMP).is_file()
    assert not (tmp_path / "data" / "rapid.duckdb").exists()  # key events audited in PostgreSQL
    manifest = backup.read_manifest(tmp_path / "bk")
    assert manifest.backend == "postgresql" and manifest.tables["users"] == 1

    out = _rapid(env, "db", "restore", str(tmp_path / "bk"))
    assert out.returncode == 1 and "already holds data" in out.stderr
    name = f"rapid_bk{next(_databases)}"
    other = pg_cluster.create_database(name)
    try:
        env2 = {**env, "RAPID_DATA_DIR": str(tmp_path / "data2")}
        env2["RAPID_DATABASE_URL"] = other.replace("rapid@", f"rapid:{SECRET}@", 1)
        out = _rapid(env2, "db", "restore", str(tmp_path / "bk"))
        assert out.returncode == 0, out.stderr
        assert "counts match the backup" in out.stdout and "signing keys restored" in out.stdout
        restored = open_store(other)
        try:
            found = backup.table_counts(restored)
        finally:
            restored.close()
        assert found["audit_log"] == manifest.tables["audit_log"] + 1  # + the restore's row
        assert {t: n for t, n in found.items() if t != "audit_log"} == {
            t: n for t, n in manifest.tables.items() if t != "audit_log"
        }
        out2 = _rapid(env2, "db", "restore", str(tmp_path / "bk"), "--replace")
        assert out2.returncode == 0, out2.stderr
        assert "kept as" in out2.stdout
        for where, action in ((env, "db.backup"), (env2, "db.restore")):
            out = _rapid(where, "audit", "--json", "--action", action)
            assert out.returncode == 0, out.stderr
            assert action in {row["action"] for row in json.loads(out.stdout)}
        for text in (out.stdout, out.stderr, out2.stdout, out2.stderr):
            assert SECRET not in text
    finally:
        pg_cluster.drop_database(name)
