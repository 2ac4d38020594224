"""Personal data (issue 26, decision 0032): the person's export (GDPR Art. 15 and 20),
their erasure request, and an admin's erasure on someone's behalf.  The rules are the
application's (``openinno.commands.personal_data``); these routes carry them."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.response import Stream

from openinno.application import OpenInno
from openinno.commands.personal_data import HOLD_REASON, ErasureRecorded
from openinno.domain.limits import TEXTS
from openinno.privacy.export import export_chunks
from web.api.auth import SECURITY, signed_in
from web.api.common import Strict, body_example
from web.api.problems import problem_spec


class PasswordBody(Strict):
    password: Annotated[str, msgspec.Meta(max_length=1024, description="Your current password.")]


class AdminErasureBody(Strict):
    reason: Annotated[
        str,
        msgspec.Meta(
            max_length=TEXTS["reason"].max_length,
            description="Why (a request by letter, a court order): recorded and shown to admins.",
        ),
    ]


class Kept(msgspec.Struct, frozen=True):
    what: str
    why: str


class Erasure(msgspec.Struct, frozen=True):
    """The account erased, the log position reached, what a legal hold keeps and why,
    and the key scopes destroyed now."""

    id: UUID
    position: int
    kept: list[Kept]
    shredded: list[str]


def _answer(recorded: ErasureRecorded) -> Erasure:
    return Erasure(
        recorded.id,
        recorded.position,
        [Kept(what, HOLD_REASON) for what in recorded.kept],
        list(recorded.shredded),
    )


@get(
    "/me/export",
    tags=["accounts"],
    summary="Everything the platform holds about you, as JSON (GDPR Art. 15 and 20)",
    security=SECURITY,
    responses=problem_spec(401),
    sync_to_thread=True,
)
@signed_in
def export_my_data(actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]) -> Stream:
    return personal_data_export(openinno, actor)


def personal_data_export(openinno: OpenInno, actor: UUID) -> Stream:
    """The export's response (the profile page's download too)."""
    account = openinno.get_account(actor)
    header = {
        "account": {
            "id": str(account.id),
            "email": account.email,
            "display_name": account.display_name,
            "locale": account.locale,
            "time_zone": account.time_zone,
            "roles": sorted(account.roles),
            "email_verified": account.email_is_verified,
        },
        "kept_under_legal_hold": [
            {"what": what, "why": HOLD_REASON} for what in openinno.legal_holds(actor)
        ],
    }
    # Streamed: a long history is written a page of the log at a time.
    return Stream(
        export_chunks(openinno, actor, header),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="openinno-personal-data-{actor}.json"',
            "Cache-Control": "no-store",
        },
    )


@post(
    "/me/erasure",
    tags=["accounts"],
    summary="Erase your personal data and close your account for good (GDPR Art. 17)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 409, 422),
    sync_to_thread=True,
    operation_class=body_example({"password": "correct horse battery"}),
)
@signed_in
def erase_my_data(
    data: JSONBody[PasswordBody], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> Erasure:
    return _answer(openinno.erase_my_personal_data(actor, data.password))


@post(
    "/admin/accounts/{account_id:uuid}/erasure",
    tags=["remedies"],
    summary="Erase a person's personal data on their behalf, with a reason (admins)",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example({"reason": "Asked by letter of 3 March."}),
)
@signed_in
def erase_account_data(
    account_id: FromPath[UUID],
    data: JSONBody[AdminErasureBody],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Erasure:
    return _answer(openinno.erase_personal_data(actor, account_id, data.reason))


HANDLERS = [export_my_data, erase_my_data, erase_account_data]
