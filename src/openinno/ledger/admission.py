"""Which stored events the ledger admits into the signed log: those the application
provably wrote (a valid write proof, persistence/write_proof.py).

Events recorded before write proofs existed have none.  They are admitted as
"legacy, unproven" only below the *cut-over*: the first log position from which
the ledger requires proofs, recorded once (with a MAC by the write key, so a
database-only attacker cannot move it) when a ledger holding the write key first
follows the log.  On a new installation it is 1: nothing is legacy.  Audit names
the cut-over and how many legacy events lie below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Notification

from openinno.persistence.write_proof import WriteKey


@dataclass(frozen=True)
class Verdict:
    admitted: bool
    legacy: bool = False
    reason: str = ""


PROVEN = Verdict(True)
LEGACY = Verdict(True, legacy=True)


def judge(
    write_key: WriteKey,
    proofs_from: int,
    notification: Notification,
    tag: bytes | None,
    canonical_payload: bytes,
) -> Verdict:
    n: Any = notification
    if tag is None:
        if n.id < proofs_from:
            return LEGACY
        return Verdict(False, reason="no write proof")
    if write_key.check(tag, n.originator_id, n.originator_version, n.topic, canonical_payload):
        return PROVEN
    # A wrong proof is refused even below the cut-over: nothing legitimate makes one.
    return Verdict(False, reason="the write proof does not match")
