"""An organisation's webhooks page (owners and managers): register an endpoint (its
secret shown once, on the answer to the registration), see each endpoint's latest
deliveries with their attempts, remove an endpoint, send a delivery again."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect

from openinno.domain.errors import DomainError
from openinno.domain.webhooks import TYPES
from web.pages.base import Form, Pages, Viewer, require_signed_in, status_for
from web.pages.forms import many, one
from web.webhooks import outbox, signing
from web.webhooks.sender import MAX_ATTEMPTS_AGAIN
from web.webhooks.ssrf import check_endpoint

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
RECENT = 10
NO_STORE = CacheControlHeader(no_store=True)


def _render(
    request: Request[Any, Any, Any],
    pages: Pages,
    viewer: Viewer,
    actor: UUID,
    organisation_id: UUID,
    form: Form,
    status: int,
    secret: str = "",
) -> Response[str]:
    hooks = pages.openinno.webhooks(actor, organisation_id)  # owners and managers
    organisation = pages.openinno.get_organisation(organisation_id)
    db = pages.reads.db()
    for hook in hooks:
        rows = outbox.deliveries(db, str(hook["id"]), before=None, limit=RECENT)
        attempts = outbox.attempts_of(db, str(hook["id"]), [int(r["position"]) for r in rows])
        hook["deliveries"] = [
            {
                **dict(r),
                "msg_id": signing.message_id(str(r["webhook_id"]), int(r["position"])),
                "log": attempts.get(int(r["position"]), []),
            }
            for r in rows
        ]
    return pages.render(
        request,
        "webhooks.html",
        viewer,
        status_code=status,
        organisation=organisation,
        hooks=hooks,
        types=TYPES,
        form=form,
        secret=secret,
    )


class WebhookPages(Controller):
    cache_control = NO_STORE

    @get("/organisations/{organisation_id:uuid}/webhooks", sync_to_thread=True)
    def page(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        organisation_id: FromPath[UUID],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        return _render(request, pages, viewer, actor, organisation_id, Form(), 200)

    @post("/organisations/{organisation_id:uuid}/webhooks", sync_to_thread=True)
    def register(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        organisation_id: FromPath[UUID],
        data: FORM,
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        pages.openinno.webhooks(actor, organisation_id)  # who may, before the lookup
        types = [str(t) for t in many(data, "types")]
        form = Form(values={"url": one(data, "url"), "types": types})
        try:
            check_endpoint(
                form.values["url"].strip(), pages.openinno.settings.webhooks_allow_private
            )
            recorded = pages.openinno.register_webhook(
                actor, organisation_id, form.values["url"], types
            )
        except DomainError as e:
            form.fail(e)
            return _render(request, pages, viewer, actor, organisation_id, form, status_for(e))
        pages.reads.wait(recorded.position, ["webhooks"])
        secret = signing.endpoint_secret(
            pages.config.resolve_secret(pages.openinno.settings), recorded.id
        )
        # The secret is on this answer only: no redirect to a page that would show it.
        return _render(request, pages, viewer, actor, organisation_id, Form(), 201, secret=secret)

    @post(
        "/organisations/{organisation_id:uuid}/webhooks/{webhook_id:uuid}/remove",
        sync_to_thread=True,
    )
    def remove(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        organisation_id: FromPath[UUID],
        webhook_id: FromPath[UUID],
    ) -> Redirect:
        actor = require_signed_in(viewer)
        recorded = pages.openinno.remove_webhook(actor, organisation_id, webhook_id)
        pages.reads.wait(recorded.position, ["webhooks"])
        return Redirect(f"/organisations/{organisation_id}/webhooks?removed=1", status_code=303)

    @post(
        "/organisations/{organisation_id:uuid}/webhooks/{webhook_id:uuid}"
        "/deliveries/{position:int}/redeliver",
        sync_to_thread=True,
    )
    def redeliver(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        organisation_id: FromPath[UUID],
        webhook_id: FromPath[UUID],
        position: FromPath[int],
    ) -> Redirect:
        actor = require_signed_in(viewer)
        pages.openinno.webhook(actor, organisation_id, webhook_id)
        if 0 < position < 2**62:
            outbox.redeliver(
                pages.reads.db(),
                str(webhook_id),
                position,
                pages.openinno.clock.now(),
                MAX_ATTEMPTS_AGAIN,
            )
        return Redirect(f"/organisations/{organisation_id}/webhooks?queued=1", status_code=303)
