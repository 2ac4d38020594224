"""Shared fixtures: an injected clock, and the same application suite on SQLite
and PostgreSQL (each PostgreSQL test in its own schema, dropped afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.persistence.migrate import migrate_event_store
from openinno.settings import Settings
from tests.support import postgres
from tests.support.keys import give_write_key

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    url, cluster = postgres.find_or_start()
    if url is None:
        if IN_CI:
            pytest.fail("PostgreSQL is required under CI=true and none could be started")
        pytest.skip("no PostgreSQL server answers and none could be started")
    # Under pytest-xdist (`make test` runs -n 4) each worker has a database of its own.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    own = None
    if worker is not None:
        run = os.environ.get("PYTEST_XDIST_TESTRUNUID", uuid.uuid4().hex)[:8]
        own = postgres.worker_database(url, worker, run)
    try:
        yield own or url
    finally:
        if own is not None:
            postgres.drop_worker_database(url, own)
        if cluster is not None:
            cluster.stop()


def _drop_schema(url: str, schema: str) -> None:
    """The test's event-store schema and the read models' one beside it (a test that
    starts a read side creates ``<schema>_read``; left behind, each run added some)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        for name in (schema, f"{schema}_read"):
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def make_settings(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    # API tokens live a year: stories move the injected clock on by months with the
    # same tokens (test_token_lifecycle reads the TTL from the settings).
    common = {
        "data_dir": tmp_path,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 8,
        "api_token_ttl_seconds": 365 * 24 * 3600,
    }
    give_write_key(tmp_path)  # each test's own: its application proves every event
    if kind == "sqlite":
        return Settings(database_url=f"sqlite:///{tmp_path}/events.db", **common)  # type: ignore[arg-type]
    url = request.getfixturevalue("postgres_url")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    request.addfinalizer(lambda: _drop_schema(url, schema))
    return Settings(database_url=f"{url}?schema={schema}", **common)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    s = make_settings(request.param, tmp_path, request)
    migrate_event_store(s)
    return s


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def app(settings: Settings, clock: ManualClock) -> Iterator[OpenInno]:
    application = OpenInno(settings, clock=clock)
    yield application
    application.close()


@pytest.fixture
def pg_settings(postgres_url: str, tmp_path: Path) -> Iterator[Settings]:
    """A migrated throwaway PostgreSQL schema for a served app (dropped with its
    read-model schema afterwards)."""
    from tests.support.server import pg_store

    with pg_store(postgres_url, tmp_path) as settings:
        yield settings


# pytest-xdist (`make test`: -n 4 --dist loadgroup) runs each group below on one worker,
# one test after another; every other test is a unit of its own, spread as it comes.
#  - browser: one served app and one chromium for them all (a session- and a
#    module-scoped fixture, started once per worker that runs any of them), and never
#    two chromiums at once on a 2-core machine.
#  - heavy: tests that load a served app hard, kill its processes or time how far it
#    got (four 300 MiB uploads at once, a worker killed under load, PostgreSQL's
#    connections cut, projections killed mid-rebuild): two of them at once would make
#    each other's load and their "killed too late to test anything" guards flaky.
# Grouped by path in the scheduler, not with xdist_group marks: with pytest 9.2 the
# marks no longer group anything (xdist renames the node ids, which pytest no longer
# reads back: pytest-dev/pytest-xdist#1386), silently.
XDIST_GROUPS = {
    "tests/browser/": "browser",
    "tests/web/test_upload_memory.py": "heavy",
    "tests/faults/test_connection_loss.py": "heavy",
    "tests/faults/test_worker_killed.py": "heavy",
    "tests/faults/test_projection_kill_under_load.py": "heavy",
    "tests/projections/test_kill_and_rebuild.py": "heavy",
    "tests/projections/test_one_pass.py": "heavy",
    # One topology (two PostgreSQL clusters, three hosts' processes) for the module.
    "tests/topology/test_topology.py": "topology",
}


def xdist_group_of(nodeid: str) -> str | None:
    path = nodeid.split("::", 1)[0]
    return next((g for prefix, g in XDIST_GROUPS.items() if path.startswith(prefix)), None)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class PathGroups(LoadScopeScheduling):
        """--dist loadgroup with the groups above: a group's tests form one unit of
        work, every other test a unit of its own."""

        def _split_scope(self, nodeid: str) -> str:
            return xdist_group_of(nodeid) or nodeid

    return PathGroups(config, log)
