"""An evidence bundle as a legal team gets it: its size, and how long the standalone
verifier (`evidence_verifier.py`, what anyone runs offline) takes to check it, beside
decoding the same bundle's JSON, the floor of any check, in the same run.

The story: a log of N other events first (the proofs grow with the log), then an
entry with a file, revised, awarded, signed, countersigned and paid; the payment
transfers the rights.  SQLite: the bundle's content does not depend on the store."""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.files import Upload
from openinno.ledger import checkpoint as checkpoints
from openinno.ledger import evidence_verifier
from openinno.ledger.bundle import build_bundle, bundle_chunks
from openinno.ledger.log import catch_up, ledger_for
from openinno.persistence.migrate import migrate_event_store
from openinno.settings import Settings
from tests.benchmarks.bench_projections import write_log
from tests.benchmarks.report import Result
from tests.support.keys import give_write_key
from tests.support.story import scene

PDF = b"%PDF-1.7\n" + b"our pendulum park plans " * 2_000  # ~48 KB, as a real brief


def _median_seconds(call: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(tmp: Path, events: int, repeat: int) -> list[Result]:
    settings = Settings(database_url=f"sqlite:///{tmp}/events.db", data_dir=tmp)
    give_write_key(tmp)
    migrate_event_store(settings)
    clock = ManualClock(datetime(2026, 3, 1, 9, tzinfo=UTC))
    app = OpenInno(settings, clock=clock)
    try:
        write_log(app, events)
        (tmp / "signing-key.pem").write_bytes(checkpoints.generate_private_key_pem())
        ledger = ledger_for(app, create_tables=True)
        s = scene(app, clock)
        legal = s.account("legal")
        app.add_member(s.sponsor, s.organisation, legal, "legal")
        challenge_id, terms = s.open_challenge()
        plan = Upload.of_bytes("plan.pdf", PDF)
        entry = app.submit(s.solver, challenge_id, "Pendulum park", "Swings.", terms, [plan]).id
        app.revise_submission(s.solver, entry, "Pendulum park", "And a seesaw.", [plan])
        clock.advance(timedelta(days=30))
        agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
        text = app.get_agreement(s.solver, agreement_id).text_sha256
        app.sign_agreement(s.solver, agreement_id, "Solver", "I agree to assign", text)
        app.countersign_agreement(legal, agreement_id, "Legal", "Signed for Brickworks", text)
        app.record_payment(s.sponsor, agreement_id, "WIRE-1")
        catch_up(ledger)
        assert ledger.signing_key is not None
        public = ledger.signing_key.public_key()
        raw = b"".join(bundle_chunks(build_bundle(ledger, entry), app.files.chunks))
        head = app.recorder.max_notification_id() or 0
        # The map of stream heads each checkpoint note commits to (decision 0024): its
        # root from the stored map at every checkpoint, beside the checkpoint's own
        # signature; and rebuilt whole (a bundle at an older checkpoint, the audit).
        size, _ = ledger.state()
        streams = len(ledger.heads_map(size)[0])
        heads_s = _median_seconds(lambda: ledger.heads_commitment(size), repeat)
        rebuild_s = _median_seconds(lambda: ledger.heads_map(size)[1].root(), 3)
        root = ledger.tree().root(size)
        sign_s = _median_seconds(
            lambda: checkpoints.sign(ledger.signing_key, size, root, clock.now()),
            repeat,  # type: ignore[arg-type]
        )
        ledger.db.close()
    finally:
        app.close()
    bundle = json.loads(raw)
    heads_bytes = len(json.dumps(bundle["stream_heads"], indent=1))
    result = evidence_verifier.verify_bundle(bundle, public)
    assert result.ok, result.report()
    verify_s = _median_seconds(
        lambda: evidence_verifier.verify_bundle(json.loads(raw), public), repeat
    )
    decode_s = _median_seconds(lambda: json.loads(raw), repeat)
    print(
        f"bench_bundle: log of {head:,} events; bundle {len(raw):,} bytes"
        f" ({len(bundle['events'])} events, {len(PDF):,} bytes of files,"
        f" {heads_bytes:,} bytes of stream heads for {len(bundle['stream_heads'])} streams);"
        f" the map of heads: {streams:,} streams",
        file=sys.stderr,
    )
    return [
        Result(
            f"bundle verify ({head:,} events)",
            verify_s * 1000,
            "JSON decode",
            decode_s * 1000,
            "ms",
        ),
        Result(
            f"bundle size ({head:,} events)",
            len(raw) / 1024,
            "its files' bytes",
            len(PDF) / 1024,
            "KiB",
        ),
        Result(
            f"stream heads root at a checkpoint ({streams:,} streams)",
            heads_s * 1000,
            "checkpoint signature",
            sign_s * 1000,
            "ms",
        ),
        Result(
            f"stream heads map rebuilt ({streams:,} streams)",
            rebuild_s * 1000,
            "checkpoint signature",
            sign_s * 1000,
            "ms",
        ),
    ]


def run(quick: bool) -> list[Result]:
    results: list[Result] = []
    for events in (1_000,) if quick else (1_000, 100_000):
        with tempfile.TemporaryDirectory() as tmp:
            results.extend(measure(Path(tmp), events, repeat=3 if quick else 15))
    return results
