"""CPU seconds spent by each part of a benchmark's system, read from /proc.

On this 2-core machine the load generator, the web workers, the server's supervisor
(which applies the log to the read models and the ledger) and PostgreSQL share the
cores, so a write's throughput is bounded by the CPU all of them spend on it.  Reading
each part's CPU before and after a phase gives that cost per request, and the most the
cores could serve at that cost.  CPU time does not depend on what else the machine
runs, unlike wall time (the same code's rates moved by 2x between runs here).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

import psycopg

TICKS = os.sysconf("SC_CLK_TCK")

# The order in which the parts are printed.  A server's backends are split by the
# process they serve: the workers' commands and reads, or the supervisor's read-model
# and ledger writes.
PARTS = (
    "load generator",
    "web workers",
    "supervisor",
    "PostgreSQL for the workers",
    "PostgreSQL for the supervisor",
    "PostgreSQL background",
)


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (all its threads); 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command's closing parenthesis: state is field 0, utime 11, stime 12.
    return (int(fields[11]) + int(fields[12])) / TICKS


@dataclass(frozen=True)
class Snapshot:
    """CPU seconds per process, grouped by part."""

    parts: dict[str, dict[int, float]]


def _socket_owners(pids: Iterable[int]) -> dict[int, int]:
    """Socket inode -> the process (of ``pids``) that holds it."""
    owners = {}
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                owners[int(target[8:-1])] = pid
    return owners


def _local_ports() -> dict[int, int]:
    """TCP local port -> socket inode, for this machine's IPv4 and IPv6 sockets."""
    ports = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    ports[int(fields[1].rsplit(":", 1)[1], 16)] = int(fields[9])
        except OSError:
            continue
    return ports


def _backends(postgres_url: str, app_name: str) -> tuple[list[tuple[int, int]], list[int]]:
    """The server's backends (its application name) with their client's TCP port, and
    PostgreSQL's own background processes (WAL writer, checkpointer, autovacuum: shared
    with anything else using the cluster, so read them as an upper bound)."""
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid, application_name, backend_type, coalesce(client_port, -1)"
            " FROM pg_stat_activity"
        ).fetchall()
    own = [
        (pid, port)
        for pid, name, kind, port in rows
        if kind == "client backend" and name == app_name
    ]
    background = [pid for pid, _name, kind, _port in rows if kind != "client backend"]
    return own, background


class CpuMeter:
    """Snapshots of the CPU of one benchmark's processes: this process (the load
    generator), a server's supervisor and workers, and PostgreSQL."""

    def __init__(
        self, postgres_url: str, app_name: str, supervisor: int, workers: Iterable[int]
    ) -> None:
        self.postgres_url = postgres_url
        self.app_name = app_name
        self.supervisor = supervisor
        self.workers = list(workers)

    def snapshot(self) -> Snapshot:
        own, background = _backends(self.postgres_url, self.app_name)
        # Which process each backend serves: its client's port, that socket's inode,
        # the process holding the inode.
        inode_of = _local_ports()
        owner_of = _socket_owners([self.supervisor, *self.workers])
        served = {pid: owner_of.get(inode_of.get(port, -1)) for pid, port in own}
        pids = {
            "load generator": [os.getpid()],
            "web workers": self.workers,
            "supervisor": [self.supervisor],
            "PostgreSQL for the workers": [
                pid for pid, owner in served.items() if owner != self.supervisor
            ],
            "PostgreSQL for the supervisor": [
                pid for pid, owner in served.items() if owner == self.supervisor
            ],
            "PostgreSQL background": background,
        }
        return Snapshot({part: {pid: process_cpu(pid) for pid in pids[part]} for part in PARTS})


def spent(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """CPU seconds per part between two snapshots.  A process that started in between
    counts from zero; one that ended in between is lost (pools keep their connections
    open, so a benchmark's backends live through its phases)."""
    return {
        part: sum(cpu - before.parts[part].get(pid, 0.0) for pid, cpu in after.parts[part].items())
        for part in PARTS
    }


def cores() -> int:
    return len(os.sched_getaffinity(0))
