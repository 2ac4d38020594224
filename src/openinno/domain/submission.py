"""Submissions, and the per-solver entry count that holds the submission limit."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput, InvalidState, SubmissionLimitReached
from openinno.domain.limits import check_text
from openinno.domain.values import FileRef, Receipt, SubmissionContent, canonical_json, sha256_hex


def content_sha256(content: SubmissionContent) -> str:
    """The hash a receipt proves: title, summary and every file's name, size, type and hash."""
    return sha256_hex(canonical_json(content))


def check_content(content: SubmissionContent, *, max_files: int) -> None:
    if not 3 <= len(content.title.strip()) <= 200:
        raise InvalidInput("Titles need 3 to 200 characters.", field="title")
    check_text(content.title, "submission_title", "title")
    if not content.summary.strip():
        raise InvalidInput("Write a summary of your solution.", field="summary")
    check_text(content.summary, "summary")
    if len(content.files) > max_files:
        raise InvalidInput(f"Attach at most {max_files} files.", field="files")
    names = [f.name for f in content.files]
    if len(set(names)) != len(names):
        raise InvalidInput("Two attached files have the same name.", field="files")


class Submission(Aggregate):
    class Submitted(Aggregate.Created):
        actor_id: UUID
        challenge_id: UUID
        team_ids: tuple[UUID, ...]
        content: SubmissionContent
        accepted_terms_sha256: str
        content_sha256: str
        receipt_id: UUID

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
    ) -> None:
        self.solver_id = actor_id
        self.challenge_id = challenge_id
        self.team_ids = team_ids
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
        return (self.solver_id, *self.team_ids)

    class Revised(Aggregate.Event):
        actor_id: UUID
        version: int
        content: SubmissionContent
        content_sha256: str
        receipt_id: UUID

    def revise(
        self, actor_id: UUID, content: SubmissionContent, receipt_id: UUID, at: datetime
    ) -> None:
        self.require_active()
        if actor_id not in self.author_ids:
            raise InvalidState("Only the submission's authors can revise it.")
        digest = content_sha256(content)
        if digest == self.content_sha256:
            raise InvalidInput("Nothing changed since the last version.", field="content")
        self._revised(actor_id, len(self.versions) + 1, content, digest, receipt_id, at)

    @event(Revised)
    def _revised(
        self,
        actor_id: UUID,
        version: int,
        content: SubmissionContent,
        content_sha256: str,
        receipt_id: UUID,
        timestamp: datetime,
    ) -> None:
        self.versions.append((content, content_sha256))
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

    def disqualify(self, actor_id: UUID, reason: str, at: datetime) -> None:
        self.require_active()
        if not reason.strip():
            raise InvalidInput("Say why the entry is disqualified.", field="reason")
        if self.award_place is not None:
            raise InvalidState("An awarded submission cannot be disqualified.")
        self._disqualified(actor_id, check_text(reason, "reason"), at)

    @event(Disqualified)
    def _disqualified(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.status = "disqualified"

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

    class Awarded(Aggregate.Event):
        actor_id: UUID
        place: int
        agreement_id: UUID

    def award(self, actor_id: UUID, place: int, agreement_id: UUID, at: datetime) -> None:
        self.require_active()
        self._awarded(actor_id, place, agreement_id, at)

    @event(Awarded)
    def _awarded(self, actor_id: UUID, place: int, agreement_id: UUID, timestamp: datetime) -> None:
        self.award_place = place
        self.status = "awarded"

    def require_active(self) -> None:
        if self.status in ("withdrawn", "disqualified"):
            raise InvalidState(f"This submission was {self.status}.")


class SolverEntries(Aggregate):
    """How many live submissions one solver has in one challenge (id derived from
    both).  Every submit appends here in the same transaction as the submission,
    so parallel submits by one solver serialise on this stream's version."""

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
        if len(self.live) >= limit:
            raise SubmissionLimitReached(
                f"You have reached this challenge's limit of {limit} "
                f"submission{'s' if limit != 1 else ''}; revise or withdraw one instead."
            )
        self._entry_counted(submission_id, at)

    @event(EntryCounted)
    def _entry_counted(self, submission_id: UUID, timestamp: datetime) -> None:
        self.live.append(submission_id)

    class EntryReleased(Aggregate.Event):
        submission_id: UUID

    def release_entry(self, submission_id: UUID, at: datetime) -> None:
        if submission_id in self.live:
            self._entry_released(submission_id, at)

    @event(EntryReleased)
    def _entry_released(self, submission_id: UUID, timestamp: datetime) -> None:
        self.live.remove(submission_id)


__all__ = [
    "FileRef",
    "SolverEntries",
    "Submission",
    "check_content",
    "content_sha256",
]
