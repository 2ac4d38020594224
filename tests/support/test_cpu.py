"""The /proc CPU meter of the benchmarks (``tests.support.cpu``): a process's CPU, the
parsing of /proc files, the split of PostgreSQL backends by the process they serve
(pure functions over fake /proc contents), and one snapshot against a real PostgreSQL
with stand-in server processes.  Bounds are on CPU seconds, never on elapsed time."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from tests.support.cpu import (
    ONE_PROCESS_PARTS,
    PARTS,
    CpuMeter,
    Snapshot,
    client_sockets,
    part_pids,
    process_cpu,
    served_by,
    socket_inode,
    spent,
    stat_cpu_seconds,
)

# A child that names itself with spaces and parentheses (as /proc/<pid>/stat shows it),
# spins for SPIN CPU seconds in a second thread, prints its own CPU time and waits.
SPIN = 0.3
SPINNER = f"""
import sys, threading, time
with open("/proc/self/comm", "w") as comm:
    comm.write("x) 1 2 (y z")
def spin():
    start = time.thread_time()
    while time.thread_time() - start < {SPIN}:
        pass
thread = threading.Thread(target=spin)
thread.start()
thread.join()
print(time.process_time(), flush=True)
sys.stdin.read()
"""


def test_process_cpu_counts_a_spinning_process_whatever_its_name() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", SPINNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        reported = float(child.stdout.readline())
        with open(f"/proc/{child.pid}/comm") as comm:
            assert comm.read().strip() == "x) 1 2 (y z"
        measured = process_cpu(child.pid)
    finally:
        child.communicate("")
    # Its own clock and /proc agree up to clock ticks; the spin alone is SPIN seconds.
    assert measured >= SPIN - 0.02
    assert abs(measured - reported) < 0.1, (measured, reported)
    # Reaped: gone from /proc, counted as nothing.
    assert process_cpu(child.pid) == 0.0


def test_stat_parsing_counts_from_the_last_closing_parenthesis() -> None:
    # Fields after the command: state ppid pgrp session tty tpgid flags minflt cminflt
    # majflt cmajflt utime stime cutime cstime ...; children's time is not the process's.
    after = "S 1 2 3 0 -1 4194304 100 0 0 0 150 50 999 999 20 0 1 0 148545"
    for command in ("python", "a b", "x) 1 2 (y z", "))", "(("):
        assert stat_cpu_seconds(f"4321 ({command}) {after}", ticks=100) == 2.0, command


def test_socket_inode_only_for_sockets() -> None:
    assert socket_inode("socket:[123456]") == 123456
    assert socket_inode("pipe:[123456]") is None
    assert socket_inode("anon_inode:[eventpoll]") is None
    assert socket_inode("/dev/null") is None


# /proc/net/tcp and tcp6 lines: local and remote address:port in hex, inode field 9.
# 0x1538 = 5432 (PostgreSQL), 0x1F40 = 8000, 0xC350 = 50000, 0xC351 = 50001,
# 0xC352 = 50002.
TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   114        0 4001 1 0 100 0 0 10 0
   1: 0100007F:C350 0100007F:1538 01 00000000:00000000 00:00000000 00000000  1000        0 777 1 0 20 4 30 10 -1
   2: 0100007F:1538 0100007F:C350 01 00000000:00000000 00:00000000 00000000   114        0 4002 1 0 20 4 30 10 -1
   3: 0100007F:C350 0100007F:1F40 06 00000000:00000000 03:00000D3A 00000000     0        0 0 3 0
   4: 0100007F:C351 0100007F:1F40 01 00000000:00000000 00:00000000 00000000  1000        0 888 1 0 20 4 30 10 -1
""".splitlines()
TCP6 = """\
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:C352 00000000000000000000000001000000:1538 01 00000000:00000000 00:00000000 00000000  1000        0 999 1 0 20 4 30 10 -1
""".splitlines()


def test_client_sockets_are_the_live_connections_to_the_server_port() -> None:
    # 50000's live connection to PostgreSQL, not the TIME_WAIT entry (inode 0, to port
    # 8000) listed after it with the same local port; 50001 goes to 8000, not PostgreSQL;
    # PostgreSQL's own sockets (local port 5432) are not clients.
    assert client_sockets(TCP, 5432) == {50000: 777}
    assert client_sockets(TCP6, 5432) == {50002: 999}
    assert client_sockets(TCP, 8000) == {50001: 888}


def test_backends_are_matched_to_their_client_process_by_port_and_inode() -> None:
    backends = [(10, 50000), (11, 50001), (12, -1), (13, 50002), (14, 50003)]
    inode_of_port = {50000: 777, 50001: 778, 50002: 779}
    owner_of_inode = {777: 100, 778: 101}
    assert served_by(backends, inode_of_port, owner_of_inode) == {
        10: 100,
        11: 101,
        12: None,  # a Unix-socket client (no port)
        13: None,  # a socket no known process holds
        14: None,  # a port with no connection to PostgreSQL
    }


def test_parts_with_workers_keep_unmatched_backends_apart() -> None:
    served = {10: 100, 11: 101, 12: 102, 13: None, 14: 555}
    pids = part_pids(1, 100, [101, 102], served, [20, 21])
    assert tuple(pids) == PARTS
    assert pids == {
        "load generator": [1],
        "web workers": [101, 102],
        "supervisor": [100],
        "PostgreSQL for the workers": [11, 12],
        "PostgreSQL for the supervisor": [10],
        "PostgreSQL, client not matched": [13, 14],
        "PostgreSQL background": [20, 21],
    }


def test_parts_without_workers_are_one_process() -> None:
    # uvicorn --workers 1: the supervisor serves the requests itself.
    served = {10: 100, 11: 100, 13: None}
    pids = part_pids(1, 100, [], served, [20])
    assert tuple(pids) == ONE_PROCESS_PARTS
    assert pids == {
        "load generator": [1],
        "web worker and supervisor (one process)": [100],
        "PostgreSQL for the web worker and supervisor": [10, 11],
        "PostgreSQL, client not matched": [13],
        "PostgreSQL background": [20],
    }
    assert CpuMeter("postgresql://unused", "x", 100, []).parts == ONE_PROCESS_PARTS
    assert CpuMeter("postgresql://unused", "x", 100, [101]).parts == PARTS


def test_spent_counts_a_process_from_its_earlier_cpu_in_whichever_part() -> None:
    before = Snapshot({"a": {1: 5.0}, "b": {2: 7.0}, "c": {}})
    # 2 moved from b to c (its client matched once, not the next time); 3 is new; 1 ended.
    after = Snapshot({"c": {2: 7.5}, "a": {3: 0.25}, "b": {}})
    assert spent(before, after) == {"c": 0.5, "a": 0.25, "b": 0.0}
    assert list(spent(before, after)) == ["c", "a", "b"]


# --- against PostgreSQL, with stand-in server processes ------------------------------

# A stand-in for a server process: one connection under the server's application name;
# prints its backend's pid, then runs a query per line read (a CPU-bound one on "burn").
CLIENT = """
import sys, psycopg
conn = psycopg.connect(sys.argv[1], application_name=sys.argv[2], autocommit=True)
print(conn.execute("SELECT pg_backend_pid()").fetchone()[0], flush=True)
for line in sys.stdin:
    if line.strip() == "burn":
        conn.execute("SELECT count(*) FROM generate_series(1, 3000000)")
    print("done", flush=True)
"""


class Client:
    def __init__(self, url: str, app_name: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", CLIENT, url, app_name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.backend = int(self.readline())

    def readline(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, "the client process ended"
        return line

    def burn(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("burn\n")
        self.process.stdin.flush()
        assert self.readline().strip() == "done"

    def stop(self) -> None:
        self.process.communicate("")


@pytest.fixture
def clients(postgres_url: str) -> Iterator[tuple[str, Client, Client]]:
    app_name = f"h_cpu_{uuid.uuid4().hex[:8]}"
    started: list[Client] = []
    try:
        started.append(Client(postgres_url, app_name))
        started.append(Client(postgres_url, app_name))
        yield app_name, started[0], started[1]
    finally:
        for client in started:
            client.stop()


@pytest.mark.postgres
def test_snapshot_splits_real_backends_by_their_client_process(
    postgres_url: str, clients: tuple[str, Client, Client]
) -> None:
    import psycopg

    app_name, supervisor, worker = clients
    # A backend of this process, under the server's name: neither supervisor nor worker.
    with psycopg.connect(postgres_url, application_name=app_name, autocommit=True) as conn:
        stray = conn.execute("SELECT pg_backend_pid()").fetchone()
        assert stray is not None
        meter = CpuMeter(postgres_url, app_name, supervisor.process.pid, [worker.process.pid])
        before = meter.snapshot()
        assert tuple(before.parts) == PARTS
        assert set(before.parts["PostgreSQL for the workers"]) == {worker.backend}
        assert set(before.parts["PostgreSQL for the supervisor"]) == {supervisor.backend}
        assert set(before.parts["PostgreSQL, client not matched"]) == {stray[0]}

        worker.burn()
        cpu = spent(before, meter.snapshot())
        # Counting three million rows takes a backend a good part of a CPU second; the
        # other backends idle.
        assert cpu["PostgreSQL for the workers"] > 0.05, cpu
        assert cpu["PostgreSQL for the workers"] > 5 * cpu["PostgreSQL for the supervisor"], cpu

        # The same processes read as one server process without workers: the
        # "worker" is then a process the meter does not know.
        one = CpuMeter(postgres_url, app_name, supervisor.process.pid, []).snapshot()
        assert tuple(one.parts) == ONE_PROCESS_PARTS
        assert set(one.parts["web worker and supervisor (one process)"]) == {supervisor.process.pid}
        assert set(one.parts["PostgreSQL for the web worker and supervisor"]) == {
            supervisor.backend
        }
        assert set(one.parts["PostgreSQL, client not matched"]) == {worker.backend, stray[0]}
