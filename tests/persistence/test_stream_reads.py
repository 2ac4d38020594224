"""A command's streams read in one round trip (openinno.persistence.statements:
``openinno_read_streams_v1``): each stream by its primary key from the version held,
the same plan on a fresh table and an analysed one, and the events each stream has
after that version, in order."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from psycopg import sql

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.persistence.migrate import migrate_event_store
from openinno.persistence.statements import READ_FUNCTION, READ_STREAMS
from tests.conftest import make_settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(tmp_path, request, clock: ManualClock):
    settings = make_settings("postgres", tmp_path, request)
    migrate_event_store(settings)
    app = OpenInno(settings, clock=clock)
    yield app
    app.close()


def fill(app: OpenInno, streams: int, per_stream: int) -> list[uuid.UUID]:
    """Rows straight into the events table (no analyse follows): ``streams`` streams of
    ``per_stream`` events each."""
    recorder: Any = app.recorder
    table = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
    ids = [uuid.uuid4() for _ in range(streams)]
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(
            sql.SQL(
                "INSERT INTO {} (originator_id, originator_version, topic, state) "
                "SELECT i, v, 'tests:Event', convert_to(repeat('x', 300), 'UTF8') "
                "FROM unnest(%s::uuid[]) AS i, generate_series(1, %s) AS v"
            ).format(table),
            [ids, per_stream],
        )
    return ids


def plan(app: OpenInno, ids: list[uuid.UUID]) -> str:
    """The function's query as it runs there: a generic plan (the function forces it),
    with the function's own settings (pg_proc.proconfig), for these arrays."""
    recorder: Any = app.recorder
    schema = recorder.datastore.schema
    query = sql.SQL(READ_STREAMS).format(
        schema=sql.Identifier(schema),
        table=sql.Identifier(recorder.events_table_name),
        ids=sql.SQL("$1"),
        versions=sql.SQL("$2"),
    )
    name = f"plan_{uuid.uuid4().hex[:8]}"
    with recorder.datastore.get_connection() as conn, conn.transaction():
        row = conn.execute(
            "SELECT proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE p.proname = %s AND n.nspname = %s",
            [READ_FUNCTION, schema],
        ).fetchone()
        config = row["proconfig"] if row else None
        assert config, "the read function sets its own planner settings"
        for setting in config:
            key, value = setting.split("=", 1)
            conn.execute("SELECT set_config(%s, %s, true)", [key, value])
        conn.execute(
            sql.SQL("PREPARE {} (uuid[], bigint[]) AS ").format(sql.Identifier(name)) + query
        )
        rows = conn.execute(
            sql.SQL("EXPLAIN EXECUTE {} ({}, {})").format(
                sql.Identifier(name),
                sql.Literal("{" + ",".join(map(str, ids)) + "}"),
                sql.Literal("{" + ",".join("0" for _ in ids) + "}"),
            )
        ).fetchall()
        conn.execute(sql.SQL("DEALLOCATE {}").format(sql.Identifier(name)))
    return "\n".join(row["QUERY PLAN"] for row in rows)


def assert_index_lookups(text: str) -> None:
    assert "Nested Loop" in text, text
    assert "Index Scan using" in text and "_pkey" in text, text
    for scan in ("Seq Scan", "Bitmap", "Hash"):
        assert scan not in text, text


def test_each_stream_is_read_by_its_primary_key_on_a_fresh_table(pg_app: OpenInno) -> None:
    ids = fill(pg_app, 5000, 2)
    # Never analysed: the plain join of the events with the arrays planned a
    # sequential scan and a hash join here (docs/decisions/0034).
    assert_index_lookups(plan(pg_app, ids[:6]))


def test_each_stream_is_read_by_its_primary_key_on_an_analysed_table(pg_app: OpenInno) -> None:
    ids = fill(pg_app, 5000, 2)
    recorder: Any = pg_app.recorder
    table = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
    with recorder.datastore.get_connection() as conn:
        conn.execute(sql.SQL("ANALYZE {}").format(table))
    assert_index_lookups(plan(pg_app, ids[:6]))


def test_the_read_gives_each_streams_events_after_the_version_held(pg_app: OpenInno) -> None:
    first, second, third = fill(pg_app, 3, 4)
    unknown = uuid.uuid4()
    read_many: Any = pg_app._streams.read_many
    events = read_many({second: 2, first: 0, unknown: 0, third: 4})
    assert [(e.originator_id, e.originator_version) for e in events] == [
        (second, 3),
        (second, 4),
        (first, 1),
        (first, 2),
        (first, 3),
        (first, 4),
    ]
    assert events[0].topic == "tests:Event" and events[0].state == b"x" * 300


def test_the_read_function_is_used_where_the_schema_has_it(pg_app: OpenInno) -> None:
    s = pg_app.register_account("reader@example.org", "a long enough password", "Reader")
    with pg_app._streams.fresh_reads():
        pg_app._streams.read_ahead([s.id])
    assert b"openinno_read_streams_v1" in read_statement(pg_app)


def read_statement(app: OpenInno) -> bytes:
    """The statement the reader chose (its closure), after its first read."""
    read_many: Any = app._streams.read_many
    cells = [c.cell_contents for c in read_many.__wrapped__.__closure__ or ()]
    chosen = next(c for c in cells if isinstance(c, list))
    return bytes(chosen[0])
