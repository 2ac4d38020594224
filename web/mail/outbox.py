"""The mail outbox's bookkeeping: claim due mails under a lease
(web/leased_outbox.py), renew it before each send, record the delivery (or the
failure and when to try again)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from projections.db import Db, Row
from projections.values import iso
from web.leased_outbox import Leases

LEASES = Leases("nt_outbox", ("account_id", "position", "kind"))
_KEY = LEASES.where
key_of = LEASES.key_of
renew = LEASES.renew
counts = LEASES.counts


def claim(db: Db, owner: str, now: datetime, lease: timedelta, limit: int) -> list[Row]:
    """Lease up to ``limit`` due mails to ``owner``; they are returned with their
    notification and their recipient's address, language and time zone."""
    LEASES.take(db, owner, now, lease, limit)
    return db.rows(
        "SELECT o.account_id, o.position, o.kind, o.attempts, o.created_at,"
        " a.email, a.locale, a.time_zone, a.active,"
        " COALESCE(n.params, m.params) AS params, n.team_id, n.agreement_id,"
        " COALESCE(n.challenge_id, s.challenge_id, g.challenge_id, t.challenge_id)"
        " AS challenge_id,"
        " COALESCE(n.submission_id, g.submission_id) AS submission_id,"
        " c.title AS challenge_title, COALESCE(s.title, gs.title) AS entry_title,"
        " t.name AS team_name "
        "FROM nt_outbox o "
        "JOIN nt_accounts a ON a.account_id = o.account_id "
        "LEFT JOIN nt_notifications n ON n.account_id = o.account_id"
        " AND n.position = o.position AND n.kind = o.kind "
        "LEFT JOIN nt_account_mails m ON m.account_id = o.account_id"
        " AND m.position = o.position AND m.kind = o.kind "
        "LEFT JOIN nt_submissions s ON s.submission_id = n.submission_id "
        "LEFT JOIN nt_agreements g ON g.agreement_id = n.agreement_id "
        "LEFT JOIN nt_submissions gs ON gs.submission_id = g.submission_id "
        "LEFT JOIN nt_teams t ON t.team_id = n.team_id "
        "LEFT JOIN nt_challenges c ON c.challenge_id ="
        " COALESCE(n.challenge_id, s.challenge_id, g.challenge_id, t.challenge_id) "
        "WHERE o.lease_owner = ? AND o.status = 'queued' ORDER BY o.position",
        [owner],
    )


def finish(db: Db, row: Row, owner: str, status: str, now: datetime, **values: Any) -> bool:
    """Record the mail's end (``sent``, ``failed``, ``expired``); False when the lease
    was lost meanwhile (another sender may have sent it too: logged by the caller)."""
    columns = {"status": status, "lease_owner": None, "lease_until": None, **values}
    if status == "sent":
        columns["sent_at"] = iso(now)
    sets = ", ".join(f"{c} = ?" for c in columns)
    with db.batch():
        return (
            db.execute(
                f"UPDATE nt_outbox SET {sets}, attempts = attempts + 1"
                f" WHERE {_KEY} AND lease_owner = ? AND status = 'queued'",
                [*columns.values(), *key_of(row), owner],
            )
            == 1
        )


def retry_later(db: Db, row: Row, owner: str, when: datetime, error: str) -> None:
    with db.batch():
        db.execute(
            "UPDATE nt_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,"
            f" lease_owner = NULL, lease_until = NULL WHERE {_KEY} AND lease_owner = ?",
            [iso(when), error[:500], *key_of(row), owner],
        )


def rows_with(db: Db, statuses: Sequence[str]) -> list[Row]:
    marks = ", ".join("?" for _ in statuses)
    return db.rows(
        f"SELECT * FROM nt_outbox WHERE status IN ({marks}) ORDER BY position", list(statuses)
    )
