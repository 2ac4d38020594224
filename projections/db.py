"""One small database handle for the read side, the same on SQLite and PostgreSQL.

SQL is written once with ``?`` placeholders; on PostgreSQL they become ``%s``.
On SQLite the read models live in their own file; on PostgreSQL in their own
schema, selected with ``search_path`` so the SQL stays unqualified.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

Row = dict[str, Any]


@dataclass(frozen=True)
class ReadStore:
    """Where the read models live: a SQLite file, or a PostgreSQL schema."""

    sqlite_path: Path | None = None
    postgres_conninfo: str = ""
    postgres_schema: str = ""

    @property
    def is_postgres(self) -> bool:
        return self.sqlite_path is None

    def describe(self) -> str:
        if self.sqlite_path is not None:
            return f"sqlite file {self.sqlite_path}"
        return f"postgresql schema {self.postgres_schema}"


class Db(Protocol):
    dialect: str
    # A PostgreSQL hot standby (a streaming replica, web.replica): reads only, no DDL.
    read_only: bool

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        ...

    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per parameter row (in one round trip where possible)."""
        ...

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert many rows at once (COPY on PostgreSQL)."""
        ...

    def upsert_rows(
        self,
        table: str,
        columns: tuple[str, ...],
        key: tuple[str, ...],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """Insert each row (values in ``columns`` order), or set the non-key columns of
        the row with its ``key``; no two rows may share a key."""
        ...

    def update_rows(
        self,
        table: str,
        set_columns: tuple[str, ...],
        add_columns: tuple[str, ...],
        key: tuple[str, ...],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """For each row (the values to set, the deltas to add, then the key's values):
        ``SET c = value`` and ``a = a + delta`` on the row with that key; no two rows
        may share a key."""
        ...

    def copy_text(self, table: str, columns: Sequence[str], lines: str) -> None:
        """PostgreSQL only: insert rows given as ``COPY ... FROM STDIN`` text lines
        (tab-separated, escaped with ``projections.values.copy_escape``)."""
        ...

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def execute_later(self, sql: str, params: Sequence[Any] = ()) -> Callable[[], int]:
        """Run one statement; return a function giving the number of rows it changed,
        which is known only after the next ``sync`` inside a ``quick_batch``."""
        ...

    def batch(self) -> Any:
        """A context manager: one transaction."""
        ...

    def quick_batch(self) -> Any:
        """A context manager: one transaction of a few statements, sent without
        waiting for each one's result (PostgreSQL's pipeline mode); it gives a
        ``sync`` function that waits for the results so far.  A small batch then
        costs two round trips to the server rather than one per statement.  No
        ``copy_text`` inside; ``insert_rows`` inserts without ``COPY``."""
        ...

    def close(self) -> None: ...


def _nothing_to_sync() -> None:
    """SQLite runs each statement as it comes: there is nothing to wait for."""


class SqliteDb:
    dialect = "sqlite"
    read_only = False

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA busy_timeout = 30000")
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        # An erasure blanks rows (decision 0032): their old bytes are overwritten, never
        # left in a free part of a page.
        self.conn.execute("PRAGMA secure_delete = ON")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.conn.execute(sql, params).rowcount

    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(sql, params)

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def upsert_rows(
        self,
        table: str,
        columns: tuple[str, ...],
        key: tuple[str, ...],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        # In-process: one statement per row costs little here.
        self.conn.executemany(upsert_sql(table, columns, key), rows)

    def update_rows(
        self,
        table: str,
        set_columns: tuple[str, ...],
        add_columns: tuple[str, ...],
        key: tuple[str, ...],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        self.conn.executemany(update_sql(table, set_columns, add_columns, key), rows)

    def copy_text(self, table: str, columns: Sequence[str], lines: str) -> None:
        raise NotImplementedError("COPY text lines are PostgreSQL's; use insert_rows")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    @contextmanager
    def batch(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def execute_later(self, sql: str, params: Sequence[Any] = ()) -> Callable[[], int]:
        changed = self.execute(sql, params)
        return lambda: changed

    @contextmanager
    def quick_batch(self) -> Iterator[Callable[[], None]]:
        with self.batch():
            yield _nothing_to_sync

    def close(self) -> None:
        self.conn.close()


@lru_cache(maxsize=4096)
def _to_psycopg(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


# From this many rows on, an upsert or update of many rows (or a run of one
# statement with a set-based form: ``Writes.execute``'s ``many``) is ONE statement
# over arrays (``unnest``) on PostgreSQL rather than one statement per row: measured
# in a rebuild, a pipelined statement per row cost the server and psycopg about
# 30 us each (10,620 people upserted in 0.34 s).
SET_BASED = 8

# How a value is made the type its column's array is cast to: a list holding
# ``True`` and ``1`` has no single array type, and a UUID is not text.
_CONVERT: dict[str, Any] = {
    "integer": int,
    "bigint": int,
    "text": str,
    "real": float,
    "double precision": float,
}


# What an array literal's unquoted element may not hold (``array_in``): its delimiters,
# quotes, backslashes and white space.
_UNQUOTABLE = re.compile(r'[{}",\\\s]')


def array_param(values: list[Any]) -> Any:
    """A list of strings or integers sent as PostgreSQL's array literal text
    (``{a,"b c",NULL}``), other lists as they are.  psycopg dumps a list element by
    element in Python, about 2.6 us each, and escapes a string with a regular
    expression (measured: 5,000 rows of three text arrays, 38.9 ms of client CPU as
    lists, 0.6 ms as literals); the SQL casts the parameter (``?::text[]``), and a
    string is sent untyped, so the server reads the literal as that array.  An
    element that cannot stand unquoted (delimiters, quotes, backslashes, white
    space, empty, or ``NULL``) is quoted, its quotes and backslashes escaped."""
    kinds = {type(v) for v in values}
    nulls = type(None) in kinds
    kinds.discard(type(None))
    if kinds == {str}:
        texts = [v for v in values if v is not None] if nulls else values
        joined = "".join(texts)
        if (
            "" in texts
            or _UNQUOTABLE.search(joined) is not None
            or ("NULL" in joined.upper() and any(v.upper() == "NULL" for v in texts))
        ):
            return "{" + ",".join("NULL" if v is None else _quoted(v) for v in values) + "}"
        if nulls:
            return "{" + ",".join("NULL" if v is None else v for v in values) + "}"
        return "{" + ",".join(texts) + "}"
    if kinds == {int}:
        return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"
    return values


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unnest(types: tuple[str, ...]) -> str:
    return f"unnest({', '.join(f'%s::{t}[]' for t in types)})"


@lru_cache(maxsize=1024)
def upsert_sql(table: str, columns: tuple[str, ...], key: tuple[str, ...]) -> str:
    marks = ", ".join("?" * len(columns))
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        f" ON CONFLICT ({', '.join(key)}) {action}"
    )


@lru_cache(maxsize=1024)
def update_sql(
    table: str, set_columns: tuple[str, ...], add_columns: tuple[str, ...], key: tuple[str, ...]
) -> str:
    assignments = [f"{c} = ?" for c in set_columns] + [f"{c} = {c} + ?" for c in add_columns]
    conditions = " AND ".join(f"{c} = ?" for c in key)
    return f"UPDATE {table} SET {', '.join(assignments)} WHERE {conditions}"


class PostgresDb:
    dialect = "postgres"

    def __init__(self, conninfo: str, schema: str) -> None:
        import psycopg
        from psycopg import sql as pgsql

        self.conn = psycopg.connect(conninfo, autocommit=True)
        create = pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pgsql.Identifier(schema))
        path = pgsql.SQL("SET search_path TO {}").format(pgsql.Identifier(schema))
        # A streaming replica (web.replica) refuses any DDL: its schema is the primary's.
        recovery = self.conn.execute("SELECT pg_is_in_recovery()").fetchone()
        self.read_only = bool(recovery and recovery[0])
        # Two processes creating the schema at one moment: the loser's error is harmless.
        if not self.read_only:
            with suppress(psycopg.errors.UniqueViolation):
                self.conn.execute(create)
        self.conn.execute(path)
        # Read models are derived from the log: a commit need not wait for its WAL to
        # reach the disk.  A server crash may then lose the last few commits, but each
        # with its tracking position (same transaction), so they are applied again:
        # exactly once still holds.  Kill -9 of the runner loses nothing committed.
        # The reasoning in full: docs/decisions/0007-read-model-durability.md.
        self.conn.execute("SET synchronous_commit TO off")
        # Each read-model table's column types (for set-based writes), by table name:
        # a rebuild drops and creates the tables again with the same types.
        self._types: dict[str, dict[str, str]] = {}
        self._pipelined = False  # inside ``quick_batch``

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        if any(type(p) is list for p in params):
            params = [array_param(p) if type(p) is list else p for p in params]
        return self.conn.execute(_to_psycopg(sql), params or None).rowcount

    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        if len(params) == 1:
            self.conn.execute(_to_psycopg(sql), params[0] or None)
            return
        with self.conn.cursor() as cursor:
            cursor.executemany(_to_psycopg(sql), params)

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        if self._pipelined:  # no COPY in pipeline mode: one statement, sent with the rest
            self._insert_statement(table, tuple(columns), rows)
            return
        # Table and column names come from the read models' own code, never from input.
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self.conn.cursor() as cursor, cursor.copy(statement) as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)

    def _insert_statement(
        self, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]
    ) -> None:
        names = ", ".join(columns)
        if len(rows) < SET_BASED:
            marks = ", ".join(["?"] * len(columns))
            self.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            return
        arrays, types = self._arrays(table, columns, rows)
        self.conn.execute(f"INSERT INTO {table} ({names}) SELECT * FROM {_unnest(types)}", arrays)

    def upsert_rows(
        self,
        table: str,
        columns: tuple[str, ...],
        key: tuple[str, ...],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        if len(rows) < SET_BASED:
            self.executemany(upsert_sql(table, columns, key), rows)
            return
        arrays, types = self._arrays(table, columns, rows)
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        self.conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM {_unnest(types)}"
            f" ON CONFLICT ({', '.join(key)}) {action}",
            arrays,
        )

    def update_rows(
        self,
        table: str,
        set_columns: tuple[str, ...],
        add_columns: tuple[str, ...],
        key: tuple[str, ...],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        if len(rows) < SET_BASED:
            self.executemany(update_sql(table, set_columns, add_columns, key), rows)
            return
        columns = (*set_columns, *add_columns, *key)
        arrays, types = self._arrays(table, columns, rows)
        names = [f"v{i}" for i in range(len(columns))]
        assignments = [f"{c} = {n}" for c, n in zip(set_columns, names, strict=False)] + [
            f"{c} = {table}.{c} + {n}"
            for c, n in zip(add_columns, names[len(set_columns) :], strict=False)
        ]
        conditions = " AND ".join(
            f"{table}.{c} = {n}" for c, n in zip(key, names[-len(key) :], strict=True)
        )
        self.conn.execute(
            f"UPDATE {table} SET {', '.join(assignments)}"
            f" FROM {_unnest(types)} AS v ({', '.join(names)}) WHERE {conditions}",
            arrays,
        )

    def _arrays(
        self, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]
    ) -> tuple[list[Any], tuple[str, ...]]:
        """The rows as one array per column (``array_param``), each value as the column's type takes it
        (a handler may give ``True`` for an integer column, a UUID for a text one),
        and the columns' SQL types."""
        kinds = self._column_types(table)
        types = tuple(kinds[c] for c in columns)
        arrays: list[Any] = []
        for i, sql_type in enumerate(types):
            convert = _CONVERT.get(sql_type)
            column = [row[i] for row in rows]
            if convert is not None:
                column = [v if v is None else convert(v) for v in column]
            arrays.append(array_param(column))
        return arrays, types

    def _column_types(self, table: str) -> dict[str, str]:
        types = self._types.get(table)
        if types is None:
            cursor = self.conn.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                " WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped",
                (table,),
            )
            types = self._types[table] = {str(n): str(t) for n, t in cursor.fetchall()}
        return types

    def copy_text(self, table: str, columns: Sequence[str], lines: str) -> None:
        # Formatted by the caller: psycopg's per-value dumping is skipped (a history
        # row per event made it a large share of a rebuild's CPU).
        if self._pipelined:
            raise RuntimeError("COPY cannot run in a quick batch (pipeline mode)")
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self.conn.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(lines)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = self.conn.execute(_to_psycopg(sql), params or None)
        names = [d.name for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    @contextmanager
    def batch(self) -> Iterator[None]:
        with self.conn.transaction():
            yield

    def execute_later(self, sql: str, params: Sequence[Any] = ()) -> Callable[[], int]:
        cursor = self.conn.execute(_to_psycopg(sql), params or None)
        return lambda: cursor.rowcount

    @contextmanager
    def quick_batch(self) -> Iterator[Callable[[], None]]:
        # Under load every round trip waits for the server's process to be scheduled
        # (and for this thread to get the GIL back): a follower's batch of ~20
        # statements, one round trip each, was most of the delay from a write to its
        # appearance in the read models (py-spy of the supervisor: 82 % of the
        # follower's time waiting on the connection).
        with self.conn.pipeline() as pipeline:
            self._pipelined = True
            try:
                with self.conn.transaction():
                    yield pipeline.sync
            finally:
                self._pipelined = False

    def close(self) -> None:
        self.conn.close()


def open_db(store: ReadStore) -> Db:
    if store.sqlite_path is not None:
        return SqliteDb(store.sqlite_path)
    return PostgresDb(store.postgres_conninfo, store.postgres_schema)
