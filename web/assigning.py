"""Assignment runs from the web (API and pages alike, decision 0023): the command
takes the challenge's live entries, the declared conflicts and each reviewer's
scored entries from the reviewers' read model (the challenge's stream does not
list its entries); conflicts recorded since are known to the reviewers' own
assignment streams, and scoring checks a conflict on the write side anyway."""

from __future__ import annotations

from uuid import UUID

from openinno.application import OpenInno
from openinno.commands.assignment import AssignmentRecorded
from projections.db import Db
from projections.reviewers import queries as reviewers


def assign(
    openinno: OpenInno, db: Db, actor: UUID, challenge_id: UUID, k: int, seed: int | None
) -> AssignmentRecorded:
    entries, conflicts, _scored = reviewers.assignment_inputs(db, challenge_id)
    return openinno.assign_reviewers(
        actor,
        challenge_id,
        [UUID(e) for e in entries],
        k,
        seed=seed,
        conflicts={UUID(e): {UUID(r) for r in rs} for e, rs in conflicts.items()},
    )


def release(
    openinno: OpenInno, db: Db, actor: UUID, challenge_id: UUID, reviewer_id: UUID, reason: str
) -> AssignmentRecorded:
    entries, conflicts, scored = reviewers.assignment_inputs(db, challenge_id)
    return openinno.release_reviewer(
        actor,
        challenge_id,
        reviewer_id,
        reason,
        [UUID(e) for e in entries],
        scored=[UUID(e) for e in scored.get(str(reviewer_id), ())],
        conflicts={UUID(e): {UUID(r) for r in rs} for e, rs in conflicts.items()},
    )


def progress(db: Db, challenge_id: UUID) -> dict[str, object]:
    """Per reviewer: assigned, done (current version), awaiting re-review, conflicts,
    left; and the entries short of k reviewers."""
    found = reviewers.review_progress(db, challenge_id)
    k = found["k"]
    found["short"] = None if k is None else reviewers.entries_short_of_k(db, challenge_id, k)
    return found
