"""Solver pages: accept the terms (shown in full with their SHA-256) and submit
with files, see the receipt, list my submissions with every receipt, revise an
entry before the deadline, withdraw it, ask a question about a challenge and
support a public entry (one per person; htmx updates the count in place, a plain
form post works without JavaScript)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from litestar import Controller, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException
from litestar.params import Body, FromPath
from litestar.response import Redirect

from openinno.application import OpenInno
from openinno.domain import SolverEntries, Team, Vote, ids
from openinno.domain.challenge import Challenge
from openinno.domain.errors import NOT_FOUND, DomainError, InvalidInput, InvalidState, NotFound
from openinno.domain.submission import Submission, check_content
from openinno.domain.values import SubmissionContent
from openinno.files import Upload
from projections.participants import queries as participants
from projections.values import iso
from web.pages import queries, validation
from web.pages.base import N_, Form, Pages, Viewer, client_ip, require_signed_in, status_for
from web.pages.csrf import EXCLUDED as EXCLUDED_FROM_CSRF
from web.pages.csrf import FIELD as CSRF_FIELD
from web.pages.csrf import require_csrf
from web.pages.forms import one, values
from web.pages.public import render_challenge
from web.proof_of_work import FIELD as PROOF_FIELD
from web.proof_of_work import proof_of_work_for
from web.uploads import FormLimits, MalformedForm, ReceivedForm, receive_form

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
# Teams and invitations shown in "My submissions" (the latest; GET /api/v1/teams pages).
MY_TEAMS_SHOWN = 50

# Domain field names -> the form's.
SUBMIT_FIELDS = {"accepted_terms_sha256": "accept", "files": "files", "team_ids": "files"}
NO_STORE = CacheControlHeader(no_store=True)


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        raise InvalidInput("Choose your team again.", field="team_id") from None


def _my_team(openinno: OpenInno, challenge_id: UUID, actor: UUID | None) -> Team | None:
    """The team this person is on in the challenge (issue 21), if any."""
    if actor is None:
        return None
    try:
        entries: object = openinno.repository.get(ids.solver_entries_id(challenge_id, actor))
    except AggregateNotFoundError:
        return None
    if not isinstance(entries, SolverEntries) or entries.team_id is None:
        return None
    team: object = openinno.repository.get(entries.team_id)
    return team if isinstance(team, Team) else None


def _published(openinno: OpenInno, challenge_id: UUID, viewer: Viewer) -> Challenge:
    challenge = openinno.get_challenge(challenge_id, viewer.account_id)
    if challenge.terms is None:
        raise InvalidState("This challenge is not published yet.")
    return challenge


def _own_submission(pages: Pages, actor: UUID, submission_id: UUID) -> Submission:
    """The submission, if the actor is one of its authors; NotFound otherwise."""
    submission = pages.openinno.get_submission(actor, submission_id)
    if actor not in submission.author_ids:
        raise NotFound(NOT_FOUND["submission"], id=str(submission_id))
    return submission


def vote_of(openinno: OpenInno, actor: UUID | None, submission_id: UUID) -> Vote | None:
    """This person's vote on the entry, whatever became of it (None: never cast)."""
    if actor is None:
        return None
    try:
        vote: object = openinno.repository.get(ids.vote_id(submission_id, actor))
    except AggregateNotFoundError:
        return None
    return vote if isinstance(vote, Vote) else None


def supports(openinno: OpenInno, actor: UUID | None, submission_id: UUID) -> bool:
    """Whether this person supports the entry now (their vote's stream, by its derived id)."""
    if actor is None:
        return False
    try:
        vote: object = openinno.repository.get(ids.vote_id(submission_id, actor))
    except AggregateNotFoundError:
        return False
    return isinstance(vote, Vote) and vote.active


async def receive_entry_form(request: Request[Any, Any, Any], pages: Pages) -> ReceivedForm:
    """The entry form of a signed-in person, streamed (files to disk): CSRF checked
    before the first file byte is stored, and for a form without files at its end."""
    openinno = pages.openinno
    try:
        form = await receive_form(
            request,
            openinno.files,
            FormLimits.of(openinno.settings),
            before_first_file=lambda fields: require_csrf(request, fields.one(CSRF_FIELD)),
        )
    except MalformedForm as e:
        raise ClientException(str(e)) from None
    try:
        require_csrf(request, form.one(CSRF_FIELD))
    except BaseException:
        form.discard()
        raise
    return form


def _uploads(form: ReceivedForm) -> list[Upload]:
    # An empty file input sends a part with no file name: not a file.
    return [upload for name, upload in form.files if name == "files" and upload.name]


ENTRY_FIELDS = ("title", "summary", "accept")
ENTRY_BASELINE = {"title": "An entry", "summary": "A summary.", "accept": "yes"}


def _accept_error(pages: Pages, viewer: Viewer, form: dict[str, str]) -> str:
    if form.get("accept") == "yes":
        return ""
    return pages.gettext(viewer, N_("Read the terms and tick the box to accept them."))


def _check_entry(pages: Pages, viewer: Viewer, form: dict[str, str]) -> None:
    """The entry form's checks without its files: the terms box, then the domain's
    check_content (the one submit runs) on the title and summary."""
    if message := _accept_error(pages, viewer, form):
        raise InvalidInput(message, field="accept")
    content = SubmissionContent(form["title"].strip(), form["summary"].strip(), ())
    check_content(content, max_files=pages.openinno.settings.max_files_per_submission)


class SolverPages(Controller):
    cache_control = NO_STORE

    @get("/challenges/{challenge_id:uuid}/submit", sync_to_thread=True)
    def submit_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
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
            validate_url=f"/challenges/{challenge.id}/submit/validate",
            team=_my_team(pages.openinno, challenge.id, viewer.account_id),
        )

    @post(
        "/challenges/{challenge_id:uuid}/submit",
        # Read by receive_entry_form, which enforces the settings' limits and CSRF.
        request_max_body_size=None,
        opt=EXCLUDED_FROM_CSRF,
    )
    async def submit(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Any:
        require_signed_in(viewer)  # before a byte of the body is read
        form = await receive_entry_form(request, pages)
        try:
            return await sync_to_thread(
                partial(self._submit, request, pages, viewer, challenge_id, form)
            )
        finally:
            form.discard()

    def _submit(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        challenge_id: UUID,
        data: ReceivedForm,
    ) -> Any:
        actor = require_signed_in(viewer)
        challenge = _published(pages.openinno, challenge_id, viewer)
        form = Form(
            values={
                "title": data.one("title"),
                "summary": data.one("summary"),
                "accept": data.one("accept"),
                "team_id": data.one("team_id"),
            }
        )
        if data.one("action") == "draft":
            return self._save_draft(request, pages, viewer, challenge, form, data)
        # Every field's error at once (the terms box, title, summary); files are
        # checked as they are stored, on submit.
        for error in validation.every_error(
            lambda checked: _check_entry(pages, viewer, checked),
            {name: form.values[name] for name in ENTRY_FIELDS},
            ENTRY_BASELINE,
        ):
            form.fail(error, SUBMIT_FIELDS)
        if form.failed:
            return self._form(request, pages, viewer, challenge, form, 400)
        try:
            recorded = pages.openinno.submit(
                actor,
                challenge_id,
                form.values["title"],
                form.values["summary"],
                data.one("accepted_terms_sha256"),
                files=_uploads(data),
                # Enter for the team one is on (issue 21): its members are the authors.
                team_id=_uuid_or_none(form.values["team_id"]),
            )
        except DomainError as e:
            form.fail(e, SUBMIT_FIELDS)
            return self._form(request, pages, viewer, challenge, form, status_for(e))
        pages.reads.wait(recorded.position, ["participants"])
        return Redirect(f"/submissions/{recorded.id}/receipt", status_code=303)

    def _save_draft(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        challenge: Challenge,
        form: Form,
        data: ReceivedForm,
    ) -> Any:
        """ "Save draft" (issue 21): the form as it is, for later; no terms, no count."""
        actor = require_signed_in(viewer)
        try:
            recorded = pages.openinno.save_draft(
                actor,
                challenge.id,
                form.values["title"],
                form.values["summary"],
                files=_uploads(data),
                team_id=_uuid_or_none(form.values["team_id"]),
            )
        except DomainError as e:
            form.fail(e, SUBMIT_FIELDS)
            return self._form(request, pages, viewer, challenge, form, status_for(e))
        pages.reads.wait(recorded.position, ["participants"])
        return Redirect("/submissions/mine?drafted=1", status_code=303)

    @post("/challenges/{challenge_id:uuid}/submit/validate", sync_to_thread=True)
    def submit_validate(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        """htmx's inline validation of one field of the entry form (files are checked
        on submit, by their content)."""
        require_signed_in(viewer)
        _published(pages.openinno, challenge_id, viewer)
        name = validation.target_field(request, ENTRY_FIELDS)
        message = validation.error_for(
            lambda form: _check_entry(pages, viewer, form),
            values(data, *ENTRY_FIELDS),
            name,
            ENTRY_BASELINE,
        )
        return validation.field_response(request, pages, viewer, name, message)

    @get("/submissions/{submission_id:uuid}/receipt", sync_to_thread=True)
    def receipt(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        submission = pages.openinno.get_submission(actor, submission_id)
        if actor not in submission.author_ids:
            # Receipts are the authors' proof; others see the entry elsewhere.
            raise NotFound("No receipt for submission %(id)s.", id=str(submission_id))
        challenge = pages.openinno.get_challenge(submission.challenge_id, actor)
        # A team entry's version names who was on the team when it was recorded.
        authors = [
            pages.openinno.get_account(a).display_name
            for a in (submission.latest_author_ids if submission.team_id is not None else ())
        ]
        return pages.render(
            request,
            "receipt.html",
            viewer,
            submission=submission,
            receipt=submission.receipt,
            content=submission.content,
            challenge=challenge,
            authors=authors,
        )

    @get("/submissions/mine", sync_to_thread=True)
    def mine(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        db = pages.reads.db()
        rows = participants.my_submissions(db, actor)
        agreements = queries.agreements_of(db, [r["submission_id"] for r in rows])
        # My teams and the invitations waiting for my answer: the latest, bounded (a
        # person is on one team per challenge; the API pages through the rest).
        drafts = participants.my_drafts(db, actor)
        teams = participants.my_teams_and_invitations(
            db,
            actor,
            pages.openinno.get_account(actor).email,
            after=None,
            limit=MY_TEAMS_SHOWN,
            now=pages.openinno.clock.now(),
        )
        # Revise and withdraw are offered only while the challenge takes entries
        # (the commands refuse them after; Challenge.require_withdrawals_open).
        now = iso(pages.openinno.clock.now())
        changeable = {
            r["submission_id"]
            for r in rows
            if r["status"] == "submitted" and (r["challenge_closes_at"] or "") > now
        }
        return pages.render(
            request,
            "my_submissions.html",
            viewer,
            submissions=rows,
            changeable=changeable,
            agreements=agreements,
            teams=teams.items,
            more_teams=teams.next_after is not None,
            drafts=drafts,
        )

    # --- revise and withdraw ---------------------------------------------------------------

    def _revise_form(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        submission: Submission,
        challenge: Challenge,
        form: Form,
        status: int,
    ) -> Response[str]:
        settings = pages.openinno.settings
        try:
            challenge.require_accepting_submissions(pages.openinno.clock.now())
            closed = ""
        except DomainError as e:
            closed = pages.say(viewer, e)
        return pages.render(
            request,
            "revise.html",
            viewer,
            status_code=status,
            submission=submission,
            challenge=challenge,
            content=submission.content,
            closed=closed,
            form=form,
            max_file_bytes=settings.max_file_bytes,
            max_files=settings.max_files_per_submission,
        )

    @get("/submissions/{submission_id:uuid}/revise", sync_to_thread=True)
    def revise_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        submission = _own_submission(pages, actor, submission_id)
        challenge = pages.openinno.get_challenge(submission.challenge_id, actor)
        form = Form(
            values={"title": submission.content.title, "summary": submission.content.summary}
        )
        return self._revise_form(request, pages, viewer, submission, challenge, form, 200)

    @post(
        "/submissions/{submission_id:uuid}/revise",
        # Read by receive_entry_form, which enforces the settings' limits and CSRF.
        request_max_body_size=None,
        opt=EXCLUDED_FROM_CSRF,
    )
    async def revise(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
    ) -> Any:
        """A new version: the new files, or (when none are sent) the current ones kept."""
        require_signed_in(viewer)  # before a byte of the body is read
        form = await receive_entry_form(request, pages)
        try:
            return await sync_to_thread(
                partial(self._revise, request, pages, viewer, submission_id, form)
            )
        finally:
            form.discard()

    def _revise(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        submission_id: UUID,
        data: ReceivedForm,
    ) -> Any:
        actor = require_signed_in(viewer)
        submission = _own_submission(pages, actor, submission_id)
        challenge = pages.openinno.get_challenge(submission.challenge_id, actor)
        form = Form(values={"title": data.one("title"), "summary": data.one("summary")})
        uploads = _uploads(data)
        if not uploads:
            uploads = [
                pages.openinno.files.stored(f.name, f.sha256, f.size, f.media_type)
                for f in submission.content.files
            ]
        try:
            recorded = pages.openinno.revise_submission(
                actor, submission_id, form.values["title"], form.values["summary"], uploads
            )
        except DomainError as e:
            form.fail(e, {"content": "summary", "files": "files"})
            return self._revise_form(
                request, pages, viewer, submission, challenge, form, status_for(e)
            )
        pages.reads.wait(recorded.position, ["participants"])
        return Redirect(f"/submissions/{submission_id}/receipt", status_code=303)

    @post("/submissions/{submission_id:uuid}/withdraw", sync_to_thread=True)
    def withdraw(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
        data: FORM,
    ) -> Redirect:
        actor = require_signed_in(viewer)
        _own_submission(pages, actor, submission_id)  # strangers: 404 before anything else
        if one(data, "confirm") != "yes":
            # Withdrawal is final: the form asks for it to be confirmed (the browser
            # enforces the box too; this is for the ones that do not).
            raise InvalidInput(
                "Tick the box to confirm that you withdraw this entry.", field="confirm"
            )
        recorded = pages.openinno.withdraw_submission(actor, submission_id, one(data, "reason"))
        pages.reads.wait(recorded.position, ["participants"])
        return Redirect("/submissions/mine?withdrawn=1", status_code=303)

    # --- questions and public support ------------------------------------------------------

    @post("/challenges/{challenge_id:uuid}/questions", sync_to_thread=True)
    def ask(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        actor = require_signed_in(viewer)
        text = one(data, "question")
        try:
            recorded = pages.openinno.ask_question(actor, challenge_id, text)
        except DomainError as e:
            if status_for(e) != 400:
                raise
            form = Form(values={"question": text})
            form.errors["question"] = e.text
            return render_challenge(request, pages, viewer, challenge_id, ask=form, status=400)
        pages.reads.wait(recorded.position, ["participants"])
        return Redirect(f"/challenges/{challenge_id}?asked=1#questions", status_code=303)

    @post("/submissions/{submission_id:uuid}/support", sync_to_thread=True)
    def support(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        """Support or retract (``action``): htmx gets the button and count back; a
        plain form post goes back to the gallery."""
        actor = require_signed_in(viewer)
        app = pages.openinno
        submission = app.get_submission(actor, submission_id)
        htmx = request.headers.get("hx-request") == "true"
        error = ""
        try:
            if one(data, "action") == "retract":
                recorded = app.retract_support(actor, submission_id)
            else:
                proof_of_work_for(app).check(one(data, PROOF_FIELD))
                recorded = app.support(
                    actor,
                    submission_id,
                    address=client_ip(request),
                    user_agent=request.headers.get("user-agent", ""),
                )
        except DomainError as e:
            if not htmx:
                raise
            error = pages.say(viewer, e)
        else:
            pages.reads.wait(recorded.position, ["participants"])
        if not htmx:
            return Redirect(
                f"/challenges/{submission.challenge_id}/gallery#entry-{submission_id}",
                status_code=303,
            )
        entry = {
            "submission_id": str(submission_id),
            "support_count": app.support_count(submission_id),
        }
        return pages.render(
            request,
            "partials/support.html",
            viewer,
            e=entry,
            supported=supports(app, actor, submission_id),
            voting=True,
            error=error,
        )
