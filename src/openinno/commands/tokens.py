"""API tokens (issue, list, expire, revoke) and idempotent API requests: owned by
the JSON API (web/api)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.persistence import RecordConflictError

from openinno.commands.base import CommandBase
from openinno.commands.results import IdempotentResponse, Recorded, TokenGrant, TokenInfo
from openinno.commands.retry import retry_on_conflict
from openinno.domain import (
    Account,
    ApiToken,
)
from openinno.domain.errors import (
    ConcurrentUpdate,
    InvalidCredentials,
    NotFound,
)


class ApiTokens(CommandBase):
    # --- API tokens -------------------------------------------------------------------------
    # Owned by the JSON API (web/api).  Imports are local so this section stays self-contained.

    def issue_token(
        self, email: str, password: str, scope: str = "read-write", label: str = ""
    ) -> tuple[str, Recorded]:
        """A new bearer token for the account; the store keeps only its SHA-256 (as the
        derived stream id) and a short prefix of it.  The token itself is shown once.
        It expires OPENINNO_API_TOKEN_TTL_SECONDS from now; ``scope`` "read" allows
        reads only.  The password is checked once, before any retry."""
        from openinno.domain.token import check_label, check_scope

        checked_scope, checked_label = check_scope(scope), check_label(label)
        account_id = self.authenticate(email, password)
        return self._issue_token(account_id, checked_scope, checked_label)

    @retry_on_conflict
    def _issue_token(self, account_id: UUID, scope: str, label: str) -> tuple[str, Recorded]:
        from openinno.domain.token import (
            HASH_PREFIX_LENGTH,
            ApiKeyring,
            ApiToken,
            keyring_id,
            new_token,
            token_sha256,
            token_stream_id,
        )

        account = self._actor(account_id)
        at = self._now()
        keyring = self._maybe_load(keyring_id(account_id), ApiKeyring) or ApiKeyring(
            id=keyring_id(account_id), account_id=account_id, timestamp=at
        )
        token = new_token()
        digest = token_sha256(token)
        # The generation read here: if the account's tokens are revoked meanwhile, this
        # one is of the old generation and dead too (no lost revocation).
        generation = account.api_token_generation
        expires_at = at + timedelta(seconds=self.settings.api_token_ttl_seconds)
        api_token = ApiToken(
            id=token_stream_id(digest),
            account_id=account_id,
            token_sha256_prefix=digest[:HASH_PREFIX_LENGTH],
            timestamp=at,
            expires_at=expires_at,
            scope=scope,
            label=label,
            generation=generation,
        )
        keyring.add(api_token.id, expires_at, scope, label, generation, at)
        return token, Recorded(api_token.id, self._commit(api_token, keyring))

    def token_expiry(self, api_token: ApiToken) -> datetime:
        """When the token stops working.  Tokens issued before expiry was recorded
        expire OPENINNO_API_TOKEN_TTL_SECONDS after their issue."""
        if api_token.expires_at is not None:
            expires_at: datetime = api_token.expires_at
            return expires_at
        return api_token.created_on + timedelta(seconds=self.settings.api_token_ttl_seconds)

    def token_grant(
        self, token: str, *, also: Callable[[UUID], Iterable[UUID | None]] | None = None
    ) -> TokenGrant:
        """What a live token allows: its active account and its scope; otherwise
        InvalidCredentials (unknown, revoked, of a revoked generation, or expired).

        ``also``: the streams the request's command will read, given its account
        (``reads_of_submit``, say).  When this process has seen the token before (its
        account is known without a query), they are read in the token's query, and
        within an enclosing ``one_snapshot`` the command reads them from there: one
        round trip fewer per request."""
        from openinno.domain.token import ApiToken, token_sha256, token_stream_id

        token_id = token_stream_id(token_sha256(token))
        with self._streams.fresh_reads():
            account_id = self._streams.cached_link(token_id, "account_id")
            extra = also(account_id) if also is not None and account_id is not None else ()
            self._streams.read_ahead((token_id, account_id, *extra))
            api_token = self._maybe_load(token_id, ApiToken, readonly=True)
            if api_token is None or api_token.revoked:
                raise InvalidCredentials("This token is unknown or revoked; request a new one.")
            account = self._maybe_load(api_token.account_id, Account, readonly=True)
            if account is None or not account.active:
                raise InvalidCredentials("This token's account is deactivated.")
            if api_token.generation != account.api_token_generation:
                raise InvalidCredentials(
                    "This token was revoked with all of its account's tokens "
                    "(a password change or signing out everywhere); request a new one."
                )
            if self._now() >= self.token_expiry(api_token):
                raise InvalidCredentials("This token has expired; request a new one.")
            return TokenGrant(
                account.id, api_token.id, api_token.scope, self.token_expiry(api_token)
            )

    def account_for_token(
        self, token: str, *, also: Callable[[UUID], Iterable[UUID | None]] | None = None
    ) -> UUID:
        """The active account a live token belongs to, or InvalidCredentials (see
        ``token_grant``)."""
        return self.token_grant(token, also=also).account_id

    def list_tokens(self, actor_id: UUID) -> list[TokenInfo]:
        """The holder's live tokens, newest first (no secrets: ids, dates, scope, label).
        Tokens issued before the keyring existed are not listed (they expire within
        OPENINNO_API_TOKEN_TTL_SECONDS of the upgrade, and revoking all covers them)."""
        from openinno.domain.token import ApiKeyring, keyring_id

        account = self._actor(actor_id)
        keyring = self._maybe_load(keyring_id(actor_id), ApiKeyring, readonly=True)
        if keyring is None:
            return []
        return [
            TokenInfo(e.token_id, e.issued_at, e.expires_at, e.scope, e.label)
            for e in keyring.live(account.api_token_generation, self._now())
        ]

    @retry_on_conflict
    def revoke_token(self, actor_id: UUID, token: str) -> Recorded:
        from openinno.domain.token import token_sha256, token_stream_id

        return self._revoke_token(actor_id, token_stream_id(token_sha256(token)))

    @retry_on_conflict
    def revoke_token_by_id(self, actor_id: UUID, token_id: UUID) -> Recorded:
        """The holder revokes one of their tokens; anyone else's (or one already
        revoked) is not found."""
        return self._revoke_token(actor_id, token_id)

    def _revoke_token(self, actor_id: UUID, token_id: UUID) -> Recorded:
        from openinno.domain.token import ApiKeyring, ApiToken, keyring_id

        api_token = self._maybe_load(token_id, ApiToken)
        if api_token is None or api_token.account_id != actor_id or api_token.revoked:
            raise NotFound("No such token.")
        at = self._now()
        api_token.revoke(actor_id, at)
        keyring = self._maybe_load(keyring_id(actor_id), ApiKeyring)
        if keyring is not None and api_token.id in keyring.entries:
            keyring.remove(actor_id, api_token.id, at)
        else:
            keyring = None
        return Recorded(api_token.id, self._commit(api_token, keyring))

    @retry_on_conflict
    def revoke_all_tokens(self, actor_id: UUID, reason: str = "revoked by the holder") -> Recorded:
        """Every API token of the account stops working at once (one event on the
        account: a new token generation)."""
        account = self._actor(actor_id, readonly=False)
        account.revoke_api_tokens(actor_id, reason, self._now())
        return Recorded(actor_id, self._commit(account))

    # --- API idempotency ----------------------------------------------------------------------

    def begin_idempotent_request(
        self, actor_id: UUID, key: str, request_sha256: str
    ) -> IdempotentResponse | None:
        """Claim (actor, key) for a request.  None: the caller now holds the key and runs
        the request; a response: the first one, to replay.  A different request under the
        same key is IdempotencyKeyReused; one still in progress is ConcurrentUpdate."""
        from openinno.domain.idempotency import (
            IdempotencyRecord,
            check_key,
            idempotency_record_id,
        )

        record_id = idempotency_record_id(actor_id, check_key(key))
        record = self._maybe_load(record_id, IdempotencyRecord)
        at = self._now()
        if record is None:
            record = IdempotencyRecord(
                id=record_id,
                actor_id=actor_id,
                key=key,
                request_sha256=request_sha256,
                timestamp=at,
            )
        else:
            record.check_same_request(request_sha256)
            if record.state == "completed" and record.status is not None:
                return IdempotentResponse(record.status, record.media_type, record.body)
            record.require_not_in_progress()
            record.reclaim(request_sha256, at)
        try:
            self._commit(record)
        except RecordConflictError:
            raise ConcurrentUpdate(
                "A request with this Idempotency-Key is still in progress; retry shortly."
            ) from None
        return None

    def complete_idempotent_request(
        self, actor_id: UUID, key: str, status: int, media_type: str, body: str
    ) -> None:
        from openinno.domain.idempotency import IdempotencyRecord, idempotency_record_id

        record = self._load(idempotency_record_id(actor_id, key), IdempotencyRecord, "key")
        record.complete(status, media_type, body, self._now())
        self._commit(record)

    def release_idempotent_request(self, actor_id: UUID, key: str, status: int) -> None:
        from openinno.domain.idempotency import IdempotencyRecord, idempotency_record_id

        record = self._load(idempotency_record_id(actor_id, key), IdempotencyRecord, "key")
        record.release(status, self._now())
        self._commit(record)
