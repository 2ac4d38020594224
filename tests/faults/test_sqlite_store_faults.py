"""A SQLite store that cannot write, over HTTP: a read-only file and a full one.
Either way the API answers with a 503 store_unavailable problem and Retry-After,
reads keep working, nothing half-written is left (PRAGMA integrity_check), and what
was acknowledged before is still there.

"Full" is SQLite's own SQLITE_FULL ("database or disk is full"), raised by capping
the file with PRAGMA max_page_count on every connection the library's pool opens;
a filesystem that really runs out of space could not be made here (no loop mounts
or tmpfs size limits without root privileges in the test environment)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from eventsourcing.sqlite import SQLiteConnectionPool
from litestar.testing import TestClient

from openinno.application import OpenInno
from openinno.persistence.migrate import migrate_event_store
from openinno.settings import Settings
from tests.support.story import PASSWORD
from web.app import create_app


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/events.db",
        data_dir=tmp_path,
        argon2_time_cost=1,
        argon2_memory_kib=8,
    )
    migrate_event_store(settings)
    return settings


def _signed_up(settings: Settings) -> tuple[str, dict[str, str]]:
    app = OpenInno(settings)
    try:
        ada = app.register_account("ada@example.org", PASSWORD, "Ada").id
        token, _ = app.issue_token("ada@example.org", PASSWORD)
        organisation = app.create_organisation(ada, "Ada's Lab").id
    finally:
        app.close()
    return str(organisation), {"Authorization": f"Bearer {token}"}


def _assert_unavailable(response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"]
    body = response.json()
    assert body["code"] == "store_unavailable"
    assert body["type"] == "/api/v1/problems/store_unavailable"
    assert "Traceback" not in response.text


def _store_whole(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (count,) = db.execute("SELECT count(*) FROM stored_events").fetchone()
        return int(count)
    finally:
        db.close()


@pytest.fixture
def client_for() -> Iterator:
    opened: list[tuple[TestClient, OpenInno]] = []

    def make(settings: Settings) -> TestClient:
        app = OpenInno(settings)
        client = TestClient(create_app(settings, application=app))
        client.__enter__()
        opened.append((client, app))
        return client

    yield make
    for client, app in opened:
        client.__exit__(None, None, None)
        app.close()


def test_a_read_only_sqlite_file_answers_503_over_http(sqlite_settings, client_for, tmp_path):
    _organisation, auth = _signed_up(sqlite_settings)
    before = _store_whole(tmp_path / "events.db")
    read_only = replace(
        sqlite_settings, extra_env={"SQLITE_DBNAME": f"file:{tmp_path}/events.db?mode=ro"}
    )
    client = client_for(read_only)
    _assert_unavailable(
        client.post("/api/v1/organisations", json={"name": "Second lab"}, headers=auth)
    )
    _assert_unavailable(
        client.post(
            "/api/v1/accounts",
            json={"email": "bob@example.org", "password": PASSWORD, "display_name": "Bob"},
        )
    )
    # Reads still work.
    assert client.get("/api/v1/me", headers=auth).status_code == 200
    assert _store_whole(tmp_path / "events.db") == before


def test_a_full_sqlite_file_answers_503_and_stays_whole(
    sqlite_settings, client_for, tmp_path, monkeypatch
):
    _organisation, auth = _signed_up(sqlite_settings)
    path = tmp_path / "events.db"
    before = _store_whole(path)
    db = sqlite3.connect(path)
    (pages,) = db.execute("PRAGMA page_count").fetchone()
    db.close()
    cap = pages + 2  # room for a few small events, then SQLITE_FULL

    create = SQLiteConnectionPool._create_connection

    def capped(self):
        connection = create(self)
        connection._sqlite_conn.execute(f"PRAGMA max_page_count = {cap}")
        return connection

    monkeypatch.setattr(SQLiteConnectionPool, "_create_connection", capped)
    client = client_for(sqlite_settings)
    statuses = []
    for n in range(200):
        r = client.post(
            "/api/v1/organisations", json={"name": f"Lab {n} " + "x" * 180}, headers=auth
        )
        statuses.append(r.status_code)
        if r.status_code != 201:
            _assert_unavailable(r)
            assert "full" in r.json()["detail"]
            break
    assert statuses[-1] == 503, "the cap was never reached"
    acknowledged = statuses.count(201)
    assert client.get("/api/v1/me", headers=auth).status_code == 200
    monkeypatch.undo()
    # Every acknowledged event is there, nothing of the failed one, and the file is whole.
    assert _store_whole(path) == before + acknowledged
