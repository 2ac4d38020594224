"""CPU per write command in process on PostgreSQL: `python -m tests.benchmarks.write_costs`.

Token lookup + submit, then token lookup + vote on each new entry, COUNT of each (default
600) one after another in one thread.  Prints, per command: this process's CPU
(``time.process_time``), the CPU of its PostgreSQL backends (``/proc/<pid>/stat``, found by
``application_name``; the server must run on this machine), wall time, and the statements
sent (``psycopg.Cursor.execute`` wrapped).  ``PROFILE=1`` adds cProfile with a CPU timer.

Not a ``bench_*`` module (not part of ``make bench``): an A/B tool.  Old code from a
worktree: ``cd /tmp/wt && PYTHONPATH=/tmp/wt/src:/tmp/wt python -m
tests.benchmarks.write_costs``, alternating with the new code, in the same window.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import re
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

APP_NAME = f"write-costs-{uuid.uuid4().hex[:8]}"
os.environ["PGAPPNAME"] = APP_NAME  # before any connection: libpq reads it

import psycopg  # noqa: E402

from openinno.application import OpenInno  # noqa: E402
from tests.support import postgres  # noqa: E402
from tests.support.cpu import process_cpu  # noqa: E402
from tests.support.server import http_scene, pg_store  # noqa: E402

COUNT = int(os.environ.get("COUNT", 600))
STATEMENTS: Counter[str] = Counter()


def count_statements() -> None:
    execute = psycopg.Cursor.execute

    def counted(self: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
        text = query.as_string(self.connection) if hasattr(query, "as_string") else str(query)
        STATEMENTS[re.sub(r"\s+", " ", text)[:100]] += 1
        return execute(self, query, params, **kwargs)

    psycopg.Cursor.execute = counted  # type: ignore[method-assign]


def backends_cpu_ms(url: str) -> float:
    with psycopg.connect(url, autocommit=True, application_name="write-costs-observer") as c:
        pids = [
            row[0]
            for row in c.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (APP_NAME,)
            )
        ]
    return sum(process_cpu(pid) for pid in pids) * 1000


def measure(url: str) -> None:
    with tempfile.TemporaryDirectory() as tmp, pg_store(url, Path(tmp)) as settings:
        scene = http_scene(settings, 31, per_solver=100, voting=True)
        app = OpenInno(settings)
        try:
            solvers = scene.solvers
            warm = app.account_for_token(solvers[1].token)
            first = app.submit(warm, scene.challenge, "Warm-up", "A set.", scene.terms).id
            app.support(app.account_for_token(solvers[0].token), first)
            entries: list[uuid.UUID] = []

            # As the API does (web/api/submissions.py, votes.py): the token's query also
            # reads what the command will.
            def submit() -> None:
                for n in range(COUNT):
                    with app.one_snapshot():
                        actor = app.account_for_token(
                            solvers[1 + n % 30].token,
                            also=lambda a: app.reads_of_submit(a, scene.challenge),
                        )
                        title = f"Entry {n}"
                        entries.append(
                            app.submit(actor, scene.challenge, title, "A set.", scene.terms).id
                        )

            def vote() -> None:
                for entry in entries:
                    with app.one_snapshot():
                        actor = app.account_for_token(
                            solvers[0].token, also=lambda a, e=entry: app.reads_of_support(a, e)
                        )
                        app.support(actor, entry)

            commands: list[tuple[str, Callable[[], None]]] = [("submit", submit), ("vote", vote)]
            for name, run in commands:
                STATEMENTS.clear()
                profile = cProfile.Profile(time.process_time) if os.environ.get("PROFILE") else None
                backends, cpu, wall = backends_cpu_ms(url), time.process_time(), time.perf_counter()
                if profile:
                    profile.enable()
                run()
                if profile:
                    profile.disable()
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                backends = backends_cpu_ms(url) - backends
                print(
                    f"{name}: client CPU {cpu * 1000 / COUNT:.2f} ms, backends' CPU "
                    f"{backends / COUNT:.2f} ms, wall {wall * 1000 / COUNT:.2f} ms per command"
                )
                for text, times in STATEMENTS.most_common():
                    if times / COUNT >= 0.1:
                        print(f"  {times / COUNT:5.2f} x {text}")
                if profile:
                    out = io.StringIO()
                    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(30)
                    print(out.getvalue())
        finally:
            app.close()
    print("load average", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    count_statements()
    found, started = postgres.find_or_start()
    try:
        if found is not None:
            measure(found)
    finally:
        if started is not None:
            started.stop()
