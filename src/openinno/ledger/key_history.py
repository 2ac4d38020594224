"""Signing the records of the signing keys' history (domain/signing_keys.py): an
announcement is signed by the key before (endorsement) and by the new key itself
(acceptance); a revocation by a key of the history at or after the one revoked.
The messages are the standalone verifier's, so what is signed here is what it checks."""

from __future__ import annotations

import base64
from typing import Any

from openinno.ledger.checkpoint import Signer
from openinno.ledger.evidence_verifier import (
    key_announcement_message,
    key_id,
    key_revocation_message,
    raw_public_key,
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def announcement(new: Signer, sequence: int, previous: Signer | None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "sequence": sequence,
        "key_id": key_id(new.public_key()),
        "public_key": _b64(raw_public_key(new.public_key())),
        "previous_key_id": key_id(previous.public_key()) if previous else "",
    }
    message = key_announcement_message(record)
    record["endorsement"] = _b64(previous.sign(message)) if previous else ""
    record["acceptance"] = _b64(new.sign(message))
    return record


def revocation(
    signer: Signer, revoked_key_id: str, valid_until_tree_size: int, reason: str
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "key_id": revoked_key_id,
        "valid_until_tree_size": valid_until_tree_size,
        "reason": reason,
        "revoked_by_key_id": key_id(signer.public_key()),
    }
    record["signature"] = _b64(signer.sign(key_revocation_message(record)))
    return record
