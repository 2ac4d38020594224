"""One lock per key, made on demand and dropped when nobody holds or waits for it.

Why: every vote on an entry appends to that entry's SupportTally.  When many people
vote on one entry at once, each command reads the tally, and all but one of them lose
the optimistic-concurrency race and run again, over and over (the benchmark's votes had
a p99 of seconds from this).  Threads of one process that would certainly collide now
take turns on the tally instead: each changes the version the previous one recorded
(kept in the aggregate cache: persistence/repository.py, ``keep``).
Other processes still race, and ``retry_on_conflict`` still settles that; the lock
only removes the collisions a process can see coming.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterator
from contextlib import contextmanager

__all__ = ["KeyedLocks"]


class KeyedLocks:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Hashable, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: Hashable) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (None, 0))
            if lock is None:
                lock = threading.Lock()
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)
