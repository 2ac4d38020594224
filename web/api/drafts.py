"""Entry drafts (issue 21): save an entry before submitting it, read and edit it,
submit it later, or discard it.  A draft is its author's alone (a team's draft: its
members'): to anyone else every route here answers 404, as for a draft that does not
exist.  It counts against nobody's limit and appears in no list but ``GET /drafts``.

Saving and editing take ``application/json`` (text only; an edit keeps the draft's
files) or ``multipart/form-data`` (fields plus ``files`` parts, which replace the
draft's files)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, delete, get, post, put
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.openapi.spec import Example, OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno, Recorded
from openinno.domain import EntryDraft
from openinno.files import Upload
from projections.participants import queries as participants
from projections.values import parse_iso
from web.api.auth import SECURITY, provide_actor, require_token, signed_in
from web.api.common import Strict, Written, body_example
from web.api.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_key, keyset_page
from web.api.problems import problem_spec
from web.api.reads import PARTICIPANTS, ApiReads, MinPosition
from web.api.submissions import (
    FileView,
    SubmissionCreated,
    read_entry,
    receipt_view,
)
from web.uploads import MULTIPART

Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]


class NewDraft(Strict):
    title: str
    summary: str = ""
    team_id: UUID | None = None


class DraftEdit(Strict):
    title: str
    summary: str = ""


class SubmitDraftBody(Strict):
    accepted_terms_sha256: Sha256


class DraftView(msgspec.Struct, frozen=True):
    id: UUID
    challenge_id: UUID
    team_id: UUID | None
    author_id: UUID
    # "draft" (open), "submitted" (then submission_id is the entry) or "discarded".
    status: str
    title: str
    summary: str
    files: list[FileView]
    saved_at: datetime
    submission_id: UUID | None


class DraftItem(msgspec.Struct, frozen=True):
    id: UUID
    challenge_id: UUID
    challenge_title: str | None
    team_id: UUID | None
    team_name: str | None
    title: str
    files: int
    saved_at: datetime


class DraftList(msgspec.Struct, frozen=True):
    items: list[DraftItem]
    next_cursor: str | None


def draft_view(draft: EntryDraft) -> DraftView:
    return DraftView(
        id=draft.id,
        challenge_id=draft.challenge_id,
        team_id=draft.team_id,
        author_id=draft.author_id,
        status=draft.status,
        title=draft.content.title,
        summary=draft.content.summary,
        files=[FileView(f.name, f.size, f.media_type, f.sha256) for f in draft.content.files],
        saved_at=draft.modified_on,
        submission_id=draft.submission_id,
    )


def _body(team: bool, description: str) -> RequestBody:
    properties: dict[str, Any] = {
        "title": Schema(type=OpenAPIType.STRING, min_length=1, max_length=200),
        "summary": Schema(type=OpenAPIType.STRING, description="May be empty in a draft."),
    }
    if team:
        properties["team_id"] = Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.UUID,
            description="A team you are on in this challenge: its members share the draft.",
        )
    files = Schema(
        type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
    )
    example: dict[str, Any] = {"title": "Pendulum park", "summary": ""}
    return RequestBody(
        required=True,
        description=description,
        content={
            "application/json": OpenAPIMediaType(
                schema=Schema(type=OpenAPIType.OBJECT, properties=properties, required=["title"]),
                examples={"json": Example(summary="Text only", value=example)},
            ),
            MULTIPART: OpenAPIMediaType(
                schema=Schema(
                    type=OpenAPIType.OBJECT,
                    properties={**properties, "files": files},
                    required=["title"],
                ),
                examples={
                    "multipart": Example(
                        summary="Fields as parts, plus any number of `files` parts",
                        value={**example, "files": ["park.pdf"]},
                    )
                },
            ),
        },
    )


@dataclass
class _SaveOperation(Operation):
    def __post_init__(self) -> None:
        self.request_body = _body(True, "The draft, as JSON or multipart with files.")


@dataclass
class _EditOperation(Operation):
    def __post_init__(self) -> None:
        self.request_body = _body(
            False, "JSON keeps the draft's files; multipart replaces them with the parts sent."
        )


def _save(
    openinno: OpenInno,
    request: Request[Any, Any, Any],
    challenge_id: UUID,
    title: str,
    summary: str,
    files: list[Upload],
    team_id: UUID | None,
) -> Recorded:
    # The token looked up in the worker thread that runs the command (auth.signed_in).
    actor = provide_actor(request)
    return openinno.save_draft(actor, challenge_id, title, summary, files, team_id)


def _edit(
    openinno: OpenInno,
    request: Request[Any, Any, Any],
    draft_id: UUID,
    title: str,
    summary: str,
    files: list[Upload] | None,
) -> Recorded:
    return openinno.edit_entry_draft(provide_actor(request), draft_id, title, summary, files)


@post(
    "/challenges/{challenge_id:uuid}/drafts",
    tags=["drafts"],
    summary="Save an entry as a draft (private; counted against nobody)",
    description=(
        "For a published challenge still taking entries. The summary may be empty; the "
        "entry's rules apply when the draft is submitted (`POST /drafts/{draft_id}/submit`)."
    ),
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    operation_class=_SaveOperation,
    # Read by read_entry, which enforces the settings' limit itself.
    request_max_body_size=None,
)
async def save_draft(
    challenge_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    openinno: NamedDependency[OpenInno],
) -> Written:
    require_token(request)
    entry = await read_entry(request, openinno, NewDraft)
    try:
        recorded = await sync_to_thread(
            partial(_save, openinno, request, challenge_id, entry.title, entry.summary),
            entry.files,
            entry.team_id,
        )
    finally:
        entry.discard()
    return Written(recorded.id, recorded.position)


@get(
    "/drafts",
    tags=["drafts"],
    summary="Your open drafts (and those of the teams you are on)",
    description="Latest saved first, keyset-paged.",
    security=SECURITY,
    responses=problem_spec(401, 422, 503),
    sync_to_thread=True,
)
@signed_in
def list_drafts(
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    min_position: MinPosition = None,
) -> DraftList:
    kind = "drafts:mine"
    key = decode_key(kind, cursor, (str, str))
    after = None if key is None else (key[0], key[1])
    db = reads.at_least(openinno, min_position, PARTICIPANTS)
    rows = participants.my_drafts(db, actor, after=after, limit=limit + 1)
    rows, next_cursor = keyset_page(kind, rows, lambda r: (r["saved_at"], r["draft_id"]), limit)
    items = [
        DraftItem(
            id=UUID(r["draft_id"]),
            challenge_id=UUID(r["challenge_id"]),
            challenge_title=r["challenge_title"],
            team_id=UUID(r["team_id"]) if r["team_id"] else None,
            team_name=r["team_name"],
            title=r["title"],
            files=int(r["files"]),
            saved_at=parse_iso(r["saved_at"]),
        )
        for r in rows
    ]
    return DraftList(items, next_cursor)


@get(
    "/drafts/{draft_id:uuid}",
    tags=["drafts"],
    summary="One of your drafts",
    security=SECURITY,
    responses=problem_spec(401, 404),
    sync_to_thread=True,
)
@signed_in
def get_draft(
    draft_id: FromPath[UUID], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> DraftView:
    return draft_view(openinno.get_draft(actor, draft_id))


@put(
    "/drafts/{draft_id:uuid}",
    tags=["drafts"],
    summary="Edit your draft (JSON keeps its files; multipart replaces them)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    operation_class=_EditOperation,
    # Read by read_entry, which enforces the settings' limit itself.
    request_max_body_size=None,
)
async def edit_draft(
    draft_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    openinno: NamedDependency[OpenInno],
) -> Written:
    require_token(request)
    entry = await read_entry(request, openinno, DraftEdit)
    try:
        files = entry.files if entry.multipart else None
        recorded = await sync_to_thread(
            partial(_edit, openinno, request, draft_id, entry.title, entry.summary), files
        )
    finally:
        entry.discard()
    return Written(recorded.id, recorded.position)


@post(
    "/drafts/{draft_id:uuid}/submit",
    tags=["drafts"],
    summary="Submit your draft as an entry, accepting the challenge's terms",
    description=(
        "The entry's every rule applies (a summary, the window, your limit, for a team's "
        "draft the team's authors and their limits), as for `POST /challenges/{challenge_id}"
        "/submissions`; the draft is closed in the same transaction. Returns the receipt."
    ),
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(
        {
            "accepted_terms_sha256": "3b5d7f9a1c2e4b6d8f0a2c4e6b8d0f1a3c5e7b9d1f2a4c6e8b0d2f4a6c8e0b1d"
        }
    ),
)
@signed_in
def submit_draft(
    draft_id: FromPath[UUID],
    data: JSONBody[SubmitDraftBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> SubmissionCreated:
    recorded = openinno.submit_draft(actor, draft_id, data.accepted_terms_sha256)
    return SubmissionCreated(recorded.id, recorded.position, receipt_view(recorded.receipt))


@delete(
    "/drafts/{draft_id:uuid}",
    tags=["drafts"],
    summary="Discard your draft",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409),
    sync_to_thread=True,
)
@signed_in
def discard_draft(
    draft_id: FromPath[UUID], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> Written:
    recorded = openinno.discard_draft(actor, draft_id)
    return Written(recorded.id, recorded.position)


HANDLERS = [save_draft, list_drafts, get_draft, edit_draft, submit_draft, discard_draft]
