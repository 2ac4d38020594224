"""The canonical form of a recorded event: the bytes that become a Merkle leaf.

    canonical_json({
        "position": <notification id in the application log>,
        "stream_id": "<uuid, canonical lowercase form>",
        "version": <position of the event in its stream, from 1>,
        "topic": "<module:Class.Event>",
        "payload": <the event's plaintext payload as a JSON object>,
    })

canonical_json = UTF-8 JSON, object keys sorted by code point at every depth,
no insignificant whitespace, strings as msgspec writes them (non-ASCII kept as
UTF-8, not escaped).  The payload is the plaintext even when the store encrypts
at rest, so a bundle can be checked without the platform's key.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

_decode = msgspec.json.Decoder()


def canonical_json(value: Any) -> bytes:
    return msgspec.json.encode(value, order="sorted")


def canonical_event(
    position: int, stream_id: UUID | str, version: int, topic: str, payload_json: bytes
) -> bytes:
    return canonical_json(
        {
            "position": position,
            "stream_id": str(stream_id),
            "version": version,
            "topic": topic,
            "payload": _decode.decode(payload_json),
        }
    )


def parse_canonical_event(data: bytes) -> dict[str, Any]:
    """Read a canonical event back, refusing bytes that are not in canonical form."""
    value = _decode.decode(data)
    if not isinstance(value, dict) or set(value) != {
        "position",
        "stream_id",
        "version",
        "topic",
        "payload",
    }:
        raise ValueError("not a canonical event: wrong fields")
    if canonical_json(value) != data:
        raise ValueError("not a canonical event: bytes are not in canonical form")
    return value
