"""Authenticated writes (issue 22, finding 1): database write access alone must not
forge a transfer.  Events appended by SQL carry no write proof, so the ledger
refuses them, audit names them, and a fresh bundle does not show them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from openinno.application import OpenInno
from openinno.domain import IpAgreement
from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.audit import audit
from openinno.ledger.bundle import build_bundle
from openinno.ledger.log import Ledger, catch_up, ledger_for
from openinno.ledger.verify import verify_bundle
from openinno.persistence.mapper import MsgspecMapper, MsgspecTranscoder
from tests.ledger.test_log_and_audit import raw
from tests.support.story import scene


@pytest.fixture
def countersigned(app: OpenInno, clock: Any) -> Iterator[tuple[Ledger, Any, UUID, UUID]]:
    """A paid-for assignment, signed by both sides, not yet paid (so not transferred)."""
    (app.settings.data_dir / "signing-key.pem").write_bytes(checkpoints.generate_private_key_pem())
    ledger = ledger_for(app, create_tables=True)
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    clock.advance(timedelta(days=30))
    agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
    text_sha = app.get_agreement(s.solver, agreement_id).text_sha256
    app.sign_agreement(s.solver, agreement_id, "Sol Ver", "I agree", text_sha)
    app.countersign_agreement(s.sponsor, agreement_id, "Spon Sor", "I agree", text_sha)
    catch_up(ledger)
    yield ledger, s, entry, agreement_id
    ledger.db.close()


def forge_payment_and_transfer(app: OpenInno, actor: UUID, agreement_id: UUID) -> list[int]:
    """What an attacker with the code and database access, but not the write key, can
    do: make the real events and append them by SQL.  Returns their positions."""
    agreement = app.repository.get(agreement_id)
    assert isinstance(agreement, IpAgreement)
    agreement.record_payment(actor, "WIRE-FORGED", app.clock.now())
    keyless = MsgspecMapper(MsgspecTranscoder())
    forged = [keyless.to_stored_event(e) for e in agreement.collect_events()]
    assert [f.topic.rsplit(".", 1)[-1] for f in forged] == [
        "ConsiderationPaid",
        "OwnershipTransferred",
    ]
    for f in forged:
        originator = f.originator_id if app.settings.is_postgres else f.originator_id.hex
        raw(
            app,
            "INSERT INTO stored_events (originator_id, originator_version, topic, state)"
            " VALUES (?, ?, ?, ?)",
            (originator, f.originator_version, f.topic, f.state),
        )
    head = app.recorder.max_notification_id() or 0
    return [head - 1, head]


def test_events_forged_by_sql_are_refused_named_by_audit_and_absent_from_bundles(
    app, countersigned
):
    ledger, s, entry, agreement_id = countersigned
    positions = forge_payment_and_transfer(app, s.sponsor, agreement_id)

    catch_up(ledger)
    assert [r[0] for r in ledger.rejected()] == positions
    assert {r[4] for r in ledger.rejected()} == {"no write proof"}
    leafed = {p for (p,) in ledger.db.rows("SELECT position FROM ledger_leaves")}
    assert not leafed & set(positions)

    report = audit(ledger, ledger.signing_key.public_key())
    assert not report.ok
    assert [f.split(" (")[0] for f in report.findings] == [
        f"unproven: the event at position {p}" for p in positions
    ]
    assert (
        "ConsiderationPaid" in report.findings[0]
        and "not in the signed log" in (report.findings[0])
    )
    assert "OwnershipTransferred" in report.findings[1]

    result = verify_bundle(build_bundle(ledger, entry), ledger.signing_key.public_key())
    failed = {c.name: c.detail for c in result.checks if not c.ok}
    assert failed == {
        "consideration paid": "no payment recorded",
        "ownership transferred (or licence granted) after every condition": (
            "no transfer recorded"
        ),
    }


def test_an_event_with_a_wrong_proof_is_refused(app, countersigned):
    """A proof copied from another event (or made with another key) does not match."""
    ledger, s, _entry, agreement_id = countersigned
    app.record_payment(s.sponsor, agreement_id, "WIRE-1")
    [(position, state)] = raw(
        app,
        "SELECT rowid, state FROM stored_events WHERE topic LIKE ?",
        ("%ConsiderationPaid",),
    )
    raw(
        app,
        "UPDATE stored_events SET state = ? WHERE rowid = ?",
        (bytes(state).replace(b"WIRE-1", b"WIRE-9"), position),
    )
    catch_up(ledger)
    assert [(r[0], r[4]) for r in ledger.rejected()] == [
        (position, "the write proof does not match")
    ]
    # The genuine transfer that followed it is admitted: only the changed row is refused.
    assert ledger.leaf_index_of(position + 1) is not None


def test_genuine_events_are_admitted_and_the_audit_is_clean(app, countersigned):
    ledger, s, _entry, agreement_id = countersigned
    app.record_payment(s.sponsor, agreement_id, "WIRE-1")
    catch_up(ledger)
    assert ledger.rejected() == []
    assert ledger.state()[0] == app.recorder.max_notification_id()
    report = audit(ledger, ledger.signing_key.public_key())
    assert report.ok, report.findings
    assert report.legacy_events == 0 and report.proofs_from == 1


def keyless_app(app: OpenInno, clock: Any) -> OpenInno:
    """The same store through code that has no write key (as before write proofs)."""
    other = OpenInno(app.settings, clock=clock)
    assert isinstance(other.mapper, MsgspecMapper)
    other.mapper.write_key = None
    return other


def test_events_from_before_write_proofs_are_legacy_only_below_the_cut_over(app, clock):
    """An upgraded store: events recorded before write proofs existed have none, and
    are admitted as legacy only below the recorded cut-over; later ones are refused."""
    old = keyless_app(app, clock)
    old.register_account("old@example.org", "correct horse battery", "Old")  # positions 1, 2
    app.register_account("new@example.org", "correct horse battery", "New")  # 3, 4: proven
    old.register_account("late@example.org", "correct horse battery", "Late")  # 5, 6
    old.close()
    (app.settings.data_dir / "signing-key.pem").write_bytes(checkpoints.generate_private_key_pem())
    ledger = ledger_for(app, create_tables=True)
    try:
        # As the first follower with the write key records it on an upgraded store.
        ledger.db.execute(
            "INSERT INTO ledger_write_proofs_from (id, position, tag) VALUES (1, 3, ?)",
            (ledger.write_key.tag_cutover(3),),
        )
        catch_up(ledger)
        assert [r[0] for r in ledger.rejected()] == [5, 6]
        assert ledger.state()[0] == 4
        report = audit(ledger, ledger.signing_key.public_key())
        assert report.legacy_events == 2 and report.proofs_from == 3
        assert [f.split(" (")[0] for f in report.findings] == [
            "unproven: the event at position 5",
            "unproven: the event at position 6",
        ]
        # Moving the cut-over by SQL admits nothing more: its MAC no longer checks.
        ledger.db.execute("UPDATE ledger_write_proofs_from SET position = 100")
        assert ledger.proofs_from() == 1
        findings = audit(ledger, ledger.signing_key.public_key()).findings
        assert findings[0] == "the write-proof cut-over record (position 100) was altered"
    finally:
        ledger.db.close()


def test_the_first_follower_with_the_write_key_records_the_cut_over_at_its_position(app):
    ledger = ledger_for(app, create_tables=True)
    try:
        ledger.db.execute("UPDATE ledger_state SET last_position = 41 WHERE id = 1")
        assert ledger.recorded_proofs_from() is None
        assert ledger.proofs_from() == 42
        assert ledger.recorded_proofs_from() == (42, True)
        ledger.db.execute("UPDATE ledger_state SET last_position = 50 WHERE id = 1")
        assert ledger.proofs_from() == 42  # recorded once
    finally:
        ledger.db.close()


def test_without_the_write_key_the_follower_waits_and_admits_nothing(app):
    app.register_account("ada@example.org", "correct horse battery", "Ada")
    ledger = ledger_for(app, create_tables=True)
    ledger.write_key = None
    try:
        assert catch_up(ledger) == 0
        assert ledger.state() == (0, 0) and ledger.rejected() == []
    finally:
        ledger.db.close()


def test_a_proof_frames_the_stream_id_as_its_canonical_text_whatever_its_type():
    """The writer hands the mapper's UUID, a reader may hold the text: same message."""
    from uuid import uuid4

    from openinno.persistence.write_proof import proof_message

    stream = uuid4()
    message = proof_message(stream, 3, "m:Agg.Ev", b'{"a":1}')
    assert message == proof_message(str(stream), 3, "m:Agg.Ev", b'{"a":1}')
    assert message == (
        b"openinno write proof v1\n"
        + f'{{"payload":{{"a":1}},"stream_id":"{stream}","topic":"m:Agg.Ev","version":3}}'.encode()
    )


def test_proofs_sit_inside_the_encryption_of_an_encrypted_store(app, clock):
    """With OPENINNO_CIPHER_KEY the proof is sealed before encryption: the stored bytes
    show neither payload nor proof, and the ledger still admits every event."""
    from dataclasses import replace

    from eventsourcing.cryptography import AESCipher

    settings = replace(app.settings, cipher_key=AESCipher.create_key(32))
    encrypted = OpenInno(settings, clock=clock)
    try:
        encrypted.register_account("enc@example.org", "correct horse battery", "Enc")
        [n, *_] = encrypted.recorder.select_notifications(start=1, limit=2)
        assert b"enc@example.org" not in n.state and not n.state.startswith(b"\x00wp1")
        ledger = ledger_for(encrypted, create_tables=True)
        try:
            assert catch_up(ledger) == 2
            assert ledger.rejected() == [] and ledger.state()[0] == 2
        finally:
            ledger.db.close()
    finally:
        encrypted.close()
