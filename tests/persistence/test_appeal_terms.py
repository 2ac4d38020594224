"""ChallengeSpec gained ``appeals`` (issue 24): terms published before it still hash to
their recorded hash, and terms published since hash to what the evidence verifier
recomputes from the stored payload."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from openinno.domain.values import (
    AfterTheWin,
    AppealRules,
    ChallengeSpec,
    ChallengeTerms,
    Criterion,
    Prize,
    canonical_json,
    sha256_hex,
    terms_document,
)


def terms(**changes: object) -> ChallengeTerms:
    spec = ChallengeSpec(
        title="Kites",
        brief="Fly.",
        prizes=(Prize(1, Decimal("10.00"), "EUR"),),
        criteria=(Criterion("lift", 100),),
        opens_at=datetime(2026, 1, 1, tzinfo=UTC),
        closes_at=datetime(2026, 2, 1, tzinfo=UTC),
        review_ends_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    return ChallengeTerms(
        UUID(int=1), UUID(int=2), msgspec.structs.replace(spec, **changes), "assignment", 1
    )


# Keys the spec gained after ``review_timing`` (issues 20, 23, 24): terms stored
# before them have none of these keys.
LATER_KEYS = (
    "independent_reviewers",
    "later_rounds",
    "award_rule",
    "public_weight",
    "verified_email_to_enter",
    "verified_email_to_vote",
    "appeals",
    "after_the_win",
)
# What publishing writes for each of them when the draft did not say (every key of
# new terms explicit; Challenge.publish).
PUBLISHED_DEFAULTS = {
    "independent_reviewers": False,
    "later_rounds": (),
    "award_rule": "jury",
    "public_weight": 0,
    "verified_email_to_enter": False,
    "verified_email_to_vote": False,
    "after_the_win": AfterTheWin(),
}


def stored_before_appeals(t: ChallengeTerms) -> dict:
    """The payload as stored before issue 24 (and the other later keys): none of them."""
    value = msgspec.to_builtins(t)
    for key in LATER_KEYS:
        del value["spec"][key]
    return value


def test_terms_with_review_timing_but_no_appeals_hash_as_they_did():
    old = terms(review_timing="rolling")
    recorded = sha256_hex(canonical_json(stored_before_appeals(old)))
    decoded = msgspec.convert(stored_before_appeals(old), ChallengeTerms)
    assert decoded.spec.appeals is None
    assert decoded.spec.appeal_rules == AppealRules(window_days=7, scores=False)
    assert sha256_hex(terms_document(decoded)) == recorded


def test_terms_with_appeals_hash_as_the_verifier_recomputes_from_the_payload():
    new = terms(
        review_timing="after_close",
        appeals=AppealRules(window_days=3, scores=True),
        **PUBLISHED_DEFAULTS,
    )
    payload = msgspec.json.decode(msgspec.json.encode(new))
    assert payload["spec"]["appeals"] == {"window_days": 3, "scores": True}
    assert sha256_hex(canonical_json(payload)) == sha256_hex(terms_document(new))
    # ...and a different window is a different document.
    other = terms(
        review_timing="after_close",
        appeals=AppealRules(window_days=4, scores=True),
        **PUBLISHED_DEFAULTS,
    )
    assert terms_document(other) != terms_document(new)
