"""Primary keys of insert-only tables built after a rebuild's replay (decision 0010):
absent while a rebuild from zero replays the log (PostgreSQL), present and enforced
after it, after a resumed (killed) rebuild and after any start; the tables' schema is
then the one their DDL creates; and no handler writes to such a table other than by
inserting."""

from __future__ import annotations

import re
from typing import Any

import pytest

from openinno.application import OpenInno
from openinno.settings import Settings
from projections.db import Db, ReadStore, open_db
from projections.projection import Projection, _without_primary_key, primary_keys
from projections.registry import ALL
from projections.runner import create_tables
from projections.writes import Writes
from tests.projections.conftest import drop_read_schema
from tests.projections.story import run_story
from tests.projections.tables import dump
from tests.projections.test_kill_and_rebuild import other_store
from tests.support.story import Scene
from web.readside import read_side_for

INSERT_ONLY = {t: p for p in ALL for t in p.insert_only}


def keyed(db: Db) -> set[str]:
    """The read-model tables that have a primary key."""
    if db.dialect == "sqlite":
        tables = [r["name"] for r in db.rows("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t for t in tables if any(c["pk"] for c in db.rows(f"PRAGMA table_info({t})"))}
    rows = db.rows(
        "SELECT c.conrelid::regclass::text AS name FROM pg_constraint c"
        " JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
        " WHERE c.contype = 'p' AND n.nspname = current_schema()"
    )
    return {str(r["name"]) for r in rows}


def schema(db: Db) -> set[tuple[Any, ...]]:
    """Columns (with NOT NULL), constraints and indexes of the read-model tables."""
    if db.dialect == "sqlite":
        return {tuple(r.values()) for r in db.rows("SELECT type, name, sql FROM sqlite_master")}
    columns = db.rows(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
        " WHERE table_schema = current_schema()"
    )
    constraints = db.rows(
        "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c"
        " JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
        " WHERE n.nspname = current_schema()"
    )
    indexes = db.rows(
        "SELECT tablename, indexname, replace(indexdef, current_schema() || '.', '') AS def"
        " FROM pg_indexes WHERE schemaname = current_schema()"
    )
    return {tuple(r.values()) for r in [*columns, *constraints, *indexes]}


def test_the_insert_only_tables_are_named():
    # The mechanism is used where it pays (decision 0010's measurements).
    assert {"pt_authors", "pt_receipts", "lg_events", "lg_chain"} <= set(INSERT_ONLY)


def test_without_primary_key_takes_out_a_column_key_or_a_table_key():
    column = "CREATE TABLE IF NOT EXISTS t ( a TEXT PRIMARY KEY, b TEXT NOT NULL)"
    table = (
        "CREATE TABLE IF NOT EXISTS u ( a TEXT NOT NULL, b BIGINT NOT NULL,"
        " PRIMARY KEY (a, b), UNIQUE (b))"
    )
    assert (
        _without_primary_key(column)
        == "CREATE TABLE IF NOT EXISTS t ( a TEXT NOT NULL, b TEXT NOT NULL)"
    )
    assert _without_primary_key(table) == (
        "CREATE TABLE IF NOT EXISTS u ( a TEXT NOT NULL, b BIGINT NOT NULL, UNIQUE (b))"
    )
    for projection in ALL:
        for statement in projection.ddl:
            stripped = _without_primary_key(statement)
            assert "PRIMARY KEY" not in stripped
            assert primary_keys((stripped,)) == {}


def test_insert_only_must_name_tables_of_the_projection():
    with pytest.raises(ValueError, match="insert_only"):
        Projection(
            name="x",
            tables=("x_rows",),
            ddl=("CREATE TABLE IF NOT EXISTS x_rows ( id TEXT PRIMARY KEY)",),
            handlers={},
            insert_only=("x_other",),
        )


def test_keys_are_left_out_only_while_a_rebuild_replays_and_any_start_adds_them(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore
):
    run_story(cast, award=False)
    side = read_side_for(settings, app, store=read_store)
    runner = side.multi_runner()
    db = runner.db
    try:
        every = {t for p in ALL for t in p.tables}
        runner.drop(indexes=False)  # as a rebuild creates them, and a killed one leaves them
        if db.dialect == "postgres":
            assert keyed(db) & every == every - set(INSERT_ONLY)
        else:  # SQLite cannot add a key later: made with the table
            assert keyed(db) & every == every
        side.setup()  # any runner's start
        assert keyed(db) & every == every
        assert runner.rebuild() == app.recorder.max_notification_id()
        assert keyed(db) & every == every
    finally:
        db.close()


def test_a_rebuilt_schema_is_the_one_the_ddl_creates_and_its_keys_hold(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore, tmp_path
):
    story = run_story(cast, award=False)
    side = read_side_for(settings, app, store=read_store)
    runner = side.multi_runner()
    fresh_store = other_store(read_store, tmp_path)
    fresh = open_db(fresh_store)
    try:
        runner.rebuild()
        create_tables(fresh, ALL)  # what any start creates
        assert schema(runner.db) == schema(fresh)
        with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
            runner.db.execute(
                "INSERT INTO pt_authors (submission_id, account_id)"
                " SELECT submission_id, account_id FROM pt_authors LIMIT 1"
            )
        # The chain of title's page reads a submission's steps by its key's index
        # (the tables are small here: the planner is told to prefer an index).
        query = "SELECT step FROM lg_chain WHERE submission_id = ?"
        if runner.db.dialect == "postgres":
            runner.db.execute("SET enable_seqscan = off")
            plan = runner.db.rows(f"EXPLAIN {query}", (str(story.winner),))
            assert "lg_chain_pkey" in " ".join(str(r["QUERY PLAN"]) for r in plan)
        else:
            plan = runner.db.rows(f"EXPLAIN QUERY PLAN {query}", (str(story.winner),))
            assert "USING INDEX" in " ".join(str(r["detail"]) for r in plan)
    finally:
        fresh.close()
        drop_read_schema(fresh_store)
        runner.db.close()


def test_a_rebuild_resumed_after_a_kill_gets_its_keys_and_the_rows_of_a_clean_one(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore, tmp_path
):
    run_story(cast, award=False)
    head = app.recorder.max_notification_id() or 0
    side = read_side_for(settings, app, store=read_store, batch_size=7)
    killed = side.multi_runner()
    try:
        # What a rebuild killed halfway leaves: keyless tables, committed pages.
        killed.drop(indexes=False)
        page = app.recorder.select_notifications(0, head // 2, inclusive_of_start=False)
        killed.apply(page, page[-1].id)
    finally:
        killed.db.close()
    side.setup()
    side.catch_up()
    db = open_db(read_store)
    clean_store = other_store(read_store, tmp_path)
    clean = read_side_for(settings, app, store=clean_store).multi_runner()
    try:
        clean.rebuild()
        every = {t for p in ALL for t in p.tables}
        assert keyed(db) & every == every
        assert dump(db) == dump(clean.db)
    finally:
        db.close()
        clean.db.close()
        drop_read_schema(clean_store)


_CHANGES = ("upsert", "update", "add")


def test_no_handler_changes_an_insert_only_table_but_by_inserting(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore, monkeypatch
):
    """A row of an insert-only table that were upserted, updated or looked up by key
    during a rebuild would have no key yet (the statement fails, or scans the table)."""
    run_story(cast)
    seen: list[tuple[str, str]] = []

    def recording(kind: str) -> Any:
        original = getattr(Writes, kind)

        def record(self: Writes, table: str, *args: Any, **kwargs: Any) -> Any:
            seen.append((kind, table))
            return original(self, table, *args, **kwargs)

        return record

    def statements(kind: str) -> Any:
        original = getattr(Writes, kind)

        def record(self: Writes, sql: str, *args: Any, **kwargs: Any) -> Any:
            seen.append((kind, sql + " " + str(kwargs.get("many") or "")))
            return original(self, sql, *args, **kwargs)

        return record

    for kind in _CHANGES:
        monkeypatch.setattr(Writes, kind, recording(kind))
    for kind in ("execute", "merge"):
        monkeypatch.setattr(Writes, kind, statements(kind))
    side = read_side_for(settings, app, store=read_store)
    runner = side.multi_runner()
    try:
        runner.rebuild()
    finally:
        runner.db.close()
    assert any(kind in _CHANGES for kind, _ in seen)  # the recording works
    for kind, what in seen:
        if kind in _CHANGES:
            assert what not in INSERT_ONLY, (kind, what)
            continue
        for table in INSERT_ONLY:
            named = re.search(rf"\b{table}\b", what)
            if named is None:
                continue
            assert re.search(rf"INSERT INTO {table}\b", what), what
            assert "ON CONFLICT" not in what.upper(), what
            assert not re.search(rf"(UPDATE|DELETE FROM) {table}\b", what, re.I), what
