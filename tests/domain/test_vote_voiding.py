"""Votes voided (issue 24): a voided vote never counts again, and a threshold that
only voided votes carried is un-crossed, re-derived from the tally's own history."""

from __future__ import annotations

import pytest

from openinno.domain import SupportTally, Vote
from openinno.domain.errors import InvalidInput, InvalidState
from openinno.domain.vote import legitimate_peak
from tests.domain.helpers import SOLVER, SPONSOR, at, given, new_id, recorded


def a_vote(voter=SOLVER) -> Vote:
    return given(
        Vote(
            id=new_id(),
            actor_id=voter,
            submission_id=new_id(),
            challenge_id=new_id(),
            timestamp=at(),
            address="203.0.113.9",
            user_agent="curl/8",
        )
    )


def a_tally() -> SupportTally:
    return given(SupportTally(id=new_id(), submission_id=new_id(), timestamp=at()))


def test_a_voided_vote_needs_a_reason_and_cannot_be_cast_again():
    vote = a_vote()
    with pytest.raises(InvalidInput):
        vote.void(SPONSOR, "   ", at(1))
    vote.void(SPONSOR, "One address, 200 fresh accounts.", at(1))
    assert recorded(vote) == ["Voided"]
    assert not vote.active and vote.voided
    with pytest.raises(InvalidState):
        vote.recast(SOLVER, at(2))
    with pytest.raises(InvalidState):
        vote.void(SPONSOR, "Again.", at(2))


def test_a_retracted_vote_is_voided_as_not_counting():
    vote = a_vote()
    vote.retract(SOLVER, at(1))
    given(vote)
    vote.void(SPONSOR, "Bot.", at(2))
    assert vote.collect_events()[-1].was_active is False


def test_a_threshold_crossed_only_by_voided_votes_is_uncrossed():
    tally = a_tally()
    honest, bots = new_id(), [new_id(), new_id()]
    changes = [(vote_id, +1) for vote_id in (honest, *bots)]
    for vote_id, delta in changes:
        tally.change(delta, at(), vote_id)
    tally.mark_threshold(3, at())
    given(tally)
    tally.void(bots[0], True, at(1))
    assert recorded(tally) == ["SupportChanged", "VoteVoided"]
    changes.append((bots[0], -1))
    assert tally.loses_threshold(changes)  # the peak without it is 2 < 3
    tally.uncross_threshold(SPONSOR, at(1))
    assert tally.crossed_threshold is None and tally.count == 2
    assert not tally.loses_threshold(changes)  # nothing left to lose
    # crossing again takes votes that count
    assert not tally.crosses_threshold(3)
    tally.change(+1, at(2), new_id())
    assert tally.crosses_threshold(3)


def test_a_threshold_honest_votes_reached_stays_crossed():
    tally = a_tally()
    honest = [new_id(), new_id()]
    bot = new_id()
    changes = [(bot, +1), (honest[0], +1), (honest[1], +1)]
    for vote_id, delta in changes:
        tally.change(delta, at(), vote_id)
    tally.mark_threshold(2, at())
    # one honest supporter retracts later; the bot's vote is voided
    tally.change(-1, at(1), honest[1])
    tally.void(bot, True, at(2))
    changes += [(honest[1], -1), (bot, -1)]
    assert not tally.loses_threshold(changes)  # the honest peak was 2: reached
    assert tally.crossed_threshold == 2 and tally.count == 1


def test_a_voided_vote_that_was_retracted_leaves_the_count_alone():
    tally = a_tally()
    bot = new_id()
    tally.change(+1, at(), bot)
    tally.change(-1, at(), bot)
    given(tally)
    tally.void(bot, False, at(1))
    assert recorded(tally) == ["VoteVoided"] and tally.count == 0


def test_changes_recorded_before_they_named_their_vote_count_as_they_were():
    bot = new_id()
    changes = [(None, +1), (bot, +1), (bot, -1)]  # the first: an old change
    assert legitimate_peak(changes, {bot}) == 1
    assert legitimate_peak(changes, set()) == 2
