"""`openinno audit` at growing log sizes on SQLite: events/s and the peak memory of the
process that audits (a fresh one per size, so each peak is its own).  Issue 22 asks for
a flat memory curve: the audit streams, holding no list of every leaf.

    PYTHONPATH=src:. python -m tests.benchmarks.audit_memory 50000 200000

Each size writes the benchmark's usual log (bench_projections.write_log), lets the
ledger follow it and sign, then audits in a child process."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.log import catch_up, ledger_for
from tests.benchmarks.bench_projections import sqlite_store, write_log

PART = 250_000


def audit_in_this_process(data_dir: str) -> dict[str, float]:
    from openinno.application import OpenInno
    from openinno.ledger.audit import audit
    from openinno.settings import Settings

    settings = Settings(database_url=f"sqlite:///{data_dir}/events.db", data_dir=Path(data_dir))
    app = OpenInno(settings)
    ledger = ledger_for(app)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    assert ledger.signing_key is not None
    report = audit(ledger, ledger.signing_key.public_key(), files=app.files)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert report.ok, report.findings[:5]
    return {
        "events": report.events,
        "seconds": seconds,
        "events_per_s": report.events / seconds,
        "rss_before_kib": before,
        "peak_rss_kib": peak,
    }


def measure(events: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, sqlite_store(Path(tmp)) as store:
        started = time.perf_counter()
        # The generator's clock moves ten years a cohort and leaves the calendar after
        # about 300,000 events: write in parts, each from its start again (ids are fresh).
        while (store.app.recorder.max_notification_id() or 0) < events:
            left = events - (store.app.recorder.max_notification_id() or 0)
            write_log(store.app, min(left, PART))
        written = time.perf_counter() - started
        (store.settings.data_dir / "signing-key.pem").write_bytes(
            checkpoints.generate_private_key_pem()
        )
        ledger = ledger_for(store.app, create_tables=True)
        ledger.checkpoint_every_events = 10_000
        try:
            catch_up(ledger)
            ledger.checkpoint_now()
        finally:
            ledger.db.close()
        child = subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.audit_memory", "--audit", tmp],
            check=True,
            capture_output=True,
            text=True,
        )
        result: dict[str, float] = json.loads(child.stdout.strip().splitlines()[-1])
        result["write_seconds"] = written
        return result


def main(argv: list[str]) -> None:
    if argv[:1] == ["--audit"]:
        print(json.dumps(audit_in_this_process(argv[1])))
        return
    for size in (int(a) for a in argv):
        r = measure(size)
        print(
            f"{r['events']:>9,.0f} events: audit {r['events_per_s']:,.0f} events/s"
            f" ({r['seconds']:.1f} s), peak RSS {r['peak_rss_kib'] / 1024:,.1f} MiB"
            f" (before the audit {r['rss_before_kib'] / 1024:,.1f} MiB);"
            f" writing the log took {r['write_seconds']:.0f} s",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
