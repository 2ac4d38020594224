"""What the admins ask of the decisions log."""

from __future__ import annotations

from projections.db import Db, Row

KINDS = (
    "account_deactivated",
    "account_reactivated",
    "role_granted",
    "role_revoked",
    "member_removed",
    "challenge_cancelled",
    "question_hidden",
    "entry_disqualified",
    "agreement_disputed",
    "agreement_rescinded",
    "vote_voided",
    "appeal_upheld",
    "appeal_rejected",
    "entry_reinstated",
    "question_restored",
    "entry_hidden",
    "entry_shown",
    "announcement_hidden",
    "winners_reawarded",
    "award_revoked",
)


def decisions_page(
    db: Db, *, kind: str | None = None, after: int | None = None, limit: int = 21
) -> list[Row]:
    """Decisions, newest first (optionally of one kind), each with its actor's name
    from the accounts directory; keyset-paged by position."""
    where: list[str] = []
    params: list[object] = []
    if kind:
        where.append("d.kind = ?")
        params.append(kind)
    if after is not None:
        where.append("d.position < ?")
        params.append(after)
    sql = (
        "SELECT d.position, d.kind, d.subject_id, d.actor_id, d.reason, d.at,"
        " a.display_name AS actor_name FROM dc_decisions d"
        " LEFT JOIN ac_accounts a ON a.account_id = d.actor_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY d.position DESC LIMIT ?"
    )
    return db.rows(sql, (*params, limit))
