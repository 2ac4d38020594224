"""Group commit (openinno.persistence.group_commit), on SQLite and PostgreSQL.

Batching depends on timing, so these tests make it certain: a gate holds the first
insert until the other callers are queued behind it, and the next leader then takes
them all in one transaction (the committer counts inserts and callers to prove it).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from eventsourcing.persistence import RecordConflictError

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.domain import SupportTally
from openinno.domain.errors import StoreUnavailable
from openinno.persistence.group_commit import GroupCommitter
from openinno.settings import Settings
from tests.application import test_concurrency


@pytest.fixture
def gc_settings(settings: Settings) -> Settings:
    return replace(settings, group_commit="on")


@pytest.fixture
def gc_app(gc_settings: Settings, clock: ManualClock) -> Iterator[OpenInno]:
    application = OpenInno(gc_settings, clock=clock)
    assert application.group_committer is not None
    yield application
    application.close()


class Gate:
    """Holds the committer's first insert until ``waiting`` callers are queued."""

    def __init__(self, committer: GroupCommitter, waiting: int) -> None:
        self.committer = committer
        self.recorder = committer.recorder
        self.waiting = waiting
        self.first = True
        committer.recorder = self  # type: ignore[assignment]

    def queued(self) -> int:
        with self.committer._lock:
            return len(self.committer._queue)

    def wait_for(self, n: int) -> None:
        deadline = time.monotonic() + 60
        while self.queued() < n:
            assert time.monotonic() < deadline, f"only {self.queued()} of {n} callers queued"
            time.sleep(0.001)

    def holding(self) -> None:
        """Wait until the first insert is held (its caller leads)."""
        deadline = time.monotonic() + 60
        while self.first:
            assert time.monotonic() < deadline, "no caller reached the store"
            time.sleep(0.001)

    def insert_events(self, stored: Sequence[Any], **kwargs: Any) -> Any:
        if self.first:
            self.first = False
            self.wait_for(self.waiting)
        return self.recorder.insert_events(stored, **kwargs)


def in_threads(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in n threads; each slot holds the result or the exception raised."""
    outcomes: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            outcomes[i] = work(i)
        except Exception as e:
            outcomes[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def new_tally(at: datetime, changes: int = 0) -> SupportTally:
    tally = SupportTally(id=uuid.uuid4(), submission_id=uuid.uuid4(), timestamp=at)
    for _ in range(changes):
        tally.change(+1, at)
    return tally


def stream_ids(app: OpenInno) -> dict[int, tuple[uuid.UUID, int]]:
    notes = app.recorder.select_notifications(start=1, limit=100_000)
    return {n.id: (uuid.UUID(str(n.originator_id)), n.originator_version) for n in notes}


def test_concurrent_commits_share_one_transaction_and_keep_their_own_positions(gc_app, clock):
    app = gc_app
    committer = app.group_committer
    n = 30
    gate = Gate(committer, waiting=n - 1)
    tallies = [new_tally(clock.now(), changes=3) for _ in range(n)]  # 4 events each

    first = in_threads(n, lambda i: app._commit(tallies[i]))
    assert all(isinstance(p, int) for p in first), first
    # The first caller recorded alone (held by the gate); the other 29 in one insert.
    assert (committer.inserts, committer.callers) == (2, n)
    assert gate.first is False

    for tally in tallies:
        tally.change(+1, clock.now())
    second = in_threads(n, lambda i: app._commit(tallies[i]))
    assert all(isinstance(p, int) for p in second), second

    recorded = stream_ids(app)
    assert len(recorded) == n * 5
    assert len(set(first) | set(second)) == 2 * n  # distinct positions
    for i, tally in enumerate(tallies):
        # Each acknowledged position is that caller's last event, in its own stream.
        assert recorded[first[i]] == (tally.id, 4)
        assert recorded[second[i]] == (tally.id, 5)
        assert first[i] < second[i]
        # The stream's versions 1..5 come in position order, with nothing missing.
        versions = [v for _pos, (oid, v) in sorted(recorded.items()) if oid == tally.id]
        assert versions == [1, 2, 3, 4, 5]
        assert app.repository.get(tally.id).count == 4


def test_a_batch_ends_before_a_second_caller_on_the_same_aggregate(gc_app, clock):
    committer = gc_app.group_committer
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    queue = [_pending(a), _pending(b), _pending(a, c), _pending(c)]
    committer._queue[:] = queue
    assert committer._take_batch() == queue[:2]
    assert committer._take_batch() == queue[2:3]
    assert committer._take_batch() == queue[3:]
    committer.max_callers = 2
    committer._queue[:] = [_pending(uuid.uuid4()) for _ in range(5)]
    assert [len(committer._take_batch()) for _ in range(3)] == [2, 2, 1]


def _pending(*originators: uuid.UUID) -> Any:
    from openinno.persistence.group_commit import _Pending

    return _Pending(events=[], stored=[], originators=frozenset(originators))


def test_two_stale_copies_of_one_aggregate_in_one_process_one_wins(gc_app, clock):
    app = gc_app
    tally = new_tally(clock.now())
    app._commit(tally)
    gate = Gate(app.group_committer, waiting=3)
    opener = threading.Thread(target=app._commit, args=(new_tally(clock.now()),))
    opener.start()
    gate.holding()
    copies = [app.repository.get(tally.id) for _ in range(2)]
    for copy in copies:
        copy.change(+1, clock.now())
    fresh = new_tally(clock.now())
    work = [copies[0], copies[1], fresh]
    outcomes = in_threads(3, lambda i: app._commit(work[i]))
    opener.join()
    assert sum(isinstance(o, RecordConflictError) for o in outcomes) == 1, outcomes
    assert isinstance(outcomes[2], int)
    assert app.repository.get(tally.id).version == 2
    assert app.repository.get(fresh.id).version == 1


def test_a_conflict_in_a_batch_fails_only_the_loser(gc_app, gc_settings, clock):
    app = gc_app
    committer = app.group_committer
    contested = new_tally(clock.now())
    app._commit(contested)
    stale = app.repository.get(contested.id)
    stale.change(+1, clock.now())
    # Another process (another web worker) appends to the same stream first.
    other = OpenInno(gc_settings, clock=clock)
    try:
        winner: SupportTally = other.repository.get(contested.id)
        winner.change(+1, clock.now())
        other._commit(winner)
    finally:
        other.close()

    before = committer.inserts
    gate = Gate(committer, waiting=5)
    opener = threading.Thread(target=app._commit, args=(new_tally(clock.now()),))
    opener.start()
    gate.holding()
    others = [new_tally(clock.now(), changes=1) for _ in range(4)]
    work: list[SupportTally] = [stale, *others]
    outcomes = in_threads(5, lambda i: app._commit(work[i]))
    opener.join()

    assert isinstance(outcomes[0], RecordConflictError), outcomes
    assert all(isinstance(p, int) for p in outcomes[1:]), outcomes
    # One combined insert failed, then each of the five went alone.
    assert committer.inserts - before == 1 + 1 + 5
    recorded = stream_ids(app)
    for tally, position in zip(others, outcomes[1:], strict=True):
        assert recorded[position] == (tally.id, 2)
    assert app.repository.get(contested.id).count == 1  # the winner's vote only
    assert [v for oid, v in recorded.values() if oid == contested.id] == [1, 2]


def poison_store(app: OpenInno, settings: Settings, poison: uuid.UUID) -> Callable[[], None]:
    """Make inserting the poison stream's events fail inside the transaction (not as a
    conflict); returns the cure."""
    table = app.recorder.events_table_name  # type: ignore[attr-defined]
    if settings.is_postgres:
        import psycopg

        schema = app.recorder.datastore.schema  # type: ignore[attr-defined]
        url = settings.database_url.split("?", 1)[0]
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                f'CREATE FUNCTION "{schema}".poison() RETURNS trigger LANGUAGE plpgsql AS $$ '
                f"BEGIN IF NEW.originator_id = '{poison}' THEN RAISE EXCEPTION 'disk on fire'; "
                "END IF; RETURN NEW; END $$"
            )
            conn.execute(
                f'CREATE TRIGGER poison BEFORE INSERT ON "{schema}"."{table}" '
                f'FOR EACH ROW EXECUTE FUNCTION "{schema}".poison()'
            )

        def cure() -> None:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'DROP TRIGGER poison ON "{schema}"."{table}"')

        return cure
    import sqlite3

    path = str(settings.sqlite_path)
    with sqlite3.connect(path) as lite:
        # A run-time error (not a constraint, which would read as a conflict).
        lite.execute(
            f"CREATE TRIGGER poison BEFORE INSERT ON {table} "
            f"WHEN NEW.originator_id = '{poison.hex}' "
            "BEGIN SELECT json('disk on fire'); END"
        )

    def cure_sqlite() -> None:
        with sqlite3.connect(path) as lite:
            lite.execute("DROP TRIGGER poison")

    return cure_sqlite


def test_a_store_failure_mid_batch_writes_nothing_for_anyone(gc_app, gc_settings, clock):
    app = gc_app
    committer = app.group_committer
    poisoned = new_tally(clock.now())
    cure = poison_store(app, gc_settings, poisoned.id)
    try:
        gate = Gate(committer, waiting=5)
        opener = threading.Thread(target=app._commit, args=(new_tally(clock.now()),))
        opener.start()
        gate.holding()
        healthy = [new_tally(clock.now(), changes=2) for _ in range(4)]
        outcomes: list[Any] = [None] * 5

        def commit(i: int, tally: SupportTally) -> None:
            try:
                outcomes[i] = app._commit(tally)
            except Exception as e:
                outcomes[i] = e

        threads = [threading.Thread(target=commit, args=(i, t)) for i, t in enumerate(healthy)]
        for t in threads:
            t.start()
        gate.wait_for(4)
        # The poisoned caller queues last, so its rows come after the others' rows.
        threads.append(threading.Thread(target=commit, args=(4, poisoned)))
        threads[-1].start()
        for t in threads:
            t.join(timeout=120)
        opener.join()
    finally:
        cure()

    assert all(isinstance(o, StoreUnavailable) for o in outcomes), outcomes
    assert committer.inserts == 2  # the opener's, and the one failed batch
    recorded = {oid for oid, _v in stream_ids(app).values()}
    for tally in [*healthy, poisoned]:
        assert tally.id not in recorded
    # The store works again, and a retried command records.
    retry = new_tally(clock.now())
    position = app._commit(retry)
    assert stream_ids(app)[position] == (retry.id, 1)


@pytest.mark.parametrize(
    "race",
    [
        test_concurrency.test_twenty_parallel_submits_with_a_limit_of_three_accept_exactly_three,
        test_concurrency.test_one_vote_per_person_under_concurrency,
        test_concurrency.test_the_threshold_is_crossed_exactly_once_under_concurrent_votes,
        test_concurrency.test_two_concurrent_registrations_of_one_email_exactly_one_wins,
    ],
    ids=["submit-limit", "one-vote", "threshold-once", "one-email"],
)
def test_the_races_hold_with_group_commit(gc_app, clock, race):
    if race is test_concurrency.test_two_concurrent_registrations_of_one_email_exactly_one_wins:
        race(gc_app)
    else:
        race(gc_app, clock)
    assert gc_app.group_committer.callers > 0


def test_the_setting(settings, clock):
    assert Settings.from_env({"OPENINNO_GROUP_COMMIT": "off"}).group_commit_enabled is False
    assert Settings.from_env({"OPENINNO_GROUP_COMMIT": "On"}).group_commit_enabled is True
    pg = {"OPENINNO_DATABASE_URL": "postgresql://localhost/x"}
    assert Settings.from_env(pg).group_commit_enabled is True
    assert Settings.from_env({}).group_commit_enabled is False  # SQLite: off unless asked
    with pytest.raises(ValueError, match="OPENINNO_GROUP_COMMIT"):
        Settings.from_env({"OPENINNO_GROUP_COMMIT": "sometimes"})
    app = OpenInno(replace(settings, group_commit="off"))
    try:
        assert app.group_committer is None
        assert isinstance(app._commit(new_tally(clock.now())), int)
    finally:
        app.close()
