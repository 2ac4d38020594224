"""`openinno audit`: recompute the Merkle tree from the stored events and hold it
against every signed checkpoint.  Any altered, inserted, reordered or deleted
event is reported with its log position and leaf index; every file an event
references must exist and hash to what was recorded.  It streams: memory stays
flat however long the log.

Every stored event outside the signed log is also held against its write proof
(ledger/admission.py): a row the application did not write (forged by database
access, refused by the follower, or not followed yet) is named as unproven.
Events inside the signed log had their proof checked when admitted; any change
since shows as a root that differs."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification

from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.admission import judge
from openinno.ledger.evidence_verifier import (
    EMPTY_HEAD,
    KeyChain,
    chain_step,
    heads_entry,
    key_chain,
    key_id,
    parse_heads_line,
    split_note,
)
from openinno.ledger.log import Ledger, leaf_bytes, read_event
from openinno.ledger.merkle import EMPTY_ROOT, leaf_hash, node_hash


@dataclass
class AuditReport:
    events: int = 0
    checkpoints_verified: int = 0
    findings: list[str] = field(default_factory=list)
    # Events admitted without a write proof because they were recorded before the cut-over.
    legacy_events: int = 0
    proofs_from: int | None = None
    # Proven events after the last signed checkpoint: write proofs checked, no root yet.
    not_checkpointed: int = 0
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings


def stored_notifications(
    recorder: ApplicationRecorder, page: int = 5_000
) -> Iterator[Notification]:
    start = 1
    while True:
        batch = recorder.select_notifications(start=start, limit=page)
        if not batch:
            return
        yield from batch
        start = batch[-1].id + 1


class Frontier:
    """The roots of the perfect subtrees of the leaves appended so far, largest first:
    enough to give the tree's root at its current size (RFC 9162 MTH), in O(log n)
    memory, so the audit holds no list of every leaf."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (height, hash)

    def append(self, digest: bytes) -> None:
        height = 0
        while self._stack and self._stack[-1][0] == height:
            _, left = self._stack.pop()
            digest, height = node_hash(left, digest), height + 1
        self._stack.append((height, digest))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        digest = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            digest = node_hash(left, digest)
        return digest


def recorded_leaves(ledger: Ledger, page: int = 5_000) -> Iterator[tuple[int, int, bytes]]:
    """(leaf index, position, leaf hash) of every leaf the ledger recorded, in order,
    a page at a time."""
    after = -1
    while True:
        rows = ledger.db.rows(
            "SELECT leaf_index, position, leaf_hash FROM ledger_leaves WHERE leaf_index > ?"
            " ORDER BY leaf_index LIMIT ?",
            (after, page),
        )
        yield from ((int(i), int(p), bytes(h)) for i, p, h in rows)
        if len(rows) < page:
            return
        after = int(rows[-1][0])


def file_refs(value: Any) -> Iterator[dict[str, Any]]:
    """Every file reference in a payload (a ``FileRef``: name, size, media type, SHA-256)."""
    if isinstance(value, dict):
        if value.keys() == _FILE_REF and isinstance(value["sha256"], str):
            yield value
            return
        for item in value.values():
            yield from file_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from file_refs(item)


_FILE_REF = {"name", "size", "media_type", "sha256"}


class FileSource(Protocol):
    """The stored files, by SHA-256 (``openinno.files.FileStore``)."""

    def exists(self, sha256: str) -> bool: ...

    def chunks(self, sha256: str) -> Iterable[bytes]: ...


def _check_file(files: FileSource, ref: dict[str, Any], n: Notification) -> str | None:
    where = (
        f"{ref['name']!r} ({ref['sha256']}), referenced by the event at position {n.id}"
        f" ({n.topic.rsplit(':', 1)[-1]})"
    )
    if not files.exists(ref["sha256"]):
        return f"file missing: {where}"
    digest, size = hashlib.sha256(), 0
    for chunk in files.chunks(ref["sha256"]):
        digest.update(chunk)
        size += len(chunk)
    if digest.hexdigest() != ref["sha256"] or size != ref["size"]:
        return f"file altered: {where} no longer hashes to what was recorded"
    return None


def audit(
    ledger: Ledger,
    public_key: Ed25519PublicKey,
    progress: Callable[[int], None] = lambda n: None,
    key_history: dict[str, Any] | None = None,
    files: FileSource | None = None,
) -> AuditReport:
    """``key_history``: the signing keys' history (``OpenInno.signing_key_history``);
    checkpoints signed by another key of it than ``public_key`` are held through it.
    ``files``: the file store, whose files every event's references are held against.

    One pass over the stored events and the ledger's leaves together, in log order: the
    leaves fold into a Merkle frontier whose root is held against each signed
    checkpoint as its size is reached, and each stored event against its leaf.  Memory
    holds the frontier, the checkpoints, the hashes of files already checked and the
    events found changed, never a list of every leaf."""
    report = AuditReport()
    chain = KeyChain()
    if key_history and key_history["announcements"]:
        chain, problem = key_chain(key_history["announcements"], key_history["revocations"])
        if problem:
            report.findings.append(f"signing key history: {problem}")
            return report
    through_history = key_id(public_key) in chain.keys
    write_key = ledger.write_key
    if write_key is None:
        report.findings.append("no write key configured: write proofs cannot be checked")
        return report
    cutover = ledger.recorded_proofs_from()
    if cutover is None:
        proofs_from = ledger.state()[1] + 1  # no follower with the write key has run yet
    elif cutover[1]:
        proofs_from = cutover[0]
    else:
        report.findings.append(
            f"the write-proof cut-over record (position {cutover[0]}) was altered"
        )
        proofs_from = 1
    report.proofs_from = proofs_from

    # The checkpoints whose signatures hold, smallest first: each root is checked when
    # the frontier reaches its size.
    signed: list[checkpoints.Checkpoint] = []
    for cp in ledger.signed_checkpoints():
        key = chain.keys.get(cp.key_id, public_key) if through_history else public_key
        if not checkpoints.verify(key, cp):
            report.findings.append(f"checkpoint at tree size {cp.tree_size}: bad signature")
            continue
        until = chain.revoked_after.get(cp.key_id)
        if until is not None and cp.tree_size > until:
            report.findings.append(
                f"checkpoint at tree size {cp.tree_size}: signed by key {cp.key_id}, revoked"
                f" for trees above size {until}"
            )
            continue
        signed.append(cp)
    signed_size = signed[-1].tree_size if signed else 0
    pending = iter(signed)
    due = next(pending, None)
    frontier = Frontier()
    tables_changed = False

    def fold(digest: bytes) -> None:
        nonlocal due, tables_changed
        frontier.append(digest)
        while due is not None and due.tree_size == frontier.size:
            if frontier.root().hex() != due.root_sha256:
                tables_changed = True
                report.findings.append(
                    f"checkpoint at tree size {due.tree_size}: the ledger's own leaves do not "
                    "reproduce the signed root (the ledger tables were changed)"
                )
            else:
                report.checkpoints_verified += 1
            due = next(pending, None)

    leaves = recorded_leaves(ledger)
    leaf = next(leaves, None)
    last_signed = ledger.db.rows(
        "SELECT position FROM ledger_leaves WHERE leaf_index = ?", (signed_size - 1,)
    )
    last_signed_position = int(last_signed[0][0]) if last_signed else 0
    # Signed leaves whose stored event no longer hashes to them: (position, leaf, hash).
    changed: list[tuple[int, int, bytes]] = []
    seen_files: set[str] = set()
    mapper: Mapper[Any] = ledger.mapper
    for n in stored_notifications(ledger.recorder):
        while leaf is not None and leaf[1] < n.id:
            index, position, digest = leaf
            fold(digest)
            if index < signed_size:
                report.findings.append(
                    f"deleted: the event at position {position} (leaf {index}) is missing"
                )
            leaf = next(leaves, None)
        event = read_event(mapper, n)
        verdict = judge(write_key, proofs_from, n, event.tag, event.canonical_payload)
        report.legacy_events += verdict.legacy
        at = leaf[0] if leaf is not None and leaf[1] == n.id else None
        if leaf is not None and at is not None:
            index, position, digest = leaf
            fold(digest)
            if index < signed_size and leaf_hash(event.leaf) != digest:
                changed.append((position, index, digest))
            leaf = next(leaves, None)
        if not verdict.admitted and (at is None or at >= signed_size):
            where = "not in the signed log" if at is None else f"at leaf {at}, not yet signed"
            report.findings.append(
                f"unproven: the event at position {n.id} ({n.topic.rsplit(':', 1)[-1]} of "
                f"stream {n.originator_id}, version {n.originator_version}) has "
                f"{verdict.reason}; {where}"
            )
        elif verdict.admitted and at is None and n.id <= last_signed_position:
            report.findings.append(f"inserted: position {n.id} is not in the signed log")
        elif verdict.admitted and (at is None or at >= signed_size):
            report.not_checkpointed += 1
        # Only payloads that name a media type can hold a file reference: the rest are
        # never decoded a second time.
        if (
            files is not None
            and (verdict.admitted or at is not None)
            and b'"media_type"' in event.canonical_payload
        ):
            for ref in file_refs(msgspec.json.decode(event.canonical_payload)):
                if ref["sha256"] not in seen_files:
                    seen_files.add(ref["sha256"])
                    report.files_checked += 1
                    trouble = _check_file(files, ref, n)
                    if trouble:
                        report.findings.append(trouble)
        report.events += 1
        if report.events % 10_000 == 0:
            progress(report.events)
    while leaf is not None:  # leaves past the last stored event: deleted
        index, position, digest = leaf
        fold(digest)
        if index < signed_size:
            report.findings.append(
                f"deleted: the event at position {position} (leaf {index}) is missing"
            )
        leaf = next(leaves, None)
    progress(report.events)

    if not signed:
        report.findings.append("no signed checkpoint: nothing to hold the store against")
        return report
    if due is not None:
        report.findings.append(
            f"checkpoint at tree size {due.tree_size}: the ledger's own leaves do not "
            "reproduce the signed root (the ledger tables were changed)"
        )
        return report
    if tables_changed:
        return report
    report.findings.extend(_named(ledger, mapper, changed))
    trouble = heads_finding(ledger)
    if trouble:
        report.findings.append(trouble)
    return report


def _stream_chains(
    ledger: Ledger, size: int, page: int = 5_000
) -> Iterator[tuple[int, str, int, bytes]]:
    """Every stream's (first leaf, id, events, chain head) in the tree of ``size``,
    recomputed from the ledger's leaves, by stream id, a page at a time: one stream's
    chain in memory at once."""
    # In the order of the (stream_id, version) index, so each page is an index range
    # scan; a stream's versions are in the order of its leaves.
    stream, events, head, first = "", 0, EMPTY_HEAD, 0
    after: tuple[str, int] = ("", -1)
    while True:
        rows = ledger.db.rows(
            "SELECT stream_id, version, leaf_index, leaf_hash FROM ledger_leaves"
            # A row value: a range search of the index (an OR of the two would scan it).
            " WHERE (stream_id, version) > (?, ?) AND leaf_index < ?"
            " ORDER BY stream_id, version LIMIT ?",
            (after[0], after[1], size, page),
        )
        for sid, _version, index, digest in rows:
            if sid != stream:
                if events:
                    yield first, stream, events, head
                stream, events, head, first = str(sid), 0, EMPTY_HEAD, int(index)
            events, head = events + 1, chain_step(head, bytes(digest))
        if len(rows) < page:
            if events:
                yield first, stream, events, head
            return
        after = (str(rows[-1][0]), int(rows[-1][1]))


def heads_finding(ledger: Ledger) -> str | None:
    """The latest checkpoint note's stream heads (decision 0024) held against the heads
    recomputed from the leaves: a commitment that leaves an event out (made by whoever
    holds the key, or by editing the chain tables) is named.  Earlier notes were each
    held so when they were the latest."""
    rows = ledger.db.rows(
        "SELECT tree_size, note FROM ledger_checkpoint_notes ORDER BY tree_size DESC LIMIT 1"
    )
    if not rows:
        return None
    size, text = int(rows[0][0]), str(rows[0][1])
    try:
        committed = parse_heads_line(split_note(text)[0])
    except ValueError as e:
        return f"checkpoint note at tree size {size}: {e}"
    if committed is None:
        return None
    # The map's entries are in the order the streams first appeared: sorted on disk (a
    # scratch SQLite file), so memory stays flat however many streams.
    frontier = Frontier()
    scratch = sqlite3.connect("")
    try:
        scratch.execute(
            "CREATE TABLE entry (first_leaf INTEGER PRIMARY KEY, leaf_hash BLOB NOT NULL)"
        )
        for first, stream, events, head in _stream_chains(ledger, size):
            scratch.execute(
                "INSERT INTO entry VALUES (?, ?)",
                (first, leaf_hash(heads_entry(stream, events, head))),
            )
        for (digest,) in scratch.execute("SELECT leaf_hash FROM entry ORDER BY first_leaf"):
            frontier.append(bytes(digest))
    finally:
        scratch.close()
    if (frontier.size, frontier.root()) != committed:
        return (
            f"checkpoint note at tree size {size}: its stream heads ({committed[0]} streams)"
            f" are not those of the log's leaves ({frontier.size} streams)"
        )
    return None


def _named(ledger: Ledger, mapper: Mapper[Any], changed: list[tuple[int, int, bytes]]) -> list[str]:
    """Each signed event whose stored form changed, as altered or (leaves include their
    position) moved: re-hashed as if it stood at each other changed position."""
    signed_at = {position: (index, digest) for position, index, digest in changed}

    def leaf_as(now_at: int, moved_to: int) -> bytes:
        """The leaf the event stored at one position would have had at another."""
        [n] = ledger.recorder.select_notifications(start=now_at, limit=1)
        moved = Notification(
            id=moved_to,
            originator_id=n.originator_id,
            originator_version=n.originator_version,
            topic=n.topic,
            state=n.state,
        )
        return leaf_hash(leaf_bytes(mapper, moved))

    findings = []
    for position, index, _ in changed:
        moved_from = next(
            (q for q in signed_at if q != position and leaf_as(position, q) == signed_at[q][1]),
            None,
        )
        if moved_from is not None:
            findings.append(
                f"reordered: position {position} (leaf {index}) now holds the event "
                f"signed at position {moved_from}"
            )
        else:
            findings.append(f"altered: the event at position {position} (leaf {index}) was changed")
    return findings
