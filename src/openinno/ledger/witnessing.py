"""The log's side of witnessing: each new checkpoint note is submitted to the
configured witnesses (OPENINNO_WITNESSES) as c2sp.org/tlog-witness add-checkpoint
requests, with a consistency proof from the size each witness last cosigned; the
cosignature lines they answer with are checked against their keys and stored,
and evidence bundles carry them (the note with every cosignature)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

from openinno.ledger.evidence_verifier import (
    NOTE_COSIGNATURE,
    NoteKey,
    parse_vkey,
    signatures_by,
    split_note,
)

TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class WitnessConfig:
    name: str
    url: str
    key: NoteKey


def parse_witnesses(text: str) -> list[WitnessConfig]:
    """OPENINNO_WITNESSES: a JSON list of {"name", "url", "public_key"}, the public
    key as the witness's verifier key (name+id+key, type 0x04), named as ``name``."""
    if not text.strip():
        return []
    try:
        items = json.loads(text)
    except ValueError as e:
        raise ValueError(f"OPENINNO_WITNESSES is not JSON: {e}") from None
    if not isinstance(items, list):
        raise ValueError("OPENINNO_WITNESSES must be a JSON list of witnesses")
    witnesses = []
    for item in items:
        if not isinstance(item, dict) or set(item) != {"name", "url", "public_key"}:
            raise ValueError(
                'OPENINNO_WITNESSES: each witness is {"name": …, "url": …, "public_key": …}'
            )
        key = parse_vkey(str(item["public_key"]))
        if key.signature_type != NOTE_COSIGNATURE or key.name != item["name"]:
            raise ValueError(
                f"OPENINNO_WITNESSES: {item['name']}: the public key must be its"
                " cosignature/v1 verifier key, under the same name"
            )
        if not str(item["url"]).startswith(("http://", "https://")):
            raise ValueError(f"OPENINNO_WITNESSES: {item['name']}: the url must be http(s)")
        witnesses.append(WitnessConfig(item["name"], str(item["url"]).rstrip("/"), key))
    if len({w.name for w in witnesses}) != len(witnesses):
        raise ValueError("OPENINNO_WITNESSES: two witnesses share a name")
    return witnesses


@dataclass(frozen=True)
class Reply:
    status: int  # 0: the witness could not be reached
    body: str


def add_checkpoint(witness: WitnessConfig, note: str, old: int, proof: Sequence[bytes]) -> Reply:
    lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof)]
    request = urllib.request.Request(
        witness.url + "/add-checkpoint",
        data=("\n".join(lines) + "\n\n" + note).encode(),
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return Reply(response.status, response.read().decode())
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read().decode(errors="replace"))
    except (OSError, ValueError) as e:
        return Reply(0, str(e))


def cosignature_from(witness: WitnessConfig, note: str, reply_body: str) -> str | None:
    """The witness's own valid cosignature line in its reply, else None (lines of
    other keys are ignored, as tlog-witness requires)."""
    body = note[: note.rfind("\n\n") + 1]
    for line in reply_body.splitlines(keepends=True):
        try:
            text, signatures = split_note(body + "\n" + line)
        except ValueError:
            continue
        verdicts = signatures_by(witness.key, text, signatures)
        if verdicts and None not in verdicts:
            return line
    return None
