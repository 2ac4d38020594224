"""The ledger signing keys' history (domain/signing_keys.py): announcements and
revocations, recorded only when their signatures hold.  Operator commands (`openinno
keys rotate|revoke`), not user actions: whoever runs them holds the keys."""

from __future__ import annotations

from typing import Any

from openinno.commands.base import CommandBase
from openinno.domain.errors import InvalidInput
from openinno.domain.signing_keys import HISTORY_ID, SigningKeys
from openinno.ledger.evidence_verifier import KEY_HISTORY_FORMAT, key_chain


class SigningKeyHistory(CommandBase):
    def signing_key_history(self) -> dict[str, Any]:
        """The history as verifiers read it (`verify --key-history`)."""
        history = self._maybe_load(HISTORY_ID, SigningKeys, readonly=True)
        return {
            "format": KEY_HISTORY_FORMAT,
            "announcements": list(history.announcements) if history else [],
            "revocations": list(history.revocations) if history else [],
        }

    def announce_signing_key(self, record: dict[str, Any]) -> int:
        """Record a key (the first, sequence 0, or the next, endorsed by the latest)."""
        history = self._maybe_load(HISTORY_ID, SigningKeys)
        known = self.signing_key_history()
        _, problem = key_chain([*known["announcements"], record], known["revocations"])
        if problem:
            raise InvalidInput("Key history: %(problem)s.", field="endorsement", problem=problem)
        fields = {k: record[k] for k in ("key_id", "public_key", "acceptance")}
        if history is None:
            if record["sequence"] != 0:
                raise InvalidInput("The history starts at sequence 0.", field="sequence")
            return self._commit(SigningKeys.start(**fields, at=self._now()))
        history.announce(
            record["sequence"],
            record["key_id"],
            record["public_key"],
            record["previous_key_id"],
            record["endorsement"],
            record["acceptance"],
            self._now(),
        )
        return self._commit(history)

    def revoke_signing_key(self, record: dict[str, Any]) -> int:
        history = self._maybe_load(HISTORY_ID, SigningKeys)
        if history is None:
            raise InvalidInput("There is no key history to revoke a key of.", field="key_id")
        known = self.signing_key_history()
        _, problem = key_chain(known["announcements"], [*known["revocations"], record])
        if problem:
            raise InvalidInput("Key history: %(problem)s.", field="signature", problem=problem)
        history.revoke(
            record["key_id"],
            record["valid_until_tree_size"],
            record["reason"],
            record["revoked_by_key_id"],
            record["signature"],
            self._now(),
        )
        return self._commit(history)
