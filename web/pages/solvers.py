"""Solver pages: accept the terms (shown in full with their SHA-256) and submit
with files, see the receipt, list my submissions with every receipt."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader, UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect

from openinno.application import OpenInno
from openinno.domain.challenge import Challenge
from openinno.domain.errors import DomainError, InvalidState, NotFound
from openinno.files import Upload
from projections.participants import queries as participants
from web.pages.base import N_, Form, Pages, Viewer, require_signed_in, status_for
from web.pages.forms import many, one, values

MULTIPART = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
# Domain field names -> the form's.
SUBMIT_FIELDS = {"accepted_terms_sha256": "accept", "files": "files", "team_ids": "files"}
NO_STORE = CacheControlHeader(no_store=True)
# Upper bound of a submit request (the domain checks each file against
# OPENINNO_MAX_FILE_BYTES and the count against OPENINNO_MAX_FILES).
MAX_SUBMIT_BODY = 300 * 1024 * 1024


def _published(openinno: OpenInno, challenge_id: UUID, viewer: Viewer) -> Challenge:
    challenge = openinno.get_challenge(challenge_id, viewer.account_id)
    if challenge.terms is None:
        raise InvalidState("This challenge is not published yet.")
    return challenge


def _uploads(data: dict[str, Any]) -> list[Upload]:
    uploads = []
    for item in many(data, "files"):
        if not isinstance(item, UploadFile) or not item.filename:
            continue  # an empty file input sends a part with no name
        content = item.file.read()
        uploads.append(Upload(item.filename, content, item.content_type or ""))
    return uploads


class SolverPages(Controller):
    cache_control = NO_STORE

    @get("/challenges/{challenge_id:uuid}/submit", sync_to_thread=True)
    def submit_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: UUID,
    ) -> Response[str]:
        require_signed_in(viewer)
        challenge = _published(pages.openinno, challenge_id, viewer)
        return self._form(request, pages, viewer, challenge, Form(), 200)

    def _form(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        challenge: Challenge,
        form: Form,
        status: int,
    ) -> Response[str]:
        settings = pages.openinno.settings
        return pages.render(
            request,
            "submit.html",
            viewer,
            status_code=status,
            challenge=challenge,
            spec=challenge.spec,
            terms_sha256=challenge.terms_sha256,
            form=form,
            max_file_bytes=settings.max_file_bytes,
            max_files=settings.max_files_per_submission,
        )

    @post(
        "/challenges/{challenge_id:uuid}/submit",
        sync_to_thread=True,
        request_max_body_size=MAX_SUBMIT_BODY,
    )
    def submit(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: UUID,
        data: MULTIPART,
    ) -> Any:
        actor = require_signed_in(viewer)
        challenge = _published(pages.openinno, challenge_id, viewer)
        form = Form(values={**values(data, "title", "summary"), "accept": one(data, "accept")})
        if form.values["accept"] != "yes":
            form.errors["accept"] = pages.gettext(
                viewer, N_("Read the terms and tick the box to accept them.")
            )
            return self._form(request, pages, viewer, challenge, form, 400)
        try:
            recorded = pages.openinno.submit(
                actor,
                challenge_id,
                form.values["title"],
                form.values["summary"],
                one(data, "accepted_terms_sha256"),
                files=_uploads(data),
            )
        except DomainError as e:
            form.fail(e, SUBMIT_FIELDS)
            return self._form(request, pages, viewer, challenge, form, status_for(e))
        pages.reads.wait(recorded.position, ["participants"])
        return Redirect(f"/submissions/{recorded.id}/receipt", status_code=303)

    @get("/submissions/{submission_id:uuid}/receipt", sync_to_thread=True)
    def receipt(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: UUID,
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        submission = pages.openinno.get_submission(actor, submission_id)
        if actor not in submission.author_ids:
            # Receipts are the authors' proof; others see the entry elsewhere.
            raise NotFound(f"No receipt for submission {submission_id}.")
        challenge = pages.openinno.get_challenge(submission.challenge_id, actor)
        return pages.render(
            request,
            "receipt.html",
            viewer,
            submission=submission,
            receipt=submission.receipt,
            content=submission.content,
            challenge=challenge,
        )

    @get("/submissions/mine", sync_to_thread=True)
    def mine(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        rows = participants.my_submissions(pages.reads.db(), actor)
        return pages.render(request, "my_submissions.html", viewer, submissions=rows)
