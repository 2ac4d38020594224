"""The runner: batches, tracking in the same transaction, gaps, wake-up, waiting."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable

import pytest

from openinno.application import OpenInno
from openinno.settings import Settings
from projections import quarantine, tracking
from projections.db import Db, ReadStore, open_db
from projections.projection import Item, Projection
from projections.runner import Runner
from projections.service import ReadSide
from projections.writes import Writes
from tests.projections.story import run_story
from tests.support.story import Scene
from web.readside import read_side_for

COUNTER_DDL = (
    "CREATE TABLE IF NOT EXISTS t_seen (position BIGINT PRIMARY KEY, topic TEXT NOT NULL)",
)


def _record(db: Writes, item: Item) -> None:
    db.execute("INSERT INTO t_seen (position, topic) VALUES (?, ?)", (item.position, item.topic))


def seen_projection(
    name: str = "seen", fail_at: int | None = None, error: type[Exception] = RuntimeError
) -> Projection:
    def apply(db: Writes, item: Item) -> None:
        if fail_at is not None and item.position == fail_at:
            raise error("boom")
        _record(db, item)

    return Projection(name=name, tables=("t_seen",), ddl=COUNTER_DDL, handlers={}, fallback=apply)


def make_runner(app: OpenInno, store: ReadStore, projection: Projection, size: int = 3) -> Runner:
    return Runner(
        projection, open_db(store), app.recorder, app.mapper.to_domain_event, batch_size=size
    )


def test_applies_every_event_once_in_batches(app: OpenInno, cast: Scene, read_store: ReadStore):
    head = app.recorder.max_notification_id()
    runner = make_runner(app, read_store, seen_projection())
    assert runner.run_batch() == 3
    assert runner.position == 3
    runner.catch_up()
    assert runner.position == head
    rows = runner.db.rows("SELECT position FROM t_seen ORDER BY position")
    assert [r["position"] for r in rows] == list(range(1, head + 1))
    assert runner.run_batch() == 0
    runner.db.close()


def test_a_failing_batch_leaves_rows_and_position_untouched(
    app: OpenInno, cast: Scene, read_store: ReadStore
):
    """A failure that is not the event's (the database's: see test_quarantine for
    an event's own) rolls the whole batch back."""
    runner = make_runner(
        app, read_store, seen_projection(fail_at=5, error=sqlite3.OperationalError)
    )
    runner.run_batch()
    with pytest.raises(sqlite3.OperationalError):
        runner.run_batch()
    assert tracking.position(runner.db, "seen") == 3
    assert runner.db.rows("SELECT COUNT(*) AS n FROM t_seen")[0]["n"] == 3
    runner.db.close()
    resumed = make_runner(app, read_store, seen_projection())
    resumed.catch_up()
    count = resumed.db.rows("SELECT COUNT(*) AS n FROM t_seen")[0]["n"]
    assert count == app.recorder.max_notification_id()
    resumed.db.close()


def test_two_runners_never_apply_a_batch_twice(app: OpenInno, cast: Scene, read_store: ReadStore):
    first = make_runner(app, read_store, seen_projection())
    second = make_runner(app, read_store, seen_projection())
    first.run_batch()
    with pytest.raises(tracking.TrackingConflict):
        second.run_batch()
    assert second.position == 3  # reloaded; next batch continues after the first's
    second.catch_up()
    rows = second.db.rows("SELECT COUNT(*) AS n FROM t_seen")[0]["n"]
    assert rows == app.recorder.max_notification_id()
    first.db.close()
    second.db.close()


def test_follows_new_events_and_waits_for_a_position(
    app: OpenInno, cast: Scene, read_side: ReadSide
):
    read_side.start()
    recorded = app.register_account("late@example.org", "correct horse battery", "Late")
    assert read_side.wait_until(recorded.position, timeout=10)
    runner = read_side.runners["participants"]
    rows = runner.db.rows(
        "SELECT display_name FROM pt_people WHERE account_id = ?", (str(recorded.id),)
    )
    assert rows == [{"display_name": "Late"}]


def test_wait_until_from_another_process_view(app: OpenInno, cast: Scene, read_side: ReadSide):
    position = app.recorder.max_notification_id() or 0
    assert not read_side.wait_until(position, timeout=0.05)
    done = threading.Event()

    def catch_up() -> None:
        read_side.catch_up()
        done.set()

    thread = threading.Thread(target=catch_up)
    thread.start()
    assert read_side.wait_until(position, timeout=10)
    thread.join()


@pytest.mark.postgres
@pytest.mark.parametrize("settings", ["postgres"], indirect=True)  # PostgreSQL only, no skip
def test_a_runner_whose_connection_the_server_ended_starts_again(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    """The server ends a runner's session (as a restart or a crash would): the
    runner reconnects, reads its position from the database and goes on."""
    read_side.start()
    first = cast.account("before")
    assert read_side.wait_until(app.recorder.max_notification_id() or 0, timeout=30)
    old = read_side.runners["participants"]
    pid = old.db.conn.info.backend_pid  # type: ignore[attr-defined]
    db.execute("SELECT pg_terminate_backend(?)", (pid,))
    second = cast.account("after")
    head = app.recorder.max_notification_id() or 0
    assert wait_for(lambda: read_side.runners["participants"] is not old, timeout=30)
    assert read_side.wait_until(head, timeout=30, names=["participants"])
    people = {r["account_id"] for r in db.rows("SELECT account_id FROM pt_people")}
    assert {str(first), str(second)} <= people
    assert tracking.positions(db)["participants"] == head


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_projections_near_the_head_follow_together_and_one_far_behind_alone(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    """One thread and one transaction per batch for the projections near the head; a
    projection far behind (here: set back to zero, as after a change of its tables)
    gets a runner of its own, and every one reaches the head."""
    run_story(cast, award=False)
    read_side.catch_up()
    head = app.recorder.max_notification_id() or 0
    tracking.reset(db, "admin")
    db.execute("DELETE FROM ad_event_counts")
    read_side.follow_together_lag = 3
    assert [[p.name for p in g] for g in read_side.follow_groups()] == [
        [
            "participants",
            "reviewers",
            "legal",
            "accounts",
            "decisions",
            "notifications",
            "votes",
            "webhooks",
            "moderation",
            "sifting",
        ],
        ["admin"],
    ]
    read_side.start()
    near = (
        "participants",
        "reviewers",
        "legal",
        "accounts",
        "decisions",
        "notifications",
        "votes",
        "webhooks",
        "moderation",
        "sifting",
    )
    together = {id(read_side.runners[n]) for n in near}
    assert len(together) == 1 and id(read_side.runners["admin"]) not in together
    later = cast.account("later")
    assert read_side.wait_until(app.recorder.max_notification_id() or 0, timeout=30)
    assert tracking.positions(db)["admin"] > head
    people = {r["account_id"] for r in db.rows("SELECT account_id FROM pt_people")}
    assert str(later) in people
    counts = db.rows("SELECT SUM(count) AS n FROM ad_event_counts")[0]["n"]
    assert counts == len(app.recorder.select_notifications(0, 10**6, inclusive_of_start=False))


def test_a_group_that_fails_goes_on_as_one_runner_each(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore, db: Db
):
    """A projection of a group whose database fails (not an event: that one would be
    set aside, see test_quarantine) holds back only that one: the group starts again
    as one runner per projection, and the others reach the head."""
    head = app.recorder.max_notification_id() or 0

    def broken_apply(w: Writes, item: Item) -> None:
        if item.position == 3:
            raise sqlite3.OperationalError("cannot apply this one")
        w.execute("INSERT INTO t_broken (position) VALUES (?)", (item.position,))

    broken = Projection(
        name="broken",
        tables=("t_broken",),
        ddl=("CREATE TABLE IF NOT EXISTS t_broken (position BIGINT PRIMARY KEY)",),
        handlers={},
        fallback=broken_apply,
    )
    side = read_side_for(settings, app, [seen_projection(), broken], store=read_store)
    side.setup()
    assert [[p.name for p in g] for g in side.follow_groups()] == [["seen", "broken"]]
    side.start()
    try:
        assert side.wait_until(head, timeout=30, names=["seen"])
        assert side.runners["seen"] is not side.runners["broken"]
        positions = tracking.positions(db)
        assert positions["seen"] == head and positions["broken"] < 3
        seen = db.rows("SELECT position FROM t_seen ORDER BY position")
        assert [r["position"] for r in seen] == list(range(1, head + 1))
    finally:
        side.stop()


def test_a_batch_failing_inside_the_database_leaves_nothing_behind(
    app: OpenInno, cast: Scene, read_store: ReadStore
):
    """A small page is written in a quick batch (on PostgreSQL its statements are
    sent together, and an error comes back only at the end): a statement the
    database refuses leaves nothing of the batch behind, and the connection goes
    on, applying the page again in parts and setting aside the events refused."""

    def clashing(db: Writes, item: Item) -> None:
        db.execute("INSERT INTO t_seen (position, topic) VALUES (?, ?)", (0, item.topic))

    projection = Projection(
        name="clash", tables=("t_seen",), ddl=COUNTER_DDL, handlers={}, fallback=clashing
    )
    runner = make_runner(app, read_store, projection)
    assert runner.run_batch() == 3
    assert tracking.position(runner.db, "clash") == 3
    # the first event's row alone: the failed batch wrote none of its three
    assert runner.db.rows("SELECT position, topic FROM t_seen")[0]["position"] == 0
    assert runner.db.rows("SELECT COUNT(*) AS n FROM t_seen")[0]["n"] == 1
    refused = quarantine.entries(runner.db)
    assert [e.position for e in refused] == [2, 3]
    assert all(re.search(r"(?i)unique|duplicate", e.error) for e in refused)
    runner.db.close()
