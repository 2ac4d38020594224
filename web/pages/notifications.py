"""The notification centre: the viewer's own notifications, newest first, marked read
one by one or all at once; the unread count that the header polls (htmx, a small
fragment); e-mail settings per kind; and the one-click unsubscribe of RFC 8058."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect

from openinno.domain.errors import DomainError
from openinno.domain.notices import KINDS, MAIL_MODES
from projections.notifications import queries as notifications
from web.pages import notices
from web.pages.base import N_, Pages, Viewer, require_signed_in
from web.pages.csrf import EXCLUDED
from web.pages.forms import one
from web.unsubscribe import read_token

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
NO_STORE = CacheControlHeader(no_store=True)
PAGE_SIZE = 30

KIND_NAMES = {
    "reviewer_invited": N_("Invitations to review"),
    "question_answered": N_("Answers to my questions"),
    "question_hidden": N_("Moderation of my questions"),
    "announcement": N_("Announcements on challenges I entered"),
    "deadline_moved": N_("Deadlines moved"),
    "shortlisted": N_("My entries shortlisted"),
    "awarded": N_("My entries awarded"),
    "agreement_to_sign": N_("Agreements to sign"),
    "agreement_to_countersign": N_("Agreements to countersign"),
    "payment_recorded": N_("Payments recorded"),
    "transfer_done": N_("Rights transferred"),
    "team_invitation": N_("Team invitations"),
    "closing_soon": N_("Reminders: a challenge closes and my draft is not submitted"),
    "review_due": N_("Reminders: review ends and entries await my scores"),
    "signature_pending": N_("Reminders: an agreement awaits my signature"),
    "review_assigned": N_("New entries to review"),
    "rereview_needed": N_("Entries to review again"),
    "appeal_filed": N_("Appeals filed on my organisation's challenges"),
    "appeal_answered": N_("Answers in appeals I take part in"),
    "appeal_decided": N_("Decisions on my appeals"),
    "entry_hidden": N_("Moderation of my entries"),
    "entry_disqualified": N_("Disqualifications of my entries"),
    "award_revoked": N_("Places of my entries awarded again"),
    "vote_voided": N_("My votes voided"),
    "member_removed": N_("Removals from organisations"),
}
MODE_NAMES = {
    "instant": N_("E-mail at once"),
    "off": N_("No e-mail"),
    "daily": N_("Daily digest"),
}


def _before(value: str) -> tuple[int, str] | None:
    position, _, kind = value.partition(".")
    if position.isdigit() and kind in KINDS and len(position) <= 18:
        return int(position), kind
    return None


class NotificationPages(Controller):
    cache_control = NO_STORE

    @get("/notifications", sync_to_thread=True)
    def centre(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        before: FromQuery[str] = "",
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        db = pages.reads.db()
        rows = notifications.page(db, actor, before=_before(before), limit=PAGE_SIZE + 1)
        items = [
            {
                "id": f"{r['position']}.{r['kind']}",
                "text": notices.text(r, viewer.locale, viewer.time_zone),
                "link": notices.link(r),
                "read": bool(r["is_read"]),
                "created_at": r["created_at"],
            }
            for r in rows[:PAGE_SIZE]
        ]
        older = items[-1]["id"] if len(rows) > PAGE_SIZE else ""
        return pages.render(
            request,
            "notifications.html",
            viewer,
            items=items,
            older=older,
            unread=notifications.unread_count(db, actor),
            newest=notifications.latest_position(db, actor),
            preferences=pages.openinno.notification_preferences(actor),
            kind_names=KIND_NAMES,
            mode_names=MODE_NAMES,
        )

    @get("/notifications/badge", sync_to_thread=True)
    def badge(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
    ) -> Response[str]:
        """The header's link with the unread count: what the header polls."""
        unread = 0
        if viewer.account_id is not None:
            unread = notifications.unread_count(pages.reads.db(), viewer.account_id)
        return pages.render(request, "notification_badge.html", viewer, unread=unread)

    @post("/notifications/read", sync_to_thread=True)
    def mark_read(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        data: FORM,
    ) -> Redirect:
        actor = require_signed_in(viewer)
        db = pages.reads.writable()  # the primary's, when reads go to a replica
        up_to = one(data, "up_to")
        if up_to.isdigit() and len(up_to) <= 18:
            notifications.mark_all_read(db, actor, int(up_to))
        else:
            key = _before(one(data, "id"))
            if key is not None:
                notifications.mark_read(db, actor, [key])
        return Redirect("/notifications", status_code=303)

    @post("/notifications/preferences", sync_to_thread=True)
    def preferences(
        self,
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        data: FORM,
    ) -> Redirect:
        actor = require_signed_in(viewer)
        for kind in KINDS:
            mode = one(data, kind)
            if mode in MAIL_MODES:
                pages.openinno.set_notification_preference(actor, kind, mode)
        return Redirect("/notifications?saved=1", status_code=303)

    # --- one-click unsubscribe (RFC 8058) -----------------------------------------------

    def _unsubscribe_page(
        self, request: Request[Any, Any, Any], pages: Pages, viewer: Viewer, token: str,
        done: bool,
    ) -> Response[str]:  # fmt: skip
        found = read_token(pages.config.resolve_secret(pages.openinno.settings), token)
        if found is None:
            return pages.render(
                request, "unsubscribe.html", viewer, status_code=404, valid=False, token=token
            )
        account_id, kind = found
        if done:
            # A deactivated account (DomainError) gets no mail anyway.
            with contextlib.suppress(DomainError):
                pages.openinno.set_notification_preference(
                    account_id, kind, "off", unsubscribed=True
                )
        return pages.render(
            request,
            "unsubscribe.html",
            viewer,
            valid=True,
            done=done,
            token=token,
            kind_name=KIND_NAMES[kind],
        )

    @get("/notifications/unsubscribe/{token:str}", sync_to_thread=True)
    def unsubscribe_form(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        token: FromPath[str],
    ) -> Response[str]:
        # A GET changes nothing (mail scanners follow links): the page asks to confirm.
        return self._unsubscribe_page(request, pages, viewer, token, done=False)

    @post("/notifications/unsubscribe/{token:str}", sync_to_thread=True, opt=EXCLUDED)
    def unsubscribe(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        token: FromPath[str],
    ) -> Response[str]:
        """The one-click POST (``List-Unsubscribe=One-Click``) a mail client sends, or
        the confirmation page's button.  No CSRF token: the signed token in the path is
        the authority, and it can only turn e-mails of one kind off."""
        return self._unsubscribe_page(request, pages, viewer, token, done=True)
