"""Reviews: one stream per (submission, reviewer)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import ConflictOfInterest, InvalidInput, InvalidState
from openinno.domain.limits import check_text, parse_score
from openinno.domain.values import Criterion


def check_scores(
    criteria: tuple[Criterion, ...], scores: Mapping[str, object]
) -> dict[str, Decimal]:
    names = {c.name for c in criteria}
    missing = names - scores.keys()
    unknown = scores.keys() - names
    if unknown:
        raise InvalidInput(
            "Unknown criteria: %(names)s.", field="scores", names=", ".join(sorted(unknown))
        )
    if missing:
        raise InvalidInput(
            "Score every criterion; missing: %(names)s.",
            field="scores",
            names=", ".join(sorted(missing)),
        )
    checked: dict[str, Decimal] = {}
    for c in criteria:
        # Finite and plainly written first: NaN cannot be compared with the range.
        value = parse_score(scores[c.name])
        if not c.min_score <= value <= c.max_score:
            raise InvalidInput(
                "%(criterion)s: scores run from %(min)s to %(max)s.",
                field="scores",
                criterion=c.name,
                min=c.min_score,
                max=c.max_score,
            )
        checked[c.name] = value
    return checked


class Review(Aggregate):
    class Started(Aggregate.Created):
        actor_id: UUID
        challenge_id: UUID
        submission_id: UUID

    @event(Started)
    def __init__(
        self,
        id: UUID,
        actor_id: UUID,
        challenge_id: UUID,
        submission_id: UUID,
        timestamp: datetime,
    ) -> None:
        self.reviewer_id = actor_id
        self.challenge_id = challenge_id
        self.submission_id = submission_id
        self.scores: dict[str, Decimal] | None = None
        self.comment = ""
        self.conflict = False

    class ScoresRecorded(Aggregate.Event):
        actor_id: UUID
        scores: dict[str, Decimal]
        comment: str

    class ScoresRevised(Aggregate.Event):
        actor_id: UUID
        scores: dict[str, Decimal]
        comment: str

    def record_scores(
        self,
        actor_id: UUID,
        criteria: tuple[Criterion, ...],
        scores: Mapping[str, object],
        comment: str,
        at: datetime,
    ) -> None:
        if self.conflict:
            raise ConflictOfInterest("You declared a conflict of interest for this entry.")
        if actor_id != self.reviewer_id:
            raise InvalidState("Only the assigned reviewer can score.")
        checked = check_scores(criteria, scores)
        comment = check_text(comment, "comment")
        if self.scores is None:
            self._scores_recorded(actor_id, checked, comment, at)
        else:
            self._scores_revised(actor_id, checked, comment, at)

    @event(ScoresRecorded)
    def _scores_recorded(
        self, actor_id: UUID, scores: dict[str, Decimal], comment: str, timestamp: datetime
    ) -> None:
        self.scores = scores
        self.comment = comment

    @event(ScoresRevised)
    def _scores_revised(
        self, actor_id: UUID, scores: dict[str, Decimal], comment: str, timestamp: datetime
    ) -> None:
        self.scores = scores
        self.comment = comment

    class ConflictDeclared(Aggregate.Event):
        """The reviewer recuses: their scores no longer count and they can't score again."""

        actor_id: UUID
        reason: str

    def declare_conflict(self, actor_id: UUID, reason: str, at: datetime) -> None:
        if self.conflict:
            raise InvalidState("You already declared a conflict for this entry.")
        if not reason.strip():
            raise InvalidInput("Say what the conflict of interest is.", field="reason")
        self._conflict_declared(actor_id, check_text(reason, "reason"), at)

    @event(ConflictDeclared)
    def _conflict_declared(self, actor_id: UUID, reason: str, timestamp: datetime) -> None:
        self.conflict = True
