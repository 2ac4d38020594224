"""Comments (issue 24): who may comment where, reply, edit.

- on a challenge: anyone signed in, once it is published (not cancelled);
- on an entry: anyone signed in who may see the entry (``get_submission``'s rule:
  its authors, the sponsor, its reviewers, everyone in a public gallery);
- a reply answers a top-level comment on the same challenge or entry (one level);
- an edit: its author, within ``Comment.EDIT_WINDOW`` of posting; every version stays.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from openinno.commands.base import CommandBase
from openinno.commands.results import Recorded
from openinno.commands.retry import retry_on_conflict
from openinno.domain import Challenge, Comment
from openinno.domain.comment import check_comment
from openinno.domain.errors import NOT_FOUND, InvalidInput, InvalidState, NotFound


class Comments(CommandBase):
    def _parent(
        self, parent_id: UUID | None, challenge_id: UUID, submission_id: UUID | None
    ) -> None:
        if parent_id is None:
            return
        parent = self._maybe_load(parent_id, Comment, readonly=True)
        if (
            parent is None
            or parent.challenge_id != challenge_id
            or parent.submission_id != submission_id
        ):
            raise InvalidInput("Reply to a comment on the same page.", field="parent_id")
        if parent.parent_id is not None:
            raise InvalidInput(
                "Reply to the comment that started the thread: replies go one level deep.",
                field="parent_id",
            )

    def _post(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        submission_id: UUID | None,
        text: str,
        parent_id: UUID | None,
    ) -> Recorded:
        text = check_comment(text)
        self._parent(parent_id, challenge_id, submission_id)
        comment_id = uuid4()
        comment = Comment(
            id=comment_id,
            actor_id=actor_id,
            challenge_id=challenge_id,
            submission_id=submission_id,
            parent_id=parent_id,
            text=text,
            timestamp=self._now(),
        )
        return Recorded(comment_id, self._commit(comment))

    def comment_on_challenge(
        self, actor_id: UUID, challenge_id: UUID, text: str, parent_id: UUID | None = None
    ) -> Recorded:
        self._actor(actor_id)
        challenge = self._visible_challenge(actor_id, challenge_id, readonly=True)
        if challenge.status in ("draft", "cancelled"):
            raise InvalidState("Comments open once the challenge is published.")
        return self._post(actor_id, challenge_id, None, text, parent_id)

    def comment_on_submission(
        self, actor_id: UUID, submission_id: UUID, text: str, parent_id: UUID | None = None
    ) -> Recorded:
        self._actor(actor_id)
        submission = self.get_submission(actor_id, submission_id)
        return self._post(actor_id, submission.challenge_id, submission_id, text, parent_id)

    @retry_on_conflict
    def edit_comment(self, actor_id: UUID, comment_id: UUID, text: str) -> Recorded:
        self._actor(actor_id)
        comment = self._maybe_load(comment_id, Comment)
        if comment is None:
            raise NotFound(NOT_FOUND["comment"], id=str(comment_id))
        if comment.author_id != actor_id:
            # Whether someone else's comment exists is not for the editor to learn.
            raise NotFound(NOT_FOUND["comment"], id=str(comment_id))
        comment.edit(actor_id, text, self._now())
        return Recorded(comment_id, self._commit(comment))

    def comment_thread(self, actor_id: UUID, comment_id: UUID) -> tuple[UUID, UUID | None]:
        """Where a comment the actor may see stands: its challenge and, on an entry's
        thread, the entry (NotFound otherwise)."""
        challenge_id = self.comment_challenge(actor_id, comment_id)
        comment = self._maybe_load(comment_id, Comment, readonly=True)
        return challenge_id, comment.submission_id if comment is not None else None

    def comment_challenge(self, actor_id: UUID, comment_id: UUID) -> UUID:
        """The challenge of a comment the actor may see (NotFound otherwise)."""
        comment = self._maybe_load(comment_id, Comment, readonly=True)
        if comment is None:
            raise NotFound(NOT_FOUND["comment"], id=str(comment_id))
        if comment.submission_id is not None:
            self.get_submission(actor_id, comment.submission_id)
        else:
            self._visible_challenge(actor_id, comment.challenge_id, readonly=True)
        return comment.challenge_id

    @retry_on_conflict
    def hide_comment(self, actor_id: UUID, comment_id: UUID, reason: str) -> Recorded:
        comment = self._maybe_load(comment_id, Comment)
        if comment is None:
            raise NotFound(NOT_FOUND["comment"], id=str(comment_id))
        challenge = self._load(comment.challenge_id, Challenge, "challenge", readonly=True)
        if not self._actor(actor_id).is_admin:
            self._sponsor(actor_id, challenge, "owner", "manager")
        comment.hide(actor_id, reason, self._now())
        return Recorded(comment_id, self._commit(comment))
