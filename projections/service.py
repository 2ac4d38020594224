"""Several projections in one process: the projections near the head of the log
followed together by one thread (one read and one transaction per batch for all of
them), and each projection far behind (new, or rebuilding from zero) by a thread
and a read-model connection of its own, so it catches up without holding the
others back."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress

from projections import tracking
from projections.db import ReadStore, open_db
from projections.projection import Projection
from projections.runner import (
    Decode,
    MultiRunner,
    NotificationSource,
    Payload,
    Plaintext,
    Progress,
    Runner,
)
from projections.waiting import wait_for_position
from projections.wakeup import Linger, PollWaker, Waker

log = logging.getLogger(__name__)

WakerFactory = Callable[[], Waker]
Follower = Runner | MultiRunner

# Projections at most this many events behind the furthest one are followed together
# (one reader, one transaction per batch for all: under a burst of writes, four
# runners each reading every event and committing its own batch took about 40 % of
# a web worker's CPU, measured with py-spy during the votes benchmark).  One further
# behind (new, or rebuilding after a change of its tables) follows alone, so it does
# not hold the others back while it catches up.
FOLLOW_TOGETHER_LAG = 5_000


class ReadSide:
    def __init__(
        self,
        store: ReadStore,
        source: NotificationSource,
        decode: Decode,
        projections: Sequence[Projection],
        *,
        waker_factory: WakerFactory = PollWaker,
        batch_size: int = 500,
        payload: Payload | None = None,
        plaintext: Plaintext | None = None,
        follow_together_lag: int = FOLLOW_TOGETHER_LAG,
        linger: Linger | None = None,
    ) -> None:
        self.store = store
        self.linger = linger
        self.follow_together_lag = follow_together_lag
        self.source = source
        self.decode = decode
        self.payload = payload
        self.plaintext = plaintext
        self.projections = tuple(projections)
        self.waker_factory = waker_factory
        self.batch_size = batch_size
        # projection name -> the runner following it (one runner may follow several)
        self.runners: dict[str, Follower] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def runner(self, projection: Projection) -> Runner:
        return Runner(
            projection,
            open_db(self.store),
            self.source,
            self.decode,
            payload=self.payload,
            plaintext=self.plaintext,
            batch_size=self.batch_size,
        )

    def multi_runner(self, projections: Sequence[Projection] = ()) -> MultiRunner:
        """The projections (default: every one of this read side) in one pass over
        the log."""
        return MultiRunner(
            projections or self.projections,
            open_db(self.store),
            self.source,
            self.decode,
            payload=self.payload,
            plaintext=self.plaintext,
            batch_size=self.batch_size,
        )

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drop every projection and replay the log from zero in ONE pass (each page
        read and decoded once, applied to all, every position moved in the page's
        transaction); return how far the positions moved."""
        runner = self.multi_runner()
        try:
            return runner.rebuild(progress)
        finally:
            runner.db.close()

    def setup(self) -> None:
        """Create every projection's tables and tracking row (``openinno migrate``)."""
        for projection in self.projections:
            runner = self.runner(projection)
            runner.db.close()

    def catch_up(self) -> dict[str, int]:
        """Apply everything in the log now, in this thread; how far each position moved."""
        read: dict[str, int] = {}
        for projection in self.projections:
            runner = self.runner(projection)
            try:
                read[projection.name] = runner.catch_up()
            finally:
                runner.db.close()
        return read

    def follower(self, projections: Sequence[Projection]) -> Follower:
        """A runner for one projection, or one pass over the log for several."""
        if len(projections) == 1:
            return self.runner(projections[0])
        return self.multi_runner(projections)

    def follow_groups(self) -> list[list[Projection]]:
        """The projections close to the furthest one, together; each other alone."""
        db = open_db(self.store)
        try:
            positions = tracking.positions(db)
        finally:
            db.close()
        at = {p.name: positions.get(p.name, 0) for p in self.projections}
        furthest = max(at.values(), default=0)
        together = [
            p for p in self.projections if furthest - at[p.name] <= self.follow_together_lag
        ]
        apart = [[p] for p in self.projections if p not in together]
        return ([together] if together else []) + apart

    def start(self) -> None:
        for group in self.follow_groups():
            self._start_following(self.follower(group))

    def _start_following(self, runner: Follower) -> None:
        for projection in runner.projections:
            self.runners[projection.name] = runner
        thread = threading.Thread(
            target=self._follow, args=(runner,), name=f"projection-{runner.name}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _follow(self, runner: Follower) -> None:
        while not self._stop.is_set():
            try:
                runner.follow(self._stop, self.waker_factory(), self.linger)
            except Exception:
                log.exception("projection %s failed; starting again in 1s", runner.name)
                self._stop.wait(1.0)
                runner = self._start_again(runner)

    def _start_again(self, runner: Follower) -> Follower:
        """Fresh runners (new connections, positions read from the database) for one
        that failed: its connection may be gone (the server restarted, or ended the
        session), and after a server crash its position in memory may be ahead of
        the one the database kept (see docs/decisions/0007-read-model-durability.md).
        A group that failed goes on as one runner per projection, each in its own
        thread: an event one of them cannot apply then holds back only that one.
        This thread follows the first; the others get threads of their own."""
        with suppress(Exception):
            runner.db.close()
        while not self._stop.is_set():
            fresh: list[Runner] = []
            try:
                for projection in runner.projections:
                    fresh.append(self.runner(projection))
            except Exception:
                for made in fresh:
                    with suppress(Exception):
                        made.db.close()
                log.warning("projection %s: cannot reconnect yet; retrying in 1s", runner.name)
                self._stop.wait(1.0)
                continue
            first, *others = fresh
            self.runners[first.name] = first
            for other in others:
                self._start_following(other)
            return first
        return runner

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        for runner in {id(r): r for r in self.runners.values()}.values():
            runner.db.close()
        self._threads.clear()
        self.runners.clear()

    def run_forever(self) -> None:
        self.start()
        try:
            while any(t.is_alive() for t in self._threads):
                time.sleep(0.5)
        finally:
            self.stop()

    def _wait_for(self, name: str, position: int, deadline: float) -> bool:
        """Wait on the runner following ``name``, looked up again every half second: a
        runner that failed is replaced (``_start_again``), and the old one never moves."""
        while True:
            remaining = deadline - time.monotonic()
            if self.runners[name].wait_until(position, max(0.0, min(remaining, 0.5)), name):
                return True
            if remaining <= 0.5:
                return False

    def wait_until(self, position: int, timeout: float, names: Sequence[str] = ()) -> bool:
        """Read-your-writes: wait (bounded) until the named projections (default:
        all) have applied ``position``."""
        wanted = names or [p.name for p in self.projections]
        if self.runners:
            deadline = time.monotonic() + timeout
            return all(self._wait_for(n, position, deadline) for n in wanted)
        db = open_db(self.store)
        try:
            return wait_for_position(db, wanted, position, timeout)
        finally:
            db.close()
