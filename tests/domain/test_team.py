"""Teams (issue 21), given-when-then on the aggregates: nobody is on a team, or an
author of its entries, without their own acceptance."""

from __future__ import annotations

from uuid import UUID

import pytest

from openinno.domain import SolverEntries, Submission, Team
from openinno.domain.errors import ConflictOfInterest, InvalidInput, InvalidState, WindowClosed
from openinno.domain.submission import content_sha256
from openinno.domain.team import MAX_PENDING_INVITATIONS, check_team_name
from openinno.domain.values import SubmissionContent
from tests.domain.helpers import SOLVER, at, given, new_id, recorded

LEAD = SOLVER
ANA = UUID(int=21)
BOB = UUID(int=22)
TERMS = "t" * 64
DEADLINE = at(30)
CONTENT = SubmissionContent(title="Lever lab", summary="Levers, together.")


def a_team(*invited: UUID, emails: tuple[str, ...] = ()) -> Team:
    team = Team(id=new_id(), actor_id=LEAD, challenge_id=new_id(), name=" Levers ", timestamp=at(1))
    if invited or emails:
        team.invite(LEAD, invited, emails, at(1))
    return given(team)  # type: ignore[return-value]


def test_forming_a_team_makes_the_lead_its_only_member_but_no_author_yet():
    team = Team(id=new_id(), actor_id=LEAD, challenge_id=new_id(), name="Levers", timestamp=at(1))
    assert recorded(team) == ["Formed"]
    assert team.member_ids == [LEAD]
    # The lead has not accepted the challenge's terms yet: no author.
    assert team.author_ids == ()
    team.accept(LEAD, None, TERMS, at(2))
    assert recorded(team) == ["MemberAccepted"]
    assert team.author_ids == (LEAD,)


def test_an_invitation_makes_nobody_a_member():
    team = a_team()
    team.invite(LEAD, (ANA,), ("bob@example.org",), at(2))
    assert recorded(team) == ["MembersInvited"]
    assert team.member_ids == [LEAD]
    assert team.is_invited(ANA, None)
    assert team.is_invited(BOB, "bob@example.org")
    assert not team.may_view(UUID(int=99), "eve@example.org")


def test_only_the_lead_invites_and_inviting_again_records_nothing():
    team = a_team(ANA)
    with pytest.raises(InvalidState):
        team.invite(ANA, (BOB,), (), at(2))
    with pytest.raises(InvalidInput):
        team.invite(LEAD, (ANA, LEAD), (), at(2))
    assert recorded(team) == []


def test_open_invitations_are_bounded():
    team = a_team()
    many = tuple(UUID(int=1000 + i) for i in range(MAX_PENDING_INVITATIONS + 1))
    with pytest.raises(InvalidInput):
        team.invite(LEAD, many, (), at(2))


def test_an_invitee_accepts_with_the_terms_and_becomes_an_author():
    team = a_team(ANA)
    team.accept(ANA, "ana@example.org", TERMS, at(3))
    assert recorded(team) == ["MemberAccepted"]
    assert ANA in team.member_ids and not team.is_invited(ANA, "ana@example.org")
    assert team.terms_accepted[ANA] == at(3)


def test_an_email_invitation_is_accepted_by_the_account_with_that_address():
    team = a_team(emails=("bob@example.org",))
    with pytest.raises(InvalidState):
        team.accept(BOB, "someone-else@example.org", TERMS, at(3))
    team.accept(BOB, "bob@example.org", TERMS, at(3))
    events = team.collect_events()
    assert [type(e).__name__ for e in events] == ["MemberAccepted"]
    assert events[0].email == "bob@example.org"  # type: ignore[attr-defined]
    assert team.invited_emails == []


def test_nobody_uninvited_can_join():
    team = a_team(ANA)
    with pytest.raises(InvalidState):
        team.accept(BOB, "bob@example.org", TERMS, at(3))
    assert recorded(team) == []


def test_a_declined_invitation_changes_nothing_else():
    team = a_team(ANA)
    team.decline(ANA, "ana@example.org", at(3))
    assert recorded(team) == ["InvitationDeclined"]
    assert team.member_ids == [LEAD]
    with pytest.raises(InvalidState):
        team.accept(ANA, "ana@example.org", TERMS, at(4))


def test_members_leave_before_the_deadline_only():
    team = a_team(ANA)
    team.accept(ANA, None, TERMS, at(3))
    given(team)
    with pytest.raises(WindowClosed):
        team.leave(ANA, DEADLINE, DEADLINE)
    team.leave(ANA, DEADLINE, at(4))
    assert recorded(team) == ["MemberLeft"]
    assert ANA not in team.member_ids and ANA not in team.terms_accepted


def test_the_lead_hands_over_before_leaving():
    team = a_team(ANA)
    team.accept(LEAD, None, TERMS, at(2))
    with pytest.raises(InvalidState):
        team.hand_over(LEAD, ANA, at(3))  # not a member yet
    team.accept(ANA, None, TERMS, at(3))
    given(team)
    with pytest.raises(InvalidState):
        team.leave(LEAD, DEADLINE, at(4))
    team.hand_over(LEAD, ANA, at(4))
    team.leave(LEAD, DEADLINE, at(4))
    assert recorded(team) == ["LeadHandedOver", "MemberLeft"]
    assert team.lead_id == ANA and team.author_ids == (ANA,)


def test_the_lead_removes_a_member_before_the_deadline():
    team = a_team(ANA)
    team.accept(ANA, None, TERMS, at(3))
    given(team)
    with pytest.raises(InvalidState):
        team.remove(ANA, LEAD, DEADLINE, at(4))
    with pytest.raises(WindowClosed):
        team.remove(LEAD, ANA, DEADLINE, at(31))
    team.remove(LEAD, ANA, DEADLINE, at(4))
    assert recorded(team) == ["MemberRemoved"]
    assert team.member_ids == [LEAD]


def test_a_lead_alone_who_leaves_disbands_the_team():
    team = a_team(ANA)
    team.leave(LEAD, DEADLINE, at(2))
    assert team.disbanded
    with pytest.raises(InvalidState):
        team.accept(ANA, None, TERMS, at(3))


def test_only_members_who_accepted_enter_for_the_team():
    team = a_team(ANA)
    entry = new_id()
    with pytest.raises(InvalidState):
        team.note_entry(LEAD, entry, 1, at(3))
    team.accept(LEAD, None, TERMS, at(3))
    team.note_entry(LEAD, entry, 1, at(3))
    team.note_withdrawal(LEAD, entry, at(4))
    assert recorded(team) == ["MemberAccepted", "EntrySubmitted", "EntryWithdrawn"]
    assert team.entry_ids == []


def test_team_names_are_bounded():
    assert check_team_name("  Levers ") == "Levers"
    for bad in ("", "   ", "x" * 101):
        with pytest.raises(InvalidInput):
            check_team_name(bad)


# --- one team per person per challenge: SolverEntries -------------------------------------


def entries_of(person: UUID) -> SolverEntries:
    return given(  # type: ignore[return-value]
        SolverEntries(id=new_id(), challenge_id=new_id(), solver_id=person, timestamp=at(1))
    )


def test_a_person_is_on_one_team_per_challenge():
    entries = entries_of(ANA)
    first, second = new_id(), new_id()
    entries.join_team(first, at(2))
    entries.join_team(first, at(2))  # again: nothing new
    assert recorded(entries) == ["TeamJoined"]
    with pytest.raises(InvalidState):
        entries.join_team(second, at(3))
    entries.leave_team(first, at(4))
    entries.join_team(second, at(5))
    assert recorded(entries) == ["TeamLeft", "TeamJoined"]


def test_judges_join_no_team_and_team_members_judge_nothing():
    judge = entries_of(ANA)
    judge.note_review_invitation(LEAD, at(2))
    with pytest.raises(ConflictOfInterest):
        judge.join_team(new_id(), at(3))
    member = entries_of(BOB)
    member.join_team(new_id(), at(2))
    with pytest.raises(ConflictOfInterest):
        member.note_review_invitation(LEAD, at(3))


# --- the authors of each version of a team entry ------------------------------------------


def a_team_entry(*co_authors: UUID, team: bool = True) -> Submission:
    return given(  # type: ignore[return-value]
        Submission(
            id=new_id(),
            actor_id=LEAD,
            challenge_id=new_id(),
            team_ids=co_authors,
            content=CONTENT,
            accepted_terms_sha256=TERMS,
            content_sha256=content_sha256(CONTENT),
            receipt_id=new_id(),
            timestamp=at(3),
            team_id=new_id() if team else None,
        )
    )


def test_each_version_of_a_team_entry_records_who_was_on_it():
    entry = a_team_entry(ANA)
    assert entry.authors_of(1) == (LEAD, ANA)
    # Ana left; Bob joined; Bob revises:
    v2 = SubmissionContent(title="Lever lab 2", summary="Levers, improved.")
    entry.revise(BOB, v2, new_id(), at(5), author_ids=(BOB, LEAD))
    assert recorded(entry) == ["Revised"]
    assert entry.authors_of(2) == (BOB, LEAD)
    assert entry.latest_author_ids == (BOB, LEAD)
    # Ana stays an author of what she co-submitted.
    assert set(entry.author_ids) == {LEAD, ANA, BOB}


def test_a_team_entry_is_revised_only_by_the_team_now():
    entry = a_team_entry(ANA)
    v2 = SubmissionContent(title="Lever lab 2", summary="Levers, improved.")
    with pytest.raises(InvalidState):
        entry.revise(ANA, v2, new_id(), at(5), author_ids=(LEAD,))
    with pytest.raises(InvalidState):
        entry.revise(LEAD, v2, new_id(), at(5))


def test_an_entry_of_no_team_keeps_its_authors_on_every_version():
    entry = a_team_entry(team=False)
    v2 = SubmissionContent(title="Lever lab 2", summary="Levers, improved.")
    entry.revise(LEAD, v2, new_id(), at(5), author_ids=(ANA,))
    assert entry.latest_author_ids == (LEAD,)


def test_the_lead_cancels_a_pending_invitation():
    team = a_team(ANA, emails=("bob@example.org",))
    team.cancel_invitation(LEAD, ANA, None, at(2))
    team.cancel_invitation(LEAD, None, "bob@example.org", at(2))
    assert recorded(team) == ["InvitationCancelled", "InvitationCancelled"]
    assert not team.is_invited(ANA, None) and not team.is_invited(BOB, "bob@example.org")
    with pytest.raises(InvalidState):
        team.accept(ANA, None, TERMS, at(3))
    assert not team.may_view(ANA, "ana@example.org")


def test_only_the_lead_cancels_and_only_a_pending_invitation():
    team = a_team(ANA, BOB)
    with pytest.raises(InvalidState):
        team.cancel_invitation(ANA, BOB, None, at(2))
    team.accept(ANA, None, TERMS, at(2))
    given(team)
    with pytest.raises(InvalidState):
        team.cancel_invitation(LEAD, ANA, None, at(3))  # a member now: remove instead
    with pytest.raises(InvalidState):
        team.cancel_invitation(LEAD, None, "nobody@example.org", at(3))
    assert recorded(team) == []


def test_each_version_records_when_its_authors_accepted_the_terms():
    entry = given(
        Submission(
            id=new_id(),
            actor_id=LEAD,
            challenge_id=new_id(),
            team_ids=(ANA,),
            content=CONTENT,
            accepted_terms_sha256=TERMS,
            content_sha256=content_sha256(CONTENT),
            receipt_id=new_id(),
            timestamp=at(3),
            team_id=new_id(),
            terms_accepted_at=(at(3), at(2)),
        )
    )
    assert entry.acceptances_of(1) == ((LEAD, at(3)), (ANA, at(2)))
    v2 = SubmissionContent(title="Lever lab 2", summary="Levers, improved.")
    entry.revise(BOB, v2, new_id(), at(5), author_ids=(BOB, LEAD), terms_accepted_at=(at(5), at(1)))
    assert entry.acceptances_of(2) == ((BOB, at(5)), (LEAD, at(1)))


def test_versions_recorded_before_acceptances_were_kept_name_the_submitter_only():
    # An entry of no team: its first version's acceptances hold for every version.
    solo = a_team_entry(team=False)
    assert solo.acceptances_of(1) == ((LEAD, at(3)),)
    solo.revise(LEAD, SubmissionContent(title="Lever 2", summary="More."), new_id(), at(6))
    assert solo.acceptances_of(2) == ((LEAD, at(3)),)
    # A team entry from before: the submitter accepted by submitting; the rest unknown.
    old = a_team_entry(ANA)
    assert old.acceptances_of(1) == ((LEAD, at(3)), (ANA, None))
