"""API tokens: bearer secrets for integrations.

Only the token's SHA-256 is ever known to the store, and even that only as the
stream id derived from it (plus a short prefix for audit trails): whoever can
read the event log cannot use a token.  Revocation is an event, like everything.

A token expires (``expires_at``, from OPENINNO_API_TOKEN_TTL_SECONDS when issued;
tokens issued before expiry existed expire that long after their issue), has a
scope (``read``: GET and HEAD only; ``read-write``), and belongs to a generation of
its account's tokens: ``Account.ApiTokensRevoked`` (a password change, signing out
everywhere) starts a new generation, and every token of an older one is dead at
once, without an event per token, including tokens issued concurrently (they read
the old generation).  Each account's ``ApiKeyring`` lists its tokens for the
holder: issuing records the token and its keyring entry in one transaction, so two
concurrent issues conflict on the keyring and one is retried.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput, InvalidState
from openinno.domain.ids import NAMESPACE

TOKEN_PREFIX = "oi_"
# How many hex digits of the hash the Issued event keeps, to tell tokens apart in an audit.
HASH_PREFIX_LENGTH = 12
Scope = Literal["read", "read-write"]
SCOPES: tuple[Scope, ...] = ("read", "read-write")
# What a token issued before scopes existed may do: everything, as it could.
DEFAULT_SCOPE: Scope = "read-write"
MAX_LABEL_LENGTH = 100


def check_scope(scope: str) -> Scope:
    if scope not in SCOPES:
        raise InvalidInput("scope is one of %(scopes)s.", field="scope", scopes=", ".join(SCOPES))
    return scope


def check_label(label: str) -> str:
    label = label.strip()
    if len(label) > MAX_LABEL_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in label):
        raise InvalidInput(
            "A label has at most %(max)s printable characters.",
            field="label",
            max=MAX_LABEL_LENGTH,
        )
    return label


def new_token() -> str:
    """32 random bytes, URL-safe; the prefix makes leaked tokens easy to scan for."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_stream_id(token_hash: str) -> UUID:
    """The ApiToken stream id, derived from the token's SHA-256 (never from the token)."""
    return uuid5(NAMESPACE, f"api-token:{token_hash}")


def keyring_id(account_id: UUID) -> UUID:
    """The account's ApiKeyring stream id."""
    return uuid5(NAMESPACE, f"api-keyring:{account_id}")


class ApiToken(Aggregate):
    class Issued(Aggregate.Created):
        account_id: UUID
        token_sha256_prefix: str
        # Added with expiry and scopes (issue 19); earlier payloads load with these.
        expires_at: datetime | None = None
        scope: str = DEFAULT_SCOPE
        label: str = ""
        generation: int = 0

    @event(Issued)
    def __init__(
        self,
        id: UUID,
        account_id: UUID,
        token_sha256_prefix: str,
        timestamp: datetime,
        expires_at: datetime | None = None,
        scope: str = DEFAULT_SCOPE,
        label: str = "",
        generation: int = 0,
    ) -> None:
        self.account_id = account_id
        self.token_sha256_prefix = token_sha256_prefix
        self.revoked = False
        self.expires_at = expires_at
        self.scope = scope
        self.label = label
        self.generation = generation

    class Revoked(Aggregate.Event):
        actor_id: UUID

    def revoke(self, actor_id: UUID, at: datetime) -> None:
        if self.revoked:
            raise InvalidState("This token is already revoked.")
        self._revoked(actor_id, at)

    @event(Revoked)
    def _revoked(self, actor_id: UUID, timestamp: datetime) -> None:
        self.revoked = True


@dataclass(frozen=True)
class KeyringEntry:
    token_id: UUID
    issued_at: datetime
    expires_at: datetime
    scope: str
    label: str
    generation: int


class ApiKeyring(Aggregate):
    """The API tokens of one account (stream id from the account id), for the holder
    to list and revoke them.  Entries of an older generation, expired ones and
    revoked ones are dropped from the state as later events show them dead; the
    events stay."""

    class Created(Aggregate.Created):
        account_id: UUID

    @event(Created)
    def __init__(self, id: UUID, account_id: UUID, timestamp: datetime) -> None:
        self.account_id = account_id
        self.entries: dict[UUID, KeyringEntry] = {}

    class TokenAdded(Aggregate.Event):
        token_id: UUID
        expires_at: datetime
        scope: str
        label: str
        generation: int

    def add(
        self,
        token_id: UUID,
        expires_at: datetime,
        scope: str,
        label: str,
        generation: int,
        at: datetime,
    ) -> None:
        self._token_added(token_id, expires_at, scope, label, generation, at)

    @event(TokenAdded)
    def _token_added(
        self,
        token_id: UUID,
        expires_at: datetime,
        scope: str,
        label: str,
        generation: int,
        timestamp: datetime,
    ) -> None:
        self.entries = {
            k: e
            for k, e in self.entries.items()
            if e.generation >= generation and e.expires_at > timestamp
        }
        self.entries[token_id] = KeyringEntry(
            token_id, timestamp, expires_at, scope, label, generation
        )

    class TokenRemoved(Aggregate.Event):
        actor_id: UUID
        token_id: UUID

    def remove(self, actor_id: UUID, token_id: UUID, at: datetime) -> None:
        if token_id in self.entries:
            self._token_removed(actor_id, token_id, at)

    @event(TokenRemoved)
    def _token_removed(self, actor_id: UUID, token_id: UUID, timestamp: datetime) -> None:
        self.entries.pop(token_id, None)

    def live(self, generation: int, now: datetime) -> list[KeyringEntry]:
        """The tokens still usable: of the account's current generation, not expired,
        not revoked; newest first."""
        found = [
            e for e in self.entries.values() if e.generation == generation and e.expires_at > now
        ]
        return sorted(found, key=lambda e: (e.issued_at, e.token_id.bytes), reverse=True)
