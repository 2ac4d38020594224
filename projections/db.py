"""One small database handle for the read side, the same on SQLite and PostgreSQL.

SQL is written once with ``?`` placeholders; on PostgreSQL they become ``%s``.
On SQLite the read models live in their own file; on PostgreSQL in their own
schema, selected with ``search_path`` so the SQL stays unqualified.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
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

    def copy_text(self, table: str, columns: Sequence[str], lines: str) -> None:
        """PostgreSQL only: insert rows given as ``COPY ... FROM STDIN`` text lines
        (tab-separated, escaped with ``projections.values.copy_escape``)."""
        ...

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def batch(self) -> Any:
        """A context manager: one transaction."""
        ...

    def pipeline(self) -> Any:
        """A context manager batching writes into fewer round trips (PostgreSQL only)."""
        ...

    def close(self) -> None: ...


class SqliteDb:
    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA busy_timeout = 30000")
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.conn.execute(sql, params).rowcount

    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(sql, params)

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

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

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        yield

    def close(self) -> None:
        self.conn.close()


@lru_cache(maxsize=4096)
def _to_psycopg(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresDb:
    dialect = "postgres"

    def __init__(self, conninfo: str, schema: str) -> None:
        import psycopg
        from psycopg import sql as pgsql

        self.conn = psycopg.connect(conninfo, autocommit=True)
        create = pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pgsql.Identifier(schema))
        path = pgsql.SQL("SET search_path TO {}").format(pgsql.Identifier(schema))
        # Two processes creating the schema at one moment: the loser's error is harmless.
        with suppress(psycopg.errors.UniqueViolation):
            self.conn.execute(create)
        self.conn.execute(path)
        # Read models are derived from the log: a commit need not wait for its WAL to
        # reach the disk.  A server crash may then lose the last few commits, but each
        # with its tracking position (same transaction), so they are applied again:
        # exactly once still holds.  Kill -9 of the runner loses nothing committed.
        # The reasoning in full: docs/decisions/0007-read-model-durability.md.
        self.conn.execute("SET synchronous_commit TO off")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
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
        # Table and column names come from the read models' own code, never from input.
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self.conn.cursor() as cursor, cursor.copy(statement) as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)

    def copy_text(self, table: str, columns: Sequence[str], lines: str) -> None:
        # Formatted by the caller: psycopg's per-value dumping is skipped (a history
        # row per event made it a large share of a rebuild's CPU).
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

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        with self.conn.pipeline():
            yield

    def close(self) -> None:
        self.conn.close()


def open_db(store: ReadStore) -> Db:
    if store.sqlite_path is not None:
        return SqliteDb(store.sqlite_path)
    return PostgresDb(store.postgres_conninfo, store.postgres_schema)
