"""Remedies and the admins' accounts directory (issue 24): cancel a challenge,
disqualify an entry, dispute or rescind an agreement, deactivate or reactivate an
account, each with a reason.  Who may do which is the application's rule
(``openinno.commands.remedies``); these routes only carry it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from openinno.application import OpenInno
from openinno.domain.errors import AccessDenied, InvalidInput
from openinno.domain.limits import TEXTS
from projections.accounts import queries as accounts
from projections.decisions import queries as decisions
from projections.values import parse_iso
from web.api.access import is_admin
from web.api.auth import SECURITY, signed_in
from web.api.common import Strict, Written, body_example
from web.api.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_key, keyset_page
from web.api.problems import problem_spec
from web.api.reads import ApiReads, MinPosition

Reason = Annotated[
    str,
    msgspec.Meta(
        max_length=TEXTS["reason"].max_length,
        description="Why: shown to the people the decision affects.",
    ),
]


class ReasonBody(Strict):
    reason: Reason


def _remedy(path: str, summary: str, example: str) -> Any:
    return post(
        path,
        summary=summary,
        status_code=200,
        responses=problem_spec(401, 403, 404, 409, 422),
        security=SECURITY,
        sync_to_thread=True,
        tags=["remedies"],
        operation_class=body_example({"reason": example}),
    )


@_remedy(
    "/submissions/{submission_id:uuid}/disqualify",
    "Disqualify an entry (the sponsor's owners and managers before the award; admins)",
    "The design copies a catalogue product.",
)
@signed_in
def disqualify(
    submission_id: FromPath[UUID],
    data: JSONBody[ReasonBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.disqualify_submission(actor, submission_id, data.reason)
    return Written(recorded.id, recorded.position)


@_remedy(
    "/challenges/{challenge_id:uuid}/cancel",
    "Cancel a challenge (the sponsor's owners and managers before submissions open; admins)",
    "The budget for this campaign was withdrawn.",
)
@signed_in
def cancel(
    challenge_id: FromPath[UUID],
    data: JSONBody[ReasonBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.cancel_challenge(actor, challenge_id, data.reason)
    return Written(recorded.id, recorded.position)


class ReawardPlace(Strict):
    submission_id: UUID
    place: int


class ReawardBody(Strict):
    awards: Annotated[list[ReawardPlace], msgspec.Meta(min_length=1, max_length=100)]
    reason: Reason
    appeal_id: (
        Annotated[
            UUID,
            msgspec.Meta(
                description="An upheld appeal of the scores on this challenge, which opens"
                " every place; without it only places whose winner is disqualified for"
                " good (appeal decided, or the terms' window passed) may be given anew."
            ),
        ]
        | None
    ) = None


class Reawarded(msgspec.Struct, frozen=True):
    id: UUID
    position: int
    agreement_ids: list[UUID]


@post(
    "/challenges/{challenge_id:uuid}/reaward",
    summary="Award places again after the award (the sponsor's owners and managers; admins)",
    description="Each place given replaces its award: the old agreement is rescinded with"
    " the reason and a new one drafted for the new winner, as an award's are (decision"
    " 0030). A winner given another place gives up the one it held.",
    status_code=200,
    responses=problem_spec(401, 403, 404, 409, 422),
    security=SECURITY,
    sync_to_thread=True,
    tags=["remedies"],
    operation_class=body_example(
        {
            "awards": [{"submission_id": "9ee22215-6695-4b0c-932f-9e5b0d3930ac", "place": 1}],
            "reason": "The winner was disqualified for plagiarism; the runner-up moves up.",
        }
    ),
)
@signed_in
def reaward(
    challenge_id: FromPath[UUID],
    data: JSONBody[ReawardBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Reawarded:
    recorded = openinno.reaward(
        actor,
        challenge_id,
        [(a.submission_id, a.place) for a in data.awards],
        data.reason,
        appeal_id=data.appeal_id,
    )
    return Reawarded(recorded.id, recorded.position, list(recorded.agreement_ids))


@_remedy(
    "/agreements/{agreement_id:uuid}/dispute",
    "Dispute an agreement (its authors; the sponsor's owners and legal members)",
    "The prize was never paid.",
)
@signed_in
def dispute(
    agreement_id: FromPath[UUID],
    data: JSONBody[ReasonBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.dispute_agreement(actor, agreement_id, data.reason)
    return Written(recorded.id, recorded.position)


@_remedy(
    "/agreements/{agreement_id:uuid}/rescind",
    "Rescind an agreement (the sponsor's owners and legal members)",
    "Settled: the rights stay with the solver.",
)
@signed_in
def rescind(
    agreement_id: FromPath[UUID],
    data: JSONBody[ReasonBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.rescind_agreement(actor, agreement_id, data.reason)
    return Written(recorded.id, recorded.position)


@_remedy(
    "/admin/accounts/{account_id:uuid}/deactivate",
    "Deactivate an account: it can no longer sign in; its sessions and tokens end (admins)",
    "Spam in every question.",
)
@signed_in
def deactivate(
    account_id: FromPath[UUID],
    data: JSONBody[ReasonBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    if not is_admin(openinno, actor):
        raise AccessDenied("Only an admin can deactivate another account.")
    recorded = openinno.deactivate_account(actor, account_id, data.reason)
    return Written(recorded.id, recorded.position)


@_remedy(
    "/admin/accounts/{account_id:uuid}/reactivate",
    "Reactivate a deactivated account (admins)",
    "Appeal upheld.",
)
@signed_in
def reactivate(
    account_id: FromPath[UUID],
    data: JSONBody[ReasonBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.reactivate_account(actor, account_id, data.reason)
    return Written(recorded.id, recorded.position)


@post(
    "/admin/accounts/{account_id:uuid}/admin",
    summary="Grant the admin role (admins)",
    status_code=200,
    responses=problem_spec(401, 403, 404, 409),
    security=SECURITY,
    sync_to_thread=True,
    tags=["remedies"],
)
@signed_in
def grant_admin(
    account_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.grant_admin(actor, account_id)
    return Written(recorded.id, recorded.position)


@delete(
    "/admin/accounts/{account_id:uuid}/admin",
    summary="Revoke the admin role (admins)",
    status_code=200,
    responses=problem_spec(401, 403, 404, 409),
    security=SECURITY,
    sync_to_thread=True,
    tags=["remedies"],
)
@signed_in
def revoke_admin(
    account_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.revoke_admin(actor, account_id)
    return Written(recorded.id, recorded.position)


class AccountItem(msgspec.Struct, frozen=True):
    id: UUID
    email: str
    display_name: str
    active: bool
    admin: bool
    registered_at: datetime
    status_reason: str


class AccountsPage(msgspec.Struct, frozen=True):
    items: list[AccountItem]
    next_cursor: str | None


Search = Annotated[
    str,
    QueryParameter(
        name="q", max_length=200, description="Part of an e-mail address or a name, any case."
    ),
]


@get(
    "/admin/accounts",
    tags=["remedies"],
    summary="Accounts, newest first, searched by e-mail address or name (admins)",
    security=SECURITY,
    responses=problem_spec(401, 403, 422, 503),
    sync_to_thread=True,
)
@signed_in
def accounts_directory(
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    q: Search = "",
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    min_position: MinPosition = None,
) -> AccountsPage:
    if not is_admin(openinno, actor):
        raise AccessDenied("Only admins can list accounts.")
    db = reads.at_least(openinno, min_position, ("accounts",))
    after = decode_key("accounts", cursor, (int,))
    rows = accounts.accounts_directory_page(
        db, search=q, after=None if after is None else after[0], limit=limit + 1
    )
    chunk, next_cursor = keyset_page("accounts", rows, lambda r: (int(r["position"]),), limit)
    return AccountsPage(
        [
            AccountItem(
                id=UUID(r["account_id"]),
                email=r["email"],
                display_name=r["display_name"],
                active=bool(r["active"]),
                admin=bool(r["admin"]),
                registered_at=parse_iso(r["registered_at"]),
                status_reason=r["status_reason"],
            )
            for r in chunk
        ],
        next_cursor,
    )


class DecisionItem(msgspec.Struct, frozen=True):
    position: int
    kind: str
    subject_id: UUID
    actor_id: UUID
    actor_name: str | None
    reason: str
    at: datetime


class DecisionsPage(msgspec.Struct, frozen=True):
    items: list[DecisionItem]
    next_cursor: str | None


Kind = Annotated[
    str | None,
    QueryParameter(
        name="kind",
        description="One kind of decision: " + ", ".join(decisions.KINDS) + ".",
    ),
]


@get(
    "/admin/decisions",
    tags=["remedies"],
    summary="Every remedy, moderation and role decision with its actor and reason (admins)",
    security=SECURITY,
    responses=problem_spec(401, 403, 422, 503),
    sync_to_thread=True,
)
@signed_in
def decisions_log(
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    kind: Kind = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    min_position: MinPosition = None,
) -> DecisionsPage:
    if not is_admin(openinno, actor):
        raise AccessDenied("Only admins read the decisions log.")
    if kind is not None and kind not in decisions.KINDS:
        raise InvalidInput("No kind of decision called %(kind)s.", field="kind", kind=repr(kind))
    db = reads.at_least(openinno, min_position, ("decisions", "accounts"))
    after = decode_key("decisions", cursor, (int,))
    rows = decisions.decisions_page(
        db, kind=kind, after=None if after is None else after[0], limit=limit + 1
    )
    chunk, next_cursor = keyset_page("decisions", rows, lambda r: (int(r["position"]),), limit)
    return DecisionsPage(
        [
            DecisionItem(
                position=int(r["position"]),
                kind=r["kind"],
                subject_id=UUID(r["subject_id"]),
                actor_id=UUID(r["actor_id"]),
                actor_name=r["actor_name"],
                reason=r["reason"],
                at=parse_iso(r["at"]),
            )
            for r in chunk
        ],
        next_cursor,
    )


HANDLERS = [
    disqualify,
    cancel,
    reaward,
    dispute,
    rescind,
    deactivate,
    reactivate,
    grant_admin,
    revoke_admin,
    accounts_directory,
    decisions_log,
]
