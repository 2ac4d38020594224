"""Reports and the moderation queue (issue 24): anyone signed in reports an entry,
a question or an announcement (``POST /reports``); admins and each sponsor's owners
and managers read the queue, most reported first (``GET /moderation/queue``), and
hide what should not show, with a reason shown in its place (``POST
/moderation/{target_id}/hide``).  Reporters are never named to moderators."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from openinno.application import OpenInno
from openinno.domain.errors import NOTHING_FOUND, NotFound
from openinno.domain.limits import TEXTS
from projections.db import Row
from projections.moderation import queries as moderation
from web.api.auth import SECURITY, signed_in
from web.api.common import Strict, Written, body_example
from web.api.problems import problem_spec
from web.api.reads import ApiReads, MinPosition

Reason = Annotated[str, msgspec.Meta(max_length=TEXTS["reason"].max_length)]


class NewReport(Strict):
    target_id: UUID
    reason: Reason


class HideBody(Strict):
    reason: Reason


class QueueItem(msgspec.Struct, frozen=True):
    target_id: UUID
    kind: str
    challenge_id: UUID
    challenge_title: str
    excerpt: str
    reports: int
    reasons: list[str]
    hidden_reason: str | None


class Queue(msgspec.Struct, frozen=True):
    items: list[QueueItem]


def _target(openinno: OpenInno, reads: ApiReads, min_position: int | None, target_id: UUID) -> Row:
    db = reads.at_least(openinno, min_position, ("moderation",))
    found = moderation.target(db, str(target_id))
    if found is None:
        raise NotFound(NOTHING_FOUND, id=str(target_id))
    return found


@post(
    "/reports",
    tags=["moderation"],
    summary="Report an entry, a question or an announcement you can see, with a reason (once)",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(
        {"target_id": "5f0c3f0e-7c2a-4f57-9a43-1d8e5b2f4a10", "reason": "An advert."}
    ),
)
@signed_in
def report(
    data: JSONBody[NewReport],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    min_position: MinPosition = None,
) -> Written:
    found = _target(openinno, reads, min_position, data.target_id)
    recorded = openinno.report(
        actor, found["kind"], data.target_id, data.reason, UUID(found["challenge_id"])
    )
    return Written(recorded.id, recorded.position)


Hidden = Annotated[
    bool,
    QueryParameter(name="hidden", description="true: what was hidden already, with its reason."),
]


@get(
    "/moderation/queue",
    tags=["moderation"],
    summary="Reported entries, questions and announcements, most reported first (admins:"
    " every challenge; sponsors' owners and managers: their own)",
    security=SECURITY,
    responses=problem_spec(401, 403, 503),
    sync_to_thread=True,
)
@signed_in
def queue(
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    hidden: Hidden = False,
    min_position: MinPosition = None,
) -> Queue:
    db = reads.at_least(openinno, min_position, ("moderation",))
    scope = openinno.moderation_scope(actor, moderation.moderated_organisations(db, str(actor)))
    rows = moderation.queue(db, organisation_ids=scope, hidden=hidden)
    reasons = moderation.reasons(db, [r["target_id"] for r in rows])
    return Queue(
        [
            QueueItem(
                target_id=UUID(r["target_id"]),
                kind=r["kind"],
                challenge_id=UUID(r["challenge_id"]),
                challenge_title=r["challenge_title"],
                excerpt=r["excerpt"],
                reports=int(r["reports"]),
                reasons=reasons.get(r["target_id"], []),
                hidden_reason=r["hidden_reason"],
            )
            for r in rows
        ]
    )


@post(
    "/moderation/{target_id:uuid}/hide",
    tags=["moderation"],
    summary="Hide an entry, question or announcement with a reason shown in its place"
    " (admins; the sponsor's owners and managers)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example({"reason": "An advert, not a question."}),
)
@signed_in
def hide(
    target_id: FromPath[UUID],
    data: JSONBody[HideBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    min_position: MinPosition = None,
) -> Written:
    found = _target(openinno, reads, min_position, target_id)
    recorded = openinno.hide(
        actor, found["kind"], target_id, UUID(found["challenge_id"]), data.reason
    )
    return Written(recorded.id, recorded.position)


HANDLERS = [report, queue, hide]
