"""Remedies: the decisions that take something back, each with a reason the affected
people see (issue 24).  Who may take each one:

- cancel a challenge: its sponsor's owners and managers until its submission window
  opens (no entry can exist before; the challenge's stream does not learn of each
  entry, see ``Challenge.entries_possible``); an admin at any time before the award;
- disqualify an entry: the sponsor's owners and managers until the challenge is
  awarded; an admin at any time, an awarded entry too (it keeps its place until the
  challenge is re-awarded, which rescinds its agreement: ``reawards``);
- dispute an agreement: its authors, the sponsor's owners and legal members;
  rescind it: the sponsor's owners and legal members;
- deactivate an account: its holder or an admin; every session and API token of it
  ends, so a later reactivation (admins only) revives none of them.
"""

from __future__ import annotations

from uuid import UUID

from openinno.commands.base import CommandBase
from openinno.commands.results import Recorded
from openinno.commands.retry import retry_on_conflict
from openinno.domain import Account, Challenge, IpAgreement, Submission
from openinno.domain.errors import AccessDenied, InvalidInput, InvalidState


class Remedies(CommandBase):
    def _acting_admin(self, actor_id: UUID) -> bool:
        return self._actor(actor_id).is_admin

    @retry_on_conflict
    def cancel_challenge(self, actor_id: UUID, challenge_id: UUID, reason: str) -> Recorded:
        at = self._now()
        if self._acting_admin(actor_id):
            challenge = self._load(challenge_id, Challenge, "challenge")
        else:
            challenge = self._visible_challenge(actor_id, challenge_id)
            self._sponsor(actor_id, challenge, "owner", "manager")
            if challenge.entries_possible(at):
                raise AccessDenied(
                    "Entries may have arrived since submissions opened: only a platform "
                    "admin can cancel this challenge now."
                )
        challenge.cancel(actor_id, reason, at)
        return Recorded(challenge_id, self._commit(challenge))

    @retry_on_conflict
    def disqualify_submission(self, actor_id: UUID, submission_id: UUID, reason: str) -> Recorded:
        if not self._acting_admin(actor_id):
            self.get_submission(actor_id, submission_id)  # NotFound where it is not seen
        submission = self._load(submission_id, Submission, "submission")
        if not self._acting_admin(actor_id):
            challenge = self._load(submission.challenge_id, Challenge, "challenge", readonly=True)
            self._sponsor(actor_id, challenge, "owner", "manager")
            if challenge.status == "awarded":
                raise AccessDenied(
                    "The challenge is awarded: only a platform admin can disqualify its entries now."
                )
        # An admin may disqualify an awarded entry: it keeps its place until the
        # challenge is re-awarded (``openinno.commands.reawards``).
        submission.disqualify(
            actor_id, reason, self._now(), after_award=self._acting_admin(actor_id)
        )
        return Recorded(submission_id, self._commit(submission))

    @retry_on_conflict
    def dispute_agreement(self, actor_id: UUID, agreement_id: UUID, reason: str) -> Recorded:
        agreement = self._load(agreement_id, IpAgreement, "agreement")
        if actor_id not in agreement.authors:
            agreement = self._sponsor_agreement(actor_id, agreement_id, "owner", "legal")
        agreement.dispute(actor_id, reason, self._now())
        return Recorded(agreement_id, self._commit(agreement))

    @retry_on_conflict
    def rescind_agreement(self, actor_id: UUID, agreement_id: UUID, reason: str) -> Recorded:
        agreement = self._sponsor_agreement(actor_id, agreement_id, "owner", "legal")
        agreement.rescind(actor_id, reason, self._now())
        return Recorded(agreement_id, self._commit(agreement))

    @retry_on_conflict
    def deactivate_account(self, actor_id: UUID, account_id: UUID, reason: str) -> Recorded:
        admin = self._acting_admin(actor_id)
        if actor_id != account_id and not admin:
            raise AccessDenied("Only the account holder or an admin can deactivate it.")
        if actor_id != account_id and not reason.strip():
            raise InvalidInput("Say why the account is deactivated.", field="reason")
        account = self._load(account_id, Account, "account")
        if not account.active:
            raise InvalidState("This account is already deactivated.")
        at = self._now()
        account.deactivate(actor_id, reason, at)
        # Its sessions and tokens end for good: a reactivation must not revive them.
        account.revoke_api_tokens(actor_id, "account deactivated", at)
        return Recorded(account_id, self._commit(account))

    @retry_on_conflict
    def reactivate_account(self, actor_id: UUID, account_id: UUID, reason: str) -> Recorded:
        if not self._acting_admin(actor_id):
            raise AccessDenied("Only an admin can reactivate an account.")
        account = self._load(account_id, Account, "account")
        account.reactivate(actor_id, reason, self._now())
        return Recorded(account_id, self._commit(account))
