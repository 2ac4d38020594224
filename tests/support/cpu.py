"""CPU seconds spent by each part of a benchmark's system, read from /proc.

On this 2-core machine the load generator, the web workers, the server's supervisor
(which applies the log to the read models and the ledger) and PostgreSQL share the
cores, so a write's throughput is bounded by the CPU all of them spend on it.  Reading
each part's CPU before and after a phase gives that cost per request, and the most the
cores could serve at that cost.  CPU time does not depend on what else the machine
runs, unlike wall time (the same code's rates moved by 2x between runs here).

The server's PostgreSQL backends (its application name) are split by the process they
serve: the backend's client port, the socket on this machine connected from that port
to PostgreSQL's port, and the server process holding that socket.  A backend whose
client cannot be matched to the supervisor or a known worker (a Unix-socket
connection, a worker uvicorn restarted after the meter listed the workers, a socket
that closed in between) is counted as ``PostgreSQL, client not matched``: never
guessed into another part, so a non-zero figure there says the split is incomplete.

With one web worker (uvicorn ``--workers 1``, as ``--quick`` runs) uvicorn serves
from the supervisor process itself: there are no worker processes, and one process
does the web work and applies the log.  Its CPU cannot be split, so the meter reports
it as one part, ``web worker and supervisor (one process)``, and its backends as
``PostgreSQL for the web worker and supervisor`` (``ONE_PROCESS_PARTS``) instead of
putting it all under ``supervisor`` or ``web workers``.  ``CpuMeter.parts`` gives the
parts a meter reports, in print order; ``spent`` returns them in that order.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import psycopg

TICKS = os.sysconf("SC_CLK_TCK")

# The order in which the parts are printed, for a server with worker processes.  A
# server's backends are split by the process they serve: the workers' commands and
# reads, or the supervisor's read-model and ledger writes; those whose client process
# is not known stay apart.
PARTS = (
    "load generator",
    "web workers",
    "supervisor",
    "PostgreSQL for the workers",
    "PostgreSQL for the supervisor",
    "PostgreSQL, client not matched",
    "PostgreSQL background",
)

# The same for a server without worker processes (one worker: uvicorn serves from the
# supervisor): the web work and the log's application are one process.
ONE_PROCESS_PARTS = (
    "load generator",
    "web worker and supervisor (one process)",
    "PostgreSQL for the web worker and supervisor",
    "PostgreSQL, client not matched",
    "PostgreSQL background",
)


def stat_cpu_seconds(stat: str, ticks: int = TICKS) -> float:
    """User + system CPU seconds from the text of a ``/proc/<pid>/stat``.  The command
    name (field 2, in parentheses) may hold spaces and parentheses itself, so the
    fields are counted from its last closing parenthesis."""
    fields = stat.rsplit(")", 1)[1].split()
    # After the command's closing parenthesis: state is field 0, utime 11, stime 12.
    return (int(fields[11]) + int(fields[12])) / ticks


def _read_cpu(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat_cpu_seconds(stat.read())
    except OSError:
        return None


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (all its threads); 0 if it is gone."""
    cpu = _read_cpu(pid)
    return 0.0 if cpu is None else cpu


@dataclass(frozen=True)
class Snapshot:
    """CPU seconds per process, grouped by part (in print order)."""

    parts: dict[str, dict[int, float]]


def socket_inode(link: str) -> int | None:
    """The inode of a ``/proc/<pid>/fd/<n>`` link's target if it is a socket
    (``socket:[12345]``), else None."""
    if link.startswith("socket:[") and link.endswith("]"):
        return int(link[8:-1])
    return None


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
                inode = socket_inode(os.readlink(f"/proc/{pid}/fd/{fd}"))
            except OSError:
                continue
            if inode is not None:
                owners[inode] = pid
    return owners


def client_sockets(lines: Iterable[str], server_port: int) -> dict[int, int]:
    """Local port -> socket inode of the sockets connected to ``server_port``, from the
    lines of ``/proc/net/tcp`` or ``tcp6`` (header line included or not).  Sockets with
    inode 0 (TIME_WAIT and other sockets no process holds) are left out: the same local
    port may appear in one of those beside the live connection, which would otherwise
    hide it."""
    ports = {}
    for line in lines:
        fields = line.split()
        if len(fields) < 10 or fields[0] == "sl":
            continue
        local, remote, inode = fields[1], fields[2], int(fields[9])
        if inode and int(remote.rsplit(":", 1)[1], 16) == server_port:
            ports[int(local.rsplit(":", 1)[1], 16)] = inode
    return ports


def _client_ports(server_port: int) -> dict[int, int]:
    """``client_sockets`` for this machine's IPv4 and IPv6 sockets."""
    ports = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as lines:
                ports.update(client_sockets(lines, server_port))
        except OSError:
            continue
    return ports


def served_by(
    backends: Iterable[tuple[int, int]],
    inode_of_port: Mapping[int, int],
    owner_of_inode: Mapping[int, int],
) -> dict[int, int | None]:
    """Backend pid -> the process holding its client's socket, None if not found.
    ``backends`` are (backend pid, client port; -1 for a Unix socket)."""
    served: dict[int, int | None] = {}
    for pid, port in backends:
        inode = inode_of_port.get(port)
        served[pid] = None if inode is None else owner_of_inode.get(inode)
    return served


def part_pids(
    load_generator: int,
    supervisor: int,
    workers: Iterable[int],
    served: Mapping[int, int | None],
    background: Iterable[int],
) -> dict[str, list[int]]:
    """The processes of each part, in print order: ``PARTS``, or ``ONE_PROCESS_PARTS``
    when there are no worker processes.  ``served``: backend pid -> the process its
    client is (``served_by``)."""
    workers = list(workers)
    known = {supervisor, *workers}
    unmatched = [pid for pid, owner in served.items() if owner not in known]
    if not workers:
        return {
            "load generator": [load_generator],
            "web worker and supervisor (one process)": [supervisor],
            "PostgreSQL for the web worker and supervisor": [
                pid for pid, owner in served.items() if owner == supervisor
            ],
            "PostgreSQL, client not matched": unmatched,
            "PostgreSQL background": list(background),
        }
    return {
        "load generator": [load_generator],
        "web workers": workers,
        "supervisor": [supervisor],
        "PostgreSQL for the workers": [pid for pid, owner in served.items() if owner in workers],
        "PostgreSQL for the supervisor": [
            pid for pid, owner in served.items() if owner == supervisor
        ],
        "PostgreSQL, client not matched": unmatched,
        "PostgreSQL background": list(background),
    }


def _backends(postgres_url: str, app_name: str) -> tuple[list[tuple[int, int]], list[int], int]:
    """The server's backends (its application name) with their client's TCP port,
    PostgreSQL's own background processes (WAL writer, checkpointer, autovacuum: shared
    with anything else using the cluster, so read them as an upper bound), and the
    port PostgreSQL listens on."""
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid, application_name, backend_type, coalesce(client_port, -1)"
            " FROM pg_stat_activity"
        ).fetchall()
        port = conn.execute("SELECT current_setting('port')::int").fetchone()
    own = [
        (pid, client_port)
        for pid, name, kind, client_port in rows
        if kind == "client backend" and name == app_name
    ]
    background = [pid for pid, _name, kind, _port in rows if kind != "client backend"]
    return own, background, port[0] if port else 5432


class CpuMeter:
    """Snapshots of the CPU of one benchmark's processes: this process (the load
    generator), a server's supervisor and workers (none: one worker, served from the
    supervisor), and PostgreSQL."""

    def __init__(
        self, postgres_url: str, app_name: str, supervisor: int, workers: Iterable[int]
    ) -> None:
        self.postgres_url = postgres_url
        self.app_name = app_name
        self.supervisor = supervisor
        self.workers = list(workers)

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts this meter reports, in print order."""
        return PARTS if self.workers else ONE_PROCESS_PARTS

    def snapshot(self) -> Snapshot:
        own, background, port = _backends(self.postgres_url, self.app_name)
        # Which process each backend serves: its client's port, that socket's inode,
        # the process holding the inode.
        served = served_by(
            own, _client_ports(port), _socket_owners([self.supervisor, *self.workers])
        )
        pids = part_pids(os.getpid(), self.supervisor, self.workers, served, background)
        parts: dict[str, dict[int, float]] = {}
        for part, members in pids.items():
            # A process that ended since it was listed is left out (not counted as 0,
            # which ``spent`` would read as negative CPU).
            cpus = {pid: _read_cpu(pid) for pid in members}
            parts[part] = {pid: cpu for pid, cpu in cpus.items() if cpu is not None}
        return Snapshot(parts)


def spent(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """CPU seconds per part between two snapshots, in ``after``'s part order.  A process
    counts from its CPU in ``before`` whichever part it was in there (a backend whose
    client was matched in one snapshot and not in the other moves part, not its whole
    past CPU); one that started in between counts from zero; one that ended in between
    is lost (pools keep their connections open, so a benchmark's backends live through
    its phases)."""
    earlier = {pid: cpu for members in before.parts.values() for pid, cpu in members.items()}
    return {
        part: sum(cpu - earlier.get(pid, 0.0) for pid, cpu in members.items())
        for part, members in after.parts.items()
    }


def cores() -> int:
    return len(os.sched_getaffinity(0))
