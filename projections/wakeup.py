"""How an idle runner waits for new events: LISTEN/NOTIFY on PostgreSQL (the
library's recorder sends NOTIFY on its channel with every insert), polling
with a short backoff on SQLite.  And how a busy one waits a moment after a batch
that caught up with the log, so the next batch is bigger (``Linger``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Linger:
    """After a batch that caught up with the log (fewer events than a full page),
    wait ``seconds`` before reading again, as a producer's linger or Nagle's delay.

    Why: under a burst of writes every batch was what arrived while the last one was
    applied, a few events each, and each batch pays a read-model transaction (and the
    ledger its own) whatever its size.  Waiting a few milliseconds makes the batches
    several times bigger: the read side's CPU per vote fell by a third to a half, per
    submission by a sixth to a quarter (docs/performance.md, session seven).  A write arriving after an idle moment is not
    delayed: the idle wait (``Waker.idle``) wakes at once, and a linger only follows a
    batch that found events.  Under load a write becomes visible up to ``seconds``
    later.  ``pause`` is ``stop.wait`` unless a test passes its own."""

    seconds: float
    pause: Callable[[threading.Event, float], object] = threading.Event.wait

    def after(self, count: int, full_page: int, stop: threading.Event) -> None:
        if self.seconds > 0 and 0 < count < full_page and not stop.is_set():
            self.pause(stop, self.seconds)
