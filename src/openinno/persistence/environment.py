"""Turn :class:`Settings` into the eventsourcing library's environment."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from openinno.settings import Settings

MAPPER_TOPIC = "openinno.persistence.mapper:MsgspecMapper"
TRANSCODER_TOPIC = "openinno.persistence.mapper:MsgspecTranscoder"


def eventsourcing_env(settings: Settings, *, create_table: bool = False) -> dict[str, str]:
    env: dict[str, str] = {
        "MAPPER_TOPIC": MAPPER_TOPIC,
        "TRANSCODER_TOPIC": TRANSCODER_TOPIC,
        # Tables are made by `openinno migrate`; concurrent startup would race.
        "CREATE_TABLE": "y" if create_table else "n",
        "AGGREGATE_CACHE_MAXSIZE": str(settings.aggregate_cache_size),
        "AGGREGATE_CACHE_FASTFORWARD": "y",
    }
    if settings.cipher_key:
        env["CIPHER_TOPIC"] = "eventsourcing.cryptography:AESCipher"
        env["CIPHER_KEY"] = settings.cipher_key
    if settings.is_postgres:
        env.update(postgres_env(settings.database_url))
    else:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        env["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
        env["SQLITE_DBNAME"] = str(path)
        env["SQLITE_LOCK_TIMEOUT"] = "30"
    env.update(settings.extra_env)
    return env


def postgres_env(database_url: str) -> dict[str, str]:
    url = urlparse(database_url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(url.path.lstrip("/")) or "postgres",
        "POSTGRES_HOST": url.hostname or "localhost",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        # Two connections kept open, up to 20 on demand: with group commit and read-only
        # loads a process rarely needs many, and every process (web workers, the
        # projections, tests) opening 10 at start ran a 100-connection server out.
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "18",
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "POSTGRES_PRE_PING": "y",
        "POSTGRES_LOCK_TIMEOUT": "5",
        # Never POSTGRES_ENABLE_DB_FUNCTIONS: readers can miss events with it.
    }
    query = dict(part.split("=", 1) for part in url.query.split("&") if "=" in part)
    if "schema" in query:
        env["POSTGRES_SCHEMA"] = query["schema"]
    if "connect_timeout" in query:
        # Seconds to connect, and to wait for a pooled connection; the library tries a
        # failing statement 10 times, so a request gives up after about 10 x (this + 0.2).
        env["POSTGRES_CONNECT_TIMEOUT"] = str(int(query["connect_timeout"]))
    return env
