"""Comments on entries and challenges (issue 24; GE ecomagination's and LEGO Ideas'
communities): threaded one level (a reply answers a top-level comment), markdown
(rendered sanitised, as questions' answers are), editable by its author for a while
with every version kept (each edit is an event), hidden by a moderator with a reason,
never deleted.  Blind review: on an entry, a comment by one of its authors is shown
by pseudonym to whoever may not know the entry's authors (``web/comments_view.py``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput, InvalidState
from openinno.domain.limits import check_text

# How long its author may edit a comment after posting it.
EDIT_WINDOW = timedelta(minutes=15)


def check_comment(text: str) -> str:
    if not text.strip():
        raise InvalidInput("Write something first.", field="text")
    return check_text(text, "comment", "text")


class Comment(Aggregate):
    class Posted(Aggregate.Created):
        actor_id: UUID
        challenge_id: UUID
        # The entry commented on (None: the challenge itself).
        submission_id: UUID | None
        # The top-level comment this replies to (None: top level).
        parent_id: UUID | None
        text: str

    @event(Posted)
    def __init__(
        self,
        id: UUID,
        actor_id: UUID,
        challenge_id: UUID,
        submission_id: UUID | None,
        parent_id: UUID | None,
        text: str,
        timestamp: datetime,
    ) -> None:
        self.author_id = actor_id
        self.challenge_id = challenge_id
        self.submission_id = submission_id
        self.parent_id = parent_id
        self.text = text
        self.posted_at = timestamp
        self.versions = 1
        self.hidden_reason: str | None = None

    class Edited(Aggregate.Event):
        """A new version of the text; the earlier ones stay in the stream."""

        actor_id: UUID
        text: str

    def edit(self, actor_id: UUID, text: str, at: datetime) -> None:
        if actor_id != self.author_id:
            raise InvalidState("Only its author can edit a comment.")
        if self.hidden_reason is not None:
            raise InvalidState("A moderator hid this comment.")
        if at >= self.posted_at + EDIT_WINDOW:
            raise InvalidState(
                "A comment can be edited for %(minutes)s minutes after it is posted.",
                minutes=int(EDIT_WINDOW.total_seconds() // 60),
            )
        text = check_comment(text)
        if text == self.text:
            raise InvalidInput("Nothing changed.", field="text")
        self._edited(actor_id, text, at)

    @event(Edited)
    def _edited(self, actor_id: UUID, text: str, timestamp: datetime) -> None:
        self.text = text
        self.versions += 1

    class Hidden(Aggregate.Event):
        """Moderation: the comment stays in history, shown as hidden with the reason."""

        actor_id: UUID
        reason: str

    def hide(self, actor_id: UUID, reason: str, at: datetime) -> None:
        if self.hidden_reason is not None:
            raise InvalidState("This comment is already hidden.")
        if not reason.strip():
            raise InvalidInput("Say why.", field="reason")
        self._hidden(actor_id, check_text(reason, "reason"), at)

    @event(Hidden)
    def _hidden(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.hidden_reason = reason
