"""Idempotent writes: the first response to (actor, Idempotency-Key), kept for retries.

One stream per (actor, key), id derived from both (like the other "one per X" rules), so
two concurrent requests with one key conflict in the store and only one runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import ConcurrentUpdate, DomainError, InvalidInput, InvalidState
from openinno.domain.ids import NAMESPACE

MAX_KEY_LENGTH = 255

State = Literal["in_progress", "completed", "released"]


class IdempotencyKeyReused(DomainError):
    """The key was first used for a different request (method, path or body)."""

    code = "idempotency_key_reused"


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(" " < c <= "~" for c in key):
        raise InvalidInput(
            "Idempotency-Key takes 1 to %(max)s visible ASCII characters.",
            field="Idempotency-Key",
            max=MAX_KEY_LENGTH,
        )
    return key


def idempotency_record_id(actor_id: UUID, key: str) -> UUID:
    return uuid5(NAMESPACE, f"idempotency:{actor_id}:{key}")


class IdempotencyRecord(Aggregate):
    class Claimed(Aggregate.Created):
        actor_id: UUID
        key: str
        request_sha256: str

    @event(Claimed)
    def __init__(
        self, id: UUID, actor_id: UUID, key: str, request_sha256: str, timestamp: datetime
    ) -> None:
        self.actor_id = actor_id
        self.key = key
        self.request_sha256 = request_sha256
        self.state: State = "in_progress"
        self.status: int | None = None
        self.media_type = ""
        self.body = ""

    def check_same_request(self, request_sha256: str) -> None:
        if request_sha256 != self.request_sha256:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used for a different request; use a new key.",
                field="Idempotency-Key",
            )

    def require_not_in_progress(self) -> None:
        if self.state == "in_progress":
            raise ConcurrentUpdate(
                "A request with this Idempotency-Key is still in progress; retry shortly."
            )

    class Completed(Aggregate.Event):
        status: int
        media_type: str
        body: str

    def complete(self, status: int, media_type: str, body: str, at: datetime) -> None:
        if self.state != "in_progress":
            raise InvalidState("No request with this key is in progress.")
        self._completed(status, media_type, body, at)

    @event(Completed)
    def _completed(self, status: int, media_type: str, body: str, timestamp: datetime) -> None:
        self.state = "completed"
        self.status = status
        self.media_type = media_type
        self.body = body

    class Released(Aggregate.Event):
        """The attempt ended without a response worth keeping (a retryable failure):
        the key may be used again."""

        status: int

    def release(self, status: int, at: datetime) -> None:
        if self.state != "in_progress":
            raise InvalidState("No request with this key is in progress.")
        self._released(status, at)

    @event(Released)
    def _released(self, status: int, timestamp: datetime) -> None:
        self.state = "released"

    class Reclaimed(Aggregate.Event):
        request_sha256: str

    def reclaim(self, request_sha256: str, at: datetime) -> None:
        if self.state != "released":
            raise InvalidState("This key is not free.")
        self.check_same_request(request_sha256)
        self._reclaimed(request_sha256, at)

    @event(Reclaimed)
    def _reclaimed(self, request_sha256: str, timestamp: datetime) -> None:
        self.state = "in_progress"
