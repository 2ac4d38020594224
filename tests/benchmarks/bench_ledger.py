"""The tamper-evident log: how fast the follower appends events to the Merkle tree
and how fast `openinno audit` recomputes it, beside the raw read+decode ceiling
of the same log in the same run."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.audit import audit
from openinno.ledger.log import catch_up, ledger_for
from tests.benchmarks.bench_projections import (
    Store,
    postgres_store,
    read_ceiling,
    sqlite_store,
    write_log,
)
from tests.benchmarks.report import Result
from tests.support import postgres


def measure(store: Store, events: int) -> list[Result]:
    app = store.app
    write_log(app, events)
    head = app.recorder.max_notification_id() or 0
    count, seconds = read_ceiling(app)
    ceiling = count / seconds
    (store.settings.data_dir / "signing-key.pem").write_bytes(
        checkpoints.generate_private_key_pem()
    )
    ledger = ledger_for(app, create_tables=True)
    try:
        started = time.perf_counter()
        appended = catch_up(ledger)
        follow_rate = appended / (time.perf_counter() - started)
        assert appended == count and ledger.state()[0] == count, "every event becomes one leaf"
        ledger.checkpoint_now()
        assert ledger.signing_key is not None
        started = time.perf_counter()
        report = audit(ledger, ledger.signing_key.public_key())
        audit_rate = report.events / (time.perf_counter() - started)
        assert report.ok and report.events == count, report.findings
    finally:
        ledger.db.close()
    print(f"bench_ledger [{store.label}]: {count:,} events, head {head:,}", file=sys.stderr)
    return [
        Result(
            f"ledger follow [{store.label}]",
            follow_rate,
            "ceiling: read+decode",
            ceiling,
            "events/s",
        ),
        Result(
            f"ledger audit [{store.label}]", audit_rate, "ceiling: read+decode", ceiling, "events/s"
        ),
    ]


def run(quick: bool) -> list[Result]:
    events = 2_000 if quick else 200_000
    results: list[Result] = []
    url, cluster = postgres.find_or_start()
    try:
        if url is not None:
            with tempfile.TemporaryDirectory() as tmp, postgres_store(url, Path(tmp)) as store:
                results.extend(measure(store, events))
    finally:
        if cluster is not None:
            cluster.stop()
    with tempfile.TemporaryDirectory() as tmp, sqlite_store(Path(tmp)) as store:
        results.extend(measure(store, events))
    return results
