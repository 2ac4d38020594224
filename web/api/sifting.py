"""Tags on entries by hand, one by one or on what a search found (issue 27, decision
0033): the sponsor's members, admins and the challenge's reviewers (live entries)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from openinno.application import OpenInno
from openinno.domain.duplicates import MAX_MERGED
from openinno.domain.entry_tags import MAX_TAG_LENGTH, MAX_TAGGED_AT_ONCE
from openinno.domain.errors import NOT_FOUND, InvalidInput, NotFound
from openinno.domain.limits import TEXTS
from projections.sifting import queries as sifting_queries
from projections.values import parse_iso
from web import exports, sifting
from web.api import access
from web.api.auth import SECURITY, signed_in
from web.api.catalogue import EntryFlag, EntrySort, EntryState
from web.api.common import Strict, Written, body_example
from web.api.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_key, keyset_page
from web.api.problems import problem_spec
from web.api.reads import REVIEWERS, SIFTING, ApiReads, MinPosition

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


# --- near-duplicates ------------------------------------------------------------------


class DuplicateEntry(msgspec.Struct, frozen=True):
    id: UUID
    pseudonym: str | None
    title: str
    status: str
    received_at: datetime
    first: Annotated[
        bool,
        msgspec.Meta(description="The earliest receipt of its cluster: the first to propose"),
    ]
    similarity: Annotated[
        float, msgspec.Meta(description="Estimated Jaccard similarity to the cluster's first")
    ]
    merged: Annotated[bool, msgspec.Meta(description="The sponsor merged it into the cluster")]


class DuplicateCluster(msgspec.Struct, frozen=True):
    first_id: UUID
    entries: list[DuplicateEntry]


class DuplicateList(msgspec.Struct, frozen=True):
    challenge_id: UUID
    items: list[DuplicateCluster]
    next_cursor: str | None


@get(
    "/challenges/{challenge_id:uuid}/duplicates",
    summary="Near-duplicate entries in clusters, the first to propose each idea first",
    description=(
        "Entries whose normalised text (case folded, accents stripped, word trigrams) "
        "is similar by MinHash and locality-sensitive hashing, and those the sponsor "
        "merged; each cluster in order of receipt (`first`: the earliest receipt, which "
        "the log proves).  Clusters by their first's receipt.  Pseudonymous "
        "(the sponsor's members and admins)."
    ),
    security=SECURITY,
    responses=problem_spec(401, 404, 422, 503),
    sync_to_thread=True,
    tags=["submissions"],
)
@signed_in
def list_duplicates(
    challenge_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    min_position: MinPosition = None,
) -> DuplicateList:
    access.sponsor_challenge(openinno, actor, challenge_id)
    db = reads.at_least(openinno, min_position, (*REVIEWERS, *SIFTING))
    kind = f"duplicates:{challenge_id}"
    key = decode_key(kind, cursor, (int,))
    clusters = sifting_queries.duplicate_clusters(db, str(challenge_id))
    if key is not None:
        clusters = [c for c in clusters if c[0]["received_position"] > key[0]]
    chunk, next_cursor = keyset_page(
        kind, clusters[: limit + 1], lambda c: (c[0]["received_position"],), limit
    )
    return DuplicateList(
        challenge_id,
        [
            DuplicateCluster(
                UUID(c[0]["submission_id"]),
                [
                    DuplicateEntry(
                        id=UUID(e["submission_id"]),
                        pseudonym=None if e["number"] is None else f"Entrant {int(e['number'])}",
                        title=e["title"],
                        status=e["status"],
                        received_at=parse_iso(e["received_at"]),
                        first=e["first"],
                        similarity=e["similarity"],
                        merged=e["merged"],
                    )
                    for e in c
                ],
            )
            for c in chunk
        ],
        next_cursor,
    )


class MergeBody(Strict):
    submission_ids: Annotated[list[UUID], msgspec.Meta(min_length=2, max_length=MAX_MERGED)]


@post(
    "/challenges/{challenge_id:uuid}/duplicates/merge",
    summary="Merge near-duplicate entries: the earliest receipt is the first to propose",
    description=(
        "Clusters merged before come along whole. The first is read from the entries' "
        "receipts, never chosen (owners, managers, admins)."
    ),
    status_code=201,
    responses=problem_spec(401, 403, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["submissions"],
    operation_class=body_example(
        {
            "submission_ids": [
                "7f6c2a7e-1111-4c3b-9a55-2b1f0c9d8e7a",
                "7f6c2a7e-2222-4c3b-9a55-2b1f0c9d8e7a",
            ]
        }
    ),
)
@signed_in
def merge_duplicates(
    challenge_id: FromPath[UUID],
    data: JSONBody[MergeBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.merge_duplicates(actor, challenge_id, data.submission_ids)
    return Written(recorded.id, recorded.position)


# --- exports --------------------------------------------------------------------------

ExportKind = Literal["entries", "reviews"]
ExportFormat = Literal["csv", "jsonl"]


@get(
    "/challenges/{challenge_id:uuid}/exports/{kind:str}",
    summary="Export a challenge's entries or reviews, streamed (CSV or JSON Lines)",
    description=(
        "`kind`: entries (status, round, support, score, tags) or reviews (each "
        "criterion's score normalised to 0..1, the weighted total). Streamed a page of "
        "rows at a time in constant memory; CSV cells that would be formulas get a "
        "leading `'`. Pseudonymous where blind review says so (solver names only once "
        "the exporter may know them). The sponsor's members and admins."
    ),
    security=SECURITY,
    responses=problem_spec(401, 404, 422),
    sync_to_thread=True,
    tags=["submissions"],
)
@signed_in
def export(
    challenge_id: FromPath[UUID],
    kind: FromPath[ExportKind],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    format: Annotated[ExportFormat, QueryParameter(name="format")] = "csv",
) -> Stream:
    challenge = access.sponsor_challenge(openinno, actor, challenge_id)
    return Stream(
        exports.chunks(
            reads.store, challenge_id, kind, format, openinno.author_visibility(actor, challenge)
        ),
        media_type=exports.FORMATS[format],
        headers={
            "Content-Disposition": (
                f'attachment; filename="{exports.filename(challenge_id, kind, format)}"'
            ),
            "Cache-Control": "no-store",
        },
    )


HANDLERS = [tag_entries, untag_entries, list_duplicates, merge_duplicates, export]
