"""The PostgreSQL recorder's statements rendered once (openinno.persistence.statements):
the same text as the library's, and the insert still notifies the listeners."""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
import pytest
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import sql

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.persistence.migrate import migrate_event_store
from openinno.persistence.statements import INSERT_FUNCTION
from tests.conftest import make_settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(tmp_path, request, clock: ManualClock):
    settings = make_settings("postgres", tmp_path, request)
    migrate_event_store(settings)
    app = OpenInno(settings, clock=clock)
    yield app
    app.close()


def text(statement: Any) -> str:
    return statement if isinstance(statement, str) else statement.as_string(None)


def test_the_rendered_statements_are_the_librarys_text(pg_app: OpenInno) -> None:
    ours: Any = pg_app.recorder
    library = PostgresApplicationRecorder(ours.datastore, events_table_name=ours.events_table_name)
    assert isinstance(ours.select_events_statement, sql.SQL)  # rendered, not composed
    assert text(ours.select_events_statement) == text(library.select_events_statement)
    assert text(ours.insert_events_statement) == text(library.insert_events_statement)
    assert [text(s) for s in ours.lock_table_statements] == [
        text(s) for s in library.lock_table_statements
    ]


def test_a_command_still_notifies_the_channel(pg_app: OpenInno, postgres_url: str) -> None:
    recorder: Any = pg_app.recorder
    with psycopg.connect(postgres_url, autocommit=True) as listener:
        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(recorder.channel_name)))
        pg_app.register_account("listened@example.org", "a long enough password", "Listened")
        # The channel is database-wide (other tests' schemas notify it too): ours is the
        # notification from one of this application's own connections.
        ours = {c.info.backend_pid for c in recorder.datastore.pool._pool}
        heard = {n.pid for n in listener.notifies(timeout=2)}
    assert ours & heard


def test_the_insert_takes_the_events_tables_exclusive_lock_first(
    pg_app: OpenInno, postgres_url: str
) -> None:
    """Why the lock: notification ids in commit order (readers never pass a gap).  The
    function must ask for EXCLUSIVE (a plain insert asks only ROW EXCLUSIVE)."""
    recorder: Any = pg_app.recorder
    table = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
    assert recorder.insert_events.__name__ == "insert_events"  # ours, not a bound method
    with psycopg.connect(postgres_url) as holder, psycopg.connect(postgres_url) as watcher:
        holder.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(table))
        done = threading.Event()
        worker = threading.Thread(
            target=lambda: (
                pg_app.register_account("locked@example.org", "a long enough password", "L"),
                done.set(),
            )
        )
        worker.start()
        waiting: list[Any] = []
        for _ in range(200):
            waiting = watcher.execute(
                "SELECT mode FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
                [table.as_string(watcher)],
            ).fetchall()
            watcher.commit()
            if waiting:
                break
            time.sleep(0.05)
        assert not done.is_set()
        holder.commit()  # the lock released: the insert goes on
        worker.join(timeout=30)
    assert done.is_set()
    assert [row[0] for row in waiting] == ["ExclusiveLock"]


def test_without_the_function_the_librarys_insert_is_kept(
    pg_app: OpenInno, clock: ManualClock
) -> None:
    recorder: Any = pg_app.recorder
    with recorder.datastore.get_connection() as conn:
        conn.execute(
            sql.SQL("DROP FUNCTION {}.{}").format(
                sql.Identifier(recorder.datastore.schema), sql.Identifier(INSERT_FUNCTION)
            )
        )
    other = OpenInno(pg_app.settings, clock=clock)  # a process started on an older schema
    try:
        assert getattr(other.recorder.insert_events, "__self__", None) is other.recorder
        account = other.register_account("older@example.org", "a long enough password", "Old")
        assert other.repository.get(account.id).display_name == "Old"
    finally:
        other.close()
