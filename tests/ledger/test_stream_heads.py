"""Complete and current bundles against whoever holds the signing key (decision 0024):
each stream's events chain to a head, every checkpoint note commits to the map of
stream heads, and the witnesses cosign that note.  A bundle with an event left out
fails even when re-signed with the platform's key; a bundle older than a dispute is
STALE beside a fresher checkpoint."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openinno.application import OpenInno
from openinno.ledger import checkpoint as checkpoints
from openinno.ledger import evidence_verifier as ev
from openinno.ledger import note
from openinno.ledger.bundle import (
    FORMAT,
    StreamHead,
    build_bundle,
    decode_bundle,
    encode_bundle,
    freshness,
)
from openinno.ledger.log import catch_up, ledger_for
from openinno.ledger.merkle import MerkleTree
from openinno.ledger.witness import Witness, WitnessState, serve
from openinno.ledger.witnessing import add_checkpoint, parse_witnesses
from tests.support.story import scene

WITNESS = "w.example/heads"


@pytest.fixture
def story(app: OpenInno, clock, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An assignment signed, countersigned and paid, its ledger cosigned by a witness
    served on 127.0.0.1 (the same code as `openinno witness`)."""
    key_file = app.settings.data_dir / "signing-key.pem"
    key_file.write_bytes(checkpoints.generate_private_key_pem())
    ledger = ledger_for(app, create_tables=True)
    assert ledger.signing_key is not None
    witness_key = Ed25519PrivateKey.generate()
    witness = Witness(
        WITNESS,
        witness_key,
        [ev.parse_vkey(note.log_vkey(ledger.signing_key, ledger.origin))],
        WitnessState(tmp_path / "witness.state"),
        lambda: 1_767_000_000.0,
    )
    server = serve(witness, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    vkey = note.witness_vkey(witness_key, WITNESS)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    ledger.witnesses = parse_witnesses(
        json.dumps([{"name": WITNESS, "url": url, "public_key": vkey}])
    )
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    clock.advance(timedelta(days=30))
    agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
    text_sha = app.get_agreement(s.solver, agreement_id).text_sha256
    app.sign_agreement(s.solver, agreement_id, "Sol Ver", "I agree", text_sha)
    app.countersign_agreement(s.sponsor, agreement_id, "Spon Sor", "I agree", text_sha)
    app.record_payment(s.sponsor, agreement_id, "WIRE-1")
    try:
        yield app, ledger, s, entry, agreement_id, ev.parse_vkey(vkey)
    finally:
        server.shutdown()
        server.server_close()
        ledger.db.close()


def plain_bundle(ledger, entry):  # type: ignore[no-untyped-def]
    catch_up(ledger)
    return json.loads(encode_bundle(build_bundle(ledger, entry)))


def failed(result: ev.Verification) -> list[str]:
    return [f"{c.name}: {c.detail}" for c in result.checks if not c.ok]


def resign_leaves(ledger, bundle: dict, drop: int) -> dict:  # type: ignore[no-untyped-def]
    """What the key holder can make: the event at leaf ``drop`` taken out, and the list
    of the streams' leaves signed again with the platform's key."""
    forged = json.loads(json.dumps(bundle))
    forged["events"] = [e for e in forged["events"] if e["leaf_index"] != drop]
    listed = forged["stream_leaves"]
    listed["streams"] = {k: [i for i in v if i != drop] for k, v in listed["streams"].items()}
    signature = ledger.signing_key.sign(ev.stream_leaves_message(listed))
    listed["signature"] = base64.b64encode(signature).decode()
    return forged


def test_a_bundle_with_the_dispute_left_out_fails_though_resigned_with_the_platforms_key(
    story,  # type: ignore[no-untyped-def]
) -> None:
    app, ledger, s, entry, agreement_id, witness = story
    app.dispute_agreement(s.solver, agreement_id, "The sponsor never paid.")
    genuine = plain_bundle(ledger, entry)
    assert genuine["format"] == FORMAT == "openinno-evidence/2"
    key = ledger.signing_key.public_key()
    policy = {"witnesses": [witness], "witness_quorum": 1}
    assert "\n" + ev.HEADS_EXTENSION + " " in genuine["checkpoint_note"]
    result = ev.verify_bundle(genuine, key, **policy)
    assert failed(result) == [
        "not disputed or rescinded: IpAgreement.Disputed: The sponsor never paid."
    ]
    [heads] = [c for c in result.checks if c.name.startswith("every event of those streams")]
    assert heads.ok and heads.detail.startswith("3 streams, committed at tree size")

    [dispute] = [e for e in genuine["events"] if "IpAgreement.Disputed" in e["event"]]
    # 1. The dispute left out, the list of leaves signed again with the platform's key:
    #    the agreement's committed head (in the cosigned note) names the missing event.
    forged = resign_leaves(ledger, genuine, dispute["leaf_index"])
    events = genuine["stream_leaves"]["streams"][str(agreement_id)]
    assert failed(ev.verify_bundle(forged, key, **policy)) == [
        "every event of those streams, by the stream heads in the checkpoint note: stream"
        f" {agreement_id} had {len(events)} events at the checkpoint; the bundle holds"
        f" {len(events) - 1}"
    ]
    # Without stream heads it would have passed: what format 1 could not catch.
    as_format_1 = {**forged, "format": ev.FORMAT_1, "stream_heads": None}
    assert ev.verify_bundle(as_format_1, key).ok

    # 2. The key holder also commits to a map of heads without the dispute and signs a
    #    new note of the same tree with it: the witness's cosignature does not cover it,
    #    and the witness refuses to cosign a second note of a size it cosigned.
    size = genuine["checkpoint"]["tree_size"]
    entries, _ = ledger.heads_map(size)
    held = sorted(
        (e["leaf_index"], ev.leaf_hash(e["event"].encode()))
        for e in forged["events"]
        if json.loads(e["event"])["stream_id"] == str(agreement_id)
    )
    fake = [
        (sid, len(held), ev.chain_head([d for _, d in held]))
        if sid == str(agreement_id)
        else (sid, n, h)
        for sid, n, h in entries
    ]
    tree = MerkleTree()
    for sid, n, h in fake:
        tree.append(ev.heads_entry(sid, n, h))
    root = bytes.fromhex(genuine["checkpoint"]["root_sha256"])
    fake_note = note.sign_checkpoint(
        ledger.signing_key, ledger.origin, size, root, (tree.size, tree.root())
    )
    where = {sid: i for i, (sid, _, _) in enumerate(fake)}
    forged["stream_heads"] = [
        msgspec.to_builtins(
            StreamHead(
                h["stream_id"],
                fake[where[h["stream_id"]]][1],
                fake[where[h["stream_id"]]][2].hex(),
                where[h["stream_id"]],
                [p.hex() for p in tree.inclusion_proof(where[h["stream_id"]], tree.size)],
            )
        )
        for h in genuine["stream_heads"]
    ]
    cosignatures = genuine["checkpoint_note"].split("\n\n", 1)[1].splitlines(keepends=True)[1:]
    forged["checkpoint_note"] = fake_note + "".join(cosignatures)
    # With the platform's key alone the forgery holds: that is what witnesses are for.
    assert failed(ev.verify_bundle(forged, key)) == []
    assert failed(ev.verify_bundle(forged, key, **policy)) == [
        f"cosigned by at least 1 of 1 witnesses: the cosignature of {WITNESS} does not verify"
    ]
    forged["checkpoint_note"] = fake_note
    assert failed(ev.verify_bundle(forged, key, **policy)) == [
        f"cosigned by at least 1 of 1 witnesses: {ledger.origin}: 0 cosigned"
    ]
    [config] = ledger.witnesses
    assert add_checkpoint(config, fake_note, size, []).status == 409


def test_a_bundle_older_than_a_dispute_is_stale_beside_a_fresher_checkpoint(
    story,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app, ledger, s, entry, agreement_id, witness = story
    old = plain_bundle(ledger, entry)
    key = ledger.signing_key.public_key()
    policy = {"witnesses": [witness], "witness_quorum": 1}
    assert ev.verify_bundle(old, key, **policy).ok
    old_size = old["checkpoint"]["tree_size"]
    streams = sorted(old["stream_leaves"]["streams"])

    # Growth elsewhere only: still current.
    app.register_account("late@example.org", "correct horse battery", "Late")
    catch_up(ledger)
    fresher = msgspec.to_builtins(freshness(ledger, old_size, streams))
    assert "\u2014 " + WITNESS + " " in fresher["checkpoint_note"]
    result = ev.verify_bundle(old, key, **policy, fresher=fresher)
    assert result.ok, result.report()
    assert [c.detail for c in result.checks][-1].startswith("none up to tree size")

    # A dispute recorded after the bundle's checkpoint: the bundle is STALE.
    app.dispute_agreement(s.solver, agreement_id, "The sponsor never paid.")
    catch_up(ledger)
    fresher = msgspec.to_builtins(freshness(ledger, old_size, streams))
    result = ev.verify_bundle(old, key, **policy, fresher=fresher)
    assert not result.ok and result.stale
    assert f"stream {agreement_id}: 1 newer" in result.stale
    assert "RESULT: STALE: the log at size" in result.report()
    # The same from the command line (`openinno verify` runs this code too): exit 1.
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "fresher.json").write_text(json.dumps(fresher))
    (tmp_path / "platform.pem").write_bytes(checkpoints.public_key_pem(ledger.signing_key))
    argv = [str(tmp_path / "old.json"), "--public-key", str(tmp_path / "platform.pem")]
    assert (
        ev.main(
            [*argv, "--witness", ev.vkey(witness.name, witness.signature_type, witness.public_key)]
        )
        == 0
    )
    capsys.readouterr()
    assert ev.main([*argv, "--fresher", str(tmp_path / "fresher.json")]) == 1
    assert f"stream {agreement_id}: 1 newer" in capsys.readouterr().out
    # A fresher note the policy's witness did not cosign is not taken as fresher.
    text = fresher["checkpoint_note"]
    uncosigned = {**fresher, "checkpoint_note": text[: text.index("\u2014 " + WITNESS)]}
    result = ev.verify_bundle(old, key, **policy, fresher=uncosigned)
    assert not result.stale and failed(result) == [
        "no newer events of the bundle's streams: the fresher checkpoint is cosigned by 0 of"
        " the policy's witnesses, not 1"
    ]
    # A consistency proof that does not hold: a fork, not staleness.
    forked = {**fresher, "consistency_proof": {**fresher["consistency_proof"], "proof": []}}
    result = ev.verify_bundle(old, key, fresher=forked)
    assert result.fork and "does not extend the bundle's tree" in result.fork
    assert not result.stale


def test_old_ledgers_get_their_stream_chains_and_the_heads_at_any_size(
    story,  # type: ignore[no-untyped-def]
) -> None:
    """Leaves appended before stream chains existed are chained once; the heads at an
    older size are the ones the note of that size committed to."""
    _app, ledger, _s, entry, _agreement_id, _witness = story
    catch_up(ledger)
    size, _ = ledger.state()
    entries, tree = ledger.heads_map(size)
    early = ledger.heads_map(size // 2)
    with ledger.db.transaction():
        ledger.db.execute("DELETE FROM ledger_map_nodes")
        ledger.db.execute("DELETE FROM ledger_map_state")
        ledger.db.execute("DELETE FROM ledger_stream_heads")
    ledger.chain_up_to(size)
    assert ledger.heads_map(size)[0] == entries
    assert ledger.heads_map(size // 2)[0] == early[0]
    assert sum(n for _, n, _ in entries) == size
    cp = ledger.checkpoint_now()
    committed = ev.parse_heads_line(ledger.checkpoint_note(cp.tree_size).split("\n\n")[0] + "\n")
    assert committed == (tree.size, tree.root())
    bundle = decode_bundle(encode_bundle(build_bundle(ledger, entry)))
    assert bundle.stream_heads and {h.stream_id for h in bundle.stream_heads} == set(
        bundle.stream_leaves.streams
    )


def test_verify_since_a_saved_checkpoint_note_tells_growth_from_a_fork(
    story,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`verify --since` takes the C2SP note an outsider saved (GET /log/checkpoint-note)
    as well as the JSON checkpoint."""
    app, ledger, _s, entry, _agreement_id, _witness = story
    first = plain_bundle(ledger, entry)
    old_size = first["checkpoint"]["tree_size"]
    saved = tmp_path / "saved.note"
    saved.write_text(first["checkpoint_note"])
    app.register_account("late@example.org", "correct horse battery", "Late")
    catch_up(ledger)
    grown = tmp_path / "grown.json"
    grown.write_bytes(encode_bundle(build_bundle(ledger, entry, since=[old_size])))
    public = tmp_path / "platform.pem"
    public.write_bytes(checkpoints.public_key_pem(ledger.signing_key))
    args = [str(grown), "--public-key", str(public), "--since"]
    assert ev.main([*args, str(saved)]) == 0
    assert f"PASS  consistent with your checkpoint of size {old_size}: consistent" in (
        capsys.readouterr().out
    )
    # A note of the same size over another tree, signed with the platform's key: a fork.
    rewritten = note.sign_checkpoint(ledger.signing_key, ledger.origin, old_size, bytes(32))
    (tmp_path / "rewritten.note").write_text(rewritten)
    assert ev.main([*args, str(tmp_path / "rewritten.note")]) == 1
    assert "RESULT: INCONSISTENT: fork: " in capsys.readouterr().out
    # A note signed by another key is not the platform's checkpoint.
    stranger = Ed25519PrivateKey.generate()
    root = bytes.fromhex(first["checkpoint"]["root_sha256"])
    (tmp_path / "stranger.note").write_text(
        note.sign_checkpoint(stranger, ledger.origin, old_size, root)
    )
    assert ev.main([*args, str(tmp_path / "stranger.note")]) == 1
    assert "your checkpoint note: the note is not signed by the log key as" in (
        capsys.readouterr().out
    )


def test_the_audit_recomputes_the_latest_notes_stream_heads(
    story,  # type: ignore[no-untyped-def]
) -> None:
    """A key holder who commits to heads that leave an event out (at a later size, which
    a witness cannot check) is named by the audit, which recomputes them from the log."""
    from openinno.ledger.audit import _stream_chains, audit, heads_finding

    app, ledger, s, _entry, agreement_id, _witness = story
    app.dispute_agreement(s.solver, agreement_id, "The sponsor never paid.")
    catch_up(ledger)
    cp = ledger.checkpoint_now()
    assert heads_finding(ledger) is None
    # Paged (here by 2 leaves) as by 5,000: the same chains.
    assert list(_stream_chains(ledger, cp.tree_size, page=2)) == list(
        _stream_chains(ledger, cp.tree_size)
    )
    assert audit(ledger, ledger.signing_key.public_key()).ok
    entries, _ = ledger.heads_map(cp.tree_size)
    tree = MerkleTree()
    for sid, n, h in entries:
        tree.append(ev.heads_entry(sid, n - 1 if sid == str(agreement_id) else n, h))
    root = bytes.fromhex(cp.root_sha256)
    false = note.sign_checkpoint(
        ledger.signing_key, ledger.origin, cp.tree_size, root, (tree.size, tree.root())
    )
    with ledger.db.transaction():
        ledger.db.execute(
            "UPDATE ledger_checkpoint_notes SET note = ? WHERE tree_size = ?", (false, cp.tree_size)
        )
    report = audit(ledger, ledger.signing_key.public_key())
    assert report.findings == [
        f"checkpoint note at tree size {cp.tree_size}: its stream heads ({len(entries)} streams)"
        f" are not those of the log's leaves ({len(entries)} streams)"
    ]


def test_the_stored_map_of_heads_is_the_rebuilt_one_after_every_batch(
    story,  # type: ignore[no-untyped-def]
) -> None:
    """The map is updated in place, batch by batch (new streams appended, grown ones
    rehashed along their paths): after each batch its root is the root of the map rebuilt
    from scratch, and its proofs are the rebuilt map's."""
    _app, ledger, _s, entry, agreement_id, _witness = story
    batches = 0
    while ledger.follow_once(limit=3):
        batches += 1
        size, _ = ledger.state()
        listed, tree = ledger.heads_map(size)
        assert ledger.heads_commitment(size) == (tree.size, tree.root())
        streams = [stream for stream, _, _ in listed]
        assert ledger.heads_proofs(size, streams) == ledger.heads_proofs(size, streams, True)
    assert batches > 5
    assert [h[0] for h in ledger.heads_proofs(size, [str(entry), str(agreement_id)])] == [
        str(entry),
        str(agreement_id),
    ]


def test_the_ledgers_map_entries_are_the_verifiers_bytes() -> None:
    from openinno.ledger.log import _entry

    for stream, events, head in [
        ("b7c44184-75aa-4c07-88ba-a0b4c8cdf57d", 1, bytes(32)),
        ("00000000-0000-0000-0000-000000000001", 1234567, bytes(range(32))),
    ]:
        assert _entry(stream, events, head) == ev.heads_entry(stream, events, head)


def test_format_1_bundles_still_verify_on_the_key_and_fail_a_witness_policy(
    story,  # type: ignore[no-untyped-def]
) -> None:
    """Decision 0024: a bundle of the previous format (no stream heads) verifies as it did,
    saying that its completeness rests on the platform's key; a witness policy, whose
    point is not to trust that key, refuses it; format 2 without its heads is refused."""
    _app, ledger, _s, entry, _agreement_id, witness = story
    genuine = plain_bundle(ledger, entry)
    key = ledger.signing_key.public_key()
    older = {k: v for k, v in genuine.items() if k != "stream_heads"}
    older["format"] = ev.FORMAT_1
    result = ev.verify_bundle(older, key)
    assert result.ok, result.report()
    assert "PASS  bundle format: openinno-evidence/1\n" in result.report()
    assert (
        "NOTE  format 1 bundle: that it holds every event of its streams rests on the"
        " platform's key alone" in result.report()
    )
    result = ev.verify_bundle(older, key, witnesses=[witness], witness_quorum=1)
    assert failed(result) == [
        "every event of those streams, by the stream heads in the checkpoint note: a format 1"
        " bundle has no stream heads, and a witness policy needs them: export it again"
    ]
    assert ev.verify_bundle(genuine, key, witnesses=[witness], witness_quorum=1).ok
    headless = {**genuine, "stream_heads": None}
    assert failed(ev.verify_bundle(headless, key)) == [
        "every event of those streams, by the stream heads in the checkpoint note: a format 2"
        " bundle needs checkpoint_note and stream_heads"
    ]
