"""The outbox's bookkeeping: claim due mails under a lease, renew the lease before
each send, record the delivery (or the failure and when to try again).

A lease is a random owner id and an expiry: only the holder of a live lease sends a
mail, and it renews the lease just before sending, so two senders never hold one mail
at once.  A sender that dies leaves its leases to expire; the mails are then claimed
again.  Times are ISO 8601 text in UTC (projections.values.iso): text order is time
order, in both databases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from projections.db import Db, Row
from projections.values import iso

_KEY = "account_id = ? AND position = ? AND kind = ?"


def key_of(row: Row) -> tuple[str, int, str]:
    return str(row["account_id"]), int(row["position"]), str(row["kind"])


def claim(db: Db, owner: str, now: datetime, lease: timedelta, limit: int) -> list[Row]:
    """Lease up to ``limit`` due mails to ``owner``; they are returned with their
    notification and their recipient's address, language and time zone."""
    at, until = iso(now), iso(now + lease)
    # PostgreSQL: rows another claimer is taking are skipped, not waited for, and the
    # pick is made once (MATERIALIZED: a subquery under the UPDATE could be evaluated
    # again on a row's re-check and pick more).  SQLite runs one writer at a time.  The
    # lease condition is in the UPDATE's own WHERE too: a row waited for anyway is
    # re-checked there, and left alone.
    pg = db.dialect == "postgres"
    with db.batch():
        db.execute(
            f"WITH picked AS {'MATERIALIZED ' if pg else ''}("
            " SELECT account_id, position, kind FROM nt_outbox"
            " WHERE status = 'queued' AND next_attempt_at <= ?"
            " AND (lease_until IS NULL OR lease_until < ?)"
            f" ORDER BY next_attempt_at, position LIMIT ?{' FOR UPDATE SKIP LOCKED' if pg else ''})"
            " UPDATE nt_outbox SET lease_owner = ?, lease_until = ?"
            " WHERE status = 'queued' AND (lease_until IS NULL OR lease_until < ?)"
            " AND (account_id, position, kind) IN (SELECT account_id, position, kind FROM picked)",
            [at, at, limit, owner, until, at],
        )
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


def renew(db: Db, row: Row, owner: str, now: datetime, lease: timedelta) -> bool:
    """Whether ``owner`` still holds the mail's lease (now renewed for ``lease``)."""
    with db.batch():
        return (
            db.execute(
                "UPDATE nt_outbox SET lease_until = ?"
                f" WHERE {_KEY} AND lease_owner = ? AND status = 'queued' AND lease_until >= ?",
                [iso(now + lease), *key_of(row), owner, iso(now)],
            )
            == 1
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


def counts(db: Db) -> dict[str, int]:
    rows = db.rows("SELECT status, COUNT(*) AS n FROM nt_outbox GROUP BY status")
    return {str(r["status"]): int(r["n"]) for r in rows}


def rows_with(db: Db, statuses: Sequence[str]) -> list[Row]:
    marks = ", ".join("?" for _ in statuses)
    return db.rows(
        f"SELECT * FROM nt_outbox WHERE status IN ({marks}) ORDER BY position", list(statuses)
    )
