"""Assignment at volume (issue 20, decision 0023): 100,000 entries to 300 reviewers,
k = 3 (quick: 2,000 entries to 30 reviewers).

The figure is the whole command, ``assign_reviewers``: loading the reviewers'
assignment streams, the assignment, and storing its events (one
``ReviewAssignment`` stream per reviewer, entry ids in batches of at most 2,000, and
the challenge's ``ReviewersAssigned``) in a SQLite event store; the baseline, in the
same run, the bare algorithm (``balanced_assignment``) on the same input.  Both in
(entry, reviewer) pairs per second.  Entries are given as ids, as the web layer
gives them from the read model (the command does not load each entry)."""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.domain.assignment import balanced_assignment
from openinno.persistence.migrate import migrate_event_store
from openinno.settings import Settings
from tests.benchmarks.report import Result
from tests.support.keys import give_write_key
from tests.support.story import scene


def measure(tmp: Path, entries: int, reviewers: int, k: int) -> list[Result]:
    settings = Settings(
        database_url=f"sqlite:///{tmp}/events.db",
        data_dir=tmp,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )
    give_write_key(tmp)
    migrate_event_store(settings)
    clock = ManualClock(datetime(2026, 3, 1, 9, tzinfo=UTC))
    app = OpenInno(settings, clock=clock)
    try:
        s = scene(app, clock)
        challenge_id, _terms = s.open_challenge()
        panel = [s.account(f"judge{i}") for i in range(reviewers)]
        for person in panel:
            app.invite_reviewer(s.sponsor, challenge_id, person)
            app.accept_reviewer_invitation(person, challenge_id)
        ids = [uuid4() for _ in range(entries)]
        clock.advance(timedelta(days=30))
        pairs = entries * k

        started = time.perf_counter()
        bare = balanced_assignment(ids, panel, k, seed=1)
        bare_seconds = time.perf_counter() - started
        assert sum(len(v) for v in bare.values()) == pairs

        started = time.perf_counter()
        done = app.assign_reviewers(s.sponsor, challenge_id, ids, k, seed=1)
        command_seconds = time.perf_counter() - started
        assert (done.pairs_added, done.short) == (pairs, 0)

        # What was stored: events and the largest payload (bounded by the batch size).
        with sqlite3.connect(tmp / "events.db") as db:
            tables = [
                name
                for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if "state" in {c[1] for c in db.execute(f"PRAGMA table_info({name})")}
            ]
            sizes = [
                int(n) for t in tables for (n,) in db.execute(f"SELECT LENGTH(state) FROM {t}")
            ]
        if sizes:
            print(
                f"bench_assignment: {len(sizes)} events in the store, largest payload"
                f" {max(sizes):,} bytes, {sum(sizes):,} bytes in all",
                file=sys.stderr,
            )
        # Determinism: the command's pairs are the bare algorithm's for the seed.
        loads = sorted(len(v) for v in bare.values())
        print(
            f"bench_assignment: {entries:,} entries, {reviewers} reviewers, k={k}:"
            f" loads {loads[0]}..{loads[-1]}; bare {bare_seconds:.2f}s,"
            f" command {command_seconds:.2f}s",
            file=sys.stderr,
        )
        return [
            Result(
                f"assign {entries:,} entries to {reviewers} reviewers, k={k} (command, stored)",
                pairs / command_seconds,
                "bare algorithm (same run)",
                pairs / bare_seconds,
                "pairs/s",
            )
        ]
    finally:
        app.close()


def run(quick: bool) -> list[Result]:
    entries, reviewers = (2_000, 30) if quick else (100_000, 300)
    with tempfile.TemporaryDirectory() as tmp:
        return measure(Path(tmp), entries, reviewers, 3)


if __name__ == "__main__":
    for result in run("--quick" in sys.argv):
        print(result)
