"""Appeals (issue 24, decision 0028): file one against an entry's disqualification or
scores (``POST /submissions/{id}/appeals``) or any decision (``POST /appeals``), read
the thread, answer, decide.  Filing and answering take JSON, or multipart with
evidence as ``files`` parts (stored like an entry's files).  Who may do what is the
application's rule (``openinno.commands.appeals``); these routes only carry it.

Blind review: the appellant of an entry's appeal is named (``appellant_id``, the
``actor_id`` of their messages, their files' names) only to those who may know the
entry's authors; everyone else reads ``by: "appellant"`` and neutral file names."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno
from openinno.domain.limits import TEXTS
from openinno.files import Upload
from web.api.auth import SECURITY, provide_actor, require_token, signed_in
from web.api.common import Strict, Written, body_example
from web.api.problems import problem_spec
from web.appeal_thread import AppealView, appeal_view
from web.uploads import (
    MULTIPART,
    FormLimits,
    MalformedForm,
    media_type_of,
    read_small_body,
    receive_form,
    refuse_declared_length,
)

JSON_MAX_BYTES = 1024 * 1024
Text = Annotated[str, msgspec.Meta(max_length=TEXTS["message"].max_length)]
Reason = Annotated[
    str,
    msgspec.Meta(max_length=TEXTS["reason"].max_length, description="Why: shown to the appellant."),
]


class EntryAppeal(Strict):
    ground: Literal["disqualification", "scores", "moderation"]
    text: Text


class AnyAppeal(Strict):
    """``subject_id``: the entry (grounds ``disqualification``, ``scores``, and
    ``moderation`` of a hidden entry) or the hidden question (``moderation``, with its
    ``challenge_id``)."""

    ground: Literal["disqualification", "scores", "moderation"]
    subject_id: UUID
    text: Text
    challenge_id: UUID | None = None


class AnswerBody(Strict):
    text: Text


class DecisionBody(Strict):
    outcome: Literal["upheld", "rejected"]
    reason: Reason


S = TypeVar("S", bound=Strict)


def _invalid(field_name: str, message: str) -> ValidationException:
    return ValidationException(
        "Validation failed", extra=[{"message": message, "key": field_name, "source": "body"}]
    )


async def read_body(
    request: Request[Any, Any, Any], openinno: OpenInno, body_type: type[S]
) -> tuple[S, list[Upload]]:
    """The body as JSON (text only) or multipart (fields, plus evidence as ``files``
    parts, streamed to disk once the token is known good)."""
    if media_type_of(request) == MULTIPART:
        limits = FormLimits.of(openinno.settings)
        try:
            refuse_declared_length(request, limits.max_request_bytes)
            await sync_to_thread(provide_actor, request)
            form = await receive_form(request, openinno.files, limits)
        except MalformedForm as e:
            raise _invalid("body", str(e)) from None
        for name, _ in form.files:
            if name != "files":
                form.discard()
                raise _invalid(name, "Send files as parts named `files`.")
        try:
            data = msgspec.convert(dict(form.fields), body_type, strict=False)
        except msgspec.ValidationError as e:
            form.discard()
            raise _invalid("data", str(e)) from None
        return data, [upload for _, upload in form.files]
    try:
        body = await read_small_body(request, JSON_MAX_BYTES)
        return msgspec.json.decode(body, type=body_type), []
    except MalformedForm as e:
        raise _invalid("body", str(e)) from None
    except msgspec.ValidationError as e:
        raise _invalid("data", str(e)) from None
    except msgspec.DecodeError as e:
        raise _invalid("body", f"Malformed JSON: {e}") from None


def _discard(files: list[Upload]) -> None:
    for upload in files:
        if upload.staged is not None:
            upload.staged.unlink(missing_ok=True)


def _file(
    openinno: OpenInno,
    request: Request[Any, Any, Any],
    ground: str,
    subject_id: UUID,
    challenge_id: UUID | None,
    text: str,
    files: list[Upload],
) -> Any:
    actor = provide_actor(request)
    if ground == "moderation" and challenge_id is not None:
        return openinno.appeal_moderation(actor, challenge_id, subject_id, text, files)
    return openinno.appeal_submission(actor, subject_id, ground, text, files)


_FILE_EXAMPLE = {"ground": "disqualification", "text": "The sketches are mine: dated originals."}


@post(
    "/submissions/{submission_id:uuid}/appeals",
    tags=["appeals"],
    summary="Appeal your entry's disqualification or (where the terms allow) its scores",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    operation_class=body_example(_FILE_EXAMPLE),
    request_max_body_size=None,
)
async def appeal_entry(
    submission_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    openinno: NamedDependency[OpenInno],
) -> Written:
    require_token(request)
    data, files = await read_body(request, openinno, EntryAppeal)
    try:
        recorded = await sync_to_thread(
            partial(_file, openinno, request, data.ground, submission_id, None, data.text, files)
        )
    finally:
        _discard(files)
    return Written(recorded.id, recorded.position)


@post(
    "/appeals",
    tags=["appeals"],
    summary="Appeal a decision: an entry's disqualification or scores, or a question hidden",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    operation_class=body_example(
        {
            "ground": "moderation",
            "subject_id": "5f0c3f0e-7c2a-4f57-9a43-1d8e5b2f4a10",
            "challenge_id": "0b72249b-78b5-4620-95af-b6e947cfcf9e",
            "text": "My question was about the brief, not an advert.",
        }
    ),
    request_max_body_size=None,
)
async def appeal_any(
    request: Request[Any, Any, Any],
    openinno: NamedDependency[OpenInno],
) -> Written:
    require_token(request)
    data, files = await read_body(request, openinno, AnyAppeal)
    try:
        recorded = await sync_to_thread(
            partial(
                _file,
                openinno,
                request,
                data.ground,
                data.subject_id,
                data.challenge_id,
                data.text,
                files,
            )
        )
    finally:
        _discard(files)
    return Written(recorded.id, recorded.position)


@get(
    "/appeals/{appeal_id:uuid}",
    tags=["appeals"],
    summary="An appeal's thread and decision (the appellant, the sponsor, admins; reviewers"
    " for score appeals)",
    security=SECURITY,
    responses=problem_spec(401, 404),
    sync_to_thread=True,
)
@signed_in
def get_appeal(
    appeal_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> AppealView:
    return appeal_view(openinno, actor, openinno.get_appeal(actor, appeal_id))


def _answer(
    openinno: OpenInno,
    request: Request[Any, Any, Any],
    appeal_id: UUID,
    text: str,
    files: list[Upload],
) -> Any:
    return openinno.answer_appeal(provide_actor(request), appeal_id, text, files)


@post(
    "/appeals/{appeal_id:uuid}/answers",
    tags=["appeals"],
    summary="Answer an appeal (the sponsor's owners and managers, admins; reviewers for"
    " scores), or reply to one as its appellant",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    operation_class=body_example({"text": "Please send the dated originals."}),
    request_max_body_size=None,
)
async def answer_appeal(
    appeal_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    openinno: NamedDependency[OpenInno],
) -> Written:
    require_token(request)
    data, files = await read_body(request, openinno, AnswerBody)
    try:
        recorded = await sync_to_thread(
            partial(_answer, openinno, request, appeal_id, data.text, files)
        )
    finally:
        _discard(files)
    return Written(recorded.id, recorded.position)


@post(
    "/appeals/{appeal_id:uuid}/decision",
    tags=["appeals"],
    summary="Decide an appeal, upheld or rejected, with a reason (the sponsor's owners and"
    " managers, admins)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(
        {"outcome": "upheld", "reason": "The sketches predate the catalogue."}
    ),
)
@signed_in
def decide_appeal(
    appeal_id: FromPath[UUID],
    data: JSONBody[DecisionBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.decide_appeal(actor, appeal_id, data.outcome, data.reason)
    return Written(recorded.id, recorded.position)


HANDLERS = [appeal_entry, appeal_any, get_appeal, answer_appeal, decide_appeal]
