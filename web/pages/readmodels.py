"""The read side as the pages see it: one read-model connection per worker thread
(the replica's when there is one, web.replica), and read-your-writes waits on the
projections' tracking positions."""

from __future__ import annotations

from collections.abc import Sequence

from projections.db import Db, ReadStore
from projections.registry import ALL
from projections.waiting import wait_for_position
from web.replica import ReadConnections


class ReadModels:
    def __init__(self, connections: ReadConnections, wait_seconds: float) -> None:
        self.connections = connections
        self.wait_seconds = wait_seconds

    @property
    def store(self) -> ReadStore:
        return self.connections.store

    def db(self) -> Db:
        return self.connections.db()

    def writable(self) -> Db:
        """The primary's handle: for the writes pages make to read-model tables."""
        return self.connections.writable()

    def wait(self, position: int, names: Sequence[str] = ()) -> bool:
        """Wait (bounded) until the named projections (default: all) applied ``position``
        where this worker's reads go: on the replica when there is one, since the page
        that follows (a redirect, another request) reads there too."""
        if self.wait_seconds <= 0:
            return False
        wanted = list(names) or [p.name for p in ALL]
        return wait_for_position(self.db(), wanted, position, self.wait_seconds)

    def close(self) -> None:
        self.connections.close()
