"""The team commands of the application (issue 21), mixed into ``OpenInno``.

Consent is the rule throughout: an invitation, by account id or by e-mail
address, counts against nobody and makes nobody an author; a person is on a
team only once they accept it themselves, accepting the challenge's published
terms.  Accepting counts the team's live entries against the person's own
per-challenge limit on their ``SolverEntries`` stream, in the same transaction
as the team's ``MemberAccepted``: the stream per (challenge, person) is where
their entries alone and on a team meet, so the limit holds per person across
teams, and it is also where "one team per challenge" is held (``TeamJoined``).

Team entries: each version's authors are the team's members who accepted the
terms when it was recorded; the version is noted on the team's stream
(``Team.EntrySubmitted``) in the same transaction, so membership changes and
versions take turns.  A member who leaves keeps authorship (and the entry slot)
of what they co-submitted; their slot for entries they never authored is freed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, ParamSpec, TypeVar
from uuid import UUID, uuid4

from openinno.domain import (
    Account,
    Challenge,
    EntryDraft,
    Organisation,
    SolverEntries,
    Submission,
)
from openinno.domain.errors import (
    NOT_FOUND,
    InvalidInput,
    InvalidState,
    NotFound,
    SubmissionLimitReached,
    Term,
    TermsMismatch,
    WindowClosed,
)
from openinno.domain.submission import MAX_NAMED_COAUTHORS, content_sha256
from openinno.domain.team import (
    MAX_NAME_LENGTH,
    MAX_PENDING_INVITATIONS,
    Team,
    check_team_name,
)
from openinno.domain.values import SubmissionContent, normalise_email
from openinno.files import Upload

if TYPE_CHECKING:
    from eventsourcing.domain import Aggregate

    from openinno.application import Recorded, SubmissionRecorded

    A = TypeVar("A", bound=Aggregate)

P = ParamSpec("P")
R = TypeVar("R")


def _retrying(command: Callable[P, R]) -> Callable[P, R]:
    """``application.retry_on_conflict``, looked up when called (that module imports
    this one)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from openinno.application import retry_on_conflict

        return retry_on_conflict(command)(*args, **kwargs)

    return wrapper


def parse_invitees(invitees: Sequence[str | UUID]) -> tuple[tuple[UUID, ...], tuple[str, ...]]:
    """Account ids and (normalised) e-mail addresses, as given: nothing is looked up."""
    if len(invitees) > MAX_PENDING_INVITATIONS:
        raise InvalidInput(
            "Invite at most %(max)s people at once.",
            field="invitees",
            max=MAX_PENDING_INVITATIONS,
        )
    account_ids: list[UUID] = []
    emails: list[str] = []
    for invitee in invitees:
        if isinstance(invitee, UUID):
            account_ids.append(invitee)
            continue
        try:
            account_ids.append(UUID(invitee.strip()))
        except ValueError:
            try:
                emails.append(normalise_email(invitee))
            except InvalidInput:
                raise InvalidInput(
                    "%(invitee)s is neither an e-mail address nor an account id.",
                    field="invitees",
                    invitee=repr(invitee[:100]),
                ) from None
    return tuple(dict.fromkeys(account_ids)), tuple(dict.fromkeys(emails))


def require_forming_teams(challenge: Challenge, at: datetime) -> None:
    """Teams form, and people join them, from publication until the deadline."""
    if challenge.status != "published":
        raise InvalidState("Teams form only for a published challenge that is still running.")
    if at >= challenge.spec.closes_at:
        raise WindowClosed("Submissions for this challenge have closed.")


class TeamCommands:
    """Teams: form, invite, accept, decline, leave, remove, hand over; entering,
    revising and withdrawing a team's entries."""

    if TYPE_CHECKING:
        # What this mixin uses of OpenInno (application.py), which defines them.
        def _actor(self, actor_id: UUID, *, readonly: bool = True) -> Account: ...
        def _now(self) -> datetime: ...
        def _commit(self, *aggregates: Aggregate | None) -> int: ...
        def _load(
            self, aggregate_id: UUID, kind: type[A], what: str, *, readonly: bool = False
        ) -> A: ...
        def _maybe_load(
            self, aggregate_id: UUID, kind: type[A], *, readonly: bool = False
        ) -> A | None: ...
        def _visible_challenge(
            self, actor_id: UUID | None, challenge_id: UUID, *, readonly: bool = False
        ) -> Challenge: ...
        def _entries(self, challenge_id: UUID, solver_id: UUID, at: datetime) -> SolverEntries: ...
        def _require_may_enter(
            self, person_id: UUID, challenge: Challenge, organisation: Organisation
        ) -> None: ...
        def _content(
            self, title: str, summary: str, files: Sequence[Upload]
        ) -> SubmissionContent: ...
        def _store_files(self, files: Sequence[Upload]) -> None: ...
        def _require_withdrawals_open(self, submission: Submission, at: datetime) -> None: ...

    # --- reading a team ---------------------------------------------------------------

    def get_team(self, actor_id: UUID, team_id: UUID) -> Team:
        """The team, to its members and invitees; to anyone else NotFound."""
        account = self._actor(actor_id)
        return self._visible_team(account, team_id, readonly=False)

    def _visible_team(self, account: Account, team_id: UUID, *, readonly: bool) -> Team:
        team = self._maybe_load(team_id, Team, readonly=readonly)
        if team is None or not team.may_view(account.id, account.email):
            raise NotFound(NOT_FOUND["team"], id=str(team_id))
        return team

    def _team_challenge(self, team: Team) -> Challenge:
        return self._load(team.challenge_id, Challenge, "challenge", readonly=True)

    def _require_terms(self, challenge: Challenge, accepted_terms_sha256: str) -> None:
        if accepted_terms_sha256 != challenge.terms_sha256:
            raise TermsMismatch(
                "The terms you accepted are not the published ones; read them again and accept.",
                field="accepted_terms_sha256",
            )

    def _may_enter(self, person_id: UUID, challenge: Challenge) -> None:
        organisation = self._load(
            challenge.organisation_id, Organisation, "organisation", readonly=True
        )
        self._require_may_enter(person_id, challenge, organisation)

    # --- forming and inviting -----------------------------------------------------------

    @_retrying
    def form_team(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        name: str,
        invitees: Sequence[str | UUID] = (),
        accepted_terms_sha256: str | None = None,
    ) -> Recorded:
        """The actor forms a team for the challenge and leads it; ``invitees``: account
        ids or e-mail addresses to invite (recorded as given).  With
        ``accepted_terms_sha256`` the lead accepts the terms now (otherwise with the
        team's first entry, or by accepting like any member)."""
        from openinno.application import Recorded

        account = self._actor(actor_id)
        challenge = self._visible_challenge(actor_id, challenge_id, readonly=True)
        at = self._now()
        require_forming_teams(challenge, at)
        self._may_enter(actor_id, challenge)
        account_ids, emails = parse_invitees(invitees)
        team = Team(
            id=uuid4(),
            actor_id=actor_id,
            challenge_id=challenge_id,
            name=check_team_name(name),
            timestamp=at,
        )
        emails = tuple(e for e in emails if e != account.email)
        if account_ids or emails:
            team.invite(actor_id, account_ids, emails, at)
        if accepted_terms_sha256 is not None:
            self._require_terms(challenge, accepted_terms_sha256)
            team.accept(actor_id, account.email, accepted_terms_sha256, at)
        # One team per person per challenge, held on the lead's own stream.
        entries = self._entries(challenge_id, actor_id, at)
        entries.join_team(team.id, at)
        return Recorded(team.id, self._commit(team, entries))

    @_retrying
    def invite_to_team(
        self, actor_id: UUID, team_id: UUID, invitees: Sequence[str | UUID]
    ) -> Recorded:
        """The lead invites more people (account ids or e-mail addresses, as given).
        Whether an address or id belongs to an account is not looked up, so the
        answer is the same either way."""
        from openinno.application import Recorded

        account = self._actor(actor_id)
        team = self._visible_team(account, team_id, readonly=False)
        require_forming_teams(self._team_challenge(team), self._now())
        account_ids, emails = parse_invitees(invitees)
        emails = tuple(e for e in emails if e != account.email)
        team.invite(actor_id, account_ids, emails, self._now())
        return Recorded(team_id, self._commit(team))

    @_retrying
    def cancel_team_invitation(
        self, actor_id: UUID, team_id: UUID, invitee: str | UUID
    ) -> Recorded:
        """The lead takes back a pending invitation (``invitee``: the account id or the
        e-mail address it was sent to).  Allowed after the deadline too: it only ends
        an invitation that could no longer be accepted anyway."""
        from openinno.application import Recorded

        account = self._actor(actor_id)
        team = self._visible_team(account, team_id, readonly=False)
        account_ids, emails = parse_invitees([invitee])
        team.cancel_invitation(
            actor_id,
            account_ids[0] if account_ids else None,
            emails[0] if emails else None,
            self._now(),
        )
        return Recorded(team_id, self._commit(team))

    # --- answering an invitation --------------------------------------------------------

    @_retrying
    def accept_team_invitation(
        self, actor_id: UUID, team_id: UUID, accepted_terms_sha256: str
    ) -> Recorded:
        """The invitee joins, accepting the challenge's terms; the team's live entries
        now count against their own limit (refused, with nothing recorded, if they
        would exceed it).  The lead may accept the terms this way too."""
        from openinno.application import Recorded

        account = self._actor(actor_id)
        team = self._visible_team(account, team_id, readonly=False)
        challenge = self._team_challenge(team)
        at = self._now()
        require_forming_teams(challenge, at)
        self._require_terms(challenge, accepted_terms_sha256)
        self._may_enter(actor_id, challenge)
        team.accept(actor_id, account.email, accepted_terms_sha256, at)
        entries = self._entries(challenge.id, actor_id, at)
        entries.join_team(team_id, at)
        for submission_id in team.entry_ids:
            if submission_id not in entries.live:
                entries.count_entry(submission_id, challenge.spec.max_submissions_per_solver, at)
        return Recorded(team_id, self._commit(team, entries))

    @_retrying
    def decline_team_invitation(self, actor_id: UUID, team_id: UUID) -> Recorded:
        """The invitee says no.  Nothing else changes: no quota, no authorship."""
        from openinno.application import Recorded

        account = self._actor(actor_id)
        team = self._visible_team(account, team_id, readonly=False)
        team.decline(actor_id, account.email, self._now())
        return Recorded(team_id, self._commit(team))

    # --- leaving ------------------------------------------------------------------------

    def _off_the_team(self, team: Team, person_id: UUID, at: datetime) -> SolverEntries:
        """The person's entry count once off the team: no longer on it, and no slot for
        the team's entries they authored no version of."""
        entries = self._entries(team.challenge_id, person_id, at)
        entries.leave_team(team.id, at)
        for submission_id in team.entry_ids:
            submission = self._load(submission_id, Submission, "submission", readonly=True)
            if person_id not in submission.author_ids:
                entries.release_entry(submission_id, at)
        return entries

    @_retrying
    def leave_team(self, actor_id: UUID, team_id: UUID) -> Recorded:
        """A member leaves, before the deadline.  They stay an author of the versions
        they co-submitted, and are an author of none recorded after."""
        from openinno.application import Recorded

        account = self._actor(actor_id)
        team = self._visible_team(account, team_id, readonly=False)
        at = self._now()
        team.leave(actor_id, self._team_challenge(team).spec.closes_at, at)
        entries = self._off_the_team(team, actor_id, at)
        return Recorded(team_id, self._commit(team, entries))

    @_retrying
    def remove_team_member(self, actor_id: UUID, team_id: UUID, member_id: UUID) -> Recorded:
        """The lead removes a member, before the deadline (as if they had left)."""
        from openinno.application import Recorded

        account = self._actor(actor_id)
        team = self._visible_team(account, team_id, readonly=False)
        at = self._now()
        team.remove(actor_id, member_id, self._team_challenge(team).spec.closes_at, at)
        entries = self._off_the_team(team, member_id, at)
        return Recorded(team_id, self._commit(team, entries))

    @_retrying
    def hand_over_team_lead(self, actor_id: UUID, team_id: UUID, lead_id: UUID) -> Recorded:
        from openinno.application import Recorded

        account = self._actor(actor_id)
        team = self._visible_team(account, team_id, readonly=False)
        team.hand_over(actor_id, lead_id, self._now())
        return Recorded(team_id, self._commit(team))

    # --- a team's entries -----------------------------------------------------------------

    def _member_team(self, actor_id: UUID, team_id: UUID, challenge: Challenge) -> Team:
        team = self._maybe_load(team_id, Team)
        if team is None or actor_id not in team.member_ids:
            raise InvalidInput("You are not on a team with that id.", field="team_id")
        if team.challenge_id != challenge.id:
            raise InvalidInput("That team is for another challenge.", field="team_id")
        return team

    def _count_for_authors(
        self,
        challenge: Challenge,
        submission_id: UUID,
        author_ids: Sequence[UUID],
        at: datetime,
        loaded: SolverEntries | None = None,
    ) -> list[SolverEntries]:
        """Every author's entry count holding this entry (the limit per person): the
        ones that changed, with ``loaded`` (an author's count this command already
        changed: one copy per stream)."""
        organisation = self._load(
            challenge.organisation_id, Organisation, "organisation", readonly=True
        )
        changed = [loaded] if loaded is not None else []
        for author_id in author_ids:
            self._require_may_enter(author_id, challenge, organisation)
            if loaded is not None and loaded.solver_id == author_id:
                entries = loaded
            else:
                entries = self._entries(challenge.id, author_id, at)
            if submission_id not in entries.live:
                try:
                    entries.count_entry(
                        submission_id, challenge.spec.max_submissions_per_solver, at
                    )
                except SubmissionLimitReached as e:
                    if author_id == author_ids[0]:
                        raise
                    raise SubmissionLimitReached(
                        "A member of your team has reached this challenge's limit of "
                        "%(limit)s entries per person.",
                        limit=challenge.spec.max_submissions_per_solver,
                    ) from e
                if entries is not loaded:
                    changed.append(entries)
        return changed

    def _submit_for_team(
        self,
        actor_id: UUID,
        challenge: Challenge,
        team_id: UUID,
        content: SubmissionContent,
        accepted_terms_sha256: str,
        files: Sequence[Upload],
        at: datetime,
        draft: EntryDraft | None = None,
    ) -> SubmissionRecorded:
        """A member enters for the team (the checks ``submit`` makes of the actor, the
        window and the terms already made).  The authors: the team's members who
        accepted the terms, the submitter first; each one's slot is counted."""
        team = self._member_team(actor_id, team_id, challenge)
        return self._enter_for(
            actor_id, challenge, team, content, accepted_terms_sha256, files, at, draft=draft
        )

    def _submit_inviting(
        self,
        actor_id: UUID,
        challenge: Challenge,
        invitee_ids: Sequence[UUID],
        content: SubmissionContent,
        accepted_terms_sha256: str,
        files: Sequence[Upload],
        at: datetime,
    ) -> SubmissionRecorded:
        """``submit`` with ``team_ids`` (older clients): the ids are invitations, never
        authorship.  The entry is the submitter's team's: the team they lead in the
        challenge, or one formed now (named after the entry) with them as its lead; the
        ids are invited to it.  An invitee who accepts counts the entry against their own
        limit, and is an author of the versions recorded from then on."""
        if len(invitee_ids) > MAX_NAMED_COAUTHORS:
            raise InvalidInput(
                "Invite at most %(max)s people.", field="team_ids", max=MAX_NAMED_COAUTHORS
            )
        entries = self._entries(challenge.id, actor_id, at)
        if entries.team_id is None:
            team = Team(
                id=uuid4(),
                actor_id=actor_id,
                challenge_id=challenge.id,
                name=check_team_name(content.title[:MAX_NAME_LENGTH]),
                timestamp=at,
            )
            entries.join_team(team.id, at)
        else:
            team = self._load(entries.team_id, Team, "team")
            team.require_lead(actor_id, Term("invite people (enter with team_id instead)"))
        invitees = tuple(
            i for i in dict.fromkeys(invitee_ids) if i not in (*team.member_ids, *team.invited_ids)
        )
        if invitees:
            team.invite(actor_id, invitees, (), at)
        return self._enter_for(
            actor_id, challenge, team, content, accepted_terms_sha256, files, at, entries
        )

    def _enter_for(
        self,
        actor_id: UUID,
        challenge: Challenge,
        team: Team,
        content: SubmissionContent,
        accepted_terms_sha256: str,
        files: Sequence[Upload],
        at: datetime,
        loaded: SolverEntries | None = None,
        draft: EntryDraft | None = None,
    ) -> SubmissionRecorded:
        from openinno.application import SubmissionRecorded

        if actor_id not in team.terms_accepted:
            # Only the lead can be on the team without having accepted: their entry is
            # their acceptance.
            team.accept(actor_id, None, accepted_terms_sha256, at)
        authors = (actor_id, *(a for a in team.author_ids if a != actor_id))
        submission_id = uuid4()
        entries = self._count_for_authors(challenge, submission_id, authors, at, loaded)
        submission = Submission(
            id=submission_id,
            actor_id=actor_id,
            challenge_id=challenge.id,
            team_ids=authors[1:],
            content=content,
            accepted_terms_sha256=accepted_terms_sha256,
            content_sha256=content_sha256(content),
            receipt_id=uuid4(),
            timestamp=at,
            team_id=team.id,
            # The submitter accepts the terms by submitting; the others did on joining.
            terms_accepted_at=(at, *(team.terms_accepted[a] for a in authors[1:])),
        )
        team.note_entry(actor_id, submission_id, 1, at)
        if draft is not None:
            draft.mark_submitted(actor_id, submission_id, at)
        self._store_files(files)
        position = self._commit(submission, team, *entries, draft)
        return SubmissionRecorded(submission_id, position, submission.receipt)

    def _revise_for_team(
        self,
        actor_id: UUID,
        submission: Submission,
        title: str,
        summary: str,
        files: Sequence[Upload],
    ) -> SubmissionRecorded:
        """A new version of a team entry, by a member: its authors are the team's
        members now (the reviser first)."""
        from openinno.application import SubmissionRecorded

        assert submission.team_id is not None
        team = self._load(submission.team_id, Team, "team")
        if actor_id not in team.member_ids:
            if actor_id in submission.author_ids:
                raise InvalidState("You left this team: its entry is no longer yours to revise.")
            raise NotFound(NOT_FOUND["submission"], id=str(submission.id))
        if actor_id not in team.terms_accepted:
            raise InvalidState("Accept the challenge's terms for the team before revising.")
        challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        at = self._now()
        challenge.require_accepting_submissions(at)
        content = self._content(title, summary, files)
        authors = (actor_id, *(a for a in team.author_ids if a != actor_id))
        entries = self._count_for_authors(challenge, submission.id, authors, at)
        submission.revise(
            actor_id,
            content,
            uuid4(),
            at,
            author_ids=authors,
            terms_accepted_at=(at, *(team.terms_accepted[a] for a in authors[1:])),
        )
        team.note_entry(actor_id, submission.id, len(submission.versions), at)
        self._store_files(files)
        position = self._commit(submission, team, *entries)
        return SubmissionRecorded(submission.id, position, submission.receipt)

    def _withdraw_for_team(self, actor_id: UUID, submission: Submission, reason: str) -> Recorded:
        """The team's lead (a disbanded team's: the submitter) withdraws a team entry:
        every slot it holds is freed."""
        from openinno.application import Recorded

        assert submission.team_id is not None
        team = self._load(submission.team_id, Team, "team")
        # A disbanded team's entry (its lead left it alone) is its submitter's to withdraw.
        withdrawer = submission.solver_id if team.disbanded else team.lead_id
        if actor_id != withdrawer:
            if actor_id in team.member_ids or actor_id in submission.author_ids:
                raise InvalidState("Only the team's lead withdraws its entries.")
            raise NotFound(NOT_FOUND["submission"], id=str(submission.id))
        at = self._now()
        self._require_withdrawals_open(submission, at)
        submission.withdraw(actor_id, reason, at)
        team.note_withdrawal(actor_id, submission.id, at)
        holders = dict.fromkeys((*submission.author_ids, *team.member_ids))
        entries = [self._entries(submission.challenge_id, h, at) for h in holders]
        for holder_entries in entries:
            holder_entries.release_entry(submission.id, at)
        return Recorded(submission.id, self._commit(submission, team, *entries))

    def on_team_of(self, actor_id: UUID, submission: Submission) -> bool:
        """Whether the actor is on the team a team entry is for (members who joined
        after a version see the entry they now hold a slot of)."""
        if submission.team_id is None:
            return False
        team = self._maybe_load(submission.team_id, Team, readonly=True)
        return team is not None and actor_id in team.member_ids


__all__ = ["TeamCommands", "parse_invitees", "require_forming_teams"]
