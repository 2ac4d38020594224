"""Signed checkpoints: the platform's Ed25519 signature over (tree size, root hash,
time).  Anyone who keeps a copy can later prove the log was not rewritten:
every later checkpoint must be consistent with it (RFC 9162 consistency proofs)."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from openinno.ledger.canonical import canonical_json

# Domain separation: these bytes can never be mistaken for another signed message.
SIGNED_PREFIX = b"openinno checkpoint v1\n"


class Checkpoint(msgspec.Struct, frozen=True):
    tree_size: int
    root_sha256: str
    signed_at: datetime
    key_id: str
    signature: str = ""

    def message(self) -> bytes:
        body = {
            "tree_size": self.tree_size,
            "root_sha256": self.root_sha256,
            "signed_at": self.signed_at,
            "key_id": self.key_id,
        }
        return SIGNED_PREFIX + canonical_json(body)


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(private_key: Ed25519PrivateKey, tree_size: int, root: bytes, at: datetime) -> Checkpoint:
    unsigned = Checkpoint(tree_size, root.hex(), at, key_id(private_key.public_key()))
    signature = private_key.sign(unsigned.message())
    return msgspec.structs.replace(unsigned, signature=base64.b64encode(signature).decode())


def verify(public_key: Ed25519PublicKey, checkpoint: Checkpoint) -> bool:
    if checkpoint.key_id != key_id(public_key):
        return False
    try:
        public_key.verify(base64.b64decode(checkpoint.signature), checkpoint.message())
    except (InvalidSignature, ValueError):
        return False
    return True


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


def public_key_pem(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the public key must be an Ed25519 key")
    return key
