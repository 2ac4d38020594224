"""Tags on entries by hand (issue 27, decision 0033): who may tag what.

- the sponsor's members (any role) and admins tag any entry of the challenge;
- the challenge's accepted reviewers tag its live entries (those they may see);
- a tag names entries of that challenge only (an id of another challenge, or one the
  tagger may not see, is refused as unknown: nothing tells which it was).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from openinno.commands.base import CommandBase
from openinno.commands.results import Recorded
from openinno.commands.retry import retry_on_conflict
from openinno.domain import Challenge, EntryTags, Organisation, Submission
from openinno.domain.entry_tags import MAX_TAGGED_AT_ONCE, check_tag
from openinno.domain.errors import NOT_FOUND, InvalidInput, NotFound
from openinno.domain.ids import entry_tags_id

DEAD = ("withdrawn", "disqualified")


class Tagging(CommandBase):
    def _tagging_as(self, actor_id: UUID, challenge_id: UUID) -> tuple[Challenge, bool]:
        """The challenge, and whether the actor tags as its sponsor (else as reviewer)."""
        account = self._actor(actor_id)
        challenge = self._visible_challenge(actor_id, challenge_id, readonly=True)
        organisation = self._load(
            challenge.organisation_id, Organisation, "organisation", readonly=True
        )
        if account.is_admin or organisation.role_of(actor_id) is not None:
            return challenge, True
        if actor_id in challenge.reviewers:
            return challenge, False
        raise NotFound(NOT_FOUND["challenge"], id=str(challenge_id))

    def _entries_to_tag(
        self, challenge_id: UUID, submission_ids: Sequence[UUID], *, sponsor: bool
    ) -> tuple[UUID, ...]:
        ids = tuple(dict.fromkeys(submission_ids))
        if not ids:
            raise InvalidInput("Choose at least one entry.", field="submission_ids")
        if len(ids) > MAX_TAGGED_AT_ONCE:
            raise InvalidInput(
                "Tag at most %(max)s entries at once.", field="tag", max=MAX_TAGGED_AT_ONCE
            )
        for sid in ids:
            entry = self._maybe_load(sid, Submission, readonly=True)
            if (
                entry is None
                or entry.challenge_id != challenge_id
                or (not sponsor and entry.status in DEAD)
            ):
                raise NotFound(NOT_FOUND["submission"], id=str(sid))
        return ids

    def _entry_tags(self, challenge_id: UUID) -> EntryTags:
        found = self._maybe_load(entry_tags_id(challenge_id), EntryTags)
        if found is None:
            found = EntryTags(
                id=entry_tags_id(challenge_id), challenge_id=challenge_id, timestamp=self._now()
            )
        return found

    @retry_on_conflict
    def tag_entries(
        self, actor_id: UUID, challenge_id: UUID, tag: str, submission_ids: Sequence[UUID]
    ) -> Recorded:
        """Put ``tag`` on these entries (those carrying it already are left out)."""
        tag = check_tag(tag)
        _challenge, sponsor = self._tagging_as(actor_id, challenge_id)
        ids = self._entries_to_tag(challenge_id, submission_ids, sponsor=sponsor)
        tags = self._entry_tags(challenge_id)
        tags.tag(actor_id, tag, ids, self._now())
        return Recorded(tags.id, self._commit(tags))

    @retry_on_conflict
    def untag_entries(
        self, actor_id: UUID, challenge_id: UUID, tag: str, submission_ids: Sequence[UUID]
    ) -> Recorded:
        tag = check_tag(tag)
        _challenge, sponsor = self._tagging_as(actor_id, challenge_id)
        ids = self._entries_to_tag(challenge_id, submission_ids, sponsor=sponsor)
        tags = self._entry_tags(challenge_id)
        tags.untag(actor_id, tag, ids, self._now())
        return Recorded(tags.id, self._commit(tags))
