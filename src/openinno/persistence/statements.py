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
server their per-statement work.  ``openinno_insert_events_v2`` does the same four
things, in the same order, inside one function call in its own (autocommit)
transaction: the table lock is still taken before the insert draws notification ids and
held until the commit, so ids are still issued in commit order and the readers never
pass over a gap (the reason for the lock; the library's own optional database function,
``POSTGRES_ENABLE_DB_FUNCTIONS``, omits the lock, which is why that setting stays off).
Its events come as four arrays, one per column (v1 took an array of the library's
composite type, which psycopg dumps row by row in Python: 0.15 ms of client CPU per
insert of two events against 0.09 ms as arrays; docs/decisions/0034).

The reads of a command's streams, one function call (``openinno_read_streams_v1``):
per stream, the primary key's index from the version held on (a nested loop over the
wanted streams).  As one plain statement (a join of the events table with the arrays)
PostgreSQL planned a sequential scan and a hash join on any table it had not analysed
yet (a fresh schema, or one just grown): 70 % of a vote's server CPU.  And a prepared
statement whose parameters are arrays is planned again on every execution (the generic
plan's estimates never beat the custom one's).  Inside the function the one query is
planned once per connection (generic plans forced), with the scans that could only lose
here switched off (sequential and bitmap), so the plan is the same index lookups on a
fresh table, an analysed one and one of 10 M events (tests/persistence/
test_stream_reads.py shows the plan).

``openinno migrate`` creates the functions; a process started on a schema without them
keeps the library's insert and a plain statement for the reads (checked once at start).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Composable, Identifier, Literal

__all__ = ["INSERT_FUNCTION", "READ_FUNCTION", "install", "streams_reader"]

# Versioned: a changed body gets a new name, so an old process never calls a new body
# (v1, of an older process, stays in the schema beside v2).
INSERT_FUNCTION = "openinno_insert_events_v2"
READ_FUNCTION = "openinno_read_streams_v1"

# The events after each given version of each given stream: a nested loop over the
# wanted (stream, version) pairs, each an index lookup on the primary key.  The query
# of the read function, and the statement used where the schema has no function yet.
# A topic as the library writes one (module:qualified.name): safe unquoted in an array.
_PLAIN_TOPIC = re.compile(r"[A-Za-z0-9_.:]+")

READ_STREAMS = (
    "SELECT e.originator_id, e.originator_version, e.topic, e.state "
    "FROM unnest({ids}, {versions}) AS w(id, version) "
    "CROSS JOIN LATERAL ("
    "SELECT x.originator_id, x.originator_version, x.topic, x.state "
    "FROM {schema}.{table} AS x "
    "WHERE x.originator_id = w.id AND x.originator_version > w.version "
    "ORDER BY x.originator_version) AS e"
)


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
        "read": Identifier(READ_FUNCTION),
    }


def create_insert_function(recorder: Any) -> None:
    # The library's statements, in the library's order (PostgresApplicationRecorder:
    # _lock_table, _notify_channel, the insert), with the lock timeout passed in.
    statement = SQL(
        "CREATE OR REPLACE FUNCTION {schema}.{function}"
        "(ids uuid[], versions bigint[], topics text[], states bytea[], lock_timeout text) "
        "RETURNS SETOF bigint LANGUAGE plpgsql AS $body$ "
        "BEGIN "
        "PERFORM set_config('lock_timeout', lock_timeout, true); "
        "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
        "NOTIFY {channel}; "
        "RETURN QUERY INSERT INTO {schema}.{table} AS t "
        "(originator_id, originator_version, topic, state) "
        "SELECT e.id, e.version, e.topic, e.state "
        "FROM unnest(ids, versions, topics, states) AS e(id, version, topic, state) "
        "RETURNING t.notification_id; "
        "END; $body$"
    ).format(**_names(recorder))
    read = SQL(
        "CREATE OR REPLACE FUNCTION {schema}.{read}(ids uuid[], versions bigint[]) "
        "RETURNS TABLE (originator_id uuid, originator_version bigint, topic text, "
        "state bytea) LANGUAGE plpgsql STABLE "
        # Planned once per connection; index lookups whatever the table's statistics.
        "SET plan_cache_mode = force_generic_plan "
        "SET enable_seqscan = off SET enable_bitmapscan = off "
        "AS $body$ #variable_conflict use_column\n"
        "BEGIN RETURN QUERY " + READ_STREAMS + "; END; $body$"
    ).format(**_names(recorder), ids=SQL("ids"), versions=SQL("versions"))
    with recorder.datastore.get_connection() as conn:
        conn.execute(statement)
        conn.execute(read)


def has_insert_function(recorder: Any) -> bool:
    signature = SQL("{schema}.{function}(uuid[], bigint[], text[], bytea[], text)").format(
        **_names(recorder)
    )
    return _has_function(recorder, signature)


def has_read_function(recorder: Any) -> bool:
    return _has_function(
        recorder, SQL("{schema}.{read}(uuid[], bigint[])").format(**_names(recorder))
    )


def _has_function(recorder: Any, signature: Composable) -> bool:
    with recorder.datastore.get_connection() as conn:
        row = conn.execute(
            "SELECT to_regprocedure(%s) IS NOT NULL AS present",
            [signature.as_string(conn)],
        ).fetchone()
    return bool(row and row["present"])


def array_literal(values: Iterable[object]) -> str:
    """An array literal of values that never need quoting (uuids, integers, topics:
    dotted names with a colon): psycopg dumps a list element by element in Python,
    with a protocol check per list; one string is one dump."""
    return "{" + ",".join(map(str, values)) + "}"


def use_insert_function(recorder: Any) -> None:
    datastore = recorder.datastore
    library_insert = recorder.insert_events
    invoke = (
        SQL(
            "SELECT notification_id FROM {schema}.{function}"
            "(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[], {timeout}) AS notification_id"
        )
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
        for e in stored_events:
            if not _PLAIN_TOPIC.fullmatch(e.topic):  # never, for a class's topic
                return cast(Sequence[int] | None, library_insert(stored_events))
        params = (
            array_literal(e.originator_id for e in stored_events),
            array_literal(e.originator_version for e in stored_events),
            array_literal(e.topic for e in stored_events),
            [e.state for e in stored_events],
        )
        with datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(invoke, params, prepare=True)
            return [row["notification_id"] for row in curs.fetchall()]

    recorder.insert_events = insert_events


def streams_reader(recorder: Any) -> Callable[[dict[UUID, int]], list[StoredEvent]]:
    """The events after each given version of each given stream, in one round trip
    (``CopyOnWriteRepository.read_many``): the read function where the schema has it
    (looked up at the first read: the repository is made before ``install``), the
    same query as a prepared statement where not."""
    names = _names(recorder)
    by_function = (
        SQL("SELECT * FROM {schema}.{read}(%s::uuid[], %s::bigint[])")
        .format(**names)
        .as_bytes(None)
    )
    by_statement = (
        SQL(READ_STREAMS).format(**names, ids=SQL("%s::uuid[]"), versions=SQL("%s::bigint[]"))
    ).as_bytes(None)
    chosen: list[bytes] = []

    # As the library's own reads (select_events): a connection broken by a restart or
    # an outage is retried on a fresh one rather than failing the command at once.
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def read_many(versions: dict[UUID, int]) -> list[StoredEvent]:
        if not chosen:
            chosen.append(by_function if has_read_function(recorder) else by_statement)
        params = (array_literal(versions), array_literal(versions.values()))
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(chosen[0], params, prepare=True)
            return [
                StoredEvent(
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in curs.fetchall()
            ]

    return read_many
