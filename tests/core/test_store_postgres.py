"""The PostgreSQL store (issue 15): the dialect rules, and the store contract on a throwaway
cluster (``pg_store``/``pg_database`` from the core test kit; skipped only when PostgreSQL is
not installed). Contract tests shared with DuckDB are in test_store.py (``any_store``)."""

import threading
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import sql_dialect
from core.registry import get_registry
from core.store import (
    CONFLICTS,
    CONSTRAINTS,
    ConflictError,
    ConstraintError,
    Store,
    StoreError,
    get_store,
    open_store,
    set_store,
)

# -- the dialect (no database) ------------------------------------------------------------------

code_text = st.text(alphabet="abc xyz,=()?%+*\n0123456789", max_size=12).filter(
    lambda t: "--" not in t
)
literal_body = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)


@st.composite
def pieces(draw):
    """A statement as (kind, DuckDB text) pieces: code, 'string', "ident", comments."""
    out = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["code", "string", "ident", "line", "block"]))
        body = draw(literal_body)
        if kind == "code":
            out.append(("code", draw(code_text)))
        elif kind == "string":
            out.append(("string", "'" + body.replace("'", "''") + "'"))
        elif kind == "ident":
            out.append(("ident", '"' + body.replace('"', '""') + '"'))
        elif kind == "line":
            out.append(("comment", "--" + body.replace("\n", " ") + "\n"))
        else:
            out.append(("comment", "/* " + body.replace("*", "").replace("/", "") + " */"))
        # keep pieces apart: `'a''b'` would be one string, `x--` a comment
        out.append(("code", " "))
    return out


@given(pieces())
def test_placeholders_outside_literals_become_psycopg_ones(parts):
    sql = "".join(text for _, text in parts)
    expected = "".join(
        text.replace("%", "%%").replace("?", "%s") if kind == "code" else text.replace("%", "%%")
        for kind, text in parts
    )
    query, params = sql_dialect.to_postgres(sql, [1])
    assert query == expected
    assert params == [1]


@given(pieces())
def test_splitting_keeps_every_character_and_finds_the_literals(parts):
    sql = "".join(text for _, text in parts)
    split = list(sql_dialect.split_sql(sql))
    assert "".join(text for _, text in split) == sql
    assert [t for k, t in split if k != "code"] == [t for k, t in parts if k != "code"]


@given(st.text(max_size=40))
def test_any_text_splits_back_to_itself(sql):
    assert "".join(text for _, text in sql_dialect.split_sql(sql)) == sql


def test_placeholder_forms():
    to = sql_dialect.to_postgres
    assert to("SELECT ? WHERE x LIKE 'a?%'", ["v"]) == ("SELECT %s WHERE x LIKE 'a?%%'", ["v"])
    assert to("SELECT $b, $a, $b", {"a": 1, "b": 2}) == (
        "SELECT %(b)s, %(a)s, %(b)s",
        {"a": 1, "b": 2},
    )
    assert to("SELECT $2, $1, $2", ["x", "y"]) == ("SELECT %s, %s, %s", ["y", "x", "y"])
    assert to("SELECT '$1', \"?\" -- ?\n, ?", [5]) == ("SELECT '$1', \"?\" -- ?\n, %s", [5])
    assert to("SELECT 'a%' /* 100% */", None) == ("SELECT 'a%' /* 100% */", None)
    assert to("SELECT $$ ? $$, ?", [1]) == ("SELECT $$ ? $$, %s", [1])
    assert to("WHERE (? IS NULL OR a = ?)", [None, None])[0] == (
        "WHERE (CAST(%s AS TEXT) IS NULL OR a = %s)"
    )
    assert to("SELECT t + INTERVAL 7 HOUR, 'INTERVAL 7 HOUR'")[0] == (
        "SELECT t + INTERVAL '7 HOUR', 'INTERVAL 7 HOUR'"
    )


def test_ddl_types_renamed_in_sql_text_only():
    ddl = sql_dialect.ddl_to_postgres
    assert ddl("CREATE TABLE t (a DOUBLE, b double precision, c BLOB, d TINYINT)") == (
        "CREATE TABLE t (a DOUBLE PRECISION, b double precision, c BYTEA, d SMALLINT)"
    )
    kept = "CREATE TABLE t (\"double\" VARCHAR DEFAULT 'BLOB') -- DOUBLE\n"
    assert ddl(kept) == kept
    assert sql_dialect.to_postgres("ALTER TABLE t ADD COLUMN x DOUBLE")[0].endswith(
        "DOUBLE PRECISION"
    )
    assert sql_dialect.to_postgres("SELECT CAST(x AS DOUBLE) FROM t")[0].endswith("DOUBLE) FROM t")


def test_pg_types_named_as_duckdb_names_them():
    name = sql_dialect.pg_type_to_duckdb
    assert name("character varying") == "VARCHAR"
    assert name("timestamp without time zone") == "TIMESTAMP"
    assert name("double precision") == "DOUBLE"
    assert name("ARRAY", "_int4") == "INTEGER[]"


def test_settings_choose_the_backend(tmp_path: Path):
    from core.config import load_settings
    from core.store import store_target

    pg = load_settings(environ={"RAPID_DATABASE_URL": "postgresql://u:pw@db.example/rapid"})
    assert store_target(pg) == "postgresql://u:pw@db.example/rapid"
    assert "pw" not in str(pg.redacted())
    file = load_settings(environ={"RAPID_DATABASE_URL": str(tmp_path / "x.duckdb")})
    assert store_target(file) == tmp_path / "x.duckdb"
    assert store_target(load_settings(environ={})) == Path("data/rapid.duckdb")


# -- the store on PostgreSQL ----------------------------------------------------------------------


def test_nested_transactions_join_the_outer_one(pg_database):
    store = open_store(pg_database)
    try:
        store.execute("CREATE TABLE t (a INTEGER)")
        assert not store.in_transaction
        with store.transaction() as outer:
            assert store.in_transaction
            outer.execute("INSERT INTO t VALUES (?)", [1])
            with store.transaction() as inner:
                assert inner is outer and store.cursor() is outer
                inner.execute("INSERT INTO t VALUES (?)", [2])
                assert store.scalar("SELECT count(*) FROM t") == 2  # the same transaction
            other = open_store(pg_database)
            try:
                assert other.scalar("SELECT count(*) FROM t") == 0  # not committed yet
            finally:
                other.close()
            cur = outer.execute("SELECT a FROM t ORDER BY a")
            assert cur.fetchone() == (1,) and cur.fetchall() == [(2,)]
        assert not store.in_transaction
        assert store.fetchall("SELECT a FROM t ORDER BY a") == [(1,), (2,)]
        with pytest.raises(RuntimeError):
            with store.transaction() as cur:
                cur.executemany("INSERT INTO t VALUES (?)", [[3], [4]])
                with store.transaction() as inner:
                    inner.execute("INSERT INTO t VALUES (5)")
                raise RuntimeError("boom")
        assert store.scalar("SELECT count(*) FROM t") == 2
    finally:
        store.close()


def test_write_write_conflict_between_two_threads_is_a_conflict_error(pg_database):
    store = open_store(pg_database)
    store.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, status VARCHAR)")
    store.execute("INSERT INTO r VALUES (1, 'pending')")
    both_read = threading.Barrier(2)
    results: list[str] = []

    def decide(label: str) -> None:
        try:
            with store.transaction() as cur:
                assert cur.execute("SELECT status FROM r WHERE id = 1").fetchone() == ("pending",)
                both_read.wait()
                cur.execute("UPDATE r SET status = ? WHERE id = 1 AND status = 'pending'", [label])
        except ConflictError:
            results.append("conflict")
        else:
            results.append("won")

    threads = [threading.Thread(target=decide, args=(x,)) for x in ("a", "b")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results) == ["conflict", "won"]
    assert issubclass(ConflictError, CONFLICTS)
    assert store.scalar("SELECT status FROM r") in ("a", "b")
    store.close()


def test_constraint_violation_is_a_constraint_error(pg_store):
    pg_store.set_state("k", "v")
    with pytest.raises(CONSTRAINTS) as caught:
        pg_store.execute(
            "INSERT INTO app_state (key, value, updated_at) VALUES (?, ?, ?)",
            ["k", "w", datetime(2021, 9, 10)],
        )
    assert isinstance(caught.value, ConstraintError)


def test_insert_df_round_trip_keeps_types_and_diacritics(pg_database):
    store = open_store(pg_database)
    store.execute(
        "CREATE TABLE people (name VARCHAR, n BIGINT, t DOUBLE, at TIMESTAMP, on_day DATE,"
        " ok BOOLEAN, zones INTEGER[], raw BLOB)"
    )
    frame = pd.DataFrame(
        {
            "name": ["Nguyễn Thị Ánh Tuyết", "Đặng Văn Hưởng", None],
            "n": [1, 2**40, 3],
            "t": [36.6, None, 39.2],
            "at": pd.to_datetime(
                ["2021-09-10 08:00:00.123457", None, "2021-09-11 23:59:59.000000"]
            ),
            "on_day": [date(2021, 9, 10), date(2021, 9, 11), None],
            "ok": [True, False, True],
            "zones": [[1, 2], [], [3]],
            "raw": [b"\x00\xffxlsx", b"", None],
        }
    )
    assert store.insert_df("people", frame) == 3
    rows = store.records("SELECT * FROM people ORDER BY n")
    assert [r["name"] for r in rows] == ["Nguyễn Thị Ánh Tuyết", None, "Đặng Văn Hưởng"]
    assert rows[0]["at"] == datetime(2021, 9, 10, 8, 0, 0, 123457) and rows[2]["at"] is None
    assert rows[0]["on_day"] == date(2021, 9, 10) and rows[1]["on_day"] is None
    assert [r["zones"] for r in rows] == [[1, 2], [3], []]
    assert bytes(rows[0]["raw"]) == b"\x00\xffxlsx"
    assert rows[2]["t"] is None and rows[0]["t"] == 36.6
    back = store.df("SELECT name, n, t, at, ok FROM people ORDER BY n")
    assert list(back.columns) == ["name", "n", "t", "at", "ok"]
    assert back["n"].tolist() == [1, 3, 2**40]
    assert str(back["at"].dtype).startswith("datetime64")
    assert back["ok"].tolist() == [True, True, False]
    assert store.insert_df("people", frame.iloc[:0]) == 0
    store.close()


def test_results_are_python_values_as_on_duckdb(pg_store):
    row = pg_store.fetchone(
        "SELECT sum(x), avg(x), count(*), sum(x) / 2.0 FROM (VALUES (1), (2)) v(x)"
    )
    assert row == (3, 1.5, 3 - 1, 1.5)
    assert type(row[0]) is int and type(row[1]) is float
    assert pg_store.fetchall("SELECT ? || '?%', ?", ["a", 2]) == [("a?%", 2)]
    assert pg_store.scalar("SELECT value FROM app_state WHERE key = ?", ["none"]) is None
    pg_store.set_state("k", "v")
    for key, n in ((None, 1), ("k", 1), ("other", 0)):
        sql = "SELECT count(*) FROM app_state WHERE (? IS NULL OR key = ?)"
        assert pg_store.scalar(sql, [key, key]) == n
    sql = "SELECT count(*) FROM app_state WHERE list_contains(?, key) AND list_contains(?, 7)"
    assert pg_store.scalar(sql, [["k", "z"], [7]]) == 1  # made by migrate (PG_FUNCTIONS)
    assert pg_store.scalar(sql, [[], [7]]) == 0
    assert (
        pg_store.scalar(
            "SELECT count(*) FROM app_state WHERE updated_at > ? - INTERVAL 7 HOUR",
            [datetime(2000, 1, 1)],
        )
        == 1
    )


def test_every_migration_applied_and_recorded_with_duckdbs_schema(pg_store, tmp_path: Path):
    wanted = {(m.app_id, m.version) for m in get_registry().all_migrations()}
    assert pg_store.applied_migrations() == wanted
    assert pg_store.migrate(get_registry().all_migrations()) == []
    duck = Store(tmp_path / "same.duckdb")
    try:
        duck.migrate(get_registry().all_migrations())
        tables = [t for (t,) in duck.fetchall("SELECT table_name FROM information_schema.tables")]
        assert len(tables) > 20
        for table in tables:
            assert pg_store.table_columns(table) == duck.table_columns(table), table
    finally:
        duck.close()


def test_state_and_autocommit_outside_transactions(pg_store, pg_cluster):
    assert pg_store.get_state("demo") is None
    pg_store.set_state("demo", "seeded")
    pg_store.set_state("demo", "seeded twice")
    assert pg_store.get_state("demo") == "seeded twice"
    other = open_store(pg_store.url)  # another process's view: committed at once
    try:
        assert other.get_state("demo") == "seeded twice"
        assert (
            other.insert_row(
                "app_state", {"key": "x", "value": "Đà Nẵng", "updated_at": datetime(2021, 9, 10)}
            )
            is None
        )
        assert pg_store.get_state("x") == "Đà Nẵng"
    finally:
        other.close()


def test_processes_starting_together_migrate_once(pg_database):
    stores = [open_store(pg_database) for _ in range(3)]
    done: list[int] = []
    start = threading.Barrier(3)

    def run(st) -> None:
        start.wait()
        done.append(len(st.migrate(get_registry().all_migrations())))

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(done) == [0, 0, len(get_registry().all_migrations())]
    for s in stores:
        s.close()


def test_get_store_opens_postgresql_from_the_setting(settings, pg_database):
    settings.database_url = pg_database
    set_store(None)
    try:
        store = get_store()
        assert type(store).__name__ == "PostgresStore"
        assert store.applied_migrations() == {
            (m.app_id, m.version) for m in get_registry().all_migrations()
        }
    finally:
        store.close()
        set_store(None)


def test_insert_df_casts_as_duckdb_does(pg_database):
    store = open_store(pg_database)
    store.execute("CREATE TABLE c (n BIGINT, day DATE, label VARCHAR, x DOUBLE)")
    frame = pd.DataFrame(
        {
            "n": [1.0, None],  # integers with a gap: pandas makes them floats
            "day": pd.to_datetime(["2021-09-10", "2021-09-11"]),
            "label": [7, 8],
            "x": [1, 2],
        }
    )
    assert store.insert_df("c", frame) == 2
    assert store.fetchall("SELECT * FROM c ORDER BY day") == [
        (1, date(2021, 9, 10), "7", 1.0),
        (None, date(2021, 9, 11), "8", 2.0),
    ]
    with pytest.raises(StoreError, match="no column"):
        store.insert_df("c", pd.DataFrame({"nope": [1]}))
    store.close()


def test_an_unreachable_server_is_a_clear_store_error(tmp_path: Path):
    url = f"postgresql://rapid:secret@/rapid?host={tmp_path}&port=5999"
    with pytest.raises(StoreError, match="cannot open the database") as caught:
        open_store(url, timeout=2)
    assert "secret" not in str(caught.value)


def test_read_only_store_refuses_writes(pg_store):
    reader = open_store(pg_store.url, read_only=True)
    try:
        assert reader.get_state("none") is None
        with pytest.raises(Exception, match="read-only"):
            reader.set_state("k", "v")
    finally:
        reader.close()
