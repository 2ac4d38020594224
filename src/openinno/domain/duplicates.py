"""The sponsor's rulings on near-duplicate entries (issue 27, decision 0033).

One stream per challenge (``ids.duplicates_id``).  Merging names entries the sponsor
judged to propose the same idea; the first to propose it is the one with the earliest
receipt, which the command reads from the entries' receipts (each recorded in the log
when the entry was sent, and provable from it), never from the sponsor's choice."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput, InvalidState

# Most entries one merge names.
MAX_MERGED = 200


class Duplicates(Aggregate):
    class Opened(Aggregate.Created):
        challenge_id: UUID

    @event(Opened)
    def __init__(self, id: UUID, challenge_id: UUID, timestamp: datetime) -> None:
        self.challenge_id = challenge_id
        # entry -> the first to propose its idea, for every merged entry (it included)
        self.merged_into: dict[UUID, UUID] = {}

    class Merged(Aggregate.Event):
        """``first_id``: the earliest receipt of ``submission_ids`` (it among them),
        received at ``first_received_at``."""

        actor_id: UUID
        challenge_id: UUID
        first_id: UUID
        first_received_at: datetime
        submission_ids: tuple[UUID, ...]

    def merge(
        self,
        actor_id: UUID,
        receipts: dict[UUID, datetime],
        at: datetime,
    ) -> None:
        """``receipts``: each entry's first receipt time.  Entries merged before keep
        their cluster: merging them again joins the clusters under the earliest."""
        if not 2 <= len(receipts) <= MAX_MERGED:
            raise InvalidInput(
                "Merge 2 to %(max)s entries at once.", field="submission_ids", max=MAX_MERGED
            )
        ids = set(receipts)
        if all(self.merged_into.get(i) is not None for i in ids) and (
            len({self.merged_into[i] for i in ids}) == 1
        ):
            raise InvalidState("These entries are merged already.")
        first = min(ids, key=lambda i: (receipts[i], str(i)))
        ordered = tuple(sorted(ids, key=lambda i: (receipts[i], str(i))))
        self._merged(actor_id, self.challenge_id, first, receipts[first], ordered, at)

    @event(Merged)
    def _merged(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        first_id: UUID,
        first_received_at: datetime,
        submission_ids: tuple[UUID, ...],
        timestamp: datetime,
    ) -> None:
        # Entries of earlier clusters named here bring their whole cluster along.
        joined = {self.merged_into.get(s, s) for s in submission_ids}
        for entry, root in list(self.merged_into.items()):
            if root in joined:
                self.merged_into[entry] = first_id
        for s in submission_ids:
            self.merged_into[s] = first_id
