"""A poison event never stops a read model: it is set aside, visibly, and the read
model goes on (docs/decisions/0014-poison-events-are-quarantined.md)."""

from __future__ import annotations

import sqlite3

import pytest

from openinno.application import OpenInno
from projections import quarantine, tracking
from projections.db import Db, ReadStore, open_db
from projections.projection import Item, Projection
from projections.runner import MultiRunner
from projections.service import ReadSide
from projections.writes import Writes
from tests.projections.test_runner import COUNTER_DDL, make_runner, seen_projection
from tests.support.poison import insert_undecodable_event, record_unbounded_draft
from tests.support.story import Scene


def _count(db: Db, table: str = "t_seen") -> int:
    return int(db.rows(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"])


def test_an_event_a_handler_cannot_apply_is_set_aside_and_the_rest_applied(
    app: OpenInno, cast: Scene, read_store: ReadStore
):
    head = app.recorder.max_notification_id()
    runner = make_runner(app, read_store, seen_projection(fail_at=5), size=4)
    while runner.run_batch():
        pass
    assert runner.position == head
    assert _count(runner.db) == head - 1
    (entry,) = quarantine.entries(runner.db)
    assert (entry.name, entry.position, entry.failures) == ("seen", 5, 1)
    assert "RuntimeError: boom" in entry.error
    assert entry.is_open
    runner.db.close()


def test_catching_up_sets_the_event_aside_and_goes_on_at_full_speed(
    app: OpenInno, cast: Scene, read_store: ReadStore
):
    head = app.recorder.max_notification_id()
    runner = make_runner(app, read_store, seen_projection(fail_at=7), size=4)
    runner.catch_up()
    assert tracking.position(runner.db, "seen") == head
    assert _count(runner.db) == head - 1
    assert [e.position for e in quarantine.entries(runner.db)] == [7]
    runner.db.close()


def test_only_the_projection_that_fails_sets_the_event_aside(
    app: OpenInno, cast: Scene, read_store: ReadStore
):
    """Two projections in one pass (one transaction per page for both): the healthy
    one applies every event, the failing one every event but its poison."""
    head = app.recorder.max_notification_id()
    failing = seen_projection(name="failing", fail_at=3)
    healthy = Projection(
        name="healthy",
        tables=("t_other",),
        ddl=("CREATE TABLE IF NOT EXISTS t_other (position BIGINT PRIMARY KEY)",),
        handlers={},
        fallback=lambda db, item: db.execute(
            "INSERT INTO t_other (position) VALUES (?)", (item.position,)
        ),
    )
    db = open_db(read_store)
    multi = MultiRunner(
        (failing, healthy), db, app.recorder, app.mapper.to_domain_event, batch_size=5
    )
    while multi.run_batch():
        pass
    assert multi.positions == {"failing": head, "healthy": head}
    assert _count(db, "t_other") == head
    assert _count(db, "t_seen") == head - 1
    assert [(e.name, e.position) for e in quarantine.entries(db)] == [("failing", 3)]
    db.close()


def test_a_failure_of_the_database_is_not_the_events_fault(
    app: OpenInno, cast: Scene, read_store: ReadStore
):
    """A locked or missing table fails every event: nothing is set aside, the batch
    is not applied, and the runner tries again later."""

    def locked(db: Writes, item: Item) -> None:
        raise sqlite3.OperationalError("database is locked")

    projection = Projection(
        name="seen", tables=("t_seen",), ddl=COUNTER_DDL, handlers={}, fallback=locked
    )
    runner = make_runner(app, read_store, projection)
    with pytest.raises(sqlite3.OperationalError):
        runner.run_batch()
    assert tracking.position(runner.db, "seen") == 0
    assert quarantine.entries(runner.db) == []
    runner.db.close()


def test_a_row_the_database_refuses_is_set_aside(app: OpenInno, cast: Scene, read_store: ReadStore):
    """The failure comes at commit, from the database (a NUL byte PostgreSQL's text
    refuses, a duplicate key SQLite refuses): the page is bisected down to it."""

    def refused(db: Writes, item: Item) -> None:
        if item.position == 6:  # the same key twice: refused at commit
            db.execute("INSERT INTO t_seen (position, topic) VALUES (?, ?)", (1, "dup"))
        else:
            db.execute(
                "INSERT INTO t_seen (position, topic) VALUES (?, ?)", (item.position, item.topic)
            )

    projection = Projection(
        name="seen", tables=("t_seen",), ddl=COUNTER_DDL, handlers={}, fallback=refused
    )
    head = app.recorder.max_notification_id()
    runner = make_runner(app, read_store, projection, size=8)
    runner.catch_up()
    assert runner.position == head
    assert _count(runner.db) == head - 1
    (entry,) = quarantine.entries(runner.db)
    assert entry.position == 6
    runner.db.close()


def test_replaying_from_zero_closes_entries_and_opens_those_still_failing(
    app: OpenInno, cast: Scene, read_store: ReadStore
):
    db = open_db(read_store)
    MultiRunner(
        (seen_projection(fail_at=4),), db, app.recorder, app.mapper.to_domain_event
    ).catch_up()
    fixed = MultiRunner((seen_projection(),), db, app.recorder, app.mapper.to_domain_event)
    fixed.rebuild()
    assert quarantine.entries(db) == []
    (closed,) = quarantine.entries(db, open_only=False)
    assert closed.resolution == "rebuilt"
    MultiRunner(
        (seen_projection(fail_at=4),), db, app.recorder, app.mapper.to_domain_event
    ).rebuild()
    (reopened,) = quarantine.entries(db)
    assert (reopened.position, reopened.failures) == (4, 2)
    db.close()


def test_a_poison_event_in_a_real_store_does_not_stop_the_read_models(
    app: OpenInno, cast: Scene, read_side: ReadSide
):
    poison = insert_undecodable_event(app)
    later = app.register_account("later@example.org", "correct horse battery", "Later")
    read_side.start()
    assert read_side.wait_until(later.position, timeout=20)
    db = read_side.runners["participants"].db
    names = db.rows("SELECT display_name FROM pt_people WHERE account_id = ?", (str(later.id),))
    assert names == [{"display_name": "Later"}]
    entries = quarantine.entries(db, name="participants")
    assert [e.position for e in entries] == [poison]
    assert entries[0].topic.endswith("Account.Registered")


def test_a_prize_recorded_before_the_bounds_applies_everywhere(
    app: OpenInno, cast: Scene, read_side: ReadSide
):
    """Finding 1 of issue 19 at its root: the participants read model added such
    prizes as Decimals and raised ``decimal.Overflow`` on them for ever."""
    draft = record_unbounded_draft(app, cast)
    read_side.catch_up()
    db = open_db(read_side.store)
    try:
        assert quarantine.entries(db) == []
        rows = db.rows(
            "SELECT prize_total FROM pt_challenges WHERE challenge_id = ?", (str(draft.id),)
        )
        assert rows and rows[0]["prize_total"] == float("inf")
    finally:
        db.close()
