"""Submissions, and the per-solver entry count that holds the submission limit."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import (
    AccessDenied,
    ConflictOfInterest,
    InvalidInput,
    InvalidState,
    SubmissionLimitReached,
    WindowClosed,
)
from openinno.domain.limits import check_text
from openinno.domain.values import FileRef, Receipt, SubmissionContent, canonical_json, sha256_hex


def content_sha256(content: SubmissionContent) -> str:
    """The hash a receipt proves: title, summary and every file's name, size, type and hash."""
    return sha256_hex(canonical_json(content))


# Named co-authors are the submitter's claim until each confirms: a bound keeps one entry
# from naming a whole platform (and the pages listing them short).
MAX_NAMED_COAUTHORS = 20


def check_content(content: SubmissionContent, *, max_files: int) -> None:
    if not 3 <= len(content.title.strip()) <= 200:
        raise InvalidInput("Titles need 3 to 200 characters.", field="title")
    check_text(content.title, "submission_title", "title")
    if not content.summary.strip():
        raise InvalidInput("Write a summary of your solution.", field="summary")
    check_text(content.summary, "summary")
    if len(content.files) > max_files:
        raise InvalidInput("Attach at most %(max)s files.", field="files", max=max_files)
    names = [f.name for f in content.files]
    if len(set(names)) != len(names):
        raise InvalidInput("Two attached files have the same name.", field="files")


class Submission(Aggregate):
    """An entry.  Its authors are the lead solver and the co-authors who confirmed:
    ``team_ids``.  Co-authors the lead names are only named (``named_coauthor_ids``)
    until each confirms; a named co-author uses no entry slot of theirs, may not revise,
    and is no party to the award's agreement (issue 19: naming a rival locked them out).

    ``Submitted.team_ids`` of entries recorded before naming existed are co-authors
    counted at submission (their slots were taken then); entries since record none
    there and name co-authors with ``CoauthorsNamed``."""

    # Streams replayed from before naming existed have no such attribute set.
    named_coauthor_ids: tuple[UUID, ...] = ()

    class Submitted(Aggregate.Created):
        """``team_id`` (issue 21): the team the entry is for; its ``team_ids`` are then
        the team's other members who had accepted the terms, each counted."""

        actor_id: UUID
        challenge_id: UUID
        team_ids: tuple[UUID, ...]
        content: SubmissionContent
        accepted_terms_sha256: str
        content_sha256: str
        receipt_id: UUID
        team_id: UUID | None = None
        # When each author accepted the challenge's terms, in the order of the authors
        # (the submitter, then ``team_ids``): the submitter now, by submitting; a team's
        # members when they accepted the team (issue 21; absent on earlier events).
        terms_accepted_at: tuple[datetime, ...] | None = None

    @event(Submitted)
    def __init__(
        self,
        id: UUID,
        actor_id: UUID,
        challenge_id: UUID,
        team_ids: tuple[UUID, ...],
        content: SubmissionContent,
        accepted_terms_sha256: str,
        content_sha256: str,
        receipt_id: UUID,
        timestamp: datetime,
        team_id: UUID | None = None,
        terms_accepted_at: tuple[datetime, ...] | None = None,
    ) -> None:
        self.solver_id = actor_id
        self.challenge_id = challenge_id
        self.team_ids = team_ids
        self.team_id = team_id
        # Who authored each version: recorded for a team's entries (the team's members
        # at that moment); None for an entry of no team, whose authors are the entry's.
        self.version_authors: list[tuple[UUID, ...] | None] = [
            (actor_id, *team_ids) if team_id is not None else None
        ]
        # When each author of each version accepted the terms (None: not recorded).
        self.version_acceptances: list[tuple[datetime, ...] | None] = [terms_accepted_at]
        self.accepted_terms_sha256 = accepted_terms_sha256
        self.versions: list[tuple[SubmissionContent, str]] = [(content, content_sha256)]
        self.receipts: list[Receipt] = [Receipt(receipt_id, self.id, 1, content_sha256, timestamp)]
        self.status = "submitted"
        self.shortlisted = False
        self.support_threshold_reached = False
        self.award_place: int | None = None

    @property
    def content(self) -> SubmissionContent:
        return self.versions[-1][0]

    @property
    def content_sha256(self) -> str:
        return self.versions[-1][1]

    @property
    def receipt(self) -> Receipt:
        return self.receipts[-1]

    @property
    def author_ids(self) -> tuple[UUID, ...]:
        """Everyone who authored some version (a team member who left stays an author
        of what they co-submitted)."""
        return tuple(
            dict.fromkeys(
                (
                    self.solver_id,
                    *self.team_ids,
                    *(a for authors in self.version_authors if authors for a in authors),
                )
            )
        )

    def authors_of(self, version: int) -> tuple[UUID, ...]:
        """Who authored this version (1-based): for a team entry, who was on the team
        when it was recorded; otherwise the entry's authors."""
        return self.version_authors[version - 1] or (self.solver_id, *self.team_ids)

    def acceptances_of(self, version: int) -> tuple[tuple[UUID, datetime | None], ...]:
        """Each author of this version (1-based) with when they accepted the terms, as
        recorded with the version (an entry of no team: with its first version).  Not
        recorded (events from before issue 21): the version's submitter accepted by
        submitting it; for the others it is unknown (None)."""
        authors = self.authors_of(version)
        recorded = self.version_acceptances
        own = version if self.team_id is not None else 1
        times = recorded[own - 1] if own <= len(recorded) else None
        if times is not None and len(times) == len(authors):
            return tuple(zip(authors, times, strict=True))
        submitted = self.receipts[own - 1].recorded_at
        return tuple((a, submitted if i == 0 else None) for i, a in enumerate(authors))

    @property
    def latest_author_ids(self) -> tuple[UUID, ...]:
        """The authors of the current version: the assignors of an award's rights."""
        return self.authors_of(len(self.versions))

    class CoauthorsNamed(Aggregate.Event):
        """The lead names co-authors; each is an author only once they confirm."""

        actor_id: UUID
        coauthor_ids: tuple[UUID, ...]

    def name_coauthors(self, actor_id: UUID, coauthor_ids: tuple[UUID, ...], at: datetime) -> None:
        if actor_id != self.solver_id:
            raise InvalidState("Only the lead solver names co-authors.")
        named = tuple(dict.fromkeys(c for c in coauthor_ids if c not in self.author_ids))
        if len(named) > MAX_NAMED_COAUTHORS:
            raise InvalidInput(
                "Name at most %(max)s co-authors.", field="team_ids", max=MAX_NAMED_COAUTHORS
            )
        if named:
            self._coauthors_named(actor_id, named, at)

    @event(CoauthorsNamed)
    def _coauthors_named(
        self, actor_id: UUID, coauthor_ids: tuple[UUID, ...], timestamp: datetime
    ) -> None:
        self.named_coauthor_ids = coauthor_ids

    def require_named(self, actor_id: UUID) -> None:
        """The co-author's own consent is asked only of someone the lead named."""
        self.require_active()
        if actor_id in self.team_ids:
            raise InvalidState("You are already an author of this entry.")
        if actor_id not in self.named_coauthor_ids:
            raise InvalidState("This entry does not name you as a co-author.")

    class CoauthorshipConfirmed(Aggregate.Event):
        """A named co-author accepts: from now on an author (with an entry slot of theirs
        counted in the same transaction, and a party to any award's agreement)."""

        actor_id: UUID

    def confirm_coauthorship(self, actor_id: UUID, at: datetime) -> None:
        self.require_named(actor_id)
        if self.award_place is not None:
            raise InvalidState("An awarded entry's authors are final.")
        self._coauthorship_confirmed(actor_id, at)

    @event(CoauthorshipConfirmed)
    def _coauthorship_confirmed(self, actor_id: UUID, timestamp: datetime) -> None:
        self.named_coauthor_ids = tuple(c for c in self.named_coauthor_ids if c != actor_id)
        self.team_ids = (*self.team_ids, actor_id)

    class CoauthorshipDeclined(Aggregate.Event):
        """A named co-author refuses: no longer named."""

        actor_id: UUID

    def decline_coauthorship(self, actor_id: UUID, at: datetime) -> None:
        if actor_id in self.team_ids:
            raise InvalidState("You are already an author of this entry.")
        if actor_id not in self.named_coauthor_ids:
            raise InvalidState("This entry does not name you as a co-author.")
        self._coauthorship_declined(actor_id, at)

    @event(CoauthorshipDeclined)
    def _coauthorship_declined(self, actor_id: UUID, timestamp: datetime) -> None:
        self.named_coauthor_ids = tuple(c for c in self.named_coauthor_ids if c != actor_id)

    class Revised(Aggregate.Event):
        """``author_ids`` (issue 21): a team entry's authors of this version, the team's
        members who accepted the terms when it was recorded; None for other entries."""

        actor_id: UUID
        version: int
        content: SubmissionContent
        content_sha256: str
        receipt_id: UUID
        author_ids: tuple[UUID, ...] | None = None
        # When each of ``author_ids`` accepted the terms (issue 21; see Submitted).
        terms_accepted_at: tuple[datetime, ...] | None = None

    def revise(
        self,
        actor_id: UUID,
        content: SubmissionContent,
        receipt_id: UUID,
        at: datetime,
        author_ids: tuple[UUID, ...] | None = None,
        terms_accepted_at: tuple[datetime, ...] | None = None,
    ) -> None:
        """``author_ids``: for a team entry, the team's authors now (required), and
        ``terms_accepted_at`` when each accepted the terms."""
        self.require_active()
        if self.team_id is not None:
            if author_ids is None or actor_id not in author_ids:
                raise InvalidState("Only the team's members can revise its entry.")
        elif actor_id not in self.author_ids:
            raise InvalidState("Only the submission's authors can revise it.")
        else:
            author_ids = terms_accepted_at = None
        digest = content_sha256(content)
        if digest == self.content_sha256:
            raise InvalidInput("Nothing changed since the last version.", field="content")
        self._revised(
            actor_id,
            len(self.versions) + 1,
            content,
            digest,
            receipt_id,
            author_ids,
            at,
            terms_accepted_at,
        )

    @event(Revised)
    def _revised(
        self,
        actor_id: UUID,
        version: int,
        content: SubmissionContent,
        content_sha256: str,
        receipt_id: UUID,
        author_ids: tuple[UUID, ...] | None,
        timestamp: datetime,
        terms_accepted_at: tuple[datetime, ...] | None = None,
    ) -> None:
        self.versions.append((content, content_sha256))
        self.version_authors.append(author_ids)
        self.version_acceptances.append(terms_accepted_at)
        self.receipts.append(Receipt(receipt_id, self.id, version, content_sha256, timestamp))

    class Withdrawn(Aggregate.Event):
        actor_id: UUID
        reason: str

    def withdraw(self, actor_id: UUID, reason: str, at: datetime) -> None:
        self.require_active()
        if self.award_place is not None:
            raise InvalidState("An awarded submission cannot be withdrawn.")
        self._withdrawn(actor_id, check_text(reason, "optional_reason", "reason"), at)

    @event(Withdrawn)
    def _withdrawn(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.status = "withdrawn"

    class Disqualified(Aggregate.Event):
        actor_id: UUID
        reason: str

    def disqualify(
        self, actor_id: UUID, reason: str, at: datetime, *, after_award: bool = False
    ) -> None:
        """``after_award``: an admin disqualifies an awarded entry (issue 24); it keeps
        its place until the challenge is re-awarded (``revoke_award``)."""
        self.require_active()
        if not reason.strip():
            raise InvalidInput("Say why the entry is disqualified.", field="reason")
        if self.award_place is not None and not after_award:
            raise InvalidState("An awarded submission cannot be disqualified.")
        self._disqualified(actor_id, check_text(reason, "reason"), at)

    @event(Disqualified)
    def _disqualified(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.status = "disqualified"
        # Appeals (issue 24): this disqualification may be appealed, once, from now.
        self.disqualified_at = timestamp
        self.appealed = tuple(g for g in self.appealed if g != "disqualification")

    # --- appeals (issue 24; class defaults: streams from before appeals) ------------------
    disqualified_at: datetime | None = None
    # The grounds appealed already: one appeal per disqualification, one of the scores.
    appealed: tuple[str, ...] = ()

    class AppealLodged(Aggregate.Event):
        """An author appeals a decision about the entry (``Appeal`` holds the thread,
        recorded in the same transaction): the entry's history names it."""

        actor_id: UUID
        appeal_id: UUID
        ground: str

    def lodge_appeal(
        self,
        actor_id: UUID,
        appeal_id: UUID,
        ground: str,
        at: datetime,
        *,
        window: timedelta,
        scores_final_at: datetime | None = None,
    ) -> None:
        """``window``: how long the terms allow; ``scores_final_at``: when review ended,
        where the terms allow score appeals (None: they do not, or it has not ended)."""
        if actor_id not in self.author_ids:
            raise AccessDenied("Only the entry's authors can appeal a decision about it.")
        if ground in self.appealed:
            raise InvalidState("This decision has already been appealed.")
        if ground == "disqualification":
            if self.status != "disqualified" or self.disqualified_at is None:
                raise InvalidState("This entry is not disqualified.")
            since = self.disqualified_at
        elif ground == "moderation":
            if self.hidden_at is None:
                raise InvalidState("This entry is not hidden.")
            since = self.hidden_at
        elif ground == "scores":
            self.require_active()
            if self.award_place is not None:
                raise InvalidState("The entry is awarded; its scores are final.")
            if scores_final_at is None:
                raise InvalidState("This challenge's terms allow no appeal of the scores yet.")
            since = scores_final_at
        else:
            raise InvalidInput(
                "An entry's appeal is of its disqualification, its scores or its hiding."
            )
        if at >= since + window:
            raise WindowClosed(
                "The terms allow %(days)s days to appeal; that time has passed.",
                days=window.days,
            )
        self._appeal_lodged(actor_id, appeal_id, ground, at)

    @event(AppealLodged)
    def _appeal_lodged(
        self, actor_id: UUID, appeal_id: UUID, ground: str, timestamp: datetime
    ) -> None:
        self.appealed = (*self.appealed, ground)
        self.appeals_lodged = (*self.appeals_lodged, (ground, appeal_id))

    # Every appeal lodged, oldest first: (ground, appeal id).
    appeals_lodged: tuple[tuple[str, UUID], ...] = ()

    def last_appeal(self, ground: str) -> UUID | None:
        found = [a for g, a in self.appeals_lodged if g == ground]
        return found[-1] if found else None

    class Reinstated(Aggregate.Event):
        """An appeal of the disqualification was upheld: the entry competes again.
        ``award_place``: the place it still holds (an awarded entry disqualified by an
        admin and not re-awarded since), awarded again; None before (issue 24)."""

        actor_id: UUID
        appeal_id: UUID
        reason: str
        award_place: int | None = None

    def reinstate(self, actor_id: UUID, appeal_id: UUID, reason: str, at: datetime) -> None:
        if self.status != "disqualified":
            raise InvalidState("This entry is not disqualified.")
        self._reinstated(actor_id, appeal_id, check_text(reason, "reason"), at, self.award_place)

    # --- moderation (issue 24): hidden with a reason, never deleted ----------------------
    hidden_at: datetime | None = None

    class Hidden(Aggregate.Event):
        """A moderator hid the entry from public view: its reason shows in its place."""

        actor_id: UUID
        reason: str

    def hide(self, actor_id: UUID, reason: str, at: datetime) -> None:
        if self.hidden_at is not None:
            raise InvalidState("This entry is already hidden.")
        if not reason.strip():
            raise InvalidInput("Say why.", field="reason")
        self._hidden(actor_id, check_text(reason, "reason"), at)

    @event(Hidden)
    def _hidden(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.hidden_at = timestamp
        self.appealed = tuple(g for g in self.appealed if g != "moderation")

    class Shown(Aggregate.Event):
        """An appeal of the hiding was upheld: the entry shows again."""

        actor_id: UUID
        appeal_id: UUID
        reason: str

    def show(self, actor_id: UUID, appeal_id: UUID, reason: str, at: datetime) -> None:
        if self.hidden_at is None:
            raise InvalidState("This entry is not hidden.")
        self._shown(actor_id, appeal_id, check_text(reason, "reason"), at)

    @event(Shown)
    def _shown(self, actor_id: UUID, appeal_id: UUID, reason: str, timestamp: datetime) -> None:
        self.hidden_at = None

    @event(Reinstated)
    def _reinstated(
        self,
        actor_id: UUID,
        appeal_id: UUID,
        reason: str,
        timestamp: datetime,
        award_place: int | None = None,
    ) -> None:
        # Only an admin disqualifies an awarded entry; one whose place was re-awarded
        # since is only submitted again.
        self.status = "awarded" if award_place is not None else "submitted"
        self.disqualified_at = None

    class AwardRevoked(Aggregate.Event):
        """The challenge was re-awarded (issue 24): this entry no longer holds
        ``place``; its agreement (``agreement_id``) is rescinded in the same
        transaction, with ``reason``."""

        actor_id: UUID
        place: int
        agreement_id: UUID
        reason: str
        # The entry's status after (``disqualified`` stays; ``awarded`` becomes
        # ``submitted``), so read models need not know it before.
        status: str

    def revoke_award(self, actor_id: UUID, agreement_id: UUID, reason: str, at: datetime) -> None:
        if self.award_place is None:
            raise InvalidState("This entry holds no place.")
        status = "submitted" if self.status == "awarded" else self.status
        self._award_revoked(actor_id, self.award_place, agreement_id, reason, status, at)

    @event(AwardRevoked)
    def _award_revoked(
        self,
        actor_id: UUID,
        place: int,
        agreement_id: UUID,
        reason: str,
        status: str,
        timestamp: datetime,
    ) -> None:
        self.award_place = None
        self.status = status

    class Shortlisted(Aggregate.Event):
        actor_id: UUID

    def shortlist(self, actor_id: UUID, at: datetime) -> None:
        self.require_active()
        self._shortlisted(actor_id, at)

    @event(Shortlisted)
    def _shortlisted(self, actor_id: UUID, timestamp: datetime) -> None:
        self.shortlisted = True

    class SupportThresholdReached(Aggregate.Event):
        """Public support reached the challenge's threshold: flagged for review, once."""

        actor_id: UUID
        support_count: int
        threshold: int

    def reach_support_threshold(
        self, actor_id: UUID, support_count: int, threshold: int, at: datetime
    ) -> None:
        if self.support_threshold_reached:
            return
        self._support_threshold_reached(actor_id, support_count, threshold, at)

    @event(SupportThresholdReached)
    def _support_threshold_reached(
        self, actor_id: UUID, support_count: int, threshold: int, timestamp: datetime
    ) -> None:
        self.support_threshold_reached = True

    class SupportThresholdWithdrawn(Aggregate.Event):
        """The support threshold had been reached only by votes since voided (issue
        24): the entry no longer stands past it.  Everyone sees it announced on the
        challenge, with ``voided`` (the votes voided so far) and ``support_count``."""

        actor_id: UUID
        challenge_id: UUID
        support_count: int
        threshold: int
        voided: int

    def withdraw_support_threshold(
        self, actor_id: UUID, support_count: int, threshold: int, voided: int, at: datetime
    ) -> None:
        if not self.support_threshold_reached:
            return
        self._support_threshold_withdrawn(
            actor_id, self.challenge_id, support_count, threshold, voided, at
        )

    @event(SupportThresholdWithdrawn)
    def _support_threshold_withdrawn(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        support_count: int,
        threshold: int,
        voided: int,
        timestamp: datetime,
    ) -> None:
        self.support_threshold_reached = False

    class Awarded(Aggregate.Event):
        """``content_sha256`` / ``version``: the version awarded; ``override_reason``:
        why it was awarded though no reviewer scored it (issue 20; None before)."""

        actor_id: UUID
        place: int
        agreement_id: UUID
        content_sha256: str | None = None
        version: int | None = None
        override_reason: str | None = None

    def award(
        self,
        actor_id: UUID,
        place: int,
        agreement_id: UUID,
        at: datetime,
        override_reason: str | None = None,
    ) -> None:
        self.require_active()
        self._awarded(
            actor_id,
            place,
            agreement_id,
            self.content_sha256,
            len(self.versions),
            override_reason,
            at,
        )

    @event(Awarded)
    def _awarded(
        self,
        actor_id: UUID,
        place: int,
        agreement_id: UUID,
        content_sha256: str | None,
        version: int | None,
        override_reason: str | None,
        timestamp: datetime,
    ) -> None:
        self.award_place = place
        self.status = "awarded"

    def require_active(self) -> None:
        if self.status in ("withdrawn", "disqualified"):
            raise InvalidState(
                "This submission was withdrawn."
                if self.status == "withdrawn"
                else "This submission was disqualified."
            )


class SolverEntries(Aggregate):
    """How many live submissions one solver has in one challenge (id derived from
    both).  Every submit appends here in the same transaction as the submission,
    so parallel submits by one solver serialise on this stream's version.

    An invitation to review the challenge appends here too (``ReviewInvitationNoted``):
    a person who judges a challenge cannot enter it, and one who entered it cannot judge
    it; an invitation racing an entry by the same person conflicts on this stream, and
    whichever runs again sees the other."""

    # Class defaults: streams replayed from before these were kept have no such attribute.
    invited_to_review = False
    # Whether this person has ever been counted as an author of an entry in the challenge
    # (withdrawn entries included: they competed).
    entered = False
    # The team this person is on in the challenge (issue 21): at most one.
    team_id: UUID | None = None

    class Started(Aggregate.Created):
        challenge_id: UUID
        solver_id: UUID

    @event(Started)
    def __init__(self, id: UUID, challenge_id: UUID, solver_id: UUID, timestamp: datetime) -> None:
        self.challenge_id = challenge_id
        self.solver_id = solver_id
        self.live: list[UUID] = []

    class EntryCounted(Aggregate.Event):
        submission_id: UUID

    def count_entry(self, submission_id: UUID, limit: int, at: datetime) -> None:
        if self.invited_to_review:
            # The same rule as Challenge.require_not_judging, held on this stream too so
            # that an invitation and an entry racing each other cannot both be recorded.
            raise ConflictOfInterest(
                "You are invited to review this challenge, so you cannot enter it."
            )
        if len(self.live) >= limit:
            raise SubmissionLimitReached(
                "You have reached this challenge's limit of %(limit)s per person; revise or "
                "withdraw an entry instead.",
                limit=limit,
            )
        self._entry_counted(submission_id, at)

    @event(EntryCounted)
    def _entry_counted(self, submission_id: UUID, timestamp: datetime) -> None:
        self.live.append(submission_id)
        self.entered = True

    class EntryReleased(Aggregate.Event):
        submission_id: UUID

    def release_entry(self, submission_id: UUID, at: datetime) -> None:
        if submission_id in self.live:
            self._entry_released(submission_id, at)

    @event(EntryReleased)
    def _entry_released(self, submission_id: UUID, timestamp: datetime) -> None:
        self.live.remove(submission_id)

    class ReviewInvitationNoted(Aggregate.Event):
        """The person is invited to review the challenge: they may enter it no more."""

        actor_id: UUID

    def note_review_invitation(self, actor_id: UUID, at: datetime) -> None:
        if self.entered or self.team_id is not None:
            raise ConflictOfInterest(
                "This person has entered this challenge (alone or on a team), "
                "so they cannot review it."
            )
        if not self.invited_to_review:
            self._review_invitation_noted(actor_id, at)

    @event(ReviewInvitationNoted)
    def _review_invitation_noted(self, actor_id: UUID, timestamp: datetime) -> None:
        self.invited_to_review = True

    class TeamJoined(Aggregate.Event):
        """The person is on a team in this challenge (formed it, or accepted an
        invitation to it): on no other until they leave it."""

        team_id: UUID

    def join_team(self, team_id: UUID, at: datetime) -> None:
        if self.invited_to_review:
            raise ConflictOfInterest(
                "You are invited to review this challenge, so you cannot enter it."
            )
        if self.team_id == team_id:
            return
        if self.team_id is not None:
            raise InvalidState(
                "You are already on a team in this challenge; leave it before joining another."
            )
        self._team_joined(team_id, at)

    @event(TeamJoined)
    def _team_joined(self, team_id: UUID, timestamp: datetime) -> None:
        self.team_id = team_id

    class TeamLeft(Aggregate.Event):
        """The person is no longer on the team (left, or was removed)."""

        team_id: UUID

    def leave_team(self, team_id: UUID, at: datetime) -> None:
        if self.team_id == team_id:
            self._team_left(team_id, at)

    @event(TeamLeft)
    def _team_left(self, team_id: UUID, timestamp: datetime) -> None:
        self.team_id = None


__all__ = [
    "FileRef",
    "SolverEntries",
    "Submission",
    "check_content",
    "content_sha256",
]
