"""Feed a projection from the application's notification log, exactly once.

Each batch of notifications after the projection's position is applied in ONE
read-model transaction that also moves the position to the last notification
id read.  Killed at any instant, the transaction either committed (position and
rows together) or it did not (neither), so a restart resumes with nothing lost
and nothing applied twice.  PostgreSQL notification ids have gaps, so the
position is the last id *seen*, never assumed to be position + 1.
"""

from __future__ import annotations

import gc
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, Protocol

from msgspec import to_builtins

from projections import quarantine, tracking
from projections.db import Db
from projections.projection import Handler, Item, Payload, Plaintext, Projection, Stored
from projections.wakeup import Linger, PollWaker, Waker
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
Page = tuple[Sequence[Any], int]

_ENVELOPE = ("originator_id", "originator_version")


def payload_from(decode: Decode) -> Payload:
    """A ``Payload`` by way of typed decoding, for callers that hand in only ``decode``
    (slower than the mapper's own, and fields added later come with defaults)."""

    def payload(notification: Any) -> dict[str, Any]:
        fields = vars(decode(notification))
        return {k: to_builtins(v) for k, v in fields.items() if k not in _ENVELOPE}

    return payload


class _Route:
    """One projection's part of a batch: what each topic needs, and its Writes."""

    __slots__ = (
        "fallback",
        "name",
        "page",
        "projection",
        "start",
        "topics",
        "writes",
    )

    def __init__(self, projection: Projection, start: int, db: Db, *, bulk: bool = True) -> None:
        self.projection = projection
        self.name = projection.name
        self.start = start
        # topic -> (handler, decode it typed?, decode it plain?)
        self.topics: dict[str, tuple[Handler, bool, bool]] = dict(projection.entries)
        fallback = projection.fallback
        self.fallback = (
            None
            if fallback is None
            else (fallback, projection.decodes_fallback, projection.payloads)
        )
        self.page = projection.page
        self.writes = Writes(db, projection.keys, bulk=bulk)


def _gather(
    routes: Sequence[_Route],
    notifications: Sequence[Any],
    decode: Decode,
    payload: Payload,
    plaintext: Plaintext | None = None,
) -> None:
    """Run every route's handlers over the batch, decoding each notification at most
    once (typed and/or plain, as the routes ask), into each route's fresh Writes.
    Handlers share one ``Item.data`` dict per notification: they must not change it."""
    by_event = []
    for route in routes:
        if route.page is not None:
            stored = Stored(payload, plaintext)
            if notifications and notifications[0].id > route.start:
                route.page(route.writes, notifications, stored)
            else:
                mine = [n for n in notifications if n.id > route.start]
                route.page(route.writes, mine, stored)
        if route.topics or route.fallback is not None:
            by_event.append(route)
    routes = by_event
    if not routes:
        return
    if len(routes) == 1:
        (route,) = routes
        topics, fallback, start = route.topics, route.fallback, route.start
        writes = route.writes
        for n in notifications:
            entry = topics.get(n.topic, fallback)
            if entry is None or n.id <= start:
                continue
            handler, typed, plain = entry
            handler(
                writes,
                Item(
                    n.id,
                    n.topic,
                    n.originator_id,
                    n.originator_version,
                    decode(n) if typed else None,
                    payload(n) if plain else None,
                ),
            )
        return
    for n in notifications:
        position, topic = n.id, n.topic
        event: Any = None
        data: dict[str, Any] | None = None
        for route in routes:
            entry = route.topics.get(topic, route.fallback)
            if entry is None or position <= route.start:
                continue
            handler, typed, plain = entry
            if typed and event is None:
                event = decode(n)
            if plain and data is None:
                data = payload(n)
            handler(
                route.writes,
                Item(
                    position,
                    topic,
                    n.originator_id,
                    n.originator_version,
                    event if typed else None,
                    data if plain else None,
                ),
            )


# A page shorter than this is written in a quick batch (``Db.quick_batch``: every
# statement sent at once, two round trips in all, rows inserted by statement rather
# than ``COPY``): what a follower near the head reads.  A longer page (catching up,
# rebuilding) is written with ``COPY``, one round trip or two per statement.
QUICK_PAGE = 200


def _commit(db: Db, routes: Sequence[_Route], last: int) -> None:
    """Write the routes' Writes in ONE transaction that also moves each position
    (from its start) to ``last``.  Positions first: they lock the tracking rows, so
    a second runner of a projection waits here, then finds the position moved."""
    if not any(route.writes.bulk for route in routes):
        with db.quick_batch() as sync:
            moved = [tracking.advance_later(db, r.name, r.start, last) for r in routes]
            sync()  # one round trip: BEGIN and the positions
            for check in moved:
                check()  # a conflict raises here, before any row is written
            for route in routes:
                route.writes.flush()
        return  # the second round trip: the rows and COMMIT
    with db.batch():
        for route in routes:
            tracking.advance(db, route.name, route.start, last)
        for route in routes:
            route.writes.flush()


def _apply_isolating(
    db: Db,
    projection: Projection,
    start: int,
    notifications: Sequence[Any],
    last: int,
    decode: Decode,
    payload: Payload,
    plaintext: Plaintext | None,
) -> None:
    """Apply a page to one projection that failed on it as a whole, moving its
    position from ``start`` to ``last``: halves that apply commit as usual (one
    transaction each), a half that fails is split again, and an event that fails on
    its own is set aside (``quarantine``) in the transaction that moves the position
    past it.  A page with one poison event costs about 2 log2(page) transactions.
    An error that is the database's, not the event's, is raised: nothing is set
    aside, and the caller tries again later from the position committed so far."""
    position = start

    def attempt(chunk: Sequence[Any], upto: int) -> None:
        nonlocal position
        route = _Route(projection, position, db, bulk=len(chunk) >= QUICK_PAGE)
        try:
            _gather((route,), chunk, decode, payload, plaintext)
            _commit(db, (route,), upto)
        except tracking.TrackingConflict:
            raise
        except Exception as error:
            if not quarantine.caused_by_the_event(error):
                raise
            if len(chunk) > 1:
                middle = len(chunk) // 2
                attempt(chunk[:middle], chunk[middle - 1].id)
                attempt(chunk[middle:], upto)
                return
            (poison,) = chunk
            log.error(
                "projection %s cannot apply event %s (%s): set aside; %s",
                projection.name,
                poison.id,
                poison.topic,
                quarantine.describe(error),
            )
            with db.batch():
                tracking.advance(db, projection.name, position, upto)
                quarantine.record(
                    db,
                    projection.name,
                    poison.id,
                    poison.topic,
                    poison.originator_id,
                    poison.originator_version,
                    error,
                )
        position = upto

    mine = [n for n in notifications if n.id > start]
    if mine:
        attempt(mine, last)
    elif start < last:
        with db.batch():
            tracking.advance(db, projection.name, start, last)


def apply_again(
    db: Db,
    projection: Projection,
    notification: Any,
    decode: Decode,
    payload: Payload,
    plaintext: Plaintext | None = None,
) -> None:
    """Apply one event the projection set aside, now, without moving its position
    (already past it), in one transaction that also closes the entry as retried.
    Raises what the projection raises if it still cannot (nothing is written)."""
    route = _Route(projection, notification.id - 1, db, bulk=False)
    _gather((route,), [notification], decode, payload, plaintext)
    with db.batch():
        route.writes.flush()


@contextmanager
def read_ahead(
    source: NotificationSource,
    position: int,
    head: int,
    topics: Sequence[str],
    limit: int,
    name: str,
) -> Iterator[Iterator[Page]]:
    """The pages of the log in (position, head], read by a thread one page ahead of
    the caller (the database works on the other core meanwhile).  With ``topics``,
    only those events are read: a page then holds every such event in (position,
    its last id], or, when short, every one up to the head.  Each page comes with
    the position it covers up to (its last id, or ``head``).  All events up to the
    head are committed (the event store locks its table while inserting, so ids
    become visible in order)."""
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
        at = position
        try:
            while not stop.is_set() and at < head:
                page = source.select_notifications(
                    at, limit, head, topics, inclusive_of_start=False
                )
                at = page[-1].id if len(page) == limit else head
                offer((page, at))
        except BaseException as error:  # handed to the applying thread
            offer(error)
            return
        offer(None)

    def received() -> Iterator[Page]:
        while (item := pages.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    reader = threading.Thread(target=read, name=f"read-{name}", daemon=True)
    reader.start()
    try:
        yield received()
    finally:
        stop.set()
        reader.join()


def create_tables(db: Db, projections: Sequence[Projection]) -> None:
    """Every projection's tables and tracking row, where missing, in one transaction.
    A projection whose tables were made by other DDL than its current one (a new
    version of the code added a column, or the tables predate the recording of their
    DDL) is dropped and goes back to position zero: its runner then replays the log
    into the new tables, as for a new projection, without stopping the others."""
    with db.batch():
        for projection in projections:
            tracking.ensure(db, projection.name)
            ddl = projection.ddl_sha256(db.dialect)
            if tracking.ddl_sha256(db, projection.name) != ddl:
                projection.drop(db)
                tracking.reset(db, projection.name)
                tracking.record_ddl(db, projection.name, ddl)
            projection.create(db)


class Runner:
    """One projection, its read-model connection, and the log it follows."""

    def __init__(
        self,
        projection: Projection,
        db: Db,
        source: NotificationSource,
        decode: Decode,
        *,
        payload: Payload | None = None,
        plaintext: Plaintext | None = None,
        batch_size: int = 500,
    ) -> None:
        self.projection = projection
        self.db = db
        self.source = source
        self.decode = decode
        self.payload = payload or payload_from(decode)
        self.plaintext = plaintext
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
        """Create the projection's tables and tracking row if missing (and start it
        again from zero if its tables have changed: ``create_tables``)."""
        create_tables(self.db, (self.projection,))

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
        route = _Route(self.projection, start, self.db, bulk=len(notifications) >= QUICK_PAGE)
        try:
            # Every handler runs before anything is written: the batch's row changes
            # are gathered in memory (events the projection ignores are never
            # decoded), then written in one transaction with the position.
            _gather((route,), notifications, self.decode, self.payload, self.plaintext)
            _commit(self.db, (route,), last)
        except tracking.TrackingConflict:
            self._position = tracking.position(self.db, self.name)
            raise
        except Exception as error:
            if not quarantine.caused_by_the_event(error):
                raise
            try:
                _apply_isolating(
                    self.db,
                    self.projection,
                    start,
                    notifications,
                    last,
                    self.decode,
                    self.payload,
                    self.plaintext,
                )
            except BaseException:
                self._position = tracking.position(self.db, self.name)
                raise
        with self._changed:
            self._position = last
            self._changed.notify_all()

    def catch_up(self, progress: Progress | None = None) -> int:
        """Apply batches up to the log's head as it is now; return how far the
        position moved (the log positions covered, applied or not).  The work of
        ``MultiRunner.catch_up`` with this one projection: pages read ahead,
        gathered while the previous one commits, one transaction per page with
        the position in it."""
        start = self._position

        def committed(positions: dict[str, int]) -> None:
            with self._changed:
                self._position = positions[self.name]
                self._changed.notify_all()

        multi = MultiRunner(
            (self.projection,),
            self.db,
            self.source,
            self.decode,
            payload=self.payload,
            plaintext=self.plaintext,
            batch_size=self.batch_size,
            on_commit=committed,
        )
        try:
            multi.catch_up(progress)
        finally:
            committed(multi.positions)
        return self._position - start

    @property
    def projections(self) -> tuple[Projection, ...]:
        return (self.projection,)

    def follow(
        self, stop: threading.Event, waker: Waker | None = None, linger: Linger | None = None
    ) -> None:
        """Apply batches forever (until ``stop``), idling on the waker between."""
        _follow(self, stop, waker, linger)

    def wait_until(self, position: int, timeout: float, name: str | None = None) -> bool:
        """Read-your-writes in this process: block until the projection has
        applied ``position`` (a command's notification id), at most ``timeout`` s."""
        return _wait(self._changed, lambda: self._position >= position, timeout)


class _Follower(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def batch_size(self) -> int: ...

    def run_batch(self, limit: int | None = None) -> int: ...


def _follow(
    runner: _Follower, stop: threading.Event, waker: Waker | None, linger: Linger | None = None
) -> None:
    waker = waker or PollWaker()
    try:
        while not stop.is_set():
            try:
                count = runner.run_batch()
            except tracking.TrackingConflict:
                log.warning("projection %s moved by another runner; resuming", runner.name)
                continue
            if count:
                waker.busy()
                if linger is not None:
                    linger.after(count, runner.batch_size, stop)
            else:
                waker.idle(stop)
    finally:
        waker.close()


def _wait(changed: threading.Condition, reached: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    with changed:
        while not reached():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            changed.wait(remaining)
    return True


class MultiRunner:
    """Several projections fed in one pass over the log, on one read-model
    connection: each page is read once, each event decoded at most once (typed
    and/or plain, as the projections ask) and applied to every projection, and
    the page's row changes of all of them are written in ONE transaction that
    also moves every position.  Exactly once as ``Runner``: the positions commit
    with the rows they account for, or neither does.

    Positions may differ at the start: a projection applies only the events after
    its own position.  Used by ``rebuild``, and by ``ReadSide`` to follow the
    projections that are close to the head together (one read, one transaction per
    batch for all of them rather than one each); ``Runner`` follows one projection."""

    def __init__(
        self,
        projections: Sequence[Projection],
        db: Db,
        source: NotificationSource,
        decode: Decode,
        *,
        payload: Payload | None = None,
        plaintext: Plaintext | None = None,
        batch_size: int = 5000,
        on_commit: Callable[[dict[str, int]], None] | None = None,
    ) -> None:
        names = [p.name for p in projections]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"one or more distinct projections needed, not {names}")
        self.projections = tuple(projections)
        self.db = db
        self.source = source
        self.decode = decode
        self.payload = payload or payload_from(decode)
        self.plaintext = plaintext
        self.batch_size = batch_size
        self.on_commit = on_commit
        self._changed = threading.Condition()
        self.setup()
        self._positions = {p.name: tracking.position(db, p.name) for p in self.projections}

    @property
    def name(self) -> str:
        return "+".join(p.name for p in self.projections)

    @property
    def positions(self) -> dict[str, int]:
        return dict(self._positions)

    @property
    def position(self) -> int:
        """The slowest projection's position."""
        return min(self._positions.values())

    @property
    def topics(self) -> tuple[str, ...]:
        """Every topic any of the projections applies; empty (all) if one has a fallback."""
        if any(not p.topics for p in self.projections):
            return ()
        return tuple(dict.fromkeys(t for p in self.projections for t in p.topics))

    def setup(self) -> None:
        create_tables(self.db, self.projections)

    def drop(self, *, indexes: bool = True) -> None:
        """Drop every projection's tables and go back to position zero, in one
        transaction; the tables are created again, without their secondary indexes
        if ``indexes`` is False (``rebuild``)."""
        with self.db.batch():
            for projection in self.projections:
                tracking.ensure(self.db, projection.name)
                projection.drop(self.db)
                tracking.reset(self.db, projection.name)
                projection.create(self.db, indexes=indexes)
        self._positions = dict.fromkeys(self._positions, 0)

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drop the projections and replay the log from zero; return how far the
        positions moved.  Secondary indexes are built once at the end rather than
        row by row (a fraction of the database's work); if the rebuild is killed
        before that, the next ``setup`` (any runner's start) creates them, since
        every projection's DDL creates what is missing."""
        self.drop(indexes=False)
        moved = self.catch_up(progress)
        with self.db.batch():
            for projection in self.projections:
                projection.create_indexes(self.db)
        self.analyze()
        return moved

    def analyze(self) -> None:
        """Planner statistics for every rebuilt table.  After a bulk rebuild
        PostgreSQL's autovacuum may not have analyzed the tables yet (measured: an
        estimate of 295 rows for 366,000, and a hash join spilling to disk); SQLite
        keeps no statistics unless asked (``ANALYZE``), and its planner does well
        without, so only PostgreSQL is analyzed."""
        if self.db.dialect != "postgres":
            return
        with self.db.batch():
            for projection in self.projections:
                for table in projection.all_tables(self.db.dialect):
                    self.db.execute(f"ANALYZE {table}")

    def _routes(self, positions: dict[str, int], last: int, *, bulk: bool = True) -> list[_Route]:
        return [
            _Route(p, positions[p.name], self.db, bulk=bulk)
            for p in self.projections
            if positions[p.name] < last
        ]

    def _commit(self, routes: list[_Route], last: int) -> None:
        try:
            _commit(self.db, routes, last)
        except tracking.TrackingConflict:
            self._positions = {p.name: tracking.position(self.db, p.name) for p in self.projections}
            raise
        with self._changed:
            for route in routes:
                self._positions[route.name] = last
            self._changed.notify_all()
        if self.on_commit is not None:
            self.on_commit(dict(self._positions))

    def run_batch(self, limit: int | None = None) -> int:
        """Read the page after the slowest position and apply it; return how many
        notifications it read (0: caught up).  Every event is read, handled or not,
        so each position reaches the head (read-your-writes waits on it)."""
        page = self.source.select_notifications(
            self.position, limit or self.batch_size, inclusive_of_start=False
        )
        if page:
            self.apply(page, page[-1].id)
        return len(page)

    def follow(
        self, stop: threading.Event, waker: Waker | None = None, linger: Linger | None = None
    ) -> None:
        """Apply batches forever (until ``stop``), idling on the waker between."""
        _follow(self, stop, waker, linger)

    def wait_until(self, position: int, timeout: float, name: str | None = None) -> bool:
        """Block until the projection ``name`` (default: every one) has applied
        ``position``, at most ``timeout`` s."""
        names = [name] if name is not None else list(self._positions)
        return _wait(
            self._changed, lambda: all(self._positions[n] >= position for n in names), timeout
        )

    def apply(self, notifications: Sequence[Any], last: int) -> None:
        """Apply one page to every projection whose position is before ``last``, in
        one transaction moving each of those positions to ``last``.  Every event a
        projection applies in (its position, last] must be in the page."""
        routes = self._routes(self._positions, last, bulk=len(notifications) >= QUICK_PAGE)
        if not routes:
            return
        try:
            _gather(routes, notifications, self.decode, self.payload, self.plaintext)
            self._commit(routes, last)
        except Exception as error:
            if isinstance(error, tracking.TrackingConflict):
                raise
            if not quarantine.caused_by_the_event(error):
                raise
            self._apply_isolating([route.projection for route in routes], notifications, last)

    def _apply_isolating(
        self, projections: Sequence[Projection], notifications: Sequence[Any], last: int
    ) -> None:
        """The page again, one projection at a time, bisected where it fails: each
        event one of them cannot apply is set aside for that one alone."""
        try:
            for projection in projections:
                _apply_isolating(
                    self.db,
                    projection,
                    self._positions[projection.name],
                    notifications,
                    last,
                    self.decode,
                    self.payload,
                    self.plaintext,
                )
                with self._changed:
                    self._positions[projection.name] = last
                    self._changed.notify_all()
        except BaseException:
            self._positions = {p.name: tracking.position(self.db, p.name) for p in self.projections}
            raise
        if self.on_commit is not None:
            self.on_commit(dict(self._positions))

    def catch_up(self, progress: Progress | None = None) -> int:
        """Apply pages up to the log's head as it is now, from the slowest position;
        return how far the slowest position moved (the log positions covered).

        Three threads share the work: one reads the next page (``read_ahead``),
        this one gathers a page's row changes in memory, one writes the previous
        page and commits it with the positions (``_Committer``), so the database
        works while Python gathers.  Pages commit in order, each in its own
        transaction with the positions it moves: killed at any moment, the
        positions are those of the last page committed, with its rows."""
        head = self.source.max_notification_id() or 0
        start = self.position
        while True:
            try:
                self._catch_up_to(head, progress)
                return self.position - start
            except Exception as error:
                if isinstance(error, tracking.TrackingConflict):
                    raise
                if not quarantine.caused_by_the_event(error):
                    raise
            # A page failed: the positions are those of the pages committed before it.
            # That page again, read alone and applied with the events it cannot apply
            # set aside; then on at full speed.
            self._positions = {p.name: tracking.position(self.db, p.name) for p in self.projections}
            at = self.position
            page = self.source.select_notifications(
                at, self.batch_size, head, self.topics, inclusive_of_start=False
            )
            last = page[-1].id if len(page) == self.batch_size else head
            if last <= at:
                return self.position - start
            self.apply(page, last)
            if progress is not None:
                progress(self.position, head)

    def _catch_up_to(self, head: int, progress: Progress | None) -> None:
        start = self.position
        planned = dict(self._positions)  # as they will be once what is queued commits

        def commit(routes: list[_Route], last: int) -> None:
            self._commit(routes, last)
            if progress is not None:
                progress(self.position, head)

        with (
            _bulk_gc(),
            read_ahead(self.source, start, head, self.topics, self.batch_size, self.name) as pages,
            _Committer(self.name) as committer,
        ):
            for page, last in pages:
                routes = self._routes(planned, last)
                if not routes:
                    continue
                _gather(routes, page, self.decode, self.payload, self.plaintext)
                for route in routes:
                    planned[route.name] = last
                committer.submit(partial(commit, routes, last))


_gc_lock = threading.Lock()
_gc_depth = 0
_gc_saved: tuple[int, int, int] = (0, 0, 0)


@contextmanager
def _bulk_gc() -> Iterator[None]:
    """Fewer garbage collections while catching up: a page creates hundreds of
    thousands of objects that live until its commit, and with the default threshold
    (700) the collector runs every few hundred of them, scanning them all again
    (10-15% of a legal rebuild).  Cycles are still collected, every 100,000
    allocations.  Process-wide, so counted: the thresholds come back when the last
    catch-up in the process ends."""
    global _gc_depth, _gc_saved
    with _gc_lock:
        if _gc_depth == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(100_000, 50, 100)
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0:
                gc.set_threshold(*_gc_saved)


class _Committer:
    """A thread running jobs (a page's write and commit) one at a time, in order,
    at most one waiting.  After a job fails, the rest are skipped and the error is
    raised to the submitter (at its next ``submit``, or on leaving the block)."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"commit-{name}", daemon=True)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is None:
                try:
                    job()
                except BaseException as error:
                    self._error = error

    def submit(self, job: Callable[[], None]) -> None:
        if self._error is not None:
            raise self._error
        self._jobs.put(job)

    def __enter__(self) -> _Committer:
        self._thread.start()
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        self._jobs.put(None)
        self._thread.join()
        if error is None and self._error is not None:
            raise self._error
