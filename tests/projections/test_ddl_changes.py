"""A read model whose tables change with a new version of the code starts again from
zero by itself (its rows replayed into the new tables); the others keep their place."""

from __future__ import annotations

from dataclasses import replace

from openinno.application import OpenInno
from openinno.settings import Settings
from projections import tracking
from projections.admin import PROJECTION as ADMIN
from projections.db import ReadStore, open_db
from projections.participants import PROJECTION as PARTICIPANTS
from projections.projection import Projection
from tests.projections.story import run_story
from tests.support.story import Scene
from web.readside import read_side_for

EXTRA_INDEX = "CREATE INDEX IF NOT EXISTS ad_event_counts_count ON ad_event_counts (count)"


def caught_up(settings: Settings, app: OpenInno, store: ReadStore, *projections: Projection):
    side = read_side_for(settings, app, projections, store=store)
    side.setup()
    side.catch_up()


def admin_state(store: ReadStore) -> tuple[dict[str, int], int]:
    db = open_db(store)
    try:
        rows = db.rows("SELECT COUNT(*) AS n FROM ad_event_counts")
        return tracking.positions(db), int(rows[0]["n"])
    finally:
        db.close()


def test_same_tables_keep_their_position(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore
):
    run_story(cast, award=False)
    caught_up(settings, app, read_store, ADMIN, PARTICIPANTS)
    before = admin_state(read_store)
    side = read_side_for(settings, app, [ADMIN, PARTICIPANTS], store=read_store)
    side.setup()
    assert admin_state(read_store) == before
    assert before[0]["admin"] == app.recorder.max_notification_id()


def test_changed_tables_start_that_read_model_again_from_zero(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore
):
    run_story(cast, award=False)
    head = app.recorder.max_notification_id()
    caught_up(settings, app, read_store, ADMIN, PARTICIPANTS)
    _, counted = admin_state(read_store)
    assert counted > 0

    changed = replace(ADMIN, ddl=(*ADMIN.ddl, EXTRA_INDEX))
    assert changed.ddl_sha256(read_store_dialect(read_store)) != ADMIN.ddl_sha256(
        read_store_dialect(read_store)
    )
    side = read_side_for(settings, app, [changed, PARTICIPANTS], store=read_store)
    side.setup()
    positions, rows = admin_state(read_store)
    assert (positions["admin"], rows) == (0, 0)
    assert positions["participants"] == head  # untouched

    side.catch_up()
    positions, rows = admin_state(read_store)
    assert (positions["admin"], rows) == (head, counted)


def test_tables_from_before_the_ddl_was_recorded_are_rebuilt(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore
):
    """An installation from before this version: its tracking table has no
    ``ddl_sha256`` column, so nothing says what its tables are made of."""
    run_story(cast, award=False)
    db = open_db(read_store)
    try:
        db.execute("CREATE TABLE projection_tracking (name TEXT PRIMARY KEY, position BIGINT)")
        db.execute("INSERT INTO projection_tracking VALUES ('admin', 3)")
        for statement in ADMIN.ddl:
            db.execute(statement)
        db.execute("INSERT INTO ad_event_counts VALUES ('Stale.Row', 1, 3)")
    finally:
        db.close()
    side = read_side_for(settings, app, [ADMIN], store=read_store)
    side.setup()
    positions, rows = admin_state(read_store)
    assert (positions["admin"], rows) == (0, 0)
    side.catch_up()
    db = open_db(read_store)
    try:
        types = {r["event_type"] for r in db.rows("SELECT event_type FROM ad_event_counts")}
    finally:
        db.close()
    assert "Stale.Row" not in types and "Account.Registered" in types


def read_store_dialect(store: ReadStore) -> str:
    return "postgres" if store.is_postgres else "sqlite"
