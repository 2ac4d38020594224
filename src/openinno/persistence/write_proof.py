"""Write proofs: each event the application records carries an HMAC-SHA256, by a
*write key* the database never holds, over the event's canonical form (stream id,
version, topic, canonical payload).  Someone who can only write to the database
cannot make one, so the ledger admits into the signed log only events that carry
a valid proof (ledger/admission.py) and `openinno audit` names every row without.

Where the proof lives: in front of the payload bytes, before compression and
encryption, as ``MAGIC + tag + payload``.  A JSON payload never starts with a NUL
byte, so old events (no proof) and new ones are told apart by the first byte, and
the payload itself (which the Merkle leaves hash) is unchanged.

Why canonical: the payload the proof covers is the canonical JSON the ledger's
leaves use (keys sorted at every depth), which the mapper writes directly
(``order="sorted"``), so proving costs one HMAC over bytes already encoded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path
from uuid import UUID

import msgspec

MAGIC = b"\x00wp1"
TAG_BYTES = 32
KEY_BYTES = 32
# Domain separation: a write proof can never pass for any other MAC made with the key.
_PROOF_PREFIX = b"openinno write proof v1\n"
_CUTOVER_PREFIX = b"openinno write proofs required from position v1\n"


class WriteKey:
    """The secret that proves "the application wrote this"."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < KEY_BYTES:
            raise ValueError(f"a write key has at least {KEY_BYTES} bytes")
        self._secret = secret

    @property
    def key_id(self) -> str:
        """Names the key without revealing it (for status lines and docs)."""
        return hashlib.sha256(b"openinno write key id\n" + self._secret).hexdigest()[:16]

    def prove(self, stream_id: UUID | str, version: int, topic: str, payload: bytes) -> bytes:
        """``payload``: the canonical JSON of the event's payload."""
        return hmac.digest(
            self._secret, proof_message(stream_id, version, topic, payload), "sha256"
        )

    def check(
        self, tag: bytes, stream_id: UUID | str, version: int, topic: str, payload: bytes
    ) -> bool:
        return hmac.compare_digest(tag, self.prove(stream_id, version, topic, payload))

    def tag_cutover(self, position: int) -> str:
        return hmac.digest(self._secret, _CUTOVER_PREFIX + str(position).encode(), "sha256").hex()

    def check_cutover(self, position: int, tag: str) -> bool:
        return hmac.compare_digest(tag, self.tag_cutover(position))


_framer = msgspec.json.Encoder(uuid_format="canonical", order="sorted")


def proof_message(stream_id: UUID | str, version: int, topic: str, payload: bytes) -> bytes:
    framed = {
        # A UUID as msgspec writes it: its canonical text (str() costs twice as much).
        "stream_id": stream_id,
        "version": version,
        "topic": topic,
        "payload": msgspec.Raw(payload),
    }
    return _PROOF_PREFIX + _framer.encode(framed)


def seal(tag: bytes, payload: bytes) -> bytes:
    return MAGIC + tag + payload


def unseal(data: bytes) -> tuple[bytes | None, bytes]:
    """(the proof, or None for an event stored without one; the payload)."""
    if data[:1] != MAGIC[:1]:
        return None, data
    if data[: len(MAGIC)] != MAGIC or len(data) < len(MAGIC) + TAG_BYTES:
        # Starts like a proof but is not one: a proof that cannot be right.
        return b"", data[len(MAGIC) + TAG_BYTES :]
    return data[len(MAGIC) : len(MAGIC) + TAG_BYTES], data[len(MAGIC) + TAG_BYTES :]


def generate_key_text() -> bytes:
    return base64.b64encode(os.urandom(KEY_BYTES)) + b"\n"


def load_key(path: Path) -> WriteKey | None:
    """The write key in ``path`` (base64 text), or None if there is no such file."""
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return None
    return WriteKey(base64.b64decode(text.strip(), validate=True))
