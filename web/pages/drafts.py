"""Entry draft pages (issue 21): continue a draft saved from the entry form, save it
again, submit it, or discard it.  A draft's page is its author's (a team's draft:
its members'); to anyone else it is not found."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from openinno.domain import EntryDraft
from openinno.domain.errors import DomainError, InvalidInput
from web.pages.base import Form, Pages, Viewer, require_signed_in, status_for
from web.pages.csrf import EXCLUDED as EXCLUDED_FROM_CSRF
from web.pages.solvers import (
    FORM,
    NO_STORE,
    SUBMIT_FIELDS,
    _accept_error,
    _uploads,
    receive_entry_form,
)
from web.uploads import ReceivedForm


class DraftPages(Controller):
    cache_control = NO_STORE

    def _page(
        self, request: Request[Any, Any, Any], pages: Pages, viewer: Viewer, draft: EntryDraft,
        form: Form, status: int,
    ) -> Response[str]:  # fmt: skip
        actor = require_signed_in(viewer)
        challenge = pages.openinno.get_challenge(draft.challenge_id, actor)
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
            validate_url=f"/challenges/{challenge.id}/submit/validate",
            # A draft's team is fixed when it is saved.
            team=None,
            draft=draft,
            draft_saved=draft.modified_on,
            form_action=f"/drafts/{draft.id}",
        )

    @get("/drafts/{draft_id:uuid}", sync_to_thread=True)
    def draft(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        draft_id: FromPath[UUID],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        draft = pages.openinno.get_draft(actor, draft_id)
        form = Form(values={"title": draft.content.title, "summary": draft.content.summary})
        return self._page(request, pages, viewer, draft, form, 200)

    @post(
        "/drafts/{draft_id:uuid}",
        # Read by receive_entry_form, which enforces the settings' limits and CSRF.
        request_max_body_size=None,
        opt=EXCLUDED_FROM_CSRF,
    )
    async def save_or_submit(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        draft_id: FromPath[UUID],
    ) -> Any:
        require_signed_in(viewer)  # before a byte of the body is read
        form = await receive_entry_form(request, pages)
        try:
            return await sync_to_thread(
                partial(self._save_or_submit, request, pages, viewer, draft_id, form)
            )
        finally:
            form.discard()

    def _save_or_submit(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        draft_id: UUID,
        data: ReceivedForm,
    ) -> Any:
        """ "Save draft" saves the form into the draft; "Submit" saves it (if changed)
        and submits the draft as an entry, with the terms box ticked."""
        actor = require_signed_in(viewer)
        openinno = pages.openinno
        draft = openinno.get_draft(actor, draft_id)
        form = Form(
            values={
                "title": data.one("title"),
                "summary": data.one("summary"),
                "accept": data.one("accept"),
            }
        )
        submitting = data.one("action") != "draft"
        if submitting and (message := _accept_error(pages, viewer, form.values)):
            form.errors["accept"] = message
            return self._page(request, pages, viewer, draft, form, 400)
        uploads = _uploads(data)
        try:
            try:
                openinno.edit_entry_draft(
                    actor,
                    draft_id,
                    form.values["title"],
                    form.values["summary"],
                    files=uploads or None,
                )
            except InvalidInput as e:
                # Submitting what was saved, unchanged, is no error.
                if not (submitting and e.field == "content"):
                    raise
            if not submitting:
                return Redirect("/submissions/mine?drafted=1", status_code=303)
            recorded = openinno.submit_draft(actor, draft_id, data.one("accepted_terms_sha256"))
        except DomainError as e:
            form.fail(e, SUBMIT_FIELDS)
            draft = openinno.get_draft(actor, draft_id)
            return self._page(request, pages, viewer, draft, form, status_for(e))
        pages.reads.wait(recorded.position, ["participants"])
        return Redirect(f"/submissions/{recorded.id}/receipt", status_code=303)

    @post("/drafts/{draft_id:uuid}/discard", sync_to_thread=True)
    def discard(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        draft_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        actor = require_signed_in(viewer)
        recorded = pages.openinno.discard_draft(actor, draft_id)
        pages.reads.wait(recorded.position, ["participants"])
        return Redirect("/submissions/mine?discarded=1", status_code=303)
