"""`openinno verify` in process: the bundle and checkpoints as the platform's types,
handed as plain JSON values to the one verifier (evidence_verifier.py), which a
legal team can also run on its own with only `cryptography` installed."""

from __future__ import annotations

from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.bundle import ConsistencyProof, EvidenceBundle
from openinno.ledger.evidence_verifier import Check, Verification
from openinno.ledger.evidence_verifier import verify_bundle as verify_plain

__all__ = ["Check", "Verification", "verify_bundle"]


def _plain(value: Any) -> Any:
    return None if value is None else msgspec.to_builtins(value)


def verify_bundle(
    bundle: EvidenceBundle,
    public_key: Ed25519PublicKey | None = None,
    outside_checkpoint: checkpoints.Checkpoint | None = None,
    since: checkpoints.Checkpoint | None = None,
    consistency: ConsistencyProof | None = None,
) -> Verification:
    return verify_plain(
        _plain(bundle), public_key, _plain(outside_checkpoint), _plain(since), _plain(consistency)
    )
