"""The sponsor's counters during a rebuild (decision 0012): on PostgreSQL a rebuild
replays the log without the triggers that keep them, then creates the triggers and
counts the rows once; any start that finds a trigger missing (a rebuild killed
halfway) does the same, and from then on the triggers keep them.  Whatever the path,
the counters are the rows' counts and equal those that following the log keeps."""

from __future__ import annotations

from typing import Any

from openinno.application import OpenInno
from openinno.settings import Settings
from projections.db import Db, ReadStore, open_db
from projections.registry import by_name
from projections.service import ReadSide
from tests.projections.conftest import drop_read_schema
from tests.projections.test_dashboard_counters import assert_counters_match, varied_history
from tests.projections.test_kill_and_rebuild import other_store
from tests.support.story import Scene
from web.readside import read_side_for

COUNTED_TABLES = ("pt_submissions", "rv_reviews", "rv_entries")
COUNTERS = ("pt_challenge_counts", "rv_progress", "rv_counts")


def counting_triggers(db: Db) -> set[str]:
    """The counters' triggers on the counted tables (PostgreSQL's, or SQLite's)."""
    if db.dialect == "sqlite":
        rows = db.rows("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {str(r["name"]) for r in rows if "_counted_" in str(r["name"])}
    relations = ", ".join(f"'{t}'::regclass" for t in COUNTED_TABLES)
    rows = db.rows(f"SELECT tgname FROM pg_trigger WHERE tgrelid IN ({relations})")
    return {str(r["tgname"]) for r in rows if "_counted_" in str(r["tgname"])}


def counters(db: Db) -> dict[str, list[tuple[Any, ...]]]:
    return {t: sorted(tuple(r.values()) for r in db.rows(f"SELECT * FROM {t}")) for t in COUNTERS}


def test_only_the_counting_projections_recount():
    assert set(by_name("participants").recount) == {"postgres"}
    assert set(by_name("reviewers").recount) == {"postgres"}


def test_a_rebuild_replays_without_the_counters_triggers_and_ends_with_them(
    app: OpenInno,
    cast: Scene,
    read_side: ReadSide,
    db: Db,
    settings: Settings,
    read_store: ReadStore,
):
    challenges = varied_history(app, cast, read_side, db)
    every = counting_triggers(db)
    assert len(every) >= 9  # three per counted table on PostgreSQL; SQLite has its own
    followed = counters(db)
    store = other_store(read_store, settings.data_dir)
    side = read_side_for(settings, app, store=store, batch_size=7)
    runner = side.multi_runner()
    try:
        runner.drop(indexes=False)  # what a rebuild replays into
        if runner.db.dialect == "postgres":
            assert counting_triggers(runner.db) == set()
        else:  # row triggers in process: unchanged
            assert counting_triggers(runner.db) == every
        runner.rebuild()
        assert counting_triggers(runner.db) == every
        assert_counters_match(runner.db, *challenges)
        assert counters(runner.db) == followed
    finally:
        runner.db.close()
        drop_read_schema(store)


def test_a_rebuild_killed_halfway_resumes_with_the_rows_counts(
    app: OpenInno,
    cast: Scene,
    read_side: ReadSide,
    db: Db,
    settings: Settings,
    read_store: ReadStore,
):
    challenges = varied_history(app, cast, read_side, db)
    followed = counters(db)
    head = app.recorder.max_notification_id() or 0
    store = other_store(read_store, settings.data_dir)
    side = read_side_for(settings, app, store=store, batch_size=7)
    killed = side.multi_runner()
    try:
        # What a rebuild killed halfway leaves: no triggers, committed pages, and the
        # counters not counted.
        killed.drop(indexes=False)
        page = app.recorder.select_notifications(0, head // 2, inclusive_of_start=False)
        killed.apply(page, page[-1].id)
        if killed.db.dialect == "postgres":
            assert counting_triggers(killed.db) == set()
            assert all(rows == [] for rows in counters(killed.db).values())
    finally:
        killed.db.close()
    side.setup()  # any runner's start: the triggers, and the rows counted under a lock
    resumed = open_db(store)
    try:
        assert counting_triggers(resumed) == counting_triggers(db)
        submitted = resumed.rows("SELECT COUNT(*) AS n FROM pt_submissions")[0]["n"]
        assert int(submitted) > 0  # the first half had counted rows
        kept = resumed.rows("SELECT SUM(submissions) AS n FROM pt_challenge_counts")[0]["n"]
        assert int(kept or 0) == int(submitted)
        side.catch_up()  # the rest, kept by the triggers
        assert_counters_match(resumed, *challenges)
        assert counters(resumed) == followed
    finally:
        resumed.close()
        side.stop()
        drop_read_schema(store)
