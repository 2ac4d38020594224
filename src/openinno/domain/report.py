"""Reports (issue 24): anyone signed in reports an entry, a question or an
announcement, with a reason; one report per person per thing (the stream id is
derived from both, so a second is a conflict, never a duplicate).  Moderators see
what is reported most first (``projections.moderation``) and hide it with a reason
shown in its place: never a deletion."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput
from openinno.domain.limits import check_text

TARGET_KINDS: tuple[str, ...] = ("entry", "question", "announcement", "comment")


class Report(Aggregate):
    class Filed(Aggregate.Created):
        actor_id: UUID
        target_kind: str
        target_id: UUID
        challenge_id: UUID
        reason: str

    @event(Filed)
    def __init__(
        self,
        id: UUID,
        actor_id: UUID,
        target_kind: str,
        target_id: UUID,
        challenge_id: UUID,
        reason: str,
        timestamp: datetime,
    ) -> None:
        self.reporter_id = actor_id
        self.target_kind = target_kind
        self.target_id = target_id
        self.challenge_id = challenge_id
        self.reason = reason

    @staticmethod
    def check(target_kind: str, reason: str) -> str:
        if target_kind not in TARGET_KINDS:
            raise InvalidInput(
                "Report an entry, a question, an announcement or a comment.", field="target_id"
            )
        if not reason.strip():
            raise InvalidInput("Say why.", field="reason")
        return check_text(reason, "reason")
