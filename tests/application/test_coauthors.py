"""Co-authors named on an entry (issue 19, finding 3).

Naming someone on your entry is your claim, not theirs: until they confirm it, a
named co-author is no author.  Their entry quota, their right to enter alone and
their rights in the work stay theirs; the award's agreement names only the
authors who confirmed.  Naming an id tells the submitter nothing about it.

Since issue 21 ``submit`` with ``team_ids`` invites to a team instead
(tests/application/test_teams.py); the entries that named co-authors before
(``tests.support.legacy``) keep this meaning: their co-authors confirm or decline."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from openinno.domain import ids
from openinno.domain.errors import (
    AccessDenied,
    InvalidState,
    NotFound,
    SubmissionLimitReached,
    WindowClosed,
)
from tests.support.legacy import entry_naming_coauthors
from tests.support.story import scene


def test_a_rival_named_on_an_entry_can_still_enter_alone(app, clock):
    # Given a challenge with one entry per person, and an entry naming a rival,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=1)
    entry_naming_coauthors(app, s.solver, challenge_id, terms, [s.other_solver])
    # when the rival enters on their own,
    app.submit(s.other_solver, challenge_id, "Solo entry", "Alone.", terms)
    # then their entry is counted as their one entry (the naming did not use it up).
    entries = app.repository.get(ids.solver_entries_id(challenge_id, s.other_solver))
    assert len(entries.live) == 1


def test_a_named_coauthor_is_no_author_until_they_confirm(app, clock):
    # Given an entry naming a rival who never confirmed,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = entry_naming_coauthors(app, s.solver, challenge_id, terms, [s.other_solver])
    submission = app.get_submission(s.solver, entry)
    assert submission.author_ids == (s.solver,)
    assert submission.named_coauthor_ids == (s.other_solver,)
    # when the entry wins,
    clock.advance(timedelta(days=30))
    agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
    # then the agreement assigns only the submitter's rights: the rival is no party,
    agreement = app.get_agreement(s.solver, agreement_id)
    assert agreement.authors == (s.solver,)
    assert str(s.other_solver) not in agreement.text
    # and cannot sign it.
    with pytest.raises(NotFound):
        app.get_agreement(s.other_solver, agreement_id)


def test_naming_ids_tells_nothing_about_accounts(app, clock):
    # Given an unknown id, a sponsor's member and a real solver,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    named = [uuid4(), s.sponsor, s.other_solver]
    # when a solver names them all on an entry, then the entry is recorded alike for
    # each: no error tells whether an id is an account or a sponsor's member.
    entry = entry_naming_coauthors(app, s.solver, challenge_id, terms, named)
    assert app.get_submission(s.solver, entry).named_coauthor_ids == tuple(named)


def test_a_confirmed_coauthor_counts_against_their_quota_and_signs(app, clock):
    # Given a challenge with one entry per person and an entry naming a team mate,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=1)
    entry = entry_naming_coauthors(app, s.solver, challenge_id, terms, [s.other_solver])
    # when the team mate confirms,
    app.confirm_coauthorship(s.other_solver, entry)
    # then they are an author, this entry is their one entry,
    submission = app.get_submission(s.other_solver, entry)
    assert submission.author_ids == (s.solver, s.other_solver)
    assert submission.named_coauthor_ids == ()
    with pytest.raises(SubmissionLimitReached):
        app.submit(s.other_solver, challenge_id, "Solo entry", "Alone.", terms)
    # and, once the entry wins, a party to its agreement who signs too.
    clock.advance(timedelta(days=30))
    agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
    agreement = app.get_agreement(s.other_solver, agreement_id)
    assert agreement.authors == (s.solver, s.other_solver)
    assert f"Other (account {s.other_solver})" in agreement.text


def test_confirming_needs_a_free_slot(app, clock):
    # Given a team mate who already used their one entry,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=1)
    s.submit(challenge_id, terms, solver=s.other_solver, title="Lever lab")
    entry = entry_naming_coauthors(app, s.solver, challenge_id, terms, [s.other_solver])
    # when they confirm the entry naming them, then the limit refuses it,
    with pytest.raises(SubmissionLimitReached):
        app.confirm_coauthorship(s.other_solver, entry)
    # and they stay named, not an author.
    assert app.get_submission(s.solver, entry).author_ids == (s.solver,)


def test_only_a_named_person_confirms_and_only_once(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = entry_naming_coauthors(app, s.solver, challenge_id, terms, [s.other_solver])
    # Someone not named is told nothing about the entry.
    with pytest.raises(NotFound):
        app.confirm_coauthorship(s.public, entry)
    app.confirm_coauthorship(s.other_solver, entry)
    with pytest.raises(InvalidState):
        app.confirm_coauthorship(s.other_solver, entry)


def test_a_named_coauthor_declines(app, clock):
    # Given an entry naming a rival,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = entry_naming_coauthors(app, s.solver, challenge_id, terms, [s.other_solver])
    # when the rival declines,
    app.decline_coauthorship(s.other_solver, entry)
    # then they are no longer named, and cannot confirm later.
    assert app.get_submission(s.solver, entry).named_coauthor_ids == ()
    with pytest.raises(NotFound):
        app.confirm_coauthorship(s.other_solver, entry)


def test_a_sponsor_member_named_on_an_entry_cannot_confirm(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = entry_naming_coauthors(app, s.solver, challenge_id, terms, [s.sponsor])
    with pytest.raises(AccessDenied):
        app.confirm_coauthorship(s.sponsor, entry)


def test_confirming_closes_with_the_submission_window(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = entry_naming_coauthors(app, s.solver, challenge_id, terms, [s.other_solver])
    clock.advance(timedelta(days=30))
    with pytest.raises(WindowClosed):
        app.confirm_coauthorship(s.other_solver, entry)


def test_withdrawing_frees_every_confirmed_authors_slot(app, clock):
    # Given a confirmed team entry in a one-entry challenge,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=1)
    entry = entry_naming_coauthors(app, s.solver, challenge_id, terms, [s.other_solver])
    app.confirm_coauthorship(s.other_solver, entry)
    # when the lead withdraws it,
    app.withdraw_submission(s.solver, entry, "Starting over.")
    # then both may enter again.
    s.submit(challenge_id, terms)
    s.submit(challenge_id, terms, solver=s.other_solver, title="Lever lab")
