"""Evidence bundles: one JSON file with everything a legal team needs to check a
submission's chain of title offline — each event in canonical form with its
inclusion proof, the signed checkpoint they prove against, the public key, the
agreement texts, and the submitted files' hashes (and bytes, on request).

A bundle with files can be as large as the files together (in base64): it is never
held whole.  ``build_bundle`` gathers everything but the files' bytes, and
``bundle_chunks`` writes the JSON piece by piece, each file's bytes read from the
store a chunk at a time (``FileStore.chunks``) and encoded on the way."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any
from uuid import UUID

import msgspec

from openinno.domain.signing_keys import HISTORY_ID
from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.canonical import parse_canonical_event
from openinno.ledger.evidence_verifier import (
    FORMAT,
    FORMAT_1,
    FRESHNESS_FORMAT,
    heads_entry,
    leaf_hash,
    parse_heads_line,
    split_note,
    stream_leaves_message,
    verify_inclusion,
    version_authors,
)
from openinno.ledger.log import Ledger, leaf_bytes

__all__ = ["FORMAT", "FORMAT_1", "EvidenceBundle", "build_bundle", "freshness"]


class BundleEvent(msgspec.Struct):
    leaf_index: int
    event: str  # the canonical bytes, as UTF-8 text
    inclusion_proof: list[str]


class BundleFile(msgspec.Struct):
    name: str
    sha256: str
    size: int
    media_type: str
    content_base64: str | None = None


class ConsistencyProof(msgspec.Struct):
    """RFC 9162 proof that the bundle's tree (``second``) extends an older one (``first``)."""

    first: int
    second: int
    proof: list[str]


class StreamLeaves(msgspec.Struct):
    """Signed with the checkpoint key: the leaves each listed stream has in the tree of
    ``tree_size`` — all of them, so a bundle missing one (a dispute left out) fails."""

    tree_size: int
    root_sha256: str
    key_id: str
    streams: dict[str, list[int]]
    signature: str = ""


class StreamHead(msgspec.Struct):
    """A stream's entry in the map of stream heads the checkpoint note commits to
    (decision 0024): how many events it has, their chain head, and the entry's
    inclusion proof in the map."""

    stream_id: str
    events: int
    head: str
    map_index: int
    map_proof: list[str]


class BundleAuthor(msgspec.Struct):
    version: int
    account_id: str
    accepted_terms_at: str | None


class EvidenceBundle(msgspec.Struct):
    format: str
    submission_id: str
    checkpoint: checkpoints.Checkpoint
    public_key_pem: str
    events: list[BundleEvent]
    agreement_texts: dict[str, str]
    files: list[BundleFile]
    # From the tree sizes of checkpoints the recipient saved before (`evidence --since`).
    consistency_proofs: list[ConsistencyProof] = []
    # The checkpoint as a C2SP signed note with the witnesses' cosignatures (absent:
    # older bundles); `verify --witness` checks them against a policy.
    checkpoint_note: str | None = None
    # Every leaf of the submission's and its agreements' streams (absent: older bundles).
    stream_leaves: StreamLeaves | None = None
    # Every author of each version with when they accepted the terms (issue 21; absent:
    # older bundles): what the submission's events record, listed for the reader.
    authors: list[BundleAuthor] | None = None
    # Format 2: every whole stream's committed head, so a left-out event is named even
    # against whoever holds the platform's key (the note's witnesses cosigned the heads).
    stream_heads: list[StreamHead] | None = None


def _stream_leaves(ledger: Ledger, stream_id: UUID, size: int) -> list[tuple[int, int]]:
    rows = ledger.db.rows(
        "SELECT leaf_index, position FROM ledger_leaves WHERE stream_id = ? AND leaf_index < ?"
        " ORDER BY version",
        (str(stream_id), size),
    )
    return [(int(i), int(p)) for i, p in rows]


# Reads one stored file's bytes in chunks, by its SHA-256 (FileStore.chunks).
FileChunks = Callable[[str], Iterable[bytes]]
# base64 turns every 3 bytes into 4 characters: chunks cut at a multiple of 3 bytes
# encode to pieces that join into the encoding of the whole.
_BASE64_GROUP = 3


def build_bundle(ledger: Ledger, submission_id: UUID, since: Sequence[int] = ()) -> EvidenceBundle:
    """The chain of title of one submission, proven against the latest checkpoint
    (signed now if the tree has grown since), with consistency proofs from each
    older tree size in ``since``; the files named, without their bytes
    (``bundle_chunks`` adds them as it writes)."""
    before = ledger.latest_checkpoint()
    cp = ledger.checkpoint_now()
    if cp is None or ledger.signing_key is None:
        raise RuntimeError("no signing key configured: run `openinno keys generate`")
    if before is None or before.tree_size != cp.tree_size:
        # Signed just now, so not cosigned yet: ask the witnesses first (an older
        # checkpoint's missing cosignatures are the follower's to retry, not a request's).
        ledger.cosign_latest()
    tree = ledger.tree()
    events: list[BundleEvent] = []
    seen: set[int] = set()
    payloads: list[dict[str, Any]] = []

    def add_stream(stream_id: UUID, only_topics: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        added = []
        for index, position in _stream_leaves(ledger, stream_id, cp.tree_size):
            notification = ledger.recorder.select_notifications(start=position, limit=1)[0]
            if only_topics and not notification.topic.endswith(only_topics):
                continue
            data = leaf_bytes(ledger.mapper, notification)
            if index not in seen:
                seen.add(index)
                proof = [h.hex() for h in tree.inclusion_proof(index, cp.tree_size)]
                events.append(BundleEvent(index, data.decode(), proof))
            added.append(parse_canonical_event(data))
        return added

    complete: dict[str, list[int]] = {}

    def add_whole_stream(stream_id: UUID) -> list[dict[str, Any]]:
        complete[str(stream_id)] = [i for i, _ in _stream_leaves(ledger, stream_id, cp.tree_size)]
        return add_stream(stream_id)

    submission_events = add_whole_stream(submission_id)
    if not submission_events:
        raise LookupError(f"submission {submission_id} is not in the signed log yet")
    payloads.extend(submission_events)
    team_id = submission_events[0]["payload"].get("team_id")
    if team_id:
        add_whole_stream(UUID(team_id))
    challenge_id = UUID(submission_events[0]["payload"]["challenge_id"])
    add_stream(challenge_id, ("Challenge.Published",))
    texts: dict[str, str] = {}
    for e in submission_events:
        if e["topic"].endswith("Submission.Awarded"):
            agreement_id = UUID(e["payload"]["agreement_id"])
            for a in add_whole_stream(agreement_id):
                if a["topic"].endswith("IpAgreement.Drafted"):
                    texts[str(agreement_id)] = a["payload"]["text"]
                    # The sponsor's members and roles, whole: the countersigner's
                    # authority at the moment of signing, and no removal left out.
                    organisation = UUID(a["payload"]["assignee_organisation_id"])
                    if str(organisation) not in complete:
                        add_whole_stream(organisation)
    # Each appeal's thread, whole (issue 24): part of the entry's history.
    for e in submission_events:
        if e["topic"].endswith("Submission.AppealLodged"):
            add_whole_stream(UUID(e["payload"]["appeal_id"]))
    # The signing keys' history, whole: a bundle signed by a later key verifies with an
    # earlier one (and the other way round), and no revocation can be left out.
    if _stream_leaves(ledger, HISTORY_ID, cp.tree_size):
        add_whole_stream(HISTORY_ID)
    files: dict[str, BundleFile] = {}
    for e in submission_events:
        content = e["payload"].get("content")
        for f in (content or {}).get("files", []):
            files[f["sha256"]] = BundleFile(f["name"], f["sha256"], f["size"], f["media_type"])
    events.sort(key=lambda b: b.leaf_index)
    public_pem = checkpoints.public_key_pem(ledger.signing_key).decode()
    consistency = [
        ConsistencyProof(
            first, cp.tree_size, [h.hex() for h in tree.consistency_proof(first, cp.tree_size)]
        )
        for first in sorted(set(since))
        if 0 < first <= cp.tree_size
    ]
    unsigned = StreamLeaves(cp.tree_size, cp.root_sha256, cp.key_id, complete)
    signature = ledger.signing_key.sign(stream_leaves_message(msgspec.to_builtins(unsigned)))
    stream_leaves = msgspec.structs.replace(
        unsigned, signature=base64.b64encode(signature).decode()
    )
    note = ledger.checkpoint_note(cp.tree_size)
    heads = (
        stream_heads(ledger, cp.tree_size, sorted(complete), note)
        if note is not None and _commits_heads(note)
        else None
    )
    return EvidenceBundle(
        FORMAT if heads is not None else FORMAT_1,
        str(submission_id),
        cp,
        public_pem,
        events,
        texts,
        list(files.values()),
        consistency,
        note,
        stream_leaves,
        [BundleAuthor(**a) for a in version_authors(submission_events)],
        heads,
    )


def _commits_heads(note: str | None) -> bool:
    """Whether a checkpoint note has the stream heads' line (notes signed before decision
    0024 have not: their bundles stay format 1)."""
    return note is not None and parse_heads_line(split_note(note)[0]) is not None


def stream_heads(ledger: Ledger, size: int, streams: Sequence[str], note: str) -> list[StreamHead]:
    """The streams' entries in the map of stream heads at ``size`` (a stream with no
    event in that tree has none), each proven against the map root ``note`` commits to:
    if the follower moved the stored map meanwhile, they are taken from it rebuilt."""
    committed = parse_heads_line(split_note(note)[0])
    assert committed is not None
    entries, root = committed

    def proven(rebuild: bool) -> list[StreamHead] | None:
        heads = []
        for stream, events, head, index, proof in ledger.heads_proofs(size, streams, rebuild):
            digest = leaf_hash(heads_entry(stream, events, head))
            if not verify_inclusion(digest, index, entries, proof, root):
                return None
            heads.append(StreamHead(stream, events, head.hex(), index, [h.hex() for h in proof]))
        return heads

    heads = proven(False) or proven(True)
    if heads is None:
        raise RuntimeError(f"the map of stream heads does not give the root of checkpoint {size}")
    return heads


class Freshness(msgspec.Struct):
    """A later checkpoint for the holder of an older bundle (`verify --fresher`): its
    note with the cosignatures, a consistency proof from the bundle's tree, and the
    named streams' heads in it; newer events of those streams make the bundle STALE."""

    format: str
    checkpoint_note: str
    consistency_proof: ConsistencyProof
    stream_heads: list[StreamHead]


def freshness(ledger: Ledger, since: int, streams: Sequence[str]) -> Freshness:
    """The latest checkpoint (signed now if the tree has grown, and then submitted to
    the witnesses), proven from ``since``."""
    before = ledger.latest_checkpoint()
    cp = ledger.checkpoint_now()
    if cp is not None and (before is None or before.tree_size != cp.tree_size):
        ledger.cosign_latest()
    if cp is None:
        raise RuntimeError("no signing key configured: run `openinno keys generate`")
    if not 0 < since <= cp.tree_size:
        raise ValueError(f"no tree of size {since} below the latest, {cp.tree_size}")
    note = ledger.checkpoint_note(cp.tree_size)
    if note is None or not _commits_heads(note):
        raise LookupError("the latest checkpoint commits to no stream heads yet")
    tree = ledger.tree()
    proof = [h.hex() for h in tree.consistency_proof(since, cp.tree_size)]
    return Freshness(
        FRESHNESS_FORMAT,
        note,
        ConsistencyProof(since, cp.tree_size, proof),
        stream_heads(ledger, cp.tree_size, streams, note),
    )


def bundle_chunks(bundle: EvidenceBundle, file_chunks: FileChunks | None = None) -> Iterator[bytes]:
    """The bundle as JSON, in pieces; with ``file_chunks``, every file's bytes in it
    (``content_base64``), read and encoded a chunk at a time."""
    whole = msgspec.json.format(
        msgspec.json.encode(msgspec.structs.replace(bundle, files=[])), indent=1
    )
    # The top-level key at indent 1; anywhere else (inside an event's or a text's
    # string) its quotes would be escaped.
    marker = b'\n "files": []'
    assert whole.count(marker) == 1, "the bundle's files, once, at the top level"
    head, tail = whole.split(marker)
    yield head + b'\n "files": ['
    for i, file in enumerate(bundle.files):
        yield b"\n  " if i == 0 else b",\n  "
        if file_chunks is None and file.content_base64 is None:
            yield msgspec.json.encode(file)
            continue
        without = msgspec.json.encode(msgspec.structs.replace(file, content_base64=None))
        assert without.endswith(b"null}")
        yield without[: -len(b"null}")] + b'"'
        if file.content_base64 is not None:
            yield file.content_base64.encode()
        else:
            assert file_chunks is not None
            yield from _base64_chunks(file_chunks(file.sha256))
        yield b'"}'
    yield (b"\n ]" if bundle.files else b"]") + tail


def _base64_chunks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        whole = len(data) - len(data) % _BASE64_GROUP
        carry = data[whole:]
        if whole:
            yield base64.b64encode(data[:whole])
    if carry:
        yield base64.b64encode(carry)


def encode_bundle(bundle: EvidenceBundle, file_chunks: FileChunks | None = None) -> bytes:
    """The whole bundle in memory: for bundles without files' bytes, and tests."""
    return b"".join(bundle_chunks(bundle, file_chunks))


def decode_bundle(data: bytes) -> EvidenceBundle:
    return msgspec.json.decode(data, type=EvidenceBundle)
