"""Teams with consent (issue 21), through the application on both stores.

An invitation counts against nobody and makes nobody an author; accepting (with
the challenge's terms) puts a person on the team and counts its live entries
against their own limit; each version of a team entry records who was on the
team when it was recorded, and an award's agreement is signed by the authors
of the awarded version."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from openinno.application import OpenInno
from openinno.domain import ids
from openinno.domain.errors import (
    AccessDenied,
    ConflictOfInterest,
    InvalidInput,
    InvalidState,
    NotFound,
    SubmissionLimitReached,
    TermsMismatch,
    WindowClosed,
)
from tests.support.story import PASSWORD, Scene, scene


def live(app: OpenInno, challenge_id: UUID, person: UUID) -> list[UUID]:
    entries = app.repository.get(ids.solver_entries_id(challenge_id, person))
    return list(entries.live)


def team_entry(
    app: OpenInno, s: Scene, challenge_id: UUID, terms: str, team_id: UUID, title: str = "Levers"
) -> UUID:
    return app.submit(s.solver, challenge_id, title, "Together.", terms, team_id=team_id).id


def test_a_team_is_seen_by_its_members_and_invitees_only(app, clock):
    s = scene(app, clock)
    challenge_id, _terms = s.open_challenge()
    team_id = app.form_team(
        s.solver, challenge_id, "Lever lab", [str(s.other_solver), "public@example.org"]
    ).id
    assert app.get_team(s.solver, team_id).name == "Lever lab"
    # Invited by account id, and by the address of an account:
    assert app.get_team(s.other_solver, team_id).lead_id == s.solver
    assert app.get_team(s.public, team_id).member_ids == [s.solver]
    # Anyone else: not found, as for a team that does not exist.
    for outsider in (s.reviewer, s.sponsor):
        with pytest.raises(NotFound):
            app.get_team(outsider, team_id)
    with pytest.raises(NotFound):
        app.get_team(s.solver, uuid4())


def test_inviting_an_address_tells_nothing_about_accounts(app, clock):
    # Given a team,
    s = scene(app, clock)
    challenge_id, _terms = s.open_challenge()
    team_id = app.form_team(s.solver, challenge_id, "Lever lab").id
    # when its lead invites an address with an account and one without,
    known = app.invite_to_team(s.solver, team_id, ["Other@Example.org"])
    unknown = app.invite_to_team(s.solver, team_id, ["nobody-here@example.org"])
    # then both are recorded alike: the address as given, no account looked up.
    assert type(known) is type(unknown) and known.id == unknown.id == team_id
    team = app.get_team(s.solver, team_id)
    assert team.invited_emails == ["other@example.org", "nobody-here@example.org"]
    assert team.invited_ids == []
    # Someone who registers with the address later finds the invitation.
    newcomer = app.register_account("nobody-here@example.org", PASSWORD, "Newcomer").id
    assert app.get_team(newcomer, team_id).is_invited(newcomer, "nobody-here@example.org")


def test_invitees_must_be_addresses_or_account_ids(app, clock):
    s = scene(app, clock)
    challenge_id, _terms = s.open_challenge()
    with pytest.raises(InvalidInput) as e:
        app.form_team(s.solver, challenge_id, "Lever lab", ["not an address"])
    assert e.value.field == "invitees"


def test_an_invitation_counts_against_nobody(app, clock):
    # Given a one-entry challenge and a team that invited a rival and entered,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=1)
    team_id = app.form_team(s.solver, challenge_id, "Lever lab", [str(s.other_solver)]).id
    entry = team_entry(app, s, challenge_id, terms, team_id)
    # then the rival is no author, and still has their one entry to use.
    assert app.get_submission(s.solver, entry).author_ids == (s.solver,)
    s.submit(challenge_id, terms, solver=s.other_solver, title="Solo lab")
    assert len(live(app, challenge_id, s.other_solver)) == 1


def test_accepting_needs_the_published_terms(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    team_id = app.form_team(s.solver, challenge_id, "Lever lab", [str(s.other_solver)]).id
    with pytest.raises(TermsMismatch):
        app.accept_team_invitation(s.other_solver, team_id, "0" * 64)
    assert s.other_solver not in app.get_team(s.solver, team_id).member_ids
    app.accept_team_invitation(s.other_solver, team_id, terms)
    assert s.other_solver in app.get_team(s.solver, team_id).member_ids


def test_accepting_counts_the_teams_entries_against_the_member(app, clock):
    # Given a one-entry challenge, a team with an entry, and an invitee who entered alone,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=1)
    team_id = app.form_team(s.solver, challenge_id, "Lever lab", [str(s.other_solver)]).id
    entry = team_entry(app, s, challenge_id, terms, team_id)
    solo = s.submit(challenge_id, terms, solver=s.other_solver, title="Solo lab")
    # when the invitee accepts, then the limit refuses it (nothing recorded),
    with pytest.raises(SubmissionLimitReached):
        app.accept_team_invitation(s.other_solver, team_id, terms)
    assert s.other_solver not in app.get_team(s.solver, team_id).member_ids
    # and once their own entry is withdrawn, accepting counts the team's entry for them.
    app.withdraw_submission(s.other_solver, solo)
    app.accept_team_invitation(s.other_solver, team_id, terms)
    assert live(app, challenge_id, s.other_solver) == [entry]


def test_one_team_per_person_per_challenge(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    first = app.form_team(s.solver, challenge_id, "Lever lab", [str(s.public)]).id
    second = app.form_team(s.other_solver, challenge_id, "Pulley lab", [str(s.public)]).id
    app.accept_team_invitation(s.public, first, terms)
    with pytest.raises(InvalidState):
        app.accept_team_invitation(s.public, second, terms)
    # A lead cannot form a second team in the challenge either,
    with pytest.raises(InvalidState):
        app.form_team(s.solver, challenge_id, "Another lab")
    # but after leaving the first, the second team is open to them.
    app.leave_team(s.public, first)
    app.accept_team_invitation(s.public, second, terms)
    assert s.public in app.get_team(s.other_solver, second).member_ids


def test_sponsor_staff_and_judges_join_no_team(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    app.invite_reviewer(s.sponsor, challenge_id, s.reviewer)
    team_id = app.form_team(
        s.solver, challenge_id, "Lever lab", [str(s.sponsor), str(s.reviewer)]
    ).id
    with pytest.raises(AccessDenied):
        app.accept_team_invitation(s.sponsor, team_id, terms)
    with pytest.raises(ConflictOfInterest):
        app.accept_team_invitation(s.reviewer, team_id, terms)
    with pytest.raises(AccessDenied):
        app.form_team(s.sponsor, challenge_id, "Staff lab")


def test_a_declined_invitation_changes_nothing(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=1)
    team_id = app.form_team(s.solver, challenge_id, "Lever lab", [str(s.other_solver)]).id
    team_entry(app, s, challenge_id, terms, team_id)
    app.decline_team_invitation(s.other_solver, team_id)
    # The decliner no longer sees the team, cannot accept, and keeps their quota.
    with pytest.raises(NotFound):
        app.get_team(s.other_solver, team_id)
    with pytest.raises(NotFound):
        app.accept_team_invitation(s.other_solver, team_id, terms)
    s.submit(challenge_id, terms, solver=s.other_solver, title="Solo lab")


def test_invitations_expire_with_the_deadline(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    team_id = app.form_team(s.solver, challenge_id, "Lever lab", [str(s.other_solver)]).id
    clock.advance(timedelta(days=30))
    with pytest.raises(WindowClosed):
        app.accept_team_invitation(s.other_solver, team_id, terms)
    with pytest.raises(WindowClosed):
        app.invite_to_team(s.solver, team_id, [str(s.public)])


def test_the_team_submits_together_and_each_version_records_who_was_on_it(app, clock):
    # Given a team of three who accepted, and one invitee who has not answered,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    team_id = app.form_team(
        s.solver, challenge_id, "Lever lab", [str(s.other_solver), str(s.public)]
    ).id
    app.accept_team_invitation(s.other_solver, team_id, terms)
    invitee = s.account("late")
    app.invite_to_team(s.solver, team_id, [str(invitee)])
    # when the lead enters for the team,
    entry = team_entry(app, s, challenge_id, terms, team_id)
    # then the authors are the accepted members (the public account has not accepted),
    submission = app.get_submission(s.other_solver, entry)
    assert submission.authors_of(1) == (s.solver, s.other_solver)
    assert live(app, challenge_id, s.other_solver) == [entry]
    # when one leaves, another joins, and the new member revises,
    clock.advance(timedelta(days=1))
    app.leave_team(s.other_solver, team_id)
    app.accept_team_invitation(invitee, team_id, terms)
    app.revise_submission(invitee, entry, "Levers v2", "Improved.")
    submission = app.get_submission(invitee, entry)
    # then version 2's authors are who was on the team then; the one who left stays an
    # author of version 1 (and keeps that entry's slot: they competed with it).
    assert submission.authors_of(2) == (invitee, s.solver)
    assert s.other_solver in submission.author_ids
    assert live(app, challenge_id, s.other_solver) == [entry]
    # and one who left cannot revise any more.
    with pytest.raises(InvalidState):
        app.revise_submission(s.other_solver, entry, "Levers v3", "Mine.")


def test_leaving_frees_the_slots_of_entries_one_never_authored(app, clock):
    # Given a one-entry challenge and a team with an entry,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=1)
    team_id = app.form_team(s.solver, challenge_id, "Lever lab", [str(s.other_solver)]).id
    team_entry(app, s, challenge_id, terms, team_id)
    # when someone joins after it was entered and leaves again before any new version,
    app.accept_team_invitation(s.other_solver, team_id, terms)
    app.leave_team(s.other_solver, team_id)
    # then the entry they never authored no longer counts against them.
    assert live(app, challenge_id, s.other_solver) == []
    s.submit(challenge_id, terms, solver=s.other_solver, title="Solo lab")


def test_the_lead_removes_a_member_before_the_deadline_only(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    team_id = app.form_team(
        s.solver, challenge_id, "Lever lab", [str(s.other_solver), str(s.public)]
    ).id
    app.accept_team_invitation(s.other_solver, team_id, terms)
    app.accept_team_invitation(s.public, team_id, terms)
    with pytest.raises(InvalidState):
        app.remove_team_member(s.other_solver, team_id, s.public)
    app.remove_team_member(s.solver, team_id, s.other_solver)
    with pytest.raises(NotFound):
        app.get_team(s.other_solver, team_id)
    clock.advance(timedelta(days=30))
    with pytest.raises(WindowClosed):
        app.remove_team_member(s.solver, team_id, s.public)
    with pytest.raises(WindowClosed):
        app.leave_team(s.public, team_id)


def test_the_lead_hands_over_and_the_new_lead_enters(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    team_id = app.form_team(s.solver, challenge_id, "Lever lab", [str(s.other_solver)]).id
    app.accept_team_invitation(s.other_solver, team_id, terms)
    app.hand_over_team_lead(s.solver, team_id, s.other_solver)
    team = app.get_team(s.solver, team_id)
    assert team.lead_id == s.other_solver
    # The old lead never accepted the terms: not an author until they do.
    entry = app.submit(s.other_solver, challenge_id, "Levers", "Ours.", terms, team_id=team_id)
    assert app.get_submission(s.solver, entry.id).authors_of(1) == (s.other_solver,)


def test_only_members_enter_for_a_team(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    team_id = app.form_team(s.solver, challenge_id, "Lever lab", [str(s.other_solver)]).id
    for outsider in (s.other_solver, s.public):
        with pytest.raises(InvalidInput):
            app.submit(outsider, challenge_id, "Levers", "Ours.", terms, team_id=team_id)


def test_the_authors_of_the_awarded_version_sign_its_agreement(app, clock):
    # Given a team entry by a lead and an accepted member, a declined invitee,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    team_id = app.form_team(
        s.solver, challenge_id, "Lever lab", [str(s.other_solver), str(s.public)]
    ).id
    app.accept_team_invitation(s.other_solver, team_id, terms)
    app.decline_team_invitation(s.public, team_id)
    entry = team_entry(app, s, challenge_id, terms, team_id)
    # when it wins,
    clock.advance(timedelta(days=30))
    agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
    # then the lead and the member are its assignors, and both sign; the decliner is no party.
    agreement = app.get_agreement(s.other_solver, agreement_id)
    assert agreement.authors == (s.solver, s.other_solver)
    for signer, name in ((s.solver, "Solver"), (s.other_solver, "Other")):
        app.sign_agreement(signer, agreement_id, name, "I agree.", agreement.text_sha256)
    assert app.get_agreement(s.solver, agreement_id).all_authors_signed
    with pytest.raises(NotFound):
        app.get_agreement(s.public, agreement_id)


def test_withdrawing_a_team_entry_frees_every_slot(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=1)
    team_id = app.form_team(s.solver, challenge_id, "Lever lab", [str(s.other_solver)]).id
    app.accept_team_invitation(s.other_solver, team_id, terms)
    entry = team_entry(app, s, challenge_id, terms, team_id)
    with pytest.raises(InvalidState):
        app.withdraw_submission(s.other_solver, entry)  # not the lead
    app.withdraw_submission(s.solver, entry, "Starting over.")
    assert live(app, challenge_id, s.solver) == live(app, challenge_id, s.other_solver) == []
    assert app.get_team(s.solver, team_id).entry_ids == []


def test_team_ids_from_older_clients_are_invitations_never_authorship(app, clock):
    # Given a one-entry challenge,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=1)
    # when an older client enters with team_ids,
    entry = app.submit(
        s.solver, challenge_id, "Levers", "Together.", terms, team_ids=[s.other_solver]
    ).id
    # then the entry is the solver's alone, for a team they now lead that invited the
    # named person (whose quota is untouched),
    submission = app.get_submission(s.solver, entry)
    assert submission.author_ids == (s.solver,)
    assert submission.named_coauthor_ids == ()
    assert submission.team_id is not None
    team = app.get_team(s.other_solver, submission.team_id)
    assert team.lead_id == s.solver and team.invited_ids == [s.other_solver]
    assert team.entry_ids == [entry]
    with pytest.raises(NotFound):
        app.confirm_coauthorship(s.other_solver, entry)
    # and only their own acceptance puts them on it: counted, and an author of the
    # versions recorded from then on.
    app.accept_team_invitation(s.other_solver, submission.team_id, terms)
    assert live(app, challenge_id, s.other_solver) == [entry]
    app.revise_submission(s.other_solver, entry, "Levers v2", "Ours now.")
    revised = app.get_submission(s.solver, entry)
    assert revised.authors_of(1) == (s.solver,)
    assert revised.authors_of(2) == (s.other_solver, s.solver)


def test_team_ids_invite_to_the_team_the_submitter_leads(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    team_id = app.form_team(s.solver, challenge_id, "Lever lab").id
    entry = app.submit(s.solver, challenge_id, "Levers", "Ours.", terms, team_ids=[s.public]).id
    assert app.get_submission(s.solver, entry).team_id == team_id
    assert app.get_team(s.solver, team_id).invited_ids == [s.public]
    # A member who does not lead the team cannot invite this way.
    app.invite_to_team(s.solver, team_id, [str(s.other_solver)])
    app.accept_team_invitation(s.other_solver, team_id, terms)
    with pytest.raises(InvalidState):
        app.submit(s.other_solver, challenge_id, "Mine", "Mine.", terms, team_ids=[s.reviewer])


def test_an_invitee_who_never_accepted_may_review(app, clock):
    # Being invited to a team does not make one a solver (nor keep one from judging).
    s = scene(app, clock)
    challenge_id, _terms = s.open_challenge()
    app.form_team(s.solver, challenge_id, "Lever lab", [str(s.reviewer)])
    app.invite_reviewer(s.sponsor, challenge_id, s.reviewer)
    app.accept_reviewer_invitation(s.reviewer, challenge_id)
    # whereas a team member may not.
    app.form_team(s.other_solver, challenge_id, "Pulley lab")
    with pytest.raises(ConflictOfInterest):
        app.invite_reviewer(s.sponsor, challenge_id, s.other_solver)


def test_a_lead_who_left_alone_may_still_withdraw_the_entry(app, clock):
    # Given a lead alone on their team, with an entry, who leaves (disbanding it),
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=1)
    team_id = app.form_team(s.solver, challenge_id, "Lever lab").id
    entry = team_entry(app, s, challenge_id, terms, team_id)
    app.leave_team(s.solver, team_id)
    # then the entry still counts (they authored it), and they may withdraw it.
    assert live(app, challenge_id, s.solver) == [entry]
    app.withdraw_submission(s.solver, entry)
    assert live(app, challenge_id, s.solver) == []


def test_the_lead_cancels_a_pending_invitation(app, clock):
    # Given a team that invited one person by account id and one by address,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    team_id = app.form_team(
        s.solver, challenge_id, "Lever lab", [str(s.other_solver), "public@example.org"]
    ).id
    # only its lead may take an invitation back,
    with pytest.raises(InvalidState):
        app.cancel_team_invitation(s.other_solver, team_id, "public@example.org")
    # and once they do, neither invitee can accept, or see the team.
    app.cancel_team_invitation(s.solver, team_id, str(s.other_solver))
    app.cancel_team_invitation(s.solver, team_id, "Public@Example.org")
    for invitee in (s.other_solver, s.public):
        with pytest.raises(NotFound):
            app.accept_team_invitation(invitee, team_id, terms)
    # Cancelling again changes nothing.
    with pytest.raises(InvalidState):
        app.cancel_team_invitation(s.solver, team_id, "public@example.org")
    assert app.get_team(s.solver, team_id).member_ids == [s.solver]
