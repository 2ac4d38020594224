"""A throwaway PostgreSQL primary configured for streaming replication, and a
streaming replica of it made with ``pg_basebackup -R`` (standby.signal), each on a
free port of 127.0.0.1 in a temporary directory.  For the topology tests
(tests/topology): whatever server the other tests use, these two are their own."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support.postgres import _answers, _free_port, _pg_bin

PRIMARY_SETTINGS = (
    "wal_level = replica",
    "max_wal_senders = 4",
    "hot_standby = on",
    # Small enough for a test machine: two clusters beside the suite's own server.
    "shared_buffers = 32MB",
    "max_connections = 100",
    "fsync = off",
)


class Node:
    """One cluster (primary or replica) in ``root/name``."""

    def __init__(self, root: Path, name: str, as_postgres: list[str]) -> None:
        self.data = root / name
        self.log = root / f"{name}.log"
        self.socket_dir = root
        self.port = _free_port()
        self.as_postgres = as_postgres

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, *command: str) -> None:
        done = subprocess.run([*self.as_postgres, *command], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {done.stderr}\n{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def start(self) -> None:
        self.run(
            _binary("pg_ctl"),
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(self.log),
            "-o",
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1",
            "start",
        )
        deadline = time.monotonic() + 30
        while not _answers(self.url()):
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL on {self.port} did not start:\n{self._log_tail()}")
            time.sleep(0.2)

    def stop(self) -> None:
        subprocess.run(
            [*self.as_postgres, _binary("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True,
        )


def _binary(name: str) -> str:
    found = _pg_bin(name)
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} not found")
    return found


class ReplicatedCluster:
    """A primary and one streaming replica; ``start`` returns their URLs for the
    database ``database`` (created on the primary before the base backup)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="openinno-topology-pg-"))
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            shutil.chown(self.root, "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self.primary = Node(self.root, "primary", self.as_postgres)
        self.replica = Node(self.root, "replica", self.as_postgres)

    def start(self, database: str = "openinno") -> tuple[str, str]:
        import psycopg
        from psycopg import sql

        primary = self.primary
        # -N: no fsync of the new files (a throwaway cluster): seconds saved.
        primary.run(
            _binary("initdb"), "-N", "-D", str(primary.data), "-A", "trust", "-U", "postgres"
        )
        with (primary.data / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(PRIMARY_SETTINGS) + "\n")
        # initdb -A trust lets replication connections in from 127.0.0.1 already; said
        # again here, so the set-up reads whole.
        with (primary.data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        primary.start()
        with psycopg.connect(primary.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        # The replica: a base backup streamed with its WAL, -R writes standby.signal
        # and primary_conninfo; it listens on a port of its own.
        self.replica.run(
            _binary("pg_basebackup"),
            "-D",
            str(self.replica.data),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-X",
            "stream",
            "-R",
            "-c",
            "fast",
            "--no-sync",
        )
        # A long read on the replica is not cancelled by the primary's vacuum.
        with (self.replica.data / "postgresql.conf").open("a") as conf:
            conf.write("hot_standby_feedback = on\n")
        self.replica.start()
        return primary.url(database), self.replica.url(database)

    def replaying(self) -> bool:
        """The replica is in recovery, streaming from the primary."""
        import psycopg

        with psycopg.connect(self.primary.url(), autocommit=True) as conn:
            row = conn.execute("SELECT count(*) FROM pg_stat_replication").fetchone()
        return bool(row and row[0] >= 1)

    @contextlib.contextmanager
    def replay_paused(self) -> Iterator[None]:
        """The replica keeps receiving WAL but applies none of it meanwhile: what it
        serves stands still, as a replica far behind would."""
        import psycopg

        with psycopg.connect(self.replica.url(), autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_pause()")
            try:
                yield
            finally:
                conn.execute("SELECT pg_wal_replay_resume()")

    def stop(self) -> None:
        self.replica.stop()
        self.primary.stop()
        shutil.rmtree(self.root, ignore_errors=True)
