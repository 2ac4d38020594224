"""The sponsor's view of an entry's votes (issue 24): the votes the anomaly signals
flag, each with its signals, and a form voiding the chosen ones with one reason.
The sponsor's owners and managers and admins only; to anyone else the page is not
found (a vote says who supports what)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect

from openinno.domain.errors import NOT_FOUND, DomainError, InvalidInput, NotFound
from projections.votes import queries as votes
from web.pages.base import N_, Form, Pages, Viewer, require_signed_in, status_for
from web.pages.forms import many, one

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

# What each signal is called on the page.
SIGNAL_LABELS = {
    "new_account_burst": N_("Burst of new accounts"),
    "same_address": N_("Many votes from one address"),
    "same_network": N_("Many votes from one network"),
    "same_user_agent": N_("Identical user agents"),
    "single_entry": N_("New account voting for this entry only"),
}


def _moderated(pages: Pages, actor: UUID, submission_id: UUID) -> None:
    if not pages.openinno.may_moderate_votes(actor, submission_id):
        raise NotFound(NOT_FOUND["submission"], id=str(submission_id))


class VotePages(Controller):
    def _page(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        submission_id: UUID,
        form: Form,
        status: int = 200,
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        _moderated(pages, actor, submission_id)
        submission = pages.openinno.get_submission(actor, submission_id)
        seen = votes.entry_votes(pages.reads.db(), str(submission_id))
        return pages.render(
            request,
            "votes.html",
            viewer,
            submission_id=str(submission_id),
            challenge_id=str(submission.challenge_id),
            seen=seen,
            signal_counts=seen.signal_counts(),
            signal_labels=SIGNAL_LABELS,
            form=form,
            status_code=status,
        )

    @get("/submissions/{submission_id:uuid}/votes", sync_to_thread=True)
    def flagged_votes(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
    ) -> Response[str]:
        return self._page(request, pages, viewer, submission_id, Form())

    @post("/submissions/{submission_id:uuid}/votes/void", sync_to_thread=True)
    def void_votes(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        """Void the chosen votes with one reason (all or none); back to the list."""
        actor = require_signed_in(viewer)
        _moderated(pages, actor, submission_id)
        chosen = [str(v) for v in many(data, "vote_id")]
        form = Form(values={"reason": one(data, "reason"), "vote_id": chosen})
        try:
            vote_ids = [UUID(v) for v in chosen]
        except ValueError:
            vote_ids = []
            form.fail(InvalidInput("Choose the votes to void.", field="vote_ids"))
        if not form.failed:
            try:
                done = pages.openinno.void_votes(
                    actor, submission_id, vote_ids, form.values["reason"]
                )
            except DomainError as e:
                form.fail(e)
                return self._page(request, pages, viewer, submission_id, form, status_for(e))
            pages.reads.wait(done.position)
            return Redirect(
                f"/submissions/{submission_id}/votes?voided={done.voided}", status_code=303
            )
        return self._page(request, pages, viewer, submission_id, form, 400)
