"""What the mail outbox and the webhook deliveries share: rows of work claimed under a
lease, a back-off that doubles, and a sender that follows its table.

A lease is a random owner id and an expiry: only the holder of a live lease handles a
row, and it renews the lease just before the send, so two senders never hold one row
at once.  A sender that dies leaves its leases to expire; the rows are then claimed
again.  Times are ISO 8601 text in UTC (projections.values.iso): text order is time
order, in both databases.  Each table's own columns (what a row joins for its send,
what its end records) stay with its outbox module."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from projections.db import Db, Row
from projections.values import iso

log = logging.getLogger(__name__)


def backoff(attempts: int, first: timedelta, most: timedelta) -> timedelta:
    """The wait after the ``attempts``-th failure: ``first``, twice that, ... up to ``most``."""
    return min(first * (2 ** max(attempts - 1, 0)), most)


class Leases:
    """The lease bookkeeping of one table whose rows are keyed by ``key`` and carry
    ``status``, ``next_attempt_at``, ``lease_owner`` and ``lease_until``."""

    def __init__(self, table: str, key: Sequence[str]) -> None:
        self.table = table
        self.key = tuple(key)
        self.where = " AND ".join(f"{column} = ?" for column in self.key)

    def key_of(self, row: Row) -> tuple[Any, ...]:
        return tuple(int(row[c]) if c == "position" else str(row[c]) for c in self.key)

    def take(self, db: Db, owner: str, now: datetime, lease: timedelta, limit: int) -> None:
        """Lease up to ``limit`` due rows to ``owner`` (read them back by ``lease_owner``)."""
        at, until, columns = iso(now), iso(now + lease), ", ".join(self.key)
        # PostgreSQL: rows another claimer is taking are skipped, not waited for, and
        # the pick is made once (MATERIALIZED: a subquery under the UPDATE could be
        # evaluated again on a row's re-check and pick more).  SQLite runs one writer at
        # a time.  The lease condition is in the UPDATE's own WHERE too: a row waited for
        # anyway is re-checked there, and left alone.
        pg = db.dialect == "postgres"
        with db.batch():
            db.execute(
                f"WITH picked AS {'MATERIALIZED ' if pg else ''}("
                f" SELECT {columns} FROM {self.table}"
                " WHERE status = 'queued' AND next_attempt_at <= ?"
                " AND (lease_until IS NULL OR lease_until < ?)"
                " ORDER BY next_attempt_at, position"
                f" LIMIT ?{' FOR UPDATE SKIP LOCKED' if pg else ''})"
                f" UPDATE {self.table} SET lease_owner = ?, lease_until = ?"
                " WHERE status = 'queued' AND (lease_until IS NULL OR lease_until < ?)"
                f" AND ({columns}) IN (SELECT {columns} FROM picked)",
                [at, at, limit, owner, until, at],
            )

    def renew(self, db: Db, row: Row, owner: str, now: datetime, lease: timedelta) -> bool:
        """Whether ``owner`` still holds the row's lease (now renewed for ``lease``)."""
        with db.batch():
            return (
                db.execute(
                    f"UPDATE {self.table} SET lease_until = ? WHERE {self.where}"
                    " AND lease_owner = ? AND status = 'queued' AND lease_until >= ?",
                    [iso(now + lease), *self.key_of(row), owner, iso(now)],
                )
                == 1
            )

    def counts(self, db: Db) -> dict[str, int]:
        rows = db.rows(f"SELECT status, COUNT(*) AS n FROM {self.table} GROUP BY status")
        return {str(r["status"]): int(r["n"]) for r in rows}


class Follower:
    """A sender's loop: ``send_once`` handles one batch and says how many rows it
    claimed; ``catch_up`` runs batches until none is due, ``follow`` until stopped."""

    name = "outbox"

    def send_once(self) -> int:
        raise NotImplementedError

    def catch_up(self) -> int:
        total = 0
        while (count := self.send_once()) > 0:
            total += count
        return total

    def follow(self, stop: threading.Event, idle_seconds: float = 1.0) -> None:
        while not stop.is_set():
            try:
                count = self.send_once()
            except Exception:
                log.exception("the %s sender failed a batch; retrying", self.name)
                count = 0
            if count == 0:
                stop.wait(idle_seconds)
