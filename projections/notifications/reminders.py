"""Scheduled reminders (issue 23): what time, not an event, makes someone hear of.

- ``closing_soon``: 48 hours before a challenge closes, to each solver with an open
  entry draft for it (``EntryDraft``: saved, neither submitted nor discarded);
- ``review_due``: 48 hours before review ends, to each reviewer who accepted and has
  an entry left to score (a live entry with neither their scores nor their declared
  conflict);
- ``signature_pending``: an IP agreement drafted 3 days ago, to each party who has
  not signed it.

The read model keeps what the reminders are decided from (tables below, rebuilt with
the rest); ``queue_due(db, now)`` runs in the mail sender's loop with the sender's
injected clock (never the wall clock).  Exactly once per (reminder, recipient,
subject): ``nt_reminders`` holds each reminder made, keyed so, and is kept over a
rebuild like the outbox, so neither a restart nor a rebuild makes one twice.  The
notification and the mail of a reminder are written in the same transaction as its
``nt_reminders`` row; a rebuild, which drops the notifications, gets the reminders'
back from ``nt_reminders`` on the next run.

A reminder's position (the notifications' key and order) is the read model's
position when it was made: it sorts with what happened then.  Two reminders of one
kind for one person made at one position take the positions below it that the
person has no notification of that kind at."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from openinno.domain import Challenge, IpAgreement, Review, Submission
from openinno.domain.entry_draft import EntryDraft
from openinno.domain.notices import DEFAULT_MAIL_MODE
from projections import tracking
from projections.db import Db
from projections.projection import Handler, Item
from projections.sql import update, upsert
from projections.values import iso, iso_text, to_json
from projections.writes import Writes

CLOSING_NOTICE = timedelta(hours=48)
REVIEW_NOTICE = timedelta(hours=48)
SIGNATURE_WAIT = timedelta(days=3)

TABLES = (
    "nt_deadlines",
    "nt_drafts",
    "nt_live_entries",
    "nt_review_streams",
    "nt_agreement_times",
)

DDL = (
    # status: open | cancelled; review_over: closed early, awarded or cancelled.
    "CREATE TABLE IF NOT EXISTS nt_deadlines ("
    " challenge_id TEXT PRIMARY KEY, closes_at TEXT NOT NULL, review_ends_at TEXT NOT NULL,"
    " status TEXT NOT NULL, review_over INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS nt_drafts ("
    " draft_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, account_id TEXT NOT NULL,"
    " open INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nt_live_entries ("
    " submission_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, live INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nt_review_streams ("
    " review_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, submission_id TEXT NOT NULL,"
    " reviewer_id TEXT NOT NULL, done INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nt_agreement_times ("
    " agreement_id TEXT PRIMARY KEY, drafted_at TEXT NOT NULL, ended INTEGER NOT NULL)",
    # --- kept over a rebuild ---
    # Every reminder made: at most one per (recipient, kind, subject).
    "CREATE TABLE IF NOT EXISTS nt_reminders ("
    " account_id TEXT NOT NULL, kind TEXT NOT NULL, subject_id TEXT NOT NULL,"
    " position BIGINT NOT NULL, created_at TEXT NOT NULL, challenge_id TEXT,"
    " agreement_id TEXT, params TEXT NOT NULL, PRIMARY KEY (account_id, kind, subject_id))",
)


def _data(item: Item) -> dict[str, Any]:
    assert item.data is not None
    return item.data


# --- what reminders are decided from ------------------------------------------------------


def on_published(w: Writes, item: Item) -> None:
    spec = _data(item)["terms"]["spec"]
    upsert(
        w,
        "nt_deadlines",
        {
            "challenge_id": str(item.originator_id),
            "closes_at": iso_text(spec["closes_at"]),
            "review_ends_at": iso_text(spec["review_ends_at"]),
            "status": "open",
            "review_over": 0,
        },
    )


def on_deadline_extended(w: Writes, item: Item) -> None:
    d = _data(item)
    update(
        w,
        "nt_deadlines",
        {"challenge_id": str(item.originator_id)},
        {"closes_at": iso_text(d["closes_at"]), "review_ends_at": iso_text(d["review_ends_at"])},
    )


def on_review_over(w: Writes, item: Item) -> None:
    update(w, "nt_deadlines", {"challenge_id": str(item.originator_id)}, {"review_over": 1})


def on_cancelled(w: Writes, item: Item) -> None:
    update(
        w,
        "nt_deadlines",
        {"challenge_id": str(item.originator_id)},
        {"status": "cancelled", "review_over": 1},
    )


def on_draft_saved(w: Writes, item: Item) -> None:
    d = _data(item)
    upsert(
        w,
        "nt_drafts",
        {
            "draft_id": str(item.originator_id),
            "challenge_id": d["challenge_id"],
            "account_id": d["actor_id"],
            "open": 1,
        },
    )


def on_draft_closed(w: Writes, item: Item) -> None:
    update(w, "nt_drafts", {"draft_id": str(item.originator_id)}, {"open": 0})


def on_entry_live(w: Writes, item: Item) -> None:
    upsert(
        w,
        "nt_live_entries",
        {
            "submission_id": str(item.originator_id),
            "challenge_id": _data(item)["challenge_id"],
            "live": 1,
        },
    )


def on_entry_gone(w: Writes, item: Item) -> None:
    update(w, "nt_live_entries", {"submission_id": str(item.originator_id)}, {"live": 0})


def on_review_started(w: Writes, item: Item) -> None:
    d = _data(item)
    upsert(
        w,
        "nt_review_streams",
        {
            "review_id": str(item.originator_id),
            "challenge_id": d["challenge_id"],
            "submission_id": d["submission_id"],
            "reviewer_id": d["actor_id"],
            "done": 0,
        },
    )


def on_review_done(w: Writes, item: Item) -> None:
    update(w, "nt_review_streams", {"review_id": str(item.originator_id)}, {"done": 1})


def on_agreement_drafted(w: Writes, item: Item) -> None:
    upsert(
        w,
        "nt_agreement_times",
        {
            "agreement_id": str(item.originator_id),
            "drafted_at": iso_text(_data(item)["timestamp"]),
            "ended": 0,
        },
    )


def on_agreement_ended(w: Writes, item: Item) -> None:
    update(w, "nt_agreement_times", {"agreement_id": str(item.originator_id)}, {"ended": 1})


HANDLERS: dict[type, Handler] = {
    Challenge.Published: on_published,
    Challenge.DeadlineExtended: on_deadline_extended,
    Challenge.ReviewClosedEarly: on_review_over,
    Challenge.WinnersAwarded: on_review_over,
    Challenge.Cancelled: on_cancelled,
    EntryDraft.Saved: on_draft_saved,
    EntryDraft.Submitted: on_draft_closed,
    EntryDraft.Discarded: on_draft_closed,
    Submission.Submitted: on_entry_live,
    Submission.Withdrawn: on_entry_gone,
    Submission.Disqualified: on_entry_gone,
    Review.Started: on_review_started,
    Review.ScoresRecorded: on_review_done,
    Review.ConflictDeclared: on_review_done,
    IpAgreement.Drafted: on_agreement_drafted,
    IpAgreement.Disputed: on_agreement_ended,
    IpAgreement.OwnershipTransferred: on_agreement_ended,
    IpAgreement.LicenceGranted: on_agreement_ended,
}


def merged(plain: dict[type, Handler]) -> dict[type, Handler]:
    """``plain`` with the reminders' handlers: both run where an event has two."""
    out = dict(plain)
    for kind, handler in HANDLERS.items():
        first = out.get(kind)
        if first is None:
            out[kind] = handler
        else:
            out[kind] = _both(first, handler)
    return out


def _both(first: Handler, second: Handler) -> Handler:
    def both(w: Writes, item: Item) -> None:
        first(w, item)
        second(w, item)

    both.__name__ = f"{getattr(first, '__name__', 'first')}+{getattr(second, '__name__', '')}"
    return both


# --- who is reminded of what, when ----------------------------------------------------------


def _closing_soon(db: Db, now: datetime) -> list[dict[str, Any]]:
    rows = db.rows(
        "SELECT DISTINCT f.account_id, d.challenge_id, d.closes_at FROM nt_deadlines d"
        " JOIN nt_drafts f ON f.challenge_id = d.challenge_id AND f.open = 1"
        " WHERE d.status = 'open' AND d.closes_at > ? AND d.closes_at <= ?",
        [iso(now), iso(now + CLOSING_NOTICE)],
    )
    return [
        {
            "account_id": r["account_id"],
            "kind": "closing_soon",
            "subject_id": r["challenge_id"],
            "challenge_id": r["challenge_id"],
            "agreement_id": None,
            "params": {"closes_at": r["closes_at"]},
        }
        for r in rows
    ]


def _review_due(db: Db, now: datetime) -> list[dict[str, Any]]:
    rows = db.rows(
        "SELECT r.account_id, d.challenge_id, d.review_ends_at FROM nt_deadlines d"
        " JOIN nt_reviewers r ON r.challenge_id = d.challenge_id"
        " WHERE d.status = 'open' AND d.review_over = 0"
        " AND d.review_ends_at > ? AND d.review_ends_at <= ?"
        " AND EXISTS (SELECT 1 FROM nt_live_entries e WHERE e.challenge_id = d.challenge_id"
        " AND e.live = 1 AND NOT EXISTS (SELECT 1 FROM nt_review_streams v"
        " WHERE v.submission_id = e.submission_id AND v.reviewer_id = r.account_id"
        " AND v.done = 1))",
        [iso(now), iso(now + REVIEW_NOTICE)],
    )
    return [
        {
            "account_id": r["account_id"],
            "kind": "review_due",
            "subject_id": r["challenge_id"],
            "challenge_id": r["challenge_id"],
            "agreement_id": None,
            "params": {"review_ends_at": r["review_ends_at"]},
        }
        for r in rows
    ]


def _signature_pending(db: Db, now: datetime) -> list[dict[str, Any]]:
    rows = db.rows(
        "SELECT p.account_id, t.agreement_id FROM nt_agreement_times t"
        " JOIN nt_parties p ON p.agreement_id = t.agreement_id"
        " WHERE t.ended = 0 AND t.drafted_at <= ?"
        " AND NOT EXISTS (SELECT 1 FROM nt_signatures s WHERE s.agreement_id = t.agreement_id"
        " AND s.account_id = p.account_id)",
        [iso(now - SIGNATURE_WAIT)],
    )
    return [
        {
            "account_id": r["account_id"],
            "kind": "signature_pending",
            "subject_id": r["agreement_id"],
            "challenge_id": None,
            "agreement_id": r["agreement_id"],
            "params": {},
        }
        for r in rows
    ]


def due(db: Db, now: datetime) -> list[dict[str, Any]]:
    """Every reminder due at ``now`` for an active account, made or not yet."""
    found = [*_closing_soon(db, now), *_review_due(db, now), *_signature_pending(db, now)]
    active = (
        {
            str(r["account_id"])
            for r in db.rows("SELECT account_id FROM nt_accounts WHERE active = 1")
        }
        if found
        else set()
    )
    return [r for r in found if str(r["account_id"]) in active]


_RESTORE = (
    "INSERT INTO nt_notifications (account_id, position, kind, created_at, challenge_id,"
    " submission_id, agreement_id, team_id, params)"
    " SELECT account_id, position, kind, created_at, challenge_id, NULL, agreement_id, NULL,"
    " params FROM nt_reminders WHERE 1 = 1 ON CONFLICT DO NOTHING"
)


def queue_due(db: Db, now: datetime) -> int:
    """Make the reminders due at ``now`` that were not made yet: each in its own
    transaction, its ``nt_reminders`` row, its notification and (by the recipient's
    preference) its mail together.  How many were made."""
    with db.batch():
        db.execute(_RESTORE)  # after a rebuild: the reminders' notifications back
    made = 0
    for reminder in due(db, now):
        with db.batch():
            made += _make(db, reminder, now)
    return made


def _make(db: Db, r: dict[str, Any], now: datetime) -> int:
    account, kind = str(r["account_id"]), str(r["kind"])
    head = tracking.position(db, "notifications")
    taken = {
        int(x["position"])
        for x in db.rows(
            "SELECT position FROM nt_notifications WHERE account_id = ? AND kind = ?"
            " UNION SELECT position FROM nt_outbox WHERE account_id = ? AND kind = ?",
            [account, kind, account, kind],
        )
    }
    position = head
    while position in taken:
        position -= 1
    at, params = iso(now), to_json(r["params"])
    if not db.execute(
        "INSERT INTO nt_reminders (account_id, kind, subject_id, position, created_at,"
        " challenge_id, agreement_id, params) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        [
            account,
            kind,
            str(r["subject_id"]),
            position,
            at,
            r["challenge_id"],
            r["agreement_id"],
            params,
        ],
    ):
        return 0  # made before (by this sender earlier, or another one just now)
    db.execute(
        "INSERT INTO nt_notifications (account_id, position, kind, created_at, challenge_id,"
        " submission_id, agreement_id, team_id, params) VALUES (?, ?, ?, ?, ?, NULL, ?, NULL, ?)"
        " ON CONFLICT DO NOTHING",
        [account, position, kind, at, r["challenge_id"], r["agreement_id"], params],
    )
    db.execute(
        "INSERT INTO nt_outbox (account_id, position, kind, created_at, next_attempt_at)"
        " SELECT CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT),"
        " CAST(? AS TEXT) WHERE COALESCE((SELECT p.mail FROM nt_preferences p"
        " WHERE p.account_id = ? AND p.kind = ? ORDER BY p.position DESC LIMIT 1), ?)"
        " = 'instant' ON CONFLICT DO NOTHING",
        [account, position, kind, at, at, account, kind, DEFAULT_MAIL_MODE],
    )
    return 1
