"""Votes one per person (issue 24): the sponsor or an admin voids votes with a
reason; tallies and thresholds are re-derived from events; a threshold that only
voided votes carried is un-crossed; nobody else learns a vote exists."""

from __future__ import annotations

from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from openinno.domain import SupportTally, Vote, ids
from openinno.domain.errors import AccessDenied, InvalidInput, InvalidState, NotFound
from openinno.persistence.mapper import MsgspecMapper, MsgspecTranscoder
from tests.support.story import scene


def voters(s, n: int, prefix: str = "voter") -> list:
    return [s.account(f"{prefix}{i}") for i in range(n)]


def test_a_vote_keeps_the_address_and_user_agent_it_was_cast_from(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    app.support(s.public, entry, address="203.0.113.9", user_agent="curl/8")
    events = list(app.repository.event_store.get(ids.vote_id(entry, s.public)))
    assert (events[0].address, events[0].user_agent) == ("203.0.113.9", "curl/8")


def test_the_threshold_crossed_only_by_voided_votes_is_uncrossed_and_announced(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()  # threshold 3
    entry = s.submit(challenge_id, terms)
    honest = s.public
    app.support(honest, entry)
    bots = voters(s, 2, "bot")
    for bot in bots:
        app.support(bot, entry, address="198.51.100.7")
    assert app.get_submission(s.sponsor, entry).support_threshold_reached
    # voiding one bot's vote leaves a peak of 2 honest-or-not-voided votes: un-crossed
    done = app.void_vote(s.sponsor, ids.vote_id(entry, bots[0]), "Same address as the others.")
    assert done.threshold_withdrawn and done.support_count == 2
    assert not app.get_submission(s.sponsor, entry).support_threshold_reached
    tally = app.repository.get(ids.support_tally_id(entry))
    assert isinstance(tally, SupportTally) and tally.crossed_threshold is None
    kinds = [type(e).__name__ for e in app.repository.event_store.get(entry)]
    assert kinds[-1] == "SupportThresholdWithdrawn"
    # the voter cannot cast it again; an honest vote crosses it anew
    with pytest.raises(InvalidState):
        app.support(bots[0], entry)
    app.support(s.other_solver, entry)
    assert app.get_submission(s.sponsor, entry).support_threshold_reached
    assert app.support_count(entry) == 3


def test_a_threshold_honest_votes_carried_stays(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    bot = s.account("bot")
    app.support(bot, entry)
    for voter in (s.public, s.other_solver, s.reviewer):
        app.support(voter, entry)
    done = app.void_vote(s.sponsor, ids.vote_id(entry, bot), "Bot.")
    assert not done.threshold_withdrawn and done.support_count == 3
    assert app.get_submission(s.sponsor, entry).support_threshold_reached


def test_bulk_void_is_all_or_nothing_and_needs_a_reason(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    bots = voters(s, 3, "bot")
    for bot in bots:
        app.support(bot, entry)
    chosen = [ids.vote_id(entry, b) for b in bots]
    with pytest.raises(InvalidInput):
        app.void_votes(s.sponsor, entry, chosen, "  ")
    with pytest.raises(NotFound):  # one is not a vote of this entry: nothing voided
        app.void_votes(s.sponsor, entry, [*chosen, ids.vote_id(entry, s.public)], "Bots.")
    assert app.support_count(entry) == 3
    done = app.void_votes(s.sponsor, entry, chosen, "Bots.")
    assert (done.voided, done.support_count, done.threshold_withdrawn) == (3, 0, True)
    for vote_id in chosen:
        vote = app.repository.get(vote_id)
        assert isinstance(vote, Vote) and vote.voided


def test_only_the_sponsors_owners_managers_and_admins_see_and_void_votes(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    app.support(s.public, entry)
    vote_id = ids.vote_id(entry, s.public)
    legal = s.account("legal")
    app.add_member(s.sponsor, s.organisation, legal, "legal")
    # a vote's existence says who supports what: to the others it is not found
    for outsider in (s.other_solver, s.solver, legal, s.public):
        with pytest.raises(NotFound):
            app.void_vote(outsider, vote_id, "No.")
    with pytest.raises(AccessDenied):
        app.void_votes(s.other_solver, entry, [vote_id], "No.")
    admin = s.account("admin")
    app.grant_admin_as_operator(admin)
    assert app.get_vote(admin, vote_id).voter_id == s.public
    app.void_vote(admin, vote_id, "Checked by the platform.")
    assert app.support_count(entry) == 0


def test_reviewers_and_every_sponsor_member_never_vote(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    for role in ("owner", "manager", "legal"):
        member = s.account(f"member-{role}")
        app.add_member(s.sponsor, s.organisation, member, role)
        with pytest.raises(AccessDenied):
            app.support(member, entry)
    assert app.support_count(entry) == 0


def test_votes_and_changes_stored_before_issue_24_still_decode():
    old_cast = StoredEvent(
        UUID("f4c2e473-4cc7-5450-9cf8-c0f8961249b5"),
        1,
        "openinno.domain.vote:Vote.Cast",
        b'{"timestamp":"2026-03-03T09:00:00Z","originator_topic":"openinno.domain.vote:Vote",'
        b'"actor_id":"be9dbe18-64b3-4060-95bd-ce287a97aefe",'
        b'"submission_id":"4e6b000a-cb3d-4448-8db6-59b17da451fe",'
        b'"challenge_id":"63fb5b61-a57d-4b30-96c2-c8ce8451832a"}',
    )
    old_change = StoredEvent(
        UUID("49184472-dd20-5ead-b668-03743632c17e"),
        2,
        "openinno.domain.vote:SupportTally.SupportChanged",
        b'{"timestamp":"2026-03-03T09:00:00Z","delta":1,"count":1}',
    )
    mapper = MsgspecMapper(MsgspecTranscoder())
    cast = mapper.to_domain_event(old_cast)
    assert (cast.address, cast.user_agent) == ("", "")
    vote = cast.mutate(None)
    assert isinstance(vote, Vote) and vote.active and not vote.voided
    assert mapper.to_domain_event(old_change).vote_id is None
