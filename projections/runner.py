"""Feed a projection from the application's notification log, exactly once.

Each batch of notifications after the projection's position is applied in ONE
read-model transaction that also moves the position to the last notification
id read.  Killed at any instant, the transaction either committed (position and
rows together) or it did not (neither), so a restart resumes with nothing lost
and nothing applied twice.  PostgreSQL notification ids have gaps, so the
position is the last id *seen*, never assumed to be position + 1.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from projections import tracking
from projections.db import Db
from projections.projection import Item, Projection
from projections.wakeup import PollWaker, Waker
from projections.writes import Writes

log = logging.getLogger(__name__)


class NotificationLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def topic(self) -> str: ...
    @property
    def originator_id(self) -> Any: ...
    @property
    def originator_version(self) -> int: ...


class NotificationSource(Protocol):
    """The part of the library's ApplicationRecorder the read side uses."""

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Any]: ...

    def max_notification_id(self) -> int | None: ...


Decode = Callable[[Any], Any]
Progress = Callable[[int, int], None]


class Runner:
    """One projection, its read-model connection, and the log it follows."""

    def __init__(
        self,
        projection: Projection,
        db: Db,
        source: NotificationSource,
        decode: Decode,
        *,
        batch_size: int = 500,
    ) -> None:
        self.projection = projection
        self.db = db
        self.source = source
        self.decode = decode
        self.batch_size = batch_size
        self._changed = threading.Condition()
        self.setup()
        self._position = tracking.position(db, projection.name)

    @property
    def name(self) -> str:
        return self.projection.name

    @property
    def position(self) -> int:
        return self._position

    def setup(self) -> None:
        """Create the projection's tables and tracking row if missing."""
        with self.db.batch():
            tracking.ensure(self.db, self.name)
            self.projection.create(self.db)

    def drop(self) -> None:
        """Drop the tables and go back to position zero, in one transaction."""
        with self.db.batch():
            tracking.ensure(self.db, self.name)
            self.projection.drop(self.db)
            tracking.reset(self.db, self.name)
            self.projection.create(self.db)
        self._position = 0

    def run_batch(self, limit: int | None = None) -> int:
        """Apply the next batch; return how many notifications it read (0: caught up)."""
        notifications = self.source.select_notifications(
            self._position, limit or self.batch_size, inclusive_of_start=False
        )
        if notifications:
            self._apply(notifications)
        return len(notifications)

    def _apply(self, notifications: Sequence[Any], last: int | None = None) -> None:
        """Apply one batch read after the current position, in one transaction, and
        move the position to ``last`` (default: the last notification's id).  Every
        notification the projection applies in (position, last] must be in the batch."""
        start = self._position
        last = notifications[-1].id if last is None else last
        if last <= start:
            return
        db, projection, decode = self.db, self.projection, self.decode
        decodes = projection.decodes
        by_topic, fallback = projection.by_topic, projection.fallback
        writes = Writes(db, projection.keys)
        # Every handler runs before anything is written: the batch's row changes are
        # gathered in memory (events the projection ignores are never decoded) ...
        for n in notifications:
            handler = by_topic.get(n.topic, fallback)
            if handler is not None:
                event = decode(n) if decodes else None
                handler(writes, Item(n.id, n.topic, n.originator_id, n.originator_version, event))
        try:
            with db.batch():
                # ... then written in one transaction with the position.  Position first:
                # it locks the tracking row, so a second runner of this projection waits
                # here, then finds the position moved.
                tracking.advance(db, self.name, start, last)
                writes.flush()
        except tracking.TrackingConflict:
            self._position = tracking.position(db, self.name)
            raise
        with self._changed:
            self._position = last
            self._changed.notify_all()

    def catch_up(self, progress: Progress | None = None) -> int:
        """Apply batches up to the log's head as it is now; return how far the
        position moved (the log positions covered, applied or not).

        A reader thread fetches the next page while this one applies the current
        (the database works on the other core meanwhile).  A projection without a
        fallback reads only the topics it applies: a page holds every such event
        in (position, its last id], or, when short, every one up to the head, which
        the position then moves to.  All events up to the head are committed
        (the event store locks its table while inserting, so ids become visible in
        order).  Each page is applied by ``_apply``, exactly as ``run_batch`` does."""
        head = self.source.max_notification_id() or 0
        topics = self.projection.topics
        limit = self.batch_size
        Page = tuple[Sequence[Any], int]
        pages: queue.Queue[Page | BaseException | None] = queue.Queue(maxsize=2)
        stop = threading.Event()

        def offer(item: Page | BaseException | None) -> None:
            while not stop.is_set():
                try:
                    pages.put(item, timeout=0.1)
                    return
                except queue.Full:
                    continue

        def read() -> None:
            position = self._position
            try:
                while not stop.is_set() and position < head:
                    page = self.source.select_notifications(
                        position, limit, head, topics, inclusive_of_start=False
                    )
                    position = page[-1].id if len(page) == limit else head
                    offer((page, position))
            except BaseException as error:  # handed to the applying thread
                offer(error)
                return
            offer(None)

        reader = threading.Thread(target=read, name=f"read-{self.name}", daemon=True)
        reader.start()
        start = self._position
        try:
            while (item := pages.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                page, last = item
                self._apply(page, last)
                if progress is not None:
                    progress(self._position, head)
        finally:
            stop.set()
            reader.join()
        return self._position - start

    def follow(self, stop: threading.Event, waker: Waker | None = None) -> None:
        """Apply batches forever (until ``stop``), idling on the waker between."""
        waker = waker or PollWaker()
        try:
            while not stop.is_set():
                try:
                    count = self.run_batch()
                except tracking.TrackingConflict:
                    log.warning("projection %s moved by another runner; resuming", self.name)
                    continue
                if count:
                    waker.busy()
                else:
                    waker.idle(stop)
        finally:
            waker.close()

    def wait_until(self, position: int, timeout: float) -> bool:
        """Read-your-writes in this process: block until the projection has
        applied ``position`` (a command's notification id), at most ``timeout`` s."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._position < position:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
        return True
