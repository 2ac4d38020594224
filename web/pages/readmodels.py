"""The read side as the pages see it: one read-model connection per worker thread,
and read-your-writes waits on the projections' tracking positions."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence

from projections.db import Db, ReadStore, open_db
from projections.registry import ALL
from projections.waiting import wait_for_position


class ReadModels:
    def __init__(self, store: ReadStore, wait_seconds: float) -> None:
        self.store = store
        self.wait_seconds = wait_seconds
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Db] = []

    def db(self) -> Db:
        db: Db | None = getattr(self._local, "db", None)
        if db is None:
            db = open_db(self.store)
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    def wait(self, position: int, names: Sequence[str] = ()) -> bool:
        """Wait (bounded) until the named projections (default: all) applied ``position``."""
        if self.wait_seconds <= 0:
            return False
        wanted = list(names) or [p.name for p in ALL]
        return wait_for_position(self.db(), wanted, position, self.wait_seconds)

    def close(self) -> None:
        with self._lock:
            for db in self._all:
                with contextlib.suppress(Exception):  # shutting down: best effort
                    db.close()
            self._all.clear()
