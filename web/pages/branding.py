"""An organisation's logo (issue 25): its owners and managers upload or remove it on
the organisation's page; it is shown on the organisation's challenges and served to
anyone, streamed like an entry's files (web/files_http.py)."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, post, route
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from openinno.domain.errors import DomainError, InvalidInput
from web.files_http import FILE_METHODS, file_response
from web.pages.base import Form, Pages, Viewer, require_signed_in, status_for
from web.pages.csrf import EXCLUDED as EXCLUDED_FROM_CSRF
from web.pages.solvers import receive_entry_form
from web.pages.sponsors import _member_organisation, render_organisation
from web.uploads import ReceivedForm


class BrandingPages(Controller):
    @route(
        "/organisations/{organisation_id:uuid}/logo",
        http_method=FILE_METHODS,
        sync_to_thread=True,
    )
    def logo(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        organisation_id: FromPath[UUID],
    ) -> Response[Any]:
        return file_response(request, pages.openinno.logo_for(organisation_id))

    @post(
        "/organisations/{organisation_id:uuid}/logo",
        # Read by receive_entry_form: the settings' limits and CSRF before any file byte.
        request_max_body_size=None,
        opt=EXCLUDED_FROM_CSRF,
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        organisation_id: FromPath[UUID],
    ) -> Any:
        require_signed_in(viewer)
        form = await receive_entry_form(request, pages)
        try:
            return await sync_to_thread(
                partial(self._change, request, pages, viewer, organisation_id, form)
            )
        finally:
            form.discard()

    def _change(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        organisation_id: UUID,
        data: ReceivedForm,
    ) -> Any:
        actor = require_signed_in(viewer)
        remove = data.one("action") == "remove"
        uploads = [u for name, u in data.files if name == "logo" and u.name]
        logo_form = Form()
        # Who may, before what they sent: strangers 404, members without the role 403.
        organisation = _member_organisation(pages, actor, organisation_id)
        organisation.require_role(actor, "owner", "manager")
        try:
            if not remove and not uploads:
                raise InvalidInput("Choose an image file for the logo.", field="logo")
            recorded = pages.openinno.change_organisation_logo(
                actor, organisation_id, None if remove else uploads[0]
            )
        except DomainError as e:
            logo_form.fail(e, {"files": "logo"})
            return render_organisation(
                request,
                pages,
                viewer,
                actor,
                organisation_id,
                Form(values={"role": "manager"}),
                status_for(e),
                logo_form=logo_form,
            )
        pages.reads.wait(recorded.position, ["participants"])
        return Redirect(f"/organisations/{organisation_id}?logo=1", status_code=303)
