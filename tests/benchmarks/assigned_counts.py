"""Progress per reviewer at the bench's volume (100,000 entries, 300 reviewers, k = 3):
the per-request grouped count over rv_assigned (before decision 0029) against the
kept counter (rv_assigned_counts), on SQLite with the projection's own DDL and
triggers, and what the counter's triggers cost when the rows are written.  Both are
measured in the same run.  Run: ``python -m tests.benchmarks.assigned_counts``."""

from __future__ import annotations

import random
import sqlite3
import statistics
import time

from projections.reviewers.projection import DDL, SQLITE_DDL
from projections.reviewers.queries import LIVE

CHALLENGE = "c"
GROUPED = (
    "SELECT a.reviewer_id, COUNT(*) AS n FROM rv_assigned a"
    " JOIN rv_entries e ON e.submission_id = a.submission_id"
    f" WHERE a.challenge_id = ? AND e.status NOT IN {LIVE} GROUP BY a.reviewer_id"
)
KEPT = "SELECT reviewer_id, assigned FROM rv_assigned_counts WHERE challenge_id = ?"
INSERT = "INSERT INTO rv_assigned VALUES (?, ?, ?)"


def _median(db: sqlite3.Connection, sql: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        db.execute(sql, (CHALLENGE,)).fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    db = sqlite3.connect(":memory:")
    for statement in (*DDL, *SQLITE_DDL):
        db.execute(statement)
    entries = [f"s{i:06d}" for i in range(100_000)]
    reviewers = [f"r{i:03d}" for i in range(300)]
    db.executemany(
        "INSERT INTO rv_entries (submission_id, challenge_id, entry_key, title, summary,"
        " version, content_sha256, status, shortlisted, submitted_at)"
        " VALUES (?, ?, ?, 't', 's', 1, 'h', ?, 0, 'x')",
        [
            (e, CHALLENGE, e, "withdrawn" if i % 50 == 0 else "submitted")
            for i, e in enumerate(entries)
        ],
    )
    rng = random.Random(1)
    rows = [(CHALLENGE, r, e) for e in entries for r in rng.sample(reviewers, 3)]
    started = time.perf_counter()
    db.executemany(INSERT, rows)
    db.commit()
    with_triggers = time.perf_counter() - started
    grouped = dict(db.execute(GROUPED, (CHALLENGE,)).fetchall())
    assert grouped == dict(db.execute(KEPT, (CHALLENGE,)).fetchall()), "counts differ"
    before, after = _median(db, GROUPED, 7), _median(db, KEPT, 51)
    print(
        f"progress per reviewer, median: grouped count {before * 1000:.1f} ms,"
        f" kept counter {after * 1000:.3f} ms ({before / after:,.0f}x)"
    )
    db.execute("DROP TRIGGER rv_assigned_counted_insert")
    db.execute("DROP TRIGGER rv_assigned_counted_delete")
    db.execute("DELETE FROM rv_assigned")
    db.commit()
    started = time.perf_counter()
    db.executemany(INSERT, rows)
    db.commit()
    without = time.perf_counter() - started
    print(
        f"writing {len(rows):,} assigned rows: {with_triggers:.1f} s with the counter's"
        f" triggers, {without:.1f} s without ({with_triggers / without:.1f}x)"
    )


if __name__ == "__main__":
    main()
