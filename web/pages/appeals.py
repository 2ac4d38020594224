"""Appeals on the pages (issue 24, decision 0028): an author appeals their entry's
disqualification or scores with text and evidence files; the thread page shows the
grounds, the answers and the decision, with the forms each person may use.  The rules
are the application's (``openinno.commands.appeals``); the thread is shown as the
API's ``GET /appeals/{id}`` gives it (blind review included)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect

from openinno.domain.challenge import Challenge
from openinno.domain.errors import NOT_FOUND, NOTHING_FOUND, DomainError, NotFound
from openinno.domain.submission import Submission
from web.appeal_thread import appeal_view
from web.pages.base import N_, Form, Pages, Viewer, require_signed_in, status_for
from web.pages.csrf import EXCLUDED as EXCLUDED_FROM_CSRF
from web.pages.forms import values
from web.pages.solvers import _uploads, receive_entry_form
from web.uploads import ReceivedForm

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
NO_STORE = CacheControlHeader(no_store=True)

GROUNDS = {
    "disqualification": N_("Disqualification"),
    "scores": N_("Scores"),
    "moderation": N_("Moderation"),
}
STATUSES = {
    "open": N_("Open"),
    "answered": N_("Answered"),
    "upheld": N_("Upheld"),
    "rejected": N_("Rejected"),
}


def _own_entry(pages: Pages, actor: UUID, submission_id: UUID) -> Submission:
    submission = pages.openinno.get_submission(actor, submission_id)
    if actor not in submission.author_ids:
        raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
    return submission


def _hidden_question_of(
    pages: Pages, actor: UUID, challenge_id: UUID, question_id: UUID
) -> Challenge:
    """The challenge, where ``actor`` asked the hidden question; NotFound otherwise (to
    anyone else the question is as if not there)."""
    challenge = pages.openinno.get_challenge(challenge_id, actor)
    asked = challenge.questions.get(question_id)
    if asked is None or asked["asked_by"] != actor or not asked["hidden"]:
        raise NotFound(NOTHING_FOUND, id=str(question_id))
    return challenge


class AppealPages(Controller):
    cache_control = NO_STORE

    def _new(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        submission: Submission,
        form: Form,
        status: int = 200,
    ) -> Response[str]:
        challenge = pages.openinno.get_challenge(submission.challenge_id, viewer.account_id)
        spec = challenge.terms.spec if challenge.terms is not None else challenge.spec
        return pages.render(
            request,
            "appeal_new.html",
            viewer,
            submission=submission,
            challenge=challenge,
            rules=spec.appeal_rules,
            grounds=GROUNDS,
            form=form,
            status_code=status,
        )

    @get("/submissions/{submission_id:uuid}/appeal", sync_to_thread=True)
    def appeal_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        submission = _own_entry(pages, actor, submission_id)
        ground = (
            "disqualification"
            if submission.status == "disqualified"
            else "moderation"
            if submission.hidden_at is not None
            else "scores"
        )
        return self._new(request, pages, viewer, submission, Form(values={"ground": ground}))

    @post(
        "/submissions/{submission_id:uuid}/appeal",
        # Read by receive_entry_form, which enforces the settings' limits and CSRF.
        request_max_body_size=None,
        opt=EXCLUDED_FROM_CSRF,
    )
    async def appeal(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
    ) -> Any:
        require_signed_in(viewer)  # before a byte of the body is read
        form = await receive_entry_form(request, pages)
        try:
            return await sync_to_thread(
                partial(self._appeal, request, pages, viewer, submission_id, form)
            )
        finally:
            form.discard()

    def _appeal(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        submission_id: UUID,
        data: ReceivedForm,
    ) -> Any:
        actor = require_signed_in(viewer)
        submission = _own_entry(pages, actor, submission_id)
        form = Form(values={"ground": data.one("ground"), "text": data.one("text")})
        try:
            recorded = pages.openinno.appeal_submission(
                actor, submission_id, form.values["ground"], form.values["text"], _uploads(data)
            )
        except DomainError as e:
            form.fail(e)
            return self._new(request, pages, viewer, submission, form, status_for(e))
        pages.reads.wait(recorded.position)
        return Redirect(f"/appeals/{recorded.id}?filed=1", status_code=303)

    def _question_form(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        challenge_id: UUID,
        question_id: UUID,
        form: Form,
        status: int = 200,
    ) -> Response[str]:
        """Who asked a hidden question appeals its hiding (issue 24); NotFound to anyone
        else, as for a question that is not there."""
        actor = require_signed_in(viewer)
        challenge = _hidden_question_of(pages, actor, challenge_id, question_id)
        rows = pages.reads.db().rows(
            "SELECT text, hidden_reason FROM pt_questions WHERE question_id = ?",
            (str(question_id),),
        )
        spec = challenge.terms.spec if challenge.terms is not None else challenge.spec
        return pages.render(
            request,
            "question_appeal.html",
            viewer,
            challenge=challenge,
            question_id=question_id,
            question=rows[0] if rows else {"text": "", "hidden_reason": ""},
            rules=spec.appeal_rules,
            form=form,
            status_code=status,
        )

    @get(
        "/challenges/{challenge_id:uuid}/questions/{question_id:uuid}/appeal",
        sync_to_thread=True,
    )
    def question_appeal_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        question_id: FromPath[UUID],
    ) -> Response[str]:
        return self._question_form(request, pages, viewer, challenge_id, question_id, Form())

    @post(
        "/challenges/{challenge_id:uuid}/questions/{question_id:uuid}/appeal",
        request_max_body_size=None,
        opt=EXCLUDED_FROM_CSRF,
    )
    async def question_appeal(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        question_id: FromPath[UUID],
    ) -> Any:
        require_signed_in(viewer)  # before a byte of the body is read
        form = await receive_entry_form(request, pages)
        try:
            return await sync_to_thread(
                partial(
                    self._question_appeal, request, pages, viewer, challenge_id, question_id, form
                )
            )
        finally:
            form.discard()

    def _question_appeal(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        challenge_id: UUID,
        question_id: UUID,
        data: ReceivedForm,
    ) -> Any:
        actor = require_signed_in(viewer)
        _hidden_question_of(pages, actor, challenge_id, question_id)
        form = Form(values={"text": data.one("text")})
        try:
            recorded = pages.openinno.appeal_moderation(
                actor, challenge_id, question_id, form.values["text"], _uploads(data)
            )
        except DomainError as e:
            if status_for(e) != 400:
                raise
            form.fail(e)
            return self._question_form(
                request, pages, viewer, challenge_id, question_id, form, status=400
            )
        pages.reads.wait(recorded.position)
        return Redirect(f"/appeals/{recorded.id}?filed=1", status_code=303)

    def _thread(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        appeal_id: UUID,
        answer: Form | None = None,
        decide: Form | None = None,
        status: int = 200,
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        appeal = pages.openinno.get_appeal(actor, appeal_id)
        challenge = pages.openinno.get_challenge(appeal.challenge_id, actor)
        return pages.render(
            request,
            "appeal.html",
            viewer,
            appeal=appeal_view(pages.openinno, actor, appeal),
            challenge=challenge,
            grounds=GROUNDS,
            statuses=STATUSES,
            mine=actor == appeal.appellant_id,
            may_download=pages.openinno.may_see_evidence(actor, appeal),
            answer=answer or Form(),
            decide=decide or Form(values={"outcome": "upheld"}),
            status_code=status,
        )

    @get("/appeals/{appeal_id:uuid}", sync_to_thread=True)
    def thread(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        appeal_id: FromPath[UUID],
    ) -> Response[str]:
        return self._thread(request, pages, viewer, appeal_id)

    @post(
        "/appeals/{appeal_id:uuid}/answers",
        request_max_body_size=None,
        opt=EXCLUDED_FROM_CSRF,
    )
    async def answer(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        appeal_id: FromPath[UUID],
    ) -> Any:
        require_signed_in(viewer)
        form = await receive_entry_form(request, pages)
        try:
            return await sync_to_thread(
                partial(self._answer, request, pages, viewer, appeal_id, form)
            )
        finally:
            form.discard()

    def _answer(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        appeal_id: UUID,
        data: ReceivedForm,
    ) -> Any:
        actor = require_signed_in(viewer)
        form = Form(values={"text": data.one("text")})
        try:
            recorded = pages.openinno.answer_appeal(
                actor, appeal_id, form.values["text"], _uploads(data)
            )
        except DomainError as e:
            form.fail(e)
            return self._thread(
                request, pages, viewer, appeal_id, answer=form, status=status_for(e)
            )
        pages.reads.wait(recorded.position)
        return Redirect(f"/appeals/{appeal_id}#thread", status_code=303)

    @post("/appeals/{appeal_id:uuid}/decision", sync_to_thread=True)
    def decision(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        appeal_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        actor = require_signed_in(viewer)
        form = Form(values=values(data, "outcome", "reason"))
        try:
            recorded = pages.openinno.decide_appeal(
                actor, appeal_id, form.values["outcome"], form.values["reason"]
            )
        except DomainError as e:
            form.fail(e)
            return self._thread(
                request, pages, viewer, appeal_id, decide=form, status=status_for(e)
            )
        pages.reads.wait(recorded.position)
        return Redirect(f"/appeals/{appeal_id}?decided=1", status_code=303)
