"""The admins' pages (accounts made with `openinno admin create`): where each
projection stands (position, lag in events and seconds) and how many events of
each type the log holds; the accounts directory, searched by address or name,
with deactivation and reactivation (a reason each).  Anyone else gets a 404.
Moderation happens where the content is: the hide form under each question on a
challenge's page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect

from openinno.domain.errors import DomainError, NotFound
from projections.accounts.queries import account_row, accounts_directory_page
from projections.admin.projection import event_counts
from projections.db import Row
from projections.decisions.queries import KINDS, decisions_page
from projections.legal import queries as legal
from projections.registry import ALL
from projections.status import standings
from web.pages import paging
from web.pages.base import N_, Form, Pages, Viewer, require_signed_in, status_for
from web.pages.forms import values

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
# The account forms: the command each posts to, the notice after it.
ACCOUNT_ACTIONS = {
    "deactivate": ("deactivate_account", "deactivated=1"),
    "reactivate": ("reactivate_account", "reactivated=1"),
    "grant-admin": ("grant_admin", "granted=1"),
    "revoke-admin": ("revoke_admin", "revoked=1"),
    # Personal data (issue 26, decision 0032): erased on the person's behalf, with a reason.
    "erasure": ("erase_personal_data", "erased=1"),
}
# Role changes take no reason (the decisions log records who changed what, when).
WITHOUT_REASON = ("grant-admin", "revoke-admin")


# What each kind of decision is called on the audit page.
DECISION_LABELS = {
    "account_deactivated": N_("Account deactivated"),
    "account_reactivated": N_("Account reactivated"),
    "role_granted": N_("Role granted"),
    "role_revoked": N_("Role revoked"),
    "member_removed": N_("Member removed from an organisation"),
    "challenge_cancelled": N_("Challenge cancelled"),
    "question_hidden": N_("Question hidden"),
    "entry_disqualified": N_("Entry disqualified"),
    "agreement_disputed": N_("Agreement disputed"),
    "agreement_rescinded": N_("Agreement rescinded"),
    "vote_voided": N_("Vote voided"),
    "appeal_upheld": N_("Appeal upheld"),
    "appeal_rejected": N_("Appeal rejected"),
    "entry_reinstated": N_("Entry reinstated"),
    "question_restored": N_("Question shown again"),
    "entry_hidden": N_("Entry hidden"),
    "entry_shown": N_("Entry shown again"),
    "announcement_hidden": N_("Announcement hidden"),
    "winners_reawarded": N_("Places awarded again"),
    "award_revoked": N_("Award revoked"),
}
assert set(DECISION_LABELS) == set(KINDS)


def _newest_first(cursor: str, fetch: Callable[[int | None, int], Sequence[Row]]) -> paging.Paged:
    """One page of a list keyed by log position, newest first (the directory, the
    decisions): ``fetch(after, limit)`` reads it."""
    after = paging.decode(cursor) if cursor else None
    if after is not None and (len(after) != 1 or not isinstance(after[0], int)):
        raise NotFound("No such page.")
    rows = fetch(None if after is None else after[0], paging.PAGE_SIZE + 1)
    return paging.keyset(rows, cursor, paging.PAGE_SIZE, lambda r: (int(r["position"]),))


def _require_admin(viewer: Viewer) -> UUID:
    actor = require_signed_in(viewer)
    if not viewer.is_admin:
        raise NotFound("No such page.")
    return actor


NO_STORE = CacheControlHeader(no_store=True)


class AdminPages(Controller):
    cache_control = NO_STORE

    @get("/admin", sync_to_thread=True)
    def status(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
    ) -> Response[str]:
        _require_admin(viewer)
        app = pages.openinno
        db = pages.reads.db()
        rows = standings(db, app.recorder, app.mapper.to_domain_event, [p.name for p in ALL])
        return pages.render(request, "admin.html", viewer, standings=rows, counts=event_counts(db))

    def _accounts(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        q: str,
        cursor: str,
        form: Form,
        status: int = 200,
    ) -> Response[str]:
        paged = _newest_first(
            cursor,
            lambda after, limit: accounts_directory_page(
                pages.reads.db(), search=q[:200], after=after, limit=limit
            ),
        )
        return pages.render(
            request,
            "admin_accounts.html",
            viewer,
            status_code=status,
            paged=paged,
            q=q,
            form=form,
            empty_form=Form(),
        )

    @get("/admin/accounts", sync_to_thread=True)
    def accounts(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        q: FromQuery[str] = "",
        cursor: FromQuery[str] = "",
    ) -> Response[str]:
        _require_admin(viewer)
        return self._accounts(request, pages, viewer, q, cursor, Form())

    @get("/admin/accounts/{account_id:uuid}", sync_to_thread=True)
    def account(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        account_id: FromPath[UUID],
    ) -> Response[str]:
        """One account for the admins (issue 24): its standing and the reason, and its
        history, every event of its stream (secrets redacted by the read model), with
        who caused each; the actions are the directory's forms."""
        _require_admin(viewer)
        db = pages.reads.db()
        row = account_row(db, str(account_id))
        if row is None:
            raise NotFound("No such page.")
        history = legal.stream_history(db, account_id)
        names: dict[str, str] = {}
        for event in history:
            who = event["actor_id"]
            if who and who not in names:
                found = account_row(db, who)
                names[who] = found["display_name"] if found else ""
        return pages.render(
            request,
            "admin_account.html",
            viewer,
            account=row,
            history=history,
            names=names,
            form=Form(),
            empty_form=Form(),
            q=row["email"],
        )

    @post("/admin/accounts/{account_id:uuid}/{action:str}", sync_to_thread=True)
    def account_action(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        account_id: FromPath[UUID],
        action: FromPath[str],
        data: FORM,
    ) -> Any:
        actor = _require_admin(viewer)
        if action not in ACCOUNT_ACTIONS:
            raise NotFound("No such page.")
        command, notice = ACCOUNT_ACTIONS[action]
        form = Form(values={**values(data, "reason", "q"), "account_id": str(account_id)})
        try:
            run = getattr(pages.openinno, command)
            if action in WITHOUT_REASON:
                recorded = run(actor, account_id)
            else:
                recorded = run(actor, account_id, form.values["reason"])
        except DomainError as e:
            form.fail(e)
            q = form.values["q"]
            return self._accounts(request, pages, viewer, q, "", form, status_for(e))
        pages.reads.wait(recorded.position)
        return Redirect(f"/admin/accounts?{notice}", status_code=303)

    @get("/admin/decisions", sync_to_thread=True)
    def decisions(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        kind: FromQuery[str] = "",
        cursor: FromQuery[str] = "",
    ) -> Response[str]:
        """Every decision that took something back or changed a role, newest first:
        who, what, about which stream (linked to its history), and why."""
        _require_admin(viewer)
        if kind and kind not in DECISION_LABELS:
            kind = ""
        paged = _newest_first(
            cursor,
            lambda after, limit: decisions_page(
                pages.reads.db(), kind=kind or None, after=after, limit=limit
            ),
        )
        return pages.render(
            request,
            "admin_decisions.html",
            viewer,
            paged=paged,
            kind=kind,
            labels=DECISION_LABELS,
        )
