"""Teams (issue 21): form one for a challenge, invite by e-mail address or account id,
accept (with the challenge's terms) or decline, leave; the lead removes members and
hands the lead over.  A team is seen by its members and invitees only: to anyone
else every route here answers 404, as for a team that does not exist.

Inviting never looks an address or id up: the answer is the same whether it belongs
to an account or not.  Enter for a team with ``team_id`` on
``POST /challenges/{challenge_id}/submissions``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno
from openinno.domain.team import MAX_NAME_LENGTH, MAX_PENDING_INVITATIONS, Team
from projections.participants import queries as participants
from projections.values import parse_iso
from web.api.auth import SECURITY, signed_in
from web.api.common import Strict, Written, body_example
from web.api.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_key, encode_cursor
from web.api.problems import problem_spec
from web.api.reads import PARTICIPANTS, ApiReads, MinPosition

Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
Invitee = Annotated[
    str,
    msgspec.Meta(
        max_length=320,
        description="An e-mail address, or an account id (a UUID).",
        examples=["ana@example.org"],
    ),
]
Invitees = Annotated[list[Invitee], msgspec.Meta(max_length=MAX_PENDING_INVITATIONS)]


class NewTeam(Strict):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME_LENGTH)]
    invitees: Invitees = []


class NewInvitations(Strict):
    invitees: Annotated[
        list[Invitee], msgspec.Meta(min_length=1, max_length=MAX_PENDING_INVITATIONS)
    ]


class AcceptBody(Strict):
    accepted_terms_sha256: Sha256


class NewLead(Strict):
    account_id: UUID


class MemberView(msgspec.Struct, frozen=True):
    account_id: UUID
    lead: bool
    # When they accepted the challenge's terms (None: the lead, not yet).
    accepted_terms_at: datetime | None


class InvitationView(msgspec.Struct, frozen=True, omit_defaults=True):
    account_id: UUID | None = None
    email: str | None = None


class TeamView(msgspec.Struct, frozen=True):
    id: UUID
    challenge_id: UUID
    name: str
    lead_id: UUID | None
    members: list[MemberView]
    # To members only (an invitee sees the team, not who else is invited):
    invitations: list[InvitationView] | None = None
    entry_ids: list[UUID] | None = None
    # To an invitee: that this team is waiting for their answer.
    invited: bool = False


def team_view(openinno: OpenInno, viewer: UUID, team: Team) -> TeamView:
    member = viewer in team.member_ids
    return TeamView(
        id=team.id,
        challenge_id=team.challenge_id,
        name=team.name,
        lead_id=team.lead_id,
        members=[
            MemberView(m, m == team.lead_id, team.terms_accepted.get(m)) for m in team.member_ids
        ],
        invitations=(
            [InvitationView(account_id=a) for a in team.invited_ids]
            + [InvitationView(email=e) for e in team.invited_emails]
            if member
            else None
        ),
        entry_ids=list(team.entry_ids) if member else None,
        invited=not member,
    )


@post(
    "/challenges/{challenge_id:uuid}/teams",
    tags=["teams"],
    summary="Form a team for a challenge (you lead it) and invite people",
    description=(
        "Invitees are e-mail addresses or account ids, recorded as sent: whether one "
        "belongs to an account is never looked up, so the answer is the same either way. "
        "Nobody is on the team until they accept. You are on at most one team per challenge."
    ),
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(
        {
            "name": "Lever lab",
            "invitees": ["ana@example.org", "0b7e6a54-2f1c-4d8e-9a3b-5c6d7e8f9a0b"],
        }
    ),
)
@signed_in
def form_team(
    challenge_id: FromPath[UUID],
    data: JSONBody[NewTeam],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.form_team(actor, challenge_id, data.name, data.invitees)
    return Written(recorded.id, recorded.position)


@get(
    "/teams/{team_id:uuid}",
    tags=["teams"],
    summary="A team you are on or invited to",
    security=SECURITY,
    responses=problem_spec(401, 404),
    sync_to_thread=True,
)
@signed_in
def get_team(
    team_id: FromPath[UUID], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> TeamView:
    return team_view(openinno, actor, openinno.get_team(actor, team_id))


class MyTeam(msgspec.Struct, frozen=True):
    team_id: UUID
    name: str
    challenge_id: UUID
    challenge_title: str | None
    closes_at: datetime | None
    # "member": you are on it; "invited": it waits for your answer.
    state: str
    # When you joined, or were invited.
    since: datetime
    lead: bool


class MyTeams(msgspec.Struct, frozen=True):
    items: list[MyTeam]
    next_cursor: str | None


@get(
    "/teams",
    tags=["teams"],
    summary="Your teams, and the invitations waiting for your answer",
    description=(
        "Teams you are on and open invitations (to your account id or to your e-mail "
        "address), latest first, keyset-paged. Invitations to challenges that have "
        "closed, and disbanded teams, are left out."
    ),
    security=SECURITY,
    responses=problem_spec(401, 422, 503),
    sync_to_thread=True,
)
@signed_in
def list_my_teams(
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    min_position: MinPosition = None,
) -> MyTeams:
    kind = "teams:mine"
    key = decode_key(kind, cursor, (str, str))
    after = None if key is None else (key[0], key[1])
    email = openinno.get_account(actor).email
    db = reads.at_least(openinno, min_position, PARTICIPANTS)
    page = participants.my_teams_and_invitations(
        db, actor, email, after=after, limit=limit, now=openinno.clock.now()
    )
    items = [
        MyTeam(
            team_id=UUID(r["team_id"]),
            name=r["name"],
            challenge_id=UUID(r["challenge_id"]),
            challenge_title=r["challenge_title"],
            closes_at=parse_iso(r["closes_at"]) if r["closes_at"] else None,
            state=r["state"],
            since=parse_iso(r["since"]),
            lead=r["lead"],
        )
        for r in page.items
    ]
    next_cursor = None if page.next_after is None else encode_cursor(kind, page.next_after)
    return MyTeams(items, next_cursor)


@post(
    "/teams/{team_id:uuid}/invitations",
    tags=["teams"],
    summary="Invite more people to your team (the lead)",
    description="The same answer whether an address or id belongs to an account or not.",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example({"invitees": ["bo@example.org"]}),
)
@signed_in
def invite_to_team(
    team_id: FromPath[UUID],
    data: JSONBody[NewInvitations],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.invite_to_team(actor, team_id, data.invitees)
    return Written(recorded.id, recorded.position)


@delete(
    "/teams/{team_id:uuid}/invitations/{invitee:str}",
    tags=["teams"],
    summary="Cancel a pending invitation (the lead)",
    description=(
        "`invitee`: the e-mail address or account id the invitation was sent to. The "
        "invitee can no longer accept it, or see the team. Not an open invitation: 409."
    ),
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
)
@signed_in
def cancel_team_invitation(
    team_id: FromPath[UUID],
    invitee: FromPath[str],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.cancel_team_invitation(actor, team_id, invitee[:320])
    return Written(recorded.id, recorded.position)


@post(
    "/teams/{team_id:uuid}/accept",
    tags=["teams"],
    summary="Join a team that invited you, accepting the challenge's terms",
    description=(
        "Send the challenge's published `terms_sha256`. The team's live entries count "
        "against your own limit from now on (refused at the limit, with nothing recorded); "
        "you are an author of the versions recorded while you are on the team."
    ),
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(
        {
            "accepted_terms_sha256": "3b5d7f9a1c2e4b6d8f0a2c4e6b8d0f1a3c5e7b9d1f2a4c6e8b0d2f4a6c8e0b1d"
        }
    ),
)
@signed_in
def accept_team_invitation(
    team_id: FromPath[UUID],
    data: JSONBody[AcceptBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.accept_team_invitation(actor, team_id, data.accepted_terms_sha256)
    return Written(recorded.id, recorded.position)


@post(
    "/teams/{team_id:uuid}/decline",
    tags=["teams"],
    summary="Decline an invitation to a team (nothing else changes)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409),
    sync_to_thread=True,
)
@signed_in
def decline_team_invitation(
    team_id: FromPath[UUID], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> Written:
    recorded = openinno.decline_team_invitation(actor, team_id)
    return Written(recorded.id, recorded.position)


@post(
    "/teams/{team_id:uuid}/leave",
    tags=["teams"],
    summary="Leave a team, before the deadline",
    description=(
        "You stay an author of the versions you co-submitted, and are an author of none "
        "recorded after. The lead hands the lead over first (or leaves alone, disbanding it)."
    ),
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409),
    sync_to_thread=True,
)
@signed_in
def leave_team(
    team_id: FromPath[UUID], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> Written:
    recorded = openinno.leave_team(actor, team_id)
    return Written(recorded.id, recorded.position)


@delete(
    "/teams/{team_id:uuid}/members/{account_id:uuid}",
    tags=["teams"],
    summary="Remove a member from your team (the lead), before the deadline",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409),
    sync_to_thread=True,
)
@signed_in
def remove_team_member(
    team_id: FromPath[UUID],
    account_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.remove_team_member(actor, team_id, account_id)
    return Written(recorded.id, recorded.position)


@post(
    "/teams/{team_id:uuid}/lead",
    tags=["teams"],
    summary="Hand the lead over to a member who accepted the terms (the lead)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example({"account_id": "0b7e6a54-2f1c-4d8e-9a3b-5c6d7e8f9a0b"}),
)
@signed_in
def hand_over_team_lead(
    team_id: FromPath[UUID],
    data: JSONBody[NewLead],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.hand_over_team_lead(actor, team_id, data.account_id)
    return Written(recorded.id, recorded.position)


HANDLERS = [
    form_team,
    list_my_teams,
    get_team,
    invite_to_team,
    cancel_team_invitation,
    accept_team_invitation,
    decline_team_invitation,
    leave_team,
    remove_team_member,
    hand_over_team_lead,
]
