"""Assignment at volume (issue 20, decision 0023): which reviewer reviews which entry.

One stream per (challenge, reviewer) (``ids.assignment_id``) holds that reviewer's
assigned entries, recorded in batches of at most ``MAX_BATCH`` entry ids an event, so
that no event grows with the challenge: 100,000 entries to 300 reviewers, k = 3, is
300 streams of about 1,000 ids each.  The challenge records only the parameters of
each assignment run (``Challenge.ReviewersAssigned``).

``balanced_assignment`` is the algorithm, pure and deterministic for a seed: each
entry goes to the k eligible reviewers with the fewest entries so far (ties broken by
seeded draws), entries taken in a seeded order; without conflicts every reviewer's
load differs from every other's by at most one."""

from __future__ import annotations

import heapq
import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput, InvalidState
from openinno.domain.limits import check_text

# Entry ids in one event: about 80 kB of JSON.
MAX_BATCH = 2_000
MAX_K = 50


def batches(ids: Sequence[UUID], size: int = MAX_BATCH) -> Iterable[tuple[UUID, ...]]:
    for start in range(0, len(ids), size):
        yield tuple(ids[start : start + size])


def balanced_assignment(
    entries: Sequence[UUID],
    reviewers: Sequence[UUID],
    k: int,
    seed: int,
    *,
    held: Mapping[UUID, Collection[UUID]] | None = None,
    excluded: Mapping[UUID, Collection[UUID]] | None = None,
) -> dict[UUID, list[UUID]]:
    """New (reviewer -> entries) so that each entry has ``k`` reviewers.

    ``held``: what each reviewer holds already (counts as load; an entry held counts
    towards its k); ``excluded``: per entry, reviewers who may not review it (a declared
    conflict).  An entry with fewer than k eligible reviewers gets as many as there
    are (``shortfall`` tells which)."""
    held = held or {}
    excluded = excluded or {}
    rng = random.Random(seed)
    order = sorted(reviewers)
    holders: dict[UUID, set[UUID]] = {}
    for reviewer, own in held.items():
        for entry in own:
            holders.setdefault(entry, set()).add(reviewer)
    # Ties between equally loaded reviewers are broken by a fresh seeded draw at each
    # push, so that reviewers are paired in ever new combinations (a fixed order would
    # pair the same reviewers on every entry: no overlap to compare them by, and one
    # reviewer's drop-out falling on a single colleague).
    heap: list[tuple[int, float, UUID]] = [(len(held.get(r, ())), rng.random(), r) for r in order]
    heapq.heapify(heap)
    new: dict[UUID, list[UUID]] = {r: [] for r in order}
    todo = sorted(entries)
    rng.shuffle(todo)
    for entry in todo:
        have = holders.get(entry, set())
        need = k - len(have)
        if need <= 0:
            continue
        no = excluded.get(entry, ())
        skipped: list[tuple[int, float, UUID]] = []
        chosen: list[tuple[int, float, UUID]] = []
        while heap and len(chosen) < need:
            item = heapq.heappop(heap)
            reviewer = item[2]
            if reviewer in have or reviewer in no:
                skipped.append(item)
            else:
                chosen.append(item)
        for load, _tie, reviewer in chosen:
            new[reviewer].append(entry)
            heapq.heappush(heap, (load + 1, rng.random(), reviewer))
        for item in skipped:
            heapq.heappush(heap, item)
    return {r: entries for r, entries in new.items() if entries}


def shortfall(
    entries: Iterable[UUID], holders: Mapping[UUID, Collection[UUID]], k: int
) -> list[UUID]:
    """Entries with fewer than ``k`` reviewers (``holders``: entry -> its reviewers)."""
    return [e for e in entries if len(holders.get(e, ())) < k]


def check_k(k: int, reviewers: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise InvalidInput("Give each entry 1 to %(max)s reviewers.", field="k", max=MAX_K)
    if k > reviewers:
        raise InvalidInput(
            "Each entry needs %(k)s reviewers, but only %(count)s may review it.",
            field="k",
            k=k,
            count=reviewers,
        )


class ReviewAssignment(Aggregate):
    """The entries assigned to one reviewer of one challenge."""

    class Opened(Aggregate.Created):
        actor_id: UUID
        challenge_id: UUID
        reviewer_id: UUID

    @event(Opened)
    def __init__(
        self, id: UUID, actor_id: UUID, challenge_id: UUID, reviewer_id: UUID, timestamp: datetime
    ) -> None:
        self.challenge_id = challenge_id
        self.reviewer_id = reviewer_id
        self.entries: set[UUID] = set()
        # Entries this reviewer declared a conflict for: never assigned to them again.
        self.conflicts: set[UUID] = set()
        self.released = False

    class EntriesAssigned(Aggregate.Event):
        """At most ``MAX_BATCH`` entries; a run assigning more records several.  The
        challenge and reviewer are repeated in each event, so a reader needs no other."""

        actor_id: UUID
        challenge_id: UUID
        reviewer_id: UUID
        submission_ids: tuple[UUID, ...]

    def assign(self, actor_id: UUID, submission_ids: Sequence[UUID], at: datetime) -> None:
        if self.released:
            raise InvalidState("This reviewer left the review; assign their entries to others.")
        if self.conflicts.intersection(submission_ids):
            raise InvalidState("The reviewer declared a conflict of interest for this entry.")
        fresh = [s for s in dict.fromkeys(submission_ids) if s not in self.entries]
        for batch in batches(fresh):
            self._entries_assigned(actor_id, self.challenge_id, self.reviewer_id, batch, at)

    @event(EntriesAssigned)
    def _entries_assigned(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        reviewer_id: UUID,
        submission_ids: tuple[UUID, ...],
        timestamp: datetime,
    ) -> None:
        self.entries.update(submission_ids)

    class EntriesUnassigned(Aggregate.Event):
        """Entries taken from the reviewer (a declared conflict, or they left).
        ``conflict``: the reviewer declared a conflict for them (recorded also for an
        entry they did not hold, so that no run assigns it to them later)."""

        actor_id: UUID
        challenge_id: UUID
        reviewer_id: UUID
        submission_ids: tuple[UUID, ...]
        reason: str
        conflict: bool

    def unassign(
        self, actor_id: UUID, submission_ids: Sequence[UUID], reason: str, at: datetime
    ) -> None:
        gone = [s for s in dict.fromkeys(submission_ids) if s in self.entries]
        reason = check_text(reason, "reason")
        for batch in batches(gone):
            self._entries_unassigned(
                actor_id, self.challenge_id, self.reviewer_id, batch, reason, False, at
            )

    def note_conflict(self, actor_id: UUID, submission_id: UUID, reason: str, at: datetime) -> None:
        """The reviewer declared a conflict for this entry (held or not)."""
        if submission_id in self.conflicts:
            return
        reason = check_text(reason, "reason")
        self._entries_unassigned(
            actor_id, self.challenge_id, self.reviewer_id, (submission_id,), reason, True, at
        )

    @event(EntriesUnassigned)
    def _entries_unassigned(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        reviewer_id: UUID,
        submission_ids: tuple[UUID, ...],
        reason: str,
        conflict: bool,
        timestamp: datetime,
    ) -> None:
        self.entries.difference_update(submission_ids)
        if conflict:
            self.conflicts.update(submission_ids)

    class Released(Aggregate.Event):
        """The reviewer dropped out: nothing more is assigned to them; what they had
        not scored was given to others (``EntriesUnassigned`` before this)."""

        actor_id: UUID
        challenge_id: UUID
        reviewer_id: UUID
        reason: str

    def release(self, actor_id: UUID, reason: str, at: datetime) -> None:
        if self.released:
            raise InvalidState("This reviewer has already left the review.")
        if not reason.strip():
            raise InvalidInput("Say why the reviewer leaves the review.", field="reason")
        reason = check_text(reason, "reason")
        self._released(actor_id, self.challenge_id, self.reviewer_id, reason, at)

    @event(Released)
    def _released(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        reviewer_id: UUID,
        reason: str,
        timestamp: datetime,
    ) -> None:
        self.released = True
