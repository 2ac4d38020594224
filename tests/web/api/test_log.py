"""The published log over HTTP: checkpoints, proofs and evidence bundles that an
outsider verifies with nothing but what the API gave them."""

from __future__ import annotations

import base64
from datetime import timedelta

import msgspec

from openinno.files import Upload
from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.bundle import decode_bundle
from openinno.ledger.log import catch_up, ledger_for
from openinno.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from openinno.ledger.verify import verify_bundle
from tests.support.story import PASSWORD, scene
from tests.web.api.conftest import assert_problem, bearer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64


def test_checkpoints_proofs_and_evidence_verify_from_the_outside(app, clock, client):
    (app.settings.data_dir / "signing-key.pem").write_bytes(checkpoints.generate_private_key_pem())
    ledger = ledger_for(app, create_tables=True)
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = app.submit(
        s.solver,
        challenge_id,
        "Pendulum park",
        "Swings.",
        terms,
        files=[Upload.of_bytes("sketch.png", PNG)],
    ).id
    catch_up(ledger)
    first = ledger.checkpoint_now()
    clock.advance(timedelta(days=30))
    agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
    text_sha = app.get_agreement(s.solver, agreement_id).text_sha256
    app.sign_agreement(s.solver, agreement_id, "Sol Ver", "I agree", text_sha)
    app.countersign_agreement(s.sponsor, agreement_id, "Spon Sor", "I agree", text_sha)
    app.record_payment(s.sponsor, agreement_id, "WIRE-1")
    catch_up(ledger)
    ledger.checkpoint_now()
    ledger.db.close()

    key = client.get("/api/v1/log/public-key").json()
    public = checkpoints.load_public_key(key["public_key_pem"].encode())
    latest = msgspec.convert(
        client.get("/api/v1/log/checkpoints/latest").json(), checkpoints.Checkpoint
    )
    assert checkpoints.verify(public, latest)
    listed = client.get("/api/v1/log/checkpoints").json()
    assert [c["tree_size"] for c in listed] == [first.tree_size, latest.tree_size]
    # Paged in SQL by tree size.
    after_first = client.get(f"/api/v1/log/checkpoints?after={first.tree_size}").json()
    assert [c["tree_size"] for c in after_first] == [latest.tree_size]
    assert [c["tree_size"] for c in client.get("/api/v1/log/checkpoints?limit=1").json()] == [
        first.tree_size
    ]

    consistency = client.get(
        f"/api/v1/log/proof/consistency?first={first.tree_size}&second={latest.tree_size}"
    ).json()
    assert verify_consistency(
        first.tree_size,
        latest.tree_size,
        [bytes.fromhex(h) for h in consistency["proof"]],
        bytes.fromhex(first.root_sha256),
        bytes.fromhex(latest.root_sha256),
    )
    assert_problem(
        client.get(f"/api/v1/log/proof/consistency?first=1&second={latest.tree_size + 5}"),
        422,
        "invalid_input",
    )

    # the evidence: only authors, the sponsor's members and admins may take it
    solver_token = app.issue_token("solver@example.org", PASSWORD)
    response = client.get(
        f"/api/v1/submissions/{entry}/evidence?with_files=true", headers=bearer(solver_token[0])
    )
    assert response.status_code == 200, response.text
    bundle = decode_bundle(response.content)
    result = verify_bundle(bundle, public, outside_checkpoint=latest)
    assert result.ok, result.report()
    assert base64.b64decode(bundle.files[0].content_base64 or "") == PNG

    submitted = next(e for e in bundle.events if "Submission.Submitted" in e.event)
    position = msgspec.json.decode(submitted.event)["position"]
    inclusion = client.get(
        f"/api/v1/log/proof/inclusion?event_id={position}&tree_size={latest.tree_size}"
    ).json()
    assert verify_inclusion(
        leaf_hash(submitted.event.encode()),
        inclusion["leaf_index"],
        latest.tree_size,
        [bytes.fromhex(h) for h in inclusion["proof"]],
        bytes.fromhex(latest.root_sha256),
    )

    other_token = app.issue_token("other@example.org", PASSWORD)
    assert_problem(
        client.get(f"/api/v1/submissions/{entry}/evidence", headers=bearer(other_token[0])),
        404,
        "not_found",
    )
    assert client.get(f"/api/v1/submissions/{entry}/evidence").status_code == 401


def test_notes_key_history_and_freshness_for_outside_verifiers(app, clock, client):
    """What a verifier fetches beside a bundle: the checkpoint note (with the stream heads
    line and any cosignatures), the key history, and a fresher checkpoint that tells an
    old bundle is stale once a dispute is recorded."""
    import json

    from openinno.ledger import evidence_verifier as ev

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
    app.record_payment(s.sponsor, agreement_id, "WIRE-1")
    catch_up(ledger)
    from openinno.ledger.bundle import build_bundle, encode_bundle

    old = json.loads(encode_bundle(build_bundle(ledger, entry)))
    size = old["checkpoint"]["tree_size"]

    note = client.get("/api/v1/log/checkpoint-note")
    assert note.status_code == 200 and note.headers["content-type"].startswith("text/plain")
    assert note.text == old["checkpoint_note"]
    assert ev.parse_heads_line(note.text.split("\n\n")[0] + "\n") is not None
    assert client.get(f"/api/v1/log/checkpoint-note?tree_size={size}").text == note.text
    assert_problem(client.get("/api/v1/log/checkpoint-note?tree_size=1"), 404, "not_found")
    history = client.get("/api/v1/log/key-history").json()
    assert history["format"] == ev.KEY_HISTORY_FORMAT and history["revocations"] == []

    app.dispute_agreement(s.solver, agreement_id, "The sponsor never paid.")
    catch_up(ledger)
    ledger.db.close()
    streams = sorted(old["stream_leaves"]["streams"])
    query = "&".join(f"stream_id={x}" for x in streams)
    fresher = client.get(f"/api/v1/log/freshness?since={size}&{query}").json()
    assert fresher["format"] == ev.FRESHNESS_FORMAT
    public = checkpoints.load_public_key(
        client.get("/api/v1/log/public-key").json()["public_key_pem"].encode()
    )
    result = ev.verify_bundle(old, public, fresher=fresher)
    assert f"stream {agreement_id}: 1 newer" in result.stale
    assert_problem(
        client.get(f"/api/v1/log/freshness?since={size + 100}&{query}"), 422, "invalid_input"
    )
