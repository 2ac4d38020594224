"""What a person reads of their notifications, and marking them read.

Read marks are the person's own bookkeeping, not facts of the platform, so they
are kept beside the notifications (``nt_reads``, ``nt_read_upto``), not as events;
a rebuild of the notifications keeps them (the keys are the same)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from projections.db import Db, Row

NAME = "notifications"

_SELECT = (
    "SELECT n.position, n.kind, n.created_at, n.params, n.team_id,"
    " COALESCE(n.challenge_id, s.challenge_id, g.challenge_id, t.challenge_id) AS challenge_id,"
    " COALESCE(n.submission_id, g.submission_id) AS submission_id, n.agreement_id,"
    " c.title AS challenge_title, COALESCE(s.title, gs.title) AS entry_title,"
    " t.name AS team_name,"
    " CASE WHEN r.position IS NOT NULL OR n.position <= COALESCE(u.position, 0)"
    " THEN 1 ELSE 0 END AS is_read "
    "FROM nt_notifications n "
    "LEFT JOIN nt_submissions s ON s.submission_id = n.submission_id "
    "LEFT JOIN nt_agreements g ON g.agreement_id = n.agreement_id "
    "LEFT JOIN nt_submissions gs ON gs.submission_id = g.submission_id "
    "LEFT JOIN nt_teams t ON t.team_id = n.team_id "
    "LEFT JOIN nt_challenges c"
    " ON c.challenge_id = COALESCE(n.challenge_id, s.challenge_id, g.challenge_id, t.challenge_id) "
    "LEFT JOIN nt_reads r ON r.account_id = n.account_id AND r.position = n.position"
    " AND r.kind = n.kind "
    "LEFT JOIN nt_read_upto u ON u.account_id = n.account_id "
    "WHERE n.account_id = ? "
)


def page(db: Db, account_id: UUID, *, before: tuple[int, str] | None, limit: int) -> list[Row]:
    """The person's notifications, newest first (keyset: ``before`` is the last
    (position, kind) sent)."""
    sql = _SELECT
    params: list[Any] = [str(account_id)]
    if before is not None:
        sql += "AND (n.position, n.kind) < (?, ?) "
        params += [before[0], before[1]]
    sql += "ORDER BY n.position DESC, n.kind DESC LIMIT ?"
    params.append(limit)
    return db.rows(sql, params)


def unread_count(db: Db, account_id: UUID) -> int:
    rows = db.rows(
        "SELECT COUNT(*) AS n FROM nt_notifications n"
        " LEFT JOIN nt_read_upto u ON u.account_id = n.account_id"
        " WHERE n.account_id = ? AND n.position > COALESCE(u.position, 0)"
        " AND NOT EXISTS (SELECT 1 FROM nt_reads r WHERE r.account_id = n.account_id"
        " AND r.position = n.position AND r.kind = n.kind)",
        [str(account_id)],
    )
    return int(rows[0]["n"])


def latest_position(db: Db, account_id: UUID) -> int:
    rows = db.rows(
        "SELECT MAX(position) AS p FROM nt_notifications WHERE account_id = ?", [str(account_id)]
    )
    return int(rows[0]["p"] or 0)


def mark_read(db: Db, account_id: UUID, keys: Sequence[tuple[int, str]]) -> int:
    """Mark the person's own notifications ``keys`` read (others' keys, and unknown
    ones, mark nothing); marking twice changes nothing.  How many were found."""
    found = 0
    with db.batch():
        for position, kind in keys:
            found += db.execute(
                "INSERT INTO nt_reads (account_id, position, kind)"
                " SELECT account_id, position, kind FROM nt_notifications"
                " WHERE account_id = ? AND position = ? AND kind = ?"
                " ON CONFLICT DO NOTHING",
                [str(account_id), position, kind],
            )
    return found


def mark_all_read(db: Db, account_id: UUID, up_to: int) -> None:
    """Everything of the person's up to log position ``up_to`` read (never moves back)."""
    with db.batch():
        db.execute(
            "INSERT INTO nt_read_upto (account_id, position) VALUES (?, ?)"
            " ON CONFLICT (account_id) DO UPDATE SET position ="
            " CASE WHEN excluded.position > nt_read_upto.position"
            " THEN excluded.position ELSE nt_read_upto.position END",
            [str(account_id), up_to],
        )
