"""Merging near-duplicate entries (issue 27, decision 0033): the sponsor's owners and
managers, and admins.  The first to propose the idea is read from the entries'
receipts, never chosen."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from openinno.commands.base import CommandBase
from openinno.commands.results import Recorded
from openinno.commands.retry import retry_on_conflict
from openinno.domain import Duplicates, Organisation, Submission
from openinno.domain.errors import NOT_FOUND, NotFound
from openinno.domain.ids import duplicates_id


class DuplicateRulings(CommandBase):
    @retry_on_conflict
    def merge_duplicates(
        self, actor_id: UUID, challenge_id: UUID, submission_ids: Sequence[UUID]
    ) -> Recorded:
        challenge = self._visible_challenge(actor_id, challenge_id, readonly=True)
        if not self._actor(actor_id).is_admin:
            organisation = self._load(
                challenge.organisation_id, Organisation, "organisation", readonly=True
            )
            # The rulings are the sponsor's: to anyone else, no such thing (as the list).
            if organisation.role_of(actor_id) is None:
                raise NotFound(NOT_FOUND["challenge"], id=str(challenge_id))
            organisation.require_role(actor_id, "owner", "manager")
        rulings = self._maybe_load(duplicates_id(challenge_id), Duplicates)
        if rulings is None:
            rulings = Duplicates(
                id=duplicates_id(challenge_id), challenge_id=challenge_id, timestamp=self._now()
            )
        named = set(dict.fromkeys(submission_ids))
        # Clusters merged before come along whole: their earliest receipt may be earlier.
        roots = {rulings.merged_into.get(s, s) for s in named}
        named |= {e for e, root in rulings.merged_into.items() if root in roots}
        receipts = {}
        for sid in sorted(named, key=str):
            entry = self._maybe_load(sid, Submission, readonly=True)
            if entry is None or entry.challenge_id != challenge_id:
                raise NotFound(NOT_FOUND["submission"], id=str(sid))
            receipts[sid] = entry.receipts[0].recorded_at
        rulings.merge(actor_id, receipts, self._now())
        return Recorded(rulings.id, self._commit(rulings))
