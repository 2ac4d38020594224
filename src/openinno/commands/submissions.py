"""Entries: submitting (alone, for a team, from a draft), co-authors confirming or
declining, revising and withdrawing.  One of the hot commands (``submit``): its reads
come in one query with the token's (``reads_of_submit``), and the states it records
stay in this process's cache (``keep``), so the first vote on the new entry here
already knows its challenge."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from openinno.commands.base import CommandBase
from openinno.commands.results import Recorded, SubmissionRecorded
from openinno.commands.retry import retry_on_conflict
from openinno.domain import (
    Account,
    Challenge,
    EntryDraft,
    Organisation,
    SolverEntries,
    Submission,
    ids,
)
from openinno.domain.errors import (
    NOT_FOUND,
    AccessDenied,
    InvalidInput,
    NotFound,
    Term,
    TermsMismatch,
)
from openinno.domain.submission import check_content, content_sha256
from openinno.domain.values import SubmissionContent
from openinno.files import Upload, check_upload


class Submissions(CommandBase):
    if TYPE_CHECKING:
        # Entries for a team (openinno.teams.TeamCommands).
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
        ) -> SubmissionRecorded: ...
        def _submit_inviting(
            self,
            actor_id: UUID,
            challenge: Challenge,
            invitee_ids: Sequence[UUID],
            content: SubmissionContent,
            accepted_terms_sha256: str,
            files: Sequence[Upload],
            at: datetime,
        ) -> SubmissionRecorded: ...
        def _revise_for_team(
            self,
            actor_id: UUID,
            submission: Submission,
            title: str,
            summary: str,
            files: Sequence[Upload],
        ) -> SubmissionRecorded: ...
        def _withdraw_for_team(
            self, actor_id: UUID, submission: Submission, reason: str
        ) -> Recorded: ...

    def _content(self, title: str, summary: str, files: Sequence[Upload]) -> SubmissionContent:
        refs = tuple(check_upload(f, max_bytes=self.settings.max_file_bytes) for f in files)
        content = SubmissionContent(title=title.strip(), summary=summary.strip(), files=refs)
        check_content(content, max_files=self.settings.max_files_per_submission)
        return content

    def _store_files(self, files: Sequence[Upload]) -> None:
        # Before the events: a file without an event is harmless (content-addressed,
        # unreferenced); an event naming a missing file would not be.
        for upload in files:
            self.files.put(upload)

    def reads_of_submit(self, actor_id: UUID, challenge_id: UUID) -> tuple[UUID | None, ...]:
        """The streams ``submit`` reads, for one query (``read_ahead``).  Named co-authors
        are not read: nothing about them is decided until they confirm."""
        return (
            actor_id,
            challenge_id,
            self._streams.cached_link(challenge_id, "organisation_id"),
            ids.solver_entries_id(challenge_id, actor_id),
        )

    def _require_may_enter(
        self, person_id: UUID, challenge: Challenge, organisation: Organisation
    ) -> None:
        """Who may be an author of an entry: not the sponsor's staff, not its judges."""
        if organisation.role_of(person_id) is not None:
            raise AccessDenied("Members of the sponsor organisation cannot enter its challenges.")
        challenge.require_not_judging(person_id, Term("enter it"))
        if challenge.spec.enter_needs_verified_email:
            person = self._maybe_load(person_id, Account, readonly=True)
            if person is None or not person.email_is_verified:
                raise AccessDenied(
                    "This challenge takes entries only from accounts with a verified"
                    " e-mail address."
                )

    @retry_on_conflict
    def submit(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        title: str,
        summary: str,
        accepted_terms_sha256: str,
        files: Sequence[Upload] = (),
        team_ids: Sequence[UUID] = (),
        team_id: UUID | None = None,
    ) -> SubmissionRecorded:
        """``team_id``: enter for this team (issue 21, teams.py): its members who
        accepted the terms are the authors.  ``team_ids`` (older clients): invitations
        to the submitter's team, never authorship (``TeamCommands._submit_inviting``);
        recorded as given, unchecked, so that inviting one tells nothing about its
        account.  Entries recorded before issue 21 named co-authors instead
        (``Submission.CoauthorsNamed``), who still confirm or decline."""
        return self._submit_once(
            actor_id,
            challenge_id,
            title,
            summary,
            accepted_terms_sha256,
            files,
            team_ids,
            team_id,
        )

    def _submit_once(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        title: str,
        summary: str,
        accepted_terms_sha256: str,
        files: Sequence[Upload] = (),
        team_ids: Sequence[UUID] = (),
        team_id: UUID | None = None,
        draft: EntryDraft | None = None,
    ) -> SubmissionRecorded:
        """``submit``, once (the caller retries on a conflict).  ``draft``: the entry
        draft this submits, closed in the same transaction (``submit_draft``)."""
        # Read-only loads (no copy): only SolverEntries and the new Submission change.
        self._streams.read_ahead(self.reads_of_submit(actor_id, challenge_id))
        self._actor(actor_id)
        challenge = self._visible_challenge(actor_id, challenge_id, readonly=True)
        at = self._now()
        challenge.require_accepting_submissions(at)
        if accepted_terms_sha256 != challenge.terms_sha256:
            raise TermsMismatch(
                "The terms you accepted are not the published ones; read them again and accept.",
                field="accepted_terms_sha256",
            )
        organisation = self._load(
            challenge.organisation_id, Organisation, "organisation", readonly=True
        )
        self._require_may_enter(actor_id, challenge, organisation)
        content = self._content(title, summary, files)
        if team_id is not None:
            if team_ids:
                raise InvalidInput(
                    "Invite people to the team instead of naming them.", field="team_ids"
                )
            return self._submit_for_team(
                actor_id, challenge, team_id, content, accepted_terms_sha256, files, at, draft
            )
        if team_ids:
            return self._submit_inviting(
                actor_id, challenge, team_ids, content, accepted_terms_sha256, files, at
            )
        submission_id = uuid4()
        entries = self._entries(challenge_id, actor_id, at)
        entries.count_entry(submission_id, challenge.spec.max_submissions_per_solver, at)
        digest = content_sha256(content)
        submission = Submission(
            id=submission_id,
            actor_id=actor_id,
            challenge_id=challenge_id,
            team_ids=(),
            content=content,
            accepted_terms_sha256=accepted_terms_sha256,
            content_sha256=digest,
            receipt_id=uuid4(),
            timestamp=at,
            terms_accepted_at=(at,),
        )
        if draft is not None:
            draft.mark_submitted(actor_id, submission_id, at)
        self._store_files(files)
        position = self._commit(submission, entries, draft)
        # Not changed again here: the next command of this process reading them (a
        # vote on the entry, the solver's next entry) starts from these states.
        self._streams.keep(submission, entries)
        return SubmissionRecorded(submission_id, position, submission.receipt)

    @retry_on_conflict
    def confirm_coauthorship(self, actor_id: UUID, submission_id: UUID) -> Recorded:
        """A named co-author accepts: an author from now on, with an entry slot of theirs
        counted (the limit holds per person, whether they lead an entry or co-author it)."""
        self._actor(actor_id)
        submission = self._named_on(actor_id, submission_id)
        challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        at = self._now()
        challenge.require_accepting_submissions(at)
        organisation = self._load(
            challenge.organisation_id, Organisation, "organisation", readonly=True
        )
        self._require_may_enter(actor_id, challenge, organisation)
        submission.confirm_coauthorship(actor_id, at)
        # On the co-author's own entry count, in the same transaction: a race with their
        # other entries, or with an invitation to review, conflicts on that stream.
        entries = self._entries(challenge.id, actor_id, at)
        entries.count_entry(submission_id, challenge.spec.max_submissions_per_solver, at)
        return Recorded(submission_id, self._commit(submission, entries))

    @retry_on_conflict
    def decline_coauthorship(self, actor_id: UUID, submission_id: UUID) -> Recorded:
        """A named co-author refuses: no longer named on the entry."""
        self._actor(actor_id)
        submission = self._named_on(actor_id, submission_id)
        submission.decline_coauthorship(actor_id, self._now())
        return Recorded(submission_id, self._commit(submission))

    def _named_on(self, actor_id: UUID, submission_id: UUID) -> Submission:
        """The entry naming this actor as a co-author (confirmed or not); to anyone else
        it is not found."""
        submission = self._load(submission_id, Submission, "submission")
        if actor_id not in (*submission.named_coauthor_ids, *submission.team_ids):
            raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
        return submission

    def _entries(self, challenge_id: UUID, solver_id: UUID, at: datetime) -> SolverEntries:
        entries_id = ids.solver_entries_id(challenge_id, solver_id)
        return self._maybe_load(entries_id, SolverEntries) or SolverEntries(
            id=entries_id, challenge_id=challenge_id, solver_id=solver_id, timestamp=at
        )

    @retry_on_conflict
    def revise_submission(
        self,
        actor_id: UUID,
        submission_id: UUID,
        title: str,
        summary: str,
        files: Sequence[Upload] = (),
    ) -> SubmissionRecorded:
        self._actor(actor_id)
        submission = self._load(submission_id, Submission, "submission")
        if submission.team_id is not None:
            return self._revise_for_team(actor_id, submission, title, summary, files)
        if actor_id not in submission.author_ids:
            raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
        challenge = self._load(submission.challenge_id, Challenge, "challenge")
        challenge.require_accepting_submissions(self._now())
        content = self._content(title, summary, files)
        self._store_files(files)
        submission.revise(actor_id, content, uuid4(), self._now())
        return SubmissionRecorded(submission_id, self._commit(submission), submission.receipt)

    @retry_on_conflict
    def withdraw_submission(
        self, actor_id: UUID, submission_id: UUID, reason: str = ""
    ) -> Recorded:
        self._actor(actor_id)
        submission = self._load(submission_id, Submission, "submission")
        if submission.team_id is not None:
            return self._withdraw_for_team(actor_id, submission, reason)
        if actor_id != submission.solver_id:
            raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
        at = self._now()
        self._require_withdrawals_open(submission, at)
        submission.withdraw(actor_id, reason, at)
        # A withdrawn entry frees its slot for every author: the limit counts live entries.
        entries = [self._entries(submission.challenge_id, a, at) for a in submission.author_ids]
        for author_entries in entries:
            author_entries.release_entry(submission_id, at)
        return Recorded(submission_id, self._commit(submission, *entries))

    def _require_withdrawals_open(self, submission: Submission, at: datetime) -> None:
        challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        challenge.require_withdrawals_open(at)
