"""``rapid db copy --to postgresql://...`` (issue 15 item 5): a DuckDB installation with the
small demo moves to a fresh PostgreSQL database with every count equal, sequences carried on
and a service working on the copy; a target with data is refused unless --replace; a failure
half-way leaves nothing; the password of the URL is never printed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import backup, db_copy
from core.registry import get_registry
from core.store import Store
from tests.plugins.install import ROOT

RAPID = str(Path(sys.executable).parent / "rapid")
SECRET = "S3cretPw0rdXYZ"


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data folder holding a DuckDB database with the small demo (seeded once)."""
    from core.config import Settings, set_settings
    from core.demo import seed_demo
    from core.store import set_store

    folder = tmp_path_factory.mktemp("demo") / "data"
    settings = Settings(data_dir=folder, base_url="http://testserver")
    set_settings(settings)
    st_ = Store(settings.database)
    set_store(st_)
    try:
        st_.migrate(get_registry().all_migrations())
        seed_demo(st_, "small")
    finally:
        set_store(None)
        st_.close()
        set_settings(None)
    yield folder


@pytest.fixture()
def source(demo_folder: Path, settings) -> Iterator[Store]:
    """This test's copy of the demo database (DuckDB), opened."""
    shutil.copytree(demo_folder, settings.data_dir, dirs_exist_ok=True)
    st_ = Store(settings.database)
    yield st_
    st_.close()


@pytest.fixture()
def target(pg_database: str) -> Iterator[object]:
    from core.store_postgres import PostgresStore

    st_ = PostgresStore(pg_database, max_size=4)
    yield st_
    st_.close()


def _copy(source: Store, target, **kw) -> db_copy.Copied:
    return db_copy.copy_database(source, target, get_registry().all_migrations(), **kw)


def _counts(store) -> dict[str, int]:
    found = backup.table_counts(store)
    found.pop(db_copy.BOOKKEEPING, None)
    return found


def test_the_demo_is_copied_with_every_count_and_a_login_works_on_the_copy(source, target):
    from core import accounts
    from core.demo import DEMO_PASSWORD

    before = _counts(source)
    lines: list[str] = []
    done = _copy(source, target, progress=lines.append)
    assert _counts(target) == before and sum(before.values()) > 10_000
    assert done.tables == {t: (n, n) for t, n in before.items()}
    assert any(t.startswith("app_") for t in before)  # definition apps' tables made on the way
    assert sum(line.startswith("[") for line in lines) == len(before)  # a line per table
    principal = accounts.authenticate("officer", DEMO_PASSWORD, store=target)
    assert principal.username == "officer"
    # sequences carry on after the copied ids
    for table, column, seq in (("audit_log", "id", "audit_log_seq"), ("hd_venues", "id", None)):
        top = target.scalar(f"SELECT max({column}) FROM {table}")
        assert top and (seq is None or done.sequences[seq] >= top)
    last = target.scalar("SELECT max(id) FROM audit_log")
    target.execute(
        "INSERT INTO audit_log (occurred_at, actor, action, object_type, object_id, details)"
        " VALUES (now(), 'x', 'after.copy', 'x', 'x', '{}')"
    )
    assert target.scalar("SELECT id FROM audit_log WHERE action = 'after.copy'") > last


def test_a_target_with_data_is_refused_unless_replace(source, target):
    _copy(source, target)
    source.execute("DELETE FROM audit_log WHERE id <= 10")  # a change after the first copy
    with pytest.raises(db_copy.TargetNotEmpty, match="already holds data"):
        _copy(source, target)
    assert target.scalar("SELECT count(*) FROM audit_log") == (
        source.scalar("SELECT count(*) FROM audit_log") + 10
    )  # refused: nothing changed
    _copy(source, target, replace=True)
    assert _counts(target) == _counts(source)


def test_a_migrated_but_empty_target_is_not_refused(source, target):
    target.migrate(get_registry().all_migrations())  # its own rows (a rollup mark) are no data
    assert db_copy.data_in(target, get_registry().all_migrations()) == {}
    _copy(source, target)
    assert _counts(target) == _counts(source)


def test_a_failure_half_way_leaves_the_target_without_any_copied_row(source, target):
    # PostgreSQL refuses a NUL character in text: users is among the last tables copied
    source.execute("UPDATE users SET full_name = 'A' || chr(0) || 'B' WHERE username = 'officer'")
    with pytest.raises(db_copy.CopyError, match="rolled back"):
        _copy(source, target)
    assert db_copy.data_in(target, get_registry().all_migrations()) == {}
    assert target.scalar("SELECT count(*) FROM audit_log") == 0


def test_a_failure_during_replace_keeps_the_target_as_it_was(source, target):
    _copy(source, target)
    before = _counts(target)
    source.execute("UPDATE users SET full_name = 'A' || chr(0) || 'B' WHERE username = 'officer'")
    with pytest.raises(db_copy.CopyError):
        _copy(source, target, replace=True)
    assert _counts(target) == before


# -- the command ------------------------------------------------------------------------------


def _rapid(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [RAPID, *args], env=env, capture_output=True, text=True, timeout=300, cwd=ROOT
    )


def _with_password(url: str) -> str:
    """The test cluster trusts its socket: a password in the URL is accepted and unused."""
    return url.replace("postgresql://rapid@", f"postgresql://rapid:{SECRET}@", 1)


@pytest.fixture()
def cli_env(demo_folder: Path, tmp_path: Path) -> dict[str, str]:
    shutil.copytree(demo_folder, tmp_path / "cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPID_")}
    env["RAPID_DATA_DIR"] = str(tmp_path / "cli")
    return env


def test_the_command_copies_refuses_replaces_and_never_shows_the_password(cli_env, pg_database):
    url = _with_password(pg_database)
    out = _rapid(cli_env, "db", "copy", "--to", url)
    assert out.returncode == 0, out.stderr
    assert SECRET not in out.stdout + out.stderr
    assert "every count matches" in out.stdout and "stay in" in out.stdout
    assert "[1/" in out.stderr  # progress per table
    assert "process list" in out.stderr  # a password in the URL: advised against
    table_lines = [line.split() for line in out.stdout.splitlines()[1:] if line.count(" ") > 2]
    copied = {p[0]: (p[1], p[2]) for p in table_lines if len(p) == 3}
    assert copied["hd_declarations"][0] == copied["hd_declarations"][1] != "0"

    out = _rapid(cli_env, "db", "copy", "--to", url)
    assert out.returncode == 2 and "already holds data" in out.stderr
    assert SECRET not in out.stdout + out.stderr
    out = _rapid(cli_env, "db", "copy", "--to", url, "--replace")
    assert out.returncode == 0, out.stderr

    # the copy serves the operator commands, and both sides audited the copy
    pg_env = {**cli_env, "RAPID_DATABASE_URL": url}
    for env in (cli_env, pg_env):
        out = _rapid(env, "audit", "--json", "--action", "db.copy")
        assert out.returncode == 0, out.stderr
        rows = json.loads(out.stdout)
        assert len(rows) == 2 and SECRET not in out.stdout
    out = _rapid(pg_env, "users", "list", "--json")
    assert out.returncode == 0, out.stderr
    assert "officer" in {row["username"] for row in json.loads(out.stdout)}
    # the definition apps' roles are known on the copy as on the original
    duck_roles, pg_roles = (
        {r["id"] for r in json.loads(_rapid(env, "roles", "--json").stdout)}
        for env in (cli_env, pg_env)
    )
    assert pg_roles == duck_roles
    Path(cli_env["RAPID_DATA_DIR"], "rapid.duckdb").unlink()  # PostgreSQL alone from here on
    pg_roles = {r["id"] for r in json.loads(_rapid(pg_env, "roles", "--json").stdout)}
    assert pg_roles == duck_roles


def test_the_command_fails_clearly_and_leaves_the_target_empty(cli_env, pg_database):
    source = Store(Path(cli_env["RAPID_DATA_DIR"]) / "rapid.duckdb")
    source.execute("UPDATE users SET full_name = 'A' || chr(0) || 'B' WHERE username = 'admin'")
    source.close()
    out = _rapid(cli_env, "db", "copy", "--to", _with_password(pg_database))
    assert out.returncode == 1 and "rolled back" in out.stderr
    assert SECRET not in out.stdout + out.stderr
    from core.store_postgres import PostgresStore

    target = PostgresStore(pg_database, max_size=2)
    try:
        assert db_copy.data_in(target, get_registry().all_migrations()) == {}
    finally:
        target.close()


def test_bad_target_urls_are_usage_errors_without_the_password(cli_env):
    for url in ("mysql://u:pw@h/db", f"postgresql://u:{SECRET}@host:5432", "postgresql://%zz"):
        out = _rapid(cli_env, "db", "copy", "--to", url)
        assert out.returncode == 2, (url, out.stderr)
        assert SECRET not in out.stdout + out.stderr
    out = _rapid(
        cli_env, "db", "copy", "--to", f"postgresql://u:{SECRET}@127.0.0.1:1/db?connect_timeout=2"
    )
    assert out.returncode == 1 and "cannot open the database" in out.stderr
    assert SECRET not in out.stdout + out.stderr


def test_copy_is_refused_when_the_installation_is_already_postgresql(cli_env, pg_database):
    env = {**cli_env, "RAPID_DATABASE_URL": pg_database}
    out = _rapid(env, "db", "copy", "--to", pg_database)
    assert out.returncode == 2 and "already uses PostgreSQL" in out.stderr


# -- the --to URL is outside input --------------------------------------------------------------

_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
_PASSWORD = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=10, max_size=20)
_JUNK = st.text(max_size=20)


@given(
    scheme=st.sampled_from(["postgresql://", "postgres://", "POSTGRESQL://", "pg://", ""]),
    user=_WORD,
    password=_PASSWORD,
    host=_WORD | _JUNK,
    port=st.integers(-5, 70_000).map(str) | _JUNK,
    db=_WORD | _JUNK,
    query=_JUNK,
)
def test_any_target_url_parses_or_says_why_without_its_password(
    scheme, user, password, host, port, db, query
):
    url = f"{scheme}{user}:{password}@{host}:{port}/{db}?{query}"
    try:
        parsed = db_copy.parse_target_url(url)
    except db_copy.CopyError as exc:
        assert password not in str(exc)
        assert "URL" in str(exc)
    else:
        assert parsed.lower().startswith(("postgresql://", "postgres://"))


@given(st.text(max_size=200))
def test_any_text_as_target_parses_or_says_why(text):
    try:
        db_copy.parse_target_url(text)
    except db_copy.CopyError as exc:
        assert "URL" in str(exc)
