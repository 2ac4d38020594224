"""API tokens: bearer secrets for integrations.

Only the token's SHA-256 is ever known to the store, and even that only as the
stream id derived from it (plus a short prefix for audit trails): whoever can
read the event log cannot use a token.  Revocation is an event, like everything.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidState
from openinno.domain.ids import NAMESPACE

TOKEN_PREFIX = "oi_"
# How many hex digits of the hash the Issued event keeps, to tell tokens apart in an audit.
HASH_PREFIX_LENGTH = 12


def new_token() -> str:
    """32 random bytes, URL-safe; the prefix makes leaked tokens easy to scan for."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_stream_id(token_hash: str) -> UUID:
    """The ApiToken stream id, derived from the token's SHA-256 (never from the token)."""
    return uuid5(NAMESPACE, f"api-token:{token_hash}")


class ApiToken(Aggregate):
    class Issued(Aggregate.Created):
        account_id: UUID
        token_sha256_prefix: str

    @event(Issued)
    def __init__(
        self, id: UUID, account_id: UUID, token_sha256_prefix: str, timestamp: datetime
    ) -> None:
        self.account_id = account_id
        self.token_sha256_prefix = token_sha256_prefix
        self.revoked = False

    class Revoked(Aggregate.Event):
        actor_id: UUID

    def revoke(self, actor_id: UUID, at: datetime) -> None:
        if self.revoked:
            raise InvalidState("This token is already revoked.")
        self._revoked(actor_id, at)

    @event(Revoked)
    def _revoked(self, actor_id: UUID, timestamp: datetime) -> None:
        self.revoked = True
