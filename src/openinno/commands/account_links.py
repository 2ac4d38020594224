"""E-mail verification and password reset by mailed link (issue 23).

The commands record what happened on the Account stream; the mails themselves are
queued by the notifications read model (``Account.Registered`` and
``Account.EmailVerificationRequested`` queue a verification link,
``Account.PasswordResetRequested`` a reset link) and sent by the outbox's sender.
The links are signed by the web front (``web.account_links``); what a command gets
is what a genuine link says, and it checks the rest against the log: the address
still the account's, the link not expired by the injected clock, a reset not used."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from openinno.commands.base import CommandBase
from openinno.commands.results import Recorded
from openinno.domain import Account, EmailClaim, ids
from openinno.domain.errors import InvalidInput, InvalidState
from openinno.domain.values import normalise_email


class AccountLinks(CommandBase):
    def request_email_verification(self, actor_id: UUID) -> Recorded:
        """The verification link mailed again (the resend page)."""
        account = self._actor(actor_id, readonly=False)
        account.request_email_verification(actor_id, self._now())
        return Recorded(actor_id, self._commit(account))

    def verify_email(self, account_id: UUID, email: str, expires_at: datetime) -> Recorded:
        """What a genuine verification link says: whose, which address, until when.
        Following it again records nothing (position 0)."""
        account = self._maybe_load(account_id, Account)
        if account is None or not account.active:
            raise InvalidState("This link is not valid.")
        before = account.version
        account.verify_email(account_id, email, expires_at, self._now())
        if account.version == before:
            return Recorded(account_id, 0)
        return Recorded(account_id, self._commit(account))

    def request_password_reset(self, email: str) -> Recorded | None:
        """A reset link for the account of ``email``, if there is an active one; None
        otherwise.  The caller answers both alike (no account enumeration); for an
        unknown address the same reads are made and a reset id is made all the same."""
        reset_id = uuid4()
        try:
            normalised = normalise_email(email)
        except InvalidInput:
            return None
        claim = self._maybe_load(ids.email_claim_id(normalised), EmailClaim)
        account = self._maybe_load(claim.account_id, Account) if claim is not None else None
        if account is None or not account.active:
            return None
        account.request_password_reset(account.id, reset_id, self._now())
        return Recorded(account.id, self._commit(account))

    def require_password_reset_usable(self, account_id: UUID, reset_id: UUID) -> None:
        """InvalidState unless the reset link may still be used (the form's GET)."""
        account = self._maybe_load(account_id, Account, readonly=True)
        if account is None or not account.active:
            raise InvalidState("This link was already used or is not valid. Ask for a new one.")
        account.require_reset_usable(reset_id, self._now())

    def reset_password(self, account_id: UUID, reset_id: UUID, new_password: str) -> Recorded:
        """A new password by a genuine reset link: once, before it expires.  Every
        session and API token of the account ends with it (a new token generation, in
        the same transaction)."""
        account = self._maybe_load(account_id, Account)
        if account is None or not account.active:
            raise InvalidState("This link was already used or is not valid. Ask for a new one.")
        at = self._now()
        # The link is checked before the (slow) hash: a used link costs no argon2 work.
        account.require_reset_usable(reset_id, at)
        account.reset_password(account_id, reset_id, self.passwords.hash(new_password), at)
        account.revoke_api_tokens(account_id, "password reset", at)
        return Recorded(account_id, self._commit(account))
