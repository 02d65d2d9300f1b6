import threading
from pathlib import Path

import pytest

from core.store import (
    CONFLICTS,
    Store,
    StoreError,
    StoreLockedError,
    discover_migrations,
    open_store,
)


@pytest.fixture(params=["duckdb", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh, empty store of each backend (the store contract holds on both)."""
    if request.param == "duckdb":
        st = open_store(tmp_path / "db.duckdb")
    else:
        st = open_store(request.getfixturevalue("pg_database"))
    yield st
    st.close()


def test_sixteen_threads_write_at_once_and_lose_nothing(any_store):
    store = any_store
    store.execute("CREATE TABLE hits (thread INTEGER, n INTEGER)")
    barrier = threading.Barrier(16)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            barrier.wait()
            for n in range(200):
                with store.transaction() as cur:
                    cur.execute("INSERT INTO hits VALUES (?, ?)", [t, n])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert store.scalar("SELECT count(*) FROM hits") == 16 * 200
    assert store.scalar("SELECT count(*) FROM (SELECT DISTINCT thread, n FROM hits) d") == 16 * 200


def test_transaction_is_all_or_nothing(any_store):
    store = any_store
    store.execute("CREATE TABLE t (a INTEGER)")
    with pytest.raises(RuntimeError):
        with store.transaction() as cur:
            cur.execute("INSERT INTO t VALUES (1)")
            with store.transaction() as inner:
                inner.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("boom")
    assert store.scalar("SELECT count(*) FROM t") == 0


def test_concurrent_update_of_same_row_conflicts_cleanly(any_store):
    store = any_store
    store.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, status VARCHAR)")
    store.execute("INSERT INTO r VALUES (1, 'pending')")
    go = threading.Barrier(2)
    results: list[str] = []

    def decide(label: str) -> None:
        try:
            with store.transaction() as cur:
                go.wait()
                cur.execute("UPDATE r SET status = ? WHERE id = 1 AND status = 'pending'", [label])
        except CONFLICTS as exc:
            results.append(f"lost:{type(exc).__name__}")
        else:
            results.append("won")

    ts = [threading.Thread(target=decide, args=(x,)) for x in ("a", "b")]
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert results.count("won") >= 1
    assert len(results) == 2 and all(r == "won" or r.startswith("lost:") for r in results)
    assert store.scalar("SELECT status FROM r") in ("a", "b")


def test_second_process_gets_a_clear_lock_error(tmp_path: Path):
    import subprocess
    import sys

    db = tmp_path / "db.duckdb"
    store = Store(db)
    code = f"from core.store import Store\nStore({str(db)!r})"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[2]
    )
    assert proc.returncode != 0
    assert "StoreLockedError" in proc.stderr and "in use by another process" in proc.stderr
    store.close()


def test_lock_error_type_in_process(tmp_path: Path):
    from tests.plugins.install import database_held_by_another_process

    db = tmp_path / "db.duckdb"
    with database_held_by_another_process(db):
        with pytest.raises(StoreLockedError, match="in use by another process"):
            Store(db)


def test_unwritable_data_dir(tmp_path: Path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        import os

        if os.geteuid() == 0:
            pytest.skip("root can write anywhere; covered by the file path case below")
        with pytest.raises(StoreError, match="cannot"):
            Store(ro / "sub" / "db.duckdb")
    finally:
        ro.chmod(0o700)


def test_data_dir_that_is_a_file(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create data folder"):
        Store(blocker / "db.duckdb")


def test_migrations_apply_once_in_order(tmp_path: Path, any_store):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "001_a.sql").write_text("CREATE TABLE a (x INTEGER);")
    (folder / "002_b.sql").write_text("INSERT INTO a VALUES (1);")
    store = any_store
    migs = discover_migrations("x", folder)
    assert [m.version for m in store.migrate(migs)] == [1, 2]
    assert store.migrate(migs) == []
    assert store.scalar("SELECT count(*) FROM a") == 1


def test_failed_migration_leaves_nothing(tmp_path: Path, any_store):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "001_a.sql").write_text("CREATE TABLE a (x INTEGER); INSERT INTO nope VALUES (1);")
    store = any_store
    with pytest.raises(StoreError, match="001_a.sql"):
        store.migrate(discover_migrations("x", folder))
    assert store.applied_migrations() == set()
    assert (
        store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'a'") == 0
    )


def test_bad_migration_name(tmp_path: Path):
    (tmp_path / "1_x.sql").write_text("")
    with pytest.raises(StoreError, match="NNN_name.sql"):
        discover_migrations("x", tmp_path)


@pytest.mark.parametrize("name", ["001_a.duckdb.sql", "001_a.PostgreSQL.sql", "001_a.pg.sql"])
def test_only_postgresql_may_have_its_own_migration_files(tmp_path: Path, name: str):
    (tmp_path / name).write_text("")
    with pytest.raises(StoreError, match="NNN_name.postgresql.sql"):
        discover_migrations("x", tmp_path)


def test_a_postgresql_migration_applies_on_postgresql_only(tmp_path: Path, any_store):
    """An index PostgreSQL needs (``NNN_name.postgresql.sql``) is made there and skipped on
    DuckDB, and the versions after it apply on both."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "001_a.sql").write_text("CREATE TABLE a (x INTEGER);")
    (folder / "002_a_x.postgresql.sql").write_text("CREATE INDEX a_x ON a (x);")
    (folder / "003_b.sql").write_text("INSERT INTO a VALUES (1);")
    store = any_store
    migs = discover_migrations("x", folder)
    assert [m.only_on for m in migs] == [None, "postgresql", None]
    applied = [m.version for m in store.migrate(migs)]
    assert store.migrate(migs) == []
    assert store.scalar("SELECT count(*) FROM a") == 1
    if store.backend == "postgresql":
        assert applied == [1, 2, 3]
        assert store.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'a_x'") == 1
    else:
        assert applied == [1, 3]
        assert store.scalar("SELECT count(*) FROM duckdb_indexes() WHERE index_name = 'a_x'") == 0


def test_sql_looking_text_is_data(any_store):
    store = any_store
    store.execute("CREATE TABLE n (v VARCHAR)")
    evil = "x'); DROP TABLE n; --"
    store.execute("INSERT INTO n VALUES (?)", [evil])
    assert store.scalar("SELECT v FROM n") == evil


def test_writes_answer_the_number_of_rows_changed(any_store):
    """Services read `cur.execute("UPDATE ...").fetchone()[0]` (one approver wins)."""
    store = any_store
    store.execute("CREATE TABLE w (id INTEGER, s VARCHAR)")
    with store.transaction() as cur:
        assert cur.execute("INSERT INTO w VALUES (1, 'a'), (2, 'a')").fetchone()[0] == 2
        assert cur.execute("UPDATE w SET s = ? WHERE s = 'a'", ["b"]).fetchone()[0] == 2
        assert cur.execute("UPDATE w SET s = 'c' WHERE id = 9").fetchall() == [(0,)]
        assert cur.execute("DELETE FROM w WHERE id = ?", [1]).fetchone() == (1,)
        assert cur.execute("INSERT INTO w VALUES (3, 'x') RETURNING id").fetchall() == [(3,)]
    assert store.fetchall("SELECT id, s FROM w ORDER BY id") == [(2, "b"), (3, "x")]


def test_frames_have_duckdbs_dtypes(any_store):
    frame = any_store.df(
        "SELECT DATE '2021-09-10' AS d, CAST(NULL AS DATE) AS nd,"
        " TIMESTAMP '2021-09-10 08:00:00.123457' AS t, CAST(1 AS BIGINT) AS i,"
        " CAST(NULL AS BIGINT) AS ni, CAST(2 AS INTEGER) AS n4, 'Đà Nẵng' AS s,"
        " CAST(1.5 AS DOUBLE PRECISION) AS f, true AS b"
    )
    dtypes = {k: str(v) for k, v in frame.dtypes.items()}
    assert dtypes == {
        "d": "datetime64[us]",
        "nd": "datetime64[us]",
        "t": "datetime64[us]",
        "i": "int64",
        "ni": "Int64",
        "n4": "int32",
        "s": "str",
        "f": "float64",
        "b": "bool",
    }
    assert frame["t"][0].microsecond == 123457 and frame["s"][0] == "Đà Nẵng"
    assert len(any_store.df("SELECT CAST(1 AS BIGINT) AS i WHERE false").columns) == 1
