"""Public support: a vote per person on an entry, counted on the entry's tally.

The hot command of a campaign.  Its reads (the voter, the entry, its challenge and
organisation, the vote and the tally) come in one query with the token's
(``reads_of_support``); votes on one entry in this process take turns on its tally
(keyed_lock.py) and each leaves the tally it recorded in the cache (``keep``), so the
next vote in line changes that one, not the older one it read ahead
(persistence/repository.py).  The rules are the aggregates' (``Vote``,
``SupportTally``, ``Challenge``): nothing here decides what a vote may do.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from openinno.commands.base import CommandBase
from openinno.commands.results import SupportRecorded
from openinno.commands.retry import retry_on_conflict
from openinno.domain import Challenge, Organisation, Submission, SupportTally, Vote, ids
from openinno.domain.errors import NOT_FOUND, AccessDenied, InvalidState, NotFound, Term
from openinno.domain.vote import ADDRESS_LENGTH, USER_AGENT_LENGTH

if TYPE_CHECKING:
    from openinno.keyed_lock import KeyedLocks


class PublicSupport(CommandBase):
    if TYPE_CHECKING:
        _tally_locks: KeyedLocks

    def reads_of_support(self, actor_id: UUID, submission_id: UUID) -> tuple[UUID | None, ...]:
        """The streams ``support`` and ``retract_support`` read, for one query."""
        challenge_id = self._streams.cached_link(submission_id, "challenge_id")
        return (
            actor_id,
            submission_id,
            challenge_id,
            challenge_id and self._streams.cached_link(challenge_id, "organisation_id"),
            ids.vote_id(submission_id, actor_id),
            # Read ahead too: under the entry's turn, the tally a vote ahead of this
            # one recorded since (kept in the cache) is the later state, and wins.
            ids.support_tally_id(submission_id),
        )

    def _supportable(
        self, actor_id: UUID, submission_id: UUID, *, voting: bool = False
    ) -> tuple[Submission, Challenge]:
        """Both read-only (shared, not to be changed).  ``voting``: a vote cast (not
        retracted), which the challenge may keep to verified e-mail addresses."""
        challenge_id = self._streams.cached_link(submission_id, "challenge_id")
        self._streams.read_ahead(self.reads_of_support(actor_id, submission_id))
        account = self._actor(actor_id)
        submission = self._load(submission_id, Submission, "submission", readonly=True)
        if challenge_id is None:
            # An entry not cached yet: its challenge and organisation in one more query,
            # not one each.
            self._streams.read_ahead(
                (
                    submission.challenge_id,
                    self._streams.cached_link(submission.challenge_id, "organisation_id"),
                )
            )
        challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
        if not self.may_view_submission(None, submission, challenge):
            raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
        if actor_id in submission.author_ids:
            raise InvalidState("You cannot support your own entry.")
        if voting and challenge.spec.vote_needs_verified_email and not account.email_is_verified:
            raise AccessDenied(
                "This challenge counts votes only from accounts with a verified e-mail address."
            )
        return submission, challenge

    @retry_on_conflict
    def support(
        self, actor_id: UUID, submission_id: UUID, address: str = "", user_agent: str = ""
    ) -> SupportRecorded:
        """``address`` and ``user_agent``: the request's, kept on the vote for the
        anomaly signals (issue 24)."""
        _submission, challenge = self._supportable(actor_id, submission_id, voting=True)
        # Staff could push their own challenge's entries over a support threshold.
        # Retracting stays open to them (a vote cast before joining can be taken back).
        organisation = self._load(
            challenge.organisation_id, Organisation, "organisation", readonly=True
        )
        if organisation.role_of(actor_id) is not None:
            raise AccessDenied(
                "Members of the sponsor organisation cannot support entries in its challenges."
            )
        # Read from the challenge already loaded: no read more on the votes' hot path.
        challenge.require_not_judging(actor_id, Term("support its entries"))
        at = self._now()
        challenge.require_voting_open(submission_id, at)
        vote_id = ids.vote_id(submission_id, actor_id)
        vote = self._maybe_load(vote_id, Vote)
        if vote is None:
            vote = Vote(
                id=vote_id,
                actor_id=actor_id,
                submission_id=submission_id,
                challenge_id=challenge.id,
                timestamp=at,
                address=address[:ADDRESS_LENGTH],
                user_agent=user_agent[:USER_AGENT_LENGTH],
            )
        else:
            vote.recast(actor_id, at, address, user_agent)
        with self._tally_locks.hold(submission_id):
            tally = self._tally(submission_id, at)
            tally.change(+1, at, vote_id)
            flagged: Submission | None = None
            threshold = challenge.spec.voting.threshold
            if threshold is not None and tally.crosses_threshold(threshold):
                tally.mark_threshold(threshold, at)
                # Once per entry: its own copy to change (the one above is shared).
                flagged = self._load(submission_id, Submission, "submission")
                flagged.reach_support_threshold(actor_id, tally.count, threshold, at)
            position = self._commit(vote, tally, flagged)
            # Still in the entry's turn: the next vote in line starts from this tally.
            self._streams.keep(vote, tally)
        return SupportRecorded(vote_id, position, tally.count)

    @retry_on_conflict
    def retract_support(self, actor_id: UUID, submission_id: UUID) -> SupportRecorded:
        _submission, challenge = self._supportable(actor_id, submission_id)
        at = self._now()
        challenge.require_voting_open(submission_id, at)
        vote = self._maybe_load(ids.vote_id(submission_id, actor_id), Vote)
        if vote is None:
            raise InvalidState("You do not support this entry.")
        vote.retract(actor_id, at)
        with self._tally_locks.hold(submission_id):
            tally = self._tally(submission_id, at)
            tally.change(-1, at, vote.id)
            position = self._commit(vote, tally)
            self._streams.keep(vote, tally)
        return SupportRecorded(vote.id, position, tally.count)

    def _tally(self, submission_id: UUID, at: datetime) -> SupportTally:
        tally_id = ids.support_tally_id(submission_id)
        return self._maybe_load(tally_id, SupportTally) or SupportTally(
            id=tally_id, submission_id=submission_id, timestamp=at
        )

    def support_count(self, submission_id: UUID) -> int:
        tally = self._maybe_load(ids.support_tally_id(submission_id), SupportTally, readonly=True)
        return tally.count if tally else 0
