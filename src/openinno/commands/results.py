"""What commands return: the id made or changed and the log position reached, so a
page can wait for its read model (read-your-writes); and the values some return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from openinno.domain.values import Receipt


@dataclass(frozen=True)
class Recorded:
    """What a command returns: the id it made or changed, and the log position reached."""

    id: UUID
    position: int


@dataclass(frozen=True)
class Published(Recorded):
    terms_sha256: str


@dataclass(frozen=True)
class SubmissionRecorded(Recorded):
    receipt: Receipt


@dataclass(frozen=True)
class SupportRecorded(Recorded):
    """A vote or its retraction, with the entry's support count it left."""

    support_count: int


@dataclass(frozen=True)
class AwardsRecorded(Recorded):
    agreement_ids: tuple[UUID, ...]


@dataclass(frozen=True)
class TokenGrant:
    """What a live API token allows: whose it is and its scope ("read", "read-write")."""

    account_id: UUID
    token_id: UUID
    scope: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    """One of the holder's tokens as listed: never the token or its hash."""

    token_id: UUID
    issued_at: datetime
    expires_at: datetime
    scope: str
    label: str


@dataclass(frozen=True)
class IdempotentResponse:
    """The first response to an idempotent request, kept to answer its retries."""

    status: int
    media_type: str
    body: str
