"""Wiring of the read side: where its tables live and which log it reads.

On SQLite the read models live in ``<data_dir>/readmodels.db``; on PostgreSQL
in the schema ``<event schema>_read`` (``public_read`` when the event store
uses ``public``) of the same database."""

from __future__ import annotations

from collections.abc import Sequence

from openinno.application import OpenInno
from openinno.persistence.environment import postgres_env
from openinno.settings import Settings
from projections.db import ReadStore
from projections.projection import Projection
from projections.registry import ALL
from projections.service import ReadSide, WakerFactory
from projections.wakeup import ListenWaker, PollWaker, Waker


def postgres_conninfo(settings: Settings) -> str:
    from psycopg.conninfo import make_conninfo

    env = postgres_env(settings.database_url)
    return make_conninfo(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
    )


def read_store_for(settings: Settings) -> ReadStore:
    if not settings.is_postgres:
        return ReadStore(sqlite_path=settings.data_dir / "readmodels.db")
    schema = postgres_env(settings.database_url).get("POSTGRES_SCHEMA") or "public"
    return ReadStore(
        postgres_conninfo=postgres_conninfo(settings), postgres_schema=f"{schema}_read"
    )


def waker_factory_for(settings: Settings, app: OpenInno) -> WakerFactory:
    if not settings.is_postgres:
        return PollWaker
    conninfo = postgres_conninfo(settings)
    channel = str(getattr(app.recorder, "channel_name"))  # noqa: B009

    def listen() -> Waker:
        return ListenWaker(conninfo, channel)

    return listen


def read_side_for(
    settings: Settings,
    app: OpenInno,
    projections: Sequence[Projection] = ALL,
    *,
    batch_size: int = 500,
    store: ReadStore | None = None,
) -> ReadSide:
    return ReadSide(
        store or read_store_for(settings),
        app.recorder,
        app.mapper.to_domain_event,
        projections,
        waker_factory=waker_factory_for(settings, app),
        batch_size=batch_size,
    )
