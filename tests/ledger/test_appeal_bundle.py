"""An entry's appeal thread is part of its evidence bundle (issue 24): the bundle holds
the appeal's stream whole, verifies, and fails when an event of it is left out."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from openinno.application import OpenInno
from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.bundle import build_bundle, decode_bundle, encode_bundle
from openinno.ledger.log import catch_up, ledger_for
from openinno.ledger.verify import verify_bundle
from projections.db import open_db
from projections.legal import PROJECTION as LEGAL
from projections.legal import queries as legal
from tests.projections.conftest import drop_read_schema
from tests.support.story import scene
from web.legal_proof import chain_claim
from web.readside import read_side_for, read_store_for


@pytest.fixture
def story(app: OpenInno, clock):
    key_file = app.settings.data_dir / "signing-key.pem"
    key_file.write_bytes(checkpoints.generate_private_key_pem())
    ledger = ledger_for(app, create_tables=True)
    s = scene(app, clock)
    legal = s.account("legal")
    app.add_member(s.sponsor, s.organisation, legal, "legal")
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    app.disqualify_submission(s.sponsor, entry, "Copied from a catalogue.")
    appeal_id = app.appeal_submission(s.solver, entry, "disqualification", "I drew it.").id
    app.answer_appeal(s.sponsor, appeal_id, "Show the originals.")
    app.decide_appeal(s.sponsor, appeal_id, "upheld", "The sketches predate the catalogue.")
    clock.advance(timedelta(days=30))
    agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
    text_sha = app.get_agreement(s.solver, agreement_id).text_sha256
    app.sign_agreement(s.solver, agreement_id, "Sol Ver", "I agree to assign", text_sha)
    app.countersign_agreement(legal, agreement_id, "Lee Gal", "Signed for Brickworks", text_sha)
    app.record_payment(s.sponsor, agreement_id, "WIRE-2026-001")
    yield app, ledger, entry, appeal_id
    ledger.db.close()


def test_the_appeal_thread_is_in_the_bundle_and_cannot_be_left_out(story):
    _app, ledger, entry, appeal_id = story
    catch_up(ledger)
    bundle = decode_bundle(encode_bundle(build_bundle(ledger, entry)))
    assert bundle.stream_leaves is not None
    assert len(bundle.stream_leaves.streams[str(appeal_id)]) == 3
    kinds = [msgspec.json.decode(e.event)["topic"].split(".")[-1] for e in bundle.events]
    assert {"AppealLodged", "Filed", "Answered", "Decided", "Reinstated"} <= set(kinds)
    result = verify_bundle(bundle, ledger.signing_key.public_key())
    assert result.ok, result.report()

    decided = next(
        i for i, e in enumerate(bundle.events) if e.event and "Appeal.Decided" in e.event
    )
    cut = msgspec.structs.replace(
        bundle, events=[e for i, e in enumerate(bundle.events) if i != decided]
    )
    assert not verify_bundle(cut, ledger.signing_key.public_key()).ok


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_a_chain_of_title_with_an_appeal_is_verified_against_the_log(story):
    app, ledger, entry, _appeal_id = story
    store = read_store_for(app.settings)
    side = read_side_for(app.settings, app, [LEGAL], store=store)
    side.setup()
    side.catch_up()
    catch_up(ledger)
    ledger.checkpoint_now()
    live = open_db(store)
    try:
        steps = [r["step"] for r in legal.chain_of_title(live, entry)]
        assert {"appeal_lodged", "appeal_answered", "appeal_decided", "reinstated"} <= set(steps)
        claim = chain_claim(app, live, entry)
        assert claim is not None and claim.status == "verified"
        with live.batch():
            live.execute(
                "UPDATE lg_chain SET details = replace(details, 'predate', 'follow')"
                " WHERE step = 'appeal_decided'"
            )
        assert chain_claim(app, live, entry).status == "differs"
    finally:
        live.close()
        side.stop()
        drop_read_schema(store)
