"""ChallengeSpec gained ``after_the_win`` and IpAgreement.Drafted ``royalty`` (issue 29):
terms and agreements stored before them still decode and hash as they did; terms
published since write the key (``{}`` when nothing is promised) and hash to what the
evidence verifier recomputes from the stored payload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import msgspec

from openinno.clock import ManualClock
from openinno.domain.challenge import Challenge
from openinno.domain.values import (
    AfterTheWin,
    AppealRules,
    ChallengeTerms,
    RoyaltyTerms,
    canonical_json,
    sha256_hex,
    terms_document,
)
from openinno.persistence.mapper import MsgspecMapper, MsgspecTranscoder
from tests.persistence.test_appeal_terms import PUBLISHED_DEFAULTS, terms
from tests.persistence.test_mapper import stored_fixture
from tests.support.story import spec_for


def test_terms_stored_before_after_the_win_hash_as_they_did():
    old = terms(review_timing="after_close", appeals=AppealRules(), **PUBLISHED_DEFAULTS)
    stored = msgspec.to_builtins(old)
    del stored["spec"]["after_the_win"]
    recorded = sha256_hex(canonical_json(stored))
    decoded = msgspec.convert(stored, ChallengeTerms)
    assert decoded.spec.after_the_win is None
    assert decoded.spec.beyond_the_prizes == AfterTheWin()
    assert sha256_hex(terms_document(decoded)) == recorded


def test_publishing_writes_after_the_win_explicitly():
    clock = ManualClock(datetime(2026, 6, 1, tzinfo=UTC))
    for promised, expected in (
        (None, {}),
        (
            AfterTheWin(royalty=RoyaltyTerms(Decimal("1.5"), "quarter", "EUR")),
            {"royalty": {"rate_percent": "1.5", "currency": "EUR"}},
        ),
        (
            AfterTheWin(royalty=RoyaltyTerms(Decimal("2"), "year")),
            {"royalty": {"rate_percent": "2", "period": "year"}},
        ),
    ):
        challenge = Challenge(
            actor_id=uuid4(),
            organisation_id=uuid4(),
            spec=spec_for(clock, after_the_win=promised),
            timestamp=clock.now(),
        )
        challenge.publish(uuid4(), clock.now() + timedelta(hours=1))
        assert challenge.terms is not None
        payload = msgspec.json.decode(msgspec.json.encode(challenge.terms))
        assert payload["spec"]["after_the_win"] == expected
        # The verifier's way (canonical JSON of the stored payload) gives the hash.
        assert sha256_hex(canonical_json(payload)) == challenge.terms_sha256


def test_an_agreement_drafted_before_royalties_decodes_without_one():
    mapper = MsgspecMapper(MsgspecTranscoder())
    (old, *_) = [
        stored
        for stored in stored_fixture()
        if stored.topic.endswith("IpAgreement.Drafted") and b"royalty" not in stored.state
    ]
    event = mapper.to_domain_event(old)
    assert event.royalty is None  # type: ignore[attr-defined]
    agreement = event.mutate(None)
    assert agreement is not None
    assert agreement.royalty is None and agreement.production is None
    assert agreement.statements == [] and agreement.sales_reports == []
