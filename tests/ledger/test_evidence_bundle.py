"""An evidence bundle from the whole story verifies offline; any change to it fails,
naming what failed."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import msgspec
import pytest

from openinno.application import OpenInno
from openinno.files import Upload
from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.bundle import build_bundle, bundle_chunks, decode_bundle, encode_bundle
from openinno.ledger.log import catch_up, ledger_for
from openinno.ledger.verify import verify_bundle
from tests.support.story import scene

PDF = b"%PDF-1.7\nour pendulum park plans\n"


@pytest.fixture
def story(app: OpenInno, clock):
    key_file = app.settings.data_dir / "signing-key.pem"
    key_file.write_bytes(checkpoints.generate_private_key_pem())
    ledger = ledger_for(app, create_tables=True)
    s = scene(app, clock)
    legal = s.account("legal")
    app.add_member(s.sponsor, s.organisation, legal, "legal")
    challenge_id, terms = s.open_challenge()
    entry = app.submit(
        s.solver,
        challenge_id,
        "Pendulum park",
        "Swings.",
        terms,
        files=[Upload.of_bytes("plan.pdf", PDF)],
    ).id
    app.revise_submission(
        s.solver,
        entry,
        "Pendulum park",
        "Swings and a seesaw.",
        files=[Upload.of_bytes("plan.pdf", PDF)],
    )
    clock.advance(timedelta(days=30))
    agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
    text_sha = app.get_agreement(s.solver, agreement_id).text_sha256
    app.sign_agreement(s.solver, agreement_id, "Sol Ver", "I agree to assign", text_sha)
    app.countersign_agreement(legal, agreement_id, "Lee Gal", "Signed for Brickworks", text_sha)
    yield app, ledger, s, entry, agreement_id
    ledger.db.close()


def bundle_for(app, ledger, entry):
    catch_up(ledger)
    return decode_bundle(encode_bundle(build_bundle(ledger, entry), app.files.chunks))


def test_a_complete_chain_of_title_verifies_offline(story):
    app, ledger, s, entry, agreement_id = story
    app.record_payment(s.sponsor, agreement_id, "WIRE-2026-001")
    bundle = decode_bundle(encode_bundle(bundle_for(app, ledger, entry)))
    result = verify_bundle(bundle, ledger.signing_key.public_key())
    assert result.ok, result.report()
    assert "RESULT: verified" in result.report()
    assert [f.name for f in bundle.files] == ["plan.pdf"]


def test_an_unpaid_assignment_is_not_a_complete_chain(story):
    app, ledger, _s, entry, _agreement = story
    result = verify_bundle(bundle_for(app, ledger, entry))
    assert not result.ok
    failed = [c.name for c in result.checks if not c.ok]
    assert failed == [
        "consideration paid",
        "ownership transferred (or licence granted) after every condition",
    ]


def tampered(bundle, **changes):
    return msgspec.structs.replace(bundle, **changes)


def test_a_changed_agreement_text_fails(story):
    app, ledger, s, entry, agreement_id = story
    app.record_payment(s.sponsor, agreement_id, "WIRE-2026-001")
    bundle = bundle_for(app, ledger, entry)
    texts = {
        k: v.replace("all\nright, title and interest", "some rights")
        for k, v in bundle.agreement_texts.items()
    }
    result = verify_bundle(tampered(bundle, agreement_texts=texts), ledger.signing_key.public_key())
    assert [c.name for c in result.checks if not c.ok] == [
        "agreement text hashes to what was drafted"
    ]


def test_a_changed_event_or_file_or_key_fails(story):
    app, ledger, s, entry, agreement_id = story
    app.record_payment(s.sponsor, agreement_id, "WIRE-2026-001")
    bundle = bundle_for(app, ledger, entry)
    events = list(bundle.events)
    i = next(i for i, e in enumerate(events) if "Swings" in e.event)
    events[i] = msgspec.structs.replace(
        events[i], event=events[i].event.replace("Swings", "Slides")
    )
    result = verify_bundle(tampered(bundle, events=events))
    assert [c.name for c in result.checks if not c.ok] == ["inclusion proofs"]

    files = [msgspec.structs.replace(bundle.files[0], content_base64="JVBERi0xLjcKZm9yZ2VkCg==")]
    result = verify_bundle(tampered(bundle, files=files))
    assert [c.name for c in result.checks if not c.ok] == ["file plan.pdf"]

    stranger = checkpoints.load_private_key(checkpoints.generate_private_key_pem()).public_key()
    result = verify_bundle(bundle, stranger)
    assert [c.name for c in result.checks if not c.ok] == ["checkpoint signature"]


def test_an_outside_checkpoint_copy_must_agree(story):
    app, ledger, s, entry, agreement_id = story
    catch_up(ledger)
    older = ledger.checkpoint_now()  # an outsider keeps this copy
    app.record_payment(s.sponsor, agreement_id, "WIRE-2026-001")
    bundle = bundle_for(app, ledger, entry)
    assert verify_bundle(
        bundle, ledger.signing_key.public_key(), outside_checkpoint=ledger.latest_checkpoint()
    ).ok
    result = verify_bundle(bundle, outside_checkpoint=older)
    assert [c.name for c in result.checks if not c.ok] == ["outside checkpoint agrees"]


def test_a_bundle_built_after_the_store_was_tampered_with_fails_naming_the_leaf(story):
    from tests.ledger.test_log_and_audit import raw

    app, ledger, s, entry, agreement_id = story
    app.record_payment(s.sponsor, agreement_id, "WIRE-2026-001")
    catch_up(ledger)
    ledger.checkpoint_now()
    # someone with database access rewrites the payment reference afterwards
    [(position,)] = raw(
        app,
        "SELECT rowid FROM stored_events WHERE topic LIKE ?",
        ("%IpAgreement.ConsiderationPaid",),
    )
    [(state,)] = raw(app, "SELECT state FROM stored_events WHERE rowid = ?", (position,))
    raw(
        app,
        "UPDATE stored_events SET state = ? WHERE rowid = ?",
        (bytes(state).replace(b"WIRE-2026-001", b"WIRE-2026-999"), position),
    )
    result = verify_bundle(bundle_for(app, ledger, entry), ledger.signing_key.public_key())
    failed = [c for c in result.checks if not c.ok]
    assert [c.name for c in failed] == ["inclusion proofs"]
    assert "is not in the signed tree" in failed[0].detail


def test_a_bundle_with_files_is_written_in_pieces_no_larger_than_a_chunk(story):
    """The files' bytes are read and encoded a chunk at a time (any chunk size, not
    only multiples of base64's 3 bytes): no piece holds a whole file."""
    app, ledger, _s, entry, _agreement = story
    catch_up(ledger)
    bundle = build_bundle(ledger, entry)

    def in_sevens(sha256):
        data = app.files.get(sha256)
        return (data[i : i + 7] for i in range(0, len(data), 7))

    pieces = list(bundle_chunks(bundle, in_sevens))
    encoded = base64.b64encode(PDF)
    assert not any(encoded in piece for piece in pieces)
    whole = decode_bundle(b"".join(pieces))
    assert whole.events == bundle.events
    assert [base64.b64decode(f.content_base64 or "") for f in whole.files] == [PDF]
    assert decode_bundle(encode_bundle(bundle)).files[0].content_base64 is None


def test_since_an_older_checkpoint_needs_a_consistency_proof_and_checks_it(story):
    """The proof may come with the bundle or from the served endpoint; without one there
    is no answer, and a proof that does not fold to both roots shows a fork."""
    from openinno.ledger.bundle import ConsistencyProof

    app, ledger, s, entry, agreement_id = story
    catch_up(ledger)
    older = ledger.checkpoint_now()
    app.record_payment(s.sponsor, agreement_id, "WIRE-2026-001")
    bundle = bundle_for(app, ledger, entry)
    key = ledger.signing_key.public_key()
    new = bundle.checkpoint.tree_size

    result = verify_bundle(bundle, key, since=older)
    assert not result.ok and not result.fork
    assert f"no consistency proof from size {older.tree_size} to {new}" in result.report()

    served = ConsistencyProof(
        older.tree_size,
        new,
        [h.hex() for h in ledger.tree().consistency_proof(older.tree_size, new)],
    )
    result = verify_bundle(bundle, key, since=older, consistency=served)
    assert result.ok, result.report()
    assert f"consistent: the log grew from {older.tree_size} to {new}" in result.report()

    wrong = msgspec.structs.replace(served, proof=["00" * 32, *served.proof[1:]])
    result = verify_bundle(bundle, key, since=older, consistency=wrong)
    assert result.fork and "RESULT: INCONSISTENT: fork" in result.report()


def test_a_bundle_with_an_event_left_out_fails_naming_it(story):
    """Issue 22, finding 3: the dispute removed from a genuine bundle must not leave a
    verified transfer; the platform signs the list of every leaf of the streams."""
    app, ledger, s, entry, agreement_id = story
    app.record_payment(s.sponsor, agreement_id, "WIRE-2026-001")
    app.dispute_agreement(s.solver, agreement_id, "The sponsor never paid.")
    bundle = bundle_for(app, ledger, entry)
    key = ledger.signing_key.public_key()
    genuine = verify_bundle(bundle, key)
    assert [c.name for c in genuine.checks if not c.ok] == ["not disputed or rescinded"]

    [disputed] = [e for e in bundle.events if "IpAgreement.Disputed" in e.event]
    left_out = tampered(bundle, events=[e for e in bundle.events if e is not disputed])
    result = verify_bundle(left_out, key)
    failed = [c for c in result.checks if not c.ok]
    assert [c.name for c in failed] == [
        "bundle holds every event of the submission's and agreements' streams"
    ]
    assert failed[0].detail == f"leaf {disputed.leaf_index} of stream {agreement_id} is missing"

    # Nor can the list be shortened to match, or dropped.
    assert bundle.stream_leaves is not None
    streams = dict(bundle.stream_leaves.streams)
    streams[str(agreement_id)] = [i for i in streams[str(agreement_id)] if i != disputed.leaf_index]
    shortened = tampered(
        left_out, stream_leaves=msgspec.structs.replace(bundle.stream_leaves, streams=streams)
    )
    result = verify_bundle(shortened, key)
    assert [c.detail for c in result.checks if not c.ok] == [
        "the list of the streams' leaves is not signed for this tree"
    ]
    result = verify_bundle(tampered(left_out, stream_leaves=None), key)
    assert [c.detail for c in result.checks if not c.ok] == [
        "no signed list of the streams' leaves: export it again"
    ]


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_the_audit_holds_every_referenced_file_against_its_recorded_hash(story):
    from openinno.ledger.audit import audit

    app, ledger, _s, _entry, _agreement_id = story
    catch_up(ledger)
    key = ledger.signing_key.public_key()
    report = audit(ledger, key, files=app.files)
    assert report.ok and report.files_checked == 1, report.findings
    sha = hashlib.sha256(PDF).hexdigest()
    app.files.path_for(sha).write_bytes(PDF.replace(b"park", b"pond"))
    [altered] = audit(ledger, key, files=app.files).findings
    assert altered.startswith(f"file altered: 'plan.pdf' ({sha}), referenced by the event at")
    assert altered.endswith("(Submission.Submitted) no longer hashes to what was recorded")
    app.files.path_for(sha).unlink()
    [missing] = audit(ledger, key, files=app.files).findings
    assert missing.startswith(f"file missing: 'plan.pdf' ({sha})")


def test_the_bundle_lists_every_author_with_when_they_accepted(app: OpenInno, clock):
    """Issue 21: a team entry's bundle names each author of each version with the
    moment they accepted the terms; the verifier checks the list against the events,
    and a bundle without it (older ones) still verifies as far as it goes."""
    key_file = app.settings.data_dir / "signing-key.pem"
    key_file.write_bytes(checkpoints.generate_private_key_pem())
    ledger = ledger_for(app, create_tables=True)
    try:
        s = scene(app, clock)
        challenge_id, terms = s.open_challenge()
        team = app.form_team(s.solver, challenge_id, "Levers", [str(s.other_solver)]).id
        app.accept_team_invitation(s.other_solver, team, terms)
        accepted = clock.now()
        clock.advance(timedelta(hours=2))
        entry = app.submit(s.solver, challenge_id, "Levers", "Together.", terms, team_id=team).id
        bundle = bundle_for(app, ledger, entry)
        assert bundle.authors is not None
        listed = [(a.version, a.account_id, a.accepted_terms_at) for a in bundle.authors]
        submitted = listed[0][2]
        assert [(v, a) for v, a, _ in listed] == [(1, str(s.solver)), (1, str(s.other_solver))]
        assert msgspec.json.decode(msgspec.json.encode(accepted)) == listed[1][2]
        assert listed[1][2] is not None and submitted is not None and listed[1][2] < submitted
        checks = {c.name: c.ok for c in verify_bundle(bundle).checks}
        assert checks["authors as the events record them"]
        # Claiming the member accepted later than the events say fails, naming it.
        moved = [msgspec.structs.replace(a, accepted_terms_at=submitted) for a in bundle.authors]
        checks = {c.name: c.ok for c in verify_bundle(tampered(bundle, authors=moved)).checks}
        assert checks["authors as the events record them"] is False
        older = {c.name for c in verify_bundle(tampered(bundle, authors=None)).checks}
        assert "authors as the events record them" not in older and "inclusion proofs" in older
    finally:
        ledger.db.close()
