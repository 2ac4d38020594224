"""The sponsor's assignment page (issue 20, decision 0023): progress per reviewer,
assign each entry to k reviewers (topping up earlier runs), re-assign when a
reviewer leaves.  Members read it; owners and managers act."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect

from openinno.domain.errors import AccessDenied, DomainError, InvalidInput
from web import assigning
from web.pages.base import Form, Pages, Viewer, require_signed_in, status_for
from web.pages.forms import values
from web.pages.manage import _managed

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
FORMS = ("assign", "release")


def _whole(text: str, field: str, *, blank: bool = False) -> int | None:
    text = text.strip()
    if blank and not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise InvalidInput("Write a whole number.", field=field)
    return int(text)


class AssignmentPages(Controller):
    def _page(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        actor: UUID,
        challenge_id: UUID,
        forms: dict[str, Form] | None = None,
        status: int = 200,
    ) -> Response[str]:
        challenge, organisation = _managed(pages, actor, challenge_id)
        found = assigning.progress(pages.reads.db(), challenge_id)
        names = {}
        for r in found["reviewers"]:  # type: ignore[attr-defined]
            names[r["reviewer_id"]] = pages.openinno.get_account(
                UUID(r["reviewer_id"])
            ).display_name
        all_forms = {name: Form() for name in FORMS}
        all_forms.update(forms or {})
        return pages.render(
            request,
            "assignment.html",
            viewer,
            status_code=status,
            challenge=challenge,
            spec=challenge.spec,
            organisation=organisation,
            acts=organisation.role_of(actor) in ("owner", "manager"),
            progress=found,
            names=names,
            forms=all_forms,
        )

    @get("/challenges/{challenge_id:uuid}/assignment", sync_to_thread=True)
    def page(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        return self._page(request, pages, viewer, actor, challenge_id)

    def _run(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        challenge_id: UUID,
        name: str,
        form: Form,
        command: Any,
    ) -> Any:
        actor = require_signed_in(viewer)
        _challenge, organisation = _managed(pages, actor, challenge_id)
        if organisation.role_of(actor) not in ("owner", "manager"):
            raise AccessDenied("Only the organisation's owners and managers assign reviewers.")
        try:
            recorded = command(actor)
        except DomainError as e:
            form.fail(e)
            if not form.failed:
                form.error = e.text
            return self._page(
                request, pages, viewer, actor, challenge_id, {name: form}, status_for(e)
            )
        pages.reads.wait(recorded.position)
        return Redirect(f"/challenges/{challenge_id}/assignment?done={name}", status_code=303)

    @post("/challenges/{challenge_id:uuid}/assignment", sync_to_thread=True)
    def assign(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        form = Form(values=values(data, "k", "seed"))

        def run(actor: UUID) -> Any:
            k = _whole(form.values["k"], "k")
            seed = _whole(form.values["seed"], "seed", blank=True)
            assert k is not None
            return assigning.assign(pages.openinno, pages.reads.db(), actor, challenge_id, k, seed)

        return self._run(request, pages, viewer, challenge_id, "assign", form, run)

    @post("/challenges/{challenge_id:uuid}/assignment/release", sync_to_thread=True)
    def release(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        form = Form(values=values(data, "reviewer_id", "reason"))

        def run(actor: UUID) -> Any:
            try:
                reviewer = UUID(form.values["reviewer_id"].strip())
            except ValueError:
                raise InvalidInput("Choose a reviewer.", field="reviewer_id") from None
            if not form.values["reason"].strip():
                raise InvalidInput("Say why the reviewer leaves the review.", field="reason")
            return assigning.release(
                pages.openinno,
                pages.reads.db(),
                actor,
                challenge_id,
                reviewer,
                form.values["reason"],
            )

        return self._run(request, pages, viewer, challenge_id, "release", form, run)
