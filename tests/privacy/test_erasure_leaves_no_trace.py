"""Issue 26's "done when": a voter who also commented, and a reviewer, are erased; then
no dump of the whole database (event store, keys, ledger, read models: the SQLite files'
bytes, or pg_dump of the PostgreSQL schemas) holds their e-mail, name, IP address or user
agent in clear; `openinno audit` is clean; evidence bundles exported before and after both
verify; and the read models followed incrementally equal a rebuild from zero."""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.audit import audit
from openinno.ledger.bundle import build_bundle, decode_bundle, encode_bundle
from openinno.ledger.log import catch_up, ledger_for
from openinno.ledger.verify import verify_bundle
from openinno.persistence.environment import postgres_env
from projections.db import open_db
from tests.projections.tables import dump
from tests.projections.test_kill_and_rebuild import clean_rebuild
from tests.support.story import PASSWORD, scene

VOTER = {
    "email": b"zq-voter@example.org",
    "name": b"Zebulon Quixote",
    "address": b"198.51.100.77",
    "network": b"198.51.100.0/24",
    "user_agent": b"QuixoteBrowser/9.9",
    "comment": b"Zebulon muses on pendulums",
}
REVIEWER = {"email": b"yr-reviewer@example.org", "name": b"Ysolde Reviewa"}


def database_bytes(settings) -> bytes:
    """Every byte the databases hold: the SQLite files (their WAL checkpointed into them
    first), or a pg_dump of the event store's schema and the read models' one."""
    if settings.is_postgres:
        env = postgres_env(settings.database_url)
        schema = env["POSTGRES_SCHEMA"]
        return subprocess.run(
            [
                "pg_dump",
                "-h", env["POSTGRES_HOST"], "-p", env["POSTGRES_PORT"],
                "-U", env["POSTGRES_USER"], "-d", env["POSTGRES_DBNAME"],
                "-n", schema, "-n", f"{schema}_read",
            ],
            check=True,
            capture_output=True,
        ).stdout  # fmt: skip
    files = sorted(Path(settings.data_dir).rglob("*.db"))
    assert {f.name for f in files} >= {"events.db", "ledger.db", "readmodels.db"}
    for f in files:
        db = sqlite3.connect(f)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
    return b"".join(p.read_bytes() for p in Path(settings.data_dir).rglob("*.db*"))


def holds(dumped: bytes, needle: bytes) -> bool:
    """In clear, or as pg_dump writes a bytea (the event store's payloads): hex."""
    return needle in dumped or needle.hex().encode() in dumped


def test_erased_people_leave_no_trace_and_every_proof_still_holds(
    app, clock, settings, read_store, read_side, tmp_path
):
    (settings.data_dir / "signing-key.pem").write_bytes(checkpoints.generate_private_key_pem())
    ledger = ledger_for(app, create_tables=True)
    s = scene(app, clock)
    admin = s.account("admin")
    app.grant_admin_as_operator(admin)
    legal = s.account("legal")
    app.add_member(s.sponsor, s.organisation, legal, "legal")
    voter = app.register_account(VOTER["email"].decode(), PASSWORD, VOTER["name"].decode()).id
    reviewer = app.register_account(
        REVIEWER["email"].decode(), PASSWORD, REVIEWER["name"].decode()
    ).id
    challenge, terms = s.open_challenge()
    entry = s.submit(challenge, terms)
    app.support(voter, entry, VOTER["address"].decode(), VOTER["user_agent"].decode())
    app.support(s.public, entry, "192.0.2.1", "OtherBrowser/1")
    app.comment_on_challenge(voter, challenge, VOTER["comment"].decode())
    app.invite_reviewer(s.sponsor, challenge, reviewer)
    app.accept_reviewer_invitation(reviewer, challenge)
    clock.advance(timedelta(days=28))
    app.record_review(reviewer, entry, {"originality": 9, "feasibility": 8, "fun": 7})
    clock.advance(timedelta(days=15))
    app.publish_shortlist(s.sponsor, challenge, [entry])
    agreement = app.award(s.sponsor, challenge, [(entry, 1)]).agreement_ids[0]
    text_sha256 = app.get_agreement(s.solver, agreement).text_sha256
    app.sign_agreement(s.solver, agreement, "Solver", "I agree", text_sha256)
    app.countersign_agreement(legal, agreement, "Legal", "For Brickworks", text_sha256)
    app.record_payment(s.sponsor, agreement, "WIRE-1")
    read_side.start()
    assert read_side.wait_until(app.recorder.max_notification_id(), timeout=60)
    catch_up(ledger)
    before = encode_bundle(build_bundle(ledger, entry))

    app.erase_my_personal_data(voter, PASSWORD)
    app.erase_personal_data(admin, reviewer, "Asked by letter")

    position = app.recorder.max_notification_id()
    assert read_side.wait_until(position, timeout=60)
    read_side.stop()
    catch_up(ledger)
    after = build_bundle(ledger, entry)
    key = ledger.signing_key.public_key()
    for bundle in (decode_bundle(before), after):
        result = verify_bundle(bundle, key)
        assert result.ok, result.report()
    assert audit(ledger, key).findings == []
    # The vote still counts.
    db = open_db(read_store)
    try:
        followed = dump(db)
        [tally] = db.rows(
            "SELECT support_count FROM pt_submissions WHERE submission_id = ?", (str(entry),)
        )
    finally:
        db.close()
    assert tally["support_count"] == 2
    assert followed == clean_rebuild(settings, app, read_store, tmp_path)
    ledger.db.close()

    held = database_bytes(settings)
    assert holds(held, b"Pendulum park")  # the dump holds the story's data...
    assert holds(held, b"OtherBrowser/1")  # ...another voter's signals...
    for what, needle in [*VOTER.items(), *REVIEWER.items()]:
        assert not holds(held, needle), what  # ...but nothing of theirs
