"""The deliveries' bookkeeping, as the mail outbox's (web/mail/outbox.py): claim due
deliveries under a lease, renew it before each request, record each attempt in the
delivery log and the delivery's end (or when to try again)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from projections.db import Db, Row
from projections.values import iso
from web.leased_outbox import Leases

LEASES = Leases("wh_deliveries", ("webhook_id", "position"))
_KEY = LEASES.where
key_of = LEASES.key_of
renew = LEASES.renew
counts = LEASES.counts


def claim(db: Db, owner: str, now: datetime, lease: timedelta, limit: int) -> list[Row]:
    """Lease up to ``limit`` due deliveries to ``owner``; returned with their
    endpoint's address and whether it was removed since."""
    LEASES.take(db, owner, now, lease, limit)
    return db.rows(
        "SELECT d.webhook_id, d.position, d.type, d.created_at, d.payload, d.attempts,"
        " d.max_attempts, e.url, e.removed "
        "FROM wh_deliveries d LEFT JOIN wh_endpoints e ON e.webhook_id = d.webhook_id "
        "WHERE d.lease_owner = ? AND d.status = 'queued' ORDER BY d.position",
        [owner],
    )


def _attempt(db: Db, row: Row, now: datetime, outcome: dict[str, Any]) -> None:
    db.execute(
        "INSERT INTO wh_attempts (webhook_id, position, attempt, at, status_code, error,"
        " duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [
            *key_of(row),
            int(row["attempts"]) + 1,
            iso(now),
            outcome.get("status_code"),
            (outcome.get("error") or None) and str(outcome["error"])[:500],
            outcome.get("duration_ms"),
        ],
    )


def finish(
    db: Db, row: Row, owner: str, status: str, now: datetime, outcome: dict[str, Any] | None
) -> bool:
    """Record the delivery's end (``delivered``, ``failed``; ``expired`` and
    ``cancelled`` without an attempt: ``outcome`` None).  False when the lease was
    lost meanwhile."""
    delivered_at = iso(now) if status == "delivered" else None
    with db.batch():
        changed = db.execute(
            "UPDATE wh_deliveries SET status = ?, lease_owner = NULL, lease_until = NULL,"
            " attempts = attempts + ?, delivered_at = COALESCE(?, delivered_at),"
            " last_status = COALESCE(?, last_status), last_error = ?"
            f" WHERE {_KEY} AND lease_owner = ? AND status = 'queued'",
            [
                status,
                0 if outcome is None else 1,
                delivered_at,
                None if outcome is None else outcome.get("status_code"),
                None if outcome is None else (outcome.get("error") or None),
                *key_of(row),
                owner,
            ],
        )
        if changed == 1 and outcome is not None:
            _attempt(db, row, now, outcome)
    return changed == 1


def retry_later(
    db: Db, row: Row, owner: str, now: datetime, when: datetime, outcome: dict[str, Any]
) -> None:
    with db.batch():
        changed = db.execute(
            "UPDATE wh_deliveries SET attempts = attempts + 1, next_attempt_at = ?,"
            " last_status = ?, last_error = ?, lease_owner = NULL, lease_until = NULL"
            f" WHERE {_KEY} AND lease_owner = ? AND status = 'queued'",
            [
                iso(when),
                outcome.get("status_code"),
                (outcome.get("error") or "")[:500] or None,
                *key_of(row),
                owner,
            ],
        )
        if changed == 1:
            _attempt(db, row, now, outcome)


def redeliver(db: Db, webhook_id: str, position: int, now: datetime, attempts: int) -> bool:
    """Queue a delivery again, due now, with ``attempts`` more tries (manual
    redelivery; the same webhook-id, so a receiver can tell it is the same event).
    False for an unknown delivery or one still queued."""
    with db.batch():
        return (
            db.execute(
                "UPDATE wh_deliveries SET status = 'queued', next_attempt_at = ?,"
                " max_attempts = attempts + ?, lease_owner = NULL, lease_until = NULL"
                f" WHERE {_KEY} AND status <> 'queued'",
                [iso(now), attempts, webhook_id, position],
            )
            == 1
        )


def deliveries(db: Db, webhook_id: str, *, before: int | None, limit: int) -> list[Row]:
    """The endpoint's deliveries, newest first (keyset: ``before`` a position)."""
    sql = "SELECT * FROM wh_deliveries WHERE webhook_id = ?"
    params: list[Any] = [webhook_id]
    if before is not None:
        sql += " AND position < ?"
        params.append(before)
    sql += " ORDER BY position DESC LIMIT ?"
    params.append(limit)
    return db.rows(sql, params)


def attempts_of(db: Db, webhook_id: str, positions: list[int]) -> dict[int, list[Row]]:
    if not positions:
        return {}
    marks = ", ".join("?" for _ in positions)
    rows = db.rows(
        f"SELECT * FROM wh_attempts WHERE webhook_id = ? AND position IN ({marks})"
        " ORDER BY position, attempt",
        [webhook_id, *positions],
    )
    found: dict[int, list[Row]] = {}
    for r in rows:
        found.setdefault(int(r["position"]), []).append(r)
    return found
