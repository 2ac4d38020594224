"""Submissions: enter (JSON, or multipart with files), read, revise, withdraw.

Entering and revising take either ``application/json`` or ``multipart/form-data``
(fields ``title``, ``summary``, ``accepted_terms_sha256`` and any number of ``files``
parts).  The receipt's ``content_sha256`` is the SHA-256 of the canonical content,
which names every file's own SHA-256."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Annotated, Any
from uuid import UUID

import msgspec
from eventsourcing.application import AggregateNotFoundError
from litestar import Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.openapi.spec import Example, OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno, neutral_file_name
from openinno.domain.errors import NOT_FOUND
from openinno.domain.submission import Submission
from openinno.domain.values import Receipt
from openinno.files import Upload
from web.api.auth import SECURITY, provide_actor, require_token, signed_in
from web.api.common import Strict, Written, body_example
from web.api.problems import problem_spec
from web.uploads import (
    MULTIPART,
    FormLimits,
    MalformedForm,
    media_type_of,
    read_small_body,
    receive_form,
    refuse_declared_length,
)

# A JSON entry is text only (files come as multipart, up to OPENINNO_MAX_REQUEST_BYTES).
# It is read before the token is looked up, which then shares one query with what the
# command reads (auth.provide_actor's ``also``): small enough to be harmless.
JSON_MAX_BYTES = 1024 * 1024
Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]


class NewSubmission(Strict):
    title: str
    summary: str
    accepted_terms_sha256: Sha256
    team_ids: list[UUID] = []
    team_id: UUID | None = None


class NewRevision(Strict):
    """A JSON revision keeps the current files; send multipart to replace them."""

    title: str
    summary: str


class WithdrawBody(Strict):
    reason: str = ""


class ReceiptView(msgspec.Struct, frozen=True):
    id: UUID
    version: int
    content_sha256: str
    recorded_at: datetime
    # A team entry's authors of this version: who was on the team then (issue 21).
    author_ids: list[UUID] | None = None


class SubmissionCreated(msgspec.Struct, frozen=True):
    id: UUID
    position: int
    receipt: ReceiptView


class FileView(msgspec.Struct, frozen=True):
    name: str
    size: int
    media_type: str
    sha256: str


class SubmissionView(msgspec.Struct, frozen=True):
    id: UUID
    challenge_id: UUID
    status: str
    title: str
    summary: str
    files: list[FileView]
    version: int
    content_sha256: str
    accepted_terms_sha256: str
    support_count: int
    shortlisted: bool
    support_threshold_reached: bool
    award_place: int | None
    author_ids: list[UUID] | None = msgspec.field(
        default=None,
        # Blind review (OpenInno.may_see_authors): the authors, admins, the sponsor's
        # owners and legal members once awarded, everyone once identities are revealed.
    )
    receipts: list[ReceiptView] | None = None
    # Co-authors named but not confirmed (not authors): to the authors and the named.
    named_coauthor_ids: list[UUID] | None = None
    # The team the entry is for (issue 21): to its authors only.
    team_id: UUID | None = None


def receipt_view(receipt: Receipt, author_ids: tuple[UUID, ...] | None = None) -> ReceiptView:
    return ReceiptView(
        receipt.receipt_id,
        receipt.version,
        receipt.content_sha256,
        receipt.recorded_at,
        list(author_ids) if author_ids is not None else None,
    )


# --- reading either body ------------------------------------------------------------------


@dataclass
class Entry:
    title: str
    summary: str
    accepted_terms_sha256: str = ""
    team_ids: list[UUID] = field(default_factory=list)
    team_id: UUID | None = None
    files: list[Upload] = field(default_factory=list)
    multipart: bool = False

    def discard(self) -> None:
        """Delete the staged files the command did not store."""
        for upload in self.files:
            if upload.staged is not None:
                upload.staged.unlink(missing_ok=True)


def _invalid(field_name: str, message: str) -> ValidationException:
    return ValidationException(
        "Validation failed",
        extra=[{"message": message, "key": field_name, "source": "body"}],
    )


async def read_entry(
    request: Request[Any, Any, Any], openinno: OpenInno, body_type: type[Strict]
) -> Entry:
    """The entry in the body.  A JSON body is only text (at most JSON_MAX_BYTES); a
    multipart one may carry files up to the settings' limits and is read only once the
    token is known good (``authenticate``), streamed to disk, never whole in memory."""
    if media_type_of(request) == MULTIPART:
        limits = FormLimits.of(openinno.settings)
        try:
            refuse_declared_length(request, limits.max_request_bytes)
            await authenticate(request)
            form = await receive_form(request, openinno.files, limits)
        except MalformedForm as e:
            raise _invalid("body", str(e)) from None
        for name, _ in form.files:
            if name != "files":
                form.discard()
                raise _invalid(name, "Send files as parts named `files`.")
        values: dict[str, Any] = {}
        for name, value in form.fields:
            if name == "team_ids":
                values.setdefault("team_ids", []).append(value)
            else:
                values[name] = value
        try:
            data = msgspec.convert(values, body_type, strict=False)
        except msgspec.ValidationError as e:
            form.discard()
            raise _invalid("data", str(e)) from None
        uploads = [upload for _, upload in form.files]
        return Entry(**msgspec.structs.asdict(data), files=uploads, multipart=True)
    try:
        body = await read_small_body(request, JSON_MAX_BYTES)
    except MalformedForm as e:
        raise _invalid("body", str(e)) from None
    try:
        data = msgspec.json.decode(body, type=body_type)
    except msgspec.ValidationError as e:
        raise _invalid("data", str(e)) from None
    except msgspec.DecodeError as e:
        raise _invalid("body", f"Malformed JSON: {e}") from None
    return Entry(**msgspec.structs.asdict(data))


async def authenticate(request: Request[Any, Any, Any]) -> None:
    """The token looked up now, before the body is read: a wrong one is 401 at once."""
    await sync_to_thread(provide_actor, request)


def _string(**kw: Any) -> Schema:
    return Schema(type=OpenAPIType.STRING, **kw)


def _body_doc(with_terms: bool, description: str) -> RequestBody:
    properties: dict[str, Any] = {"title": _string(), "summary": _string()}
    required = ["title", "summary"]
    if with_terms:
        properties["accepted_terms_sha256"] = _string(pattern="^[0-9a-f]{64}$")
        properties["team_id"] = _string(
            format="uuid",
            description=(
                "Enter for this team (`POST /challenges/{challenge_id}/teams`): its members "
                "who accepted the terms are the entry's authors, each counted against their "
                "own limit; the receipt lists who was on each version."
            ),
        )
        properties["team_ids"] = Schema(
            type=OpenAPIType.ARRAY,
            items=_string(format="uuid"),
            max_items=20,
            description=(
                "Older clients: co-authors to name (use `team_id` instead). Each is only "
                "named until they confirm "
                "(`POST /submissions/{id}/coauthorship`): until then the entry is yours "
                "alone, counts against no one else's limit and names no one else in an "
                "award's agreement. The ids are recorded as sent, unchecked."
            ),
        )
        required.append("accepted_terms_sha256")
    json_schema = Schema(type=OpenAPIType.OBJECT, properties=properties, required=required)
    multipart_properties = dict(properties)
    multipart_properties["files"] = Schema(
        type=OpenAPIType.ARRAY,
        items=_string(format="binary"),
    )
    multipart_schema = Schema(
        type=OpenAPIType.OBJECT, properties=multipart_properties, required=required
    )
    example: dict[str, Any] = {"title": "Pendulum park", "summary": "Swings and weights."}
    if with_terms:
        example["accepted_terms_sha256"] = (
            "3b5d7f9a1c2e4b6d8f0a2c4e6b8d0f1a3c5e7b9d1f2a4c6e8b0d2f4a6c8e0b1d"
        )
    return RequestBody(
        required=True,
        description=description,
        content={
            "application/json": OpenAPIMediaType(
                schema=json_schema, examples={"json": Example(summary="Text only", value=example)}
            ),
            MULTIPART: OpenAPIMediaType(
                schema=multipart_schema,
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
class _SubmitOperation(Operation):
    def __post_init__(self) -> None:
        self.request_body = _body_doc(True, "The entry, as JSON or multipart with files.")


@dataclass
class _ReviseOperation(Operation):
    def __post_init__(self) -> None:
        self.request_body = _body_doc(
            False, "JSON keeps the current files; multipart replaces them with the parts sent."
        )


# --- handlers -----------------------------------------------------------------------------


@post(
    "/challenges/{challenge_id:uuid}/submissions",
    tags=["submissions"],
    summary="Enter a challenge (JSON, or multipart with files)",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    operation_class=_SubmitOperation,
    # Read by read_entry, which enforces the settings' limit itself.
    request_max_body_size=None,
)
async def submit(
    challenge_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    openinno: NamedDependency[OpenInno],
) -> SubmissionCreated:
    require_token(request)
    entry = await read_entry(request, openinno, NewSubmission)
    try:
        recorded = await sync_to_thread(partial(_submit, openinno, request, challenge_id, entry))
    finally:
        entry.discard()
    return SubmissionCreated(recorded.id, recorded.position, receipt_view(recorded.receipt))


def _submit(
    openinno: OpenInno, request: Request[Any, Any, Any], challenge_id: UUID, entry: Entry
) -> Any:
    # The token looked up in the same worker thread as the command (see auth.signed_in),
    # in the same query as what the command reads.
    with openinno.one_snapshot():
        actor = provide_actor(request, lambda a: openinno.reads_of_submit(a, challenge_id))
        return openinno.submit(
            actor,
            challenge_id,
            entry.title,
            entry.summary,
            entry.accepted_terms_sha256,
            files=entry.files,
            team_ids=entry.team_ids,
            team_id=entry.team_id,
        )


def _revise(
    openinno: OpenInno, request: Request[Any, Any, Any], submission_id: UUID, entry: Entry
) -> Any:
    actor = provide_actor(request)
    files = entry.files
    if not entry.multipart:
        # Keep the current files: re-offer their stored bytes (content-addressed).
        current = openinno.get_submission(actor, submission_id).content.files
        files = [openinno.files.stored(f.name, f.sha256, f.size, f.media_type) for f in current]
    return openinno.revise_submission(actor, submission_id, entry.title, entry.summary, files)


@post(
    "/submissions/{submission_id:uuid}/revisions",
    tags=["submissions"],
    summary="Revise your entry while submissions are open",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    operation_class=_ReviseOperation,
    # Read by read_entry, which enforces the settings' limit itself.
    request_max_body_size=None,
)
async def revise_submission(
    submission_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    openinno: NamedDependency[OpenInno],
) -> SubmissionCreated:
    require_token(request)
    entry = await read_entry(request, openinno, NewRevision)
    try:
        recorded = await sync_to_thread(partial(_revise, openinno, request, submission_id, entry))
    finally:
        entry.discard()
    return SubmissionCreated(recorded.id, recorded.position, receipt_view(recorded.receipt))


@post(
    "/submissions/{submission_id:uuid}/withdraw",
    tags=["submissions"],
    summary="Withdraw your entry",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example({"reason": "Entered by mistake."}),
)
@signed_in
def withdraw_submission(
    submission_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    data: JSONBody[WithdrawBody | None] = None,
) -> Written:
    reason = data.reason if data else ""
    recorded = openinno.withdraw_submission(actor, submission_id, reason)
    return Written(recorded.id, recorded.position)


@post(
    "/submissions/{submission_id:uuid}/coauthorship",
    tags=["submissions"],
    summary="Confirm you co-author an entry that names you (counts as one of your entries)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409),
    sync_to_thread=True,
)
@signed_in
def confirm_coauthorship(
    submission_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.confirm_coauthorship(actor, submission_id)
    return Written(recorded.id, recorded.position)


@post(
    "/submissions/{submission_id:uuid}/coauthorship/decline",
    tags=["submissions"],
    summary="Decline to co-author an entry that names you",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409),
    sync_to_thread=True,
)
@signed_in
def decline_coauthorship(
    submission_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.decline_coauthorship(actor, submission_id)
    return Written(recorded.id, recorded.position)


def visible_submission(openinno: OpenInno, viewer: UUID | None, submission_id: UUID) -> Submission:
    if viewer is not None:
        return openinno.get_submission(viewer, submission_id)
    # Anonymous: the same rule as get_submission, with no account.
    from openinno.domain.errors import NotFound

    submission: object
    try:
        submission = openinno.repository.get(submission_id)
    except AggregateNotFoundError:
        submission = None
    if not isinstance(submission, Submission) or not openinno.may_view_submission(None, submission):
        raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
    return submission


def submission_view(
    openinno: OpenInno, viewer: UUID | None, submission: Submission
) -> SubmissionView:
    is_author = viewer is not None and viewer in submission.author_ids
    content = submission.content
    # Blind review (domain/blind.py): author ids, and file names, which can name people
    # ("ada-logo.jpg"), only to those who may know the authors; neutral names otherwise.
    named = openinno.may_see_authors(viewer, submission)
    return SubmissionView(
        id=submission.id,
        challenge_id=submission.challenge_id,
        status=submission.status,
        title=content.title,
        summary=content.summary,
        files=[
            FileView(
                f.name if named else neutral_file_name(number, f), f.size, f.media_type, f.sha256
            )
            for number, f in enumerate(content.files, start=1)
        ],
        version=len(submission.versions),
        content_sha256=submission.content_sha256,
        accepted_terms_sha256=submission.accepted_terms_sha256,
        support_count=openinno.support_count(submission.id),
        shortlisted=submission.shortlisted,
        support_threshold_reached=submission.support_threshold_reached,
        award_place=submission.award_place,
        author_ids=list(submission.author_ids) if named else None,
        receipts=(
            [
                receipt_view(
                    r,
                    submission.authors_of(r.version) if submission.team_id is not None else None,
                )
                for r in submission.receipts
            ]
            if is_author
            else None
        ),
        named_coauthor_ids=(
            list(submission.named_coauthor_ids)
            if is_author or (viewer is not None and viewer in submission.named_coauthor_ids)
            else None
        ),
        team_id=submission.team_id if is_author else None,
    )


@get(
    "/submissions/{submission_id:uuid}",
    tags=["submissions"],
    summary="A submission you may see (authors, sponsor, reviewers; everyone in a public gallery)",
    responses=problem_spec(401, 404),
    sync_to_thread=True,
)
@signed_in
def get_submission(
    submission_id: FromPath[UUID],
    viewer: NamedDependency[UUID | None],
    openinno: NamedDependency[OpenInno],
) -> SubmissionView:
    submission = visible_submission(openinno, viewer, submission_id)
    return submission_view(openinno, viewer, submission)


HANDLERS = [
    submit,
    revise_submission,
    withdraw_submission,
    confirm_coauthorship,
    decline_coauthorship,
    get_submission,
]
