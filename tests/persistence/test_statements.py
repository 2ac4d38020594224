"""The PostgreSQL recorder's statements rendered once (openinno.persistence.statements):
the same text as the library's, and the insert still notifies the listeners."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import sql

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.persistence.migrate import migrate_event_store
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
