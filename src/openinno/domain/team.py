"""Teams: people who enter one challenge together, each by their own consent (issue 21).

A team is its own stream (random id).  Its lead forms it for one challenge and
invites people by account id or by e-mail address; nobody is a member until they
accept, accepting the challenge's published terms themselves.  Invitations are
recorded as given and never checked against the accounts: an e-mail address that
belongs to no account is simply a pending invitation, so inviting tells the lead
nothing about who has an account.

Who is on the team matters for entries: the authors of each version of a team
entry are the team's accepted members at that moment.  Every version submitted
for the team, and every withdrawal, is noted here (``EntrySubmitted``,
``EntryWithdrawn``), in the same transaction as the entry: so a member accepting,
leaving or being removed and a version being submitted conflict on this stream
and take turns, and each version's authors are exactly who was on the team when
it was recorded.

That a person is in at most one team per challenge is held on their
``SolverEntries`` stream (``TeamJoined``, ``TeamLeft``), written in the same
transaction as the team's event (decision 0002)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput, InvalidState, Term, WindowClosed

# Bounds: a team is a handful of people; invitations are the lead's claim until
# accepted, so their number is bounded too (and the pages listing them stay short).
MAX_MEMBERS = 20
MAX_PENDING_INVITATIONS = 50
MAX_NAME_LENGTH = 100


def check_team_name(name: str) -> str:
    cleaned = name.strip()
    if not 1 <= len(cleaned) <= MAX_NAME_LENGTH:
        raise InvalidInput(
            "Team names need 1 to %(max)s characters.", field="name", max=MAX_NAME_LENGTH
        )
    return cleaned


class Team(Aggregate):
    """A team for one challenge.  ``member_ids``: who is on it (the lead first, then
    members in the order they joined); ``terms_accepted``: when each member accepted
    the challenge's terms (invitees on accepting; the lead on accepting or with the
    team's first entry).  Authors are members who accepted the terms."""

    class Formed(Aggregate.Created):
        actor_id: UUID
        challenge_id: UUID
        name: str

    @event(Formed)
    def __init__(
        self, id: UUID, actor_id: UUID, challenge_id: UUID, name: str, timestamp: datetime
    ) -> None:
        self.challenge_id = challenge_id
        self.name = name
        self.lead_id: UUID | None = actor_id
        self.member_ids: list[UUID] = [actor_id]
        self.terms_accepted: dict[UUID, datetime] = {}
        self.invited_ids: list[UUID] = []
        self.invited_emails: list[str] = []
        # Live entries (submitted for the team, not withdrawn).
        self.entry_ids: list[UUID] = []

    @property
    def author_ids(self) -> tuple[UUID, ...]:
        """Who would author a version recorded now: members who accepted the terms,
        the lead first."""
        ordered = sorted(self.member_ids, key=lambda m: m != self.lead_id)
        return tuple(m for m in ordered if m in self.terms_accepted)

    @property
    def disbanded(self) -> bool:
        return self.lead_id is None

    def is_invited(self, account_id: UUID, email: str | None) -> bool:
        return account_id in self.invited_ids or (
            email is not None and email in self.invited_emails
        )

    def may_view(self, account_id: UUID, email: str | None) -> bool:
        """Members and invitees see the team; to anyone else it does not exist."""
        return account_id in self.member_ids or self.is_invited(account_id, email)

    def require_lead(self, actor_id: UUID, doing: Term) -> None:
        if actor_id != self.lead_id:
            raise InvalidState("Only the team's lead can %(doing)s.", doing=doing)

    # --- invitations -------------------------------------------------------------------

    class MembersInvited(Aggregate.Event):
        """The lead invites people, by account id or by e-mail address (normalised).
        Neither is checked against the accounts."""

        actor_id: UUID
        account_ids: tuple[UUID, ...]
        emails: tuple[str, ...]

    def invite(
        self,
        actor_id: UUID,
        account_ids: tuple[UUID, ...],
        emails: tuple[str, ...],
        at: datetime,
    ) -> None:
        self.require_lead(actor_id, Term("invite people"))
        new_ids = tuple(
            dict.fromkeys(
                a for a in account_ids if a not in self.member_ids and a not in self.invited_ids
            )
        )
        new_emails = tuple(dict.fromkeys(e for e in emails if e not in self.invited_emails))
        if not new_ids and not new_emails:
            raise InvalidInput(
                "Everyone listed is already invited or on the team.", field="invitees"
            )
        pending = len(self.invited_ids) + len(self.invited_emails) + len(new_ids) + len(new_emails)
        if pending > MAX_PENDING_INVITATIONS:
            raise InvalidInput(
                "A team has at most %(max)s open invitations.",
                field="invitees",
                max=MAX_PENDING_INVITATIONS,
            )
        self._members_invited(actor_id, new_ids, new_emails, at)

    @event(MembersInvited)
    def _members_invited(
        self,
        actor_id: UUID,
        account_ids: tuple[UUID, ...],
        emails: tuple[str, ...],
        timestamp: datetime,
    ) -> None:
        self.invited_ids.extend(account_ids)
        self.invited_emails.extend(emails)

    class MemberAccepted(Aggregate.Event):
        """An invitee joins, accepting the challenge's terms (``accepted_terms_sha256``,
        the published hash); or the lead accepts the terms.  ``email``: the e-mail
        invitation this acceptance answered, if it was one."""

        actor_id: UUID
        accepted_terms_sha256: str
        email: str | None = None

    def accept(
        self, actor_id: UUID, email: str | None, accepted_terms_sha256: str, at: datetime
    ) -> None:
        """``email``: the accepting account's own (normalised) address."""
        if self.disbanded:
            raise InvalidState("This team has been disbanded.")
        if actor_id in self.terms_accepted:
            raise InvalidState("You are already on this team.")
        if actor_id != self.lead_id:
            if not self.is_invited(actor_id, email):
                raise InvalidState("This team has not invited you.")
            if len(self.member_ids) >= MAX_MEMBERS:
                raise InvalidState("A team has at most %(max)s members.", max=MAX_MEMBERS)
        by_email = (
            email
            if actor_id not in self.invited_ids
            and email is not None
            and email in self.invited_emails
            else None
        )
        self._member_accepted(actor_id, accepted_terms_sha256, by_email, at)

    @event(MemberAccepted)
    def _member_accepted(
        self, actor_id: UUID, accepted_terms_sha256: str, email: str | None, timestamp: datetime
    ) -> None:
        self._forget_invitation(actor_id, email)
        if actor_id not in self.member_ids:
            self.member_ids.append(actor_id)
        self.terms_accepted[actor_id] = timestamp

    def _forget_invitation(self, account_id: UUID, email: str | None) -> None:
        if account_id in self.invited_ids:
            self.invited_ids.remove(account_id)
        if email is not None and email in self.invited_emails:
            self.invited_emails.remove(email)

    class InvitationDeclined(Aggregate.Event):
        """An invitee says no: no longer invited.  ``email``: the e-mail invitation
        declined, if it was one."""

        actor_id: UUID
        email: str | None = None

    def decline(self, actor_id: UUID, email: str | None, at: datetime) -> None:
        if not self.is_invited(actor_id, email):
            raise InvalidState("This team has not invited you.")
        by_email = email if email is not None and email in self.invited_emails else None
        self._invitation_declined(actor_id, by_email, at)

    @event(InvitationDeclined)
    def _invitation_declined(self, actor_id: UUID, email: str | None, timestamp: datetime) -> None:
        self._forget_invitation(actor_id, email)

    class InvitationCancelled(Aggregate.Event):
        """The lead takes back a pending invitation (one of ``account_id`` or ``email``):
        the invitee can no longer accept it, or see the team."""

        actor_id: UUID
        account_id: UUID | None = None
        email: str | None = None

    def cancel_invitation(
        self, actor_id: UUID, account_id: UUID | None, email: str | None, at: datetime
    ) -> None:
        self.require_lead(actor_id, Term("cancel invitations"))
        pending = (account_id is not None and account_id in self.invited_ids) or (
            email is not None and email in self.invited_emails
        )
        if not pending or (account_id is None) == (email is None):
            raise InvalidState("There is no such open invitation to cancel.")
        self._invitation_cancelled(actor_id, account_id, email, at)

    @event(InvitationCancelled)
    def _invitation_cancelled(
        self, actor_id: UUID, account_id: UUID | None, email: str | None, timestamp: datetime
    ) -> None:
        if account_id is not None:
            self.invited_ids.remove(account_id)
        if email is not None:
            self.invited_emails.remove(email)

    # --- leaving ----------------------------------------------------------------------

    @staticmethod
    def _require_before(deadline: datetime, at: datetime, doing: Term) -> None:
        if at >= deadline:
            raise WindowClosed(
                "The challenge has closed: nobody can %(doing)s any more.", doing=doing
            )

    class MemberLeft(Aggregate.Event):
        """A member leaves (before the deadline).  The lead leaves only a team with no
        one else on it, which is then disbanded."""

        actor_id: UUID

    def leave(self, actor_id: UUID, deadline: datetime, at: datetime) -> None:
        if actor_id not in self.member_ids:
            raise InvalidState("You are not on this team.")
        self._require_before(deadline, at, Term("leave the team"))
        if actor_id == self.lead_id and len(self.member_ids) > 1:
            raise InvalidState("Hand the lead over to another member before you leave.")
        self._member_left(actor_id, at)

    @event(MemberLeft)
    def _member_left(self, actor_id: UUID, timestamp: datetime) -> None:
        self._off_the_team(actor_id)
        if actor_id == self.lead_id:
            self.lead_id = None

    def _off_the_team(self, member_id: UUID) -> None:
        self.member_ids.remove(member_id)
        self.terms_accepted.pop(member_id, None)

    class MemberRemoved(Aggregate.Event):
        """The lead removes a member (before the deadline)."""

        actor_id: UUID
        member_id: UUID

    def remove(self, actor_id: UUID, member_id: UUID, deadline: datetime, at: datetime) -> None:
        self.require_lead(actor_id, Term("remove members"))
        if member_id == actor_id:
            raise InvalidState("Leave the team instead of removing yourself.")
        if member_id not in self.member_ids:
            raise InvalidState("That person is not on this team.")
        self._require_before(deadline, at, Term("be removed from the team"))
        self._member_removed(actor_id, member_id, at)

    @event(MemberRemoved)
    def _member_removed(self, actor_id: UUID, member_id: UUID, timestamp: datetime) -> None:
        self._off_the_team(member_id)

    class LeadHandedOver(Aggregate.Event):
        """The lead hands the lead to another member who accepted the terms."""

        actor_id: UUID
        lead_id: UUID

    def hand_over(self, actor_id: UUID, lead_id: UUID, at: datetime) -> None:
        self.require_lead(actor_id, Term("hand the lead over"))
        if lead_id == actor_id:
            raise InvalidState("You already lead this team.")
        if lead_id not in self.terms_accepted:
            raise InvalidState("Only a member who accepted the terms can lead the team.")
        self._lead_handed_over(actor_id, lead_id, at)

    @event(LeadHandedOver)
    def _lead_handed_over(self, actor_id: UUID, lead_id: UUID, timestamp: datetime) -> None:
        self.lead_id = lead_id

    # --- entries ----------------------------------------------------------------------

    class EntrySubmitted(Aggregate.Event):
        """A version of an entry was recorded for the team (its authors: the team's
        authors at this moment, recorded on the submission)."""

        actor_id: UUID
        submission_id: UUID
        version: int

    def note_entry(self, actor_id: UUID, submission_id: UUID, version: int, at: datetime) -> None:
        if actor_id not in self.terms_accepted:
            raise InvalidState("Only the team's members who accepted the terms enter for it.")
        self._entry_submitted(actor_id, submission_id, version, at)

    @event(EntrySubmitted)
    def _entry_submitted(
        self, actor_id: UUID, submission_id: UUID, version: int, timestamp: datetime
    ) -> None:
        if submission_id not in self.entry_ids:
            self.entry_ids.append(submission_id)

    class EntryWithdrawn(Aggregate.Event):
        """A team entry was withdrawn: it counts against nobody any more."""

        actor_id: UUID
        submission_id: UUID

    def note_withdrawal(self, actor_id: UUID, submission_id: UUID, at: datetime) -> None:
        if submission_id in self.entry_ids:
            self._entry_withdrawn(actor_id, submission_id, at)

    @event(EntryWithdrawn)
    def _entry_withdrawn(self, actor_id: UUID, submission_id: UUID, timestamp: datetime) -> None:
        self.entry_ids.remove(submission_id)


__all__ = ["MAX_MEMBERS", "MAX_PENDING_INVITATIONS", "Team", "check_team_name"]
