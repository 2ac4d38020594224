"""Team pages (issue 21): form a team for a challenge, invite people by e-mail address
or account id, accept (ticking the challenge's terms) or decline, leave; the lead
removes members and hands the lead over.  A team's page is seen by its members and
invitees only (to anyone else: not found).  The lead shares the page's address with
the people invited; each answers there for themselves."""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect

from openinno.application import OpenInno
from openinno.domain.challenge import Challenge
from openinno.domain.errors import NOT_FOUND, DomainError, InvalidInput, NotFound
from openinno.domain.team import Team
from web.pages.base import N_, Form, Pages, Viewer, require_signed_in, status_for
from web.pages.forms import one

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
NO_STORE = CacheControlHeader(no_store=True)
_SEPARATORS = re.compile(r"[\s,;]+")


def invitees_of(text: str) -> list[str]:
    """E-mail addresses or account ids, one per line (or separated by commas)."""
    return [part for part in _SEPARATORS.split(text) if part]


def _name_of(openinno: OpenInno, account_id: UUID) -> str:
    try:
        return openinno.get_account(account_id).display_name
    except NotFound:
        return str(account_id)


def _published(openinno: OpenInno, challenge_id: UUID, viewer: Viewer) -> Challenge:
    challenge = openinno.get_challenge(challenge_id, viewer.account_id)
    if challenge.terms is None:
        raise NotFound(NOT_FOUND["challenge"], id=str(challenge_id))
    return challenge


class TeamPages(Controller):
    cache_control = NO_STORE

    # --- forming a team -------------------------------------------------------------------

    def _new_form(
        self, request: Request[Any, Any, Any], pages: Pages, viewer: Viewer, challenge: Challenge,
        form: Form, status: int,
    ) -> Response[str]:  # fmt: skip
        return pages.render(
            request, "team_new.html", viewer, status_code=status, challenge=challenge, form=form
        )

    @get("/challenges/{challenge_id:uuid}/teams/new", sync_to_thread=True)
    def new_team(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Response[str]:
        require_signed_in(viewer)
        challenge = _published(pages.openinno, challenge_id, viewer)
        return self._new_form(request, pages, viewer, challenge, Form(), 200)

    @post("/challenges/{challenge_id:uuid}/teams", sync_to_thread=True)
    def form_team(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        actor = require_signed_in(viewer)
        challenge = _published(pages.openinno, challenge_id, viewer)
        form = Form(values={"name": one(data, "name"), "invitees": one(data, "invitees")})
        try:
            recorded = pages.openinno.form_team(
                actor, challenge_id, form.values["name"], invitees_of(form.values["invitees"])
            )
        except DomainError as e:
            form.fail(e)
            return self._new_form(request, pages, viewer, challenge, form, status_for(e))
        return Redirect(f"/teams/{recorded.id}?formed=1", status_code=303)

    # --- a team's page ----------------------------------------------------------------------

    def _page(
        self, request: Request[Any, Any, Any], pages: Pages, viewer: Viewer, team: Team,
        invite: Form | None = None, error: str = "", status: int = 200,
    ) -> Response[str]:  # fmt: skip
        openinno = pages.openinno
        actor = viewer.account_id
        assert actor is not None
        challenge = openinno.get_challenge(team.challenge_id, actor)
        members = [
            {
                "id": m,
                "name": _name_of(openinno, m),
                "lead": m == team.lead_id,
                "accepted_at": team.terms_accepted.get(m),
            }
            for m in team.member_ids
        ]
        on_team = actor in team.member_ids
        entries = []
        if on_team:
            for entry_id in team.entry_ids:
                entry = openinno.get_submission(actor, entry_id)
                entries.append({"id": entry_id, "title": entry.content.title})
        return pages.render(
            request,
            "team.html",
            viewer,
            status_code=status,
            team=team,
            challenge=challenge,
            members=members,
            on_team=on_team,
            is_lead=actor == team.lead_id,
            invited=not on_team,
            entries=entries,
            invite=invite or Form(),
            error=error,
        )

    def _team(self, pages: Pages, actor: UUID, team_id: UUID) -> Team:
        return pages.openinno.get_team(actor, team_id)

    @get("/teams/{team_id:uuid}", sync_to_thread=True)
    def team(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        team_id: FromPath[UUID],
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        return self._page(request, pages, viewer, self._team(pages, actor, team_id))

    def _act(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        team_id: UUID,
        command: Any,
        done: str,
    ) -> Any:
        """Run a command on the team; on a refusal (not NotFound), the team's page with
        the reason above it."""
        actor = require_signed_in(viewer)
        try:
            command(actor)
        except NotFound:
            raise
        except DomainError as e:
            team = self._team(pages, actor, team_id)
            return self._page(
                request, pages, viewer, team, error=pages.say(viewer, e), status=status_for(e)
            )
        return Redirect(done, status_code=303)

    @post("/teams/{team_id:uuid}/invitations", sync_to_thread=True)
    def invite(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        team_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        actor = require_signed_in(viewer)
        form = Form(values={"invitees": one(data, "invitees")})
        try:
            pages.openinno.invite_to_team(actor, team_id, invitees_of(form.values["invitees"]))
        except NotFound:
            raise
        except DomainError as e:
            form.fail(e)
            team = self._team(pages, actor, team_id)
            return self._page(request, pages, viewer, team, invite=form, status=status_for(e))
        return Redirect(f"/teams/{team_id}?invited=1", status_code=303)

    @post("/teams/{team_id:uuid}/invitations/cancel", sync_to_thread=True)
    def cancel_invitation(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        team_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        invitee = one(data, "invitee")[:320]
        return self._act(
            request,
            pages,
            viewer,
            team_id,
            lambda actor: pages.openinno.cancel_team_invitation(actor, team_id, invitee),
            f"/teams/{team_id}?cancelled=1",
        )

    @post("/teams/{team_id:uuid}/accept", sync_to_thread=True)
    def accept(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        team_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        def command(actor: UUID) -> None:
            self._team(pages, actor, team_id)  # to anyone not invited: not found
            if one(data, "accept") != "yes":
                raise InvalidInput(
                    pages.gettext(viewer, N_("Read the terms and tick the box to accept them.")),
                    field="accept",
                )
            pages.openinno.accept_team_invitation(
                actor, team_id, one(data, "accepted_terms_sha256")
            )

        return self._act(request, pages, viewer, team_id, command, f"/teams/{team_id}?accepted=1")

    @post("/teams/{team_id:uuid}/decline", sync_to_thread=True)
    def decline(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        team_id: FromPath[UUID],
    ) -> Any:
        return self._act(
            request,
            pages,
            viewer,
            team_id,
            lambda actor: pages.openinno.decline_team_invitation(actor, team_id),
            "/submissions/mine?declined=1",
        )

    @post("/teams/{team_id:uuid}/leave", sync_to_thread=True)
    def leave(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        team_id: FromPath[UUID],
    ) -> Any:
        return self._act(
            request,
            pages,
            viewer,
            team_id,
            lambda actor: pages.openinno.leave_team(actor, team_id),
            "/submissions/mine?left=1",
        )

    @post("/teams/{team_id:uuid}/members/{account_id:uuid}/remove", sync_to_thread=True)
    def remove(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        team_id: FromPath[UUID],
        account_id: FromPath[UUID],
    ) -> Any:
        return self._act(
            request,
            pages,
            viewer,
            team_id,
            lambda actor: pages.openinno.remove_team_member(actor, team_id, account_id),
            f"/teams/{team_id}",
        )

    @post("/teams/{team_id:uuid}/members/{account_id:uuid}/lead", sync_to_thread=True)
    def hand_over(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        team_id: FromPath[UUID],
        account_id: FromPath[UUID],
    ) -> Any:
        return self._act(
            request,
            pages,
            viewer,
            team_id,
            lambda actor: pages.openinno.hand_over_team_lead(actor, team_id, account_id),
            f"/teams/{team_id}",
        )
