"""Read-side fixtures: a read store beside each test's event store (its own file on
SQLite, its own schema on PostgreSQL, dropped afterwards)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.settings import Settings
from projections.db import Db, ReadStore, open_db
from projections.service import ReadSide
from tests.support.story import Scene, scene
from web.readside import read_side_for, read_store_for


def drop_read_schema(store: ReadStore) -> None:
    if not store.is_postgres:
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(store.postgres_conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(store.postgres_schema)
            )
        )


@pytest.fixture
def read_store(settings: Settings) -> Iterator[ReadStore]:
    store = read_store_for(settings)
    yield store
    drop_read_schema(store)


@pytest.fixture
def read_side(app: OpenInno, settings: Settings, read_store: ReadStore) -> Iterator[ReadSide]:
    side = read_side_for(settings, app, store=read_store)
    side.setup()
    yield side
    side.stop()


@pytest.fixture
def db(read_store: ReadStore, read_side: ReadSide) -> Iterator[Db]:
    handle = open_db(read_store)
    yield handle
    handle.close()


@pytest.fixture
def cast(app: OpenInno, clock: ManualClock) -> Scene:
    return scene(app, clock)
