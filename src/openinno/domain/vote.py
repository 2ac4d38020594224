"""Public support: one vote per person per submission, and the tally that
flags a submission when it reaches the challenge's threshold."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import AlreadySupported, InvalidState


class Vote(Aggregate):
    """Stream id = ids.vote_id(submission, voter): a second vote is a version conflict."""

    class Cast(Aggregate.Created):
        actor_id: UUID
        submission_id: UUID
        challenge_id: UUID

    @event(Cast)
    def __init__(
        self,
        id: UUID,
        actor_id: UUID,
        submission_id: UUID,
        challenge_id: UUID,
        timestamp: datetime,
    ) -> None:
        self.voter_id = actor_id
        self.submission_id = submission_id
        self.challenge_id = challenge_id
        self.active = True

    class Recast(Aggregate.Event):
        actor_id: UUID

    def recast(self, actor_id: UUID, at: datetime) -> None:
        if self.active:
            raise AlreadySupported("You already support this entry.")
        self._recast(actor_id, at)

    @event(Recast)
    def _recast(self, actor_id: UUID, timestamp: datetime) -> None:
        self.active = True

    class Retracted(Aggregate.Event):
        actor_id: UUID

    def retract(self, actor_id: UUID, at: datetime) -> None:
        if not self.active:
            raise InvalidState("You do not support this entry.")
        self._retracted(actor_id, at)

    @event(Retracted)
    def _retracted(self, actor_id: UUID, timestamp: datetime) -> None:
        self.active = False


class SupportTally(Aggregate):
    """Live support count of one submission.  Votes append here in the same
    transaction, so the count is exact and the threshold is crossed once."""

    class Opened(Aggregate.Created):
        submission_id: UUID

    @event(Opened)
    def __init__(self, id: UUID, submission_id: UUID, timestamp: datetime) -> None:
        self.submission_id = submission_id
        self.count = 0
        self.threshold_reached_at_count: int | None = None

    class SupportChanged(Aggregate.Event):
        delta: int
        count: int

    def change(self, delta: int, at: datetime) -> None:
        if delta not in (1, -1) or self.count + delta < 0:
            raise InvalidState("Support changes by one vote at a time.")
        self._support_changed(delta, self.count + delta, at)

    @event(SupportChanged)
    def _support_changed(self, delta: int, count: int, timestamp: datetime) -> None:
        self.count = count

    class ThresholdCrossed(Aggregate.Event):
        count: int
        threshold: int

    def crosses_threshold(self, threshold: int | None) -> bool:
        return (
            threshold is not None
            and self.threshold_reached_at_count is None
            and self.count >= threshold
        )

    def mark_threshold(self, threshold: int, at: datetime) -> None:
        self._threshold_crossed(self.count, threshold, at)

    @event(ThresholdCrossed)
    def _threshold_crossed(self, count: int, threshold: int, timestamp: datetime) -> None:
        self.threshold_reached_at_count = count
