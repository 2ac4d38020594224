"""Reviews: one stream per (submission, reviewer)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
    """A reviewer's scores of one entry.  Each score records the version it scored
    (``content_sha256``, ``version``): a revision of the entry after that leaves the
    review stale.  Scores recorded before versions were bound carry neither
    (decision 0022: see ``scored_content``)."""

    # Streams replayed from before versions were bound have no such attributes.
    scored_sha256: str | None = None
    scored_version: int | None = None

    # Streams replayed from before rounds: the first round.
    round = 1

    class Started(Aggregate.Created):
        """``round``: the review round (issue 20; None: the first)."""

        actor_id: UUID
        challenge_id: UUID
        submission_id: UUID
        round: int | None = None

    @event(Started)
    def __init__(
        self,
        id: UUID,
        actor_id: UUID,
        challenge_id: UUID,
        submission_id: UUID,
        timestamp: datetime,
        round: int | None = None,
    ) -> None:
        self.round = round or 1
        self.reviewer_id = actor_id
        self.challenge_id = challenge_id
        self.submission_id = submission_id
        self.scores: dict[str, Decimal] | None = None
        self.comment = ""
        self.conflict = False

    class ScoresRecorded(Aggregate.Event):
        """``content_sha256`` / ``version``: the version of the entry scored (None in
        reviews recorded before versions were bound)."""

        actor_id: UUID
        scores: dict[str, Decimal]
        comment: str
        content_sha256: str | None = None
        version: int | None = None

    class ScoresRevised(Aggregate.Event):
        """As ``ScoresRecorded``: the version scored now, which may be a later one."""

        actor_id: UUID
        scores: dict[str, Decimal]
        comment: str
        content_sha256: str | None = None
        version: int | None = None

    def record_scores(
        self,
        actor_id: UUID,
        criteria: tuple[Criterion, ...],
        scores: Mapping[str, object],
        comment: str,
        at: datetime,
        content_sha256: str | None = None,
        version: int | None = None,
    ) -> None:
        """``content_sha256`` and ``version``: the entry's version being scored."""
        if self.conflict:
            raise ConflictOfInterest("You declared a conflict of interest for this entry.")
        if actor_id != self.reviewer_id:
            raise InvalidState("Only the assigned reviewer can score.")
        checked = check_scores(criteria, scores)
        comment = check_text(comment, "comment")
        if self.scores is None:
            self._scores_recorded(actor_id, checked, comment, content_sha256, version, at)
        else:
            self._scores_revised(actor_id, checked, comment, content_sha256, version, at)

    @event(ScoresRecorded)
    def _scores_recorded(
        self,
        actor_id: UUID,
        scores: dict[str, Decimal],
        comment: str,
        content_sha256: str | None,
        version: int | None,
        timestamp: datetime,
    ) -> None:
        self._scored(scores, comment, content_sha256, version)

    @event(ScoresRevised)
    def _scores_revised(
        self,
        actor_id: UUID,
        scores: dict[str, Decimal],
        comment: str,
        content_sha256: str | None,
        version: int | None,
        timestamp: datetime,
    ) -> None:
        self._scored(scores, comment, content_sha256, version)

    def _scored(
        self,
        scores: dict[str, Decimal],
        comment: str,
        content_sha256: str | None,
        version: int | None,
    ) -> None:
        self.scores = scores
        self.comment = comment
        self.scored_sha256 = content_sha256
        self.scored_version = version

    def scored_content(self, version_hashes: Sequence[str]) -> str | None:
        """The content hash this review's scores count for, or None (not scored, a
        declared conflict, or a version nobody can tell).  ``version_hashes``: the
        entry's versions' hashes, oldest first.

        A review recorded before versions were bound says nothing of its version
        (decision 0022): while the entry has only ever had one version, that is the
        version it scored (there was no other); once revised, it is unknown, and the
        review counts for no version (stale: to be scored again)."""
        if self.scores is None or self.conflict:
            return None
        if self.scored_sha256 is not None:
            return self.scored_sha256
        return version_hashes[0] if len(version_hashes) == 1 else None

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


def scored_versions(reviews: Iterable[Review], version_hashes: Sequence[str]) -> frozenset[str]:
    """The content hashes of an entry (``version_hashes``: its versions', oldest
    first) that these reviews of it count for: what an award of it is checked
    against (``Challenge.award``)."""
    scored = (review.scored_content(version_hashes) for review in reviews)
    return frozenset(digest for digest in scored if digest is not None)
