"""Tags on entries by hand, one by one or on what a search found (issue 27, decision
0033): the sponsor's members, admins and the challenge's reviewers (live entries)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno
from openinno.domain.entry_tags import MAX_TAG_LENGTH, MAX_TAGGED_AT_ONCE
from openinno.domain.errors import NOT_FOUND, InvalidInput, NotFound
from openinno.domain.limits import TEXTS
from web import sifting
from web.api import access
from web.api.auth import SECURITY, signed_in
from web.api.catalogue import EntryFlag, EntrySort, EntryState
from web.api.common import Strict, Written, body_example
from web.api.problems import problem_spec
from web.api.reads import ApiReads

Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TAG_LENGTH)]


class SearchBody(Strict):
    """The entries list's search parameters, as a body."""

    q: Annotated[str, msgspec.Meta(max_length=TEXTS["search"].max_length)] = ""
    state: list[EntryState] = msgspec.field(default_factory=list)
    round: Annotated[int, msgspec.Meta(ge=1, le=100)] | None = None
    min_score: Annotated[float, msgspec.Meta(ge=0, le=100)] | None = None
    max_score: Annotated[float, msgspec.Meta(ge=0, le=100)] | None = None
    tag: Annotated[list[Tag], msgspec.Meta(max_length=10)] = msgspec.field(default_factory=list)
    flag: list[EntryFlag] = msgspec.field(default_factory=list)
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None
    sort: EntrySort = "recent"


class TagBody(Strict):
    tag: Tag
    submission_ids: (
        Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=MAX_TAGGED_AT_ONCE)] | None
    ) = None
    search: SearchBody | None = None


def _run(
    openinno: OpenInno,
    reads: ApiReads,
    actor: UUID,
    challenge_id: UUID,
    data: TagBody,
    *,
    remove: bool,
) -> Written:
    if (data.submission_ids is None) == (data.search is None):
        raise InvalidInput("Name the entries, or a search, not both.", field="submission_ids")
    if data.submission_ids is not None:
        command = openinno.untag_entries if remove else openinno.tag_entries
        recorded = command(actor, challenge_id, data.tag, data.submission_ids)
        return Written(recorded.id, recorded.position)
    assert data.search is not None
    audience = access.entries_audience(openinno, actor, challenge_id)
    if audience.kind == "public":  # only the sponsor and reviewers tag
        raise NotFound(NOT_FOUND["challenge"], id=str(challenge_id))
    s = data.search
    search = sifting.build_search(
        audience=audience.kind,
        q=s.q,
        states=list(s.state),
        round=s.round,
        min_score=s.min_score,
        max_score=s.max_score,
        tags=s.tag,
        flags=list(s.flag),
        submitted_from=s.submitted_from,
        submitted_to=s.submitted_to,
        sort=s.sort,
    )
    recorded = sifting.tag_from_search(
        openinno, reads.db(), actor, challenge_id, data.tag, search, remove=remove
    )
    return Written(recorded.id, recorded.position)


@post(
    "/challenges/{challenge_id:uuid}/tags",
    summary="Tag entries by hand, by id or all a search finds (sponsor's members, reviewers)",
    description=(
        "`submission_ids`, or `search` (the entries list's search parameters), not both: "
        f"at most {MAX_TAGGED_AT_ONCE} entries at once.  Tags are case-folded; entries "
        "carrying the tag already are left out (409 when that is all of them)."
    ),
    status_code=201,
    responses=problem_spec(401, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["submissions"],
    operation_class=body_example({"tag": "robotics", "search": {"q": "robot arm"}}),
)
@signed_in
def tag_entries(
    challenge_id: FromPath[UUID],
    data: JSONBody[TagBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
) -> Written:
    return _run(openinno, reads, actor, challenge_id, data, remove=False)


@post(
    "/challenges/{challenge_id:uuid}/tags/remove",
    summary="Take a tag off entries, by id or all a search finds",
    status_code=200,
    responses=problem_spec(401, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["submissions"],
    operation_class=body_example(
        {"tag": "robotics", "submission_ids": ["7f6c2a7e-1111-4c3b-9a55-2b1f0c9d8e7a"]}
    ),
)
@signed_in
def untag_entries(
    challenge_id: FromPath[UUID],
    data: JSONBody[TagBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
) -> Written:
    return _run(openinno, reads, actor, challenge_id, data, remove=True)


HANDLERS = [tag_entries, untag_entries]
