"""Writes over HTTP on PostgreSQL (issue 7): a real `openinno serve` with several
uvicorn workers (projections following in the server, as `openinno serve` runs),
driven by concurrent asyncio clients on 127.0.0.1 (``tests.support.lean_load``: raw
HTTP/1.1 on uvloop; httpx cost about a core of this 2-core machine at a few hundred
requests/s), bounded in count and time.

- submissions/s and p50/p99 latency, beside baselines measured in the same run:
  the raw eventsourcing save loop of the same aggregates (Submission + SolverEntries
  per transaction, one after another) and raw psycopg executemany / COPY of rows
  shaped like the stored events;
- the same command (token lookup + submit) from as many threads of one process as there
  are clients, without HTTP, with group commit off and on (same run): what the
  application reaches, and what group commit adds (mean batch = callers per insert);
- votes/s, one vote per person: afterwards every submission's support count equals
  its distinct voters, and a second vote by the same person is refused;
- write to visible: from an acknowledged submission to its row in the participants
  read model (p50/p99), polled from the benchmark process;
- the HTTP ceiling: requests/s of ``GET /healthz`` and of ``GET /api/v1/me`` (token and
  account lookups, no write) from the same clients against the same server, the most
  any write could reach through this HTTP stack on this machine;
- CPU per request of each part (load generator, web workers, supervisor, PostgreSQL for
  each, PostgreSQL whose client was not matched, PostgreSQL's background; with one worker
  the web worker and supervisor are one process and one part; ``tests.support.cpu``) for
  the GET, the submissions and the votes, and the rate the cores allow at that cost.

``--quick`` runs a few dozen requests and asserts only correctness.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from openinno.application import OpenInno
from openinno.domain import SolverEntries, Submission, ids
from openinno.domain.submission import content_sha256
from openinno.domain.values import SubmissionContent
from openinno.settings import Settings
from projections.db import open_db
from tests.benchmarks.report import Result
from tests.support import postgres
from tests.support.cpu import CpuMeter, Snapshot, cores, process_cpu, spent
from tests.support.lean_load import run_clients_lean, run_lean
from tests.support.load import Outcome, Request, percentile, run_clients
from tests.support.server import (
    HttpScene,
    entry,
    http_scene,
    no_rate_limits,
    pg_store,
    running_server,
)
from web.readside import read_store_for

# The full run; --quick starts one worker (faster start, same code paths).  Override to
# try other shapes: OPENINNO_BENCH_WORKERS, OPENINNO_BENCH_CLIENTS.
WORKERS = int(os.environ.get("OPENINNO_BENCH_WORKERS", 2))
CLIENTS = int(os.environ.get("OPENINNO_BENCH_CLIENTS", 32))


# --- baselines ------------------------------------------------------------------------


def library_save_loop(settings: Settings, scene: HttpScene, count: int) -> float:
    """Submission + SolverEntries per save(), one after another: aggregates/s."""
    app = OpenInno(settings)
    try:
        now = datetime.now(UTC)
        started = time.perf_counter()
        for n in range(count):
            solver = uuid.uuid4()
            content = SubmissionContent(f"Baseline {n}", "A pendulum set.", ())
            submission_id = uuid.uuid4()
            entries = SolverEntries(
                id=ids.solver_entries_id(scene.challenge, solver),
                challenge_id=scene.challenge,
                solver_id=solver,
                timestamp=now,
            )
            entries.count_entry(submission_id, 100, now)
            submission = Submission(
                id=submission_id,
                actor_id=solver,
                challenge_id=scene.challenge,
                team_ids=(),
                content=content,
                accepted_terms_sha256=scene.terms,
                content_sha256=content_sha256(content),
                receipt_id=uuid.uuid4(),
                timestamp=now,
            )
            app.save(submission, entries)
        return count / (time.perf_counter() - started)
    finally:
        app.close()


def concurrent_commands(
    settings: Settings, scene: HttpScene, group_commit: str, per_thread: int, tag: str
) -> tuple[float, float]:
    """Each solver's thread resolves its token and submits, per_thread times, all threads
    at once in one process (no HTTP): submissions/s and the mean batch (callers per
    insert; 1 without group commit).  Every submission must succeed."""
    app = OpenInno(replace(settings, group_commit=group_commit))
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(scene.solvers))

    def work(solver_index: int) -> None:
        solver = scene.solvers[solver_index]
        barrier.wait()
        try:
            for n in range(per_thread):
                actor = app.account_for_token(solver.token)
                app.submit(
                    actor,
                    scene.challenge,
                    f"In-process {tag} {n}",
                    "A building set with swings and weights that shows a pendulum's period.",
                    scene.terms,
                )
        except BaseException as e:
            errors.append(e)

    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(scene.solvers))]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        assert not errors, errors[:3]
        committer = app.group_committer
        mean_batch = committer.callers / committer.inserts if committer else 1.0
        return len(threads) * per_thread / elapsed, mean_batch
    finally:
        app.close()


def psycopg_rows(url: str, rows: int) -> tuple[float, float]:
    """Rows shaped like stored events (uuid, version, topic, ~400-byte state) into a
    temporary table: executemany in one transaction, and COPY.  Rows/s each."""
    import psycopg

    state = b'{"title":"Pendulum park","summary":"' + b"x" * 360 + b'"}'
    topic = "openinno.domain.submission:Submission.Submitted"
    data = [(uuid.uuid4(), 1, topic, state) for _ in range(rows)]
    with psycopg.connect(url) as conn:
        conn.execute(
            "CREATE TEMPORARY TABLE bench_events (notification_id bigserial primary key, "
            "originator_id uuid, originator_version int, topic text, state bytea, "
            "UNIQUE (originator_id, originator_version))"
        )
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO bench_events (originator_id, originator_version, topic, state) "
                "VALUES (%s, %s, %s, %s)",
                data,
            )
        conn.commit()
        executemany = rows / (time.perf_counter() - started)
        conn.execute("TRUNCATE bench_events")
        conn.commit()
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY bench_events (originator_id, originator_version, topic, state) FROM STDIN"
            ) as copy,
        ):
            for row in data:
                copy.write_row(row)
        conn.commit()
        copy_rate = rows / (time.perf_counter() - started)
    return executemany, copy_rate


# --- write to visible -----------------------------------------------------------------


class VisibleWatcher:
    """Polls the participants read model for acknowledged submissions; records the
    delay from the acknowledgement to the first poll that sees each one."""

    def __init__(self, settings: Settings) -> None:
        self.db = open_db(read_store_for(settings))
        self.pending: dict[str, float] = {}
        self.delays: list[float] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def acknowledged(self, submission_id: str, at: float) -> None:
        with self.lock:
            self.pending[submission_id] = at

    def _run(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                waiting = list(self.pending)
            if waiting:
                marks = ", ".join("?" * len(waiting))
                rows = self.db.rows(
                    f"SELECT submission_id FROM pt_submissions WHERE submission_id IN ({marks})",
                    waiting,
                )
                seen = time.perf_counter()
                with self.lock:
                    for row in rows:
                        at = self.pending.pop(str(row["submission_id"]), None)
                        if at is not None:
                            self.delays.append(seen - at)
            time.sleep(0.002)

    def finish(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if not self.pending:
                    break
            time.sleep(0.01)
        self.stop.set()
        self.thread.join()
        self.db.close()
        return len(self.pending)


# --- the HTTP runs --------------------------------------------------------------------


def submissions_over_http(
    settings: Settings, scene: HttpScene, url: str, per_client: int, time_limit: float
) -> tuple[list[Outcome], float, VisibleWatcher]:
    watcher = VisibleWatcher(settings)
    watcher.thread.start()

    def on_outcome(o: Outcome) -> None:
        if o.status == 201:
            watcher.acknowledged(str(o.body["id"]), o.finished)

    def submit(client: int, index: int) -> Request:
        return Request(
            "POST",
            f"/api/v1/challenges/{scene.challenge}/submissions",
            scene.solvers[client].auth,
            entry(scene, f"Entry {client}-{index}"),
        )

    started = time.perf_counter()
    outcomes = run_lean(
        run_clients_lean(
            url,
            len(scene.solvers),
            per_client,
            submit,
            time_limit=time_limit,
            on_outcome=on_outcome,
        )
    )
    elapsed = time.perf_counter() - started
    not_visible = watcher.finish(timeout=30)
    assert not_visible == 0, f"{not_visible} acknowledged submissions never became visible"
    return outcomes, elapsed, watcher


def target_of(client: int, index: int, count: int, spread: bool) -> int:
    """Which target a client's ``index``-th vote goes to.  Spread: each client starts at
    its own entry, so concurrent votes land on different tallies (a campaign's usual
    shape).  Not spread: every client goes through the entries in the same order, so
    all of them vote on one entry at once (an entry going viral: one tally, a hot spot)."""
    return (client + index) % count if spread else index


def votes_over_http(
    settings: Settings,
    scene: HttpScene,
    url: str,
    targets: list[str],
    time_limit: float,
    spread: bool = True,
) -> tuple[list[Outcome], float]:
    """Every solver (a voter here) supports every target submission but their own."""

    def vote(client: int, index: int) -> Request:
        target = targets[target_of(client, index, len(targets), spread)]
        return Request("PUT", f"/api/v1/submissions/{target}/vote", scene.solvers[client].auth)

    started = time.perf_counter()
    outcomes = run_lean(
        run_clients_lean(url, len(scene.solvers), len(targets), vote, time_limit=time_limit)
    )
    return outcomes, time.perf_counter() - started


def http_ceiling(
    scene: HttpScene, url: str, path: str, signed_in: bool, seconds: float, httpx: bool = False
) -> tuple[float, int]:
    """Requests/s of one cheap GET from the same clients for ``seconds``: what this
    machine's HTTP stack (load generator, uvicorn, Litestar) serves at most, so the
    writes' figures can be read against it.  Every answer must be 200.  ``httpx``:
    with the httpx load generator the earlier runs used, for comparison."""

    def get(client: int, _index: int) -> Request:
        return Request("GET", path, scene.solvers[client].auth if signed_in else {})

    started = time.perf_counter()
    if httpx:
        outcomes = asyncio.run(run_clients(url, len(scene.solvers), 10**6, get, time_limit=seconds))
    else:
        outcomes = run_lean(
            run_clients_lean(url, len(scene.solvers), 10**6, get, time_limit=seconds)
        )
    elapsed = time.perf_counter() - started
    assert outcomes and all(o.status == 200 for o in outcomes), outcomes[:3]
    return len(outcomes) / elapsed, len(outcomes)


# --- CPU per request, by part -------------------------------------------------------


def settled(meter: CpuMeter, quiet: float = 0.3, timeout: float = 30.0) -> Snapshot:
    """A snapshot once the server's supervisor has applied what the last phase wrote
    (its CPU stopped growing for ``quiet`` seconds): a write's cost includes the read
    models and the ledger catching up with it."""
    deadline = time.monotonic() + timeout
    last = process_cpu(meter.supervisor)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = process_cpu(meter.supervisor)
        if now - last < 0.02 * quiet:
            break
        last = now
    return meter.snapshot()


def cpu_per_request(label: str, cpu: dict[str, float], count: int) -> float:
    """Prints the CPU milliseconds per request of each part (the meter's parts, in its
    order: ``spent`` gives them), and returns the total."""
    per = {part: seconds * 1000 / max(count, 1) for part, seconds in cpu.items()}
    total = sum(per.values())
    parts = ", ".join(f"{part} {ms:.2f}" for part, ms in per.items())
    print(
        f"bench_http: CPU ms per request, {label} ({count} requests): {parts}; "
        f"total {total:.2f} ms, so {cores()} cores serve at most "
        f"{cores() * 1000 / total:,.0f}/s",
        file=sys.stderr,
    )
    return total


def check_votes(
    settings: Settings,
    scene: HttpScene,
    url: str,
    targets: list[str],
    outcomes: list[Outcome],
    spread: bool = True,
) -> None:
    voters: dict[str, set[int]] = {t: set() for t in targets}
    unexpected: list[Outcome] = []
    for o in outcomes:
        if o.status == 200:
            voters[targets[target_of(o.client, o.index, len(targets), spread)]].add(o.client)
        elif not (
            o.status == 409 and isinstance(o.body, dict) and o.body.get("code") == "invalid_state"
        ):
            # Only refusals the rules give: one's own entry (409 invalid_state).
            unexpected.append(o)
    # Every unexpected answer, by kind (status, problem code, connection error), with
    # the first few in full: one failing answer alone hid whether it was a pattern.
    kinds = Counter(
        (o.status, o.body.get("code") if isinstance(o.body, dict) else None, o.error)
        for o in unexpected
    )
    assert not unexpected, (
        f"{len(unexpected)} unexpected vote answers {dict(kinds)}: {unexpected[:3]}"
    )
    app = OpenInno(settings)
    try:
        for target, people in voters.items():
            assert app.support_count(UUID(target)) == len(people), target
    finally:
        app.close()
    # One vote per person: the same vote again is refused.
    target = next(t for t, people in voters.items() if people)
    client = min(voters[target])
    again = run_lean(
        run_clients_lean(
            url,
            1,
            1,
            lambda _c, _i: Request(
                "PUT", f"/api/v1/submissions/{target}/vote", scene.solvers[client].auth
            ),
        )
    )
    assert again[0].status == 409 and again[0].body["code"] == "already_supported", again[0]


def measure(url: str, quick: bool) -> list[Result]:
    clients = 4 if quick else CLIENTS
    per_client = 4 if quick else 60
    time_limit = 10.0 if quick else 60.0
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp, pg_store(url, Path(tmp)) as settings:
        scene = http_scene(settings, clients, per_solver=100, voting=True)
        workers = 1 if quick else WORKERS
        # Limits out of reach: at full speed a client's token would pass 600 requests a
        # minute (the ceiling's GETs alone), and the 429s would measure the limiter.
        with (
            no_rate_limits(),
            # As behind a proxy that logs requests (operations.md): no access log.
            running_server(settings, workers=workers, projections=True, access_log=False) as server,
        ):
            # The ceiling first, on a server with nothing else to do: measured after the
            # writes it also measured the read side still applying them (542-588/s
            # there against 823-860/s on a fresh server, docs/performance.md).
            ceiling_seconds = 1.0 if quick else 10.0
            meter = CpuMeter(url, server.app_name, server.process.pid, server.worker_pids())
            healthz, _ = http_ceiling(scene, server.url, "/healthz", False, ceiling_seconds)
            before = meter.snapshot()
            me, me_count = http_ceiling(scene, server.url, "/api/v1/me", True, ceiling_seconds)
            cpu_me = spent(before, meter.snapshot())
            me_httpx, _ = http_ceiling(
                scene, server.url, "/api/v1/me", True, ceiling_seconds, httpx=True
            )
            before = meter.snapshot()
            outcomes, elapsed, watcher = submissions_over_http(
                settings, scene, server.url, per_client, time_limit
            )
            cpu_submit = spent(before, settled(meter))
            acknowledged = [o for o in outcomes if o.status == 201]
            assert len(acknowledged) == len(outcomes), [o for o in outcomes if o.status != 201][:3]
            # Votes: every client supports the first entry of each of up to 60 others.
            # Two sets of targets: each client's first entry (votes spread over them)
            # and its second (every client on one entry at a time: a hot spot).
            entries: dict[int, list[str]] = {}
            for o in acknowledged:
                entries.setdefault(o.client, []).append(str(o.body["id"]))
            targets = [entries[c][0] for c in sorted(entries)]
            hot_targets = [entries[c][1] for c in sorted(entries)]
            before = meter.snapshot()
            vote_outcomes, vote_elapsed = votes_over_http(
                settings, scene, server.url, targets, time_limit
            )
            cpu_vote = spent(before, settled(meter))
            check_votes(settings, scene, server.url, targets, vote_outcomes)
            hot_outcomes, hot_elapsed = votes_over_http(
                settings, scene, server.url, hot_targets, time_limit, spread=False
            )
            check_votes(settings, scene, server.url, hot_targets, hot_outcomes, spread=False)
        baseline_count = 20 if quick else 1000
        library = library_save_loop(settings, scene, baseline_count)
        # Up to 100 entries per solver: the HTTP run used per_client of them.
        per_thread = 2 if quick else min(15, (100 - per_client) // 2)
        in_process_off, _ = concurrent_commands(settings, scene, "off", per_thread, "off")
        in_process_on, mean_batch = concurrent_commands(settings, scene, "on", per_thread, "on")
        executemany, copy_rate = psycopg_rows(url, 200 if quick else 20_000)

    rate = len(acknowledged) / elapsed
    latencies = [o.seconds * 1000 for o in acknowledged]
    votes = [o for o in vote_outcomes if o.status == 200]
    vote_rate = len(votes) / vote_elapsed
    vote_latencies = [o.seconds * 1000 for o in votes]
    hot_votes = [o for o in hot_outcomes if o.status == 200]
    hot_rate = len(hot_votes) / hot_elapsed
    hot_latencies = [o.seconds * 1000 for o in hot_votes]
    delays = [d * 1000 for d in watcher.delays]
    label = f"HTTP pg {1 if quick else WORKERS}w {clients}c"
    cpu_me_ms = cpu_per_request("GET /api/v1/me", cpu_me, me_count)
    cpu_submit_ms = cpu_per_request("submissions", cpu_submit, len(acknowledged))
    cpu_vote_ms = cpu_per_request(
        "votes spread over entries", cpu_vote, sum(o.status == 200 for o in vote_outcomes)
    )
    print(
        f"bench_http: {len(acknowledged)} submissions in {elapsed:.1f}s, "
        f"{len(votes)} votes in {vote_elapsed:.1f}s, "
        f"{len(hot_votes)} votes on one entry at a time in {hot_elapsed:.1f}s",
        file=sys.stderr,
    )
    in_label = f"in-process pg {clients} threads"
    results += [
        Result(
            f"{in_label}: submissions/s, group commit",
            in_process_on,
            "same, group commit off",
            in_process_off,
            "submissions/s",
        ),
        Result(
            f"{in_label}: mean batch (callers per insert)",
            mean_batch,
            "without group commit",
            1.0,
            "callers",
        ),
        Result(
            f"{label}: submissions/s vs in-process",
            rate,
            "in-process commands, group commit",
            in_process_on,
            "submissions/s",
        ),
        Result(
            f"{label}: submissions/s",
            rate,
            "library save loop, same aggregates",
            library,
            "submissions/s",
            ">= 1,100/s",
        ),
        Result(
            f"{label}: submissions/s vs executemany",
            rate,
            "psycopg executemany rows/s",
            executemany,
            "submissions/s",
        ),
        Result(
            f"{label}: submissions/s vs COPY",
            rate,
            "psycopg COPY rows/s",
            copy_rate,
            "submissions/s",
        ),
        Result(
            f"{label}: submission p50 latency",
            percentile(latencies, 0.5),
            "p99",
            percentile(latencies, 0.99),
            "ms",
        ),
        Result(
            f"{label}: votes/s (one per person, spread over entries)",
            vote_rate,
            "library save loop (submissions)",
            library,
            "votes/s",
            ">= 1,000/s",
        ),
        Result(
            f"{label}: vote p50 latency",
            percentile(vote_latencies, 0.5),
            "p99",
            percentile(vote_latencies, 0.99),
            "ms",
        ),
        Result(
            f"{label}: votes/s, all on one entry at a time",
            hot_rate,
            "votes spread over entries",
            vote_rate,
            "votes/s",
        ),
        Result(
            f"{label}: vote on one entry p50 latency",
            percentile(hot_latencies, 0.5),
            "p99",
            percentile(hot_latencies, 0.99),
            "ms",
        ),
        Result(
            f"{label}: HTTP ceiling, GET /api/v1/me (token + account)",
            me,
            "GET /healthz",
            healthz,
            "requests/s",
        ),
        Result(
            f"{label}: GET /api/v1/me, lean load generator",
            me,
            "same, httpx load generator",
            me_httpx,
            "requests/s",
        ),
        Result(
            f"{label}: votes/s vs the HTTP ceiling",
            vote_rate,
            "GET /api/v1/me requests/s",
            me,
            "votes/s",
        ),
        Result(
            f"{label}: submissions/s vs the HTTP ceiling",
            rate,
            "GET /api/v1/me requests/s",
            me,
            "submissions/s",
        ),
        Result(
            f"{label}: CPU ms per submission, all processes",
            cpu_submit_ms,
            "per GET /api/v1/me",
            cpu_me_ms,
            "ms",
            "<= 2.5x",
        ),
        Result(
            f"{label}: submissions/s the cores allow at that cost",
            cores() * 1000 / cpu_submit_ms,
            "measured submissions/s",
            rate,
            "submissions/s",
            ">= 1,100/s",
        ),
        Result(
            f"{label}: CPU ms per vote, all processes",
            cpu_vote_ms,
            "per GET /api/v1/me",
            cpu_me_ms,
            "ms",
            "<= 2.5x",
        ),
        Result(
            f"{label}: votes/s the cores allow at that cost",
            cores() * 1000 / cpu_vote_ms,
            "measured votes/s",
            vote_rate,
            "votes/s",
            ">= 1,000/s",
        ),
        Result(
            f"{label}: write to visible p50",
            percentile(delays, 0.5),
            "p99",
            percentile(delays, 0.99),
            "ms",
            "p99 < 100 ms",
        ),
    ]
    return results


def run(quick: bool) -> list[Result]:
    url, cluster = postgres.find_or_start()
    try:
        if url is None:
            print("bench_http: no PostgreSQL server; skipped", file=sys.stderr)
            return []
        return measure(url, quick)
    finally:
        if cluster is not None:
            cluster.stop()


# --- per-request cost (not part of the table): `python -m tests.benchmarks.bench_http` ----


def request_costs(url: str, count: int = 200) -> None:
    """Token lookup + submit, and token lookup + vote, one after another in one thread:
    per request, the statements sent (aggregate reads, inserts), pool pings, deep copies
    and Python function calls (cProfile; counts do not depend on the machine's load)."""
    import cProfile
    import pstats

    def per_request(profile: cProfile.Profile) -> dict[str, float]:
        stats: Any = pstats.Stats(profile).stats  # type: ignore[attr-defined]

        def calls(function: str, file: str = "") -> int:
            return sum(v[1] for k, v in stats.items() if k[2] == function and file in k[0])

        return {
            # One stream at a time, and many at once (reads ahead, persistence/repository.py).
            "reads": calls("select_events", "eventsourcing")
            + calls("read_many", "openinno/persistence/repository"),
            # The library's insert, or the single-statement one that replaces it where
            # the schema has the function (persistence/statements.py).
            "inserts": calls("insert_events", "eventsourcing/postgres")
            + calls("insert_events", "openinno/persistence/statements"),
            "pool pings": calls("check_connection", "psycopg_pool"),
            "deep copies": calls("deepcopy"),
            "function calls": sum(v[1] for v in stats.values()),
        }

    with tempfile.TemporaryDirectory() as tmp, pg_store(url, Path(tmp)) as settings:
        scene = http_scene(settings, 10, per_solver=100, voting=True)
        app = OpenInno(settings)
        try:
            solvers = scene.solvers
            submissions = []
            profile = cProfile.Profile()
            profile.enable()
            for n in range(count):
                actor = app.account_for_token(solvers[1 + n % 9].token)
                title = f"Entry {n}"
                submissions.append(
                    app.submit(actor, scene.challenge, title, "A set.", scene.terms).id
                )
            profile.disable()
            submit = per_request(profile)
            profile = cProfile.Profile()
            profile.enable()
            for submission_id in submissions:
                app.support(app.account_for_token(solvers[0].token), submission_id)
            profile.disable()
            vote = per_request(profile)
        finally:
            app.close()
    for name, figures in (("submit", submit), ("vote", vote)):
        print(name, ", ".join(f"{k} {v / count:,.1f}" for k, v in figures.items()))


if __name__ == "__main__":
    found, started = postgres.find_or_start()
    try:
        if found is not None:
            request_costs(found)
    finally:
        if started is not None:
            started.stop()
