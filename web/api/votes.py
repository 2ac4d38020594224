"""Public support: one vote per person per submission."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, delete, put
from litestar.di import NamedDependency
from litestar.params import FromPath

from openinno.application import OpenInno
from web.api.auth import SECURITY, provide_actor
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
def support(
    submission_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    openinno: NamedDependency[OpenInno],
) -> VoteRecorded:
    # The token and what the vote reads, in one query (OpenInno.account_for_token).
    with openinno.one_snapshot():
        actor = provide_actor(request, lambda a: openinno.reads_of_support(a, submission_id))
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
def retract_support(
    submission_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    openinno: NamedDependency[OpenInno],
) -> VoteRecorded:
    with openinno.one_snapshot():
        actor = provide_actor(request, lambda a: openinno.reads_of_support(a, submission_id))
        recorded = openinno.retract_support(actor, submission_id)
    return VoteRecorded(recorded.id, recorded.position, recorded.support_count)


HANDLERS = [support, retract_support]
