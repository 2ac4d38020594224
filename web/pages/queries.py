"""Read-side questions the pages need that no read model answers yet.  Each is a
candidate for a query function in `projections/` (see the report in issue 5);
until then they read the read models' tables directly and every answer is
checked against the write side before it is shown."""

from __future__ import annotations

from uuid import UUID

from projections.db import Db, Row


def organisations_of(db: Db, account_id: UUID) -> list[str]:
    """Organisation ids this account created or was added to (the legal model's
    event history); the caller checks current membership on the write side."""
    rows = db.rows(
        "SELECT DISTINCT originator_id FROM lg_events WHERE "
        "(event_type = 'Organisation.Created' AND actor_id = ?) OR "
        "(event_type = 'Organisation.MemberAdded' AND data LIKE ?)",
        (str(account_id), f"%{account_id}%"),
    )
    return [r["originator_id"] for r in rows]


def organisation_challenges(db: Db, organisation_id: UUID) -> list[Row]:
    """Every challenge of one organisation, drafts included (for its members only)."""
    return db.rows(
        "SELECT challenge_id, title, status, opens_at, closes_at, submission_count "
        "FROM pt_challenges WHERE organisation_id = ? AND status <> 'discarded' "
        "ORDER BY drafted_at DESC, challenge_id",
        (str(organisation_id),),
    )


def categories(db: Db) -> list[str]:
    rows = db.rows(
        "SELECT DISTINCT category FROM pt_challenges"
        " WHERE status NOT IN ('draft', 'discarded') ORDER BY category"
    )
    return [r["category"] for r in rows]


def review_invitations(db: Db, reviewer_id: UUID) -> list[Row]:
    """Challenges that invited this reviewer who has not accepted yet."""
    return db.rows(
        "SELECT v.challenge_id, c.title, c.review_ends_at FROM rv_reviewers v "
        "JOIN rv_challenges c ON c.challenge_id = v.challenge_id "
        "WHERE v.reviewer_id = ? AND v.accepted = 0 ORDER BY c.review_ends_at, v.challenge_id",
        (str(reviewer_id),),
    )


def agreements_of(db: Db, submission_ids: list[str]) -> dict[str, str]:
    """submission id -> the agreement id of its award (awarded entries only)."""
    if not submission_ids:
        return {}
    marks = ", ".join("?" * len(submission_ids))
    rows = db.rows(
        f"SELECT submission_id, agreement_id FROM pt_awards WHERE submission_id IN ({marks})",
        list(submission_ids),
    )
    return {r["submission_id"]: r["agreement_id"] for r in rows}
