"""The ledger follower: appends every recorded event the application provably
wrote (ledger/admission.py) to the Merkle tree, exactly once, and signs
checkpoints.  An event without a valid write proof is never leafed: it is kept in
``ledger_rejected`` and logged as an error, and `openinno audit` names it.

Each batch — its leaves, the subtree hashes they complete, the new tree size and
log position, and any checkpoint — is written in ONE transaction, guarded by a
compare-and-set on the tree size, so a killed or duplicated follower never
appends an event twice or skips one.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification

from openinno.ledger import checkpoint as checkpoints
from openinno.ledger import note as notes
from openinno.ledger.admission import Verdict, judge
from openinno.ledger.canonical import canonical_json
from openinno.ledger.evidence_verifier import EMPTY_HEAD, chain_head, chain_step, heads_entry
from openinno.ledger.merkle import MerkleTree, leaf_hash, node_hash
from openinno.ledger.store import LedgerDb
from openinno.ledger.witnessing import (
    Reply,
    WitnessConfig,
    add_checkpoint,
    cosignature_from,
    parse_witnesses,
)
from openinno.persistence.write_proof import WriteKey, load_key, unseal

BATCH = 2_000
log = logging.getLogger("openinno.ledger")
_decode = msgspec.json.Decoder()


class DbNodeStore:
    """Perfect-subtree hashes, read through an in-memory overlay of the open batch."""

    def __init__(self, db: LedgerDb, size: int) -> None:
        self.db = db
        self._size = size
        self.pending: dict[tuple[int, int], bytes] = {}

    def get(self, level: int, index: int) -> bytes:
        found = self.pending.get((level, index))
        if found is not None:
            return found
        rows = self.db.rows(
            "SELECT hash FROM ledger_nodes WHERE level = ? AND idx = ?", (level, index)
        )
        if not rows:
            raise KeyError(f"no ledger node at level {level}, index {index}")
        return bytes(rows[0][0])

    def put(self, level: int, index: int, digest: bytes) -> None:
        self.pending[(level, index)] = digest
        if level == 0:
            self._size = max(self._size, index + 1)

    @property
    def size(self) -> int:
        return self._size

    def flush(self) -> None:
        self.db.insert_rows(
            "ledger_nodes",
            ("level", "idx", "hash"),
            [(level, index, digest) for (level, index), digest in self.pending.items()],
        )
        self.pending.clear()


def plaintext_payload(mapper: Mapper[Any], notification: Notification) -> bytes:
    data = notification.state
    if mapper.cipher:
        data = mapper.cipher.decrypt(data)
    if mapper.compressor:
        data = mapper.compressor.decompress(data)
    return data


@dataclass(frozen=True)
class ReadEvent:
    """A stored event as the ledger sees it: its write proof and canonical forms."""

    tag: bytes | None
    canonical_payload: bytes
    leaf: bytes


def read_event(mapper: Mapper[Any], notification: Notification) -> ReadEvent:
    tag, payload = unseal(plaintext_payload(mapper, notification))
    canonical_payload = canonical_json(_decode.decode(payload))
    # canonical_event(...), with the payload already in canonical form.
    leaf = canonical_json(
        {
            "position": notification.id,
            "stream_id": str(notification.originator_id),
            "version": notification.originator_version,
            "topic": notification.topic,
            "payload": msgspec.Raw(canonical_payload),
        }
    )
    return ReadEvent(tag, canonical_payload, leaf)


def leaf_bytes(mapper: Mapper[Any], notification: Notification) -> bytes:
    return read_event(mapper, notification).leaf


def _entry(stream_id: str, events: int, head: bytes) -> bytes:
    """``heads_entry`` (the verifier's) with the ledger's faster canonical JSON: the same
    bytes (tests/ledger/test_stream_heads.py)."""
    return canonical_json({"events": events, "head": head.hex(), "stream_id": stream_id})


@dataclass(frozen=True)
class _Head:
    """A stream's chain head as the ledger keeps it (ledger_stream_heads)."""

    events: int
    head: bytes
    leaf_index: int  # of its latest event
    map_index: int  # its entry in the map of heads (-1: not placed yet)
    first_leaf: int


# The map's level 0 (each entry's leaf hash) is kept beside the entry, in
# ledger_stream_heads.entry_hash; the levels above in ledger_map_nodes.
_LEVEL_0 = "SELECT map_index, entry_hash FROM ledger_stream_heads WHERE map_index IN ({})"
_LEVEL_N = "SELECT idx, hash FROM ledger_map_nodes WHERE level = ? AND idx IN ({})"


class _MapNodes:
    """The map of heads' perfect-subtree hashes, read for a root or a proof at its
    current number of entries."""

    def __init__(self, db: LedgerDb, size: int) -> None:
        self.db = db
        self._size = size

    def get(self, level: int, index: int) -> bytes:
        if level == 0:
            rows = self.db.rows(_LEVEL_0.format("?"), (index,))
        else:
            rows = self.db.rows(_LEVEL_N.format("?"), (level, index))
        if not rows:
            raise KeyError(f"no map node at level {level}, index {index}")
        return bytes(rows[0][1])

    def put(self, level: int, index: int, digest: bytes) -> None:
        raise NotImplementedError("the map is written by _update_map")

    @property
    def size(self) -> int:
        return self._size


def _update_map(db: LedgerDb, leaves: dict[int, bytes], size: int) -> None:
    """Rehash every perfect subtree above the entries ``leaves`` (index: leaf hash, already
    stored with their entries) in a map of ``size`` entries, a level at a time (one read
    per level)."""
    pending: dict[tuple[int, int], bytes] = {(0, i): h for i, h in leaves.items()}
    dirty = set(leaves)
    level = 0
    while dirty:
        span = 1 << (level + 1)
        parents = {i // 2 for i in dirty if (i // 2 + 1) * span <= size}
        if not parents:
            break
        want = sorted({c for p in parents for c in (2 * p, 2 * p + 1) if (level, c) not in pending})
        for start in range(0, len(want), 500):
            chunk = want[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            query = (
                db.rows(_LEVEL_0.format(marks), chunk)
                if level == 0
                else db.rows(_LEVEL_N.format(marks), (level, *chunk))
            )
            for index, digest in query:
                pending[(level, int(index))] = bytes(digest)
        for p in parents:
            pending[(level + 1, p)] = node_hash(
                pending[(level, 2 * p)], pending[(level, 2 * p + 1)]
            )
        dirty = parents
        level += 1
    db.executemany(
        "INSERT INTO ledger_map_nodes (level, idx, hash) VALUES (?, ?, ?)"
        " ON CONFLICT (level, idx) DO UPDATE SET hash = excluded.hash",
        [(lv, i, h) for (lv, i), h in pending.items() if lv > 0],
    )


@dataclass
class Ledger:
    db: LedgerDb
    recorder: ApplicationRecorder
    mapper: Mapper[Any]
    now: Callable[[], datetime]
    signing_key: checkpoints.Signer | None = None
    checkpoint_every_events: int = 1000
    checkpoint_every_seconds: float = 60.0
    # Without it the follower cannot tell the application's events from forged ones:
    # it waits (admits nothing) rather than refuse genuine events for good.
    write_key: WriteKey | None = None
    # The log's name in its C2SP checkpoint notes (OPENINNO_LOG_ORIGIN), and the
    # witnesses each new checkpoint is submitted to (OPENINNO_WITNESSES).
    origin: str = "openinno.example/ledger"
    witnesses: list[WitnessConfig] = field(default_factory=list)
    # Where the signing key was read from: re-read when the file changes (`openinno keys
    # rotate` replaces it), so a running follower signs with the new key.
    signing_key_path: Path | None = None
    _key_stamp: tuple[int, int] | None = field(default=None, init=False, repr=False)
    # A second connection to the ledger tables, for the witnessing thread of `follow`.
    db_factory: Callable[[], LedgerDb] | None = None
    _wake_witnessing: threading.Event | None = field(default=None, init=False, repr=False)
    _warned_no_write_key: bool = field(default=False, init=False, repr=False)
    _witnessed_at: datetime | None = field(default=None, init=False, repr=False)

    def state(self) -> tuple[int, int]:
        rows = self.db.rows("SELECT tree_size, last_position FROM ledger_state WHERE id = 1")
        return int(rows[0][0]), int(rows[0][1])

    def tree(self) -> MerkleTree:
        return MerkleTree(DbNodeStore(self.db, self.state()[0]))

    def follow_once(self, limit: int = BATCH) -> int:
        """Append what the log has beyond our position; returns how many events."""
        self.reload_signing_key()
        if self.write_key is None:
            if not self._warned_no_write_key:
                log.warning("ledger paused: no write key (openinno keys generate --if-missing)")
                self._warned_no_write_key = True
            return 0
        size, position = self.state()
        self.chain_up_to(size)
        proofs_from = self.proofs_from()
        notifications = self.recorder.select_notifications(start=position + 1, limit=limit)
        if not notifications:
            # Quiet log: still sign the tail once it has waited long enough.
            if self._due(size):
                with self.db.transaction():
                    self._sign(self.tree(), size)
                self._witness()
            elif self._witness_retry_due():
                self._witness()
            return 0
        store = DbNodeStore(self.db, size)
        tree = MerkleTree(store)
        leaves = []
        rejected = []
        for n in notifications:
            event = read_event(self.mapper, n)
            verdict = judge(self.write_key, proofs_from, n, event.tag, event.canonical_payload)
            if not verdict.admitted:
                rejected.append(self._rejected_row(n, verdict))
                continue
            digest = leaf_hash(event.leaf)
            index = tree.append_hash(digest)
            leaves.append((index, n.id, str(n.originator_id), n.originator_version, digest))
        new_size, new_position = tree.size, notifications[-1].id
        heads = self._chained([(i, s, d) for i, _, s, _, d in leaves])
        with self.db.transaction():
            moved = self.db.execute(
                "UPDATE ledger_state SET tree_size = ?, last_position = ? WHERE id = 1 AND tree_size = ?",
                (new_size, new_position, size),
            )
            if moved != 1:
                raise RuntimeError(
                    "another ledger follower moved the tree; retry from its position"
                )
            self.db.insert_rows(
                "ledger_leaves",
                ("leaf_index", "position", "stream_id", "version", "leaf_hash"),
                leaves,
            )
            self._record_chain(heads, new_size)
            self.db.insert_rows(
                "ledger_rejected",
                ("position", "stream_id", "version", "topic", "reason", "seen_at"),
                rejected,
            )
            store.flush()
            signed = self._due(new_size)
            if signed:
                self._sign(tree, new_size)
        if signed:
            # After the commit: witnesses are asked over the network, never inside
            # the ledger's transaction.
            self._witness()
        return len(notifications)

    # --- stream chains and the map of stream heads (decision 0024) ---------------------
    # The map's entries are in the order the streams first appeared in the tree: a new
    # stream is appended, a stream that grows is updated in place, so each batch rehashes
    # only the changed entries' paths (``_update_map``), never the whole map.

    def _current_heads(self, streams: set[str]) -> dict[str, _Head]:
        found: dict[str, _Head] = {}
        ids = sorted(streams)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self.db.rows(
                "SELECT stream_id, events, head, leaf_index, map_index, first_leaf"
                f" FROM ledger_stream_heads WHERE stream_id IN ({marks})",
                chunk,
            )
            found.update(
                {
                    str(s): _Head(int(e), bytes(h), int(i), int(m), int(f))
                    for s, e, h, i, m, f in rows
                }
            )
        return found

    def _chained(self, leaves: list[tuple[int, str, bytes]]) -> dict[str, _Head]:
        """Each changed stream's new head (``map_index`` -1: a stream new to the map)."""
        heads = self._current_heads({stream for _, stream, _ in leaves})
        changed: dict[str, _Head] = {}
        for index, stream, digest in leaves:
            known = heads.get(stream) or _Head(0, EMPTY_HEAD, index, -1, index)
            head = _Head(
                known.events + 1,
                chain_step(known.head, digest),
                index,
                known.map_index,
                known.first_leaf,
            )
            heads[stream] = changed[stream] = head
        return changed

    def _map_state(self) -> tuple[int, int]:
        """(tree size, entries) the stored map of heads is at."""
        rows = self.db.rows("SELECT tree_size, entries FROM ledger_map_state WHERE id = 1")
        return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)

    def _record_chain(self, heads: dict[str, _Head], tree_size: int) -> None:
        _, entries = self._map_state()
        new = sorted((h.first_leaf, stream) for stream, h in heads.items() if h.map_index < 0)
        for k, (_, stream) in enumerate(new):
            h = heads[stream]
            heads[stream] = _Head(h.events, h.head, h.leaf_index, entries + k, h.first_leaf)
        entries += len(new)
        leaves = {
            stream: leaf_hash(_entry(stream, h.events, h.head)) for stream, h in heads.items()
        }
        self.db.executemany(
            "INSERT INTO ledger_stream_heads"
            " (stream_id, events, head, leaf_index, map_index, first_leaf, entry_hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET"
            " events = excluded.events, head = excluded.head, leaf_index = excluded.leaf_index,"
            " entry_hash = excluded.entry_hash",
            [
                (stream, h.events, h.head, h.leaf_index, h.map_index, h.first_leaf, leaves[stream])
                for stream, h in heads.items()
            ],
        )
        _update_map(self.db, {h.map_index: leaves[stream] for stream, h in heads.items()}, entries)
        self.db.execute(
            "INSERT INTO ledger_map_state (id, tree_size, entries) VALUES (1, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET tree_size = excluded.tree_size,"
            " entries = excluded.entries",
            (tree_size, entries),
        )

    def chain_up_to(self, size: int) -> None:
        """Chain the leaves appended before stream chains existed (once, after an upgrade)."""
        chained, _ = self._map_state()
        while chained < size:
            page = self.db.rows(
                "SELECT leaf_index, stream_id, leaf_hash FROM ledger_leaves"
                " WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index LIMIT ?",
                (chained, size, BATCH * 5),
            )
            if not page:
                return
            heads = self._chained([(int(i), str(s), bytes(d)) for i, s, d in page])
            chained = int(page[-1][0]) + 1
            with self.db.transaction():
                self._record_chain(heads, chained)

    def heads_commitment(self, size: int) -> tuple[int, bytes]:
        """(entries, root) of the map of stream heads in the tree of ``size``: from the
        stored map when it is at that size (O(log² n) reads), else rebuilt."""
        at, entries = self._map_state()
        if at == size:
            return entries, MerkleTree(_MapNodes(self.db, entries)).root(entries)
        _, tree = self.heads_map(size)
        return tree.size, tree.root()

    def heads_proofs(
        self, size: int, streams: Sequence[str], rebuild: bool = False
    ) -> list[tuple[str, int, bytes, int, list[bytes]]]:
        """(stream, events, head, map index, inclusion proof) of each stream with events in
        the tree of ``size``, against ``heads_commitment(size)``; ``rebuild``: from the map
        rebuilt in memory even when the stored one is at that size."""
        at, entries = self._map_state()
        if at == size and not rebuild:
            found = self._current_heads(set(streams))
            tree = MerkleTree(_MapNodes(self.db, entries))
            return [
                (s, h.events, h.head, h.map_index, tree.inclusion_proof(h.map_index, entries))
                for s in streams
                if (h := found.get(s)) is not None
            ]
        listed, tree = self.heads_map(size)
        where = {stream: i for i, (stream, _, _) in enumerate(listed)}
        return [
            (s, listed[i][1], listed[i][2], i, tree.inclusion_proof(i, tree.size))
            for s in streams
            if (i := where.get(s)) is not None
        ]

    def heads_map(self, size: int) -> tuple[list[tuple[str, int, bytes]], MerkleTree]:
        """The map of stream heads at ``size``, rebuilt in memory (O(streams)): its
        entries (id, events, chain head) in map order, and their Merkle tree."""
        heads: dict[str, tuple[int, int, bytes]] = {}
        moved = []
        for stream, events, head, index, map_index in self.db.rows(
            "SELECT stream_id, events, head, leaf_index, map_index FROM ledger_stream_heads"
            " WHERE first_leaf < ?",
            (size,),
        ):
            if int(index) < size:
                heads[str(stream)] = (int(map_index), int(events), bytes(head))
            else:
                moved.append((str(stream), int(map_index)))
        for stream, map_index in moved:
            # Grown since: its chain up to ``size``, from its leaves.
            rows = self.db.rows(
                "SELECT leaf_hash FROM ledger_leaves WHERE stream_id = ? AND leaf_index < ?"
                " ORDER BY version",
                (stream, size),
            )
            heads[stream] = (map_index, len(rows), chain_head([bytes(d) for (d,) in rows]))
        entries = [
            (stream, e, h) for stream, (_, e, h) in sorted(heads.items(), key=lambda x: x[1][0])
        ]
        tree = MerkleTree()
        for stream, events, head in entries:
            tree.append(heads_entry(stream, events, head))
        return entries, tree

    def reload_signing_key(self) -> None:
        """Take the key file's current key if the file changed (one stat per batch)."""
        if self.signing_key_path is None:
            return
        try:
            stat = self.signing_key_path.stat()
        except OSError:
            return
        stamp = (stat.st_mtime_ns, stat.st_ino)
        if self._key_stamp is None:
            self._key_stamp = stamp
        elif stamp != self._key_stamp:
            self._key_stamp = stamp
            self.signing_key = checkpoints.load_private_key(self.signing_key_path.read_bytes())
            log.info(
                "ledger: signing with the new key %s",
                checkpoints.key_id(self.signing_key.public_key()),
            )

    def _rejected_row(self, n: Notification, verdict: Verdict) -> tuple[Any, ...]:
        # An alert: someone wrote to the event store without the application's key.
        log.error(
            "ledger refused the event at position %s (%s of stream %s, version %s): %s",
            n.id,
            n.topic,
            n.originator_id,
            n.originator_version,
            verdict.reason,
        )
        return (
            n.id,
            str(n.originator_id),
            n.originator_version,
            n.topic,
            verdict.reason,
            self.now().isoformat(),
        )

    def proofs_from(self) -> int:
        """The cut-over: the first log position from which write proofs are required
        (admission.py), recorded by the first follower that holds the write key.
        A record whose MAC does not check was altered: then proofs are required from 1."""
        assert self.write_key is not None
        rows = self.db.rows("SELECT position, tag FROM ledger_write_proofs_from WHERE id = 1")
        if rows:
            position, tag = int(rows[0][0]), str(rows[0][1])
            if self.write_key.check_cutover(position, tag):
                return position
            log.error("ledger: the write-proof cut-over record was altered; requiring proofs")
            return 1
        _, last_position = self.state()
        position = last_position + 1
        self.db.execute(
            "INSERT INTO ledger_write_proofs_from (id, position, tag) VALUES (1, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            (position, self.write_key.tag_cutover(position)),
        )
        return self.proofs_from()

    def recorded_proofs_from(self) -> tuple[int, bool] | None:
        """The recorded cut-over and whether its MAC checks (None: not recorded yet)."""
        rows = self.db.rows("SELECT position, tag FROM ledger_write_proofs_from WHERE id = 1")
        if not rows:
            return None
        position, tag = int(rows[0][0]), str(rows[0][1])
        return position, self.write_key is not None and self.write_key.check_cutover(position, tag)

    def rejected(self) -> list[tuple[int, str, int, str, str]]:
        """(position, stream id, version, topic, reason) of every refused event."""
        rows = self.db.rows(
            "SELECT position, stream_id, version, topic, reason FROM ledger_rejected"
            " ORDER BY position"
        )
        return [(int(p), str(s), int(v), str(t), str(r)) for p, s, v, t, r in rows]

    def _due(self, size: int) -> bool:
        if self.signing_key is None or size == 0:
            return False
        latest = self.latest_checkpoint()
        if latest is None:
            return True
        if size - latest.tree_size >= self.checkpoint_every_events:
            return True
        waited = (self.now() - latest.signed_at).total_seconds()
        return size > latest.tree_size and waited >= self.checkpoint_every_seconds

    def _sign(self, tree: MerkleTree, size: int) -> checkpoints.Checkpoint:
        assert self.signing_key is not None
        signed = checkpoints.sign(self.signing_key, size, tree.root(size), self.now())
        self.db.execute(
            "INSERT INTO ledger_checkpoints (tree_size, root_sha256, signed_at, key_id, signature, body)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tree_size) DO NOTHING",
            (
                signed.tree_size,
                signed.root_sha256,
                signed.signed_at.isoformat(),
                signed.key_id,
                signed.signature,
                msgspec.json.encode(signed).decode(),
            ),
        )
        self._sign_note(size, tree.root(size))
        return signed

    def _sign_note(self, size: int, root: bytes) -> str:
        assert self.signing_key is not None
        note = notes.sign_checkpoint(
            self.signing_key, self.origin, size, root, self.heads_commitment(size)
        )
        self.db.execute(
            "INSERT INTO ledger_checkpoint_notes (tree_size, note) VALUES (?, ?)"
            " ON CONFLICT (tree_size) DO NOTHING",
            (size, note),
        )
        return note

    def checkpoint_note(self, size: int) -> str | None:
        """The checkpoint of ``size`` as a C2SP signed note with every cosignature
        stored for it (None: no checkpoint of that size).  A checkpoint signed before
        notes existed gets its note now, from its signed root."""
        rows = self.db.rows("SELECT note FROM ledger_checkpoint_notes WHERE tree_size = ?", (size,))
        if rows:
            note = str(rows[0][0])
        else:
            signed = self.db.rows(
                "SELECT root_sha256, key_id FROM ledger_checkpoints WHERE tree_size = ?", (size,)
            )
            if (
                not signed
                or self.signing_key is None
                # Only the key that signed the checkpoint may sign it as a note.
                or str(signed[0][1]) != checkpoints.key_id(self.signing_key.public_key())
            ):
                return None
            note = self._sign_note(size, bytes.fromhex(str(signed[0][0])))
        lines = self.db.rows(
            "SELECT line FROM ledger_cosignatures WHERE tree_size = ? ORDER BY witness", (size,)
        )
        return note + "".join(str(line) for (line,) in lines)

    def _cosigned_size(self, witness: str) -> int:
        rows = self.db.rows(
            "SELECT MAX(tree_size) FROM ledger_cosignatures WHERE witness = ?", (witness,)
        )
        return int(rows[0][0] or 0)

    def _witness_retry_due(self) -> bool:
        if not self.witnesses:
            return False
        waited = self._witnessed_at is None or (
            (self.now() - self._witnessed_at).total_seconds() >= self.checkpoint_every_seconds
        )
        latest = self.latest_checkpoint() if waited else None
        return latest is not None and any(
            self._cosigned_size(w.name) < latest.tree_size for w in self.witnesses
        )

    def _witness(self) -> None:
        """Have the latest checkpoint cosigned: by the witnessing thread when `follow`
        runs one (the follower never waits for the network), else here and now."""
        if self._wake_witnessing is not None:
            self._wake_witnessing.set()
        else:
            self.cosign_latest()

    def _witnessing(self, stop: threading.Event, wake: threading.Event) -> None:
        """The witnessing thread: on each new checkpoint (or after a failure, once
        ``checkpoint_every_seconds`` passed), submit the latest one.  Under load it
        skips checkpoints signed meanwhile: a witness needs only the newest, with a
        consistency proof from the size it cosigned."""
        assert self.db_factory is not None
        own = dataclasses.replace(self, db=self.db_factory())
        try:
            while not stop.is_set():
                woken = wake.wait(self.checkpoint_every_seconds)
                wake.clear()
                if stop.is_set():
                    return
                try:
                    if woken or own._witness_retry_due():
                        own.cosign_latest()
                except Exception:
                    log.exception("ledger: witnessing failed; retrying later")
        finally:
            own.db.close()

    def cosign_latest(self) -> dict[str, Reply]:
        """Submit the latest checkpoint to every configured witness that has not
        cosigned it (c2sp.org/tlog-witness), with a consistency proof from the size
        it last cosigned; store each valid cosignature.  Returns each witness's reply."""
        if not self.witnesses:
            return {}
        self.reload_signing_key()
        latest = self.latest_checkpoint()
        note = None if latest is None else self.checkpoint_note(latest.tree_size)
        if latest is None or note is None:
            return {}
        self._witnessed_at = self.now()
        size = latest.tree_size
        tree = self.tree()
        replies: dict[str, Reply] = {}
        for witness in self.witnesses:
            old = self._cosigned_size(witness.name)
            if old >= size:
                continue
            reply = self._submit(witness, note, tree, old, size)
            their = reply.body.strip()
            if reply.status == 409 and their.isdigit() and int(their) != old:
                # The witness knows a later size than we recorded (our records were
                # lost, or another copy of the log submitted): prove from its size.
                if int(their) > size:
                    log.error(
                        "witness %s cosigned size %s of %s, beyond this log's %s:"
                        " the log was rolled back or forked",
                        witness.name,
                        their,
                        self.origin,
                        size,
                    )
                else:
                    reply = self._submit(witness, note, tree, int(their), size)
            replies[witness.name] = reply
            line = cosignature_from(witness, note, reply.body) if reply.status == 200 else None
            if line is not None:
                self.db.execute(
                    "INSERT INTO ledger_cosignatures (tree_size, witness, line) VALUES (?, ?, ?)"
                    " ON CONFLICT (witness, tree_size) DO NOTHING",
                    (size, witness.name, line),
                )
            else:
                log.error(
                    "witness %s did not cosign checkpoint %s of %s: %s %s",
                    witness.name,
                    size,
                    self.origin,
                    reply.status or "unreachable",
                    reply.body.strip()[:200],
                )
        return replies

    def _submit(
        self, witness: WitnessConfig, note: str, tree: MerkleTree, old: int, size: int
    ) -> Reply:
        proof = tree.consistency_proof(old, size) if 0 < old < size else []
        return add_checkpoint(witness, note, old, proof)

    def checkpoint_now(self) -> checkpoints.Checkpoint | None:
        """Sign the current tree (e.g. before exporting evidence)."""
        size, _ = self.state()
        if self.signing_key is None or size == 0:
            return None
        latest = self.latest_checkpoint()
        if latest is not None and latest.tree_size == size:
            return latest
        self.chain_up_to(size)
        with self.db.transaction():
            return self._sign(self.tree(), size)

    def signed_checkpoints(
        self, after: int = 0, limit: int | None = None
    ) -> list[checkpoints.Checkpoint]:
        """Oldest first; ``after``/``limit`` page in SQL (by tree size)."""
        sql = "SELECT body FROM ledger_checkpoints WHERE tree_size > ? ORDER BY tree_size"
        params: tuple[int, ...] = (after,)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        rows = self.db.rows(sql, params)
        return [msgspec.json.decode(r[0], type=checkpoints.Checkpoint) for r in rows]

    def latest_checkpoint(self) -> checkpoints.Checkpoint | None:
        rows = self.db.rows("SELECT body FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1")
        return msgspec.json.decode(rows[0][0], type=checkpoints.Checkpoint) if rows else None

    def leaf_index_of(self, position: int) -> int | None:
        rows = self.db.rows("SELECT leaf_index FROM ledger_leaves WHERE position = ?", (position,))
        return int(rows[0][0]) if rows else None

    def follow(
        self, stop: threading.Event, idle_seconds: float = 0.25, linger_seconds: float = 0.0
    ) -> None:
        """Append batches until ``stop``.  After a batch that caught up with the log,
        wait ``linger_seconds`` so the next one is bigger (as the read models do:
        projections.wakeup.Linger); each batch pays a transaction and a tree update.
        With witnesses, a thread of its own submits checkpoints to them."""
        thread = None
        if self.witnesses and self.db_factory is not None:
            wake = threading.Event()
            self._wake_witnessing = wake
            thread = threading.Thread(
                target=self._witnessing, args=(stop, wake), name="ledger-witnessing", daemon=True
            )
            thread.start()
            wake.set()  # checkpoints signed before this start, or not yet cosigned
        try:
            while not stop.is_set():
                count = self.follow_once()
                if count == 0:
                    stop.wait(idle_seconds)
                elif count < BATCH and linger_seconds > 0:
                    stop.wait(linger_seconds)
        finally:
            if thread is not None:
                self._wake_witnessing = None
                wake.set()
                thread.join(timeout=10)


def catch_up(ledger: Ledger) -> int:
    total = 0
    while (count := ledger.follow_once()) > 0:
        total += count
    return total


def ledger_for(app: Any, *, create_tables: bool = False) -> Ledger:
    """The ledger of an OpenInno application, signing with the configured key if it
    exists, and checking write proofs with the configured write key."""
    settings = app.settings
    db = LedgerDb(settings)
    if create_tables:
        db.migrate()
    key: checkpoints.Signer | None = None
    key_file: Path | None = settings.signing_key_path
    if settings.signer:
        key, key_file = checkpoints.load_signer(settings.signer, settings), None
    elif key_file is not None and key_file.exists():
        key = checkpoints.load_private_key(key_file.read_bytes())
    return Ledger(
        db=db,
        recorder=app.recorder,
        mapper=app.mapper,
        now=app.clock.now,
        signing_key=key,
        checkpoint_every_events=settings.checkpoint_every_events,
        checkpoint_every_seconds=settings.checkpoint_every_seconds,
        write_key=load_key(settings.write_key_path),
        origin=settings.log_origin,
        witnesses=parse_witnesses(settings.witnesses),
        signing_key_path=key_file,
        db_factory=lambda: LedgerDb(settings),
    )
