"""Entry drafts (issue 21): an entry saved before it is submitted, text and files.

A draft is its own stream (random id), never a ``Submission``: it is no entry of the
challenge, counts against nobody's limit, and no read model the sponsor, reviewers
or the public read ever sees it.  It is private to its author, or, saved for a team,
to the team's members.  Submitting it records an ordinary entry (checked, counted
and receipted like any other) and ``EntryDraft.Submitted`` in the same transaction;
from then on the draft is closed."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput, InvalidState
from openinno.domain.limits import check_text
from openinno.domain.values import SubmissionContent


def check_draft_content(content: SubmissionContent, *, max_files: int) -> SubmissionContent:
    """Looser than an entry's rules (``check_content`` applies on submitting): a title
    to name it by; the summary may be empty; the same bounds on files."""
    if len(content.files) > max_files:
        raise InvalidInput("Attach at most %(max)s files.", field="files", max=max_files)
    names = [f.name for f in content.files]
    if len(set(names)) != len(names):
        raise InvalidInput("Two attached files have the same name.", field="files")
    return SubmissionContent(
        title=check_text(content.title, "draft_title", "title"),
        summary=check_text(content.summary, "draft_summary", "summary"),
        files=content.files,
    )


class EntryDraft(Aggregate):
    """``author_id``: who saved it; ``team_id``: the team it is for (its members may
    read, edit and submit it), or None; ``status``: draft, submitted or discarded."""

    class Saved(Aggregate.Created):
        actor_id: UUID
        challenge_id: UUID
        content: SubmissionContent
        team_id: UUID | None = None

    @event(Saved)
    def __init__(
        self,
        id: UUID,
        actor_id: UUID,
        challenge_id: UUID,
        content: SubmissionContent,
        timestamp: datetime,
        team_id: UUID | None = None,
    ) -> None:
        self.author_id = actor_id
        self.challenge_id = challenge_id
        self.team_id = team_id
        self.content = content
        self.status = "draft"
        self.submission_id: UUID | None = None

    def require_open(self) -> None:
        if self.status != "draft":
            raise InvalidState(
                "This draft was submitted; it cannot change any more."
                if self.status == "submitted"
                else "This draft was discarded; it cannot change any more."
            )

    class Edited(Aggregate.Event):
        actor_id: UUID
        content: SubmissionContent

    def edit(self, actor_id: UUID, content: SubmissionContent, at: datetime) -> None:
        self.require_open()
        if content == self.content:
            raise InvalidInput("Nothing changed since the draft was saved.", field="content")
        self._edited(actor_id, content, at)

    @event(Edited)
    def _edited(self, actor_id: UUID, content: SubmissionContent, timestamp: datetime) -> None:
        self.content = content

    class Submitted(Aggregate.Event):
        """The draft became the entry ``submission_id`` (recorded in the same
        transaction)."""

        actor_id: UUID
        submission_id: UUID

    def mark_submitted(self, actor_id: UUID, submission_id: UUID, at: datetime) -> None:
        self.require_open()
        self._submitted(actor_id, submission_id, at)

    @event(Submitted)
    def _submitted(self, actor_id: UUID, submission_id: UUID, timestamp: datetime) -> None:
        self.status = "submitted"
        self.submission_id = submission_id

    class Discarded(Aggregate.Event):
        actor_id: UUID

    def discard(self, actor_id: UUID, at: datetime) -> None:
        self.require_open()
        self._discarded(actor_id, at)

    @event(Discarded)
    def _discarded(self, actor_id: UUID, timestamp: datetime) -> None:
        self.status = "discarded"


__all__ = ["EntryDraft", "check_draft_content"]
