"""Reviews: score an entry, or declare a conflict of interest."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno
from openinno.domain.limits import TEXTS
from projections.reviewers import queries as reviewers
from projections.values import parse_iso
from web.api.auth import SECURITY, signed_in
from web.api.common import Strict, Written, body_example
from web.api.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_key, keyset_page
from web.api.problems import problem_spec
from web.api.reads import REVIEWERS, ApiReads, MinPosition

Score = Annotated[
    int | float | str,
    msgspec.Meta(description='A number, or a decimal string such as "8.5".'),
]


class ReviewBody(Strict):
    scores: Annotated[
        dict[str, Score],
        msgspec.Meta(examples=[{"originality": 9, "feasibility": "8.5", "fun": 7}]),
    ]
    comment: Annotated[str, msgspec.Meta(max_length=TEXTS["comment"].max_length)] = ""
    content_sha256: (
        Annotated[
            str,
            msgspec.Meta(
                pattern=r"^[0-9a-f]{64}$",
                description=(
                    "The content hash of the version you read (the queue item's "
                    "`content_sha256`). Recommended: scores of a version that is no longer "
                    "current are refused (409 invalid_state), so they bind to what you read. "
                    "Without it the scores are of the version current when they are recorded."
                ),
            ),
        ]
        | None
    ) = None


class ConflictBody(Strict):
    reason: Annotated[str, msgspec.Meta(max_length=TEXTS["reason"].max_length)]


@put(
    "/submissions/{submission_id:uuid}/review",
    tags=["reviews"],
    summary="Record or revise your scores of the entry's current version (accepted reviewers, while review runs)",
    description=(
        "The scores record the version scored; a later revision of the entry leaves them "
        "stale (the queue shows `state: re_review`). Review runs from the close of "
        "submissions (or, for a `rolling` challenge, from the opening) until "
        "`review_ends_at` or until the sponsor closes it early."
    ),
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(
        {
            "scores": {"originality": 9, "feasibility": "8.5", "fun": 7},
            "comment": "Clever use of pendulums.",
        }
    ),
)
@signed_in
def record_review(
    submission_id: FromPath[UUID],
    data: JSONBody[ReviewBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    scores: dict[str, Decimal | int | str] = {
        k: str(v) if isinstance(v, float) else v for k, v in data.scores.items()
    }
    recorded = openinno.record_review(
        actor, submission_id, scores, data.comment, content_sha256=data.content_sha256
    )
    return Written(recorded.id, recorded.position)


@post(
    "/submissions/{submission_id:uuid}/conflict",
    tags=["reviews"],
    summary="Declare a conflict of interest with an entry",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example({"reason": "I have worked with this entrant."}),
)
@signed_in
def declare_conflict(
    submission_id: FromPath[UUID],
    data: JSONBody[ConflictBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.declare_conflict(actor, submission_id, data.reason)
    return Written(recorded.id, recorded.position)


class QueueItem(msgspec.Struct, frozen=True):
    """One entry to review.  Blind: a pseudonym, never the solver's id or name."""

    challenge_id: UUID
    challenge_title: str
    review_ends_at: datetime
    submission_id: UUID
    pseudonym: str
    title: str
    summary: str
    version: int
    content_sha256: str
    shortlisted: bool
    state: Annotated[
        str,
        msgspec.Meta(
            description=(
                "to_do, scored (of the current version), re_review (scored an earlier "
                "version: score the current one again) or conflict"
            )
        ),
    ]
    scores: dict[str, float | int | str] | None
    comment: str
    scored_version: Annotated[
        int | None,
        msgspec.Meta(
            description=(
                "The version your scores are of; null when not scored, or for scores "
                "recorded before versions were bound once the entry was revised (unknown)"
            )
        ),
    ]
    current_version: Annotated[int, msgspec.Meta(description="The entry's current version")]


class ReviewQueue(msgspec.Struct, frozen=True):
    items: list[QueueItem]
    next_cursor: str | None


def _queue_item(row: dict[str, Any]) -> QueueItem:
    return QueueItem(
        challenge_id=UUID(row["challenge_id"]),
        challenge_title=row["challenge_title"],
        review_ends_at=parse_iso(row["review_ends_at"]),
        submission_id=UUID(row["submission_id"]),
        pseudonym=row["pseudonym"],
        title=row["title"],
        summary=row["summary"],
        version=int(row["version"]),
        content_sha256=row["content_sha256"],
        shortlisted=bool(row["shortlisted"]),
        state=row["state"],
        scores=row["scores"],
        comment=row["comment"],
        scored_version=row["scored_version"],
        current_version=int(row["current_version"]),
    )


@get(
    "/reviews",
    tags=["reviews"],
    summary="My review queue: live entries of every challenge I accepted to review (blind)",
    security=SECURITY,
    responses=problem_spec(401, 422, 503),
    sync_to_thread=True,
)
@signed_in
def review_queue(
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    min_position: MinPosition = None,
) -> ReviewQueue:
    db = reads.at_least(openinno, min_position, REVIEWERS)
    # Only the caller's own queue: the query is keyed by the authenticated account.
    after = decode_key("reviews", cursor, (str, str, int, str, str))
    rows = reviewers.my_review_queue_page(
        db,
        actor,
        after=None if after is None else (after[0], after[1], after[2], after[3], after[4]),
        limit=limit + 1,
        seen_by=openinno.author_visibility(actor),
    )
    chunk, next_cursor = keyset_page("reviews", rows, reviewers.queue_key, limit)
    return ReviewQueue([_queue_item(r) for r in chunk], next_cursor)


HANDLERS = [record_review, declare_conflict, review_queue]
