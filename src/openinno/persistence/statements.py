"""The PostgreSQL recorder's statements, rendered once instead of on every execute.

Why: the library builds its statements as composed SQL (``SQL(...).format(schema=
Identifier(...), ...)``), and psycopg renders a composed statement to bytes on every
execute, quoting each identifier through libpq; the NOTIFY after each insert is even
composed afresh for every insert.  A vote runs about nine statements (reads ahead, a
tally read, the insert's lock, notify and insert), and in process this rendering was
about 7 % of the command's Python CPU (cProfile, docs/performance.md, "Writes in
process").  The text of every statement stays exactly what the library sends; only
when it is rendered changes.
"""

from __future__ import annotations

from typing import Any, cast

from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Composable, Identifier

__all__ = ["install"]


def _rendered(statement: Any) -> SQL:
    # One SQL part: the library still appends to it (``select_events`` adds its
    # conditions), which costs only encoding the plain text parts.
    return SQL(cast(Composable, statement).as_string(None))


def install(recorder: Any) -> None:
    """Swap the recorder's composed statements for their rendered text (PostgreSQL)."""
    if not isinstance(recorder, PostgresApplicationRecorder):
        return
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
