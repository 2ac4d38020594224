"""The openinno evidence verifier: checks an evidence bundle offline, with nothing but
Python 3.11+ and the ``cryptography`` package.  No database, no network, no openinno.

This one file is the verifier: `openinno verify` runs the same code, and a legal
team can run it on its own:

    python -m venv v && v/bin/pip install cryptography
    v/bin/python evidence_verifier.py evidence.json --public-key platform.pem \\
        [--checkpoint my-checkpoint.json] [--since my-old-checkpoint.json|.note \\
        [--consistency-proof proof.json]] [--witness VKEY ... [--witness-quorum N]] \\
        [--fresher fresher.json]

Exit status: 0 verified; 1 not verified, UNAUTHENTICATED (no --public-key: the
signature was checked only against the key the bundle carries), INCONSISTENT
(a fork) or STALE (a fresher checkpoint shows newer events of the bundle's
streams); 2 unreadable input.

It checks, and names the first thing that fails in each area:
  0. the bundle's format: its version, and the JSON Schema (docs/evidence-bundle.schema.json,
     the same as SCHEMA below): unknown fields are refused;
  1. the checkpoint's Ed25519 signature (with the key given, else the bundle's own:
     then the answer is at best UNAUTHENTICATED, since anyone can make a key and
     sign a bundle of their own with it);
  1b. with ``--witness``: at least N of the named witnesses cosigned the checkpoint
     (its C2SP signed note, c2sp.org/tlog-cosignature);
  2. an outsider's copy of a checkpoint, when given, agrees with the bundle's; an
     older saved checkpoint (``since``) is extended by the bundle's, by an RFC 9162
     consistency proof (honest growth), or the log was rewritten: a fork;
  3. every event's inclusion proof against the signed root (RFC 9162); the bundle holds
     every event of its whole streams: the platform's signed list of their leaves, and
     (format 2) each stream's chain head, proven in the map of heads the checkpoint note
     commits to (its openinno-heads/1 line, cosigned with the note), rebuilt from the
     bundle's events;
  4. the chain of title: submitted under the published terms (hash recomputed
     from the terms themselves), content hashes recomputed from the content,
     awarded, agreement text hashing to what was drafted and signed, every
     author signed, the sponsor countersigned (by a member who then held the
     owner or legal role: the organisation's stream, whole, replayed to that
     moment), paid where required, and ownership transferred (or licence
     granted) last, in log order; a dispute or rescission named with its reason;
     a typed name that is not the signer's account name is a NOTE;
  5. the files in the bundle hash to what the submission recorded;
  6. with ``--fresher``: a later cosigned note, proven to extend the bundle's tree, whose
     heads show no newer event of the bundle's streams (else STALE).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# Format 2 (decision 0024) adds the stream heads committed in the checkpoint note;
# format 1 bundles still verify, their completeness resting on the platform's key alone.
FORMAT_1 = "openinno-evidence/1"
FORMAT = "openinno-evidence/2"
FORMATS = (FORMAT_1, FORMAT)
CHECKPOINT_PREFIX = b"openinno checkpoint v1\n"
STREAM_LEAVES_PREFIX = b"openinno stream leaves v1\n"

# --- the bundle format --------------------------------------------------------------------

_HEX64 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_CHECKPOINT = {
    "type": "object",
    "properties": {
        "tree_size": {"type": "integer", "minimum": 0},
        "root_sha256": {"$ref": "#/$defs/sha256"},
        "signed_at": {"type": "string"},
        "key_id": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
        "signature": {"type": "string"},
    },
    "required": ["tree_size", "root_sha256", "signed_at", "key_id", "signature"],
    "additionalProperties": False,
}
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://openinno.example/schemas/evidence-bundle-2.json",
    "title": "openinno evidence bundle, versions 1 and 2",
    "description": "Format 2 also needs checkpoint_note (with the openinno-heads/1 extension"
    " line) and stream_heads; the verifier refuses a format 2 bundle without them.",
    "type": "object",
    "properties": {
        "format": {"enum": list(FORMATS)},
        "submission_id": {"type": "string", "pattern": "^[0-9a-f-]{36}$"},
        "checkpoint": {"$ref": "#/$defs/checkpoint"},
        "public_key_pem": {"type": "string"},
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "leaf_index": {"type": "integer", "minimum": 0},
                    "event": {"type": "string"},
                    "inclusion_proof": {"type": "array", "items": {"$ref": "#/$defs/sha256"}},
                },
                "required": ["leaf_index", "event", "inclusion_proof"],
                "additionalProperties": False,
            },
        },
        "agreement_texts": {"type": "object", "additionalProperties": {"type": "string"}},
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "sha256": {"$ref": "#/$defs/sha256"},
                    "size": {"type": "integer", "minimum": 0},
                    "media_type": {"type": "string"},
                    "content_base64": {"type": ["string", "null"]},
                },
                "required": ["name", "sha256", "size", "media_type"],
                "additionalProperties": False,
            },
        },
        "consistency_proofs": {"type": "array", "items": {"$ref": "#/$defs/consistency_proof"}},
        # Every author of each version that records its authors, with when they accepted
        # the terms (absent: older bundles); checked against the submission's events.
        "authors": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "properties": {
                    "version": {"type": "integer", "minimum": 1},
                    "account_id": {"type": "string"},
                    "accepted_terms_at": {"type": ["string", "null"]},
                },
                "required": ["version", "account_id", "accepted_terms_at"],
                "additionalProperties": False,
            },
        },
        # The checkpoint as a C2SP signed note, with the witnesses' cosignatures.
        "checkpoint_note": {"type": ["string", "null"]},
        "stream_leaves": {
            "type": ["object", "null"],
            "properties": {
                "tree_size": {"type": "integer", "minimum": 0},
                "root_sha256": {"$ref": "#/$defs/sha256"},
                "key_id": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
                "streams": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "array",
                        "items": {"type": "integer", "minimum": 0},
                    },
                },
                "signature": {"type": "string"},
            },
            "required": ["tree_size", "root_sha256", "key_id", "streams", "signature"],
            "additionalProperties": False,
        },
        # Format 2: each whole stream's entry in the map of stream heads whose root the
        # checkpoint note commits to (its openinno-heads/1 line), with its inclusion proof.
        "stream_heads": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "properties": {
                    "stream_id": {"type": "string"},
                    "events": {"type": "integer", "minimum": 1},
                    "head": {"$ref": "#/$defs/sha256"},
                    "map_index": {"type": "integer", "minimum": 0},
                    "map_proof": {"type": "array", "items": {"$ref": "#/$defs/sha256"}},
                },
                "required": ["stream_id", "events", "head", "map_index", "map_proof"],
                "additionalProperties": False,
            },
        },
    },
    "required": [
        "format",
        "submission_id",
        "checkpoint",
        "public_key_pem",
        "events",
        "agreement_texts",
        "files",
    ],
    "additionalProperties": False,
    "$defs": {
        "sha256": _HEX64,
        "checkpoint": _CHECKPOINT,
        "consistency_proof": {
            "type": "object",
            "properties": {
                "first": {"type": "integer", "minimum": 1},
                "second": {"type": "integer", "minimum": 1},
                "proof": {"type": "array", "items": {"$ref": "#/$defs/sha256"}},
            },
            "required": ["first", "second", "proof"],
            "additionalProperties": False,
        },
    },
}

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "null": (type(None),),
}


def schema_errors(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Where ``value`` breaks ``schema``: the subset of JSON Schema that SCHEMA uses
    (type, const, enum, pattern, minimum, properties, required, additionalProperties,
    items, local $ref), so that no schema library is needed."""
    if "$ref" in schema:
        return schema_errors(value, SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[-1]], path)
    if "const" in schema and value != schema["const"]:
        return [f"{path}: must be {schema['const']!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: must be one of {', '.join(repr(e) for e in schema['enum'])}"]
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        allowed = tuple(t for n in names for t in _TYPES[n])
        # bool is an int in Python, not in JSON
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            return [f"{path}: must be {' or '.join(names)}"]
    errors: list[str] = []
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{path}: not in the expected form")
    if isinstance(value, int) and "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{path}: below {schema['minimum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{path}: missing {k!r}" for k in schema.get("required", []) if k not in value]
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                errors += schema_errors(item, properties[key], f"{path}.{key}")
            elif extra is False:
                errors.append(f"{path}: unknown field {key!r}")
            elif isinstance(extra, dict):
                errors += schema_errors(item, extra, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += schema_errors(item, schema["items"], f"{path}[{i}]")
    return errors


# --- canonical form, hashes and proofs ----------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON, keys sorted at every depth, no insignificant whitespace, non-ASCII
    kept as UTF-8: the form of the ledger's leaves and signed messages."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def parse_canonical_event(data: bytes) -> dict[str, Any]:
    """Read a leaf back, refusing bytes that are not a canonical event."""
    value = json.loads(data)
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


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(
    leaf_digest: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf_digest
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> bool:
    """RFC 9162 2.1.4.2."""
    if not 0 < first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if first & (first - 1) == 0:
        # first is a power of two: its root is the implicit first element.
        path = [first_root, *path]
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


# --- stream chains and the map of stream heads (decision 0024) ----------------------------
# Each stream's leaves, in log order, form a hash chain:
#     head_0 = 32 zero bytes;  head_k = SHA-256(0x02 || head_(k-1) || leaf hash of event k)
# (0x02: never a leaf (0x00) or a node (0x01) hash).  At each checkpoint the log commits to
# every stream's (events, head) in a map: an RFC 9162 tree over the entries sorted by stream
# id, its size and root in the checkpoint note's extension line
#     openinno-heads/1 <entries> <base64 root>
# which the witnesses cosign with the rest of the note.  An entry's inclusion proof, with the
# stream's events that rebuild its head, proves a bundle holds the whole stream.

EMPTY_HEAD = bytes(32)
HEADS_EXTENSION = "openinno-heads/1"


def chain_step(head: bytes, leaf_digest: bytes) -> bytes:
    return hashlib.sha256(b"\x02" + head + leaf_digest).digest()


def chain_head(leaf_digests: Sequence[bytes]) -> bytes:
    head = EMPTY_HEAD
    for digest in leaf_digests:
        head = chain_step(head, digest)
    return head


def heads_entry(stream_id: str, events: int, head: bytes) -> bytes:
    """A map leaf's bytes: the stream, how many events it has, its chain head."""
    return canonical_json({"events": events, "head": head.hex(), "stream_id": stream_id})


def heads_line(entries: int, root: bytes) -> str:
    return f"{HEADS_EXTENSION} {entries} {base64.b64encode(root).decode()}"


def parse_heads_line(text: str) -> tuple[int, bytes] | None:
    """(entries, root) of the map a checkpoint note's text commits to (None: no line)."""
    for line in text.split("\n")[3:]:
        parts = line.split(" ")
        if parts[0] != HEADS_EXTENSION:
            continue
        if len(parts) != 3 or not re.fullmatch(r"0|[1-9][0-9]*", parts[1]):
            raise ValueError("the stream heads line is not: name, entries, root")
        root = base64.b64decode(parts[2], validate=True)
        if len(root) != 32:
            raise ValueError("the stream heads root is not 32 bytes")
        return int(parts[1]), root
    return None


# --- checkpoints --------------------------------------------------------------------------


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the public key must be an Ed25519 key")
    return key


def checkpoint_message(checkpoint: dict[str, Any]) -> bytes:
    """The signed bytes: a prefix no other message has, then the canonical JSON of
    the tree size, root, time (as written in the checkpoint) and key id."""
    body = {k: checkpoint[k] for k in ("tree_size", "root_sha256", "signed_at", "key_id")}
    return CHECKPOINT_PREFIX + canonical_json(body)


def stream_leaves_message(statement: dict[str, Any]) -> bytes:
    body = {k: statement[k] for k in ("tree_size", "root_sha256", "key_id", "streams")}
    return STREAM_LEAVES_PREFIX + canonical_json(body)


def _signed(public_key: Ed25519PublicKey, signature: str, message: bytes) -> bool:
    try:
        public_key.verify(base64.b64decode(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def checkpoint_verifies(public_key: Ed25519PublicKey, checkpoint: dict[str, Any]) -> bool:
    if checkpoint["key_id"] != key_id(public_key):
        return False
    return _signed(public_key, checkpoint["signature"], checkpoint_message(checkpoint))


# --- the signing keys' history -------------------------------------------------------------
# Each key after the first is announced in the log signed by the previous key (endorsement)
# and by itself (acceptance); a revocation is signed by a key of the history at or after the
# one it revokes (openinno/domain/signing_keys.py).

KEY_ANNOUNCEMENT_PREFIX = b"openinno key announcement v1\n"
KEY_REVOCATION_PREFIX = b"openinno key revocation v1\n"
_KEY_TOPICS = ("SigningKeys.Started", "SigningKeys.KeyAnnounced")


def key_announcement_message(record: dict[str, Any]) -> bytes:
    body = {k: record[k] for k in ("sequence", "key_id", "public_key", "previous_key_id")}
    return KEY_ANNOUNCEMENT_PREFIX + canonical_json(body)


def key_revocation_message(record: dict[str, Any]) -> bytes:
    fields = ("key_id", "valid_until_tree_size", "reason", "revoked_by_key_id")
    return KEY_REVOCATION_PREFIX + canonical_json({k: record[k] for k in fields})


@dataclass
class KeyChain:
    """The validated history: every key by its id, in order, and the largest tree size
    each revoked key's checkpoints are still honoured for."""

    keys: dict[str, Ed25519PublicKey] = field(default_factory=dict)
    revoked_after: dict[str, int] = field(default_factory=dict)


def key_chain(
    announcements: Sequence[dict[str, Any]], revocations: Sequence[dict[str, Any]]
) -> tuple[KeyChain, str]:
    """The chain and "" when every signature holds, else what is wrong first."""
    chain = KeyChain()
    by_sequence: dict[int, dict[str, Any]] = {}
    for item in announcements:
        seen = by_sequence.setdefault(item["sequence"], item)
        if seen["key_id"] != item["key_id"]:
            return chain, f"two keys were announced at sequence {item['sequence']}"
    previous = ""
    for sequence in range(len(by_sequence)):
        record = by_sequence.get(sequence)
        if record is None:
            return chain, f"the key announced at sequence {sequence} is missing"
        try:
            public = Ed25519PublicKey.from_public_bytes(base64.b64decode(record["public_key"]))
        except ValueError:
            return chain, f"the key announced at sequence {sequence} is not an Ed25519 key"
        message = key_announcement_message(record)
        named = record["key_id"]
        if key_id(public) != named or record["previous_key_id"] != previous:
            return chain, f"the key {named} at sequence {sequence} does not follow key {previous}"
        if not _signed(public, record["acceptance"], message):
            return chain, f"the key {named} at sequence {sequence} did not sign its announcement"
        if sequence > 0 and not _signed(chain.keys[previous], record["endorsement"], message):
            return (
                chain,
                f"the key {named} announced at sequence {sequence} is not signed by the "
                f"previous key {previous}",
            )
        chain.keys[named] = public
        previous = named
    order = list(chain.keys)
    for record in revocations:
        target, signer = record["key_id"], record["revoked_by_key_id"]
        if (
            target not in chain.keys
            or signer not in chain.keys
            or order.index(signer) < order.index(target)
            or not _signed(chain.keys[signer], record["signature"], key_revocation_message(record))
        ):
            return chain, f"the revocation of key {target} is not signed by a key of the history"
        until = record["valid_until_tree_size"]
        chain.revoked_after[target] = min(chain.revoked_after.get(target, until), until)
    return chain, ""


# --- C2SP signed notes: checkpoints and witness cosignatures -------------------------------
# c2sp.org/signed-note, c2sp.org/tlog-checkpoint, c2sp.org/tlog-cosignature: the standard
# form a transparency-log witness cosigns.  The note text is the checkpoint body
#     <origin>\n<tree size>\n<base64 root hash>\n
# then a blank line and signature lines "\u2014 <key name> base64(key ID || signature)".

NOTE_ED25519 = 0x01  # the log's own signature (signed-note)
NOTE_COSIGNATURE = 0x04  # a witness's timestamped Ed25519 cosignature (tlog-cosignature)
_EM_DASH = "\u2014 "


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def note_key_id(name: str, signature_type: int, public_key: Ed25519PublicKey) -> bytes:
    """SHA-256(key name || 0x0A || type || 32-byte public key)[:4] (signed-note)."""
    raw = raw_public_key(public_key)
    return hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + raw).digest()[:4]


def vkey(name: str, signature_type: int, public_key: Ed25519PublicKey) -> str:
    """A verifier key, as signed-note tools write it: name+hex key ID+base64(type||key)."""
    key_id = note_key_id(name, signature_type, public_key).hex()
    material = base64.b64encode(bytes([signature_type]) + raw_public_key(public_key)).decode()
    return f"{name}+{key_id}+{material}"


@dataclass(frozen=True)
class NoteKey:
    name: str
    signature_type: int
    public_key: Ed25519PublicKey

    @property
    def key_id(self) -> bytes:
        return note_key_id(self.name, self.signature_type, self.public_key)


def parse_vkey(text: str) -> NoteKey:
    """Read a verifier key; its key ID must be the one its name and key give."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3 or not parts[0]:
        raise ValueError(f"not a verifier key (name+id+key): {text!r}")
    name, key_id, material = parts
    try:
        raw = base64.b64decode(material, validate=True)
    except ValueError:
        raise ValueError(f"verifier key {name}: the key is not base64") from None
    if len(raw) != 33 or raw[0] not in (NOTE_ED25519, NOTE_COSIGNATURE):
        raise ValueError(f"verifier key {name}: not an Ed25519 or cosignature/v1 key")
    key = NoteKey(name, raw[0], Ed25519PublicKey.from_public_bytes(raw[1:]))
    if key.key_id.hex() != key_id.lower():
        raise ValueError(f"verifier key {name}: its key ID does not match the key")
    return key


def checkpoint_body(
    origin: str, tree_size: int, root: bytes, heads: tuple[int, bytes] | None = None
) -> str:
    """The note text; with ``heads`` (entries, root), the stream heads' extension line."""
    extension = "" if heads is None else heads_line(*heads) + "\n"
    return f"{origin}\n{tree_size}\n{base64.b64encode(root).decode()}\n{extension}"


def parse_checkpoint_body(body: str) -> tuple[str, int, bytes]:
    """(origin, tree size, root hash) of a checkpoint's note text (extension lines
    are allowed by tlog-checkpoint and ignored here)."""
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "" or not all(lines[:-1]):
        raise ValueError("a checkpoint is at least three non-empty lines")
    origin, size, root = lines[0], lines[1], lines[2]
    if not re.fullmatch(r"0|[1-9][0-9]*", size):
        raise ValueError("the tree size is not a decimal without leading zeroes")
    digest = base64.b64decode(root, validate=True)
    if len(digest) != 32:
        raise ValueError("the root hash is not 32 bytes")
    return origin, int(size), digest


def split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """(text, [(key name, key ID || signature)]): the text ends with its newline; the
    signatures follow the last blank line."""
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise ValueError("a note holds no control characters but newlines")
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise ValueError("a note is text, a blank line and signature lines")
    text, lines = note[: cut + 1], note[cut + 2 : -1].split("\n")
    signatures = []
    for line in lines:
        if not line.startswith(_EM_DASH) or line.count(" ") != 2:
            raise ValueError(f"not a signature line: {line!r}")
        name, encoded = line[len(_EM_DASH) :].split(" ")
        signature = base64.b64decode(encoded, validate=True)
        if len(signature) < 5:
            raise ValueError(f"signature by {name} is too short")
        signatures.append((name, signature))
    if not signatures:
        raise ValueError("a note has at least one signature")
    return text, signatures


def signature_line(name: str, key_id: bytes, signature: bytes) -> str:
    return f"{_EM_DASH}{name} {base64.b64encode(key_id + signature).decode()}\n"


def cosignature_message(body: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: header, time line, then the checkpoint body."""
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def note_signed_by(key: NoteKey, text: str, signature: bytes) -> int | None:
    """For a signature line that matches ``key`` (name and key ID): None if it does
    not verify; else 0 for a log signature, the POSIX time for a cosignature."""
    payload = signature[4:]
    if key.signature_type == NOTE_ED25519:
        return 0 if _raw_signed(key.public_key, payload, text.encode()) else None
    if len(payload) != 72:
        return None
    timestamp = int.from_bytes(payload[:8], "big")
    if timestamp >= 1 << 63:
        return None
    signed = _raw_signed(key.public_key, payload[8:], cosignature_message(text, timestamp))
    return timestamp if signed else None


def _raw_signed(public_key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def signatures_by(key: NoteKey, text: str, signatures: list[tuple[str, bytes]]) -> list[int | None]:
    """The verdict (as ``note_signed_by``) on each signature line that is ``key``'s;
    lines of unknown keys are ignored, as signed-note requires."""
    return [
        note_signed_by(key, text, sig)
        for name, sig in signatures
        if name == key.name and sig[:4] == key.key_id
    ]


# --- the verification ---------------------------------------------------------------------

UNAUTHENTICATED = (
    "UNAUTHENTICATED: every check passed, but the checkpoint signature was checked only "
    "against the key the bundle itself carries, and anyone can sign a bundle of their own; "
    "give the platform's published public key (--public-key)"
)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    # True only when the checkpoint was checked with a key the verifier trusts (given
    # from outside the bundle); the bundle's own key proves nothing about who signed.
    authenticated: bool = False
    # Set when the log the bundle proves against does not extend a saved checkpoint.
    fork: str = ""
    # Set when a fresher checkpoint shows newer events of the bundle's streams (a dispute,
    # a rescission recorded after the bundle's checkpoint): the bundle is out of date.
    stale: str = ""
    # What a reader should know that does not fail the chain (a signer's typed name
    # that is not their account's name): printed as NOTE lines.
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    @property
    def checks_pass(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def ok(self) -> bool:
        return self.checks_pass and self.authenticated and not self.fork and not self.stale

    def report(self) -> str:
        lines = [
            f"{'PASS' if c.ok else 'FAIL'}  {c.name}{': ' + c.detail if c.detail else ''}"
            for c in self.checks
        ]
        lines += [f"NOTE  {note}" for note in self.notes]
        if self.fork:
            lines.append("RESULT: INCONSISTENT: fork: " + self.fork)
        elif self.stale:
            lines.append("RESULT: STALE: " + self.stale)
        elif not self.checks_pass:
            lines.append("RESULT: NOT VERIFIED")
        elif not self.authenticated:
            lines.append("RESULT: " + UNAUTHENTICATED)
        else:
            lines.append("RESULT: verified")
        return "\n".join(lines)


def _kind(event: dict[str, Any]) -> str:
    return str(event["topic"]).rsplit(":", 1)[-1]


def version_authors(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each author of each version the submission's events (canonical, in log order)
    name, with when they accepted the terms: the first version, and each revision of a
    team entry (``author_ids``; an entry of no team keeps its first version's).  Where
    a version records no times (before issue 21), its submitter accepted by submitting
    it (the event's time) and the others' moment is unknown (null)."""
    listed: list[dict[str, Any]] = []
    for e in events:
        kind, payload = _kind(e), e["payload"]
        if kind == "Submission.Submitted":
            version, ids = 1, [payload["actor_id"], *payload["team_ids"]]
        elif kind == "Submission.Revised" and payload.get("author_ids") is not None:
            version, ids = payload["version"], list(payload["author_ids"])
        else:
            continue
        times = payload.get("terms_accepted_at")
        if not isinstance(times, list) or len(times) != len(ids):
            times = [payload["timestamp"], *([None] * (len(ids) - 1))]
        listed += [
            {"version": version, "account_id": a, "accepted_terms_at": t}
            for a, t in zip(ids, times, strict=True)
        ]
    return listed


def verify_bundle(
    bundle: dict[str, Any],
    public_key: Ed25519PublicKey | None = None,
    outside_checkpoint: dict[str, Any] | None = None,
    since: dict[str, Any] | None = None,
    consistency: dict[str, Any] | None = None,
    witnesses: Sequence[NoteKey] = (),
    witness_quorum: int = 0,
    key_history: dict[str, Any] | None = None,
    fresher: dict[str, Any] | None = None,
) -> Verification:
    """``bundle`` and the checkpoints as plain JSON values.  ``since``: a checkpoint
    saved earlier; ``consistency``: a proof from its size to the bundle's (else the
    bundle's own ``consistency_proofs`` are searched).  ``witnesses``: the policy's
    witness keys, of which ``witness_quorum`` must have cosigned the checkpoint.
    ``key_history``: the signing keys' history (`openinno keys history`), beside the
    announcements the bundle itself holds: a checkpoint signed by another key of the
    history than the one given verifies through it."""
    v = Verification(authenticated=public_key is not None)
    problems = schema_errors(bundle, SCHEMA)
    if not v.add("bundle format", not problems, bundle["format"] if not problems else problems[0]):
        return v
    cp = bundle["checkpoint"]
    own = load_public_key(bundle["public_key_pem"].encode())
    announcements, revocations = _history_records(bundle, key_history)
    chain = KeyChain()
    if announcements or revocations:
        chain, problem = key_chain(announcements, revocations)
        detail = problem or f"{len(chain.keys)} keys, each signed by the one before"
        if not v.add("signing key history", not problem, detail):
            return v
    given = public_key is not None and key_id(public_key) in chain.keys

    def key_for(checkpoint: dict[str, Any]) -> Ed25519PublicKey:
        """The key a checkpoint is checked with: the one given, or through the history
        from it (or, without a key given, the bundle's own: unauthenticated)."""
        if public_key is None:
            return chain.keys.get(checkpoint["key_id"], own)
        if given and checkpoint["key_id"] in chain.keys:
            return chain.keys[checkpoint["key_id"]]
        return public_key

    key = key_for(cp)
    if public_key is None:
        source = "only the bundle's own key (compare it with the published one)"
    elif key is public_key:
        source = "the key given"
    else:
        source = f"key {cp['key_id']}, through the key history from the key given"
    if not v.add(
        "checkpoint signature",
        checkpoint_verifies(key, cp),
        f"tree size {cp['tree_size']}, checked with {source}",
    ):
        return v
    until = chain.revoked_after.get(cp["key_id"])
    if until is not None and not v.add(
        "signing key not revoked",
        cp["tree_size"] <= until,
        f"key {cp['key_id']} is revoked for trees above size {until}",
    ):
        return v
    if witnesses and not _witnessed(v, key, bundle, witnesses, witness_quorum):
        return v
    if outside_checkpoint is not None:
        same = (
            checkpoint_verifies(key_for(outside_checkpoint), outside_checkpoint)
            and outside_checkpoint["tree_size"] == cp["tree_size"]
            and outside_checkpoint["root_sha256"] == cp["root_sha256"]
        )
        v.add(
            "outside checkpoint agrees",
            same,
            ""
            if same
            else f"yours: size {outside_checkpoint['tree_size']}, bundle: size "
            f"{cp['tree_size']}; ask the platform for a consistency proof between the two sizes",
        )
    if since is not None:
        proofs = [consistency] if consistency is not None else bundle.get("consistency_proofs", [])
        if "note" in since:
            # A saved note: signed by the key (or a key of the history from it) as its origin.
            trusted = [key, *(chain.keys.values() if given or public_key is None else ())]
            try:
                _t, _s, old_size, old_root, _h = _note_parts(since["note"], trusted)
            except ValueError as e:
                v.add("consistent with your checkpoint", False, f"your checkpoint note: {e}")
                return v
            since = {"tree_size": old_size, "root_sha256": old_root.hex()}
        if not _consistent(v, key_for(since) if "key_id" in since else None, cp, since, proofs):
            return v
    root = bytes.fromhex(cp["root_sha256"])
    events: list[dict[str, Any]] = []
    for item in bundle["events"]:
        data = item["event"].encode()
        proof = [bytes.fromhex(h) for h in item["inclusion_proof"]]
        index = item["leaf_index"]
        if not verify_inclusion(leaf_hash(data), index, cp["tree_size"], proof, root):
            v.add("inclusion proofs", False, f"leaf {index} is not in the signed tree")
            return v
        try:
            events.append(parse_canonical_event(data))
        except ValueError as e:
            v.add("canonical form", False, f"leaf {index}: {e}")
            return v
    v.add("inclusion proofs", True, f"{len(events)} events in the signed tree")
    if not _complete(v, key, bundle, events):
        return v
    if not _heads_complete(v, key, bundle, events, bool(witnesses)):
        return v
    in_order = sorted(events, key=lambda e: e["position"])
    if bundle.get("authors") is not None:
        entry_events = [e for e in in_order if e["stream_id"] == bundle["submission_id"]]
        if not v.add(
            "authors as the events record them",
            bundle["authors"] == version_authors(entry_events),
            f"{len(bundle['authors'])} authorships with when each accepted the terms",
        ):
            return v
    _chain_of_title(v, bundle, in_order)
    if fresher is not None:
        # A key of the history is trusted only through the key given (or nothing is).
        trusted = [key, *(chain.keys.values() if given or public_key is None else ())]
        _current(v, trusted, bundle, events, fresher, witnesses, witness_quorum)
    return v


def _history_records(
    bundle: dict[str, Any], given: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The signing keys' announcements and revocations: those in the bundle's events
    (their inclusion is checked with the others) and those given."""
    announcements = list((given or {}).get("announcements", []))
    revocations = list((given or {}).get("revocations", []))
    for item in bundle["events"]:
        try:
            event = json.loads(item["event"])
            kind = _kind(event)
        except (ValueError, TypeError, KeyError):
            continue  # named by the inclusion and canonical-form checks
        if kind in _KEY_TOPICS:
            announcements.append(event["payload"])
        elif kind == "SigningKeys.KeyRevoked":
            revocations.append(event["payload"])
    return announcements, revocations


def _witnessed(
    v: Verification,
    key: Ed25519PublicKey,
    bundle: dict[str, Any],
    witnesses: Sequence[NoteKey],
    quorum: int,
) -> bool:
    """Whether at least ``quorum`` of the policy's witnesses cosigned the bundle's
    checkpoint (its C2SP note, signed by the log key under the origin's name)."""
    name = f"cosigned by at least {quorum} of {len(witnesses)} witnesses"
    note = bundle.get("checkpoint_note")
    if note is None:
        return v.add(name, False, "the bundle carries no checkpoint note: export it again")
    try:
        text, signatures = split_note(note)
        origin, size, root = parse_checkpoint_body(text)
    except ValueError as e:
        return v.add(name, False, f"the checkpoint note: {e}")
    cp = bundle["checkpoint"]
    if size != cp["tree_size"] or root.hex() != cp["root_sha256"]:
        return v.add(name, False, "the checkpoint note names another tree than the checkpoint")
    if 0 not in signatures_by(NoteKey(origin, NOTE_ED25519, key), text, signatures):
        return v.add(name, False, f"the note is not signed by the log key as {origin}")
    cosigned, problem = _cosigners(text, signatures, witnesses)
    if problem:
        return v.add(name, False, problem)
    return v.add(
        name,
        len(cosigned) >= quorum,
        f"{origin}: {len(cosigned)} cosigned" + (f" ({', '.join(cosigned)})" if cosigned else ""),
    )


def _cosigners(
    text: str, signatures: list[tuple[str, bytes]], witnesses: Sequence[NoteKey]
) -> tuple[list[str], str]:
    """Which of ``witnesses`` cosigned the note's text (name at time), or what is wrong."""
    cosigned: list[str] = []
    for witness in witnesses:
        verdicts = signatures_by(witness, text, signatures)
        if None in verdicts:
            return cosigned, f"the cosignature of {witness.name} does not verify"
        if verdicts:
            at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(max(t or 0 for t in verdicts)))
            cosigned.append(f"{witness.name} at {at}")
    return cosigned, ""


def _consistent(
    v: Verification,
    key: Ed25519PublicKey | None,
    cp: dict[str, Any],
    old: dict[str, Any],
    proofs: list[dict[str, Any]],
) -> bool:
    """Whether the bundle's signed tree extends the saved one (else a named failure,
    and for two validly signed trees that do not extend each other, a fork)."""
    first, second = old["tree_size"], cp["tree_size"]
    name = f"consistent with your checkpoint of size {first}"
    # key None: a note, its signature already checked.
    if key is not None and not checkpoint_verifies(key, old):
        return v.add(name, False, "your checkpoint's signature does not check with this key")
    old_root, new_root = bytes.fromhex(old["root_sha256"]), bytes.fromhex(cp["root_sha256"])
    if first > second:
        return v.add(
            name, False, f"the bundle's log (size {second}) is older than yours: get a fresh one"
        )
    if first == second:
        if old_root == new_root:
            return v.add(name, True, f"the log is still at size {second}")
        v.fork = f"two different logs were signed at size {second}"
        return v.add(name, False, v.fork)
    proof = next((p for p in proofs if p["first"] == first and p["second"] == second), None)
    if proof is None:
        return v.add(
            name,
            False,
            f"no consistency proof from size {first} to {second} in the bundle "
            "(`openinno evidence --since`, or GET /api/v1/log/proof/consistency)",
        )
    path = [bytes.fromhex(h) for h in proof["proof"]]
    if verify_consistency(first, second, path, old_root, new_root):
        return v.add(name, True, f"consistent: the log grew from {first} to {second}")
    v.fork = (
        f"the log signed at size {second} does not extend the one you saved at size {first}: "
        "history was rewritten"
    )
    return v.add(name, False, v.fork)


def _complete(
    v: Verification, key: Ed25519PublicKey, bundle: dict[str, Any], events: list[dict[str, Any]]
) -> bool:
    """Whether the bundle holds every leaf its submission's and agreements' streams had
    in the signed tree, by the platform's signed list of them: an event left out (a
    dispute, a rescission) is named."""
    name = "bundle holds every event of the submission's and agreements' streams"
    listed = bundle.get("stream_leaves")
    if listed is None:
        return v.add(name, False, "no signed list of the streams' leaves: export it again")
    cp = bundle["checkpoint"]
    if not (
        listed["tree_size"] == cp["tree_size"]
        and listed["root_sha256"] == cp["root_sha256"]
        and listed["key_id"] == key_id(key)
        and _signed(key, listed["signature"], stream_leaves_message(listed))
    ):
        return v.add(name, False, "the list of the streams' leaves is not signed for this tree")
    held: dict[str, set[int]] = {}
    for item, event in zip(bundle["events"], events, strict=True):
        held.setdefault(event["stream_id"], set()).add(item["leaf_index"])
    awarded = [
        e["payload"]["agreement_id"]
        for e in events
        if e["stream_id"] == bundle["submission_id"] and _kind(e) == "Submission.Awarded"
    ]
    for stream in [bundle["submission_id"], *awarded]:
        if stream not in listed["streams"]:
            return v.add(name, False, f"stream {stream} is not in the signed list")
    for stream, leaves in sorted(listed["streams"].items()):
        missing = sorted(set(leaves) - held.get(stream, set()))
        if missing:
            return v.add(name, False, f"leaf {missing[0]} of stream {stream} is missing")
        unlisted = sorted(held.get(stream, set()) - set(leaves))
        if unlisted:
            return v.add(name, False, f"leaf {unlisted[0]} of stream {stream} is not listed")
    total = sum(len(leaves) for leaves in listed["streams"].values())
    return v.add(name, True, f"{total} events in {len(listed['streams'])} streams")


def _note_parts(
    note: str, keys: Sequence[Ed25519PublicKey]
) -> tuple[str, list[tuple[str, bytes]], int, bytes, tuple[int, bytes] | None]:
    """(text, signatures, size, root, heads) of a checkpoint note signed by one of ``keys``
    under its origin; ValueError naming what is wrong."""
    text, signatures = split_note(note)
    origin, size, root = parse_checkpoint_body(text)
    if not any(
        0 in signatures_by(NoteKey(origin, NOTE_ED25519, k), text, signatures) for k in keys
    ):
        raise ValueError(f"the note is not signed by the log key as {origin}")
    return text, signatures, size, root, parse_heads_line(text)


def _proven_heads(
    items: Sequence[dict[str, Any]], committed: tuple[int, bytes]
) -> tuple[dict[str, dict[str, Any]], str]:
    """The entries by stream id when each is in the committed map, else what is wrong."""
    entries, root = committed
    by_stream: dict[str, dict[str, Any]] = {}
    for item in items:
        data = heads_entry(item["stream_id"], item["events"], bytes.fromhex(item["head"]))
        proof = [bytes.fromhex(h) for h in item["map_proof"]]
        if item["stream_id"] in by_stream:
            return by_stream, f"stream {item['stream_id']} is listed twice"
        if not verify_inclusion(leaf_hash(data), item["map_index"], entries, proof, root):
            return by_stream, f"the head of stream {item['stream_id']} is not in the committed map"
        by_stream[item["stream_id"]] = item
    return by_stream, ""


def _heads_complete(
    v: Verification,
    key: Ed25519PublicKey,
    bundle: dict[str, Any],
    events: list[dict[str, Any]],
    witnessed: bool,
) -> bool:
    """Format 2: each whole stream's events rebuild the chain head that the checkpoint
    note (cosigned by the witnesses of a policy) commits to, so an event left out or
    added is named even when whoever holds the platform's key re-signed the rest."""
    name = "every event of those streams, by the stream heads in the checkpoint note"
    if bundle["format"] == FORMAT_1:
        if witnessed:
            return v.add(
                name,
                False,
                "a format 1 bundle has no stream heads, and a witness policy needs them:"
                " export it again",
            )
        v.notes.append(
            "format 1 bundle: that it holds every event of its streams rests on the platform's"
            " key alone (no stream heads in a witnessed checkpoint); export it again"
        )
        return True
    note, items = bundle.get("checkpoint_note"), bundle.get("stream_heads")
    if note is None or items is None:
        return v.add(name, False, "a format 2 bundle needs checkpoint_note and stream_heads")
    cp = bundle["checkpoint"]
    try:
        _text, _sigs, size, root, committed = _note_parts(note, [key])
    except ValueError as e:
        return v.add(name, False, f"the checkpoint note: {e}")
    if size != cp["tree_size"] or root.hex() != cp["root_sha256"]:
        return v.add(name, False, "the checkpoint note names another tree than the checkpoint")
    if committed is None:
        return v.add(name, False, "the checkpoint note commits to no stream heads")
    by_stream, problem = _proven_heads(items, committed)
    if problem:
        return v.add(name, False, problem)
    listed = (bundle.get("stream_leaves") or {}).get("streams", {})
    for stream in listed:
        if stream not in by_stream:
            return v.add(name, False, f"stream {stream} has no committed head in the bundle")
    held: dict[str, list[tuple[int, bytes]]] = {}
    for item in bundle["events"]:
        event = json.loads(item["event"])
        held.setdefault(event["stream_id"], []).append(
            (item["leaf_index"], leaf_hash(item["event"].encode()))
        )
    for stream, entry in sorted(by_stream.items()):
        leaves = sorted(held.get(stream, []))
        if len(leaves) != entry["events"]:
            return v.add(
                name,
                False,
                f"stream {stream} had {entry['events']} events at the checkpoint; the bundle"
                f" holds {len(leaves)}",
            )
        if chain_head([digest for _, digest in leaves]).hex() != entry["head"]:
            return v.add(name, False, f"the events of stream {stream} do not rebuild its head")
    return v.add(
        name,
        True,
        f"{len(by_stream)} streams, committed at tree size {size} among {committed[0]}",
    )


FRESHNESS_FORMAT = "openinno-freshness/1"
FRESHNESS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "format": {"const": FRESHNESS_FORMAT},
        "checkpoint_note": {"type": "string"},
        "consistency_proof": {"$ref": "#/$defs/consistency_proof"},
        "stream_heads": SCHEMA["properties"]["stream_heads"],
    },
    "required": ["format", "checkpoint_note", "consistency_proof", "stream_heads"],
    "additionalProperties": False,
}


def _current(
    v: Verification,
    keys: Sequence[Ed25519PublicKey],
    bundle: dict[str, Any],
    events: list[dict[str, Any]],
    fresher: dict[str, Any],
    witnesses: Sequence[NoteKey],
    quorum: int,
) -> bool:
    """Whether the bundle is still current: a fresher checkpoint note (cosigned by the
    policy's witnesses), proven to extend the bundle's tree, whose stream heads show
    no newer event of the bundle's streams (else STALE, naming them)."""
    name = "no newer events of the bundle's streams"
    problems = schema_errors(fresher, FRESHNESS_SCHEMA)
    if problems:
        return v.add(name, False, f"the fresher checkpoint: {problems[0]}")
    try:
        text, signatures, size, root, committed = _note_parts(fresher["checkpoint_note"], keys)
    except ValueError as e:
        return v.add(name, False, f"the fresher checkpoint note: {e}")
    if witnesses:
        cosigned, problem = _cosigners(text, signatures, witnesses)
        if problem or len(cosigned) < quorum:
            return v.add(
                name,
                False,
                problem
                or f"the fresher checkpoint is cosigned by {len(cosigned)} of the"
                f" policy's witnesses, not {quorum}",
            )
    cp = bundle["checkpoint"]
    first, old_root = cp["tree_size"], bytes.fromhex(cp["root_sha256"])
    proof = fresher["consistency_proof"]
    if size < first:
        return v.add(
            name, False, f"the fresher checkpoint (size {size}) is older than the bundle's"
        )
    if (proof["first"], proof["second"]) != (first, size) or not verify_consistency(
        first, size, [bytes.fromhex(h) for h in proof["proof"]], old_root, root
    ):
        v.fork = f"the checkpoint of size {size} does not extend the bundle's tree of size {first}"
        return v.add(name, False, v.fork)
    if committed is None:
        return v.add(name, False, "the fresher checkpoint note commits to no stream heads")
    fresh, problem = _proven_heads(fresher["stream_heads"], committed)
    if problem:
        return v.add(name, False, f"the fresher checkpoint: {problem}")
    held: dict[str, int] = {}
    for event in events:
        held[event["stream_id"]] = held.get(event["stream_id"], 0) + 1
    mine = {h["stream_id"]: h for h in bundle.get("stream_heads") or []}
    streams = (bundle.get("stream_leaves") or {}).get("streams", {})
    newer = []
    for stream in sorted(streams):
        entry = fresh.get(stream)
        if entry is None:
            return v.add(name, False, f"the fresher checkpoint has no head for stream {stream}")
        count = held.get(stream, 0)
        same_head = stream not in mine or mine[stream]["head"] == entry["head"]
        if entry["events"] < count or (entry["events"] == count and not same_head):
            v.fork = f"stream {stream} has another history at size {size} than in the bundle"
            return v.add(name, False, v.fork)
        if entry["events"] > count:
            newer.append(f"stream {stream}: {entry['events'] - count} newer")
    if newer:
        v.stale = (
            f"the log at size {size} has events the bundle (size {first}) does not: "
            + "; ".join(newer)
            + ": export a fresh bundle"
        )
        return v.add(name, False, v.stale)
    return v.add(name, True, f"none up to tree size {size}")


def _chain_of_title(v: Verification, bundle: dict[str, Any], events: list[dict[str, Any]]) -> None:
    submission_id = bundle["submission_id"]

    def first(kind: str, **match: Any) -> dict[str, Any] | None:
        for e in events:
            if _kind(e) == kind and all(e["payload"].get(k) == val for k, val in match.items()):
                return e
        return None

    submitted = first("Submission.Submitted")
    if not v.add(
        "submission recorded",
        submitted is not None and submitted["stream_id"] == submission_id,
    ):
        return
    assert submitted is not None
    published = first("Challenge.Published")
    if not v.add(
        "challenge terms published",
        published is not None and published["stream_id"] == submitted["payload"]["challenge_id"],
    ):
        return
    assert published is not None
    terms_hash = published["payload"]["terms_sha256"]
    v.add(
        "terms hash matches the published terms",
        sha256_hex(canonical_json(published["payload"]["terms"])) == terms_hash,
        terms_hash,
    )
    v.add(
        "submitted under the published terms",
        submitted["payload"]["accepted_terms_sha256"] == terms_hash
        and published["position"] < submitted["position"],
    )
    versions = [
        e
        for e in events
        if e["stream_id"] == submission_id
        and _kind(e) in ("Submission.Submitted", "Submission.Revised")
    ]
    for e in versions:
        content = e["payload"]["content"]
        if not v.add(
            f"content hash of version {e['version']}",
            sha256_hex(canonical_json(content)) == e["payload"]["content_sha256"],
            e["payload"]["content_sha256"],
        ):
            return
    awarded = first("Submission.Awarded")
    if not v.add("awarded", awarded is not None):
        return
    assert awarded is not None
    content_at_award = [e for e in versions if e["position"] < awarded["position"]][-1]["payload"]
    agreement_id = awarded["payload"]["agreement_id"]
    drafted = next(
        (e for e in events if e["stream_id"] == agreement_id and _kind(e) == "IpAgreement.Drafted"),
        None,
    )
    if not v.add("agreement drafted with the award", drafted is not None):
        return
    assert drafted is not None
    d = drafted["payload"]
    v.add(
        "agreement names the awarded content",
        d["content_sha256"] == content_at_award["content_sha256"]
        and d["submission_id"] == submission_id,
    )
    v.add("agreement names the published terms", d["terms_sha256"] == terms_hash)
    text = bundle["agreement_texts"].get(agreement_id, "")
    v.add(
        "agreement text hashes to what was drafted",
        sha256_hex(text.encode()) == d["text_sha256"] and text == d["text"],
        d["text_sha256"],
    )
    stream = [e for e in events if e["stream_id"] == agreement_id]
    authors = [d["assignor_id"], *d["co_assignor_ids"]]
    signed = {
        e["payload"]["actor_id"]: e for e in stream if _kind(e) == "IpAgreement.SignedByAssignor"
    }
    v.add(
        "every author signed the drafted text",
        all(
            a in signed and signed[a]["payload"]["signature"]["text_sha256"] == d["text_sha256"]
            for a in authors
        ),
        ", ".join(authors),
    )
    counter = next((e for e in stream if _kind(e) == "IpAgreement.CountersignedByAssignee"), None)
    v.add(
        "sponsor countersigned the drafted text after the authors",
        counter is not None
        and counter["payload"]["signature"]["text_sha256"] == d["text_sha256"]
        and all(s["position"] < counter["position"] for s in signed.values()),
    )
    if counter is not None:
        _authority(v, bundle, events, d["assignee_organisation_id"], counter)
    for e in [*signed.values(), *([counter] if counter is not None else [])]:
        s = e["payload"]["signature"]
        if s.get("typed_name_matches_account") is False:
            # Typed names are personal data, stored encrypted (decision 0032).
            name = s["typed_name"]
            shown = "(encrypted)" if name.startswith("pd1.") else repr(name)
            v.notes.append(
                f"{_kind(e)} by {s['signer_id']}: the typed name {shown} is not"
                " the name of the signer's account (typed_name_matches_account: false)"
            )
    paid = next((e for e in stream if _kind(e) == "IpAgreement.ConsiderationPaid"), None)
    if d["payment_required"]:
        v.add(
            "consideration paid",
            paid is not None,
            paid["payload"]["reference"] if paid else "no payment recorded",
        )
    transfer = next(
        (
            e
            for e in stream
            if _kind(e) in ("IpAgreement.OwnershipTransferred", "IpAgreement.LicenceGranted")
        ),
        None,
    )
    conditions = [e for e in (counter, paid) if e is not None] + list(signed.values())
    v.add(
        "ownership transferred (or licence granted) after every condition",
        transfer is not None and all(c["position"] < transfer["position"] for c in conditions),
        _kind(transfer) if transfer else "no transfer recorded",
    )
    undone = [e for e in stream if _kind(e) in ("IpAgreement.Disputed", "IpAgreement.Rescinded")]
    v.add(
        "not disputed or rescinded",
        not undone,
        "; ".join(f"{_kind(e)}: {e['payload'].get('reason', '')}" for e in undone),
    )
    recorded_files = {f["sha256"]: f for f in content_at_award.get("content", {}).get("files", [])}
    for f in bundle["files"]:
        if f.get("content_base64") is None:
            continue
        data = base64.b64decode(f["content_base64"])
        v.add(
            f"file {f['name']}",
            sha256_hex(data) == f["sha256"] and len(data) == f["size"],
            f["sha256"],
        )
    named = {f["sha256"] for f in bundle["files"]}
    v.add("bundle lists every awarded file", set(recorded_files) <= named)


_SIGNING_ROLES = ("owner", "legal")


def _authority(
    v: Verification,
    bundle: dict[str, Any],
    events: list[dict[str, Any]],
    organisation_id: str,
    counter: dict[str, Any],
) -> None:
    """Whether the countersigner held a signing role (owner or legal) in the assignee
    organisation when they countersigned: its stream replayed up to that moment.  The
    bundle must hold the whole stream (signed in ``stream_leaves``), so a removal
    cannot be left out."""
    name = "countersigner had the authority to sign for the organisation"
    listed = (bundle.get("stream_leaves") or {}).get("streams", {})
    if organisation_id not in listed:
        v.add(
            name, False, f"the bundle does not hold organisation {organisation_id}: export it again"
        )
        return
    signer = counter["payload"]["actor_id"]
    role: str | None = None
    for e in events:
        if e["stream_id"] != organisation_id or e["position"] > counter["position"]:
            continue
        p, kind = e["payload"], _kind(e)
        if kind == "Organisation.Created" and p.get("actor_id") == signer:
            role, since = "owner", e
        elif kind == "Organisation.MemberAdded" and p.get("account_id") == signer:
            role, since = p.get("role"), e
        elif kind == "Organisation.MemberRemoved" and p.get("account_id") == signer:
            role, since = None, e
    if role is None:
        v.add(name, False, f"{signer} was not a member of organisation {organisation_id}")
        return
    v.add(
        name,
        role in _SIGNING_ROLES,
        f"{signer} was {role} (by {_kind(since)}, position {since['position']})",
    )


# --- the command --------------------------------------------------------------------------


def _read_json(path: str, what: str, schema: dict[str, Any] | None = None) -> Any:
    try:
        value = json.loads(Path(path).read_bytes())
    except (OSError, ValueError) as e:
        raise SystemExit(f"error: cannot read {what} {path}: {e}") from None
    problems = schema_errors(value, schema) if schema is not None else []
    if problems:
        raise SystemExit(f"error: {what} {path}: {problems[0]}")
    return value


def _read_since(path: str) -> dict[str, Any]:
    """A saved checkpoint: the JSON one, or the C2SP note (GET /api/v1/log/checkpoint-note)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise SystemExit(f"error: cannot read checkpoint {path}: {e}") from None
    if raw.lstrip().startswith(b"{"):
        value: dict[str, Any] = _read_json(path, "checkpoint", _CHECKPOINT)
        return value
    try:
        return {"note": raw.decode()}
    except UnicodeDecodeError as e:
        raise SystemExit(f"error: checkpoint {path}: {e}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bundle")
    parser.add_argument("--checkpoint", help="your own copy of a signed checkpoint (JSON)")
    parser.add_argument("--public-key", help="the platform's published public key (PEM)")
    parser.add_argument(
        "--since",
        metavar="OLD_CHECKPOINT",
        help="a checkpoint you saved earlier (JSON, or its C2SP note): prove the bundle's"
        " log extends it (consistent) or show the fork",
    )
    parser.add_argument(
        "--consistency-proof",
        help="the proof from your checkpoint's size to the bundle's, as"
        " GET /api/v1/log/proof/consistency returns it (default: the bundle's own)",
    )
    parser.add_argument(
        "--fresher",
        metavar="FILE",
        help="a later checkpoint note with its consistency proof and stream heads, as"
        " GET /api/v1/log/freshness returns it: STALE if the bundle's streams have newer"
        " events (a dispute, a rescission)",
    )
    parser.add_argument(
        "--key-history",
        metavar="FILE",
        help="the signing keys' history (`openinno keys history`):"
        " a bundle signed by an earlier or later key of it verifies with the key given",
    )
    parser.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="VKEY",
        help="a witness of your policy, as its verifier key (name+id+key, C2SP"
        " tlog-cosignature); repeatable",
    )
    parser.add_argument(
        "--witness-quorum",
        type=int,
        metavar="N",
        help="how many of the --witness keys must have cosigned the checkpoint (default: all)",
    )


KEY_HISTORY_FORMAT = "openinno-key-history/1"
_STR = {"type": "string"}
KEY_HISTORY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "format": {"const": KEY_HISTORY_FORMAT},
        "announcements": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "sequence": {"type": "integer", "minimum": 0},
                    "key_id": _STR,
                    "public_key": _STR,
                    "previous_key_id": _STR,
                    "endorsement": _STR,
                    "acceptance": _STR,
                },
                "required": [
                    "sequence",
                    "key_id",
                    "public_key",
                    "previous_key_id",
                    "endorsement",
                    "acceptance",
                ],
            },
        },
        "revocations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "key_id": _STR,
                    "valid_until_tree_size": {"type": "integer", "minimum": 0},
                    "reason": _STR,
                    "revoked_by_key_id": _STR,
                    "signature": _STR,
                },
                "required": [
                    "key_id",
                    "valid_until_tree_size",
                    "reason",
                    "revoked_by_key_id",
                    "signature",
                ],
            },
        },
    },
    "required": ["format", "announcements", "revocations"],
    "additionalProperties": False,
}

_SERVED_PROOF = {
    "type": "object",
    "properties": {
        "first": {"type": "integer"},
        "second": {"type": "integer"},
        "first_root_sha256": {"$ref": "#/$defs/sha256"},
        "second_root_sha256": {"$ref": "#/$defs/sha256"},
        "proof": {"type": "array", "items": {"$ref": "#/$defs/sha256"}},
    },
    "required": ["first", "second", "proof"],
    "additionalProperties": False,
}


def run(args: argparse.Namespace) -> int:
    """Offline: reads only the files given; prints the report; returns the exit status."""
    try:
        bundle = json.loads(Path(args.bundle).read_bytes())
    except (OSError, ValueError) as e:
        print(f"FAIL  bundle: cannot read {args.bundle}: {e}\nRESULT: NOT VERIFIED")
        return 1
    try:
        public = load_public_key(Path(args.public_key).read_bytes()) if args.public_key else None
        outside = (
            _read_json(args.checkpoint, "checkpoint", _CHECKPOINT) if args.checkpoint else None
        )
        since = _read_since(args.since) if args.since else None
        consistency = (
            _read_json(args.consistency_proof, "consistency proof", _SERVED_PROOF)
            if args.consistency_proof
            else None
        )
        history = (
            _read_json(args.key_history, "key history", KEY_HISTORY_SCHEMA)
            if args.key_history
            else None
        )
        fresher = (
            _read_json(args.fresher, "fresher checkpoint", FRESHNESS_SCHEMA)
            if args.fresher
            else None
        )
        witnesses = [parse_vkey(text) for text in args.witness]
        if any(w.signature_type != NOTE_COSIGNATURE for w in witnesses):
            raise ValueError("a --witness key must be a cosignature/v1 key (type 0x04)")
        quorum = len(witnesses) if args.witness_quorum is None else args.witness_quorum
        if args.witness_quorum is not None and not 1 <= quorum <= len(witnesses):
            raise ValueError(f"--witness-quorum must be between 1 and {len(witnesses)}")
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except SystemExit as e:
        print(e, file=sys.stderr)
        return 2
    result = verify_bundle(
        bundle, public, outside, since, consistency, witnesses, quorum, history, fresher
    )
    if isinstance(bundle, dict):
        print(f"evidence for submission {bundle.get('submission_id')}")
    print(result.report())
    return 0 if result.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="evidence_verifier.py", description="Check an openinno evidence bundle offline."
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
