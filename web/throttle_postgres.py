"""Token buckets in PostgreSQL, for several app hosts behind one address
(``OPENINNO_API_RATE_LIMIT_STORE=database``, decision 0035).

The memory-mapped file of ``web.throttle`` counts once for the workers of one host;
hosts each count on their own there.  These buckets live in one table on the event
store's server, so the API's limits, the sign-in throttle, the sign-up and the
mail-link limits hold at the combined count of every host.

- The arithmetic is ``web.throttle``'s own (``_refilled``, ``_taken``, ``_backoff``):
  rules in one place, the table only stores (tokens, at) per key.
- A take reads the key's row, computes, and writes only if the row is still what it
  read (compare-and-set, ``PostgresBuckets``): two round trips, no transaction held,
  and a burst spread over hosts cannot overshoot; takes of different keys never wait
  for each other.
- Time is the database server's (``clock_timestamp()``): one clock for every host,
  so a host whose clock is off neither refills early nor starves a bucket.
- Keys are stored as their 16-byte BLAKE2b digests (as in the file): no bearer
  token or email reaches the table.
- The table is ``UNLOGGED``: counts are not worth a WAL write (and are not
  replicated); a server crash empties it, which makes every bucket full (lenient,
  as when ``ratelimits.bin`` is deleted).  Rows idle long enough to be full again
  (``forget_at``) are deleted now and then by the processes that use them."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from openinno.persistence.environment import postgres_env
from openinno.settings import Settings
from web.throttle import Clock, Taken, _backoff, _backoff_delay, _refilled, _taken

TABLE = "openinno_rate_buckets"
# One take in this many (per process) also deletes the rows that are full again.
SWEEP_EVERY = 1000


def _schema(settings: Settings) -> str:
    return postgres_env(settings.database_url).get("POSTGRES_SCHEMA") or "public"


def create_table(conninfo: str, schema: str) -> None:
    """``openinno migrate``: the buckets' table in the event store's schema."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(
            sql.SQL(
                "CREATE UNLOGGED TABLE IF NOT EXISTS {} ("
                " key bytea PRIMARY KEY,"
                " tokens double precision NOT NULL, at double precision NOT NULL,"
                # When the row is as good as none (a full bucket, forgotten failures).
                " forget_at double precision NOT NULL)"
            ).format(sql.Identifier(schema, TABLE))
        )


def migrate_buckets(settings: Settings) -> None:
    """Create the table where the event store is PostgreSQL (whatever the store chosen:
    switching to ``database`` later needs no migration)."""
    if not settings.is_postgres:
        return
    from web.readside import postgres_conninfo

    create_table(postgres_conninfo(settings), _schema(settings))


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=16).digest()


# (tokens, at) -> (the answer, tokens, at, forget_at): one step of a bucket's arithmetic.
Step = Callable[[float | None, float | None, float], tuple[Taken, float, float, float]]


class PostgresBuckets:
    """``web.throttle.Buckets`` in a PostgreSQL table every host shares.

    A step reads the key's row, computes in Python, and writes the result only if the
    row is still what it read (compare-and-set: ``UPDATE ... WHERE tokens = read AND
    at = read``, or an insert that finds no row): two round trips in autocommit, no
    transaction held open.  A step that lost to another host's step on the same key
    reads again, so concurrent steps count one after another, never both from one
    state.  ``clock``: None (the database server's time), or a function (tests)."""

    def __init__(self, conninfo: str, schema: str, clock: Clock | None = None) -> None:
        self.conninfo = conninfo
        self._server_time = clock is None
        self.clock: Clock = clock or time.time
        table = f'"{schema.replace(chr(34), chr(34) * 2)}".{TABLE}'
        self._read = (
            "SELECT tokens, at, extract(epoch FROM clock_timestamp())::float8"
            f" FROM {table} WHERE key = %s"
        )
        self._now = "SELECT NULL, NULL, extract(epoch FROM clock_timestamp())::float8"
        self._insert = (
            f"INSERT INTO {table} (key, tokens, at, forget_at) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING"
        )
        self._update = (
            f"UPDATE {table} SET tokens = %s, at = %s, forget_at = %s"
            " WHERE key = %s AND tokens = %s AND at = %s"
        )
        self._delete = f"DELETE FROM {table} WHERE key = %s"
        self._sweep = f"DELETE FROM {table} WHERE forget_at < extract(epoch FROM clock_timestamp())"
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Any] = []
        self._steps = 0

    # -- connections: one per thread, opened again in a forked child ------------------------

    def _conn(self) -> Any:
        import psycopg

        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or getattr(self._local, "pid", None) != os.getpid():
            conn = psycopg.connect(self.conninfo, autocommit=True)
            self._local.conn, self._local.pid = conn, os.getpid()
            with self._lock:
                self._all.append(conn)
        return conn

    def _step(self, key: str, step: Step) -> Taken:
        import psycopg

        digest = _digest(key)
        try:
            conn = self._conn()
            while True:
                row = conn.execute(self._read, (digest,), prepare=True).fetchone()
                if row is None:  # the server's time, for a key never counted (or forgotten)
                    row = conn.execute(self._now, prepare=True).fetchone()
                tokens, at, server_now = row
                now = server_now if self._server_time else self.clock()
                result, new_tokens, new_at, forget_at = step(tokens, at, now)
                if tokens is None:
                    params: tuple[Any, ...] = (digest, new_tokens, new_at, forget_at)
                    written = conn.execute(self._insert, params, prepare=True).rowcount
                else:
                    params = (new_tokens, new_at, forget_at, digest, tokens, at)
                    written = conn.execute(self._update, params, prepare=True).rowcount
                if written == 1:
                    break
        except psycopg.OperationalError:
            # A connection the server closed (restart, failover): the next call opens anew.
            self._local.conn = None
            raise
        self._steps += 1
        if self._steps % SWEEP_EVERY == 0:
            with contextlib.suppress(psycopg.Error):
                conn.execute(self._sweep)
        return result

    def take(self, key: str, capacity: float, window: float, cost: float = 1.0) -> Taken:
        def step(
            tokens: float | None, at: float | None, now: float
        ) -> tuple[Taken, float, float, float]:
            if tokens is None or at is None:
                tokens, at = capacity, now
            result, left = _taken(
                _refilled(tokens, at, now, capacity, window), capacity, window, cost
            )
            # Full again after a window of refilling from empty, at the latest.
            return result, left, now, now + window

        return self._step(key, step)

    def wait(self, key: str, capacity: float, window: float) -> float:
        row = self._conn().execute(self._read, (_digest(key),), prepare=True).fetchone()
        if row is None:
            return 0.0
        tokens, at, server_now = row
        now = server_now if self._server_time else self.clock()
        tokens = _refilled(tokens, at, now, capacity, window)
        return 0.0 if tokens >= 1 else (1 - tokens) * window / capacity

    def backoff(
        self,
        key: str,
        free: int,
        first_wait: float,
        most_wait: float,
        forget_after: float,
        cost: float = 1.0,
    ) -> Taken:
        # As in the file: the row's tokens hold the failures, its time the last one's.
        def step(
            failures: float | None, at: float | None, now: float
        ) -> tuple[Taken, float, float, float]:
            if failures is None or at is None:
                failures, at = 0.0, now
            result, failures, at = _backoff(
                failures, at, now, free, first_wait, most_wait, forget_after, cost
            )
            forget_at = at + _backoff_delay(failures, free, first_wait, most_wait) + forget_after
            return result, failures, at, forget_at

        return self._step(key, step)

    def reset(self, key: str) -> None:
        self._conn().execute(self._delete, (_digest(key),), prepare=True)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                with contextlib.suppress(Exception):  # shutting down: best effort
                    conn.close()
            self._all.clear()


def database_buckets(settings: Settings) -> PostgresBuckets:
    """The buckets every host shares, on the event store's server."""
    if not settings.is_postgres:
        raise ValueError("OPENINNO_API_RATE_LIMIT_STORE=database needs a PostgreSQL event store")
    from web.readside import postgres_conninfo

    return PostgresBuckets(postgres_conninfo(settings), _schema(settings))
