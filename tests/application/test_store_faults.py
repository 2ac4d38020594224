"""A store that cannot write gives a clear error and stays whole."""

import sqlite3
from dataclasses import replace

import pytest

from openinno.application import OpenInno
from openinno.domain.errors import StoreUnavailable
from openinno.persistence.migrate import migrate_event_store
from openinno.settings import Settings
from tests.support.story import PASSWORD


def test_a_read_only_sqlite_file_refuses_writes_clearly_and_keeps_reading(tmp_path, clock):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/events.db",
        data_dir=tmp_path,
        argon2_time_cost=1,
        argon2_memory_kib=8,
    )
    migrate_event_store(settings)
    writer = OpenInno(settings, clock=clock)
    ada = writer.register_account("ada@example.org", PASSWORD, "Ada").id
    writer.close()

    read_only = replace(settings, extra_env={"SQLITE_DBNAME": f"file:{tmp_path}/events.db?mode=ro"})
    app = OpenInno(read_only, clock=clock)
    try:
        with pytest.raises(StoreUnavailable, match="nothing was saved"):
            app.register_account("bob@example.org", PASSWORD, "Bob")
        with pytest.raises(StoreUnavailable):
            app.create_organisation(ada, "Ada's Lab")
        assert app.authenticate("ada@example.org", PASSWORD) == ada
    finally:
        app.close()

    db = sqlite3.connect(tmp_path / "events.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT count(*) FROM stored_events").fetchone() == (2,)
