"""Reviewer pages: invitations, the blind queue (pseudonyms, never names before
identities are revealed) and the score form against the rubric.  Never cached."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect

from openinno.domain.errors import NOT_FOUND, DomainError, NotFound
from openinno.domain.values import Criterion
from projections.reviewers import queries as reviewers
from web.pages import paging, queries
from web.pages.base import N_, Form, Pages, Viewer, is_htmx, require_signed_in, status_for
from web.pages.forms import many, one

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
NO_STORE = CacheControlHeader(no_store=True)
# What an htmx form gets back when the form has errors (base.html lets htmx swap it).
FORM_ERRORS = 422


def _queue_after(cursor: str) -> reviewers.QueueKey | None:
    """The queue key a page cursor carries (see ``reviewers.queue_key``)."""
    if not cursor:
        return None
    key = paging.decode(cursor)
    kinds = (str, str, int, str, str)
    if len(key) != len(kinds) or not all(
        type(v) is kind for v, kind in zip(key, kinds, strict=True)
    ):
        raise ValidationException("bad cursor")
    return (str(key[0]), str(key[1]), int(key[2]), str(key[3]), str(key[4]))


def _entry(pages: Pages, actor: UUID, submission_id: UUID) -> dict[str, Any]:
    entry = reviewers.review_entry(
        pages.reads.db(), actor, submission_id, pages.openinno.author_visibility(actor)
    )
    if entry is None:
        raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
    return entry


class ReviewerPages(Controller):
    cache_control = NO_STORE

    @get("/reviews", sync_to_thread=True)
    def queue(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        cursor: FromQuery[str] = "",
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        return self._queue(request, pages, viewer, actor, cursor, Form(), 200)

    def _queue(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        actor: UUID,
        cursor: str,
        conflicts: Form,
        status: int,
    ) -> Response[str]:
        db = pages.reads.db()
        # Keyset paging in SQL: a reviewer of a 100,000-entry challenge reads one page.
        size = paging.PAGE_SIZE
        rows = reviewers.my_review_queue_page(
            db,
            actor,
            after=_queue_after(cursor),
            limit=size + 1,
            seen_by=pages.openinno.author_visibility(actor),
        )
        queue = paging.keyset(rows, cursor, size, reviewers.queue_key)
        return pages.render_list(
            request,
            "review_queue.html",
            "queue",
            viewer,
            queue=queue,
            invitations=queries.review_invitations(db, actor),
            # Counted on reviews of the entries' current versions (issue 20).
            progress=reviewers.my_progress(db, actor),
            conflicts=conflicts,
            status_code=status,
        )

    @post("/reviews/conflicts", sync_to_thread=True)
    def conflicts(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        data: FORM,
    ) -> Any:
        """Declare conflicts for several entries of the queue at once (issue 20: a
        reviewer who has just accepted goes through the entries they may know).  Each
        entry leaves the assignment and no score form is offered for it; one refusal
        stops the rest (``declare_conflicts``, per challenge; every entry is checked to be
        in the queue first, so that refusals are rare)."""
        actor = require_signed_in(viewer)
        cursor = one(data, "cursor")
        chosen = [str(v) for v in many(data, "submission_id")]
        form = Form(values={"reason": one(data, "reason"), "submission_id": chosen})
        if not chosen:
            form.errors["submission_id"] = pages.gettext(
                viewer, N_("Tick the entries you have a conflict of interest with.")
            )
        if not form.values["reason"].strip():
            form.errors["reason"] = pages.gettext(viewer, N_("Say briefly what the conflict is."))
        if form.errors:
            return self._queue(request, pages, viewer, actor, cursor, form, 400)
        by_challenge: dict[UUID, list[UUID]] = {}
        try:
            for value in dict.fromkeys(chosen):
                try:
                    submission_id = UUID(value)
                except ValueError:
                    raise NotFound(NOT_FOUND["submission"], id=value[:64]) from None
                # Only entries of my queue (what the page offered); anything else is
                # the same NotFound as an unknown entry.
                entry = _entry(pages, actor, submission_id)
                by_challenge.setdefault(UUID(entry["challenge_id"]), []).append(submission_id)
            position = 0
            for challenge_id, entries in by_challenge.items():
                position = pages.openinno.declare_conflicts(
                    actor, challenge_id, entries, form.values["reason"]
                ).position
        except DomainError as e:
            form.fail(e)
            return self._queue(request, pages, viewer, actor, cursor, form, status_for(e))
        pages.reads.wait(position, ["reviewers"])
        return Redirect(f"/reviews?conflict={len(chosen)}", status_code=303)

    @post("/reviews/invitations/{challenge_id:uuid}", sync_to_thread=True)
    def accept(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Redirect:
        actor = require_signed_in(viewer)
        recorded = pages.openinno.accept_reviewer_invitation(actor, challenge_id)
        pages.reads.wait(recorded.position, ["reviewers"])
        return Redirect("/reviews", status_code=303)

    def _form(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        entry: dict[str, Any],
        criteria: tuple[Criterion, ...],
        form: Form,
        status: int,
        saved_at: datetime | None = None,
    ) -> Response[str]:
        submission_id = UUID(entry["submission_id"])
        context: dict[str, Any] = {
            "entry": entry,
            "criteria": criteria,
            "form": form,
            "saved_at": saved_at,
            "files": pages.openinno.entry_files(viewer.account_id, [submission_id])[submission_id],
        }
        if is_htmx(request):
            # The score form alone, with its errors or a "saved at" note: no reload.
            # htmx swaps only 2xx and 422 (base.html): a form with errors is 422 here.
            return pages.render_block(
                request,
                "review_form.html",
                "score_form",
                viewer,
                status_code=FORM_ERRORS if status >= 400 else status,
                **context,
            )
        return pages.render(request, "review_form.html", viewer, status_code=status, **context)

    def _criteria(self, pages: Pages, actor: UUID, entry: dict[str, Any]) -> tuple[Criterion, ...]:
        challenge = pages.openinno.get_challenge(UUID(entry["challenge_id"]), actor)
        # The reviewer's round's rubric (issue 20): a juror scores on the jury's.
        return challenge.rubric_of(actor)

    @get("/reviews/{submission_id:uuid}", sync_to_thread=True)
    def score_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        entry = _entry(pages, actor, submission_id)
        criteria = self._criteria(pages, actor, entry)
        scores = entry.get("scores") or {}
        form = Form(
            values={
                **{f"score_{i}": str(scores.get(c.name, "")) for i, c in enumerate(criteria)},
                "comment": entry.get("comment", ""),
            }
        )
        return self._form(request, pages, viewer, entry, criteria, form, 200)

    @post("/reviews/{submission_id:uuid}", sync_to_thread=True)
    def score(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        actor = require_signed_in(viewer)
        entry = _entry(pages, actor, submission_id)
        criteria = self._criteria(pages, actor, entry)
        form = Form(
            values={
                **{f"score_{i}": one(data, f"score_{i}") for i in range(len(criteria))},
                "comment": one(data, "comment"),
            }
        )
        scores: dict[str, Any] = {c.name: form.values[f"score_{i}"] for i, c in enumerate(criteria)}
        try:
            # The version the form showed: scores bind to what the reviewer read, and a
            # revision since is refused with a note to read the new version (issue 20).
            recorded = pages.openinno.record_review(
                actor,
                submission_id,
                scores,
                form.values["comment"],
                content_sha256=one(data, "content_sha256") or None,
            )
        except DomainError as e:
            form.fail(e)
            return self._form(request, pages, viewer, entry, criteria, form, status_for(e))
        pages.reads.wait(recorded.position, ["reviewers"])
        if is_htmx(request):
            saved_at = pages.openinno.clock.now()
            return self._form(request, pages, viewer, entry, criteria, form, 200, saved_at)
        return Redirect("/reviews?saved=1", status_code=303)

    @post("/reviews/{submission_id:uuid}/conflict", sync_to_thread=True)
    def conflict(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        """Declare a conflict of interest: the entry leaves my assignment, my scores
        (if any) stop counting."""
        actor = require_signed_in(viewer)
        entry = _entry(pages, actor, submission_id)
        criteria = self._criteria(pages, actor, entry)
        form = Form(values={"reason": one(data, "reason")})
        if not form.values["reason"].strip():
            form.errors["reason"] = pages.gettext(viewer, N_("Say briefly what the conflict is."))
            return self._form(request, pages, viewer, entry, criteria, form, 400)
        try:
            recorded = pages.openinno.declare_conflict(actor, submission_id, form.values["reason"])
        except DomainError as e:
            form.errors["reason"] = e.text
            return self._form(request, pages, viewer, entry, criteria, form, status_for(e))
        pages.reads.wait(recorded.position, ["reviewers"])
        return Redirect("/reviews?conflict=1", status_code=303)
