"""Where the ledger keeps its tree: leaves, perfect-subtree hashes, checkpoints and
its position in the event log.  SQLite: its own file beside the event store (so
it never holds the event writers' lock); PostgreSQL: `ledger_*` tables beside
the events, in the same schema."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from openinno.persistence.environment import postgres_env
from openinno.persistence.migrate import postgres_conninfo
from openinno.settings import Settings

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS ledger_state (id INTEGER PRIMARY KEY, tree_size BIGINT NOT NULL,"
    " last_position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ledger_leaves (leaf_index BIGINT PRIMARY KEY,"
    " position BIGINT NOT NULL UNIQUE, stream_id TEXT NOT NULL, version BIGINT NOT NULL,"
    " leaf_hash BYTEA NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ledger_leaves_by_stream ON ledger_leaves (stream_id, version)",
    "CREATE TABLE IF NOT EXISTS ledger_nodes (level INTEGER NOT NULL, idx BIGINT NOT NULL,"
    " hash BYTEA NOT NULL, PRIMARY KEY (level, idx))",
    "CREATE TABLE IF NOT EXISTS ledger_checkpoints (tree_size BIGINT PRIMARY KEY,"
    " root_sha256 TEXT NOT NULL, signed_at TEXT NOT NULL, key_id TEXT NOT NULL,"
    " signature TEXT NOT NULL, body TEXT NOT NULL)",
    # Events refused for want of a valid write proof (ledger/admission.py): never leafed.
    "CREATE TABLE IF NOT EXISTS ledger_rejected (position BIGINT PRIMARY KEY,"
    " stream_id TEXT NOT NULL, version BIGINT NOT NULL, topic TEXT NOT NULL,"
    " reason TEXT NOT NULL, seen_at TEXT NOT NULL)",
    # The cut-over below which unproven (legacy) events were admitted, MAC'd by the write key.
    "CREATE TABLE IF NOT EXISTS ledger_write_proofs_from (id INTEGER PRIMARY KEY,"
    " position BIGINT NOT NULL, tag TEXT NOT NULL)",
    # Each checkpoint as a C2SP signed note (ledger/note.py), and the witnesses'
    # cosignature lines over it (ledger/witnessing.py).
    "CREATE TABLE IF NOT EXISTS ledger_checkpoint_notes (tree_size BIGINT PRIMARY KEY,"
    " note TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ledger_cosignatures (tree_size BIGINT NOT NULL,"
    " witness TEXT NOT NULL, line TEXT NOT NULL, PRIMARY KEY (witness, tree_size))",
    # Every stream's latest chain head (decision 0024), with its entry in the map of heads
    # whose root each checkpoint note commits to.
    "CREATE TABLE IF NOT EXISTS ledger_stream_heads (stream_id TEXT PRIMARY KEY,"
    " events BIGINT NOT NULL, head BYTEA NOT NULL, leaf_index BIGINT NOT NULL,"
    " map_index BIGINT NOT NULL UNIQUE, first_leaf BIGINT NOT NULL, entry_hash BYTEA NOT NULL)",
    # The map of heads: its entries in the order streams first appeared (map_index, each
    # entry's leaf hash: entry_hash), the perfect-subtree hashes above them (rewritten as
    # entries change) and the tree size it is at.
    "CREATE TABLE IF NOT EXISTS ledger_map_nodes (level INTEGER NOT NULL, idx BIGINT NOT NULL,"
    " hash BYTEA NOT NULL, PRIMARY KEY (level, idx))",
    "CREATE TABLE IF NOT EXISTS ledger_map_state (id INTEGER PRIMARY KEY,"
    " tree_size BIGINT NOT NULL, entries BIGINT NOT NULL)",
)


class LedgerDb:
    """A DB-API connection with `?` placeholders on both stores."""

    def __init__(self, settings: Settings) -> None:
        self.is_postgres = settings.is_postgres
        if self.is_postgres:
            import psycopg

            env = postgres_env(settings.database_url)
            # autocommit: reads take no lasting locks; writes go in explicit transactions.
            self._conn: Any = psycopg.connect(postgres_conninfo(env), autocommit=True)
            if env.get("POSTGRES_SCHEMA"):
                from psycopg import sql

                self._conn.execute(
                    sql.SQL("SET search_path TO {}").format(sql.Identifier(env["POSTGRES_SCHEMA"]))
                )
        else:
            path = settings.sqlite_path.parent / "ledger.db"
            # Made in one thread and handed to the follower's thread; never shared at once.
            self._conn = sqlite3.connect(
                path, isolation_level=None, timeout=30, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode=WAL")

    def _sql(self, statement: str) -> str:
        if self.is_postgres:
            return statement.replace("?", "%s")
        return statement.replace("BYTEA", "BLOB")

    def execute(self, statement: str, params: Sequence[Any] = ()) -> int:
        cursor = self._conn.execute(self._sql(statement), params)
        return int(cursor.rowcount)

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            cursor = self._conn.cursor()
            cursor.executemany(self._sql(statement), rows)

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Bulk insert: COPY on PostgreSQL, executemany on SQLite."""
        if not rows:
            return
        if self.is_postgres:
            with self._conn.cursor().copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            self._conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
            )

    def rows(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._conn.execute(self._sql(statement), params).fetchall())

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.is_postgres:
            with self._conn.transaction():
                yield
        else:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def migrate(self) -> None:
        with self.transaction():
            for statement in SCHEMA:
                self.execute(statement)
            if not self.rows("SELECT 1 FROM ledger_state WHERE id = 1"):
                self.execute(
                    "INSERT INTO ledger_state (id, tree_size, last_position) VALUES (1, 0, 0)"
                )

    def close(self) -> None:
        self._conn.close()
