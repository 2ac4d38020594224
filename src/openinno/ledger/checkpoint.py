"""Signed checkpoints: the platform's Ed25519 signature over (tree size, root hash,
time).  Anyone who keeps a copy can later prove the log was not rewritten:
every later checkpoint must be consistent with it (RFC 9162 consistency proofs)."""

from __future__ import annotations

import base64
import importlib
from datetime import datetime
from typing import Any, Protocol

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from openinno.ledger.evidence_verifier import (
    CHECKPOINT_PREFIX,
    checkpoint_message,
    checkpoint_verifies,
    key_id,
    load_public_key,
)

# Domain separation: these bytes can never be mistaken for another signed message.
SIGNED_PREFIX = CHECKPOINT_PREFIX
__all__ = [
    "SIGNED_PREFIX",
    "Checkpoint",
    "Signer",
    "key_id",
    "load_public_key",
    "load_signer",
    "sign",
    "verify",
]


class Signer(Protocol):
    """What signs checkpoints: an Ed25519 private key from a file, or an object an
    operator's hook returns (OPENINNO_SIGNER: a key in a PKCS#11 token or a KMS),
    which never hands out the private key."""

    def sign(self, data: bytes) -> bytes: ...

    def public_key(self) -> Ed25519PublicKey: ...


def load_signer(spec: str, settings: Any) -> Signer:
    """OPENINNO_SIGNER="package.module:factory": ``factory(settings)`` returns a Signer
    (docs/operations.md); its public key must be Ed25519."""
    module, _, name = spec.partition(":")
    if not module or not name:
        raise ValueError(f"OPENINNO_SIGNER must be module:factory, not {spec!r}")
    signer: Signer = getattr(importlib.import_module(module), name)(settings)
    if not isinstance(signer.public_key(), Ed25519PublicKey):
        raise ValueError(f"OPENINNO_SIGNER {spec}: its public key is not an Ed25519 key")
    return signer


class Checkpoint(msgspec.Struct, frozen=True):
    tree_size: int
    root_sha256: str
    signed_at: datetime
    key_id: str
    signature: str = ""

    def message(self) -> bytes:
        # The verifier's own definition: what is signed here is what it checks.
        return checkpoint_message(msgspec.to_builtins(self))


def sign(private_key: Signer, tree_size: int, root: bytes, at: datetime) -> Checkpoint:
    unsigned = Checkpoint(tree_size, root.hex(), at, key_id(private_key.public_key()))
    signature = private_key.sign(unsigned.message())
    return msgspec.structs.replace(unsigned, signature=base64.b64encode(signature).decode())


def verify(public_key: Ed25519PublicKey, checkpoint: Checkpoint) -> bool:
    return checkpoint_verifies(public_key, msgspec.to_builtins(checkpoint))


def generate_private_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the signing key must be an Ed25519 private key")
    return key


def public_key_pem(private_key: Signer) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
