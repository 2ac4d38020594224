"""Assignment at volume (issue 20, decision 0023): a sponsor gives each entry to k of
the accepted reviewers, balanced, never to one with a declared conflict nor (where the
terms say so) to a member of the sponsor's organisation; re-assigns when a reviewer
drops out.  A run tops up: entries that already have reviewers keep them, and only
what is missing is assigned, so the same command serves new entries, conflicts
declared since and a reviewer who left."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from openinno.commands.base import CommandBase
from openinno.commands.results import Recorded
from openinno.commands.retry import retry_on_conflict
from openinno.domain import Challenge, Organisation, ReviewAssignment, ids
from openinno.domain.assignment import balanced_assignment, check_k
from openinno.domain.errors import NOT_FOUND, InvalidInput, NotFound
from openinno.domain.values import sha256_hex

CONFLICT = "A conflict of interest was declared."


@dataclass(frozen=True)
class AssignmentRecorded(Recorded):
    seed: int
    pairs_added: int
    # Entries that still have fewer than k reviewers (too few eligible reviewers).
    short: int


def entries_sha256(entries: Sequence[UUID]) -> str:
    """What a run records of the entries it considered: the SHA-256 of their ids,
    sorted, one a line."""
    return sha256_hex("".join(f"{e}\n" for e in sorted(entries)).encode())


class Assignments(CommandBase):
    def _assignment_streams(self, challenge: Challenge) -> dict[UUID, ReviewAssignment | None]:
        return {
            r: self._maybe_load(ids.assignment_id(challenge.id, r), ReviewAssignment)
            for r in sorted(challenge.reviewers)
        }

    def _top_up(
        self,
        actor_id: UUID,
        challenge: Challenge,
        organisation: Organisation,
        streams: dict[UUID, ReviewAssignment | None],
        submission_ids: Collection[UUID],
        k: int,
        seed: int,
        conflicts: Mapping[UUID, Collection[UUID]],
        at: datetime,
        *,
        strict: bool = True,
    ) -> tuple[list[ReviewAssignment], int, int]:
        """Assign what is missing; the streams changed, the pairs added, the entries
        still short of k reviewers.  ``strict``: refuse a k larger than the pool (a
        sponsor's run); otherwise (a reviewer leaving) assign what the pool allows and
        report the entries left short."""
        independent = bool(challenge.spec.independent_reviewers)
        pool = [
            r
            for r, stream in streams.items()
            if not (stream is not None and stream.released)
            and not (independent and organisation.role_of(r) is not None)
        ]
        check_k(k, len(pool) if strict else k)
        entries = set(submission_ids)
        changed: dict[UUID, ReviewAssignment] = {}
        # The conflicts the streams know (declared on the write side) with those the
        # caller read: a read model behind the log cannot make a run assign one.
        excluded: dict[UUID, set[UUID]] = {e: set(rs) for e, rs in conflicts.items()}
        for reviewer, stream in streams.items():
            if stream is not None:
                for e in stream.conflicts:
                    excluded.setdefault(e, set()).add(reviewer)
        conflicts = excluded
        # An entry a reviewer holds but declared a conflict for leaves them first.
        for reviewer, stream in streams.items():
            if stream is None:
                continue
            mine = [e for e in stream.entries if reviewer in conflicts.get(e, ())]
            if mine:
                for e in sorted(mine):
                    stream.note_conflict(actor_id, e, CONFLICT, at)
                changed[reviewer] = stream
        held = {
            r: [e for e in stream.entries if e in entries]
            for r, stream in streams.items()
            if stream is not None
        }
        new = balanced_assignment(sorted(entries), pool, k, seed, held=held, excluded=conflicts)
        for reviewer, got in new.items():
            stream = streams[reviewer] or ReviewAssignment(
                id=ids.assignment_id(challenge.id, reviewer),
                actor_id=actor_id,
                challenge_id=challenge.id,
                reviewer_id=reviewer,
                timestamp=at,
            )
            streams[reviewer] = stream
            stream.assign(actor_id, got, at)
            changed[reviewer] = stream
        holders: dict[UUID, int] = {}
        for stream in streams.values():
            if stream is not None:
                for e in stream.entries:
                    holders[e] = holders.get(e, 0) + 1
        short = sum(1 for e in entries if holders.get(e, 0) < k)
        pairs = sum(len(v) for v in new.values())
        challenge.record_assignment(
            actor_id,
            k,
            seed,
            len(entries),
            entries_sha256(sorted(entries)),
            tuple(pool),
            pairs,
            at,
        )
        return list(changed.values()), pairs, short

    @retry_on_conflict
    def assign_reviewers(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        submission_ids: Collection[UUID],
        k: int,
        *,
        seed: int | None = None,
        conflicts: Mapping[UUID, Collection[UUID]] | None = None,
    ) -> AssignmentRecorded:
        """Give each of ``submission_ids`` (the challenge's live entries, as the read
        model lists them) to ``k`` reviewers.  ``conflicts``: per entry, the reviewers
        who declared a conflict for it (from the read model; a conflict recorded
        since is still refused at scoring, and leaves the assignment when declared)."""
        challenge = self._visible_challenge(actor_id, challenge_id)
        organisation = self._sponsor(actor_id, challenge, "owner", "manager")
        at = self._now()
        if seed is None:
            seed = random.SystemRandom().randrange(2**31)
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise InvalidInput("The seed is a whole number from 0.", field="seed")
        streams = self._assignment_streams(challenge)
        changed, pairs, short = self._top_up(
            actor_id,
            challenge,
            organisation,
            streams,
            submission_ids,
            k,
            seed,
            conflicts or {},
            at,
        )
        position = self._commit(challenge, *changed)
        return AssignmentRecorded(challenge_id, position, seed, pairs, short)

    @retry_on_conflict
    def release_reviewer(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        reviewer_id: UUID,
        reason: str,
        submission_ids: Collection[UUID],
        *,
        scored: Collection[UUID] = (),
        conflicts: Mapping[UUID, Collection[UUID]] | None = None,
        seed: int | None = None,
    ) -> AssignmentRecorded:
        """A reviewer drops out: the entries they have not scored (``scored``: those
        they have, from the read model) go to others, at the challenge's k."""
        challenge = self._visible_challenge(actor_id, challenge_id)
        organisation = self._sponsor(actor_id, challenge, "owner", "manager")
        at = self._now()
        k = challenge.assignment_k
        streams = self._assignment_streams(challenge)
        if k is None or reviewer_id not in streams:
            raise NotFound(NOT_FOUND["reviewer"], id=str(reviewer_id))
        stream = streams[reviewer_id] or ReviewAssignment(
            id=ids.assignment_id(challenge.id, reviewer_id),
            actor_id=actor_id,
            challenge_id=challenge.id,
            reviewer_id=reviewer_id,
            timestamp=at,
        )
        streams[reviewer_id] = stream
        kept = set(scored)
        stream.unassign(actor_id, sorted(e for e in stream.entries if e not in kept), reason, at)
        stream.release(actor_id, reason, at)
        if seed is None:
            seed = random.SystemRandom().randrange(2**31)
        changed, pairs, short = self._top_up(
            actor_id,
            challenge,
            organisation,
            streams,
            submission_ids,
            k,
            seed,
            conflicts or {},
            at,
            strict=False,
        )
        position = self._commit(challenge, stream, *[s for s in changed if s is not stream])
        return AssignmentRecorded(challenge_id, position, seed, pairs, short)

    def assigned_to(self, challenge: Challenge, reviewer_id: UUID, submission_id: UUID) -> bool:
        """Whether the entry is in the reviewer's assignment (always, where the
        challenge does not assign)."""
        if challenge.assignment_k is None:
            return True
        stream = self._maybe_load(
            ids.assignment_id(challenge.id, reviewer_id), ReviewAssignment, readonly=True
        )
        return stream is not None and submission_id in stream.entries
