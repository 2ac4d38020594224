"""How an idle runner waits for new events: LISTEN/NOTIFY on PostgreSQL (the
library's recorder sends NOTIFY on its channel with every insert), polling
with a short backoff on SQLite."""

from __future__ import annotations

import threading
from typing import Protocol


class Waker(Protocol):
    def idle(self, stop: threading.Event) -> None:
        """Block until new events may have arrived (or ``stop`` is set)."""
        ...

    def busy(self) -> None:
        """The last batch found events: the next idle wait starts short again."""
        ...

    def close(self) -> None: ...


class PollWaker:
    def __init__(self, shortest: float = 0.01, longest: float = 0.25) -> None:
        self.shortest = shortest
        self.longest = longest
        self.delay = shortest

    def idle(self, stop: threading.Event) -> None:
        stop.wait(self.delay)
        self.delay = min(self.delay * 2, self.longest)

    def busy(self) -> None:
        self.delay = self.shortest

    def close(self) -> None:
        pass


class ListenWaker:
    """LISTEN on the event store's channel.  LISTEN is issued before the first
    read, and PostgreSQL queues notifications on the connection, so an insert
    between a read and the wait still wakes us.  ``safety`` bounds each wait so
    ``stop`` is noticed (and a lost connection is retried) promptly."""

    def __init__(self, conninfo: str, channel: str, safety: float = 1.0) -> None:
        import psycopg
        from psycopg import sql

        self.conn = psycopg.connect(conninfo, autocommit=True)
        self.conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        self.safety = safety

    def idle(self, stop: threading.Event) -> None:
        if stop.is_set():
            return
        for _ in self.conn.notifies(timeout=self.safety, stop_after=1):
            pass

    def busy(self) -> None:
        pass

    def close(self) -> None:
        self.conn.close()
