"""Pages for anyone: the home page with the open-challenge catalogue (search,
filters, pagination, live search with htmx), a challenge's page, its terms in
full with their SHA-256, its public gallery, and the language switch."""

from __future__ import annotations

import binascii
import json
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect

from openinno.domain.errors import DomainError
from openinno.domain.ip_templates import TEMPLATES
from openinno.domain.ip_translations import reading_translation
from openinno.domain.limits import TEXTS, check_text
from projections.moderation import queries as moderation
from projections.participants import queries as participants
from web.comment_thread import comment_views
from web.pages import i18n, paging, queries, sessions
from web.pages.base import N_, Form, Pages, Viewer, is_htmx, safe_next
from web.pages.forms import one

PHASE_LABELS = {
    "open": N_("Open now"),
    "upcoming": N_("Opening soon"),
    "closed": N_("Closed, in review"),
    "awarded": N_("Awarded"),
    "cancelled": N_("Cancelled"),
}
PHASES = tuple(PHASE_LABELS)
SORT_LABELS = {
    "closing": N_("Closing first"),
    "newest": N_("Newest"),
    "prize": N_("Largest prize"),
}
PAGE_SIZE = 10


def _gallery_after(cursor: str) -> participants.GalleryKey | None:
    """The gallery key a page cursor carries (see ``participants.gallery_key``): a
    tampered cursor is a 400, never a query with odd types."""
    if not cursor:
        return None
    key = paging.decode(cursor)
    kinds = (int, str, str)
    if (
        len(key) != len(kinds)
        or not all(type(v) is kind for v, kind in zip(key, kinds, strict=True))
        # what the databases would refuse (a 500): integers past 64 bits, NUL in text
        or not -(2**63) <= key[0] < 2**63
        or "\x00" in key[1] + key[2]
    ):
        raise ValidationException("bad cursor")
    return (int(key[0]), str(key[1]), str(key[2]))


def phase_of(challenge: dict[str, Any], now: datetime) -> str:
    if challenge["status"] != "published":
        return str(challenge["status"])
    if datetime.fromisoformat(challenge["opens_at"]) > now:
        return "upcoming"
    if datetime.fromisoformat(challenge["closes_at"]) > now:
        return "open"
    return "closed"


def render_challenge(
    request: Request[Any, Any, Any],
    pages: Pages,
    viewer: Viewer,
    challenge_id: UUID,
    *,
    ask: Form | None = None,
    comment: Form | None = None,
    comment_edit: dict[str, Any] | None = None,
    status: int = 200,
) -> Response[str]:
    """A challenge's page: for members of its organisation with the answer and hide
    forms under the questions, for admins with the hide form (moderation)."""
    try:
        challenge = pages.openinno.get_challenge(challenge_id, viewer.account_id)
        seen_by = pages.openinno.author_visibility(viewer.account_id, challenge)
    except DomainError:
        raise NotFoundException() from None
    page = participants.challenge_page(pages.reads.db(), challenge_id, seen_by)
    if page is None:
        raise NotFoundException()
    role = None
    if viewer.account_id is not None:
        try:
            organisation = pages.openinno.get_organisation(UUID(page["organisation_id"]))
            role = organisation.role_of(viewer.account_id)
        except DomainError:
            role = None
    # The verified e-mail rule of the terms (issue 23), and whether the viewer meets it.
    spec = challenge.spec
    email_rule = spec.enter_needs_verified_email or spec.vote_needs_verified_email
    email_verified = bool(
        email_rule
        and viewer.account_id is not None
        and pages.openinno.get_account(viewer.account_id).email_is_verified
    )
    return pages.render(
        request,
        "challenge.html",
        viewer,
        status_code=status,
        spec=spec,
        email_rule=email_rule,
        email_verified=email_verified,
        c=page,
        phase=phase_of(page, pages.openinno.clock.now()),
        phases=PHASE_LABELS,
        member=role is not None,
        manager=role in ("owner", "manager"),
        moderator=viewer.is_admin or role in ("owner", "manager"),
        ask=ask or Form(),
        cancel_reason=challenge.cancel_reason,
        # The viewer's own questions (issue 24): a hidden one offers its appeal.
        my_questions={
            str(question_id)
            for question_id, q in challenge.questions.items()
            if viewer.account_id is not None and q["asked_by"] == viewer.account_id
        },
        # Comments (issue 24): on the challenge itself, thread by thread.
        comments=comment_views(
            pages.openinno,
            viewer.account_id,
            moderation.comments(pages.reads.db(), str(challenge_id), None),
            None,
        ),
        comment_form=comment or Form(),
        comment_edit=comment_edit,
    )


class PublicPages(Controller):
    @get("/", sync_to_thread=True)
    def home(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        q: FromQuery[str] = "",
        phase: FromQuery[str] = "",
        category: FromQuery[str] = "",
        language: FromQuery[str] = "",
        sort: FromQuery[str] = "closing",
        cursor: FromQuery[str] = "",
    ) -> Response[str]:
        if phase and phase not in PHASES:
            raise ValidationException("unknown phase")
        if sort not in participants.SORTS:
            raise ValidationException("unknown sort")
        if language and language not in i18n.LOCALES:
            raise ValidationException("unknown language")
        # The rules the texts were recorded under: no NUL byte reaches a query (a 400).
        search = check_text(q[: TEXTS["search"].max_length], "search", "q")
        if category:
            check_text(category, "category")
        db = pages.reads.db()
        try:
            page = participants.open_challenges(
                db,
                now=pages.openinno.clock.now(),
                search=search,
                phases=(phase,) if phase else ("open", "upcoming"),
                category=category or None,
                language=language or None,
                sort=sort,
                limit=PAGE_SIZE,
                cursor=cursor or None,
            )
        except (ValueError, binascii.Error, json.JSONDecodeError, TypeError):
            raise ValidationException("bad cursor") from None
        filters = {"q": q, "phase": phase, "category": category, "language": language, "sort": sort}
        context: dict[str, Any] = {
            "page": page,
            "paged": paging.Paged(page.items, cursor, page.next_cursor),
            "filters": filters,
            "params": {k: v for k, v in filters.items() if v},
            "cursor": cursor,
            "phases": PHASE_LABELS,
            "sorts": SORT_LABELS,
            "categories": queries.categories(db),
            "phase_of": phase_of,
        }
        headers = {"Vary": "HX-Request"}
        if is_htmx(request):
            return pages.render(
                request, "partials/catalogue.html", viewer, headers=headers, **context
            )
        return pages.render(request, "home.html", viewer, headers=headers, **context)

    @get("/challenges/{challenge_id:uuid}", sync_to_thread=True)
    def challenge(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Response[str]:
        return render_challenge(request, pages, viewer, challenge_id)

    @get("/challenges/{challenge_id:uuid}/terms", sync_to_thread=True)
    def terms(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Response[str]:
        """The published terms exactly as hashed: the canonical JSON and its SHA-256."""
        challenge = pages.openinno.get_challenge(challenge_id, viewer.account_id)
        if challenge.terms is None or challenge.terms_sha256 is None:
            raise NotFoundException()
        terms = challenge.terms
        template = TEMPLATES[(terms.ip_template, terms.ip_template_version)]
        return pages.render(
            request,
            "terms.html",
            viewer,
            challenge=challenge,
            spec=terms.spec,
            ip_template=template,
            # Beside the binding text, a translation for reading (never binding).
            reading=reading_translation(
                terms.ip_template, terms.ip_template_version, template.language, viewer.locale
            ),
            document=pages.openinno.terms_document(challenge).decode(),
            terms_sha256=challenge.terms_sha256,
        )

    @get("/challenges/{challenge_id:uuid}/terms.json", sync_to_thread=True)
    def terms_json(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Response[bytes]:
        """The terms' canonical JSON, the exact bytes their SHA-256 covers (so that
        ``sha256sum`` of the download is the hash the solver accepted)."""
        challenge = pages.openinno.get_challenge(challenge_id, viewer.account_id)
        if challenge.terms is None or challenge.terms_sha256 is None:
            raise NotFoundException()
        return Response(
            pages.openinno.terms_document(challenge),
            media_type="application/json",
            headers={
                "ETag": f'"{challenge.terms_sha256}"',
                "Content-Disposition": f'inline; filename="terms-{challenge_id}.json"',
            },
        )

    @get("/challenges/{challenge_id:uuid}/gallery", sync_to_thread=True)
    def gallery(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        cursor: FromQuery[str] = "",
    ) -> Response[str]:
        db = pages.reads.db()
        page = participants.challenge_page(db, challenge_id)
        # Keyset paging in SQL: one page of a 150,000-entry gallery is read, not all.
        size = paging.PAGE_SIZE
        rows = participants.public_gallery_page(
            db, challenge_id, after=_gallery_after(cursor), limit=size + 1
        )
        if page is None or rows is None:
            raise NotFoundException()
        from web.pages.solvers import vote_of

        entries = paging.keyset(rows, cursor, size, participants.gallery_key)
        app = pages.openinno
        challenge = app.get_challenge(challenge_id, viewer.account_id)
        now = app.clock.now()
        voting: dict[str, bool] = {}
        supported: dict[str, bool] = {}
        # The sponsor's own members and the challenge's reviewers (invited or accepted)
        # may not support (the application refuses them): no button to press, but a
        # vote cast before they joined can still be withdrawn.
        member = viewer.account_id is not None and (
            app.get_organisation(challenge.organisation_id).role_of(viewer.account_id) is not None
            or viewer.account_id in challenge.invited_reviewers
        )
        for e in entries.items:
            vote = vote_of(app, viewer.account_id, UUID(e["submission_id"]))
            supported[e["submission_id"]] = vote is not None and vote.active
            # A vote the sponsor voided is never cast again (issue 24): no button.
            voided = vote is not None and getattr(vote, "voided", False)
            try:
                challenge.require_voting_open(UUID(e["submission_id"]), now)
                voting[e["submission_id"]] = not voided and (
                    not member or supported[e["submission_id"]]
                )
            except DomainError:
                voting[e["submission_id"]] = False
        return pages.render_list(
            request,
            "gallery.html",
            "entries",
            viewer,
            c=page,
            entries=entries,
            voting=voting,
            supported=supported,
            files={
                str(k): v
                for k, v in app.entry_files(
                    viewer.account_id, [UUID(e["submission_id"]) for e in entries.items]
                ).items()
            },
        )

    @post("/language", sync_to_thread=True)
    def language(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        """The header's language switch: kept in the session (the profile keeps the default)."""
        locale = one(data, "locale")
        if locale not in i18n.LOCALES:
            raise ValidationException("unknown language")
        request.session[sessions.LOCALE] = locale
        return Redirect(safe_next(one(data, "next")), status_code=303)
