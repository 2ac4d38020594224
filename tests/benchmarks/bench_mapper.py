"""The msgspec mapper against the library's default JSON transcoder, on the same
events (ones the default can encode: UUIDs, datetimes, decimals, strings)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)

from openinno.domain import IpAgreement, Submission, Vote
from openinno.persistence.mapper import MsgspecMapper, MsgspecTranscoder
from openinno.persistence.write_proof import WriteKey
from tests.benchmarks.report import Result, rate


def sample_events(n: int) -> list:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    events = []
    for i in range(n):
        kind = i % 3
        common = {"originator_id": uuid4(), "originator_version": 2, "timestamp": now}
        if kind == 0:
            events.append(Vote.Retracted(actor_id=uuid4(), **common))
        elif kind == 1:
            events.append(
                Submission.Withdrawn(actor_id=uuid4(), reason="Merged with a team entry", **common)
            )
        else:
            events.append(
                IpAgreement.ConsiderationPaid(
                    actor_id=uuid4(),
                    reference=f"SEPA-{i}",
                    amount=Decimal("5000.00"),
                    currency="EUR",
                    **common,
                )
            )
    return events


def default_mapper() -> Mapper:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO(), DecimalAsStr()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def run(quick: bool) -> list[Result]:
    n = 3_000 if quick else 200_000
    events = sample_events(n)
    ours, theirs = MsgspecMapper(MsgspecTranscoder()), default_mapper()

    # correctness first: both round-trip every event to an equal one
    for event in events[:300]:
        for mapper in (ours, theirs):
            assert vars(mapper.to_domain_event(mapper.to_stored_event(event))) == vars(event)

    stored_ours = [ours.to_stored_event(e) for e in events]
    stored_theirs = [theirs.to_stored_event(e) for e in events]
    encode = rate(n, lambda: [ours.to_stored_event(e) for e in events])
    encode_base = rate(n, lambda: [theirs.to_stored_event(e) for e in events])
    decode = rate(n, lambda: [ours.to_domain_event(s) for s in stored_ours])
    decode_base = rate(n, lambda: [theirs.to_domain_event(s) for s in stored_theirs])
    # Write proofs (issue 22): one HMAC-SHA256 per event over bytes already encoded.
    proving = MsgspecMapper(MsgspecTranscoder())
    proving.write_key = WriteKey(bytes(32))
    encode_proven = rate(n, lambda: [proving.to_stored_event(e) for e in events])
    return [
        Result(
            "mapper encode with write proof",
            encode_proven,
            "without (same run)",
            encode,
            "events/s",
        ),
        Result(
            "mapper encode (msgspec)", encode, "library JSONTranscoder", encode_base, "events/s"
        ),
        Result(
            "mapper decode (msgspec)", decode, "library JSONTranscoder", decode_base, "events/s"
        ),
    ]
