"""Appeals (issue 24; Topcoder's appeal phase): the person a decision affected asks
for it to be reconsidered, with text and files as evidence; the sponsor (or, for
scores, a reviewer) answers; a decision closes it, upheld or rejected, with a reason.

What an appeal is of (``ground``):

- ``disqualification``: of an entry (``subject_id`` the entry), by its authors;
- ``scores``: an entry's published scores, where the terms allow it;
- ``moderation``: a question hidden by a moderator (``subject_id`` the question),
  by who asked it.

The thread is its own stream; an entry's appeal is also named on the entry's stream
(``Submission.AppealLodged``, same transaction), so the entry's history and its
evidence bundle hold it whole.  Who may answer and decide is the application's rule
(``openinno.commands.appeals``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput, InvalidState
from openinno.domain.limits import check_text
from openinno.domain.values import FileRef

Ground = Literal["disqualification", "scores", "moderation"]
GROUNDS: tuple[str, ...] = ("disqualification", "scores", "moderation")
Outcome = Literal["upheld", "rejected"]
OUTCOMES: tuple[str, ...] = ("upheld", "rejected")
# Evidence files per message: a few documents, not a second entry.
MAX_EVIDENCE_FILES = 5


@dataclass(frozen=True)
class AppealMessage:
    """One message of the thread, as the aggregate keeps it for reading."""

    actor_id: UUID
    text: str
    files: tuple[FileRef, ...]
    at: datetime


def check_message(text: str, files: tuple[FileRef, ...]) -> str:
    if not text.strip():
        raise InvalidInput("Write something first.", field="text")
    if len(files) > MAX_EVIDENCE_FILES:
        raise InvalidInput("Attach at most %(max)s files.", field="files", max=MAX_EVIDENCE_FILES)
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise InvalidInput("Two attached files have the same name.", field="files")
    return check_text(text, "message", "text")


class Appeal(Aggregate):
    class Filed(Aggregate.Created):
        actor_id: UUID
        ground: str
        challenge_id: UUID
        subject_id: UUID
        # The entry the appeal is about (None: a question's moderation).
        submission_id: UUID | None
        text: str
        files: tuple[FileRef, ...]

    @event(Filed)
    def __init__(
        self,
        id: UUID,
        actor_id: UUID,
        ground: str,
        challenge_id: UUID,
        subject_id: UUID,
        submission_id: UUID | None,
        text: str,
        files: tuple[FileRef, ...],
        timestamp: datetime,
    ) -> None:
        self.appellant_id = actor_id
        self.ground = ground
        self.challenge_id = challenge_id
        self.subject_id = subject_id
        self.submission_id = submission_id
        self.status = "open"  # open | answered | upheld | rejected
        self.answers = 0
        self.filed_at = timestamp
        self.thread: list[AppealMessage] = [AppealMessage(actor_id, text, files, timestamp)]
        self.decided_by: UUID | None = None
        self.decided_at: datetime | None = None
        self.reason = ""

    @staticmethod
    def check_filing(ground: str, text: str, files: tuple[FileRef, ...]) -> str:
        if ground not in GROUNDS:
            raise InvalidInput(
                "An appeal is of a disqualification, the scores or a moderation decision.",
                field="ground",
            )
        return check_message(text, files)

    class Answered(Aggregate.Event):
        """The sponsor's (or a reviewer's) answer; the appellant may reply the same way."""

        actor_id: UUID
        text: str
        files: tuple[FileRef, ...]
        # Repeated from Filed, so read models file the message without a lookup.
        challenge_id: UUID
        submission_id: UUID | None

    def answer(self, actor_id: UUID, text: str, files: tuple[FileRef, ...], at: datetime) -> None:
        self.require_open()
        text = check_message(text, files)
        self._answered(actor_id, text, files, self.challenge_id, self.submission_id, at)

    @event(Answered)
    def _answered(
        self,
        actor_id: UUID,
        text: str,
        files: tuple[FileRef, ...],
        challenge_id: UUID,
        submission_id: UUID | None,
        timestamp: datetime,
    ) -> None:
        self.answers += 1
        self.thread.append(AppealMessage(actor_id, text, files, timestamp))
        if actor_id != self.appellant_id:
            self.status = "answered"

    class Decided(Aggregate.Event):
        """Closes the appeal: ``upheld`` (the decision appealed is undone, in the same
        transaction where it can be: an entry reinstated, a question restored) or
        ``rejected``, with the reason the appellant reads."""

        actor_id: UUID
        outcome: str
        reason: str
        challenge_id: UUID
        submission_id: UUID | None

    def decide(self, actor_id: UUID, outcome: str, reason: str, at: datetime) -> None:
        self.require_open()
        if outcome not in OUTCOMES:
            raise InvalidInput("An appeal is upheld or rejected.", field="outcome")
        if not reason.strip():
            raise InvalidInput("Say why.", field="reason")
        reason = check_text(reason, "reason")
        self._decided(actor_id, outcome, reason, self.challenge_id, self.submission_id, at)

    @event(Decided)
    def _decided(
        self,
        actor_id: UUID,
        outcome: str,
        reason: str,
        challenge_id: UUID,
        submission_id: UUID | None,
        timestamp: datetime,
    ) -> None:
        self.status = outcome
        self.decided_by = actor_id
        self.decided_at = timestamp
        self.reason = reason

    @property
    def closed(self) -> bool:
        return self.status in OUTCOMES

    def require_open(self) -> None:
        if self.closed:
            raise InvalidState("This appeal is decided.")
