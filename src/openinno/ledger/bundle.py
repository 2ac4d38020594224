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
from openinno.ledger.evidence_verifier import stream_leaves_message, version_authors
from openinno.ledger.log import Ledger, leaf_bytes

FORMAT = "openinno-evidence/1"


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
    return EvidenceBundle(
        FORMAT,
        str(submission_id),
        cp,
        public_pem,
        events,
        texts,
        list(files.values()),
        consistency,
        ledger.checkpoint_note(cp.tree_size),
        stream_leaves,
        [BundleAuthor(**a) for a in version_authors(submission_events)],
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
