"""Group commit: concurrent commands' events recorded in one event-store transaction.

Why: each command is one transaction, and the library's PostgreSQL recorder takes an
exclusive lock on the events table for every insert (so that notification ids are
issued in commit order and the projections never skip a gap).  Every writer of every
web worker therefore queues on that lock, held across a commit (a WAL flush), and pays
a transaction's round trips on its own.  Here the threads of one process that want to
record at the same moment share one transaction: one lock, one flush, one round trip,
for all of them.  See docs/decisions/0006-group-commit.md.

How (leader/follower, no thread of its own): a caller puts its stored events in a
queue.  If nobody is recording, it becomes the leader: it takes the queue's head (up to
a bound), records it all in ONE ``insert_events`` call, hands every caller its own
notification ids and wakes them.  Callers that arrived meanwhile wait; when the leader
is done it passes the lead to the first of them, which records everything queued by
then.  Under load a batch is simply what arrived during the previous insert.

Safety, each case is tested (tests/persistence/test_group_commit.py):
- two callers that append to the same aggregate never share a batch (the batch ends
  before the second), so a batch's conflicts are only ever with other processes;
- when the combined insert fails on a conflict (another process appended to one of the
  streams: IntegrityError), the transaction rolled back as a whole and nothing of the
  batch was written; then each caller's events are inserted on their own, so only the
  real loser gets the RecordConflictError (and its command runs again on fresh state,
  ``retry_on_conflict``), the others succeed;
- any other failure of the combined insert (the store is down: a PersistenceError)
  rolled back everything, and every caller of the batch gets that error: nothing is
  written for anyone, and each command answers StoreUnavailable;
- a caller's own events stay one atomic unit and keep their order.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import (
    ApplicationRecorder,
    Mapper,
    Notification,
    RecordConflictError,
    Recording,
    StoredEvent,
)

__all__ = ["GroupCommitter"]

MAX_BATCH_CALLERS = 64
MAX_BATCH_EVENTS = 1000


@dataclass(eq=False)
class _Pending:
    events: Sequence[Any]
    stored: list[StoredEvent]
    originators: frozenset[Any]
    wake: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    done: bool = False
    notification_ids: Sequence[int] | None = None
    error: BaseException | None = None


class GroupCommitter:
    """Records domain events for many threads of one process, batching the concurrent."""

    def __init__(
        self,
        mapper: Mapper[Any],
        recorder: ApplicationRecorder,
        *,
        max_callers: int = MAX_BATCH_CALLERS,
        max_events: int = MAX_BATCH_EVENTS,
    ) -> None:
        self.mapper = mapper
        self.recorder = recorder
        self.max_callers = max_callers
        self.max_events = max_events
        self._lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._leading = False
        # Insert calls made and callers served (only the leader counts): tests, benchmark.
        self.inserts = 0
        self.callers = 0

    def put(self, domain_events: Sequence[Any]) -> list[Recording[Any]]:
        """What ``EventStore.put`` does, sharing the transaction with concurrent callers."""
        if not domain_events:
            return []
        # Encoding (and encrypting) happens in the caller's own thread, before queueing.
        stored = [self.mapper.to_stored_event(e) for e in domain_events]
        pending = _Pending(domain_events, stored, frozenset(s.originator_id for s in stored))
        with self._lock:
            self._queue.append(pending)
            if not self._leading:
                self._leading = True
                pending.lead = True
        if not pending.lead:
            pending.wake.wait()
        if not pending.done:
            # The lead: this caller is at the head of the queue, so in this batch.
            self._lead()
        assert pending.done
        if pending.error is not None:
            raise pending.error
        return _recordings(pending)

    # --- the leader -----------------------------------------------------------------------

    def _take_batch(self) -> list[_Pending]:
        batch: list[_Pending] = []
        originators: set[Any] = set()
        events = 0
        with self._lock:
            for pending in self._queue:
                if batch and (
                    len(batch) >= self.max_callers
                    or events + len(pending.stored) > self.max_events
                    or not originators.isdisjoint(pending.originators)
                ):
                    break
                batch.append(pending)
                originators |= pending.originators
                events += len(pending.stored)
            del self._queue[: len(batch)]
        return batch

    def _lead(self) -> None:
        batch = self._take_batch()
        try:
            self._record(batch)
        except BaseException as e:  # every caller of the batch must hear of it
            for pending in batch:
                if not pending.done:
                    pending.error = e
                    pending.done = True
        finally:
            for pending in batch:
                pending.done = True
            with self._lock:
                # Pass the lead on: the head of the queue records the next batch.
                successor = self._queue[0] if self._queue else None
                if successor is not None:
                    successor.lead = True
                else:
                    self._leading = False
            for pending in batch:
                pending.wake.set()
            if successor is not None:
                successor.wake.set()

    def _record(self, batch: list[_Pending]) -> None:
        stored = [s for pending in batch for s in pending.stored]
        self.inserts += 1
        self.callers += len(batch)
        try:
            ids = self.recorder.insert_events(stored)
        except RecordConflictError:
            if len(batch) == 1:
                raise
            # The whole transaction rolled back.  Find the loser(s): each on its own.
            for pending in batch:
                self._record_alone(pending)
            return
        self._hand_out(batch, ids)

    def _record_alone(self, pending: _Pending) -> None:
        self.inserts += 1
        try:
            pending.notification_ids = self.recorder.insert_events(pending.stored)
        except BaseException as e:  # this caller's own outcome
            pending.error = e
        pending.done = True

    @staticmethod
    def _hand_out(batch: list[_Pending], ids: Sequence[int] | None) -> None:
        offset = 0
        for pending in batch:
            n = len(pending.stored)
            pending.notification_ids = None if ids is None else ids[offset : offset + n]
            offset += n
            pending.done = True


def _recordings(pending: _Pending) -> list[Recording[Any]]:
    ids = pending.notification_ids
    if not ids:
        return []
    assert len(ids) == len(pending.stored)
    return [
        Recording(
            domain_event,
            Notification(
                originator_id=s.originator_id,
                originator_version=s.originator_version,
                topic=s.topic,
                state=s.state,
                id=n_id,
            ),
        )
        for domain_event, s, n_id in zip(pending.events, pending.stored, ids, strict=True)
    ]
