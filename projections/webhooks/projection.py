"""The webhooks read model: each event of a type an organisation's endpoint was
registered for becomes one delivery per endpoint in ``wh_deliveries``, keyed by
(webhook id, event position), with the body it will be sent with.

As the notifications' outbox (decision 0020), the deliveries are written by an
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` in the batch's transaction, the one
that moves the tracking position: a batch applied again, a rebuild, adds nothing,
and ``wh_deliveries`` / ``wh_attempts`` are kept over a rebuild (not in ``TABLES``).
An endpoint hears of the events recorded after its registration and before its
removal: both are positions, so any batching decides alike.

Blind review: a body names things by their ids (the challenge, the entry, its
version, the question, the agreement), never a person: no author, no actor.  An
integration that wants more asks the API with a member's token, where the rules of
who may know an entry's authors apply (decision 0015)."""

from __future__ import annotations

from typing import Any

from openinno.domain import Challenge, IpAgreement, Organisation, Submission
from projections.projection import Item, Projection
from projections.sql import update, upsert
from projections.values import iso_text, to_json
from projections.writes import Writes

TABLES = (
    "wh_challenges",
    "wh_submissions",
    "wh_agreements",
    "wh_endpoints",
    "wh_endpoint_types",
)

DDL = (
    "CREATE TABLE IF NOT EXISTS wh_challenges ("
    " challenge_id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS wh_submissions ("
    " submission_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS wh_agreements ("
    " agreement_id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL)",
    # registered / removed: the positions of the events (removed NULL: still there).
    "CREATE TABLE IF NOT EXISTS wh_endpoints ("
    " webhook_id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, url TEXT NOT NULL,"
    " registered BIGINT NOT NULL, removed BIGINT)",
    "CREATE TABLE IF NOT EXISTS wh_endpoint_types ("
    " webhook_id TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (webhook_id, type))",
    # --- kept over a rebuild ---
    # One per (endpoint, event): status queued | delivered | failed (gave up) |
    # expired (too old to send) | cancelled (the endpoint was removed).
    "CREATE TABLE IF NOT EXISTS wh_deliveries ("
    " webhook_id TEXT NOT NULL, position BIGINT NOT NULL, type TEXT NOT NULL,"
    " created_at TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'queued',"
    " attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL DEFAULT 12,"
    " next_attempt_at TEXT NOT NULL, lease_owner TEXT, lease_until TEXT, delivered_at TEXT,"
    " last_status INTEGER, last_error TEXT, PRIMARY KEY (webhook_id, position))",
    "CREATE INDEX IF NOT EXISTS wh_deliveries_due ON wh_deliveries (status, next_attempt_at)",
    # Every attempt: the delivery log.
    "CREATE TABLE IF NOT EXISTS wh_attempts ("
    " webhook_id TEXT NOT NULL, position BIGINT NOT NULL, attempt INTEGER NOT NULL,"
    " at TEXT NOT NULL, status_code INTEGER, error TEXT, duration_ms INTEGER,"
    " PRIMARY KEY (webhook_id, position, attempt))",
)

_QUEUE = (
    "INSERT INTO wh_deliveries (webhook_id, position, type, created_at, payload,"
    " next_attempt_at)"
    " SELECT e.webhook_id, CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT),"
    " CAST(? AS TEXT), CAST(? AS TEXT)"
    " FROM wh_endpoints e JOIN wh_endpoint_types t"
    " ON t.webhook_id = e.webhook_id AND t.type = ?"
    " WHERE e.organisation_id IN ({organisation}) AND e.registered < ?"
    " AND (e.removed IS NULL OR e.removed > ?)"
    " ON CONFLICT DO NOTHING"
)

# The organisation an event concerns: a statement selecting ``organisation_id``.
Owner = tuple[str, tuple[Any, ...]]


def deliver(w: Writes, item: Item, type_: str, owner: Owner, data: dict[str, Any]) -> None:
    """A delivery of ``type_`` with ``data`` to each endpoint of the organisation
    ``owner`` selects that was registered for it when the event was recorded."""
    d = _data(item)
    at = iso_text(d["timestamp"])
    body = to_json({"type": type_, "timestamp": d["timestamp"], "data": data})
    sql, args = owner
    w.execute(
        _QUEUE.format(organisation=sql),
        (item.position, type_, at, body, at, type_, *args, item.position, item.position),
    )


def _data(item: Item) -> dict[str, Any]:
    assert item.data is not None
    return item.data


def _challenge_owner(challenge_id: str) -> Owner:
    return "SELECT organisation_id FROM wh_challenges WHERE challenge_id = ?", (challenge_id,)


def _submission_owner(submission_id: str) -> Owner:
    return (
        "SELECT c.organisation_id FROM wh_submissions s JOIN wh_challenges c"
        " ON c.challenge_id = s.challenge_id WHERE s.submission_id = ?",
        (submission_id,),
    )


# --- endpoints and what events belong to whom -------------------------------------------


def on_webhook_registered(w: Writes, item: Item) -> None:
    d = _data(item)
    webhook = d["webhook_id"]
    upsert(
        w,
        "wh_endpoints",
        {
            "webhook_id": webhook,
            "organisation_id": str(item.originator_id),
            "url": d["url"],
            "registered": item.position,
            "removed": None,
        },
    )
    for type_ in d["types"]:
        upsert(w, "wh_endpoint_types", {"webhook_id": webhook, "type": type_})


def on_webhook_removed(w: Writes, item: Item) -> None:
    update(w, "wh_endpoints", {"webhook_id": _data(item)["webhook_id"]}, {"removed": item.position})


def on_drafted(w: Writes, item: Item) -> None:
    upsert(
        w,
        "wh_challenges",
        {
            "challenge_id": str(item.originator_id),
            "organisation_id": _data(item)["organisation_id"],
        },
    )


def on_agreement_drafted(w: Writes, item: Item) -> None:
    upsert(
        w,
        "wh_agreements",
        {
            "agreement_id": str(item.originator_id),
            "organisation_id": _data(item)["assignee_organisation_id"],
        },
    )


# --- what is delivered -------------------------------------------------------------------


def on_published(w: Writes, item: Item) -> None:
    challenge = str(item.originator_id)
    deliver(
        w, item, "challenge.published", _challenge_owner(challenge), {"challenge_id": challenge}
    )


def on_question_asked(w: Writes, item: Item) -> None:
    challenge = str(item.originator_id)
    deliver(
        w,
        item,
        "question.asked",
        _challenge_owner(challenge),
        {"challenge_id": challenge, "question_id": _data(item)["question_id"]},
    )


def on_awarded(w: Writes, item: Item) -> None:
    challenge = str(item.originator_id)
    deliver(w, item, "challenge.awarded", _challenge_owner(challenge), {"challenge_id": challenge})


def on_submitted(w: Writes, item: Item) -> None:
    d = _data(item)
    submission = str(item.originator_id)
    upsert(w, "wh_submissions", {"submission_id": submission, "challenge_id": d["challenge_id"]})
    deliver(
        w,
        item,
        "submission.received",
        _challenge_owner(d["challenge_id"]),
        {"challenge_id": d["challenge_id"], "submission_id": submission, "version": 1},
    )


def on_revised(w: Writes, item: Item) -> None:
    submission = str(item.originator_id)
    deliver(
        w,
        item,
        "submission.revised",
        _submission_owner(submission),
        {"submission_id": submission, "version": _data(item)["version"]},
    )


def on_withdrawn(w: Writes, item: Item) -> None:
    submission = str(item.originator_id)
    deliver(
        w,
        item,
        "submission.withdrawn",
        _submission_owner(submission),
        {"submission_id": submission},
    )


def on_shortlisted(w: Writes, item: Item) -> None:
    submission = str(item.originator_id)
    deliver(
        w,
        item,
        "submission.shortlisted",
        _submission_owner(submission),
        {"submission_id": submission},
    )


def on_signed(w: Writes, item: Item) -> None:
    agreement = str(item.originator_id)
    deliver(
        w,
        item,
        "agreement.signed",
        ("SELECT organisation_id FROM wh_agreements WHERE agreement_id = ?", (agreement,)),
        {"agreement_id": agreement},
    )


PROJECTION = Projection(
    name="webhooks",
    tables=TABLES,
    ddl=DDL,
    decodes=False,
    handlers={},
    plain={
        Organisation.WebhookRegistered: on_webhook_registered,
        Organisation.WebhookRemoved: on_webhook_removed,
        Challenge.Drafted: on_drafted,
        Challenge.Published: on_published,
        Challenge.QuestionAsked: on_question_asked,
        Challenge.WinnersAwarded: on_awarded,
        Submission.Submitted: on_submitted,
        Submission.Revised: on_revised,
        Submission.Withdrawn: on_withdrawn,
        Submission.Shortlisted: on_shortlisted,
        IpAgreement.Drafted: on_agreement_drafted,
        IpAgreement.SignedByAssignor: on_signed,
    },
)
