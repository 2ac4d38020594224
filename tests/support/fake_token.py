"""A stand-in for a PKCS#11 token or a KMS behind OPENINNO_SIGNER: it signs, and never
hands out its private key.  Its keys are derived from the data directory, so a test
can know their public halves."""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)


class TokenKey:
    def __init__(self, seed: bytes) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed).digest())
        self.signed = 0

    def sign(self, data: bytes) -> bytes:
        self.signed += 1
        return self._key.sign(data)

    def public_key(self) -> Ed25519PublicKey:
        return self._key.public_key()


def first_key(settings: Any) -> TokenKey:
    return TokenKey(f"{settings.data_dir}:first".encode())


def second_key(settings: Any) -> TokenKey:
    return TokenKey(f"{settings.data_dir}:second".encode())
