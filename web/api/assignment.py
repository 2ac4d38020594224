"""Assignment at volume (issue 20, decision 0023): a sponsor's owners and managers
assign entries to reviewers (k each, balanced), re-assign when a reviewer leaves,
and read progress per reviewer (members of the organisation and admins)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno
from openinno.domain.assignment import MAX_K
from openinno.domain.limits import TEXTS
from projections.sponsors import queries as sponsors
from web import assigning
from web.api.auth import SECURITY, signed_in
from web.api.common import Strict, Written, body_example
from web.api.problems import problem_spec
from web.api.reads import ApiReads, MinPosition


class AssignBody(Strict):
    k: Annotated[int, msgspec.Meta(ge=1, le=MAX_K, description="Reviewers per entry.")]
    seed: (
        Annotated[
            int, msgspec.Meta(ge=0, le=2**62, description="Seed of the run (random when left out).")
        ]
        | None
    ) = None


class ReleaseBody(Strict):
    reviewer_id: UUID
    reason: Annotated[str, msgspec.Meta(max_length=TEXTS["reason"].max_length)]


class RoundShortlist(Strict):
    submission_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=100_000)]


class AssignmentRun(msgspec.Struct, frozen=True):
    challenge_id: UUID
    position: int
    seed: int
    pairs_added: int
    short: int


class ReviewerProgress(msgspec.Struct, frozen=True):
    reviewer_id: UUID
    assigned: int
    done: int
    stale: int
    conflicts: int
    released: bool


class AssignmentProgress(msgspec.Struct, frozen=True):
    challenge_id: UUID
    k: int | None
    entries: int
    assigned: int
    done: int
    stale: int
    short: int | None
    reviewers: list[ReviewerProgress]


def _run(recorded: assigning.AssignmentRecorded) -> AssignmentRun:
    return AssignmentRun(
        recorded.id, recorded.position, recorded.seed, recorded.pairs_added, recorded.short
    )


@post(
    "/challenges/{challenge_id:uuid}/assignment",
    summary="Assign each live entry to k reviewers, topping up earlier runs (owners, managers)",
    status_code=200,
    responses=problem_spec(401, 403, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["reviews"],
    operation_class=body_example({"k": 3}),
)
@signed_in
def assign(
    challenge_id: FromPath[UUID],
    data: JSONBody[AssignBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
) -> AssignmentRun:
    return _run(assigning.assign(openinno, reads.db(), actor, challenge_id, data.k, data.seed))


@post(
    "/challenges/{challenge_id:uuid}/assignment/release",
    summary="A reviewer leaves: their unscored entries go to others (owners, managers)",
    status_code=200,
    responses=problem_spec(401, 403, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["reviews"],
    operation_class=body_example(
        {"reviewer_id": "7f6c2a7e-1111-4c3b-9a55-2b1f0c9d8e7a", "reason": "Fell ill."}
    ),
)
@signed_in
def release(
    challenge_id: FromPath[UUID],
    data: JSONBody[ReleaseBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
) -> AssignmentRun:
    return _run(
        assigning.release(openinno, reads.db(), actor, challenge_id, data.reviewer_id, data.reason)
    )


@get(
    "/challenges/{challenge_id:uuid}/assignment",
    summary="Review progress per reviewer: assigned, done (current version), stale, conflicts",
    security=SECURITY,
    responses=problem_spec(401, 404, 422, 503),
    sync_to_thread=True,
    tags=["reviews"],
)
@signed_in
def progress(
    challenge_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    min_position: MinPosition = None,
) -> AssignmentProgress:
    challenge = openinno.get_challenge(challenge_id, actor)
    openinno.require_sponsor_view(actor, challenge.organisation_id)
    db = reads.at_least(openinno, min_position, ("reviewers",))
    found = assigning.progress(db, challenge_id)
    return AssignmentProgress(
        challenge_id=challenge_id,
        k=found["k"],  # type: ignore[arg-type]
        entries=found["entries"],  # type: ignore[arg-type]
        assigned=found["assigned"],  # type: ignore[arg-type]
        done=found["done"],  # type: ignore[arg-type]
        stale=found["stale"],  # type: ignore[arg-type]
        short=found["short"],  # type: ignore[arg-type]
        reviewers=[
            ReviewerProgress(
                UUID(r["reviewer_id"]),
                r["assigned"],
                r["done"],
                r["stale"],
                r["conflicts"],
                r["released"],
            )
            for r in found["reviewers"]  # type: ignore[attr-defined]
        ],
    )


@post(
    "/challenges/{challenge_id:uuid}/rounds/advance",
    summary="End the review round under way: its shortlist is the next round's entries"
    " (owners, managers)",
    status_code=200,
    responses=problem_spec(401, 403, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["reviews"],
    operation_class=body_example({"submission_ids": ["5d9e0c1a-2b3c-4d5e-8f90-1a2b3c4d5e6f"]}),
)
@signed_in
def advance_round(
    challenge_id: FromPath[UUID],
    data: JSONBody[RoundShortlist],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.advance_round(actor, challenge_id, data.submission_ids)
    return Written(recorded.id, recorded.position)


class DecisionRow(msgspec.Struct, frozen=True):
    rank: int
    submission_id: UUID
    pseudonym: str
    title: str
    jury_reviews: int
    jury_mean_total: float | None
    support_count: int
    score: float


class Decision(msgspec.Struct, frozen=True):
    challenge_id: UUID
    award_rule: str
    public_weight: int
    shortlist: list[DecisionRow]


@get(
    "/challenges/{challenge_id:uuid}/decision",
    summary="The shortlist: the jury's scores beside the public's support, in the order"
    " the terms' award rule gives (members of the organisation, admins)",
    security=SECURITY,
    responses=problem_spec(401, 404, 422, 503),
    sync_to_thread=True,
    tags=["reviews"],
)
@signed_in
def decision(
    challenge_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    min_position: MinPosition = None,
) -> Decision:
    challenge = openinno.get_challenge(challenge_id, actor)
    openinno.require_sponsor_view(actor, challenge.organisation_id)
    db = reads.at_least(openinno, min_position, ("reviewers", "participants"))
    spec = challenge.spec
    rows = sponsors.shortlist_decision(db, challenge_id, spec.decided_by, spec.public_weight or 0)
    return Decision(
        challenge_id,
        spec.decided_by,
        spec.public_weight or 0,
        [
            DecisionRow(
                r["rank"],
                UUID(r["submission_id"]),
                r["pseudonym"],
                r["title"],
                r["jury_reviews"],
                r["jury_mean_total"],
                r["support_count"],
                r["score"],
            )
            for r in rows
        ],
    )


class ConflictsBody(Strict):
    submission_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=1_000)]
    reason: Annotated[str, msgspec.Meta(max_length=TEXTS["reason"].max_length)]


@post(
    "/challenges/{challenge_id:uuid}/conflicts",
    summary="Declare a conflict of interest for several entries at once (the challenge's"
    " reviewers, from acceptance on)",
    status_code=200,
    responses=problem_spec(401, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["reviews"],
    operation_class=body_example(
        {"submission_ids": ["5d9e0c1a-2b3c-4d5e-8f90-1a2b3c4d5e6f"], "reason": "My agency."}
    ),
)
@signed_in
def declare_conflicts(
    challenge_id: FromPath[UUID],
    data: JSONBody[ConflictsBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.declare_conflicts(actor, challenge_id, data.submission_ids, data.reason)
    return Written(recorded.id, recorded.position)


HANDLERS = [assign, release, progress, advance_round, decision, declare_conflicts]
