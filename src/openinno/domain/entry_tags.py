"""Tags sponsors and reviewers put on a challenge's entries by hand (issue 27): a
shortlist in the making, "needs legal", "robotics".

One stream per challenge (``ids.entry_tags_id``), not a field of the Submission:
the Submission is the solver's record (its versions and receipts), and a tag is the
judges' note, which must never conflict with a solver's revision nor add to the
entry's history the solver reads.  Per challenge, a bulk tag from a search is one
event however many entries it names; two judges tagging at once conflict on the
stream and the loser runs again on fresh state (a few retries at judging's pace).

Tagging is idempotent per (entry, tag): an entry already carrying the tag is left out
of the event, and an event that would change nothing is refused."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput, InvalidState

# Most entries one event names (a bulk tag of a search's results).
MAX_TAGGED_AT_ONCE = 1_000
MAX_TAG_LENGTH = 40


def check_tag(tag: str) -> str:
    """A tag as stored: spaces collapsed, case folded ("Robotics " is "robotics")."""
    text = " ".join(tag.split()).casefold()
    if not text or len(text) > MAX_TAG_LENGTH or "\x00" in text:
        raise InvalidInput("A tag has 1 to %(max)s characters.", field="tag", max=MAX_TAG_LENGTH)
    return text


class EntryTags(Aggregate):
    class Opened(Aggregate.Created):
        challenge_id: UUID

    @event(Opened)
    def __init__(self, id: UUID, challenge_id: UUID, timestamp: datetime) -> None:
        self.challenge_id = challenge_id
        self.tagged: dict[str, set[UUID]] = {}

    class Tagged(Aggregate.Event):
        """``challenge_id`` repeats the stream's: a read model applies the event alone."""

        actor_id: UUID
        challenge_id: UUID
        tag: str
        submission_ids: tuple[UUID, ...]

    class Untagged(Aggregate.Event):
        actor_id: UUID
        challenge_id: UUID
        tag: str
        submission_ids: tuple[UUID, ...]

    def tag(self, actor_id: UUID, tag: str, submission_ids: tuple[UUID, ...], at: datetime) -> None:
        if len(submission_ids) > MAX_TAGGED_AT_ONCE:
            raise InvalidInput(
                "Tag at most %(max)s entries at once.", field="tag", max=MAX_TAGGED_AT_ONCE
            )
        carrying = self.tagged.get(tag, set())
        fresh = tuple(dict.fromkeys(s for s in submission_ids if s not in carrying))
        if not fresh:
            raise InvalidState("These entries carry this tag already.")
        self._tagged(actor_id, self.challenge_id, tag, fresh, at)

    @event(Tagged)
    def _tagged(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        tag: str,
        submission_ids: tuple[UUID, ...],
        timestamp: datetime,
    ) -> None:
        self.tagged.setdefault(tag, set()).update(submission_ids)

    def untag(
        self, actor_id: UUID, tag: str, submission_ids: tuple[UUID, ...], at: datetime
    ) -> None:
        carrying = self.tagged.get(tag, set())
        gone = tuple(dict.fromkeys(s for s in submission_ids if s in carrying))
        if not gone:
            raise InvalidState("These entries do not carry this tag.")
        self._untagged(actor_id, self.challenge_id, tag, gone, at)

    @event(Untagged)
    def _untagged(
        self,
        actor_id: UUID,
        challenge_id: UUID,
        tag: str,
        submission_ids: tuple[UUID, ...],
        timestamp: datetime,
    ) -> None:
        carrying = self.tagged.get(tag, set())
        carrying.difference_update(submission_ids)
        if not carrying:
            self.tagged.pop(tag, None)
