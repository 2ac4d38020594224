"""Read models read from a PostgreSQL streaming replica (several hosts, decision 0035).

The read-side host applies the log to the read models on the primary; the primary's
WAL streams them, with their ``projection_tracking`` positions, to a replica, and the
web's read-model reads go there (``OPENINNO_READ_DATABASE_URL``).  Writes the web
makes to read-model tables (marking notifications read) still go to the primary.

Read-your-writes (``?min_position=``): a replica that replayed the WAL up to a
transaction holds that transaction's tracking positions too, so waiting on the
replica's ``projection_tracking`` is waiting for the write to be visible *there*.
A read first waits on the replica for ``OPENINNO_READ_REPLICA_WAIT_SECONDS``; a
replica further behind than that (replay paused, a slow disk, a network hiccup)
sends the read to the primary's read models for the rest of the wait, so one lagging
replica costs latency, not a 503."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence
from dataclasses import replace

from openinno.settings import Settings
from projections.db import Db, ReadStore, open_db
from projections.waiting import wait_for_position
from web.readside import read_store_for


def replica_store_for(settings: Settings) -> ReadStore | None:
    """The read-model schema on the replica ``OPENINNO_READ_DATABASE_URL`` names (the
    same schema as on the primary: the replica is a copy of its server), or None."""
    if not settings.read_database_url:
        return None
    if not settings.is_postgres:
        raise ValueError("OPENINNO_READ_DATABASE_URL needs a PostgreSQL event store")
    on_replica = replace(settings, database_url=settings.read_database_url)
    return replace(
        read_store_for(on_replica), postgres_schema=read_store_for(settings).postgres_schema
    )


class ReadConnections:
    """One read-model connection per worker thread to the replica (when there is one)
    and, opened only when needed, to the primary."""

    def __init__(
        self, primary: ReadStore, replica: ReadStore | None = None, replica_wait: float = 1.0
    ) -> None:
        self.primary = primary
        self.replica = replica
        self.replica_wait = replica_wait
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Db] = []

    @property
    def store(self) -> ReadStore:
        """Where reads go."""
        return self.replica or self.primary

    def _open(self, name: str, store: ReadStore) -> Db:
        db: Db | None = getattr(self._local, name, None)
        if db is None:
            db = open_db(store)
            setattr(self._local, name, db)
            with self._lock:
                self._all.append(db)
        return db

    def db(self) -> Db:
        """The handle reads go through: the replica's, else the primary's."""
        return self._open("read", self.store)

    def writable(self) -> Db:
        """The primary's handle, for the few writes the web makes to read-model tables."""
        if self.replica is None:
            return self.db()
        return self._open("primary", self.primary)

    def at_position(self, names: Sequence[str], position: int, timeout: float) -> Db | None:
        """A handle on read models where ``names`` applied ``position``, waiting at most
        ``timeout`` seconds: the replica's if it gets there within ``replica_wait``,
        else the primary's; None if neither did in time."""
        if self.replica is None:
            return self.db() if wait_for_position(self.db(), names, position, timeout) else None
        started = time.monotonic()
        if wait_for_position(self.db(), names, position, min(timeout, self.replica_wait)):
            return self.db()
        remaining = max(0.0, timeout - (time.monotonic() - started))
        primary = self.writable()
        return primary if wait_for_position(primary, names, position, remaining) else None

    def close(self) -> None:
        with self._lock:
            for db in self._all:
                with contextlib.suppress(Exception):  # shutting down: best effort
                    db.close()
            self._all.clear()


def read_connections_for(settings: Settings) -> ReadConnections:
    return ReadConnections(
        read_store_for(settings), replica_store_for(settings), settings.read_replica_wait_seconds
    )
