"""The PostgreSQL recorder's statements, rendered once instead of on every execute.

Why: the library builds its statements as composed SQL (``SQL(...).format(schema=
Identifier(...), ...)``), and psycopg renders a composed statement to bytes on every
execute, quoting each identifier through libpq; the NOTIFY after each insert is even
composed afresh for every insert.  A vote runs about nine statements (reads ahead, a
tally read, the insert's lock, notify and insert), and in process this rendering was
about 7 % of the command's Python CPU (cProfile, docs/performance.md, "Writes in
process").  The text of every statement stays exactly what the library sends; only
when it is rendered changes.

The insert, one statement instead of a pipelined transaction.  The library records
with ``BEGIN; SET LOCAL lock_timeout; LOCK TABLE events IN EXCLUSIVE MODE; NOTIFY;
INSERT ... RETURNING notification_id; COMMIT``: each statement costs psycopg and the
server their per-statement work.  ``openinno_insert_events_v1`` does the same four
things, in the same order, inside one function call in its own (autocommit)
transaction: the table lock is still taken before the insert draws notification ids and
held until the commit, so ids are still issued in commit order and the readers never
pass over a gap (the reason for the lock; the library's own optional database function,
``POSTGRES_ENABLE_DB_FUNCTIONS``, omits the lock, which is why that setting stays off).
Measured on one connection, two events per insert: client CPU 1.1-1.4 -> 0.46-0.63 ms,
backend CPU 0.63-0.82 -> 0.37-0.46 ms per insert (docs/performance.md).  ``openinno
migrate`` creates the function; a process started on a schema without it keeps the
library's insert (checked once at start).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Composable, Identifier, Literal

__all__ = ["INSERT_FUNCTION", "install"]

# Versioned: a changed body gets a new name, so an old process never calls a new body.
INSERT_FUNCTION = "openinno_insert_events_v1"


def _rendered(statement: Any) -> SQL:
    # One SQL part: the library still appends to it (``select_events`` adds its
    # conditions), which costs only encoding the plain text parts.
    return SQL(cast(Composable, statement).as_string(None))


def install(recorder: Any, *, create: bool = False) -> None:
    """Swap the recorder's composed statements for their rendered text, and its insert
    for the function when the schema has it (PostgreSQL).  ``create``: make the function
    first (``openinno migrate``, which runs with table creation on)."""
    if not isinstance(recorder, PostgresApplicationRecorder):
        return
    if create:
        create_insert_function(recorder)
    if has_insert_function(recorder):
        use_insert_function(recorder)
    # Typed as the library declares them (composed); the rendered text is as good.
    recorder = cast(Any, recorder)
    recorder.select_events_statement = _rendered(recorder.select_events_statement)
    recorder.insert_events_statement = _rendered(recorder.insert_events_statement)
    recorder.lock_table_statements = [_rendered(s) for s in recorder.lock_table_statements]
    notify = SQL("NOTIFY {0}").format(Identifier(recorder.channel_name)).as_bytes(None)

    def notify_channel(curs: Any) -> None:
        curs.execute(notify)

    # An instance attribute: this recorder only, the library's class untouched.
    recorder._notify_channel = notify_channel


def _names(recorder: Any) -> dict[str, Composable]:
    datastore = recorder.datastore
    return {
        "schema": Identifier(datastore.schema),
        "table": Identifier(recorder.events_table_name),
        "event": Identifier(recorder.stored_event_type_name),
        "channel": Identifier(recorder.channel_name),
        "function": Identifier(INSERT_FUNCTION),
    }


def create_insert_function(recorder: Any) -> None:
    # The library's statements, in the library's order (PostgresApplicationRecorder:
    # _lock_table, _notify_channel, the insert), with the lock timeout passed in.
    statement = SQL(
        "CREATE OR REPLACE FUNCTION {schema}.{function}"
        "(events {schema}.{event}[], lock_timeout text) "
        "RETURNS SETOF bigint LANGUAGE plpgsql AS $body$ "
        "BEGIN "
        "PERFORM set_config('lock_timeout', lock_timeout, true); "
        "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
        "NOTIFY {channel}; "
        "RETURN QUERY INSERT INTO {schema}.{table} AS t "
        "(originator_id, originator_version, topic, state) "
        "SELECT e.originator_id, e.originator_version, e.topic, e.state "
        "FROM unnest(events) AS e "
        "RETURNING t.notification_id; "
        "END; $body$"
    ).format(**_names(recorder))
    with recorder.datastore.get_connection() as conn:
        conn.execute(statement)


def has_insert_function(recorder: Any) -> bool:
    signature = SQL("{schema}.{function}({schema}.{event}[], text)").format(**_names(recorder))
    with recorder.datastore.get_connection() as conn:
        row = conn.execute(
            "SELECT to_regprocedure(%s) IS NOT NULL AS present",
            [signature.as_string(conn)],
        ).fetchone()
    return bool(row and row["present"])


def use_insert_function(recorder: Any) -> None:
    datastore = recorder.datastore
    library_insert = recorder.insert_events
    invoke = (
        SQL("SELECT notification_id FROM {schema}.{function}(%s, {timeout}) AS notification_id")
        .format(**_names(recorder), timeout=Literal(f"{datastore.lock_timeout}s"))
        .as_bytes(None)
    )

    # As the library's insert: a connection lost or a lock not granted in time is
    # retried on a fresh connection (a conflict, IntegrityError, is not).
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if kwargs:  # tracking records (a process application's): the library's way
            return cast(Sequence[int] | None, library_insert(stored_events, **kwargs))
        if not stored_events:
            return []
        events = [
            recorder.construct_pg_stored_event(
                e.originator_id, e.originator_version, e.topic, e.state
            )
            for e in stored_events
        ]
        with datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(invoke, (events,), prepare=True)
            return [row["notification_id"] for row in curs.fetchall()]

    recorder.insert_events = insert_events
