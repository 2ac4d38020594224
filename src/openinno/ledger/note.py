"""Checkpoints as C2SP signed notes (c2sp.org/tlog-checkpoint, c2sp.org/signed-note):
the form that standard transparency-log witnesses cosign.  The platform signs the
note with its checkpoint key under the log's *origin* as key name; witnesses add
cosignature lines (c2sp.org/tlog-cosignature).  Parsing and verifying live in the
standalone verifier (evidence_verifier.py), which needs them too."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openinno.ledger.checkpoint import Signer
from openinno.ledger.evidence_verifier import (
    NOTE_COSIGNATURE,
    NOTE_ED25519,
    NoteKey,
    checkpoint_body,
    cosignature_message,
    note_key_id,
    signature_line,
    vkey,
)

__all__ = ["cosign", "log_vkey", "sign_checkpoint", "witness_vkey"]


def sign_checkpoint(
    private_key: Signer,
    origin: str,
    tree_size: int,
    root: bytes,
    heads: tuple[int, bytes] | None = None,
) -> str:
    """The checkpoint note with the log's own signature line; with ``heads`` (entries,
    root of the map of stream heads), its openinno-heads/1 extension line."""
    body = checkpoint_body(origin, tree_size, root, heads)
    key_id = note_key_id(origin, NOTE_ED25519, private_key.public_key())
    return body + "\n" + signature_line(origin, key_id, private_key.sign(body.encode()))


def cosign(private_key: Ed25519PrivateKey, name: str, body: str, timestamp: int) -> str:
    """A witness's cosignature/v1 line over a checkpoint body, at ``timestamp``."""
    key_id = note_key_id(name, NOTE_COSIGNATURE, private_key.public_key())
    signature = private_key.sign(cosignature_message(body, timestamp))
    return signature_line(name, key_id, timestamp.to_bytes(8, "big") + signature)


def log_vkey(private_key: Signer, origin: str) -> str:
    """The verifier key a witness is configured with for this log."""
    return vkey(origin, NOTE_ED25519, private_key.public_key())


def witness_vkey(private_key: Ed25519PrivateKey, name: str) -> str:
    """The verifier key a log and a verification policy name this witness by."""
    return vkey(name, NOTE_COSIGNATURE, private_key.public_key())


def note_key(private_key: Ed25519PrivateKey, name: str, signature_type: int) -> NoteKey:
    return NoteKey(name, signature_type, private_key.public_key())
