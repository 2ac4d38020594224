"""Reviews: score an entry, or declare a conflict of interest."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno
from web.api.auth import SECURITY
from web.api.common import Strict, Written
from web.api.problems import problem_spec

Score = Annotated[
    int | float | str,
    msgspec.Meta(description='A number, or a decimal string such as "8.5".'),
]


class ReviewBody(Strict):
    scores: Annotated[
        dict[str, Score],
        msgspec.Meta(examples=[{"originality": 9, "feasibility": "8.5", "fun": 7}]),
    ]
    comment: Annotated[str, msgspec.Meta(max_length=20_000)] = ""


class ConflictBody(Strict):
    reason: Annotated[str, msgspec.Meta(max_length=20_000)]


@put(
    "/submissions/{submission_id:uuid}/review",
    tags=["reviews"],
    summary="Record or revise your scores (accepted reviewers, until review ends)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
)
def record_review(
    submission_id: FromPath[UUID],
    data: JSONBody[ReviewBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    scores: dict[str, Decimal | int | str] = {
        k: str(v) if isinstance(v, float) else v for k, v in data.scores.items()
    }
    recorded = openinno.record_review(actor, submission_id, scores, data.comment)
    return Written(recorded.id, recorded.position)


@post(
    "/submissions/{submission_id:uuid}/conflict",
    tags=["reviews"],
    summary="Declare a conflict of interest with an entry",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
)
def declare_conflict(
    submission_id: FromPath[UUID],
    data: JSONBody[ConflictBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.declare_conflict(actor, submission_id, data.reason)
    return Written(recorded.id, recorded.position)


HANDLERS = [record_review, declare_conflict]
