"""Public support: one vote per person per submission, and the tally that
flags a submission when it reaches the challenge's threshold."""

from __future__ import annotations

from collections.abc import Iterable, Set
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import AlreadySupported, InvalidInput, InvalidState

# What a vote keeps of the request that cast it (the anomaly signals read it).
ADDRESS_LENGTH = 64
USER_AGENT_LENGTH = 512
REASON_LENGTH = 2000


class Vote(Aggregate):
    """Stream id = ids.vote_id(submission, voter): a second vote is a version conflict.

    ``address`` and ``user_agent`` (issue 24; empty in votes recorded before, and
    where the caller gives none) are what the anomaly signals compare; a vote the
    sponsor or an admin voided never counts again, and its voter cannot cast it anew."""

    class Cast(Aggregate.Created):
        actor_id: UUID
        submission_id: UUID
        challenge_id: UUID
        address: str = ""
        user_agent: str = ""

    @event(Cast)
    def __init__(
        self,
        id: UUID,
        actor_id: UUID,
        submission_id: UUID,
        challenge_id: UUID,
        timestamp: datetime,
        address: str = "",
        user_agent: str = "",
    ) -> None:
        self.voter_id = actor_id
        self.submission_id = submission_id
        self.challenge_id = challenge_id
        self.active = True
        self.voided = False

    class Recast(Aggregate.Event):
        actor_id: UUID
        address: str = ""
        user_agent: str = ""

    def recast(self, actor_id: UUID, at: datetime, address: str = "", user_agent: str = "") -> None:
        if getattr(self, "voided", False):
            raise InvalidState("Your support for this entry was voided: it cannot be cast again.")
        if self.active:
            raise AlreadySupported("You already support this entry.")
        self._recast(actor_id, address[:ADDRESS_LENGTH], user_agent[:USER_AGENT_LENGTH], at)

    @event(Recast)
    def _recast(self, actor_id: UUID, address: str, user_agent: str, timestamp: datetime) -> None:
        self.active = True

    class Voided(Aggregate.Event):
        """The sponsor or an admin took the vote out of every count, with a reason;
        ``was_active``: whether it counted until then (a retracted vote is voided too,
        so that it is never cast again nor counts in a re-derived threshold).
        ``voter_id`` and ``submission_id``: whose vote for which entry, so the voter is
        told why (issue 24; None in votes voided before)."""

        actor_id: UUID
        reason: str
        was_active: bool
        voter_id: UUID | None = None
        submission_id: UUID | None = None

    def void(self, actor_id: UUID, reason: str, at: datetime) -> None:
        reason = reason.strip()
        if not reason:
            raise InvalidInput("Say why the vote is voided.", field="reason")
        if len(reason) > REASON_LENGTH:
            raise InvalidInput(
                "The reason is too long (at most %(limit)s characters).",
                field="reason",
                limit=REASON_LENGTH,
            )
        if getattr(self, "voided", False):
            raise InvalidState("This vote is already voided.")
        self._voided(actor_id, reason, self.active, at, self.voter_id, self.submission_id)

    @event(Voided)
    def _voided(
        self,
        actor_id: UUID,
        reason: str,
        was_active: bool,
        timestamp: datetime,
        voter_id: UUID | None = None,
        submission_id: UUID | None = None,
    ) -> None:
        self.active = False
        self.voided = True

    class Retracted(Aggregate.Event):
        actor_id: UUID

    def retract(self, actor_id: UUID, at: datetime) -> None:
        if not self.active:
            raise InvalidState("You do not support this entry.")
        self._retracted(actor_id, at)

    @event(Retracted)
    def _retracted(self, actor_id: UUID, timestamp: datetime) -> None:
        self.active = False

    class SignalsShredded(Aggregate.Event):
        """Retention (decision 0032): the key of the vote's IP address and user agent
        was destroyed, ``reason`` saying which rule; the vote still counts.  Recorded by
        the operator's scheduled job (`openinno personal-data retain`), no account's."""

        reason: str

    def shred_signals(self, reason: str, at: datetime) -> None:
        self._signals_shredded(reason, at)

    @event(SignalsShredded)
    def _signals_shredded(self, reason: str, timestamp: datetime) -> None:
        self.signals_shredded = True


def legitimate_peak(changes: Iterable[tuple[UUID | None, int]], voided: Set[UUID]) -> int:
    """The highest count a tally had with every voided vote's changes left out
    (changes recorded before they named their vote count as they were)."""
    count = peak = 0
    for vote_id, delta in changes:
        if vote_id is not None and vote_id in voided:
            continue
        count += delta
        peak = max(peak, count)
    return peak


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
        self.threshold: int | None = None
        # The votes voided.  The changes themselves are not kept here (a writer's copy
        # of the tally is made for every vote): a void reads them from the stream.
        self.voided: set[UUID] = set()

    class SupportChanged(Aggregate.Event):
        """``vote_id``: the vote that changed (issue 24; absent before)."""

        delta: int
        count: int
        vote_id: UUID | None = None

    def change(self, delta: int, at: datetime, vote_id: UUID | None = None) -> None:
        if delta not in (1, -1) or self.count + delta < 0:
            raise InvalidState("Support changes by one vote at a time.")
        self._support_changed(delta, self.count + delta, vote_id, at)

    @event(SupportChanged)
    def _support_changed(
        self, delta: int, count: int, vote_id: UUID | None, timestamp: datetime
    ) -> None:
        self.count = count

    class VoteVoided(Aggregate.Event):
        """A vote of this entry was voided (``Vote.Voided``): its changes no longer
        count when the threshold is re-derived.  The count itself falls by a
        ``SupportChanged`` of -1 just before, where the vote counted."""

        vote_id: UUID

    def void(self, vote_id: UUID, was_active: bool, at: datetime) -> None:
        """Take the vote out of the count (where it counted) and of the history a
        threshold is re-derived from."""
        if was_active:
            self.change(-1, at, vote_id)
        self._vote_voided(vote_id, at)

    @event(VoteVoided)
    def _vote_voided(self, vote_id: UUID, timestamp: datetime) -> None:
        if not hasattr(self, "voided"):  # a tally cached before issue 24
            self.voided = set()
        self.voided.add(vote_id)

    def loses_threshold(self, changes: Iterable[tuple[UUID | None, int]]) -> bool:
        """Whether the threshold it stands past was reached only by votes now voided:
        no moment of ``changes`` (the tally's ``SupportChanged`` events in order, as
        (vote, delta)), every voided vote's changes left out, reached it."""
        threshold = self.crossed_threshold
        voided: Set[UUID] = getattr(self, "voided", set())
        return threshold is not None and legitimate_peak(changes, voided) < threshold

    @property
    def crossed_threshold(self) -> int | None:
        """The threshold this entry stands past now (None: not crossed, or un-crossed)."""
        if self.threshold_reached_at_count is None:
            return None
        return getattr(self, "threshold", None)

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
        self.threshold = threshold

    class ThresholdUncrossed(Aggregate.Event):
        """The threshold had been crossed only by votes since voided: the entry no
        longer stands past it (and may cross it again with votes that count)."""

        actor_id: UUID
        count: int
        threshold: int

    def uncross_threshold(self, actor_id: UUID, at: datetime) -> None:
        threshold = self.crossed_threshold
        if threshold is None:
            raise InvalidState("This entry has not reached its support threshold.")
        self._threshold_uncrossed(actor_id, self.count, threshold, at)

    @event(ThresholdUncrossed)
    def _threshold_uncrossed(
        self, actor_id: UUID, count: int, threshold: int, timestamp: datetime
    ) -> None:
        self.threshold_reached_at_count = None
