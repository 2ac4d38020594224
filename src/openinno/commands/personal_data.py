"""Erasure of a person's personal data (GDPR Art. 17) by shredding their keys, and what a
legal hold keeps (decision 0032).  The export (Art. 15, 20) is a read: web/personal_export.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from openinno.commands.base import CommandBase
from openinno.commands.results import Recorded
from openinno.domain import Account
from openinno.domain.errors import AccessDenied, InvalidInput
from openinno.domain.personal_fields import PERSON
from openinno.domain.vote import Vote

if TYPE_CHECKING:
    from openinno.privacy.keys import PersonalKeys

HOLD_PREFIX = "hold:"
# Why a legal hold keeps what it keeps: told to the person with the list.
HOLD_REASON = (
    "Your signature on an IP agreement is kept while claims under the agreement can be"
    " brought (GDPR Art. 17(3)(e))."
)


@dataclass(frozen=True)
class ErasureRecorded(Recorded):
    """``kept``: what a legal hold keeps (``kind:id``); ``shredded``: the key scopes
    destroyed now (empty when a second request found everything shredded already)."""

    kept: tuple[str, ...]
    shredded: tuple[str, ...]


class PersonalDataCommands(CommandBase):
    @property
    def personal_keys(self) -> PersonalKeys:
        keys = cast(Any, self).mapper.personal
        assert keys is not None, "the application always has personal-data keys"
        return cast("PersonalKeys", keys)

    def legal_holds(self, account_id: UUID) -> list[str]:
        """What a legal hold keeps of the person, as ``kind:id``: their signatures on IP
        agreements (kept for legal claims, Art. 17(3)(e))."""
        return [
            "signature:" + scope[len(HOLD_PREFIX) :]
            for scope, live in self.personal_keys.scopes(str(account_id))
            if scope.startswith(HOLD_PREFIX) and live
        ]

    def erase_my_personal_data(self, actor_id: UUID, password: str) -> ErasureRecorded:
        """The person's own request, confirmed by their password."""
        account = self._actor(actor_id)
        if not self.passwords.verify(account.password_hash, password):
            # A form error, not a 401: the person is signed in, the confirmation is wrong.
            raise InvalidInput("Your current password is wrong.", field="password")
        return self._erase(actor_id, actor_id, "the person's request")

    def erase_personal_data(self, actor_id: UUID, account_id: UUID, reason: str) -> ErasureRecorded:
        """An admin on the person's behalf (a request by post, a court order), with a reason."""
        if not self._actor(actor_id).is_admin:
            raise AccessDenied("Only an admin can erase another person's data.")
        if not reason.strip():
            raise InvalidInput("Say why the data is erased.", field="reason")
        return self._erase(actor_id, account_id, reason.strip())

    def _erase(self, actor_id: UUID, account_id: UUID, reason: str) -> ErasureRecorded:
        account = self._load(account_id, Account, "account")
        kept = tuple(self.legal_holds(account_id))
        position = 0
        if not account.erased:
            account.erase(actor_id, reason, kept, self._now())
            position = self._commit(account)
        # Recorded first, then shredded: a crash between leaves an erased account whose
        # keys a second request (or `openinno personal-data erase`) shreds.
        shredded = self.shred_personal_data(account_id, reason)
        return ErasureRecorded(account_id, position, kept, tuple(shredded))

    def retire_vote_signals(self, votes: list[tuple[UUID, UUID]], reason: str) -> int:
        """Retention: for each (vote id, voter id), record ``Vote.SignalsShredded`` and
        destroy the key of the vote's IP address and user agent; how many were retired."""
        keys = self.personal_keys
        done = 0
        for vote_id, voter_id in votes:
            vote = self._load(vote_id, Vote, "vote")
            if not getattr(vote, "signals_shredded", False):
                vote.shred_signals(reason, self._now())
                self._commit(vote)
                done += 1
            # Recorded first, then shredded (a crash between: the next run shreds it).
            keys.shred(str(voter_id), [f"vote:{vote_id}"], reason)
        return done

    def shred_personal_data(self, account_id: UUID, reason: str) -> list[str]:
        """Destroy every key of the person but those a legal hold keeps; the scopes shredded."""
        keys = self.personal_keys
        subject = str(account_id)
        scopes = [s for s, _ in keys.scopes(subject) if not s.startswith(HOLD_PREFIX)]
        if PERSON not in scopes:
            scopes.append(PERSON)
        return keys.shred(subject, scopes, reason)
