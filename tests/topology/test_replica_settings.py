"""The settings of several hosts: where the web reads the read models, how long it
waits for a replica, where page sessions live."""

from __future__ import annotations

from pathlib import Path

import pytest

from openinno.settings import Settings
from web.replica import replica_store_for


def test_one_host_reads_the_primary_and_keeps_sessions_in_its_data_directory():
    settings = Settings.from_env({"OPENINNO_DATA_DIR": "/srv/openinno"})
    assert settings.read_database_url == ""
    assert settings.read_replica_wait_seconds == 1.0
    assert settings.sessions_dir == Path("/srv/openinno/sessions")
    assert replica_store_for(settings) is None


def test_a_replica_serves_the_primarys_read_schema():
    settings = Settings.from_env(
        {
            "OPENINNO_DATABASE_URL": "postgresql://app@primary:5432/openinno?schema=live",
            "OPENINNO_READ_DATABASE_URL": "postgresql://reader@replica:5433/openinno",
            "OPENINNO_READ_REPLICA_WAIT_SECONDS": "0.25",
            "OPENINNO_SESSIONS_DIR": "/mnt/shared/sessions",
        }
    )
    store = replica_store_for(settings)
    assert store is not None
    assert store.postgres_schema == "live_read"
    assert "host=replica" in store.postgres_conninfo and "port=5433" in store.postgres_conninfo
    assert "user=reader" in store.postgres_conninfo
    assert settings.read_replica_wait_seconds == 0.25
    assert settings.sessions_dir == Path("/mnt/shared/sessions")


def test_a_replica_needs_a_postgresql_event_store():
    settings = Settings.from_env(
        {"OPENINNO_READ_DATABASE_URL": "postgresql://reader@replica:5433/openinno"}
    )
    with pytest.raises(ValueError, match="PostgreSQL"):
        replica_store_for(settings)
