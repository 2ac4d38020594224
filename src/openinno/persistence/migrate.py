"""`openinno migrate`: create the event store's tables once, before any app starts.

The app itself runs with table creation off, because concurrent workers
creating tables at startup race each other."""

from __future__ import annotations

from openinno.persistence.environment import postgres_env
from openinno.settings import Settings


def ensure_postgres_schema(settings: Settings) -> None:
    env = postgres_env(settings.database_url)
    schema = env.get("POSTGRES_SCHEMA")
    if not schema:
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(postgres_conninfo(env), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def postgres_conninfo(env: dict[str, str]) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
    )


def migrate_event_store(settings: Settings) -> None:
    from openinno.application import OpenInno

    if settings.is_postgres:
        ensure_postgres_schema(settings)
    OpenInno(settings, create_tables=True).close()
