"""A connection check for the PostgreSQL pool that costs a system call, not a round trip.

Why: with ``POSTGRES_PRE_PING`` the library's pool runs an empty query on every
connection it hands out.  A submission reads about six aggregates and records once,
so it paid seven extra round trips, a quarter of the request's time on the write
path (measured: docs/performance.md, "Writes over HTTP").

What the ping is for: a connection whose server process is gone (``pg_terminate_backend``,
a PostgreSQL restart, an idle timeout).  In each of those cases the server sends an
error and closes the socket, so an idle pooled connection has bytes (or an end of file)
waiting on it, which a zero-timeout ``select`` sees without a round trip.  Only then is
the real ping run, and it raises for a dead connection, which the pool discards.  An
idle connection has nothing to read otherwise (the pool's connections never LISTEN).

What it does not see: a peer that vanished without closing (a cable pulled).  The
statement then fails with an OperationalError, which the library retries on a fresh
connection (10 attempts), as it does for a connection that dies mid-statement anyway.
"""

from __future__ import annotations

import select
from typing import Any

from psycopg_pool import ConnectionPool

__all__ = ["check_if_readable", "install"]


def check_if_readable(conn: Any) -> None:
    if conn.closed:
        raise ConnectionError("the connection is closed")
    readable, _, _ = select.select([conn.fileno()], [], [], 0)
    if readable:
        ConnectionPool.check_connection(conn)


def install(recorder: Any) -> None:
    """Swap the check of the recorder's pool, when the pool pings at all."""
    datastore = getattr(recorder, "datastore", None)
    pool = getattr(datastore, "pool", None)
    if isinstance(pool, ConnectionPool) and getattr(pool, "_check", None) is not None:
        pool._check = check_if_readable
