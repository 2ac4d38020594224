"""Reports and the moderation queue on the pages (issue 24): a "Report" form beside
each question and announcement (and in the gallery), and ``/moderation`` for admins
and each sponsor's owners and managers, most reported first, with a form to hide
each thing with a reason shown in its place.  The rules are the application's
(``openinno.commands.moderation``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlsplit
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect

from openinno.domain.errors import NOTHING_FOUND, DomainError, NotFound
from projections.moderation import queries as moderation
from web.comment_thread import comment_views
from web.pages.base import N_, Form, Pages, Viewer, require_signed_in, status_for
from web.pages.forms import one, values
from web.pages.public import render_challenge

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
NO_STORE = CacheControlHeader(no_store=True)
KINDS = {
    "entry": N_("Entry"),
    "question": N_("Question"),
    "announcement": N_("Announcement"),
    "comment": N_("Comment"),
}


def _local(next_path: str, fallback: str = "/") -> str:
    """Only a path on this site (never another host) to go back to."""
    parts = urlsplit(next_path)
    if parts.scheme or parts.netloc or not next_path.startswith("/") or next_path.startswith("//"):
        return fallback
    return next_path


def render_entry(
    request: Request[Any, Any, Any],
    pages: Pages,
    viewer: Viewer,
    submission_id: UUID,
    comment: Form | None = None,
    status: int = 200,
    edit: dict[str, Any] | None = None,
) -> Response[str]:
    """An entry's page (issue 24): the entry as the viewer may see it (the gallery's
    rule, hidden entries to their judges and authors only) and its comments, with the
    challenge page's comment template; its authors named only as blind review allows
    (``web.comment_thread``)."""
    submission = pages.openinno.get_submission(viewer.account_id, submission_id)
    challenge = pages.openinno.get_challenge(submission.challenge_id, viewer.account_id)
    db = pages.reads.db()
    hidden = db.rows(
        "SELECT hidden_reason FROM pt_submissions WHERE submission_id = ?", (str(submission_id),)
    )
    rows = moderation.comments(db, str(submission.challenge_id), str(submission_id))
    return pages.render(
        request,
        "entry.html",
        viewer,
        status_code=status,
        entry={
            "id": submission.id,
            "title": submission.content.title,
            "summary": submission.content.summary,
            "status": submission.status,
            "shortlisted": submission.shortlisted,
            "award_place": submission.award_place,
            "hidden_reason": hidden[0]["hidden_reason"]
            if hidden and submission.hidden_at is not None
            else None,
        },
        challenge=challenge,
        gallery=challenge.spec.visibility == "public",
        comments=comment_views(pages.openinno, viewer.account_id, rows, submission),
        comment_form=comment or Form(),
        comment_edit=edit,
    )


def _post_comment(
    pages: Pages,
    viewer: Viewer,
    data: Any,
    record: Callable[[UUID, str, UUID | None], Any],
    refused: Callable[[Form], Response[str]],
    thread: str,
) -> Any:
    """A comment or reply (``parent_id``) recorded by ``record``; back to ``thread`` at it,
    or the thread's page again (``refused``) with the error at the field."""
    actor = require_signed_in(viewer)
    form = Form(values=values(data, "text"))
    try:
        parent = UUID(one(data, "parent_id")) if one(data, "parent_id") else None
    except ValueError:
        raise NotFound(NOTHING_FOUND, id=one(data, "parent_id")) from None
    try:
        recorded = record(actor, form.values["text"], parent)
    except DomainError as e:
        if status_for(e) != 400:
            raise
        form.fail(e)
        return refused(form)
    pages.reads.wait(recorded.position)
    return Redirect(f"{thread}#c-{recorded.id}", status_code=303)


class ModerationPages(Controller):
    cache_control = NO_STORE

    def _queue(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        form: Form,
        status: int = 200,
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        db = pages.reads.db()
        try:
            scope = pages.openinno.moderation_scope(
                actor, moderation.moderated_organisations(db, str(actor))
            )
        except DomainError:
            raise NotFound("No such page.") from None
        rows = moderation.queue(db, organisation_ids=scope)
        hidden = moderation.queue(db, organisation_ids=scope, hidden=True)
        return pages.render(
            request,
            "moderation.html",
            viewer,
            rows=rows,
            hidden=hidden,
            reasons=moderation.reasons(db, [r["target_id"] for r in rows]),
            kinds=KINDS,
            form=form,
            empty_form=Form(),
            status_code=status,
        )

    @get("/moderation", sync_to_thread=True)
    def queue(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
    ) -> Response[str]:
        return self._queue(request, pages, viewer, Form())

    @post("/moderation/{target_id:uuid}/hide", sync_to_thread=True)
    def hide(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        target_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        actor = require_signed_in(viewer)
        found = moderation.target(pages.reads.db(), str(target_id))
        if found is None:
            raise NotFound(NOTHING_FOUND, id=str(target_id))
        form = Form(values={**values(data, "reason"), "target_id": str(target_id)})
        try:
            recorded = pages.openinno.hide(
                actor, found["kind"], target_id, UUID(found["challenge_id"]), form.values["reason"]
            )
        except DomainError as e:
            if status_for(e) != 400:
                raise
            form.fail(e)
            return self._queue(request, pages, viewer, form, 400)
        pages.reads.wait(recorded.position)
        return Redirect("/moderation?hidden=1", status_code=303)

    @post("/challenges/{challenge_id:uuid}/comments", sync_to_thread=True)
    def comment(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        """A comment (or a reply, with ``parent_id``) on the challenge's page."""
        return _post_comment(
            pages,
            viewer,
            data,
            lambda actor, text, parent: pages.openinno.comment_on_challenge(
                actor, challenge_id, text, parent
            ),
            lambda form: render_challenge(
                request, pages, viewer, challenge_id, comment=form, status=400
            ),
            f"/challenges/{challenge_id}",
        )

    @get("/submissions/{submission_id:uuid}", sync_to_thread=True)
    def entry(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
    ) -> Response[str]:
        return render_entry(request, pages, viewer, submission_id)

    @post("/submissions/{submission_id:uuid}/comments", sync_to_thread=True)
    def comment_on_entry(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        """A comment (or a reply, with ``parent_id``) on an entry's page."""
        return _post_comment(
            pages,
            viewer,
            data,
            lambda actor, text, parent: pages.openinno.comment_on_submission(
                actor, submission_id, text, parent
            ),
            lambda form: render_entry(
                request, pages, viewer, submission_id, comment=form, status=400
            ),
            f"/submissions/{submission_id}",
        )

    @post("/comments/{comment_id:uuid}", sync_to_thread=True)
    def edit_comment(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        comment_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        """Its author edits a comment within the window (issue 24): each version is an
        event of the comment's stream, so the history is kept; back to the thread."""
        actor = require_signed_in(viewer)
        back = _local(one(data, "next"))
        form = Form(values=values(data, "text"))
        try:
            recorded = pages.openinno.edit_comment(actor, comment_id, form.values["text"])
        except DomainError as e:
            if status_for(e) != 400:
                raise
            form.fail(e)
            # Back on the page of the thread, the edit open with its error at the field.
            challenge_id, submission_id = pages.openinno.comment_thread(actor, comment_id)
            edit = {"id": str(comment_id), "form": form}
            if submission_id is not None:
                return render_entry(request, pages, viewer, submission_id, edit=edit, status=400)
            return render_challenge(
                request, pages, viewer, challenge_id, comment_edit=edit, status=400
            )
        pages.reads.wait(recorded.position)
        path = back.partition("#")[0]
        return Redirect(f"{path}#c-{comment_id}", status_code=303)

    @post("/reports", sync_to_thread=True)
    def report(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        data: FORM,
    ) -> Any:
        """Anyone signed in reports what they see; back to where they were."""
        actor = require_signed_in(viewer)
        back = _local(one(data, "next"))
        try:
            target_id = UUID(one(data, "target_id"))
        except ValueError:
            raise NotFound(NOTHING_FOUND, id=one(data, "target_id")) from None
        found = moderation.target(pages.reads.db(), str(target_id))
        if found is None:
            raise NotFound(NOTHING_FOUND, id=str(target_id))
        pages.openinno.report(
            actor, found["kind"], target_id, one(data, "reason"), UUID(found["challenge_id"])
        )
        path, _, anchor = back.partition("#")
        joiner = "&" if "?" in path else "?"
        return Redirect(
            f"{path}{joiner}reported=1" + (f"#{anchor}" if anchor else ""), status_code=303
        )
