"""What moderators ask: the queue of reported things, most reported first."""

from __future__ import annotations

from collections.abc import Sequence

from projections.db import Db, Row


def target(db: Db, target_id: str) -> Row | None:
    """What a report or a hiding names: its kind and challenge (None: unknown)."""
    rows = db.rows(
        "SELECT target_id, kind, challenge_id, excerpt, hidden FROM md_targets WHERE target_id = ?",
        (target_id,),
    )
    return rows[0] if rows else None


def moderated_organisations(db: Db, account_id: str) -> list[str]:
    """The organisations whose challenges this account moderates (owner or manager),
    as the read model has it; the caller checks each on the write side."""
    return [
        r["organisation_id"]
        for r in db.rows(
            "SELECT organisation_id FROM md_members WHERE account_id = ?"
            " AND role IN ('owner', 'manager') ORDER BY organisation_id",
            (account_id,),
        )
    ]


def queue(
    db: Db,
    *,
    organisation_ids: Sequence[str] | None,
    limit: int = 50,
    hidden: bool = False,
) -> list[Row]:
    """Reported things not yet hidden (``hidden``: those hidden), most reported first,
    then the most recently reported; ``organisation_ids``: only these sponsors'
    challenges (None: every challenge, for admins)."""
    where = ["t.hidden = ?"]
    params: list[object] = [1 if hidden else 0]
    if organisation_ids is not None:
        if not organisation_ids:
            return []
        where.append("c.organisation_id IN (" + ", ".join("?" for _ in organisation_ids) + ")")
        params.extend(organisation_ids)
    rows = db.rows(
        "SELECT t.target_id, t.kind, t.challenge_id, c.title AS challenge_title, t.excerpt,"
        " t.hidden, t.hidden_reason, COUNT(r.position) AS reports,"
        " MAX(r.position) AS last_position"
        " FROM md_reports r JOIN md_targets t ON t.target_id = r.target_id"
        " JOIN md_challenges c ON c.challenge_id = t.challenge_id"
        " WHERE " + " AND ".join(where) + " GROUP BY t.target_id, t.kind, t.challenge_id,"
        " c.title, t.excerpt, t.hidden, t.hidden_reason"
        " ORDER BY reports DESC, last_position DESC LIMIT ?",
        (*params, limit),
    )
    return rows


def reasons(db: Db, target_ids: Sequence[str], per_target: int = 5) -> dict[str, list[str]]:
    """The latest reasons given for each target (never who gave them)."""
    if not target_ids:
        return {}
    marks = ", ".join("?" for _ in target_ids)
    found: dict[str, list[str]] = {t: [] for t in target_ids}
    for r in db.rows(
        f"SELECT target_id, reason FROM md_reports WHERE target_id IN ({marks})"
        " ORDER BY position DESC",
        tuple(target_ids),
    ):
        if len(found[r["target_id"]]) < per_target:
            found[r["target_id"]].append(r["reason"])
    return found


def comments(db: Db, challenge_id: str, submission_id: str | None) -> list[Row]:
    """The comments on a challenge (``submission_id`` None) or on one of its entries,
    each thread's top-level comment first then its replies, oldest first; with each
    commenter's display name (the caller decides whether it may be shown)."""
    on = "c.submission_id = ?" if submission_id is not None else "c.submission_id IS NULL"
    params: tuple[object, ...] = (
        (challenge_id, submission_id) if submission_id is not None else (challenge_id,)
    )
    return db.rows(
        "SELECT c.comment_id, c.parent_id, c.author_id, c.text, c.posted_at, c.edited_at,"
        " c.versions, c.hidden_reason, a.display_name AS author_name"
        " FROM md_comments c LEFT JOIN md_comments p ON p.comment_id = c.parent_id"
        " LEFT JOIN ac_accounts a ON a.account_id = c.author_id"
        f" WHERE c.challenge_id = ? AND {on}"
        " ORDER BY COALESCE(p.position, c.position), c.position",
        params,
    )
