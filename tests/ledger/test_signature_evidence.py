"""Issue 22, finding 8: signatures that mean something.  A signature on another text
hash is refused; a typed name that is not the account's is recorded and flagged; the
countersigner's authority (their role in the organisation then) is in the bundle and
checked; disputes and rescissions show in the chain of title and in a fresh bundle."""

from __future__ import annotations

import base64
from datetime import timedelta

import msgspec
import pytest

from openinno.domain.errors import InvalidInput
from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.bundle import build_bundle, decode_bundle, encode_bundle
from openinno.ledger.evidence_verifier import FORMAT_1, stream_leaves_message
from openinno.ledger.log import catch_up, ledger_for
from openinno.ledger.verify import verify_bundle
from tests.support.story import scene

# The domain and the bundle, not storage: SQLite only (test_read_models_proven.py has the
# PostgreSQL twin of the ledger over a read model).
pytestmark = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


@pytest.fixture
def story(app, clock):
    (app.settings.data_dir / "signing-key.pem").write_bytes(checkpoints.generate_private_key_pem())
    ledger = ledger_for(app, create_tables=True)
    s = scene(app, clock)
    legal = s.account("legal")  # account name "Legal"
    app.add_member(s.sponsor, s.organisation, legal, "legal")
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    clock.advance(timedelta(days=30))
    agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
    yield app, ledger, s, legal, entry, agreement_id
    ledger.db.close()


def _text(app, s, agreement_id):
    return app.get_agreement(s.solver, agreement_id).text_sha256


def test_a_signature_on_another_text_than_the_agreements_is_refused(story):
    app, _ledger, s, legal, _entry, agreement_id = story
    head = app.recorder.max_notification_id()
    with pytest.raises(InvalidInput) as refused:
        app.sign_agreement(s.solver, agreement_id, "Solver", "I agree", "0" * 64)
    assert refused.value.field == "text_sha256"
    app.sign_agreement(s.solver, agreement_id, "Solver", "I agree", _text(app, s, agreement_id))
    with pytest.raises(InvalidInput):
        app.countersign_agreement(legal, agreement_id, "Legal", "For Brickworks", "f" * 64)
    assert app.get_agreement(s.solver, agreement_id).state == "awaiting_countersignature"
    assert app.recorder.max_notification_id() == head + 1  # the one good signature only


def test_a_typed_name_other_than_the_accounts_is_recorded_flagged_and_noted(story):
    app, ledger, s, legal, entry, agreement_id = story
    text = _text(app, s, agreement_id)
    app.sign_agreement(s.solver, agreement_id, "Mallory", "I agree", text)
    app.countersign_agreement(legal, agreement_id, "  legal ", "For Brickworks", text)
    app.record_payment(s.sponsor, agreement_id, "WIRE-1")
    agreement = app.get_agreement(s.solver, agreement_id)
    assert agreement.assignor_signatures[s.solver].typed_name_matches_account is False
    assert agreement.assignee_signature.typed_name_matches_account is True

    catch_up(ledger)
    bundle = build_bundle(ledger, entry)
    assert '"typed_name_matches_account":false' in encode_bundle(bundle).decode().replace("\\", "")
    result = verify_bundle(bundle, ledger.signing_key.public_key())
    assert result.ok, result.report()  # flagged, not refused
    assert (
        f"NOTE  IpAgreement.SignedByAssignor by {s.solver}: the typed name (encrypted) is not"
        " the name of the signer's account (typed_name_matches_account: false)"
    ) in result.report()


def _resigned(ledger, bundle, drop_stream=None, drop_leaf=None, format_1=False):
    """The bundle with a stream or an event taken out and its list of leaves signed
    again with the platform's key: what only the key holder could make.  ``format_1``:
    as a bundle made before stream heads (decision 0024), without them."""
    listed = bundle.stream_leaves
    streams = {
        k: [i for i in v if i != drop_leaf] for k, v in listed.streams.items() if k != drop_stream
    }
    unsigned = msgspec.structs.replace(listed, streams=streams, signature="")
    signature = ledger.signing_key.sign(stream_leaves_message(msgspec.to_builtins(unsigned)))
    events = [e for e in bundle.events if e.leaf_index != drop_leaf]
    resigned = msgspec.structs.replace(
        bundle,
        events=events,
        stream_leaves=msgspec.structs.replace(
            unsigned, signature=base64.b64encode(signature).decode()
        ),
    )
    if format_1:
        return msgspec.structs.replace(resigned, format=FORMAT_1, stream_heads=None)
    return resigned


def test_the_countersigners_role_is_in_the_bundle_and_checked(story):
    app, ledger, s, legal, entry, agreement_id = story
    text = _text(app, s, agreement_id)
    app.sign_agreement(s.solver, agreement_id, "Solver", "I agree", text)
    app.countersign_agreement(legal, agreement_id, "Legal", "For Brickworks", text)
    app.record_payment(s.sponsor, agreement_id, "WIRE-1")
    catch_up(ledger)
    bundle = decode_bundle(encode_bundle(build_bundle(ledger, entry)))
    key = ledger.signing_key.public_key()
    result = verify_bundle(bundle, key)
    assert result.ok, result.report()
    [authority] = [c for c in result.checks if c.name.startswith("countersigner had the authority")]
    assert authority.detail.startswith(f"{legal} was legal (by Organisation.MemberAdded")

    [added] = [e for e in bundle.events if "Organisation.MemberAdded" in e.event]
    # Left out of the events (and of the signed list): the stream's committed head
    # names the missing event ...
    result = verify_bundle(_resigned(ledger, bundle, drop_leaf=added.leaf_index), key)
    assert [c.detail for c in result.checks if not c.ok] == [
        f"stream {s.organisation} had 2 events at the checkpoint; the bundle holds 1"
    ]
    # ... and without stream heads (format 1), the replay shows no authority.
    result = verify_bundle(
        _resigned(ledger, bundle, drop_leaf=added.leaf_index, format_1=True), key
    )
    assert [c.detail for c in result.checks if not c.ok] == [
        f"{legal} was not a member of organisation {s.organisation}"
    ]
    # Left out of the events only: the bundle is incomplete.
    left_out = msgspec.structs.replace(bundle, events=[e for e in bundle.events if e is not added])
    failed = [c.name for c in verify_bundle(left_out, key).checks if not c.ok]
    assert failed == ["bundle holds every event of the submission's and agreements' streams"]
    # A bundle without the organisation's stream (as before this check): export it again.
    result = verify_bundle(_resigned(ledger, bundle, drop_stream=str(s.organisation)), key)
    assert [c.detail for c in result.checks if not c.ok] == [
        f"the bundle does not hold organisation {s.organisation}: export it again"
    ]


def test_disputes_and_rescissions_show_in_the_chain_and_in_a_fresh_bundle(story):
    from projections.db import open_db
    from projections.legal import PROJECTION as LEGAL
    from projections.legal import queries as legal_queries
    from tests.projections.conftest import drop_read_schema
    from web.readside import read_side_for, read_store_for

    app, ledger, s, legal, entry, agreement_id = story
    text = _text(app, s, agreement_id)
    app.sign_agreement(s.solver, agreement_id, "Solver", "I agree", text)
    app.countersign_agreement(legal, agreement_id, "Legal", "For Brickworks", text)
    app.record_payment(s.sponsor, agreement_id, "WIRE-1")
    app.dispute_agreement(s.solver, agreement_id, "The sponsor never paid.")
    app.rescind_agreement(legal, agreement_id, "Payment bounced.")

    store = read_store_for(app.settings)
    read_side_for(app.settings, app, [LEGAL], store=store).catch_up()
    db = open_db(store)
    try:
        steps = [st["step"] for st in legal_queries.chain_of_title(db, entry)]
        assert steps[-3:] == ["ownership_transferred", "disputed", "rescinded"]
        assert not legal_queries.ownership_transferred(db, entry)
    finally:
        db.close()
        drop_read_schema(store)

    catch_up(ledger)
    result = verify_bundle(build_bundle(ledger, entry), ledger.signing_key.public_key())
    failed = [c for c in result.checks if not c.ok]
    assert [(c.name, c.detail) for c in failed] == [
        (
            "not disputed or rescinded",
            "IpAgreement.Disputed: The sponsor never paid.; IpAgreement.Rescinded: Payment bounced.",
        )
    ]
    assert "RESULT: NOT VERIFIED" in result.report()
