"""Stored events are forever: the payloads recorded by earlier code must still load."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from openinno.domain import AGGREGATES, IpAgreement
from openinno.domain.values import Prize
from openinno.ledger.canonical import canonical_json
from openinno.persistence.mapper import MsgspecMapper, MsgspecTranscoder, decode_payload
from openinno.persistence.write_proof import WriteKey, unseal

FIXTURE = Path(__file__).parent.parent / "fixtures" / "stored_events_v1.jsonl"


def stored_fixture() -> list[StoredEvent]:
    rows = [json.loads(line) for line in FIXTURE.read_text().splitlines() if line]
    return [
        StoredEvent(
            UUID(r["originator_id"]), r["originator_version"], r["topic"], r["state"].encode()
        )
        for r in rows
    ]


def event_classes() -> set[str]:
    names = set()
    for aggregate in AGGREGATES:
        for name, value in vars(aggregate).items():
            if (
                isinstance(value, type)
                and issubclass(value, Aggregate.Event)
                and name not in ("Event", "Created")
            ):
                names.add(f"{aggregate.__name__}.{name}")
    return names


def test_every_event_type_has_a_stored_v1_payload_in_the_fixture():
    topics = {s.topic.split(":")[1] for s in stored_fixture()}
    assert event_classes() <= topics, event_classes() - topics


def test_v1_payloads_still_decode_and_replay_into_aggregates():
    mapper = MsgspecMapper(MsgspecTranscoder())
    aggregates: dict[UUID, Aggregate] = {}
    for stored in stored_fixture():
        event = mapper.to_domain_event(stored)
        assert isinstance(event.timestamp, datetime) and event.timestamp.tzinfo is not None
        aggregates[event.originator_id] = event.mutate(aggregates.get(event.originator_id))
    agreements = [a for a in aggregates.values() if isinstance(a, IpAgreement)]
    assert {a.state for a in agreements} == {"transferred", "rescinded"}
    assert all(isinstance(a.amount, Decimal) for a in agreements)


def added_defaults(topic: str, stored: dict) -> dict:
    """The fields an event class gained after the payload was stored, at their defaults
    (what re-encoding an old payload writes besides what it held)."""
    cls = resolve_topic(topic)
    return {
        f.name: f.default
        for f in dataclasses.fields(cls)
        if f.default is not dataclasses.MISSING and f.name not in stored
    }


def test_round_trip_keeps_types(tmp_path):
    mapper = MsgspecMapper(MsgspecTranscoder())
    for stored in stored_fixture():
        event = mapper.to_domain_event(stored)
        again = mapper.to_domain_event(mapper.to_stored_event(event))
        assert vars(again) == vars(event)
        # Written again in canonical form (keys sorted: write proofs, issue 22), the
        # same JSON value, but for fields added to the class since (with defaults),
        # written out with their defaults; everything stored is kept as it was.
        state = mapper.to_stored_event(again).state
        rewritten, original = json.loads(state), json.loads(stored.state)
        assert state == canonical_json(rewritten), stored.topic
        assert as_stored(rewritten, original) == original, stored.topic
        added = fields_with_defaults(type(event))
        assert set(rewritten) - set(original) <= set(added), stored.topic


def as_stored(value, stored, nested=False):
    """``value`` (an old payload decoded and written again) cut to ``stored``'s shape:
    optional fields added since to value objects inside events (ChallengeSpec's
    ``review_timing``, Award's version fields: issue 20) come back at their default,
    None, and everything stored is kept as it was."""
    if isinstance(value, dict) and isinstance(stored, dict):
        # Top-level fields added since are checked against the class's defaults.
        assert not nested or all(value[k] is None for k in value.keys() - stored.keys()), value
        return {k: as_stored(value[k], stored[k], True) if k in value else None for k in stored}
    if isinstance(value, list) and isinstance(stored, list) and len(value) == len(stored):
        return [as_stored(v, s, True) for v, s in zip(value, stored, strict=True)]
    return value


def fields_with_defaults(cls: type) -> list[str]:
    import dataclasses

    return [
        f.name
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    ]


def test_signatures_stored_before_the_name_check_load_without_a_verdict():
    """Signature gained typed_name_matches_account (issue 22, finding 8): stored
    signatures have none, load as None (not checked) and are written again unchanged."""
    mapper = MsgspecMapper(MsgspecTranscoder())
    for topic in ("IpAgreement.SignedByAssignor", "IpAgreement.CountersignedByAssignee"):
        stored = next(s for s in stored_fixture() if s.topic.endswith(topic))
        assert b"typed_name_matches_account" not in stored.state
        event = mapper.to_domain_event(stored)
        assert event.signature.typed_name_matches_account is None
        again = unseal(mapper.to_stored_event(event).state)[1]
        assert b"typed_name_matches_account" not in again


def test_api_tokens_stored_before_expiry_and_scopes_load_with_the_defaults():
    """ApiToken.Issued gained expires_at, scope, label and generation (issue 19):
    the payloads stored before have none and load as read-write tokens of generation 0
    with no recorded expiry (they expire the TTL after their issue)."""
    mapper = MsgspecMapper(MsgspecTranscoder())
    issued = next(s for s in stored_fixture() if s.topic.endswith("ApiToken.Issued"))
    assert b"expires_at" not in issued.state
    event = mapper.to_domain_event(issued)
    token = event.mutate(None)
    assert (token.expires_at, token.scope, token.label, token.generation) == (
        None,
        "read-write",
        "",
        0,
    )


def test_every_event_type_is_written_canonical_and_sealed_with_a_proof_that_checks():
    """The proof covers the canonical payload, which the mapper writes directly; the
    ledger re-canonicalises what it reads, so both must be the same bytes for every
    event type, or genuine events would be refused."""
    key = WriteKey(bytes(range(32)))
    mapper = MsgspecMapper(MsgspecTranscoder())
    mapper.write_key = key
    for stored in stored_fixture():
        event = mapper.to_domain_event(stored)
        written = mapper.to_stored_event(event)
        tag, payload = unseal(written.state)
        assert tag is not None and payload == canonical_json(json.loads(payload))
        assert key.check(
            tag, stored.originator_id, stored.originator_version, stored.topic, payload
        )
        assert not key.check(
            tag, stored.originator_id, stored.originator_version + 1, stored.topic, payload
        )
        assert vars(mapper.to_domain_event(written)) == vars(event)
        # The same payload, but for optional fields added since (at their defaults).
        now, before = mapper.to_payload(written), mapper.to_payload(stored)
        assert as_stored(now, before) == before, stored.topic
        assert set(now) - set(before) <= set(fields_with_defaults(type(event))), stored.topic


def test_payloads_are_plain_json_with_decimal_money_as_strings():
    drafted = next(s for s in stored_fixture() if s.topic.endswith("IpAgreement.Drafted"))
    payload = json.loads(drafted.state)
    assert payload["amount"] == "5000.00"
    assert payload["currency"] == "EUR"


class Versioned(Aggregate):
    """A stand-in for an event that changed shape: v1 had `amount` as a float-ish str
    and no currency; v2 names the currency.  Old payloads are upcast on read."""

    class Priced(Aggregate.Event):
        class_version = 2
        prize: Prize
        note: str = ""

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["prize"] = {"place": 1, "amount": state.pop("amount"), "currency": "EUR"}


def test_old_class_versions_are_upcast_and_new_optional_fields_default():
    v1 = b'{"timestamp":"2026-01-01T00:00:00Z","amount":"10.50"}'
    state = decode_payload(Versioned.Priced, v1)
    assert state["prize"] == Prize(1, Decimal("10.50"), "EUR")
    assert state["note"] == ""


def test_the_msgspec_mapper_decodes_what_the_library_default_cannot_type():
    # The library's JSONTranscoder needs a registered transcoding for each custom type;
    # ours takes the type from the event class itself.
    with pytest.raises(TypeError):
        JSONTranscoder().encode({"prize": Prize(1, Decimal(1), "EUR")})


def test_encrypted_payloads_round_trip_and_are_unreadable_at_rest():
    from eventsourcing.cryptography import AESCipher
    from eventsourcing.utils import Environment

    key = AESCipher.create_key(32)
    mapper = MsgspecMapper(
        MsgspecTranscoder(), cipher=AESCipher(Environment(env={"CIPHER_KEY": key}))
    )
    event = MsgspecMapper(MsgspecTranscoder()).to_domain_event(stored_fixture()[0])
    stored = mapper.to_stored_event(event)
    assert b"example.org" not in stored.state
    assert vars(mapper.to_domain_event(stored)) == vars(event)


def test_originator_ids_stored_as_strings_come_back_as_uuids():
    mapper = MsgspecMapper(MsgspecTranscoder())
    first = stored_fixture()[0]
    event = mapper.to_domain_event(
        StoredEvent(str(first.originator_id), 1, first.topic, first.state)
    )  # type: ignore[arg-type]
    assert event.originator_id == first.originator_id
    assert get_topic(type(event)) == first.topic


def test_reviews_stored_before_versions_were_bound_load_without_a_version():
    """Review.ScoresRecorded / ScoresRevised gained content_sha256 and version (issue
    20): stored ones have neither and load as None; such a review counts for the entry's
    only version, and for none once the entry was revised (decision 0022)."""
    mapper = MsgspecMapper(MsgspecTranscoder())
    stored = [s for s in stored_fixture() if s.topic.split(":")[1].startswith("Review.Scores")]
    assert stored and all(b"content_sha256" not in s.state for s in stored)
    review = None
    for s in [s for s in stored_fixture() if s.originator_id == stored[0].originator_id]:
        event = mapper.to_domain_event(s)
        if s.topic.split(":")[1].startswith("Review.Scores"):
            assert (event.content_sha256, event.version) == (None, None)
        review = event.mutate(review)
    assert review is not None and review.scored_sha256 is None
    assert review.scored_content(["a" * 64]) == "a" * 64
    assert review.scored_content(["a" * 64, "b" * 64]) is None


def test_terms_published_before_review_timing_still_hash_to_their_recorded_hash():
    """ChallengeSpec gained review_timing (issue 20): old terms decode with None, mean
    "after_close", and their terms document is the very bytes that were hashed."""
    from openinno.domain.values import sha256_hex, terms_document

    mapper = MsgspecMapper(MsgspecTranscoder())
    published = [s for s in stored_fixture() if s.topic.endswith("Challenge.Published")]
    assert published
    for stored in published:
        assert b"review_timing" not in stored.state
        event = mapper.to_domain_event(stored)
        assert event.terms.spec.review_timing is None
        assert event.terms.spec.review_runs == "after_close"
        assert sha256_hex(terms_document(event.terms)) == event.terms_sha256


def test_submission_events_stored_before_terms_accepted_at_still_load():
    from openinno.domain import Submission

    content = {"title": "Kites", "summary": "Up.", "files": []}
    ids = {"challenge_id": str(UUID(int=1)), "receipt_id": str(UUID(int=2))}
    submitted = json.dumps(
        {
            "timestamp": "2026-01-01T00:00:00Z",
            "originator_topic": get_topic(Submission),
            "actor_id": str(UUID(int=3)),
            "team_ids": [],
            "content": content,
            "accepted_terms_sha256": "a" * 64,
            "content_sha256": "b" * 64,
            **ids,
        }
    ).encode()
    assert decode_payload(Submission.Submitted, submitted)["terms_accepted_at"] is None
    revised = json.dumps(
        {
            "timestamp": "2026-01-02T00:00:00Z",
            "actor_id": str(UUID(int=3)),
            "version": 2,
            "content": content,
            "content_sha256": "c" * 64,
            "receipt_id": str(UUID(int=4)),
        }
    ).encode()
    assert decode_payload(Submission.Revised, revised)["terms_accepted_at"] is None
