"""Batched writes give the same rows as the same changes applied one by one, and a
rebuild that reads only a projection's topics still covers the whole log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eventsourcing.utils import get_topic

from openinno.application import OpenInno
from openinno.domain import Account
from projections import tracking
from projections.db import Db, ReadStore, open_db
from projections.projection import Item, Projection, primary_keys
from projections.runner import Runner
from projections.writes import Writes
from tests.support.story import Scene

DDL = (
    "CREATE TABLE IF NOT EXISTS w_rows ("
    " id TEXT PRIMARY KEY, name TEXT, n INTEGER NOT NULL DEFAULT 0, flag INTEGER)",
    "CREATE TABLE IF NOT EXISTS w_pairs ("
    " a TEXT NOT NULL, b TEXT NOT NULL, v INTEGER NOT NULL, PRIMARY KEY (a, b))",
)
KEYS = primary_keys(DDL)


@pytest.fixture
def wdb(read_store: ReadStore) -> Iterator[Db]:
    db = open_db(read_store)
    for statement in DDL:
        db.execute(statement)
    yield db
    db.execute("DROP TABLE IF EXISTS w_rows")
    db.execute("DROP TABLE IF EXISTS w_pairs")
    db.close()


def table(db: Db, name: str) -> list[tuple]:
    return sorted(tuple(r.values()) for r in db.rows(f"SELECT * FROM {name}"))


def flushed(db: Db, build) -> None:
    w = Writes(db, KEYS)
    build(w)
    with db.batch():
        w.flush()


def test_primary_keys_are_read_from_the_ddl():
    assert KEYS == {"w_rows": ("id",), "w_pairs": ("a", "b")}


def test_changes_to_pending_rows_merge_in_memory(wdb: Db):
    def build(w: Writes) -> None:
        w.insert("w_rows", {"id": "a", "name": "first"})
        w.update("w_rows", {"id": "a"}, {"name": "second", "flag": 1})
        w.add("w_rows", {"id": "a"}, "n", 2)  # n not in the row: DEFAULT 0, then + 2
        w.add("w_rows", {"id": "a"}, "n", 3)
        w.insert("w_rows", {"id": "b", "name": "b", "n": 10})
        w.add("w_rows", {"id": "b"}, "n", 1)
        w.update("w_rows", {"id": "b"}, {"n": 0})  # set after add: the set wins
        w.add("w_rows", {"id": "b"}, "n", 4)
        w.upsert("w_pairs", {"a": "x", "b": "y", "v": 1})
        w.upsert("w_pairs", {"a": "x", "b": "y", "v": 2})

    flushed(wdb, build)
    assert table(wdb, "w_rows") == [("a", "second", 5, 1), ("b", "b", 4, None)]
    assert table(wdb, "w_pairs") == [("x", "y", 2)]


def test_changes_to_existing_rows_equal_statements_in_order(wdb: Db):
    wdb.execute("INSERT INTO w_rows (id, name, n) VALUES ('a', 'old', 7)")
    wdb.execute("INSERT INTO w_pairs (a, b, v) VALUES ('x', 'y', 1)")

    def build(w: Writes) -> None:
        w.add("w_rows", {"id": "a"}, "n", 1)
        w.update("w_rows", {"id": "a"}, {"name": "new"})
        w.add("w_rows", {"id": "a"}, "n", 1)
        w.update("w_rows", {"id": "missing"}, {"name": "nobody"})  # changes nothing
        w.update("w_pairs", {"a": "x", "b": "y"}, {"v": 5})
        w.upsert("w_pairs", {"a": "x", "b": "y", "v": 6})  # over a pending update
        w.add("w_pairs", {"a": "x", "b": "y"}, "v", 1)

    flushed(wdb, build)
    assert table(wdb, "w_rows") == [("a", "new", 9, None)]
    assert table(wdb, "w_pairs") == [("x", "y", 7)]


def test_statements_run_after_the_rows_and_merge_by_key(wdb: Db):
    def build(w: Writes) -> None:
        w.execute("UPDATE w_rows SET flag = 1 WHERE id = ?", ("a",))
        w.insert("w_rows", {"id": "a", "name": "a"})
        for v in (1, 2, 3):
            w.merge("UPDATE w_rows SET n = ? WHERE id = ?", "a", (v, "a"), None)
        for v in (1, 2):
            w.merge(
                "UPDATE w_rows SET n = n + ? WHERE id = ?",
                "b",
                (v, "a"),
                lambda old, new: (old[0] + new[0], old[1]),
            )

    flushed(wdb, build)
    assert table(wdb, "w_rows") == [("a", "a", 6, 1)]


def test_a_duplicate_insert_fails_in_the_database_and_writes_nothing(wdb: Db):
    w = Writes(wdb, KEYS)
    w.insert("w_rows", {"id": "a", "name": "a"})
    w.insert("w_rows", {"id": "a", "name": "again"})
    with pytest.raises(Exception), wdb.batch():  # noqa: B017 - each driver has its own class
        w.flush()
    assert table(wdb, "w_rows") == []


def _registered(db: Writes, item: Item) -> None:
    db.insert("w_rows", {"id": str(item.originator_id), "name": item.event.display_name})


def registered_projection() -> Projection:
    return Projection(
        name="registered",
        tables=("w_rows", "w_pairs"),
        ddl=DDL,
        handlers={Account.Registered: _registered},
    )


def test_catch_up_reads_only_its_topics_and_ends_at_the_head(
    app: OpenInno, cast: Scene, read_store: ReadStore, wdb: Db
):
    for i in range(7):
        cast.account(f"extra{i}")
    app.register_account("last@example.org", "correct horse battery", "Last")
    head = app.recorder.max_notification_id() or 0
    projection = registered_projection()
    assert projection.topics == (get_topic(Account.Registered),)
    runner = Runner(
        projection, open_db(read_store), app.recorder, app.mapper.to_domain_event, batch_size=2
    )
    try:
        assert runner.catch_up() == head
        assert runner.position == head
        assert tracking.position(runner.db, "registered") == head
        names = [r[1] for r in table(runner.db, "w_rows")]
        log = app.recorder.select_notifications(0, 10_000, inclusive_of_start=False)
        registered = [n for n in log if n.topic == get_topic(Account.Registered)]
        assert len(names) == len(registered)
        assert "Last" in names
        assert runner.catch_up() == 0
    finally:
        runner.db.close()


def test_many_upserts_and_updates_equal_one_statement_per_row(wdb: Db):
    """Enough rows that PostgreSQL writes each group as one statement over arrays:
    the same rows as one statement per row, with values a handler may give (True
    for an integer column, None)."""
    ids = [f"r{i:02d}" for i in range(40)]
    for i, key in enumerate(ids[:20]):  # half exist before the batch
        wdb.execute("INSERT INTO w_rows (id, name, n) VALUES (?, ?, ?)", (key, "old", i))
    for i in range(20):
        wdb.execute("INSERT INTO w_pairs (a, b, v) VALUES (?, ?, ?)", ("x", f"b{i}", i))

    def build(w: Writes) -> None:
        for i, key in enumerate(ids):
            name = None if i % 3 == 1 else f"name {i}"
            w.upsert("w_rows", {"id": key, "name": name, "flag": i % 2 == 0})
        for i in range(30):  # 20 existing pairs, 10 missing: those stay missing
            w.add("w_pairs", {"a": "x", "b": f"b{i}"}, "v", 100 + i)
            if i % 2:
                w.update("w_pairs", {"a": "x", "b": f"b{i}"}, {"v": -i})

    flushed(wdb, build)
    rows = table(wdb, "w_rows")
    assert len(rows) == 40
    for i, (key, name, n, flag) in enumerate(rows):
        assert key == ids[i]
        want = None if i % 3 == 1 else f"name {i}"
        assert (name, n, flag) == (want, i if i < 20 else 0, 1 if i % 2 == 0 else 0)
    assert table(wdb, "w_pairs") == sorted(
        ("x", f"b{i}", -i if i % 2 else i + 100 + i) for i in range(20)
    )
