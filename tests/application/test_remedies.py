"""Remedies (issue 24): who may cancel, disqualify, dispute, rescind, deactivate and
reactivate, each with a reason; and what each leaves behind."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openinno.domain.errors import (
    AccessDenied,
    InvalidCredentials,
    InvalidInput,
    InvalidState,
    NotFound,
)
from tests.support.story import PASSWORD, Scene, scene


@pytest.fixture
def s(app, clock) -> Scene:
    return scene(app, clock)


@pytest.fixture
def admin(s: Scene):
    admin = s.account("admin")
    s.app.grant_admin_as_operator(admin)
    return admin


# --- cancelling a challenge -------------------------------------------------------------------


def test_the_sponsor_cancels_before_submissions_open_with_a_reason(s):
    challenge_id, _ = s.published()
    with pytest.raises(InvalidInput) as no_reason:
        s.app.cancel_challenge(s.sponsor, challenge_id, "  ")
    assert no_reason.value.field == "reason"
    s.app.cancel_challenge(s.sponsor, challenge_id, "The budget was cut.")
    assert s.app.get_challenge(challenge_id, s.sponsor).status == "cancelled"


def test_once_submissions_open_only_an_admin_cancels(s, admin):
    challenge_id, terms = s.open_challenge()
    s.submit(challenge_id, terms)
    with pytest.raises(AccessDenied, match="only a platform admin"):
        s.app.cancel_challenge(s.sponsor, challenge_id, "Changed our minds.")
    with pytest.raises(AccessDenied):
        s.app.cancel_challenge(s.solver, challenge_id, "I want to.")
    s.app.cancel_challenge(admin, challenge_id, "The brief breaks the platform's rules.")
    assert s.app.get_challenge(challenge_id, admin).status == "cancelled"


# --- disqualifying an entry -------------------------------------------------------------------


def test_the_sponsor_disqualifies_before_the_award_and_an_admin_after(s, admin):
    challenge_id, terms = s.open_challenge()
    early, late, winner = (
        s.submit(challenge_id, terms, title=t) for t in ("Early", "Late", "Winner")
    )
    with pytest.raises(InvalidInput):
        s.app.disqualify_submission(s.sponsor, early, "")
    with pytest.raises(AccessDenied):
        s.app.disqualify_submission(s.other_solver, early, "Not fair.")
    s.app.disqualify_submission(s.sponsor, early, "Copied from a catalogue.")
    assert s.app.get_submission(s.solver, early).status == "disqualified"

    s.clock.advance(timedelta(days=45))
    s.app.award(
        s.sponsor,
        challenge_id,
        [(winner, 1)],
        override_reasons={winner: "Chosen by the jury without a written review."},
    )

    with pytest.raises(AccessDenied, match="only a platform admin"):
        s.app.disqualify_submission(s.sponsor, late, "Found out later.")
    s.app.disqualify_submission(admin, late, "Found out later: plagiarised.")
    assert s.app.get_submission(s.solver, late).status == "disqualified"
    # An admin disqualifies an awarded entry too: it keeps its place until the challenge
    # is re-awarded (tests/application/test_reawards.py).
    s.app.disqualify_submission(admin, winner, "Plagiarised too.")
    entry = s.app.get_submission(s.solver, winner)
    assert (entry.status, entry.award_place) == ("disqualified", 1)


# --- agreements -----------------------------------------------------------------------------


def test_the_solver_disputes_and_the_sponsor_rescinds_its_agreement(s):
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    s.clock.advance(timedelta(days=45))
    agreement_id = s.app.award(
        s.sponsor,
        challenge_id,
        [(entry, 1)],
        override_reasons={entry: "Chosen by the jury without a written review."},
    ).agreement_ids[0]
    with pytest.raises(NotFound):
        s.app.dispute_agreement(s.other_solver, agreement_id, "Mine!")
    s.app.dispute_agreement(s.solver, agreement_id, "The prize was never paid.")
    with pytest.raises(NotFound):  # rescinding is the sponsor's
        s.app.rescind_agreement(s.solver, agreement_id, "Undo it.")
    s.app.rescind_agreement(s.sponsor, agreement_id, "Settled: the rights stay with the solver.")
    assert s.app.get_agreement(s.solver, agreement_id).state == "rescinded"


# --- accounts -------------------------------------------------------------------------------


def test_an_admin_deactivates_with_a_reason_and_every_session_and_token_ends(s, admin):
    token, _ = s.app.issue_token("solver@example.org", PASSWORD)
    generation = s.app.get_account(s.solver).api_token_generation
    with pytest.raises(AccessDenied):
        s.app.deactivate_account(s.other_solver, s.solver, "I do not like them.")
    with pytest.raises(InvalidInput):
        s.app.deactivate_account(admin, s.solver, "")

    s.app.deactivate_account(admin, s.solver, "Spam in every question.")

    account = s.app.get_account(s.solver)
    assert not account.active and account.api_token_generation == generation + 1
    with pytest.raises(InvalidCredentials):
        s.app.authenticate("solver@example.org", PASSWORD)
    with pytest.raises(InvalidState):
        s.app.deactivate_account(admin, s.solver, "Again.")

    # Reactivated: the account signs in afresh; the old token stays dead.
    with pytest.raises(AccessDenied):
        s.app.reactivate_account(s.other_solver, s.solver, "Let them back.")
    with pytest.raises(InvalidInput):
        s.app.reactivate_account(admin, s.solver, " ")
    s.app.reactivate_account(admin, s.solver, "Appeal upheld.")
    assert s.app.authenticate("solver@example.org", PASSWORD) == s.solver
    with pytest.raises(InvalidCredentials):
        s.app.account_for_token(token)
    with pytest.raises(InvalidState):
        s.app.reactivate_account(admin, s.solver, "Twice.")


def test_holders_deactivate_their_own_account_without_a_reason(s):
    s.app.deactivate_account(s.solver, s.solver, "")
    assert not s.app.get_account(s.solver).active


def test_a_hidden_entry_of_a_public_gallery_is_for_its_judges_and_authors_only(app, clock):
    # Given an entry in a public gallery, seen by anyone,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    assert app.get_submission(None, entry).id == entry
    # when a moderator hides it,
    app.hide_entry(s.sponsor, entry, "An advert, not an idea.")
    # then the public and other solvers no longer get it (nor can they support it),
    for stranger in (None, s.public):
        with pytest.raises(NotFound):
            app.get_submission(stranger, entry)
    with pytest.raises(NotFound):
        app.support(s.public, entry)
    # while its author and the sponsor still do.
    assert app.get_submission(s.solver, entry).id == entry
    assert app.get_submission(s.sponsor, entry).id == entry


def test_a_deactivated_holder_who_knows_the_password_is_told_why(s, admin):
    s.app.deactivate_account(admin, s.public, "Spam in every question.")
    with pytest.raises(InvalidCredentials, match="Email or password is wrong"):
        s.app.authenticate("public@example.org", "not the password")
    with pytest.raises(InvalidCredentials, match="deactivated: Spam in every question"):
        s.app.authenticate("public@example.org", PASSWORD)
    s.app.reactivate_account(admin, s.public, "Appealed by mail; it was a mix-up.")
    assert s.app.authenticate("public@example.org", PASSWORD) == s.public
