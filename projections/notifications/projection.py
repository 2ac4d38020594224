"""The notifications read model: who hears what, decided from the log.

Each notifying event becomes one row per recipient in ``nt_notifications``, keyed by
(recipient, event position, kind), and, where the recipient's preference for the kind
is ``instant``, one mail in ``nt_outbox`` with the same key.  Both are written by
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` statements that run in the batch's
transaction, the one that also moves the tracking position: a batch applied again
(a runner killed before its commit, a page re-applied by the quarantine's bisection,
a rebuild) finds the keys taken and adds nothing.

Who the recipients are is asked of this model's own small tables (who asked a
question, who entered a challenge, who are an entry's authors, an agreement's parties,
an organisation's members).  The statements run at the end of a batch, after the
batch's row changes, so where the answer could change later in the log the rows carry
the position they were recorded at and the statement only counts those from before
the event: a rebuild in other batches decides the same.

Kept over a rebuild (not in ``TABLES``): ``nt_outbox`` (the mails queued and their
delivery: a rebuild re-derives the notifications but never queues a mail twice) and
``nt_reads`` / ``nt_read_upto`` (what each person marked read; not events), and
``nt_digest_items`` (the notifications waiting for, or taken by, a daily digest)."""

from __future__ import annotations

from typing import Any

from openinno.domain import (
    Account,
    Appeal,
    Challenge,
    IpAgreement,
    Organisation,
    Review,
    Submission,
    Team,
    Vote,
)
from openinno.domain.notices import default_mode
from openinno.domain.personal import ERASED
from openinno.domain.submission import SolverEntries
from projections.notifications import reminders
from projections.projection import Item, Projection
from projections.sql import update, upsert
from projections.values import iso_text, to_json
from projections.writes import Writes

TABLES = (
    "nt_accounts",
    "nt_challenges",
    "nt_questions",
    "nt_entry_streams",
    "nt_entrants",
    "nt_reviewers",
    "nt_submissions",
    "nt_authors",
    "nt_agreements",
    "nt_parties",
    "nt_signatures",
    "nt_members",
    "nt_teams",
    "nt_preferences",
    "nt_notifications",
    "nt_account_mails",
    *reminders.TABLES,
    "nt_scored",
    "nt_appeals",
)

DDL = (
    "CREATE TABLE IF NOT EXISTS nt_accounts ("
    " account_id TEXT PRIMARY KEY, email TEXT NOT NULL, locale TEXT NOT NULL,"
    " time_zone TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1)",
    "CREATE TABLE IF NOT EXISTS nt_challenges ("
    " challenge_id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, title TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nt_questions ("
    " question_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, asked_by TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nt_entry_streams ("
    " stream_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, account_id TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nt_entrants ("
    " challenge_id TEXT NOT NULL, account_id TEXT NOT NULL, position BIGINT NOT NULL,"
    " PRIMARY KEY (challenge_id, account_id))",
    "CREATE TABLE IF NOT EXISTS nt_reviewers ("
    " challenge_id TEXT NOT NULL, account_id TEXT NOT NULL, position BIGINT NOT NULL,"
    " PRIMARY KEY (challenge_id, account_id))",
    "CREATE TABLE IF NOT EXISTS nt_submissions ("
    " submission_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, title TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nt_authors ("
    " submission_id TEXT NOT NULL, account_id TEXT NOT NULL,"
    " PRIMARY KEY (submission_id, account_id))",
    "CREATE TABLE IF NOT EXISTS nt_agreements ("
    " agreement_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, submission_id TEXT NOT NULL,"
    " organisation_id TEXT NOT NULL, parties INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nt_parties ("
    " agreement_id TEXT NOT NULL, account_id TEXT NOT NULL,"
    " PRIMARY KEY (agreement_id, account_id))",
    "CREATE TABLE IF NOT EXISTS nt_signatures ("
    " agreement_id TEXT NOT NULL, account_id TEXT NOT NULL, position BIGINT NOT NULL,"
    " PRIMARY KEY (agreement_id, account_id))",
    "CREATE TABLE IF NOT EXISTS nt_members ("
    " organisation_id TEXT NOT NULL, account_id TEXT NOT NULL, role TEXT NOT NULL,"
    " PRIMARY KEY (organisation_id, account_id))",
    "CREATE TABLE IF NOT EXISTS nt_teams ("
    " team_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, name TEXT NOT NULL)",
    # Every preference with the position it was set at: a mail follows the one in force
    # when its event was recorded.
    "CREATE TABLE IF NOT EXISTS nt_preferences ("
    " account_id TEXT NOT NULL, kind TEXT NOT NULL, position BIGINT NOT NULL,"
    " mail TEXT NOT NULL, PRIMARY KEY (account_id, kind, position))",
    # One per (recipient, event, kind); the key is also the recipient's newest-first order.
    "CREATE TABLE IF NOT EXISTS nt_notifications ("
    " account_id TEXT NOT NULL, position BIGINT NOT NULL, kind TEXT NOT NULL,"
    " created_at TEXT NOT NULL, challenge_id TEXT, submission_id TEXT, agreement_id TEXT,"
    " team_id TEXT, params TEXT NOT NULL, PRIMARY KEY (account_id, position, kind))",
    # Mails about the account itself (issue 23: the e-mail verification link, the
    # password reset link): queued in nt_outbox like a notification's, whatever the
    # preferences, never shown in the centre; ``params`` what the mail's link needs.
    "CREATE TABLE IF NOT EXISTS nt_account_mails ("
    " account_id TEXT NOT NULL, position BIGINT NOT NULL, kind TEXT NOT NULL,"
    " params TEXT NOT NULL, PRIMARY KEY (account_id, position, kind))",
    # When each reviewer first scored an entry (issue 23's re-review notices; whose
    # review is which is in reminders.py's nt_review_streams).
    "CREATE TABLE IF NOT EXISTS nt_scored ("
    " submission_id TEXT NOT NULL, account_id TEXT NOT NULL, position BIGINT NOT NULL,"
    " PRIMARY KEY (submission_id, account_id))",
    # Appeals (issue 24): who appealed, on which challenge.
    "CREATE TABLE IF NOT EXISTS nt_appeals ("
    " appeal_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, appellant_id TEXT NOT NULL,"
    " submission_id TEXT)",
    # --- kept over a rebuild ---
    # The transactional outbox: a mail per notification the recipient wants by e-mail,
    # queued in the notification's transaction; the sender (web/mail) claims, sends and
    # records.  status: queued | sent | failed (gave up) | expired (too old to send).
    "CREATE TABLE IF NOT EXISTS nt_outbox ("
    " account_id TEXT NOT NULL, position BIGINT NOT NULL, kind TEXT NOT NULL,"
    " created_at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'queued',"
    " attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL,"
    " lease_owner TEXT, lease_until TEXT, sent_at TEXT, message_id TEXT, last_error TEXT,"
    " PRIMARY KEY (account_id, position, kind))",
    "CREATE INDEX IF NOT EXISTS nt_outbox_due ON nt_outbox (status, next_attempt_at)",
    # The daily digest (issue 23): each notification of a kind its recipient wants in
    # a daily digest, queued with it; ``digest`` is the day (yyyymmdd, the recipient's
    # time zone) of the digest mail that took it, NULL until then (web/mail/digest.py).
    "CREATE TABLE IF NOT EXISTS nt_digest_items ("
    " account_id TEXT NOT NULL, position BIGINT NOT NULL, kind TEXT NOT NULL,"
    " created_at TEXT NOT NULL, digest INTEGER, PRIMARY KEY (account_id, position, kind))",
    "CREATE INDEX IF NOT EXISTS nt_digest_items_pending ON nt_digest_items (digest, account_id)",
    "CREATE TABLE IF NOT EXISTS nt_reads ("
    " account_id TEXT NOT NULL, position BIGINT NOT NULL, kind TEXT NOT NULL,"
    " PRIMARY KEY (account_id, position, kind))",
    "CREATE TABLE IF NOT EXISTS nt_read_upto ("
    " account_id TEXT PRIMARY KEY, position BIGINT NOT NULL)",
    # Scheduled reminders' tables (projections.notifications.reminders).
    *reminders.DDL,
)

# Recipients: a statement selecting ``account_id``s, and its parameters.
Recipients = tuple[str, tuple[Any, ...]]

_NOTIFY = (
    "INSERT INTO nt_notifications (account_id, position, kind, created_at, challenge_id,"
    " submission_id, agreement_id, team_id, params)"
    " SELECT DISTINCT r.account_id, CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT),"
    " CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT)"
    " FROM ({recipients}) r JOIN nt_accounts a ON a.account_id = r.account_id"
    " WHERE a.active = 1 AND r.account_id <> ?"
    " ON CONFLICT DO NOTHING"
)
_QUEUE = (
    "INSERT INTO nt_outbox (account_id, position, kind, created_at, next_attempt_at)"
    " SELECT DISTINCT r.account_id, CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT),"
    " CAST(? AS TEXT)"
    " FROM ({recipients}) r JOIN nt_accounts a ON a.account_id = r.account_id"
    " WHERE a.active = 1 AND r.account_id <> ?"
    " AND COALESCE((SELECT p.mail FROM nt_preferences p WHERE p.account_id = r.account_id"
    " AND p.kind = ? AND p.position < ? ORDER BY p.position DESC LIMIT 1), ?) = 'instant'"
    " ON CONFLICT DO NOTHING"
)
# The same for the daily digest: the notification waits in nt_digest_items.
_DIGEST = (
    "INSERT INTO nt_digest_items (account_id, position, kind, created_at)"
    " SELECT DISTINCT r.account_id, CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT)"
    " FROM ({recipients}) r JOIN nt_accounts a ON a.account_id = r.account_id"
    " WHERE a.active = 1 AND r.account_id <> ?"
    " AND COALESCE((SELECT p.mail FROM nt_preferences p WHERE p.account_id = r.account_id"
    " AND p.kind = ? AND p.position < ? ORDER BY p.position DESC LIMIT 1), ?) = 'daily'"
    " ON CONFLICT DO NOTHING"
)


def notify(
    w: Writes,
    item: Item,
    kind: str,
    recipients: Recipients,
    *,
    challenge_id: str | None = None,
    submission_id: str | None = None,
    agreement_id: str | None = None,
    team_id: str | None = None,
    params: dict[str, Any] | None = None,
) -> None:
    """``kind`` for everyone ``recipients`` selects (active accounts, never the actor),
    and a mail for those who want this kind by e-mail."""
    d = _data(item)
    at = iso_text(d["timestamp"])
    actor = str(d.get("actor_id") or "")
    sql, args = recipients
    w.execute(
        _NOTIFY.format(recipients=sql),
        (
            item.position,
            kind,
            at,
            challenge_id,
            submission_id,
            agreement_id,
            team_id,
            to_json(params or {}),
            *args,
            actor,
        ),
    )
    w.execute(
        _QUEUE.format(recipients=sql),
        (item.position, kind, at, at, *args, actor, kind, item.position, default_mode(kind)),
    )
    w.execute(
        _DIGEST.format(recipients=sql),
        (item.position, kind, at, *args, actor, kind, item.position, default_mode(kind)),
    )


def accounts(ids: list[str]) -> Recipients:
    marks = ", ".join("?" for _ in ids) or "NULL"
    return f"SELECT account_id FROM nt_accounts WHERE account_id IN ({marks})", tuple(ids)


def _data(item: Item) -> dict[str, Any]:
    assert item.data is not None
    return item.data


# --- what recipients are selected from --------------------------------------------------


def on_registered(w: Writes, item: Item) -> None:
    d = _data(item)
    upsert(
        w,
        "nt_accounts",
        {
            "account_id": str(item.originator_id),
            "email": d["email"].strip().lower(),
            "locale": d["locale"],
            "time_zone": d["time_zone"],
            "active": 1,
        },
    )


def on_profile_updated(w: Writes, item: Item) -> None:
    d = _data(item)
    update(
        w,
        "nt_accounts",
        {"account_id": str(item.originator_id)},
        {"locale": d["locale"], "time_zone": d["time_zone"]},
    )


def on_deactivated(w: Writes, item: Item) -> None:
    update(w, "nt_accounts", {"account_id": str(item.originator_id)}, {"active": 0})


def on_account_erased(w: Writes, item: Item) -> None:
    """No address any more (as a rebuild decodes it), and nothing left to mail them."""
    account = str(item.originator_id)
    update(w, "nt_accounts", {"account_id": account}, {"email": ERASED, "active": 0})
    w.execute(
        "UPDATE nt_account_mails SET params = ? WHERE account_id = ? AND kind = 'verify_email'",
        (to_json({"email": ERASED}), account),
    )
    w.execute(
        "UPDATE nt_outbox SET status = 'expired' WHERE account_id = ? AND status = 'queued'",
        (account,),
    )
    # Their notification centre goes too (a rebuild, applying this in the batch that
    # notifies them, would find them inactive and make none).
    for table in ("nt_notifications", "nt_digest_items", "nt_reads", "nt_read_upto"):
        w.execute(f"DELETE FROM {table} WHERE account_id = ?", (account,))


def on_preference_set(w: Writes, item: Item) -> None:
    d = _data(item)
    upsert(
        w,
        "nt_preferences",
        {
            "account_id": str(item.originator_id),
            "kind": d["kind"],
            "position": item.position,
            "mail": d["mail"],
        },
    )


def on_organisation_created(w: Writes, item: Item) -> None:
    upsert(
        w,
        "nt_members",
        {
            "organisation_id": str(item.originator_id),
            "account_id": _data(item)["actor_id"],
            "role": "owner",
        },
    )


def on_member_added(w: Writes, item: Item) -> None:
    d = _data(item)
    upsert(
        w,
        "nt_members",
        {
            "organisation_id": str(item.originator_id),
            "account_id": d["account_id"],
            "role": d["role"],
        },
    )


def on_member_removed(w: Writes, item: Item) -> None:
    d = _data(item)
    update(
        w,
        "nt_members",
        {"organisation_id": str(item.originator_id), "account_id": d["account_id"]},
        {"role": "removed"},
    )
    # Told why (issue 24); removals recorded before carry no reason and tell no one.
    if d.get("reason"):
        notify(
            w,
            item,
            "member_removed",
            ("SELECT account_id FROM nt_accounts WHERE account_id = ?", (d["account_id"],)),
            params={
                "reason": d["reason"][:200],
                "organisation": d.get("organisation_name") or "",
            },
        )


def on_drafted(w: Writes, item: Item) -> None:
    d = _data(item)
    upsert(
        w,
        "nt_challenges",
        {
            "challenge_id": str(item.originator_id),
            "organisation_id": d["organisation_id"],
            "title": d["spec"]["title"],
        },
    )


def on_draft_edited(w: Writes, item: Item) -> None:
    update(
        w,
        "nt_challenges",
        {"challenge_id": str(item.originator_id)},
        {"title": _data(item)["spec"]["title"]},
    )


def on_question_asked(w: Writes, item: Item) -> None:
    d = _data(item)
    upsert(
        w,
        "nt_questions",
        {
            "question_id": d["question_id"],
            "challenge_id": str(item.originator_id),
            "asked_by": d["actor_id"],
        },
    )


def on_entries_started(w: Writes, item: Item) -> None:
    # A SolverEntries stream starts with an entry, a team, or a review invitation
    # (ReviewInvitationNoted): only the first two make its solver an entrant.
    d = _data(item)
    upsert(
        w,
        "nt_entry_streams",
        {
            "stream_id": str(item.originator_id),
            "challenge_id": d["challenge_id"],
            "account_id": d["solver_id"],
        },
    )


def on_entered(w: Writes, item: Item) -> None:
    # The first entry (or team) counts: DO NOTHING keeps the earliest position.
    w.execute(
        "INSERT INTO nt_entrants (challenge_id, account_id, position)"
        " SELECT challenge_id, account_id, CAST(? AS BIGINT) FROM nt_entry_streams"
        " WHERE stream_id = ? ON CONFLICT DO NOTHING",
        (item.position, str(item.originator_id)),
    )


def on_submitted(w: Writes, item: Item) -> None:
    d = _data(item)
    submission_id = str(item.originator_id)
    upsert(
        w,
        "nt_submissions",
        {
            "submission_id": submission_id,
            "challenge_id": d["challenge_id"],
            "title": d["content"]["title"],
        },
    )
    for author in (d["actor_id"], *d["team_ids"]):
        upsert(w, "nt_authors", {"submission_id": submission_id, "account_id": author})
    on_review_assigned(w, item)


def on_revised(w: Writes, item: Item) -> None:
    d = _data(item)
    submission_id = str(item.originator_id)
    update(w, "nt_submissions", {"submission_id": submission_id}, {"title": d["content"]["title"]})
    for author in d.get("author_ids") or ():
        upsert(w, "nt_authors", {"submission_id": submission_id, "account_id": author})
    on_rereview_needed(w, item)


def on_coauthorship_confirmed(w: Writes, item: Item) -> None:
    upsert(
        w,
        "nt_authors",
        {"submission_id": str(item.originator_id), "account_id": _data(item)["actor_id"]},
    )


def on_team_formed(w: Writes, item: Item) -> None:
    d = _data(item)
    upsert(
        w,
        "nt_teams",
        {"team_id": str(item.originator_id), "challenge_id": d["challenge_id"], "name": d["name"]},
    )


# --- who hears what ----------------------------------------------------------------------


def on_reviewer_invited(w: Writes, item: Item) -> None:
    challenge = str(item.originator_id)
    notify(
        w,
        item,
        "reviewer_invited",
        accounts([_data(item)["reviewer_id"]]),
        challenge_id=challenge,
    )


def on_reviewer_accepted(w: Writes, item: Item) -> None:
    upsert(
        w,
        "nt_reviewers",
        {
            "challenge_id": str(item.originator_id),
            "account_id": _data(item)["actor_id"],
            "position": item.position,
        },
    )


def _asker(question_id: str) -> Recipients:
    return "SELECT asked_by AS account_id FROM nt_questions WHERE question_id = ?", (question_id,)


def on_question_answered(w: Writes, item: Item) -> None:
    d = _data(item)
    notify(
        w,
        item,
        "question_answered",
        _asker(d["question_id"]),
        challenge_id=str(item.originator_id),
    )


def on_question_hidden(w: Writes, item: Item) -> None:
    d = _data(item)
    notify(
        w,
        item,
        "question_hidden",
        _asker(d["question_id"]),
        challenge_id=str(item.originator_id),
        params={"reason": d["reason"]},
    )


def _entrants(challenge_id: str, position: int) -> Recipients:
    return (
        "SELECT account_id FROM nt_entrants WHERE challenge_id = ? AND position < ?",
        (challenge_id, position),
    )


def on_announcement(w: Writes, item: Item) -> None:
    challenge = str(item.originator_id)
    notify(
        w,
        item,
        "announcement",
        _entrants(challenge, item.position),
        challenge_id=challenge,
        params={"text": _data(item)["text"][:200]},
    )


def on_deadline_extended(w: Writes, item: Item) -> None:
    d = _data(item)
    challenge = str(item.originator_id)
    entrants, args = _entrants(challenge, item.position)
    notify(
        w,
        item,
        "deadline_moved",
        (
            f"{entrants} UNION SELECT account_id FROM nt_reviewers"
            " WHERE challenge_id = ? AND position < ?",
            (*args, challenge, item.position),
        ),
        challenge_id=challenge,
        params={"closes_at": d["closes_at"], "review_ends_at": d["review_ends_at"]},
    )


def _authors(submission_id: str) -> Recipients:
    return "SELECT account_id FROM nt_authors WHERE submission_id = ?", (submission_id,)


def on_shortlisted(w: Writes, item: Item) -> None:
    submission = str(item.originator_id)
    notify(w, item, "shortlisted", _authors(submission), submission_id=submission)


def on_awarded(w: Writes, item: Item) -> None:
    submission = str(item.originator_id)
    d = _data(item)
    notify(
        w,
        item,
        "awarded",
        _authors(submission),
        submission_id=submission,
        agreement_id=d["agreement_id"],
        params={"place": d["place"]},
    )


def on_agreement_drafted(w: Writes, item: Item) -> None:
    d = _data(item)
    agreement = str(item.originator_id)
    parties = [d["assignor_id"], *d["co_assignor_ids"]]
    upsert(
        w,
        "nt_agreements",
        {
            "agreement_id": agreement,
            "challenge_id": d["challenge_id"],
            "submission_id": d["submission_id"],
            "organisation_id": d["assignee_organisation_id"],
            "parties": len(parties),
        },
    )
    for party in parties:
        upsert(w, "nt_parties", {"agreement_id": agreement, "account_id": party})
    notify(
        w,
        item,
        "agreement_to_sign",
        accounts(parties),
        submission_id=d["submission_id"],
        agreement_id=agreement,
    )


def on_signed(w: Writes, item: Item) -> None:
    agreement = str(item.originator_id)
    upsert(
        w,
        "nt_signatures",
        {
            "agreement_id": agreement,
            "account_id": _data(item)["actor_id"],
            "position": item.position,
        },
    )
    # Only the signature that completes the parties' set asks for the countersignature:
    # counted up to this event's position, so any batching decides the same.
    notify(
        w,
        item,
        "agreement_to_countersign",
        (
            "SELECT m.account_id FROM nt_members m JOIN nt_agreements g"
            " ON g.organisation_id = m.organisation_id"
            " WHERE g.agreement_id = ? AND m.role IN ('owner', 'legal')"
            " AND (SELECT COUNT(*) FROM nt_signatures s WHERE s.agreement_id = g.agreement_id"
            " AND s.position <= ?) = g.parties",
            (agreement, item.position),
        ),
        agreement_id=agreement,
    )


def _parties(agreement_id: str) -> Recipients:
    return "SELECT account_id FROM nt_parties WHERE agreement_id = ?", (agreement_id,)


def on_paid(w: Writes, item: Item) -> None:
    agreement = str(item.originator_id)
    d = _data(item)
    notify(
        w,
        item,
        "payment_recorded",
        _parties(agreement),
        agreement_id=agreement,
        params={"amount": str(d["amount"]), "currency": d["currency"]},
    )


def on_transferred(w: Writes, item: Item) -> None:
    agreement = str(item.originator_id)
    parties, args = _parties(agreement)
    notify(
        w,
        item,
        "transfer_done",
        (
            f"{parties} UNION SELECT m.account_id FROM nt_members m JOIN nt_agreements g"
            " ON g.organisation_id = m.organisation_id"
            " WHERE g.agreement_id = ? AND m.role IN ('owner', 'legal')",
            (*args, agreement),
        ),
        agreement_id=agreement,
    )


def on_members_invited(w: Writes, item: Item) -> None:
    # Invitations by e-mail to people without an account reach no one here: their mail
    # is the team's own business (issue 21); only accounts are notified.
    d = _data(item)
    ids, emails = list(d["account_ids"]), [e.strip().lower() for e in d["emails"]]
    by_id, id_args = accounts(ids)
    marks = ", ".join("?" for _ in emails) or "NULL"
    notify(
        w,
        item,
        "team_invitation",
        (
            f"{by_id} UNION SELECT account_id FROM nt_accounts WHERE email IN ({marks})",
            (*id_args, *emails),
        ),
        team_id=str(item.originator_id),
    )


# --- mails about the account itself (issue 23) -------------------------------------------


def account_mail(w: Writes, item: Item, kind: str, params: dict[str, Any]) -> None:
    """A mail of ``kind`` (``openinno.domain.notices.ACCOUNT_MAILS``) to the event's
    account, queued once (its key is the event's position), whatever its preferences."""
    account = str(item.originator_id)
    at = iso_text(_data(item)["timestamp"])
    upsert(
        w,
        "nt_account_mails",
        {"account_id": account, "position": item.position, "kind": kind, "params": to_json(params)},
    )
    w.execute(
        "INSERT INTO nt_outbox (account_id, position, kind, created_at, next_attempt_at)"
        " VALUES (?, CAST(? AS BIGINT), ?, ?, ?) ON CONFLICT DO NOTHING",
        (account, item.position, kind, at, at),
    )


def on_registered_verify(w: Writes, item: Item) -> None:
    on_registered(w, item)
    account_mail(w, item, "verify_email", {"email": _data(item)["email"].strip().lower()})


def on_verification_requested(w: Writes, item: Item) -> None:
    account_mail(w, item, "verify_email", {"email": _data(item)["email"]})


def on_reset_requested(w: Writes, item: Item) -> None:
    account_mail(w, item, "password_reset", {"reset_id": _data(item)["reset_id"]})


# --- reviews (issue 23): a new entry to review, a scored entry revised --------------------


def on_review_assigned(w: Writes, item: Item) -> None:
    """Every accepted reviewer is assigned every entry of the challenge (see
    projections.reviewers.queries): each hears of a new one, by the challenge's name."""
    d = _data(item)
    challenge = d["challenge_id"]
    notify(
        w,
        item,
        "review_assigned",
        (
            "SELECT account_id FROM nt_reviewers WHERE challenge_id = ? AND position < ?",
            (challenge, item.position),
        ),
        challenge_id=challenge,
    )


def on_scored(w: Writes, item: Item) -> None:
    # The first score counts (DO NOTHING keeps the earliest position): whoever scored
    # any version before a revision has a stale review after it (decision 0022).
    w.execute(
        "INSERT INTO nt_scored (submission_id, account_id, position)"
        " SELECT submission_id, reviewer_id, CAST(? AS BIGINT) FROM nt_review_streams"
        " WHERE review_id = ? ON CONFLICT DO NOTHING",
        (item.position, str(item.originator_id)),
    )


def on_rereview_needed(w: Writes, item: Item) -> None:
    submission = str(item.originator_id)
    notify(
        w,
        item,
        "rereview_needed",
        (
            "SELECT account_id FROM nt_scored WHERE submission_id = ? AND position < ?",
            (submission, item.position),
        ),
        submission_id=submission,
        params={"version": _data(item)["version"]},
    )


# --- appeals (issue 24) -------------------------------------------------------------------


def _sponsor_deciders(challenge_id: str) -> Recipients:
    return (
        "SELECT m.account_id FROM nt_members m JOIN nt_challenges c"
        " ON c.organisation_id = m.organisation_id"
        " WHERE c.challenge_id = ? AND m.role IN ('owner', 'manager')",
        (challenge_id,),
    )


def on_appeal_filed(w: Writes, item: Item) -> None:
    d = _data(item)
    appeal = str(item.originator_id)
    upsert(
        w,
        "nt_appeals",
        {
            "appeal_id": appeal,
            "challenge_id": d["challenge_id"],
            "appellant_id": d["actor_id"],
            "submission_id": d.get("submission_id"),
        },
    )
    notify(
        w,
        item,
        "appeal_filed",
        _sponsor_deciders(d["challenge_id"]),
        challenge_id=d["challenge_id"],
        params={"appeal_id": appeal},
    )


def _appeal_parties(appeal_id: str, *, sponsor: bool) -> Recipients:
    appellant = "SELECT appellant_id AS account_id FROM nt_appeals WHERE appeal_id = ?"
    if not sponsor:
        return appellant, (appeal_id,)
    return (
        f"{appellant} UNION SELECT m.account_id FROM nt_members m"
        " JOIN nt_challenges c ON c.organisation_id = m.organisation_id"
        " JOIN nt_appeals a ON a.challenge_id = c.challenge_id"
        " WHERE a.appeal_id = ? AND m.role IN ('owner', 'manager')",
        (appeal_id, appeal_id),
    )


def on_appeal_answered(w: Writes, item: Item) -> None:
    appeal = str(item.originator_id)
    notify(
        w,
        item,
        "appeal_answered",
        _appeal_parties(appeal, sponsor=True),
        challenge_id=_data(item)["challenge_id"],
        submission_id=_data(item).get("submission_id"),
        params={"appeal_id": appeal},
    )


def on_appeal_decided(w: Writes, item: Item) -> None:
    d = _data(item)
    appeal = str(item.originator_id)
    notify(
        w,
        item,
        "appeal_decided",
        _appeal_parties(appeal, sponsor=False),
        challenge_id=d["challenge_id"],
        submission_id=d.get("submission_id"),
        params={"appeal_id": appeal, "outcome": d["outcome"], "reason": d["reason"][:200]},
    )


def on_entry_hidden(w: Writes, item: Item) -> None:
    submission = str(item.originator_id)
    notify(
        w,
        item,
        "entry_hidden",
        _authors(submission),
        submission_id=submission,
        params={"reason": _data(item)["reason"][:200]},
    )


def on_entry_disqualified(w: Writes, item: Item) -> None:
    """The entry's authors are told why (issue 24): they may appeal."""
    submission = str(item.originator_id)
    notify(
        w,
        item,
        "entry_disqualified",
        _authors(submission),
        submission_id=submission,
        params={"reason": _data(item)["reason"][:200]},
    )


def on_award_revoked(w: Writes, item: Item) -> None:
    """Re-awarded (issue 24): the entry's authors learn the place is taken back."""
    submission = str(item.originator_id)
    d = _data(item)
    notify(
        w,
        item,
        "award_revoked",
        _authors(submission),
        submission_id=submission,
        agreement_id=d["agreement_id"],
        params={"place": d["place"], "reason": d["reason"][:200]},
    )


def on_vote_voided(w: Writes, item: Item) -> None:
    """The voter is told their support was voided and why (issue 24; votes voided
    before the event named the voter tell no one)."""
    d = _data(item)
    if not d.get("voter_id"):
        return
    notify(
        w,
        item,
        "vote_voided",
        ("SELECT account_id FROM nt_accounts WHERE account_id = ?", (d["voter_id"],)),
        submission_id=d.get("submission_id"),
        params={"reason": d["reason"][:200]},
    )


PROJECTION = Projection(
    name="notifications",
    tables=TABLES,
    ddl=DDL,
    decodes=False,
    handlers={},
    # With the scheduled reminders' handlers (issue 23), run beside these.
    plain=reminders.merged(
        {
            Account.Registered: on_registered_verify,
            Account.EmailVerificationRequested: on_verification_requested,
            Account.PasswordResetRequested: on_reset_requested,
            Account.ProfileUpdated: on_profile_updated,
            Account.Deactivated: on_deactivated,
            Account.Erased: on_account_erased,
            Account.NotificationPreferenceSet: on_preference_set,
            Organisation.Created: on_organisation_created,
            Organisation.MemberAdded: on_member_added,
            Organisation.MemberRemoved: on_member_removed,
            Challenge.Drafted: on_drafted,
            Challenge.DraftEdited: on_draft_edited,
            Challenge.QuestionAsked: on_question_asked,
            Challenge.QuestionAnswered: on_question_answered,
            Challenge.QuestionHidden: on_question_hidden,
            Challenge.AnnouncementPosted: on_announcement,
            Challenge.DeadlineExtended: on_deadline_extended,
            Challenge.ReviewerInvited: on_reviewer_invited,
            Challenge.ReviewerAccepted: on_reviewer_accepted,
            SolverEntries.Started: on_entries_started,
            SolverEntries.EntryCounted: on_entered,
            SolverEntries.TeamJoined: on_entered,
            Submission.Submitted: on_submitted,
            Submission.Revised: on_revised,
            Submission.CoauthorshipConfirmed: on_coauthorship_confirmed,
            Submission.Shortlisted: on_shortlisted,
            Submission.Awarded: on_awarded,
            IpAgreement.Drafted: on_agreement_drafted,
            IpAgreement.SignedByAssignor: on_signed,
            IpAgreement.ConsiderationPaid: on_paid,
            IpAgreement.OwnershipTransferred: on_transferred,
            IpAgreement.LicenceGranted: on_transferred,
            Team.Formed: on_team_formed,
            Team.MembersInvited: on_members_invited,
            Review.ScoresRecorded: on_scored,
            Review.ScoresRevised: on_scored,
            Appeal.Filed: on_appeal_filed,
            Appeal.Answered: on_appeal_answered,
            Appeal.Decided: on_appeal_decided,
            Submission.Hidden: on_entry_hidden,
            Submission.Disqualified: on_entry_disqualified,
            Submission.AwardRevoked: on_award_revoked,
            Vote.Voided: on_vote_voided,
        }
    ),
)
