"""The SQLite embedded default (issue 7, benchmark 6): `openinno serve` on SQLite with
one worker (its projections following in the same process), measured as bench_http
and bench_reads measure PostgreSQL, at smaller sizes, to tell users when to move.

- submissions over HTTP: submissions/s and p50/p99, write to visible, beside the
  library's save loop on the same SQLite store and raw ``sqlite3`` executemany of rows
  shaped like stored events (same run);
- votes over HTTP, one per person (checked afterwards, as bench_http checks them);
- reads at scale: bench_reads' endpoints on a generated store of
  ``BENCH_SQLITE_SUBMISSIONS`` submissions (default 50,000, so that ``make bench`` stays
  under 10 minutes; ``make bench-full``: 100,000; ``--quick``: 2,000).

``--quick`` asserts correctness only.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

from openinno.settings import Settings
from tests.benchmarks.bench_http import (
    check_votes,
    library_save_loop,
    submissions_over_http,
    votes_over_http,
)
from tests.benchmarks.bench_reads import check_dataset, measure_reads, sqlite_dataset
from tests.benchmarks.report import Result
from tests.support.load import percentile
from tests.support.server import http_scene, migrate, running_server


def sqlite_settings(tmp: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp}/events.db",
        data_dir=tmp,
        argon2_time_cost=1,
        argon2_memory_kib=8,
    )


def sqlite_rows(path: Path, rows: int) -> float:
    """Rows shaped like stored events into a table of their own, one transaction: rows/s."""
    state = b'{"title":"Pendulum park","summary":"' + b"x" * 360 + b'"}'
    topic = "openinno.domain.submission:Submission.Submitted"
    data = [(uuid.uuid4().bytes, 1, topic, state) for _ in range(rows)]
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(
            "CREATE TABLE bench_events (notification_id INTEGER PRIMARY KEY, originator_id "
            "BLOB, originator_version INTEGER, topic TEXT, state BLOB, "
            "UNIQUE (originator_id, originator_version))"
        )
        started = time.perf_counter()
        with conn:
            conn.executemany(
                "INSERT INTO bench_events (originator_id, originator_version, topic, state) "
                "VALUES (?, ?, ?, ?)",
                data,
            )
        return rows / (time.perf_counter() - started)
    finally:
        conn.close()


def writes(quick: bool) -> list[Result]:
    clients = 4 if quick else 16
    per_client = 4 if quick else 40
    time_limit = 10.0 if quick else 60.0
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        settings = sqlite_settings(tmp)
        migrate(settings)
        scene = http_scene(settings, clients, per_solver=100, voting=True)
        with running_server(settings, workers=1, projections=True) as server:
            outcomes, elapsed, watcher = submissions_over_http(
                settings, scene, server.url, per_client, time_limit
            )
            acknowledged = [o for o in outcomes if o.status == 201]
            assert len(acknowledged) == len(outcomes), [o for o in outcomes if o.status != 201][:3]
            firsts: dict[int, str] = {}
            for o in acknowledged:
                firsts.setdefault(o.client, str(o.body["id"]))
            targets = [firsts[c] for c in sorted(firsts)]
            vote_outcomes, vote_elapsed = votes_over_http(
                settings, scene, server.url, targets, time_limit
            )
            check_votes(settings, scene, server.url, targets, vote_outcomes)
        library = library_save_loop(settings, scene, 20 if quick else 1000)
        raw = sqlite_rows(tmp / "raw.db", 200 if quick else 20_000)

    rate = len(acknowledged) / elapsed
    latencies = [o.seconds * 1000 for o in acknowledged]
    votes = [o for o in vote_outcomes if o.status == 200]
    vote_rate = len(votes) / vote_elapsed
    vote_latencies = [o.seconds * 1000 for o in votes]
    delays = [d * 1000 for d in watcher.delays]
    label = f"HTTP sqlite 1w {clients}c"
    print(
        f"bench_sqlite: {len(acknowledged)} submissions in {elapsed:.1f}s, "
        f"{len(votes)} votes in {vote_elapsed:.1f}s",
        file=sys.stderr,
    )
    return [
        Result(
            f"{label}: submissions/s",
            rate,
            "library save loop, same aggregates",
            library,
            "submissions/s",
        ),
        Result(f"{label}: submissions/s vs raw", rate, "sqlite3 executemany rows/s", raw, "/s"),
        Result(
            f"{label}: submission p50 latency",
            percentile(latencies, 0.5),
            "p99",
            percentile(latencies, 0.99),
            "ms",
        ),
        Result(
            f"{label}: votes/s (one per person)",
            vote_rate,
            "library save loop (submissions)",
            library,
            "votes/s",
        ),
        Result(
            f"{label}: vote p50 latency",
            percentile(vote_latencies, 0.5),
            "p99",
            percentile(vote_latencies, 0.99),
            "ms",
        ),
        Result(
            f"{label}: write to visible p50",
            percentile(delays, 0.5),
            "p99",
            percentile(delays, 0.99),
            "ms",
        ),
    ]


def reads(quick: bool) -> list[Result]:
    total = 2_000 if quick else int(os.environ.get("BENCH_SQLITE_SUBMISSIONS", "50000"))
    with tempfile.TemporaryDirectory() as tmp, sqlite_dataset(total, Path(tmp)) as store:
        data = store.data
        print(
            f"bench_sqlite: {data.submissions:,} submissions written in "
            f"{data.write_seconds:.0f}s ({data.events:,} events)",
            file=sys.stderr,
        )
        check_dataset(store)
        return measure_reads(store, quick, workers=1)


def run(quick: bool) -> list[Result]:
    return writes(quick) + reads(quick)
