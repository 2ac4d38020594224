"""Find a PostgreSQL server for the tests, or start a throwaway one with pg_ctl.

Under CI=true a missing server is a failure, never a skip."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


class ThrowawayCluster:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="openinno-pg-"))
        self.port = _free_port()
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            # initdb refuses to run as root.
            shutil.chown(self.dir, "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    def start(self) -> str:
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) not found")
        data = self.dir / "data"
        subprocess.run(
            [*self.as_postgres, initdb, "-D", str(data), "-A", "trust", "-U", "postgres"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                *self.as_postgres,
                pg_ctl,
                "-D",
                str(data),
                "-w",
                "-l",
                str(self.dir / "log"),
                "-o",
                f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        deadline = time.monotonic() + 30
        while not _answers(url):
            if time.monotonic() > deadline:
                raise RuntimeError("throwaway PostgreSQL did not start")
            time.sleep(0.2)
        return url

    def stop(self) -> None:
        pg_ctl = _pg_bin("pg_ctl")
        if pg_ctl:
            subprocess.run(
                [
                    *self.as_postgres,
                    pg_ctl,
                    "-D",
                    str(self.dir / "data"),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
            )
        shutil.rmtree(self.dir, ignore_errors=True)


def worker_database(url: str, worker: str, run: str) -> str:
    """A database of this pytest-xdist worker's own on ``url``'s server, created empty
    (from template1), and its URL.  The tests' schemas and roles carry random names
    already; a database per worker also keeps what is counted per database
    (``pg_stat_activity`` of ``current_database()``, the backends a fault test
    terminates) to one worker's tests.  ``run`` (the xdist run's id) keeps two
    concurrent runs on one server apart: each drops only its own databases."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_{worker}_{run}"[:63]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_worker_database(url: str, database_url: str) -> None:
    """Drop a ``worker_database`` (its connections ended first: a test's server that
    was killed may leave one behind)."""
    import psycopg
    from psycopg import sql

    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def find_or_start() -> tuple[str | None, ThrowawayCluster | None]:
    url = os.environ.get("OPENINNO_TEST_POSTGRES_URL", DEFAULT_URL)
    if _answers(url):
        return url, None
    cluster = ThrowawayCluster()
    try:
        return cluster.start(), cluster
    except Exception:
        cluster.stop()
        return None, None
