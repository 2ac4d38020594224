"""The history of the ledger's checkpoint signing keys (issue 22, finding 7), one
stream in the log itself, so that every announcement and revocation is a leaf
under the checkpoints and in the bundles.

Each key after the first is announced signed by the key before it (its
*endorsement*) and by itself (its *acceptance*: it holds the private key and names
its predecessor), over the same message (ledger/evidence_verifier.py,
``key_announcement_message``).  So trusting any key of the history means trusting
the chain, both ways; a key announced without the previous key's signature is
refused here and by every verifier.  A *revocation* names a key and the largest
tree size its checkpoints are still honoured for (a key that leaked: the trees it
signed before the leak), signed by a key of the history.

The signatures are checked by the command (commands/signing_keys.py) before an
event is recorded; this aggregate keeps the order: sequence numbers without gaps,
each announcement naming the latest key as its predecessor.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from openinno.domain.errors import InvalidInput, InvalidState
from openinno.domain.ids import NAMESPACE

HISTORY_ID = uuid5(NAMESPACE, "ledger-signing-keys")


class SigningKeys(Aggregate):
    class Started(Aggregate.Created):
        """The first key of the history (sequence 0; no predecessor, no endorsement)."""

        sequence: int
        key_id: str
        public_key: str  # base64 of the 32-byte Ed25519 public key
        previous_key_id: str
        endorsement: str
        acceptance: str

    @event(Started)
    def __init__(
        self,
        id: UUID,
        sequence: int,
        key_id: str,
        public_key: str,
        previous_key_id: str,
        endorsement: str,
        acceptance: str,
        timestamp: datetime,
    ) -> None:
        self.key_ids = [key_id]
        self.revoked: dict[str, int] = {}
        # The signed records as verifiers read them (`openinno keys history`).
        self.announcements = [
            _announcement(sequence, key_id, public_key, previous_key_id, endorsement, acceptance)
        ]
        self.revocations: list[dict[str, object]] = []

    @classmethod
    def start(cls, key_id: str, public_key: str, acceptance: str, at: datetime) -> SigningKeys:
        return cls(
            id=HISTORY_ID,
            sequence=0,
            key_id=key_id,
            public_key=public_key,
            previous_key_id="",
            endorsement="",
            acceptance=acceptance,
            timestamp=at,
        )

    @property
    def current_key_id(self) -> str:
        return self.key_ids[-1]

    class KeyAnnounced(Aggregate.Event):
        sequence: int
        key_id: str
        public_key: str
        previous_key_id: str
        endorsement: str
        acceptance: str

    def announce(
        self,
        sequence: int,
        key_id: str,
        public_key: str,
        previous_key_id: str,
        endorsement: str,
        acceptance: str,
        at: datetime,
    ) -> None:
        if sequence != len(self.key_ids) or previous_key_id != self.current_key_id:
            raise InvalidState(
                "A new key follows key %(key)s at sequence %(sequence)s.",
                key=str(self.current_key_id),
                sequence=len(self.key_ids),
            )
        if key_id in self.key_ids:
            raise InvalidInput("This key is already in the history.", field="key_id")
        self._announced(sequence, key_id, public_key, previous_key_id, endorsement, acceptance, at)

    @event(KeyAnnounced)
    def _announced(
        self,
        sequence: int,
        key_id: str,
        public_key: str,
        previous_key_id: str,
        endorsement: str,
        acceptance: str,
        timestamp: datetime,
    ) -> None:
        self.key_ids.append(key_id)
        self.announcements.append(
            _announcement(sequence, key_id, public_key, previous_key_id, endorsement, acceptance)
        )

    class KeyRevoked(Aggregate.Event):
        key_id: str
        valid_until_tree_size: int
        reason: str
        revoked_by_key_id: str
        signature: str

    def revoke(
        self,
        key_id: str,
        valid_until_tree_size: int,
        reason: str,
        revoked_by_key_id: str,
        signature: str,
        at: datetime,
    ) -> None:
        if key_id not in self.key_ids or revoked_by_key_id not in self.key_ids:
            raise InvalidInput("Both keys must be in the history.", field="key_id")
        if self.key_ids.index(revoked_by_key_id) < self.key_ids.index(key_id):
            raise InvalidInput("A key is revoked by itself or a later key.", field="key_id")
        if valid_until_tree_size < 0:
            raise InvalidInput("The tree size is not negative.", field="valid_until_tree_size")
        if key_id in self.revoked and self.revoked[key_id] <= valid_until_tree_size:
            raise InvalidState("This key is already revoked from that size.")
        self._revoked(key_id, valid_until_tree_size, reason, revoked_by_key_id, signature, at)

    @event(KeyRevoked)
    def _revoked(
        self,
        key_id: str,
        valid_until_tree_size: int,
        reason: str,
        revoked_by_key_id: str,
        signature: str,
        timestamp: datetime,
    ) -> None:
        self.revoked[key_id] = valid_until_tree_size
        self.revocations.append(
            {
                "key_id": key_id,
                "valid_until_tree_size": valid_until_tree_size,
                "reason": reason,
                "revoked_by_key_id": revoked_by_key_id,
                "signature": signature,
            }
        )


def _announcement(
    sequence: int,
    key_id: str,
    public_key: str,
    previous_key_id: str,
    endorsement: str,
    acceptance: str,
) -> dict[str, object]:
    return {
        "sequence": sequence,
        "key_id": key_id,
        "public_key": public_key,
        "previous_key_id": previous_key_id,
        "endorsement": endorsement,
        "acceptance": acceptance,
    }
