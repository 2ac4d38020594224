"""`openinno audit`: recompute the Merkle tree from the stored events and hold it
against every signed checkpoint.  Any altered, inserted, reordered or deleted
event is reported with its log position and leaf index.

Every stored event outside the signed log is also held against its write proof
(ledger/admission.py): a row the application did not write (forged by database
access, refused by the follower, or not followed yet) is named as unproven.
Events inside the signed log had their proof checked when admitted; any change
since shows as a root that differs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification

from openinno.ledger import checkpoint as checkpoints
from openinno.ledger.admission import judge
from openinno.ledger.evidence_verifier import KeyChain, key_chain, key_id
from openinno.ledger.log import Ledger, leaf_bytes, read_event
from openinno.ledger.merkle import MerkleTree, leaf_hash


@dataclass
class AuditReport:
    events: int = 0
    checkpoints_verified: int = 0
    findings: list[str] = field(default_factory=list)
    # Events admitted without a write proof because they were recorded before the cut-over.
    legacy_events: int = 0
    proofs_from: int | None = None

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


def audit(
    ledger: Ledger,
    public_key: Ed25519PublicKey,
    progress: Callable[[int], None] = lambda n: None,
    key_history: dict[str, Any] | None = None,
) -> AuditReport:
    """``key_history``: the signing keys' history (``OpenInno.signing_key_history``);
    checkpoints signed by another key of it than ``public_key`` are held through it."""
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
    # What the ledger recorded when each event was first seen.  It is trusted only
    # as far as it reproduces the signed roots (checked below).
    recorded = {
        int(i): (int(p), bytes(h))
        for i, p, h in ledger.db.rows("SELECT leaf_index, position, leaf_hash FROM ledger_leaves")
    }
    signed = ledger.signed_checkpoints()
    signed_size = signed[-1].tree_size if signed else 0
    leaf_at = {position: index for index, (position, _) in recorded.items()}
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

    recomputed = MerkleTree()
    positions: list[int] = []
    mapper: Mapper[Any] = ledger.mapper
    for n in stored_notifications(ledger.recorder):
        event = read_event(mapper, n)
        verdict = judge(write_key, proofs_from, n, event.tag, event.canonical_payload)
        report.legacy_events += verdict.legacy
        leaf = leaf_at.get(n.id)
        if verdict.admitted or leaf is not None:
            recomputed.append_hash(leaf_hash(event.leaf))
            positions.append(n.id)
        if not verdict.admitted and (leaf is None or leaf >= signed_size):
            where = "not in the signed log" if leaf is None else f"at leaf {leaf}, not yet signed"
            report.findings.append(
                f"unproven: the event at position {n.id} ({n.topic.rsplit(':', 1)[-1]} of "
                f"stream {n.originator_id}, version {n.originator_version}) has "
                f"{verdict.reason}; {where}"
            )
        report.events += 1
        if report.events % 10_000 == 0:
            progress(report.events)
    progress(report.events)

    if not signed:
        report.findings.append("no signed checkpoint: nothing to hold the store against")
        return report
    recorded_tree = MerkleTree()
    for index in range(len(recorded)):
        recorded_tree.append_hash(recorded[index][1])
    for cp in signed:
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
        report.checkpoints_verified += 1
        if (
            cp.tree_size > recorded_tree.size
            or recorded_tree.root(cp.tree_size).hex() != cp.root_sha256
        ):
            report.findings.append(
                f"checkpoint at tree size {cp.tree_size}: the ledger's own leaves do not "
                "reproduce the signed root (the ledger tables were changed)"
            )
            return report
        same = cp.tree_size <= recomputed.size and (
            recomputed.root(cp.tree_size).hex() == cp.root_sha256
        )
        if not same:

            def leaf_as(now_at: int, signed_at: int) -> bytes:
                """The leaf the event stored at one position would have had at another."""
                [n] = ledger.recorder.select_notifications(start=now_at, limit=1)
                moved = Notification(
                    id=signed_at,
                    originator_id=n.originator_id,
                    originator_version=n.originator_version,
                    topic=n.topic,
                    state=n.state,
                )
                return leaf_hash(leaf_bytes(mapper, moved))

            report.findings.extend(
                _differences(recorded, positions, recomputed, cp.tree_size, leaf_as)
                or [f"checkpoint at tree size {cp.tree_size}: root differs"]
            )
            return report
    return report


def _differences(
    recorded: dict[int, tuple[int, bytes]],
    positions: list[int],
    recomputed: MerkleTree,
    size: int,
    leaf_as: Callable[[int, int], bytes],
) -> list[str]:
    """Name each position where the store no longer matches the signed log."""
    signed_by_position = {recorded[i][0]: (i, recorded[i][1]) for i in range(size)}
    stored_by_position = {
        position: (i, recomputed.store.get(0, i)) for i, position in enumerate(positions)
    }
    changed = [
        p
        for p, (_, digest) in signed_by_position.items()
        if p in stored_by_position and stored_by_position[p][1] != digest
    ]
    findings = []
    last_signed = recorded[size - 1][0]
    for position, (index, digest) in sorted(signed_by_position.items()):
        stored = stored_by_position.get(position)
        if stored is None:
            findings.append(f"deleted: the event at position {position} (leaf {index}) is missing")
        elif stored[1] != digest:
            # Leaves include their position, so a moved event is found by re-hashing it
            # as if it stood at each other changed position.
            moved_from = next(
                (
                    q
                    for q in changed
                    if q != position and leaf_as(position, q) == signed_by_position[q][1]
                ),
                None,
            )
            if moved_from is not None:
                findings.append(
                    f"reordered: position {position} (leaf {index}) now holds the event "
                    f"signed at position {moved_from}"
                )
            else:
                findings.append(
                    f"altered: the event at position {position} (leaf {index}) was changed"
                )
    for position in sorted(p for p in stored_by_position if p <= last_signed):
        if position not in signed_by_position:
            findings.append(f"inserted: position {position} is not in the signed log")
    return findings
