"""Comments on challenges and entries (issue 24): read, post (a reply names its
``parent_id``: one level), edit within the window.  Markdown is stored as written and
rendered sanitised by the pages.  On an entry, its authors' comments are shown by
pseudonym to whoever may not know its authors (``web.comment_thread``)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno
from openinno.domain.limits import TEXTS
from projections.moderation import queries as moderation
from web.api.auth import SECURITY, signed_in
from web.api.common import Strict, Written, body_example
from web.api.problems import problem_spec
from web.api.reads import ApiReads, MinPosition
from web.api.submissions import visible_submission
from web.comment_thread import CommentView, comment_views

Text = Annotated[str, msgspec.Meta(max_length=TEXTS["comment"].max_length)]


class NewComment(Strict):
    text: Text
    parent_id: UUID | None = None


class CommentEdit(Strict):
    text: Text


class Comments(msgspec.Struct, frozen=True):
    items: list[CommentView]


_EXAMPLE = {"text": "Could the pendulum be **adjustable**?"}


@get(
    "/challenges/{challenge_id:uuid}/comments",
    tags=["comments"],
    summary="Comments on a challenge, thread by thread, oldest first",
    responses=problem_spec(404, 503),
    sync_to_thread=True,
)
@signed_in
def challenge_comments(
    challenge_id: FromPath[UUID],
    viewer: NamedDependency[UUID | None],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    min_position: MinPosition = None,
) -> Comments:
    openinno.get_challenge(challenge_id, viewer)  # NotFound where it is not seen
    db = reads.at_least(openinno, min_position, ("moderation", "accounts"))
    rows = moderation.comments(db, str(challenge_id), None)
    return Comments(comment_views(openinno, viewer, rows, None))


@post(
    "/challenges/{challenge_id:uuid}/comments",
    tags=["comments"],
    summary="Comment on a published challenge (anyone signed in)",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(_EXAMPLE),
)
@signed_in
def comment_on_challenge(
    challenge_id: FromPath[UUID],
    data: JSONBody[NewComment],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.comment_on_challenge(actor, challenge_id, data.text, data.parent_id)
    return Written(recorded.id, recorded.position)


@get(
    "/submissions/{submission_id:uuid}/comments",
    tags=["comments"],
    summary="Comments on an entry you may see (its authors by pseudonym while review is blind)",
    responses=problem_spec(404, 503),
    sync_to_thread=True,
)
@signed_in
def submission_comments(
    submission_id: FromPath[UUID],
    viewer: NamedDependency[UUID | None],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    min_position: MinPosition = None,
) -> Comments:
    submission = visible_submission(openinno, viewer, submission_id)
    db = reads.at_least(openinno, min_position, ("moderation", "accounts"))
    rows = moderation.comments(db, str(submission.challenge_id), str(submission_id))
    return Comments(comment_views(openinno, viewer, rows, submission))


@post(
    "/submissions/{submission_id:uuid}/comments",
    tags=["comments"],
    summary="Comment on an entry you may see",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(_EXAMPLE),
)
@signed_in
def comment_on_submission(
    submission_id: FromPath[UUID],
    data: JSONBody[NewComment],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.comment_on_submission(actor, submission_id, data.text, data.parent_id)
    return Written(recorded.id, recorded.position)


@patch(
    "/comments/{comment_id:uuid}",
    tags=["comments"],
    summary="Edit your comment within 15 minutes of posting it (every version is kept)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(_EXAMPLE),
)
@signed_in
def edit_comment(
    comment_id: FromPath[UUID],
    data: JSONBody[CommentEdit],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.edit_comment(actor, comment_id, data.text)
    return Written(recorded.id, recorded.position)


HANDLERS = [
    challenge_comments,
    comment_on_challenge,
    submission_comments,
    comment_on_submission,
    edit_comment,
]
