"""Tables and event handlers of the legal read model.

``lg_events`` keeps every event (secrets such as password hashes left out) for
"who did what when": written a page at a time (``record_page``), its data the
stored payload's JSON text itself where it can be (no decoding and re-encoding);
``lg_chain`` keeps, per submission, each step of its chain of title with the
event's id, actor, time and hashes."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import msgspec
from eventsourcing.utils import resolve_topic

from openinno.domain import Appeal, IpAgreement, Submission
from openinno.domain.personal_fields import PERSONAL, without_personal
from projections.projection import Item, Projection, Stored
from projections.sql import insert
from projections.values import (
    REDACTED_FIELDS,
    copy_escape,
    event_name,
    iso,
    iso_text,
    payload_fields,
    to_json,
)
from projections.writes import Writes

DDL = (
    "CREATE TABLE IF NOT EXISTS lg_events ("
    " position BIGINT PRIMARY KEY, originator_id TEXT NOT NULL,"
    " originator_version INTEGER NOT NULL, event_type TEXT NOT NULL, actor_id TEXT,"
    " at TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS lg_events_stream ON lg_events (originator_id, originator_version)",
    "CREATE TABLE IF NOT EXISTS lg_chain ("
    " submission_id TEXT NOT NULL, position BIGINT NOT NULL, step TEXT NOT NULL,"
    " event_id TEXT NOT NULL, actor_id TEXT, at TEXT NOT NULL, details TEXT NOT NULL,"
    # A version's authors, each with when they accepted the terms (JSON; NULL on
    # steps that record no version's authors).
    " authors TEXT,"
    " PRIMARY KEY (submission_id, position))",
    "CREATE TABLE IF NOT EXISTS lg_agreements ("
    " agreement_id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL,"
    " challenge_id TEXT NOT NULL, submission_id TEXT NOT NULL, place INTEGER NOT NULL,"
    " template TEXT NOT NULL, template_version INTEGER NOT NULL, text_sha256 TEXT NOT NULL,"
    " content_sha256 TEXT NOT NULL, terms_sha256 TEXT NOT NULL, amount TEXT NOT NULL,"
    " currency TEXT NOT NULL, payment_required INTEGER NOT NULL,"
    " authors INTEGER NOT NULL, signatures INTEGER NOT NULL DEFAULT 0,"
    " countersigned INTEGER NOT NULL DEFAULT 0, paid INTEGER NOT NULL DEFAULT 0,"
    " transferred INTEGER NOT NULL DEFAULT 0, disputed INTEGER NOT NULL DEFAULT 0,"
    " rescinded INTEGER NOT NULL DEFAULT 0, drafted_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
)

TABLES = ("lg_events", "lg_chain", "lg_agreements")
EVENT_COLUMNS = (
    "position",
    "originator_id",
    "originator_version",
    "event_type",
    "actor_id",
    "at",
    "data",
)


def event_id(item: Item) -> str:
    return f"{item.originator_id}@{item.originator_version}"


# The fields of a stored payload a history row needs beside the envelope, and the
# secrets it must not copy (present or not: ``UNSET`` when absent).  Decoding only
# these skips the rest of the payload (under 1 us, against ~5.5 for the whole
# payload as a dict, and nothing to encode again), and it finds a secret by its
# key exactly as ``payload_fields`` does (top-level keys), never in a value's text.
_SECRET_FIELDS = tuple(sorted(REDACTED_FIELDS))
_Envelope = msgspec.defstruct(
    "_Envelope",
    [
        ("timestamp", str),
        ("actor_id", str | None, None),
        *((name, msgspec.Raw | msgspec.UnsetType, msgspec.UNSET) for name in _SECRET_FIELDS),
    ],
)
_envelope = msgspec.json.Decoder(_Envelope)


def _has_secret(envelope: Any) -> bool:
    for name in _SECRET_FIELDS:  # noqa: SIM110 (any() of a generator costs more, per event)
        if getattr(envelope, name) is not msgspec.UNSET:
            return True
    return False


# Stored order (the event class's field order), as the stored text has it.
_history_json = msgspec.json.Encoder(decimal_format="string", uuid_format="canonical")
_NULL = "\\N"  # COPY's NULL


@cache
def _upcast(topic: str) -> bool:
    """Whether events of ``topic`` may be stored at an older class version (their
    stored text then is not what the class is now: take the upcast payload)."""
    return int(getattr(resolve_topic(topic), "class_version", 1)) > 1


def _history(n: Any, stored: Stored) -> tuple[str | None, str, str]:
    """One event's ``actor_id``, ``at`` and ``data`` (JSON text without secrets).
    Fast way: the stored JSON text as it is, with ``timestamp`` and ``actor_id``
    taken by a small decoder (``_Envelope``).  Slow way, where the payload has a
    secret or may be of an older class version, or no plaintext is at hand: the
    plain payload without secrets, encoded again (same fields, same order)."""
    if n.topic in PERSONAL:
        # Never personal data in the history (decision 0032): it would outlive an erasure.
        data = without_personal(n.topic, payload_fields(stored.payload(n)))
        actor = data.get("actor_id")
        data_text = _history_json.encode(data).decode()
        return (None if actor is None else str(actor)), iso_text(data["timestamp"]), data_text
    if stored.plaintext is not None and not _upcast(n.topic):
        raw = stored.plaintext(n)
        try:
            envelope: Any = _envelope.decode(raw)
        except msgspec.DecodeError:
            pass  # an odd payload: the slow way decides (and reports)
        else:
            if not _has_secret(envelope):
                return envelope.actor_id, iso_text(envelope.timestamp), raw.decode()
    data = payload_fields(stored.payload(n))
    actor = data.get("actor_id")
    data_text = _history_json.encode(data).decode()
    return (None if actor is None else str(actor)), iso_text(data["timestamp"]), data_text


def record_page(db: Writes, notifications: Sequence[Any], stored: Stored) -> None:
    """The page's history rows: in a bulk batch on PostgreSQL formatted as ``COPY``
    lines here (no per-value dumping), elsewhere as rows.  Keyed by each event's position:
    no other change of the batch touches them."""
    if db.db.dialect == "postgres" and db.bulk:
        lines = []
        for n in notifications:
            actor, at, data = _history(n, stored)
            lines.append(
                f"{n.id}\t{n.originator_id}\t{n.originator_version}\t{event_name(n.topic)}"
                f"\t{_NULL if actor is None else copy_escape(actor)}\t{at}"
                f"\t{copy_escape(data)}\n"
            )
        db.copy_lines("lg_events", EVENT_COLUMNS, lines)
        return
    for n in notifications:
        actor, at, data = _history(n, stored)
        row = (
            n.id,
            str(n.originator_id),
            n.originator_version,
            event_name(n.topic),
            actor,
            at,
            data,
        )
        db.append("lg_events", EVENT_COLUMNS, row)


def _who_when(item: Item) -> tuple[str, str]:
    """The event's actor and time, from its plain payload or its typed event."""
    if item.data is not None:
        return str(item.data["actor_id"]), iso_text(item.data["timestamp"])
    e = item.event
    return str(e.actor_id), iso(e.timestamp)


def _step(
    db: Writes,
    item: Item,
    submission_id: str,
    step: str,
    details: dict[str, Any],
    authors: list[dict[str, str | None]] | None = None,
) -> None:
    actor, at = _who_when(item)
    insert(
        db,
        "lg_chain",
        {
            "submission_id": submission_id,
            "position": item.position,
            "step": step,
            "event_id": event_id(item),
            "actor_id": actor,
            "at": at,
            "details": to_json(details),
            "authors": None if authors is None else to_json(authors),
        },
    )


def _authors(author_ids: Sequence[str], accepted: Sequence[str] | None, at: str) -> list[Any]:
    """Each author with when they accepted the terms (``Submission.acceptances_of``'s
    rule: not recorded, the submitter accepted by submitting, the others unknown)."""
    if accepted is not None and len(accepted) == len(author_ids):
        times: list[str | None] = [iso_text(t) for t in accepted]
    else:
        times = [at if i == 0 else None for i in range(len(author_ids))]
    return [
        {"account_id": a, "accepted_terms_at": t} for a, t in zip(author_ids, times, strict=True)
    ]


AGREEMENT_STEP = (
    "INSERT INTO lg_chain (submission_id, position, step, event_id, actor_id, at, details) "
    "SELECT submission_id, ?, ?, ?, ?, ?, ? FROM lg_agreements WHERE agreement_id = ?"
)


def _agreement_step(db: Writes, item: Item, step: str, details: dict[str, Any]) -> None:
    """A step of an agreement, filed under its submission (looked up in SQL, at the
    end of the batch: the agreement's row is written by then)."""
    e = item.event
    db.execute(
        AGREEMENT_STEP,
        (
            item.position,
            step,
            event_id(item),
            str(e.actor_id),
            iso(e.timestamp),
            to_json(details),
            str(item.originator_id),
        ),
    )


# The submission's own events come as plain payloads (``plain`` below: ids are the
# stored strings, so the details' JSON is what typed decoding gave); the agreement's,
# rarer and with nested values, typed.


def on_submitted(db: Writes, item: Item) -> None:
    d = item.data
    assert d is not None
    details = {
        "challenge_id": d["challenge_id"],
        "team_ids": d["team_ids"],
        "accepted_terms_sha256": d["accepted_terms_sha256"],
        "content_sha256": d["content_sha256"],
        "receipt_id": d["receipt_id"],
        "version": 1,
    }
    at = iso_text(d["timestamp"])
    authors = _authors([d["actor_id"], *d["team_ids"]], d.get("terms_accepted_at"), at)
    _step(db, item, str(item.originator_id), "submitted", details, authors)


def on_revised(db: Writes, item: Item) -> None:
    d = item.data
    assert d is not None
    details = {
        "version": d["version"],
        "content_sha256": d["content_sha256"],
        "receipt_id": d["receipt_id"],
    }
    # A team entry's version names its authors; an entry of no team keeps its first
    # version's (listed on the "submitted" step).
    author_ids = d.get("author_ids")
    authors = (
        None
        if author_ids is None
        else _authors(author_ids, d.get("terms_accepted_at"), iso_text(d["timestamp"]))
    )
    _step(db, item, str(item.originator_id), "revised", details, authors)


def on_submission_status(step: str) -> Any:
    def apply(db: Writes, item: Item) -> None:
        assert item.data is not None
        _step(db, item, str(item.originator_id), step, {"reason": item.data["reason"]})

    return apply


def on_awarded(db: Writes, item: Item) -> None:
    d = item.data
    assert d is not None
    details = {"place": d["place"], "agreement_id": d["agreement_id"]}
    # The version awarded and, where no reviewer scored it, the sponsor's reason (issue
    # 20); awards recorded before name neither.
    for key in ("content_sha256", "version", "override_reason"):
        if d.get(key) is not None:
            details[key] = d[key]
    _step(db, item, str(item.originator_id), "awarded", details)


def on_appeal_lodged(db: Writes, item: Item) -> None:
    d = item.data
    assert d is not None
    details = {"appeal_id": d["appeal_id"], "ground": d["ground"]}
    _step(db, item, str(item.originator_id), "appeal_lodged", details)


def on_award_revoked(db: Writes, item: Item) -> None:
    """Re-awarded (issue 24): the place this entry held, its agreement (rescinded in the
    same transaction) and the reason."""
    d = item.data
    assert d is not None
    details = {"place": d["place"], "agreement_id": d["agreement_id"], "reason": d["reason"]}
    _step(db, item, str(item.originator_id), "award_revoked", details)


def on_reinstated(db: Writes, item: Item) -> None:
    d = item.data
    assert d is not None
    details = {"appeal_id": d["appeal_id"], "reason": d["reason"]}
    _step(db, item, str(item.originator_id), "reinstated", details)


def on_appeal_step(step: str, *keys: str) -> Any:
    """An appeal's answer or decision, filed under its entry (appeals of a question's
    moderation have none, and no step)."""

    def apply(db: Writes, item: Item) -> None:
        d = item.data
        assert d is not None
        if d.get("submission_id") is None:
            return
        details = {"appeal_id": str(item.originator_id), **{k: d[k] for k in keys}}
        _step(db, item, str(d["submission_id"]), step, details)

    return apply


def on_agreement_drafted(db: Writes, item: Item) -> None:
    e = item.event
    at = iso(e.timestamp)
    insert(
        db,
        "lg_agreements",
        {
            "agreement_id": str(item.originator_id),
            "organisation_id": str(e.assignee_organisation_id),
            "challenge_id": str(e.challenge_id),
            "submission_id": str(e.submission_id),
            "place": e.place,
            "template": e.template,
            "template_version": e.template_version,
            "text_sha256": e.text_sha256,
            "content_sha256": e.content_sha256,
            "terms_sha256": e.terms_sha256,
            "amount": str(e.amount),
            "currency": e.currency,
            "payment_required": int(e.payment_required),
            "authors": 1 + len(e.co_assignor_ids),
            "drafted_at": at,
            "updated_at": at,
        },
    )
    details = {
        "agreement_id": item.originator_id,
        "template": e.template,
        "template_version": e.template_version,
        "text_sha256": e.text_sha256,
        "terms_sha256": e.terms_sha256,
        "content_sha256": e.content_sha256,
        "assignor_id": e.assignor_id,
        "co_assignor_ids": e.co_assignor_ids,
        "assignee_organisation_id": e.assignee_organisation_id,
        "amount": e.amount,
        "currency": e.currency,
    }
    if e.content_version is not None:
        details["content_version"] = e.content_version
    if e.override_reason is not None:
        details["override_reason"] = e.override_reason
    _step(db, item, str(e.submission_id), "agreement_drafted", details)


def _agreement(db: Writes, item: Item, column: str, *, add: bool = False) -> None:
    """Set a flag of the agreement (or count a signature), and its ``updated_at``."""
    where = {"agreement_id": str(item.originator_id)}
    if add:
        db.add("lg_agreements", where, column, 1)
        db.update("lg_agreements", where, {"updated_at": iso(item.event.timestamp)})
    else:
        db.update("lg_agreements", where, {column: 1, "updated_at": iso(item.event.timestamp)})


def _signature(item: Item) -> dict[str, Any]:
    s = item.event.signature
    details = {
        "signer_id": s.signer_id,
        "typed_name": s.typed_name,
        "intent": s.intent,
        "auth_method": s.auth_method,
        "ip_address": s.ip_address,
        "user_agent": s.user_agent,
        "text_sha256": s.text_sha256,
    }
    # Signatures recorded before the name check have no verdict: their rows stay as they were.
    if s.typed_name_matches_account is not None:
        details["typed_name_matches_account"] = s.typed_name_matches_account
    return details


def on_signed(db: Writes, item: Item) -> None:
    _agreement(db, item, "signatures", add=True)
    _agreement_step(db, item, "signed_by_assignor", _signature(item))


def on_countersigned(db: Writes, item: Item) -> None:
    _agreement(db, item, "countersigned")
    _agreement_step(db, item, "countersigned_by_assignee", _signature(item))


def on_paid(db: Writes, item: Item) -> None:
    e = item.event
    _agreement(db, item, "paid")
    details = {"reference": e.reference, "amount": e.amount, "currency": e.currency}
    _agreement_step(db, item, "consideration_paid", details)


def on_transferred(db: Writes, item: Item) -> None:
    e = item.event
    _agreement(db, item, "transferred")
    step = "ownership_transferred"
    details: dict[str, Any] = {"text_sha256": e.text_sha256, "content_sha256": e.content_sha256}
    if isinstance(e, IpAgreement.LicenceGranted):
        step = "licence_granted"
        details["exclusive"] = e.exclusive
    _agreement_step(db, item, step, details)


def on_disputed(db: Writes, item: Item) -> None:
    _agreement(db, item, "disputed")
    _agreement_step(db, item, "disputed", {"reason": item.event.reason})


def on_rescinded(db: Writes, item: Item) -> None:
    _agreement(db, item, "rescinded")
    _agreement_step(db, item, "rescinded", {"reason": item.event.reason})


# After the win (issue 29): sales, royalties and production are steps of the chain of
# title too, filed under the agreement's submission.


def on_sales_reported(db: Writes, item: Item) -> None:
    e = item.event
    details = {
        "report_id": e.report_id,
        "period": e.period,
        "units": e.units,
        "net_sales": e.net_sales,
        "currency": e.currency,
    }
    if e.note:
        details["note"] = e.note
    _agreement_step(db, item, "sales_reported", details)


def on_royalty_stated(db: Writes, item: Item) -> None:
    e = item.event
    details = {
        "statement_id": e.statement_id,
        "period": e.period,
        "report_ids": e.report_ids,
        "lines": [
            {
                "currency": ln.currency,
                "net_sales": ln.net_sales,
                "rate_percent": ln.rate_percent,
                "royalty": ln.royalty,
            }
            for ln in e.lines
        ],
    }
    _agreement_step(db, item, "royalty_stated", details)


def on_royalty_paid(db: Writes, item: Item) -> None:
    e = item.event
    details = {
        "statement_id": e.statement_id,
        "amount": e.amount,
        "currency": e.currency,
        "reference": e.reference,
    }
    _agreement_step(db, item, "royalty_paid", details)


def on_production(db: Writes, item: Item) -> None:
    e = item.event
    if isinstance(e, IpAgreement.ProductionCommitted):
        step, details = "production_committed", {"target_on": e.target_on, "note": e.note}
    elif isinstance(e, IpAgreement.ProductionStarted):
        step, details = "production_started", {"started_on": e.started_on}
    else:
        step, details = "production_dropped", {"reason": e.reason}
    _agreement_step(db, item, step, details)


PROJECTION = Projection(
    name="legal",
    tables=TABLES,
    ddl=DDL,
    # The history and the chain of title are only ever appended to.
    insert_only=("lg_events", "lg_chain"),
    plain={
        Submission.Submitted: on_submitted,
        Submission.Revised: on_revised,
        Submission.Withdrawn: on_submission_status("withdrawn"),
        Submission.Disqualified: on_submission_status("disqualified"),
        Submission.Awarded: on_awarded,
        # Appeals (issue 24): the thread is part of the entry's history.
        Submission.AppealLodged: on_appeal_lodged,
        Submission.Reinstated: on_reinstated,
        Submission.AwardRevoked: on_award_revoked,
        Appeal.Answered: on_appeal_step("appeal_answered"),
        Appeal.Decided: on_appeal_step("appeal_decided", "outcome", "reason"),
    },
    handlers={
        IpAgreement.Drafted: on_agreement_drafted,
        IpAgreement.SignedByAssignor: on_signed,
        IpAgreement.CountersignedByAssignee: on_countersigned,
        IpAgreement.ConsiderationPaid: on_paid,
        IpAgreement.OwnershipTransferred: on_transferred,
        IpAgreement.LicenceGranted: on_transferred,
        IpAgreement.Disputed: on_disputed,
        IpAgreement.Rescinded: on_rescinded,
        IpAgreement.SalesReported: on_sales_reported,
        IpAgreement.RoyaltyStated: on_royalty_stated,
        IpAgreement.RoyaltyPaid: on_royalty_paid,
        IpAgreement.ProductionCommitted: on_production,
        IpAgreement.ProductionStarted: on_production,
        IpAgreement.ProductionDropped: on_production,
    },
    # The history copies every event's stored payload, a page at a time: only the
    # chain's events are decoded into domain objects.
    page=record_page,
    # about twice the others: a history row per event (bench_projections, 2026-11-23)
    rebuild_cost=2.0,
)
