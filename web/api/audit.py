"""Audit trails from the legal read model: a submission's chain of title, and the
history of one stream (who did what, when).  Who may read a stream's history is the
application's rule (``OpenInno.require_history_access``), the same as the pages'."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from openinno.application import OpenInno
from projections.legal import queries as legal
from projections.values import parse_iso
from web.api import access
from web.api.auth import SECURITY, signed_in
from web.api.pagination import Cursor, Limit, decode_key, keyset_page
from web.api.problems import problem_spec
from web.api.reads import LEGAL, ApiReads, MinPosition

AsOfParameter = Annotated[
    str | None,
    QueryParameter(
        name="as_of",
        max_length=64,
        description=(
            "Replay only what was recorded by then: a log position (e.g. `1200`) or an "
            "ISO 8601 time with its zone (e.g. `2026-11-23T12:00:00Z`)."
        ),
    ),
]

# Never shown, whatever the stream: secrets, and hashes that stand for secrets.
REDACTED = frozenset({"password_hash", "token_sha256", "token_sha256_prefix", "request_sha256"})


class ChainAuthor(msgspec.Struct, frozen=True):
    account_id: UUID
    accepted_terms_at: Annotated[
        datetime | None,
        msgspec.Meta(
            description=(
                "When this author accepted the challenge's terms: a team member when they "
                "accepted the team, the submitter when they submitted (null: not recorded, "
                "on versions from before it was)"
            )
        ),
    ]


class ChainStep(msgspec.Struct, frozen=True):
    position: Annotated[int, msgspec.Meta(description="The event's position in the log")]
    event_id: Annotated[str, msgspec.Meta(description="<stream id>@<version>")]
    step: str
    actor_id: UUID | None
    at: datetime
    hashes: Annotated[
        dict[str, str],
        msgspec.Meta(description="Every SHA-256 the step records (content, terms, text)"),
    ]
    details: dict[str, Any]
    # On "submitted" and a team entry's "revised": the version's authors.
    authors: list[ChainAuthor] | None = None


class LedgerClaim(msgspec.Struct, frozen=True):
    """What the signed log says about the chain as answered (web/legal_proof.py)."""

    status: Annotated[
        str,
        msgspec.Meta(
            description="`verified`: every step is what the log gives, each event proven"
            " in the checkpoint; `pending`: a step is not under a signed checkpoint yet;"
            " `differs`: the read model's rows are not the log's (do not rely on them)"
        ),
    ]
    checkpoint: Annotated[
        int | None, msgspec.Meta(description="The tree size of the checkpoint (verified)")
    ]
    cosigned_by: Annotated[
        list[str], msgspec.Meta(description="The witnesses that cosigned that checkpoint")
    ]
    statement: str


class ChainOfTitle(msgspec.Struct, frozen=True):
    submission_id: UUID
    ownership_transferred: Annotated[
        bool,
        msgspec.Meta(description="An agreement transferred ownership and was not rescinded since"),
    ]
    items: list[ChainStep]
    next_cursor: str | None
    # Absent where the platform runs no ledger with a signing key.
    verified_against: LedgerClaim | None = None


def _claim(
    openinno: OpenInno, db: Any, submission_id: UUID, moment: legal.AsOf
) -> LedgerClaim | None:
    from web.legal_proof import chain_claim

    claim = chain_claim(openinno, db, submission_id, moment)
    if claim is None:
        return None
    if claim.status == "verified":
        statement = f"verified against checkpoint {claim.tree_size}"
        if claim.cosigners:
            statement += f" (cosigned by {', '.join(claim.cosigners)})"
    elif claim.status == "pending":
        statement = "not yet under a signed checkpoint"
    else:
        statement = "differs from the signed log: run openinno audit --read-models"
    return LedgerClaim(claim.status, claim.tree_size or None, list(claim.cosigners), statement)


def _hashes(details: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in sorted(details.items()) if k.endswith("sha256") and v}


def _step(row: dict[str, Any]) -> ChainStep:
    details = dict(row["details"] or {})
    return ChainStep(
        position=int(row["position"]),
        event_id=row["event_id"],
        step=row["step"],
        actor_id=UUID(row["actor_id"]) if row["actor_id"] else None,
        at=parse_iso(row["at"]),
        hashes=_hashes(details),
        details=details,
        authors=None
        if row.get("authors") is None
        else [
            ChainAuthor(
                UUID(a["account_id"]),
                parse_iso(a["accepted_terms_at"]) if a["accepted_terms_at"] else None,
            )
            for a in row["authors"]
        ],
    )


@get(
    "/submissions/{submission_id:uuid}/chain-of-title",
    tags=["agreements"],
    summary="A submission's chain of title (its authors, the sponsor's owners and legal, admins)",
    description=(
        "Every step from the first submission to ownership transferred, in log order, "
        "each with its actor, time, event id and the hashes it recorded."
    ),
    security=SECURITY,
    responses=problem_spec(401, 404, 422, 503),
    sync_to_thread=True,
)
@signed_in
def chain_of_title(
    submission_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    cursor: Cursor = None,
    limit: Limit = 100,
    min_position: MinPosition = None,
    as_of: AsOfParameter = None,
) -> ChainOfTitle:
    access.chain_submission(openinno, actor, submission_id)
    db = reads.at_least(openinno, min_position, LEGAL)
    kind = f"chain:{submission_id}"
    after = decode_key(kind, cursor, (int,))
    moment = legal.parse_as_of(as_of)
    steps = legal.chain_of_title_page(
        db, submission_id, moment, after=None if after is None else after[0], limit=limit + 1
    )
    chunk, next_cursor = keyset_page(kind, steps, lambda s: (int(s["position"]),), limit)
    return ChainOfTitle(
        submission_id,
        legal.ownership_transferred(db, submission_id, moment),
        [_step(s) for s in chunk],
        next_cursor,
        _claim(openinno, db, submission_id, moment),
    )


class HistoryEvent(msgspec.Struct, frozen=True):
    position: int
    version: int
    event_type: str
    actor_id: UUID | None
    at: datetime
    data: dict[str, Any]


class StreamHistory(msgspec.Struct, frozen=True):
    stream_id: UUID
    stream_type: str
    items: list[HistoryEvent]
    next_cursor: str | None


def redacted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: redacted(v) for k, v in value.items() if k not in REDACTED}
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return value


def _event(row: dict[str, Any]) -> HistoryEvent:
    return HistoryEvent(
        position=int(row["position"]),
        version=int(row["version"]),
        event_type=row["event_type"],
        actor_id=UUID(row["actor_id"]) if row["actor_id"] else None,
        at=parse_iso(row["at"]),
        data=redacted(dict(row["data"] or {})),
    )


@get(
    "/streams/{stream_id:uuid}/history",
    tags=["agreements"],
    summary="Who did what to one record, and when",
    description=(
        "For admins; the sponsor organisation's owners and legal members (its own "
        "record, its challenges, their entries, reviews and entry counts, and the "
        "agreements assigning to it); and a solver for their own entries, agreements "
        "and entry counts.  Token and idempotency streams are never shown, and no "
        "password or token hash ever is.  Others, and streams that do not exist: 404."
    ),
    security=SECURITY,
    responses=problem_spec(401, 404, 422, 503),
    sync_to_thread=True,
)
@signed_in
def stream_history(
    stream_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    cursor: Cursor = None,
    limit: Limit = 100,
    min_position: MinPosition = None,
    as_of: AsOfParameter = None,
) -> StreamHistory:
    stream = openinno.require_history_access(actor, stream_id)
    db = reads.at_least(openinno, min_position, LEGAL)
    kind = f"history:{stream_id}"
    after = decode_key(kind, cursor, (int,))
    rows = legal.stream_history_page(
        db,
        stream_id,
        legal.parse_as_of(as_of),
        after=None if after is None else after[0],
        limit=limit + 1,
    )
    chunk, next_cursor = keyset_page(kind, rows, lambda r: (int(r["version"]),), limit)
    return StreamHistory(stream_id, type(stream).__name__, [_event(r) for r in chunk], next_cursor)


HANDLERS = [chain_of_title, stream_history]
