"""Everything the platform holds about a person (GDPR Art. 15 and 20), as JSON written a
piece at a time: their account as it stands, what a legal hold keeps, and every event
that names them (as the actor, as the stream, or as whose personal data it holds), each
with its personal fields decrypted.  Read from the log itself, a page at a time, so an
export of a long history is never held whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import msgspec

from openinno.privacy.sealing import MARK

PAGE = 1_000
# Secrets, not data about the person: never written out (a stolen export must not be a
# way in).
SECRETS = frozenset({"password_hash", "token", "token_sha256", "token_hash"})
_encode = msgspec.json.Encoder(decimal_format="string", uuid_format="canonical").encode


def _concerns(payload: dict[str, Any], person: str, stream_id: str) -> bool:
    mark = payload.get(MARK)
    return (
        stream_id == person
        or str(payload.get("actor_id")) == person
        or (isinstance(mark, dict) and mark.get("subject") == person)
    )


def export_chunks(app: Any, account_id: UUID, header: dict[str, Any]) -> Iterator[bytes]:
    """``header``: the account's own fields and holds, written first."""
    person = str(account_id)
    needle = person.encode()
    mapper = app.mapper
    yield b'{"format":"openinno-personal-data/1",'
    for key, value in header.items():
        yield _encode(key) + b":" + _encode(value) + b","
    yield b'"events":['
    first = True
    start = 1
    while True:
        page = app.recorder.select_notifications(start, PAGE)
        for n in page:
            # Most events never name the person: skip them before decoding (unless the
            # whole payload is encrypted at rest, OPENINNO_CIPHER_KEY).
            if mapper.cipher is None and needle not in n.state:
                continue
            raw = msgspec.json.decode(_stored_json(mapper, n.state))
            if not _concerns(raw, person, str(n.originator_id)):
                continue
            event = {
                "position": n.id,
                "stream_id": str(n.originator_id),
                "version": n.originator_version,
                "type": n.topic.rsplit(":", 1)[-1],
                "data": {k: v for k, v in mapper.to_payload(n).items() if k not in SECRETS},
            }
            yield (b"" if first else b",") + _encode(event)
            first = False
        if len(page) < PAGE:
            break
        start = page[-1].id + 1
    yield b"]}"


def _stored_json(mapper: Any, state: bytes) -> bytes:
    from openinno.persistence.write_proof import unseal

    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    return unseal(state)[1]
