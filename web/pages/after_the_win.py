"""After the win (issue 29): the sponsor's forms on an agreement's page to report
sales, issue a royalty statement, record a payout and track its commitment to
produce.  Each re-renders the agreement page with the error beside its field, or
redirects back to it with a notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect

from openinno.commands.results import Recorded
from openinno.domain.errors import DomainError, InvalidInput
from web.pages.agreements import agreement_page
from web.pages.base import Form, Pages, Viewer, require_signed_in, status_for
from web.pages.forms import values

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


class AfterTheWinPages(Controller):
    cache_control = CacheControlHeader(no_store=True)

    def _act(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        agreement_id: UUID,
        data: dict[str, Any],
        kind: str,
        names: tuple[str, ...],
        command: Callable[[UUID, dict[str, str]], Recorded],
        notice: str,
    ) -> Any:
        actor = require_signed_in(viewer)
        agreement = pages.openinno.get_agreement(actor, agreement_id)
        form = Form(values={**values(data, *names), "after": kind})
        try:
            recorded = command(actor, form.values)
        except DomainError as e:
            form.fail(e, {"target_on": "on", "started_on": "on", "statement_id": "amount"})
            if kind == "pay":
                # A payout's form is one of several (one per statement line): its error
                # goes above them all, with nothing marked that it could be confused with.
                form.error = form.error or next(iter(form.errors.values()), "")
                form.errors.clear()
            status = status_for(e)
            return agreement_page(request, pages, viewer, actor, agreement, form, status)
        pages.reads.wait(recorded.position)
        return Redirect(f"/agreements/{agreement_id}?{notice}=1#after-the-win", status_code=303)

    @post("/agreements/{agreement_id:uuid}/sales", sync_to_thread=True)
    def sales(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        agreement_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        def command(actor: UUID, v: dict[str, str]) -> Recorded:
            return pages.openinno.report_sales(
                actor,
                agreement_id,
                v["period"],
                v["units"],
                v["net_sales"].strip(),
                v["currency"].strip().upper(),
                v["note"],
            )

        names = ("period", "units", "net_sales", "currency", "note")
        return self._act(
            request, pages, viewer, agreement_id, data, "report", names, command, "reported"
        )

    @post("/agreements/{agreement_id:uuid}/statements", sync_to_thread=True)
    def statements(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        agreement_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        def command(actor: UUID, v: dict[str, str]) -> Recorded:
            return pages.openinno.state_royalty(actor, agreement_id, v["period"])

        return self._act(
            request, pages, viewer, agreement_id, data, "state", ("period",), command, "stated"
        )

    @post("/agreements/{agreement_id:uuid}/payouts", sync_to_thread=True)
    def payouts(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        agreement_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        def command(actor: UUID, v: dict[str, str]) -> Recorded:
            # One form per statement line: statement and currency are hidden fields.
            return pages.openinno.pay_royalty(
                actor,
                agreement_id,
                v["statement_id"],
                v["amount"].strip(),
                v["currency"].strip(),
                v["reference"],
            )

        names = ("statement_id", "amount", "currency", "reference")
        return self._act(
            request, pages, viewer, agreement_id, data, "pay", names, command, "royalty_paid"
        )

    @post("/agreements/{agreement_id:uuid}/production", sync_to_thread=True)
    def production(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        agreement_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        app = pages.openinno

        def command(actor: UUID, v: dict[str, str]) -> Recorded:
            if v["state"] == "committed":
                return app.commit_to_produce(actor, agreement_id, v["on"], v["note"])
            if v["state"] == "in_production":
                return app.start_production(actor, agreement_id, v["on"])
            if v["state"] == "dropped":
                return app.drop_production(actor, agreement_id, v["reason"])
            raise InvalidInput("Choose what to record.", field="state")

        names = ("state", "on", "note", "reason")
        return self._act(
            request, pages, viewer, agreement_id, data, "production", names, command, "production"
        )
