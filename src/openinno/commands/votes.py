"""Votes one per person (issue 24): the sponsor (its owners and managers) or a
platform admin voids votes, each with a reason.  A voided vote leaves the count
(``SupportTally``) and never counts again; where the entry's support threshold
had been reached only by votes now voided (the tally re-derives it from its own
history), it is un-crossed and the entry's withdrawal is announced on the
challenge (``Submission.SupportThresholdWithdrawn``).

Who sees a vote: the same people.  To anyone else a vote id is not found (vote ids
derive from the entry and the voter, so a 403 would tell who supports what).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from openinno.commands.base import CommandBase
from openinno.commands.results import Recorded
from openinno.commands.retry import retry_on_conflict
from openinno.domain import Challenge, Submission, SupportTally, Vote, ids
from openinno.domain.errors import NOT_FOUND, AccessDenied, InvalidInput, NotFound

if TYPE_CHECKING:
    from openinno.keyed_lock import KeyedLocks

# How many votes one bulk void takes at once (one atomic write).
BULK_VOID_LIMIT = 1000
MODERATOR_ROLES = ("owner", "manager")


@dataclass(frozen=True)
class VotesVoided(Recorded):
    """``id``: the entry; what the void left: its count, the votes voided now, and
    whether its threshold was un-crossed."""

    support_count: int
    voided: int
    threshold_withdrawn: bool


class VoteIntegrity(CommandBase):
    if TYPE_CHECKING:
        _tally_locks: KeyedLocks
        repository: Any

    def may_moderate_votes(self, actor_id: UUID | None, submission_id: UUID) -> bool:
        """Whether the actor sees an entry's votes and may void them: a platform
        admin, or an owner or manager of the sponsor that can see the entry."""
        if actor_id is None:
            return False
        if self._actor(actor_id).is_admin:
            return True
        try:
            submission = self.get_submission(actor_id, submission_id)
        except NotFound:
            return False
        challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        try:
            self._sponsor(actor_id, challenge, *MODERATOR_ROLES)
        except AccessDenied:
            return False
        return True

    def require_vote_moderator(self, actor_id: UUID, submission_id: UUID) -> None:
        """As ``may_moderate_votes``, raising: NotFound where the entry is not seen,
        AccessDenied for the others who see it."""
        if self._actor(actor_id).is_admin:
            return
        submission = self.get_submission(actor_id, submission_id)
        challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        try:
            self._sponsor(actor_id, challenge, *MODERATOR_ROLES)
        except AccessDenied:
            raise AccessDenied(
                "Only the sponsor's owners and managers, or an admin, see and void the votes"
                " of an entry."
            ) from None

    def get_vote(self, actor_id: UUID, vote_id: UUID) -> Vote:
        vote = self._maybe_load(vote_id, Vote, readonly=True)
        if vote is None or not self.may_moderate_votes(actor_id, vote.submission_id):
            raise NotFound(NOT_FOUND["vote"], id=str(vote_id))
        return vote

    @retry_on_conflict
    def void_vote(self, actor_id: UUID, vote_id: UUID, reason: str) -> VotesVoided:
        vote = self.get_vote(actor_id, vote_id)
        return self._void(actor_id, vote.submission_id, [vote_id], reason)

    @retry_on_conflict
    def void_votes(
        self, actor_id: UUID, submission_id: UUID, vote_ids: Sequence[UUID], reason: str
    ) -> VotesVoided:
        """Several votes of one entry at once (the flagged ones a sponsor picked),
        in one write: all are voided, or none."""
        self.require_vote_moderator(actor_id, submission_id)
        chosen = list(dict.fromkeys(vote_ids))
        if not chosen:
            raise InvalidInput("Choose the votes to void.", field="vote_ids")
        if len(chosen) > BULK_VOID_LIMIT:
            raise InvalidInput(
                "Void at most %(limit)s votes at once.", field="vote_ids", limit=BULK_VOID_LIMIT
            )
        return self._void(actor_id, submission_id, chosen, reason)

    def _tally_changes(self, tally_id: UUID) -> list[tuple[UUID | None, int]]:
        """The tally's recorded changes in order, as (vote, delta)."""
        return [
            (event.vote_id, event.delta)
            for event in self.repository.event_store.get(tally_id)
            if isinstance(event, SupportTally.SupportChanged)
        ]

    def _void(
        self, actor_id: UUID, submission_id: UUID, vote_ids: Sequence[UUID], reason: str
    ) -> VotesVoided:
        at = self._now()
        votes: list[tuple[Vote, bool]] = []
        for vote_id in vote_ids:
            vote = self._maybe_load(vote_id, Vote)
            if vote is None or vote.submission_id != submission_id:
                raise NotFound(NOT_FOUND["vote"], id=str(vote_id))
            was_active = vote.active
            vote.void(actor_id, reason, at)
            votes.append((vote, was_active))
        with self._tally_locks.hold(submission_id):
            tally_id = ids.support_tally_id(submission_id)
            tally = self._load(tally_id, SupportTally, "submission")
            for vote, was_active in votes:
                tally.void(vote.id, was_active, at)
            withdrawn: Submission | None = None
            threshold = tally.crossed_threshold
            # Re-derived from the tally's stored changes (read only now: a void is rare,
            # and the tally need not carry them on every vote).  Its pending changes are
            # the voided votes' own, which the re-derivation leaves out anyway.
            if threshold is not None and tally.loses_threshold(self._tally_changes(tally_id)):
                tally.uncross_threshold(actor_id, at)
                withdrawn = self._load(submission_id, Submission, "submission")
                withdrawn.withdraw_support_threshold(
                    actor_id, tally.count, threshold, len(tally.voided), at
                )
            position = self._commit(*(v for v, _ in votes), tally, withdrawn)
        return VotesVoided(submission_id, position, tally.count, len(votes), withdrawn is not None)
