"""A vote's and a submission's CPU in process on PostgreSQL (issue 28), against a floor
measured in the same run on the same database.

The command: as the API runs it (web/api/votes.py, submissions.py), the token lookup
and the command in one snapshot (``one_snapshot``), one after another in one thread:
COUNT submissions by 30 solvers, then one vote on each new entry.  Its CPU: this
process's (``time.process_time``) plus its PostgreSQL backends' (``/proc``, found by
``application_name``), per command.

The floor: what any implementation must do for that command on this store, with
nothing else: on a plain psycopg connection, one read of the command's streams by
primary key with a reused plan (the read function, ``openinno_read_streams_v1``, with
the versions already held: nothing new to read), and one locked insert of the
command's two rows (the events just recorded by the last command of the kind: same
sizes) with NOTIFY, in one statement, into a copy of the events table.  Client CPU plus
that connection's backend CPU.  Target: command <= 1.5x its floor.

``--quick`` runs a few commands and checks only that every one was recorded.  The
machine may be shared: figures are read as ratios within one run; the floors run
before and after the commands, and the mean is the baseline.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.benchmarks.report import Result
from tests.support import postgres

APP_NAME = f"bench-writes-{uuid.uuid4().hex[:8]}"


def _backends_cpu(url: str) -> float:
    import psycopg

    from tests.support.cpu import process_cpu

    with psycopg.connect(url, autocommit=True, application_name="bench-writes-observer") as c:
        pids = [
            row[0]
            for row in c.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (APP_NAME,)
            )
        ]
    return sum(process_cpu(pid) for pid in pids)


def _cpu_ms(url: str, count: int, work: Callable[[], None]) -> tuple[float, float, float]:
    """Client and backends' CPU ms per operation, and operations/s (wall)."""
    backends, cpu, wall = _backends_cpu(url), time.process_time(), time.perf_counter()
    work()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    backends = _backends_cpu(url) - backends
    return cpu * 1000 / count, backends * 1000 / count, count / wall


class Floor:
    """The floor's connection: a read of given streams, an insert of given rows."""

    def __init__(self, url: str, app: Any) -> None:
        import psycopg
        from psycopg import sql

        from openinno.persistence.statements import READ_FUNCTION

        recorder = app.recorder
        schema = sql.Identifier(recorder.datastore.schema)
        table = sql.Identifier(recorder.events_table_name)
        self.conn = psycopg.connect(url, autocommit=True, application_name="bench-writes-floor")
        self.pid = self.conn.info.backend_pid
        self.conn.execute(
            sql.SQL(
                "CREATE TABLE {s}.floor_events (LIKE {s}.{t} INCLUDING ALL); "
                "CREATE FUNCTION {s}.floor_insert(ids uuid[], versions bigint[], "
                "topics text[], states bytea[]) RETURNS SETOF bigint LANGUAGE plpgsql AS $b$ "
                "BEGIN LOCK TABLE {s}.floor_events IN EXCLUSIVE MODE; NOTIFY floor_events; "
                "RETURN QUERY INSERT INTO {s}.floor_events AS f "
                "(originator_id, originator_version, topic, state) "
                "SELECT * FROM unnest(ids, versions, topics, states) "
                "RETURNING f.notification_id; END $b$"
            ).format(s=schema, t=table)
        )
        self.read = (
            sql.SQL("SELECT * FROM {}.{}(%s::uuid[], %s::bigint[])")
            .format(schema, sql.Identifier(READ_FUNCTION))
            .as_bytes(None)
        )
        self.insert = (
            sql.SQL("SELECT * FROM {}.floor_insert(%s::uuid[], %s::bigint[], %s::text[], %s)")
            .format(schema)
            .as_bytes(None)
        )
        self.sql = sql

    def versions(self, app: Any, streams: list[uuid.UUID]) -> dict[uuid.UUID, int]:
        recorder = app.recorder
        rows = self.conn.execute(
            self.sql.SQL(
                "SELECT originator_id, max(originator_version) FROM {}.{} "
                "WHERE originator_id = ANY(%s) GROUP BY originator_id"
            ).format(
                self.sql.Identifier(recorder.datastore.schema),
                self.sql.Identifier(recorder.events_table_name),
            ),
            [streams],
        ).fetchall()
        held = dict(rows)
        return {s: held.get(s, 0) for s in streams}

    def rows(self, app: Any, streams: list[uuid.UUID]) -> list[tuple[str, bytes]]:
        """The last events of these streams (a command's two): topics and states."""
        recorder = app.recorder
        return [
            (row[0], bytes(row[1]))
            for row in self.conn.execute(
                self.sql.SQL(
                    "SELECT DISTINCT ON (originator_id) topic, state FROM {}.{} "
                    "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version DESC"
                ).format(
                    self.sql.Identifier(recorder.datastore.schema),
                    self.sql.Identifier(recorder.events_table_name),
                ),
                [streams],
            )
        ]

    def measure(
        self, held: dict[uuid.UUID, int], rows: list[tuple[str, bytes]], count: int
    ) -> tuple[float, float]:
        """Client and backend CPU ms per (read + insert)."""
        from tests.support.cpu import process_cpu

        ids = "{" + ",".join(map(str, held)) + "}"
        versions = "{" + ",".join(map(str, held.values())) + "}"
        topics = "{" + ",".join(t for t, _ in rows) + "}"
        states = [s for _, s in rows]
        backend, cpu = process_cpu(self.pid), time.process_time()
        for _ in range(count):
            with self.conn.cursor() as curs:
                curs.execute(self.read, [ids, versions], prepare=True)
                curs.fetchall()
                new = "{" + ",".join(str(uuid.uuid4()) for _ in rows) + "}"
                one = "{" + ",".join("1" for _ in rows) + "}"
                curs.execute(self.insert, [new, one, topics, states], prepare=True)
                curs.fetchall()
        cpu = time.process_time() - cpu
        backend = process_cpu(self.pid) - backend
        return cpu * 1000 / count, backend * 1000 / count

    def close(self) -> None:
        self.conn.close()


def measure(url: str, quick: bool) -> list[Result]:
    os.environ["PGAPPNAME"] = APP_NAME  # libpq reads it: the app's connections only
    from openinno.application import OpenInno
    from openinno.domain import ids
    from tests.support.server import http_scene, pg_store

    count = 20 if quick else min(2900, int(os.environ.get("BENCH_WRITES_COUNT", 1500)))
    try:
        with tempfile.TemporaryDirectory() as tmp, pg_store(url, Path(tmp)) as settings:
            scene = http_scene(settings, 31, per_solver=100, voting=True)
            app = OpenInno(settings)
            floor = Floor(url, app)
            try:
                solvers = scene.solvers
                warm = app.account_for_token(solvers[1].token)
                first = app.submit(warm, scene.challenge, "Warm-up", "A set.", scene.terms).id
                app.support(app.account_for_token(solvers[0].token), first)
                entries: list[uuid.UUID] = []

                def submit() -> None:
                    for n in range(count):
                        with app.one_snapshot():
                            actor = app.account_for_token(
                                solvers[1 + n % 30].token,
                                also=lambda a: app.reads_of_submit(a, scene.challenge),
                            )
                            entries.append(
                                app.submit(
                                    actor, scene.challenge, f"Entry {n}", "A set.", scene.terms
                                ).id
                            )

                def vote() -> None:
                    for entry in entries:
                        with app.one_snapshot():
                            actor = app.account_for_token(
                                solvers[0].token,
                                also=lambda a, e=entry: app.reads_of_support(a, e),
                            )
                            app.support(actor, entry)

                # The streams each command reads, and the two it records, for the floor.
                from openinno.domain.token import token_sha256, token_stream_id

                voter = app.account_for_token(solvers[0].token)
                solver = app.account_for_token(solvers[1].token)
                organisation = app._streams.cached_link(scene.challenge, "organisation_id")

                def streams_of_vote(entry: uuid.UUID) -> list[uuid.UUID]:
                    return [
                        token_stream_id(token_sha256(solvers[0].token)),
                        *(s for s in app.reads_of_support(voter, entry) if s is not None),
                    ]

                streams_of_submit = [
                    token_stream_id(token_sha256(solvers[1].token)),
                    *(s for s in app.reads_of_submit(solver, scene.challenge) if s is not None),
                ]
                floor_count = 20 if quick else count
                held = floor.versions(app, streams_of_submit)
                submit_rows = floor.rows(
                    app, [first, ids.solver_entries_id(scene.challenge, solver)]
                )
                floor_submit = [floor.measure(held, submit_rows, floor_count)]
                submit_cpu, submit_backend, submit_rate = _cpu_ms(url, count, submit)
                vote_held = floor.versions(app, streams_of_vote(first))
                vote_rows = floor.rows(
                    app, [ids.vote_id(first, voter), ids.support_tally_id(first)]
                )
                assert organisation is not None
                floor_vote = [floor.measure(vote_held, vote_rows, floor_count)]
                vote_cpu, vote_backend, vote_rate = _cpu_ms(url, count, vote)
                floor_submit.append(floor.measure(held, submit_rows, floor_count))
                floor_vote.append(floor.measure(vote_held, vote_rows, floor_count))
                # Every command recorded: each entry counted one vote.
                assert len(entries) == count
                assert all(app.support_count(e) == 1 for e in entries[:: max(1, count // 50)])
            finally:
                floor.close()
                app.close()
    finally:
        os.environ.pop("PGAPPNAME", None)

    def mean(pairs: list[tuple[float, float]]) -> float:
        return sum(c + b for c, b in pairs) / len(pairs)

    print(
        f"bench_writes: per submission client {submit_cpu:.3f} + backend {submit_backend:.3f}"
        f" ms; floor {floor_submit}; per vote client {vote_cpu:.3f} + backend"
        f" {vote_backend:.3f} ms; floor {floor_vote}; load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        file=sys.stderr,
    )
    label = "in-process pg, one thread"
    return [
        Result(
            f"{label}: CPU ms per submission (client + backend)",
            submit_cpu + submit_backend,
            "floor: read by key + locked insert",
            mean(floor_submit),
            "ms",
            "<= 1.5x",
        ),
        Result(
            f"{label}: CPU ms per vote (client + backend)",
            vote_cpu + vote_backend,
            "floor: read by key + locked insert",
            mean(floor_vote),
            "ms",
            "<= 1.5x",
        ),
        Result(f"{label}: submissions/s", submit_rate, "votes/s", vote_rate, "commands/s"),
    ]


def run(quick: bool) -> list[Result]:
    url, cluster = postgres.find_or_start()
    try:
        if url is None:
            print("bench_writes: no PostgreSQL server; skipped", file=sys.stderr)
            return []
        return measure(url, quick)
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    from tests.benchmarks.report import print_table

    print_table(run("--quick" in sys.argv))
