"""Judges do not compete (issue 19, finding 5).

An invited reviewer, whether they accepted yet or not, neither enters the challenge
they judge (alone or as a confirmed co-author) nor supports its entries; and someone
with an entry in a challenge is not invited to review it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openinno.domain import ids
from openinno.domain.errors import ConflictOfInterest
from tests.support.legacy import entry_naming_coauthors
from tests.support.story import scene


@pytest.mark.parametrize("accepted", [False, True], ids=["pending", "accepted"])
def test_an_invited_reviewer_cannot_enter_the_challenge(app, clock, accepted):
    # Given a reviewer invited to an open challenge (and perhaps accepted),
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    app.invite_reviewer(s.sponsor, challenge_id, s.reviewer)
    if accepted:
        app.accept_reviewer_invitation(s.reviewer, challenge_id)
    # when they enter it, then it is a conflict of interest.
    with pytest.raises(ConflictOfInterest):
        s.submit(challenge_id, terms, solver=s.reviewer)


@pytest.mark.parametrize("accepted", [False, True], ids=["pending", "accepted"])
def test_an_invited_reviewer_cannot_support_entries(app, clock, accepted):
    # Given an entry in a challenge with public voting, and an invited reviewer,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    app.invite_reviewer(s.sponsor, challenge_id, s.reviewer)
    if accepted:
        app.accept_reviewer_invitation(s.reviewer, challenge_id)
    # when the reviewer supports the entry, then it is a conflict of interest,
    with pytest.raises(ConflictOfInterest):
        app.support(s.reviewer, entry)
    # and nothing was counted.
    assert app.support_count(entry) == 0


def test_an_invited_reviewer_cannot_confirm_a_coauthorship(app, clock):
    # Given an entry naming someone who is then invited to review,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = entry_naming_coauthors(app, s.solver, challenge_id, terms, [s.reviewer])
    app.invite_reviewer(s.sponsor, challenge_id, s.reviewer)
    # when they confirm they co-author it, then it is a conflict of interest.
    with pytest.raises(ConflictOfInterest):
        app.confirm_coauthorship(s.reviewer, entry)


def test_a_solver_cannot_be_invited_to_review_the_challenge_they_entered(app, clock):
    # Given a solver with an entry (withdrawn since: they competed all the same),
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    app.withdraw_submission(s.solver, entry)
    # when the sponsor invites them to review it, then it is a conflict of interest,
    with pytest.raises(ConflictOfInterest):
        app.invite_reviewer(s.sponsor, challenge_id, s.solver)
    # and no invitation was recorded.
    assert s.solver not in app.get_challenge(challenge_id, s.sponsor).invited_reviewers


def test_a_confirmed_coauthor_cannot_be_invited_to_review(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = entry_naming_coauthors(app, s.solver, challenge_id, terms, [s.other_solver])
    app.confirm_coauthorship(s.other_solver, entry)
    with pytest.raises(ConflictOfInterest):
        app.invite_reviewer(s.sponsor, challenge_id, s.other_solver)


def test_a_named_coauthor_who_never_confirmed_may_review(app, clock):
    # Naming someone does not make them a solver (nor keep them from judging).
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry_naming_coauthors(app, s.solver, challenge_id, terms, [s.reviewer])
    app.invite_reviewer(s.sponsor, challenge_id, s.reviewer)
    app.accept_reviewer_invitation(s.reviewer, challenge_id)


def test_a_reviewer_judges_other_challenges_freely(app, clock):
    # Given a reviewer of one challenge,
    s = scene(app, clock)
    judged, _ = s.open_challenge()
    app.invite_reviewer(s.sponsor, judged, s.reviewer)
    other, terms = s.published()
    clock.advance(timedelta(days=2))
    # when they enter another, then it is recorded.
    s.submit(other, terms, solver=s.reviewer)


def test_the_invitation_is_noted_on_the_reviewers_entry_count(app, clock):
    # So that an entry racing the invitation conflicts with it on one stream (and the
    # loser, run again, sees the other), the invitation appends to that stream.
    s = scene(app, clock)
    challenge_id, _terms = s.open_challenge()
    app.invite_reviewer(s.sponsor, challenge_id, s.reviewer)
    entries = app.repository.get(ids.solver_entries_id(challenge_id, s.reviewer))
    assert entries.invited_to_review
