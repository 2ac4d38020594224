"""Sponsor organisations and their members."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import delete, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno
from openinno.domain.limits import TEXTS
from openinno.domain.values import OrgRole
from web.api.auth import SECURITY, signed_in
from web.api.common import Strict, Written, body_example
from web.api.problems import problem_spec


class NewOrganisation(Strict):
    name: Annotated[
        str, msgspec.Meta(max_length=TEXTS["organisation_name"].max_length, examples=["Brickworks"])
    ]


class NewMember(Strict):
    account_id: UUID
    role: OrgRole


@post(
    "/organisations",
    tags=["organisations"],
    summary="Create an organisation (you become its owner)",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 422),
    sync_to_thread=True,
    operation_class=body_example({"name": "Brickworks"}),
)
@signed_in
def create_organisation(
    data: JSONBody[NewOrganisation],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.create_organisation(actor, data.name)
    return Written(recorded.id, recorded.position)


@post(
    "/organisations/{organisation_id:uuid}/members",
    tags=["organisations"],
    summary="Add a member or change their role (owners only)",
    status_code=201,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409, 422),
    sync_to_thread=True,
    operation_class=body_example(
        {"account_id": "0b6c8a1e-6d1f-4f4e-9d6a-2f7b1c9e8a10", "role": "legal"}
    ),
)
@signed_in
def add_member(
    organisation_id: FromPath[UUID],
    data: JSONBody[NewMember],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.add_member(actor, organisation_id, data.account_id, data.role)
    return Written(recorded.id, recorded.position)


@delete(
    "/organisations/{organisation_id:uuid}/members/{account_id:uuid}",
    tags=["organisations"],
    summary="Remove a member (owners only; never the last owner); recorded as a decision",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 403, 404, 409),
    sync_to_thread=True,
)
@signed_in
def remove_member(
    organisation_id: FromPath[UUID],
    account_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
) -> Written:
    recorded = openinno.remove_member(actor, organisation_id, account_id)
    return Written(recorded.id, recorded.position)


HANDLERS = [create_organisation, add_member, remove_member]
