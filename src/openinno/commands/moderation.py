"""Reports and moderation (issue 24): anyone signed in reports an entry, a question
or an announcement they can see, with a reason, once; the sponsor's owners and
managers (for their challenges) and admins (for every challenge) hide what is
reported, with a reason shown in its place, never deleting it.  The author of a
hidden entry or question is told and can appeal (``commands.appeals``)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import RecordConflictError

from openinno.commands.base import CommandBase
from openinno.commands.results import Recorded
from openinno.commands.retry import retry_on_conflict
from openinno.domain import Challenge, Organisation, Report, Submission, ids
from openinno.domain.errors import (
    NOT_FOUND,
    NOTHING_FOUND,
    AccessDenied,
    InvalidState,
    NotFound,
)

MODERATORS = ("owner", "manager")


class Moderation(CommandBase):
    def _reportable_challenge(
        self, actor_id: UUID, kind: str, target_id: UUID, challenge_id: UUID | None
    ) -> UUID:
        """The challenge of what is reported, if the actor can see it; NotFound if not."""
        if kind == "entry":
            return self.get_submission(actor_id, target_id).challenge_id
        if kind == "comment":
            return self.comment_challenge(actor_id, target_id)
        if challenge_id is None:
            raise NotFound(NOT_FOUND["challenge"], id="")
        challenge = self._visible_challenge(actor_id, challenge_id, readonly=True)
        known = challenge.questions if kind == "question" else challenge.announcements
        if target_id not in known:
            raise NotFound(NOTHING_FOUND, id=str(target_id))
        return challenge_id

    def report(
        self,
        actor_id: UUID,
        kind: str,
        target_id: UUID,
        reason: str,
        challenge_id: UUID | None = None,
    ) -> Recorded:
        """Report an entry, question or announcement (``challenge_id``: a question's or
        an announcement's challenge).  A second report of the same thing by the same
        person is refused."""
        self._actor(actor_id)
        reason = Report.check(kind, reason)
        challenge_id = self._reportable_challenge(actor_id, kind, target_id, challenge_id)
        report_id = ids.report_id(target_id, actor_id)
        if self._maybe_load(report_id, Report, readonly=True) is not None:
            raise InvalidState("You have reported this already.")
        report = Report(
            id=report_id,
            actor_id=actor_id,
            target_kind=kind,
            target_id=target_id,
            challenge_id=challenge_id,
            reason=reason,
            timestamp=self._now(),
        )
        try:
            return Recorded(report_id, self._commit(report))
        except RecordConflictError:
            raise InvalidState("You have reported this already.") from None

    def _moderator(self, actor_id: UUID, challenge: Challenge) -> None:
        if not self._actor(actor_id).is_admin:
            self._sponsor(actor_id, challenge, "owner", "manager")

    def moderation_scope(self, actor_id: UUID, candidates: Sequence[str]) -> list[str] | None:
        """Whose challenges this actor moderates: None for an admin (every one), else
        those of ``candidates`` (organisation ids, from the read model) where the write
        side has them owner or manager; AccessDenied where none."""
        if self._actor(actor_id).is_admin:
            return None
        kept = []
        for candidate in candidates:
            organisation = self._maybe_load(UUID(candidate), Organisation, readonly=True)
            if organisation is not None and organisation.role_of(actor_id) in MODERATORS:
                kept.append(candidate)
        if not kept:
            raise AccessDenied(
                "Only admins and the sponsors' owners and managers see the moderation queue."
            )
        return kept

    def may_moderate(self, actor_id: UUID, challenge_id: UUID) -> bool:
        challenge = self._load(challenge_id, Challenge, "challenge", readonly=True)
        try:
            self._moderator(actor_id, challenge)
        except Exception:
            return False
        return True

    @retry_on_conflict
    def hide_entry(self, actor_id: UUID, submission_id: UUID, reason: str) -> Recorded:
        submission = self._load(submission_id, Submission, "submission")
        challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        self._moderator(actor_id, challenge)
        submission.hide(actor_id, reason, self._now())
        return Recorded(submission_id, self._commit(submission))

    @retry_on_conflict
    def hide_announcement(
        self, actor_id: UUID, challenge_id: UUID, announcement_id: UUID, reason: str
    ) -> Recorded:
        challenge = self._visible_challenge(actor_id, challenge_id)
        self._moderator(actor_id, challenge)
        challenge.hide_announcement(actor_id, announcement_id, reason, self._now())
        return Recorded(announcement_id, self._commit(challenge))

    def hide(
        self, actor_id: UUID, kind: str, target_id: UUID, challenge_id: UUID, reason: str
    ) -> Recorded:
        """Hide what the moderation queue lists, by its kind."""
        if kind == "entry":
            return self.hide_entry(actor_id, target_id, reason)
        if kind == "announcement":
            return self.hide_announcement(actor_id, challenge_id, target_id, reason)
        if kind == "comment":
            return self.hide_comment(actor_id, target_id, reason)
        return self.hide_question(actor_id, challenge_id, target_id, reason)
