"""Public support: one vote per person per submission."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import delete, put
from litestar.di import NamedDependency
from litestar.params import FromPath

from openinno.application import OpenInno
from web.api.auth import SECURITY, signed_in
from web.api.problems import problem_spec


class VoteRecorded(msgspec.Struct, frozen=True):
    id: UUID
    position: int
    support_count: int


@put(
    "/submissions/{submission_id:uuid}/vote",
    tags=["votes"],
    summary="Support an entry in a public gallery",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409),
    sync_to_thread=True,
)
@signed_in
def support(
    submission_id: FromPath[UUID], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> VoteRecorded:
    recorded = openinno.support(actor, submission_id)
    # The count this vote left (no second read of the tally).
    return VoteRecorded(recorded.id, recorded.position, recorded.support_count)


@delete(
    "/submissions/{submission_id:uuid}/vote",
    tags=["votes"],
    summary="Take your support back",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409),
    sync_to_thread=True,
)
@signed_in
def retract_support(
    submission_id: FromPath[UUID], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> VoteRecorded:
    recorded = openinno.retract_support(actor, submission_id)
    return VoteRecorded(recorded.id, recorded.position, recorded.support_count)


HANDLERS = [support, retract_support]
