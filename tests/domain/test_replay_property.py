"""Property: whatever commands ran, replaying the recorded events (through the
stored form) rebuilds exactly the live aggregate; a refused command changes nothing."""

from __future__ import annotations

import copy
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from openinno.domain import Challenge, SupportTally, Vote
from openinno.domain.errors import DomainError
from openinno.domain.values import Award, Signature
from openinno.persistence.mapper import MsgspecMapper, MsgspecTranscoder
from tests.domain.helpers import REVIEWER, SOLVER, SPONSOR, at, new_id
from tests.domain.test_challenge import a_spec
from tests.domain.test_review_and_agreement import draft_agreement

MAPPER = MsgspecMapper(MsgspecTranscoder())
days = st.floats(min_value=0, max_value=60, allow_nan=False)
text = st.text(min_size=0, max_size=30)


def replayed(events):
    aggregate = None
    for event in events:
        aggregate = MAPPER.to_domain_event(MAPPER.to_stored_event(event)).mutate(aggregate)
    return aggregate


def run(aggregate, operations) -> list:
    events = list(aggregate.collect_events())
    for operation in operations:
        before = copy.deepcopy(vars(aggregate))
        try:
            operation(aggregate)
        except DomainError:
            assert vars(aggregate) == before, "a refused command changed state"
        events.extend(aggregate.collect_events())
    return events


challenge_ops = st.one_of(
    st.builds(lambda d: lambda c: c.publish(SPONSOR, at(d)), days),
    st.builds(lambda t, d: lambda c: c.ask_question(SOLVER, new_id(), t, at(d)), text, days),
    st.builds(
        lambda t, d: (
            lambda c: c.answer_question(SPONSOR, next(iter(c.questions), new_id()), t, at(d))
        ),
        text,
        days,
    ),
    st.builds(
        lambda t, d: (
            lambda c: c.hide_question(SPONSOR, next(iter(c.questions), new_id()), t, at(d))
        ),
        text,
        days,
    ),
    st.builds(lambda t, d: lambda c: c.post_announcement(SPONSOR, new_id(), t, at(d)), text, days),
    st.builds(
        lambda extra, d: (
            lambda c: c.extend_deadline(
                SPONSOR, c.spec.closes_at + timedelta(days=extra), new_id(), "More time", at(d)
            )
        ),
        st.integers(-5, 20),
        days,
    ),
    st.builds(lambda d: lambda c: c.invite_reviewer(SPONSOR, REVIEWER, at(d)), days),
    st.builds(lambda d: lambda c: c.accept_reviewer_invitation(REVIEWER, at(d)), days),
    st.builds(lambda t, d: lambda c: c.close_review_early(SPONSOR, new_id(), t, at(d)), text, days),
    st.builds(
        lambda p, reason, d: (
            lambda c: c.award(
                SPONSOR,
                (Award(new_id(), p, new_id(), "c" * 64, 1, reason),),
                at(d),
                {},
            )
        ),
        st.integers(0, 3),
        st.sampled_from([None, "", "Jury chose it"]),
        days,
    ),
    st.builds(lambda d: lambda c: c.reveal_identities(SPONSOR, at(d)), days),
    st.builds(lambda t, d: lambda c: c.cancel(SPONSOR, t, at(d)), text, days),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(challenge_ops, max_size=15))
def test_challenge_replay_rebuilds_the_same_state(operations):
    challenge = Challenge(actor_id=SPONSOR, organisation_id=new_id(), spec=a_spec(), timestamp=at())
    events = run(challenge, operations)
    assert vars(replayed(events)) == vars(challenge)


def signature(signer, agreement):
    return Signature(
        signer, "Typed Name", "I agree", "password", "127.0.0.1", "ua", agreement.text_sha256
    )


agreement_ops = st.sampled_from(
    [
        lambda a: a.sign(SOLVER, signature(SOLVER, a), at(32)),
        lambda a: a.countersign(SPONSOR, signature(SPONSOR, a), at(33)),
        lambda a: a.record_payment(SPONSOR, "REF-9", at(34)),
        lambda a: a.dispute(SOLVER, "Wrong amount", at(35)),
        lambda a: a.rescind(SPONSOR, "Reissued", at(36)),
    ]
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(agreement_ops, max_size=8),
    st.sampled_from(["assignment", "exclusive_licence", "solver_retains"]),
    st.booleans(),
)
def test_agreement_replay_rebuilds_the_same_state(operations, template, payment_required):
    agreement = draft_agreement(template, payment_required)
    events = run(agreement, operations)
    assert vars(replayed(events)) == vars(agreement)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([1, -1, 0]), max_size=40), st.integers(1, 10))
def test_vote_and_tally_replay_rebuilds_the_same_state(changes, threshold):
    tally = SupportTally(id=new_id(), submission_id=new_id(), timestamp=at())
    vote = Vote(
        id=new_id(), actor_id=SOLVER, submission_id=new_id(), challenge_id=new_id(), timestamp=at()
    )

    def step(change):
        def apply(t):
            if change == 0:
                if t.crosses_threshold(threshold):
                    t.mark_threshold(threshold, at(1))
            else:
                t.change(change, at(1))

        return apply

    tally_events = run(tally, [step(c) for c in changes])
    vote_events = run(
        vote,
        [
            (lambda v: v.retract(SOLVER, at(1))) if c < 0 else (lambda v: v.recast(SOLVER, at(1)))
            for c in changes
        ],
    )
    assert vars(replayed(tally_events)) == vars(tally)
    assert vars(replayed(vote_events)) == vars(vote)
    assert tally.count == sum(
        e.delta for e in tally_events if isinstance(e, SupportTally.SupportChanged)
    )
