"""The one place where the SQL of DuckDB and of PostgreSQL differ.

Apps and core write DuckDB SQL (the default backend): ``?`` placeholders, DuckDB type names in
migrations. ``core.store_postgres`` passes every statement through ``to_postgres`` and every
migration file through ``migration_to_postgres``. The rules, each applied only to SQL text, never
inside a string literal, a quoted identifier or a comment:

Placeholders (``to_postgres``, when parameters are given):
  - ``?`` becomes ``%s`` (psycopg's placeholder);
  - ``$name`` with a dict of parameters becomes ``%(name)s``; ``$1``, ``$2``... with a list
    become ``%s`` and the list is reordered to match;
  - every ``%`` is doubled (``LIKE 'a%'``, ``x % 7``): psycopg reads ``%`` everywhere in the
    text, literals included, when parameters are passed.
  - ``? IS NULL`` / ``? IS NOT NULL`` becomes ``CAST(%s AS TEXT) IS ...``: PostgreSQL cannot
    type a parameter that is only tested for NULL (``WHERE (? IS NULL OR col = ?)``); the cast
    accepts a parameter of any type, and None.
  Without parameters the text is sent as written (several statements may then be sent at once,
  as migrations are).

Syntax (always): DuckDB's ``INTERVAL 7 HOUR`` becomes ``INTERVAL '7 HOUR'`` (both accept the
quoted form; a computed one, ``INTERVAL (x) DAY``, must be written ``x * INTERVAL '1 DAY'``).

Types (``ddl_to_postgres``, for ``CREATE``/``ALTER`` statements and migrations): DuckDB's names
without a PostgreSQL twin are renamed, see ``TYPE_RULES``. A word is renamed only as a whole,
unquoted word: a column that needs one of these names as its name must be written quoted
(``"blob"``), which DuckDB accepts too.

Rules that cannot be made mechanically are written here, with their reason, in
``NOT_TRANSLATED``; a migration that needs one is written in SQL both databases accept.

Results: PostgreSQL gives NUMERIC for ``sum()`` of integers and ``avg()``, where DuckDB gives
integers (HUGEINT) and DOUBLE; ``core.store_postgres`` loads NUMERIC as ``int`` when it has no
fraction and ``float`` otherwise, as DuckDB's Python values are. ``pg_type_to_duckdb`` names
PostgreSQL's column types as DuckDB does (``Store.table_columns``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

CODE, STRING, IDENT, COMMENT = "code", "string", "ident", "comment"

TYPE_RULES: dict[str, str] = {
    "DOUBLE": "DOUBLE PRECISION",  # DuckDB's 8-byte float; PostgreSQL needs PRECISION
    "BLOB": "BYTEA",
    "BYTES": "BYTEA",
    "VARBINARY": "BYTEA",
    "BINARY": "BYTEA",
    "TINYINT": "SMALLINT",  # PostgreSQL has no 1-byte integer
    "UTINYINT": "SMALLINT",
    "USMALLINT": "INTEGER",
    "UINTEGER": "BIGINT",
    "UBIGINT": "NUMERIC(20)",
    "HUGEINT": "NUMERIC(39)",
    "INT1": "SMALLINT",
    "FLOAT4": "REAL",
    "FLOAT8": "DOUBLE PRECISION",
    "FLOAT": "REAL",  # DuckDB's FLOAT is 4 bytes, PostgreSQL's 8
    "STRING": "TEXT",
    "DATETIME": "TIMESTAMP",
    "LOGICAL": "BOOLEAN",
    "BOOL": "BOOLEAN",
}
"""DuckDB type name -> PostgreSQL type name, for whole unquoted words of DDL."""

NOT_TRANSLATED: dict[str, str] = {
    "CREATE OR REPLACE TABLE": "PostgreSQL has none: DROP TABLE IF EXISTS then CREATE TABLE",
    "STRUCT/MAP/UNION types": "no PostgreSQL twin: a JSON text column or another table",
    "INSERT OR REPLACE / INSERT OR IGNORE": (
        "write INSERT ... ON CONFLICT (key) DO UPDATE/DO NOTHING, which both accept"
    ),
    "range(n) / generate_series as a table in DuckDB": (
        "PostgreSQL's generate_series(0, n - 1) AS r(i); write that, DuckDB accepts it too"
    ),
    "registered DataFrames (cursor.register)": (
        "no PostgreSQL equivalent: pass the values as parameters (= ANY(?) with a list) or"
        " load a temporary table with Store.insert_df"
    ),
    "list functions (list_value, unnest of an untyped parameter)": (
        "PostgreSQL arrays: ARRAY[...], = ANY(?), unnest(?::VARCHAR[]); list_contains is made"
        " as a function (PG_FUNCTIONS)"
    ),
    "arg_min / arg_max": "(array_agg(x ORDER BY y))[1] or DISTINCT ON, see PG_FUNCTIONS",
}
"""DuckDB constructs with no mechanical PostgreSQL form (not rewritten: the SQL must change)."""

PG_FUNCTIONS: tuple[str, ...] = (
    # list_contains(list, x): DuckDB's membership test. Inlined by PostgreSQL's planner into
    # `x = ANY(list)` (so an index on x still serves). anycompatible: a parameter list of small
    # integers (int2[]) still matches a BIGINT column.
    "CREATE OR REPLACE FUNCTION list_contains(anycompatiblearray, anycompatible)"
    " RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT $2 = ANY($1)'",
)
"""DuckDB functions PostgreSQL lacks, made in the database by ``PostgresStore.migrate`` before
any migration (idempotent). ``arg_min``/``arg_max`` are not here: an aggregate whose result
and ordering value have two unrelated types needs C on PostgreSQL; write
``(array_agg(x ORDER BY y))[1]`` (DuckDB accepts it too) or ``DISTINCT ON``."""

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_PARAM_NAME = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*|[0-9]+)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _quoted_end(sql: str, j: int, quote: str, backslash: bool) -> int:
    """Where a quoted string or identifier that started before ``j`` ends: after its closing
    ``quote`` (a doubled quote is one character of it; with ``backslash``, ``\\x`` too), or
    at the end of the text when it is never closed."""
    n = len(sql)
    while j < n:
        c = sql[j]
        if backslash and c == "\\":
            j += 2
            continue
        if c == quote:
            if j + 1 < n and sql[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    return n


def split_sql(sql: str) -> Iterator[tuple[str, str]]:
    """The text in pieces ``(kind, text)``: ``code``, ``string`` ('...' with '' inside, E'...'
    with backslash escapes, $tag$...$tag$), ``ident`` ("..." with "" inside) and ``comment``
    (-- to the end of the line, /* ... */ nested as PostgreSQL nests them). An unterminated
    piece runs to the end. Joining the texts gives ``sql`` back."""
    n = len(sql)
    i = start = 0
    while i < n:
        ch = sql[i]
        nxt = sql[i + 1] if i + 1 < n else ""
        if ch == "-" and nxt == "-":
            end = sql.find("\n", i)
            end = n if end < 0 else end + 1
            kind = COMMENT
        elif ch == "/" and nxt == "*":
            depth, j = 1, i + 2
            while j < n and depth:
                if sql.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif sql.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            end, kind = j, COMMENT
        elif ch == "'" or (ch in "eE" and nxt == "'" and (i == 0 or not _is_word_char(sql[i - 1]))):
            backslash = ch != "'"
            end, kind = _quoted_end(sql, i + (2 if backslash else 1), "'", backslash), STRING
        elif ch == '"':
            end, kind = _quoted_end(sql, i + 1, '"', False), IDENT
        elif ch == "$" and (i == 0 or not _is_word_char(sql[i - 1])):
            tag = _DOLLAR_TAG.match(sql, i)
            if tag is None:
                i += 1
                continue
            close = sql.find(tag.group(0), tag.end())
            end = n if close < 0 else close + len(tag.group(0))
            kind = STRING
        else:
            i += 1
            continue
        if i > start:
            yield CODE, sql[start:i]
        yield kind, sql[i:end]
        i = start = end
    if start < n:
        yield CODE, sql[start:]


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


Params = Sequence[Any] | Mapping[str, Any] | None


def to_postgres(sql: str, params: Params = None) -> tuple[str, Params]:
    """A DuckDB statement and its parameters, as psycopg takes them (see the module's rules).
    Parameters that are empty become None (psycopg then sends the text as it is)."""
    if not params:
        return _translate(sql, "none")[0], None
    named = isinstance(params, Mapping)
    query, order = _translate(sql, "named" if named else "positional")
    if order:
        values = list(params)  # type: ignore[arg-type]
        return query, [values[k] for k in order]
    return query, params


@lru_cache(maxsize=4096)
def _translate(sql: str, mode: str) -> tuple[str, tuple[int, ...]]:
    """The text for psycopg and, for ``$1``-style placeholders, the parameters' order. Services
    send the same few hundred statements again and again: each is rewritten once."""
    if mode == "none":
        text = "".join(_INTERVAL.sub(_interval, t) if k == CODE else t for k, t in split_sql(sql))
        return (ddl_to_postgres(text) if _is_ddl(text) else text), ()
    order: list[int] = []
    out: list[str] = []
    for kind, text in split_sql(sql):
        if kind != CODE:
            out.append(text.replace("%", "%%"))
            continue
        text = _INTERVAL.sub(_interval, text.replace("%", "%%"))
        text = _UNTYPED_NULL_TEST.sub(r"CAST(? AS TEXT)\1", text)
        if mode == "named":
            text = _PARAM_NAME.sub(lambda m: f"%({m.group(1)})s", text)
        else:
            text = text.replace("?", "%s")
            if "$" in text:

                def numbered(m: re.Match[str]) -> str:
                    if not m.group(1).isdigit():
                        return m.group(0)
                    order.append(int(m.group(1)) - 1)
                    return "%s"

                text = _PARAM_NAME.sub(numbered, text)
        out.append(text)
    query = "".join(out)
    if _is_ddl(sql):
        query = ddl_to_postgres(query)
    return query, tuple(order)


_INTERVAL = re.compile(
    r"\bINTERVAL\s+([0-9]+)\s+(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND|MICROSECOND)S?\b", re.IGNORECASE
)
_UNTYPED_NULL_TEST = re.compile(r"\?(\s+IS\s+(?:NOT\s+)?NULL\b)", re.IGNORECASE)


def _interval(m: re.Match[str]) -> str:
    return f"INTERVAL '{m.group(1)} {m.group(2).upper()}'"


_DDL = re.compile(r"^\s*(?:CREATE|ALTER)\b", re.IGNORECASE)


def _is_ddl(sql: str) -> bool:
    for kind, text in split_sql(sql):
        if kind == COMMENT:
            continue
        if kind != CODE:
            return False
        if text.strip():
            return bool(_DDL.match(text))
    return False


def ddl_to_postgres(sql: str) -> str:
    """DuckDB type names renamed for PostgreSQL (``TYPE_RULES``) in SQL text only."""
    out: list[str] = []
    for kind, text in split_sql(sql):
        if kind == CODE:
            text = _WORD.sub(_rename_type, text)
        out.append(text)
    return "".join(out)


def _rename_type(m: re.Match[str]) -> str:
    word = m.group(0)
    new = TYPE_RULES.get(word.upper())
    if new is None:
        return word
    if word.upper() == "DOUBLE":
        rest = m.string[m.end() :].lstrip()
        if rest[:9].upper() == "PRECISION":
            return word
    return new


def migration_to_postgres(sql: str) -> str:
    """A migration file (several statements, no parameters) for PostgreSQL."""
    return ddl_to_postgres(sql)


_PG_TYPES: dict[str, str] = {
    "character varying": "VARCHAR",
    "text": "VARCHAR",
    "character": "VARCHAR",
    "bigint": "BIGINT",
    "integer": "INTEGER",
    "smallint": "SMALLINT",
    "boolean": "BOOLEAN",
    "double precision": "DOUBLE",
    "real": "FLOAT",
    "numeric": "DECIMAL",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
    "date": "DATE",
    "time without time zone": "TIME",
    "interval": "INTERVAL",
    "bytea": "BLOB",
    "uuid": "UUID",
    "json": "JSON",
    "jsonb": "JSON",
}
_PG_UDT: dict[str, str] = {
    "int2": "SMALLINT",
    "int4": "INTEGER",
    "int8": "BIGINT",
    "varchar": "VARCHAR",
    "text": "VARCHAR",
    "bool": "BOOLEAN",
    "float8": "DOUBLE",
    "float4": "FLOAT",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
}


def pg_type_to_duckdb(data_type: str, udt_name: str = "") -> str:
    """A column type from PostgreSQL's ``information_schema.columns`` (``data_type``,
    ``udt_name``) named as DuckDB names it (``INTEGER[]`` for an array of integers)."""
    if data_type == "ARRAY" and udt_name.startswith("_"):
        return _PG_UDT.get(udt_name[1:], udt_name[1:].upper()) + "[]"
    return _PG_TYPES.get(data_type, data_type.upper())
