"""The assignment algorithm (decision 0023): k distinct reviewers per entry, balanced
loads, never a conflicted reviewer, deterministic for a seed, and a top-up that moves
only what is missing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openinno.domain.assignment import (
    MAX_BATCH,
    ReviewAssignment,
    balanced_assignment,
    check_k,
)
from openinno.domain.errors import InvalidInput, InvalidState

AT = datetime(2026, 12, 1, tzinfo=UTC)


def ids(n: int, base: int = 0) -> list[UUID]:
    return [UUID(int=base + i + 1) for i in range(n)]


def holders(assignment: dict[UUID, list[UUID]]) -> dict[UUID, list[UUID]]:
    by_entry: dict[UUID, list[UUID]] = {}
    for reviewer, entries in assignment.items():
        for e in entries:
            by_entry.setdefault(e, []).append(reviewer)
    return by_entry


def test_each_entry_gets_k_distinct_reviewers_and_loads_differ_by_at_most_one():
    entries, reviewers = ids(1000), ids(7, base=10_000)
    got = balanced_assignment(entries, reviewers, 3, seed=5)
    by_entry = holders(got)
    assert set(by_entry) == set(entries)
    assert all(len(set(r)) == len(r) == 3 for r in by_entry.values())
    loads = [len(v) for v in got.values()]
    assert sum(loads) == 3000 and max(loads) - min(loads) <= 1


def test_the_same_seed_gives_the_same_assignment_and_another_seed_another():
    entries, reviewers = ids(200), ids(9, base=10_000)
    assert balanced_assignment(entries, reviewers, 2, seed=1) == balanced_assignment(
        list(reversed(entries)), list(reversed(reviewers)), 2, seed=1
    )
    assert balanced_assignment(entries, reviewers, 2, seed=1) != balanced_assignment(
        entries, reviewers, 2, seed=2
    )


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 60),
    r=st.integers(1, 8),
    k=st.integers(1, 4),
    seed=st.integers(0, 1000),
    data=st.data(),
)
def test_never_to_a_conflicted_reviewer_and_never_twice(n, r, k, seed, data):
    entries, reviewers = ids(n), ids(r, base=10_000)
    excluded = {
        e: set(data.draw(st.lists(st.sampled_from(reviewers), max_size=r))) for e in entries
    }
    got = balanced_assignment(entries, reviewers, k, seed, excluded=excluded)
    for e, rs in holders(got).items():
        assert len(set(rs)) == len(rs)
        assert not set(rs) & excluded[e]
    for e in entries:
        eligible = len(set(reviewers) - excluded[e])
        assert len(holders(got).get(e, [])) == min(k, eligible)


def test_a_top_up_keeps_what_is_held_and_fills_only_the_gaps():
    entries, reviewers = ids(300), ids(6, base=10_000)
    first = balanced_assignment(entries, reviewers, 2, seed=3)
    # A reviewer leaves: their entries are what is missing.
    gone = reviewers[0]
    held = {r: v for r, v in first.items() if r != gone}
    more = balanced_assignment(entries, reviewers[1:], 2, seed=4, held=held)
    assert sum(len(v) for v in more.values()) == len(first[gone])
    combined = holders({r: held.get(r, []) + more.get(r, []) for r in reviewers[1:]})
    assert all(len(set(v)) == 2 for v in combined.values())
    loads = [len(held.get(r, [])) + len(more.get(r, [])) for r in reviewers[1:]]
    assert max(loads) - min(loads) <= 1


def test_k_is_checked_against_the_reviewers_who_may_review():
    with pytest.raises(InvalidInput):
        check_k(4, 3)
    with pytest.raises(InvalidInput):
        check_k(0, 3)
    check_k(3, 3)


def test_a_reviewers_stream_records_entries_in_bounded_batches():
    stream = ReviewAssignment(
        id=uuid4(), actor_id=uuid4(), challenge_id=uuid4(), reviewer_id=uuid4(), timestamp=AT
    )
    entries = ids(MAX_BATCH * 2 + 5)
    stream.assign(uuid4(), entries, AT)
    events = stream.collect_events()
    sizes = [
        len(e.submission_ids) for e in events if isinstance(e, ReviewAssignment.EntriesAssigned)
    ]
    assert sizes == [MAX_BATCH, MAX_BATCH, 5]
    stream.assign(uuid4(), entries[:10], AT)  # held already: nothing recorded
    assert stream.collect_events() == []
    stream.unassign(uuid4(), entries[:3], "Left", AT)
    assert stream.entries == set(entries[3:])
    stream.release(uuid4(), "Fell ill", AT)
    with pytest.raises(InvalidState):
        stream.assign(uuid4(), entries[:1], AT)
    assert Counter(type(e).__name__ for e in stream.collect_events()) == {
        "EntriesUnassigned": 1,
        "Released": 1,
    }


def test_terms_without_independent_reviewers_keep_their_document():
    """ChallengeSpec gained independent_reviewers (and the rounds' keys): terms that do
    not say them encode exactly as before (no key), so published hashes hold; terms
    that do, cover them."""
    import msgspec

    from openinno.clock import ManualClock
    from openinno.domain.values import ChallengeTerms, canonical_json, terms_document
    from tests.support.story import spec_for

    spec = spec_for(ManualClock(AT), review_timing="rolling")
    terms = ChallengeTerms(uuid4(), uuid4(), spec, "assignment", 1)
    before = msgspec.to_builtins(terms)
    later_keys = (
        "independent_reviewers",
        "later_rounds",
        "award_rule",
        "public_weight",
        "verified_email_to_enter",
        "verified_email_to_vote",
        "appeals",
        "after_the_win",
    )
    for key in later_keys:
        del before["spec"][key]
    assert terms_document(terms) == canonical_json(before)
    said = msgspec.structs.replace(
        terms, spec=msgspec.structs.replace(spec, independent_reviewers=True)
    )
    assert b'"independent_reviewers":true' in terms_document(said)
