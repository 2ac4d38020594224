"""The ledger over a real store: exactly-once following, signed checkpoints, and an
audit that names every kind of tampering by position (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta

import pytest

from openinno.application import OpenInno
from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.audit import audit
from openinno.ledger.log import Ledger, catch_up, ledger_for
from openinno.ledger.merkle import verify_consistency
from tests.support.story import PASSWORD


@pytest.fixture
def ledger(app: OpenInno) -> Iterator[Ledger]:
    key_file = app.settings.data_dir / "signing-key.pem"
    key_file.write_bytes(checkpoints.generate_private_key_pem())
    ledger = ledger_for(app, create_tables=True)
    ledger.checkpoint_every_events = 5
    yield ledger
    ledger.db.close()


def fill(app: OpenInno, n: int) -> None:
    """n registrations: two events each (the account and its email claim)."""
    start = (app.recorder.max_notification_id() or 0) // 2
    for i in range(start, start + n):
        app.register_account(f"person{i}@example.org", PASSWORD, f"Person {i}")


def raw(app: OpenInno, statement: str, params: tuple = ()) -> list[tuple]:
    """Tamper with the event table directly, as an attacker with database access could."""
    if app.settings.is_postgres:
        import psycopg

        from openinno.persistence.environment import postgres_env
        from openinno.persistence.migrate import postgres_conninfo

        env = postgres_env(app.settings.database_url)
        statement = statement.replace("?", "%s").replace("rowid", "notification_id")
        with psycopg.connect(postgres_conninfo(env), autocommit=True) as conn:
            conn.execute(f"SET search_path TO {env['POSTGRES_SCHEMA']}")
            cursor = conn.execute(statement.replace("stored_events", "openinno_events"), params)
            return cursor.fetchall() if cursor.description else []
    db = sqlite3.connect(app.settings.sqlite_path)
    rows = db.execute(statement, params).fetchall()
    db.commit()
    db.close()
    return rows


def alter_one_byte(app: OpenInno, position: int) -> None:
    [(state,)] = raw(app, "SELECT state FROM stored_events WHERE rowid = ?", (position,))
    state = bytearray(state)
    # Names are stored encrypted (decision 0032): the locale is plain.
    at = state.index(b'"locale":"en"') + len('"locale":"')
    state[at] ^= 0x01  # "e" becomes "d": one bit of one byte
    raw(app, "UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(state), position))


def test_following_is_exactly_once_and_checkpoints_chain_consistently(app, ledger):
    fill(app, 6)  # 12 events
    assert catch_up(ledger) == 12
    assert catch_up(ledger) == 0
    fill(app, 3)
    assert catch_up(ledger) == 6
    size, _ = ledger.state()
    assert size == 18
    signed = ledger.signed_checkpoints()
    assert [c.tree_size for c in signed] == [12, 18]
    public = ledger.signing_key.public_key()
    assert all(checkpoints.verify(public, c) for c in signed)
    tree = ledger.tree()
    proof = tree.consistency_proof(12, 18)
    assert verify_consistency(
        12, 18, proof, bytes.fromhex(signed[0].root_sha256), bytes.fromhex(signed[1].root_sha256)
    )
    # a second follower racing from the same start cannot append twice
    other = ledger_for(app)
    fill(app, 1)
    assert other.follow_once() == 2
    assert ledger.state()[0] == 20
    other.db.close()


def test_a_quiet_log_is_signed_after_the_interval(app, ledger, clock):
    ledger.checkpoint_every_events = 1000
    ledger.checkpoint_every_seconds = 60
    fill(app, 1)
    catch_up(ledger)
    assert [c.tree_size for c in ledger.signed_checkpoints()] == [2]  # first checkpoint at once
    fill(app, 1)
    catch_up(ledger)
    assert [c.tree_size for c in ledger.signed_checkpoints()] == [2]
    clock.advance(timedelta(seconds=61))
    ledger.follow_once()
    assert [c.tree_size for c in ledger.signed_checkpoints()] == [2, 4]


def test_an_untouched_store_passes_the_audit(app, ledger):
    fill(app, 5)
    catch_up(ledger)
    report = audit(ledger, ledger.signing_key.public_key())
    assert report.ok, report.findings
    assert report.events == 10 and report.checkpoints_verified == 1


def audited(app, ledger):
    return audit(ledger, ledger.signing_key.public_key()).findings


def test_one_altered_byte_is_named_by_position(app, ledger):
    fill(app, 5)
    catch_up(ledger)
    alter_one_byte(app, 5)
    assert audited(app, ledger) == ["altered: the event at position 5 (leaf 4) was changed"]


def test_a_deleted_event_is_named_by_position(app, ledger):
    fill(app, 5)
    catch_up(ledger)
    raw(app, "DELETE FROM stored_events WHERE rowid = ?", (7,))
    assert audited(app, ledger) == ["deleted: the event at position 7 (leaf 6) is missing"]


def test_two_reordered_events_are_named(app, ledger):
    fill(app, 5)
    catch_up(ledger)
    raw(
        app,
        "UPDATE stored_events SET rowid = CASE rowid WHEN 3 THEN -5 ELSE -3 END WHERE rowid IN (3, 5)",
    )
    raw(app, "UPDATE stored_events SET rowid = -rowid WHERE rowid < 0")
    findings = audited(app, ledger)
    assert findings == [
        "reordered: position 3 (leaf 2) now holds the event signed at position 5",
        "reordered: position 5 (leaf 4) now holds the event signed at position 3",
    ]


def test_a_forged_insert_is_named(app, ledger):
    fill(app, 5)
    catch_up(ledger)
    raw(app, "DELETE FROM stored_events WHERE rowid = ?", (6,))
    raw(
        app,
        "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state)"
        " SELECT 6, originator_id, 99, topic, state FROM stored_events WHERE rowid = 4",
    )
    assert audited(app, ledger) == ["altered: the event at position 6 (leaf 5) was changed"]
    raw(app, "DELETE FROM stored_events WHERE rowid = ?", (6,))
    assert audited(app, ledger) == ["deleted: the event at position 6 (leaf 5) is missing"]


def test_the_audit_folds_leaves_into_a_frontier_with_the_trees_root_at_every_size():
    """The audit holds no list of leaves: a frontier of O(log n) subtree roots."""
    from openinno.ledger.audit import Frontier
    from openinno.ledger.merkle import MerkleTree

    tree, frontier = MerkleTree(), Frontier()
    assert frontier.root() == tree.root()
    for i in range(70):
        tree.append(b"leaf %d" % i)
        frontier.append(tree.store.get(0, i))
        assert frontier.root() == tree.root(), i
        assert len(frontier._stack) == bin(i + 1).count("1")


def test_events_after_the_last_checkpoint_are_counted_and_still_proven(app, ledger):
    ledger.checkpoint_every_events = 1000
    fill(app, 2)
    catch_up(ledger)  # the first checkpoint, at once: 4 events
    fill(app, 2)
    catch_up(ledger)  # leafed, not yet signed
    fill(app, 1)  # not followed yet
    report = audit(ledger, ledger.signing_key.public_key())
    assert report.ok, report.findings
    assert (report.events, report.checkpoints_verified, report.not_checkpointed) == (10, 1, 6)
    alter_one_byte(app, 9)  # not followed yet: its write proof no longer checks
    [finding] = audit(ledger, ledger.signing_key.public_key()).findings
    assert finding.startswith("unproven: the event at position 9 (Account.Registered")
    assert finding.endswith("the write proof does not match; not in the signed log")
