"""Accounts and tokens: register, get a bearer token, revoke it, who am I."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Request, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from openinno.application import OpenInno
from openinno.domain.errors import DomainError, InvalidInput, Param
from openinno.domain.limits import TEXTS
from openinno.domain.token import MAX_LABEL_LENGTH
from web.api.auth import SECURITY, provide_actor, request_token, signed_in
from web.api.common import Strict, Written, body_example
from web.api.problems import problem_spec
from web.api.ratelimit import client_address
from web.known_device import KnownDevices
from web.proof_of_work import HEADER as PROOF_HEADER
from web.proof_of_work import proof_of_work_for
from web.throttle import LoginThrottle, SignupThrottle


class TooManyAttempts(DomainError):
    code = "too_many_requests"

    def __init__(
        self, message: str, retry_after: float, *, field: str | None = None, **params: Param
    ) -> None:
        super().__init__(message, field=field, **params)
        self.retry_after = retry_after


Email = Annotated[str, msgspec.Meta(max_length=254, examples=["ada@example.org"])]
Password = Annotated[str, msgspec.Meta(max_length=1024, examples=["correct horse battery"])]


class NewAccount(Strict):
    email: Email
    password: Password
    display_name: Annotated[
        str, msgspec.Meta(max_length=TEXTS["display_name"].max_length, examples=["Ada Lovelace"])
    ]
    locale: Annotated[str, msgspec.Meta(examples=["en"])] = "en"
    time_zone: Annotated[str, msgspec.Meta(examples=["Europe/Warsaw"])] = "UTC"


class Credentials(Strict):
    email: Email
    password: Password
    scope: Annotated[
        Literal["read", "read-write"],
        msgspec.Meta(
            description="`read`: GET and HEAD only (anything else is a 403); "
            "`read-write`: everything the account may do.",
            examples=["read-write"],
        ),
    ] = "read-write"
    label: Annotated[
        str,
        msgspec.Meta(
            max_length=MAX_LABEL_LENGTH,
            description="Your name for the token, shown when you list them.",
            examples=["CI export"],
        ),
    ] = ""


class TokenIssued(msgspec.Struct, frozen=True):
    token: Annotated[
        str,
        msgspec.Meta(description="Shown once: only its SHA-256 is stored. Send it as Bearer."),
    ]
    account_id: UUID
    position: int
    token_id: Annotated[UUID, msgspec.Meta(description="For listing and DELETE /tokens/{id}.")]
    expires_at: datetime
    scope: str


class TokenListed(msgspec.Struct, frozen=True):
    token_id: UUID
    issued_at: datetime
    expires_at: datetime
    scope: str
    label: str


class TokenList(msgspec.Struct, frozen=True):
    items: list[TokenListed]


class Me(msgspec.Struct, frozen=True):
    id: UUID
    email: str
    display_name: str
    locale: str
    time_zone: str
    roles: list[str]
    # Whether the account's e-mail address is verified (issue 23).
    email_verified: bool = False


@post(
    "/accounts",
    tags=["accounts"],
    summary="Register an account",
    description=(
        "Sign-ups are limited per client address (`OPENINNO_SIGNUP_RATE_LIMIT`, counted "
        "with the pages' sign-up form): over the limit, a 429 with `Retry-After`. Where the "
        "operator turned the proof of work on (`OPENINNO_PROOF_OF_WORK`), a `Proof-Of-Work` "
        "header carries a solved `GET /api/v1/proof-of-work` challenge."
    ),
    status_code=201,
    responses=problem_spec(409, 422, 429),
    sync_to_thread=True,
    operation_class=body_example(
        {
            "email": "ada@example.org",
            "password": "correct horse battery",
            "display_name": "Ada Lovelace",
            "locale": "en",
            "time_zone": "Europe/Warsaw",
        }
    ),
)
def register_account(
    request: Request[Any, Any, Any],
    data: JSONBody[NewAccount],
    openinno: NamedDependency[OpenInno],
    signup_throttle: NamedDependency[SignupThrottle],
) -> Written:
    ip = client_address(request.scope)
    # Before any work (the password's argon2 hash), as for sign-ins.
    wait = signup_throttle.attempt(ip)
    if wait > 0:
        raise TooManyAttempts(
            "Too many sign-ups from this address; retry after %(seconds)s s.",
            retry_after=wait,
            seconds=max(1, math.ceil(wait)),
        )
    proof_of_work_for(openinno).check(request.headers.get(PROOF_HEADER))
    try:
        recorded = openinno.register_account(
            data.email, data.password, data.display_name, data.locale, data.time_zone
        )
    except InvalidInput:
        signup_throttle.malformed(ip)
        raise
    return Written(recorded.id, recorded.position)


@post(
    "/tokens",
    tags=["accounts"],
    summary="Exchange email and password for a bearer token",
    description=(
        "Wrong passwords slow down the client address that sends them (exponential "
        "back-off), with a high per-email backstop that a browser's known-device cookie "
        "from an earlier sign-in passes: over a limit, a 429 with `Retry-After`, the same "
        "whether or not the email has an account. The token works until `expires_at` "
        "(`OPENINNO_API_TOKEN_TTL_SECONDS`), until revoked, or until the account's password "
        "changes or it signs out everywhere; a `read` token may only GET."
    ),
    status_code=201,
    responses=problem_spec(401, 422),
    sync_to_thread=True,
    operation_class=body_example({"email": "ada@example.org", "password": "correct horse battery"}),
)
def issue_token(
    request: Request[Any, Any, Any],
    data: JSONBody[Credentials],
    openinno: NamedDependency[OpenInno],
    login_throttle: NamedDependency[LoginThrottle],
    known_devices: NamedDependency[KnownDevices | None],
) -> TokenIssued:
    ip = client_address(request.scope)
    device = (
        known_devices.device_for(request.cookies.get(known_devices.cookie_name), data.email)
        if known_devices is not None
        else None
    )
    # Before the password is checked (no argon2 work for a blocked guess), and keyed by
    # the email as sent, so the answer is the same for an email nobody has.
    wait = login_throttle.attempt(data.email, ip, device)
    if wait > 0:
        raise TooManyAttempts(
            "Too many failed sign-ins from this address or for this email; "
            "retry after %(seconds)s s.",
            retry_after=wait,
            seconds=max(1, math.ceil(wait)),
        )
    # A wrong password raises InvalidCredentials (401): its reservation stays counted.
    token, recorded = openinno.issue_token(data.email, data.password, data.scope, data.label)
    login_throttle.succeeded(data.email, ip, device)
    grant = openinno.token_grant(token)
    return TokenIssued(
        token,
        grant.account_id,
        recorded.position,
        grant.token_id,
        grant.expires_at,
        grant.scope,
    )


@get(
    "/tokens",
    tags=["accounts"],
    summary="Your live tokens, newest first",
    description=(
        "Tokens of the account behind this request's token that are neither revoked nor "
        "expired: ids, dates, scope and label, never the tokens themselves."
    ),
    security=SECURITY,
    responses=problem_spec(401),
    sync_to_thread=True,
)
@signed_in
def list_tokens(actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]) -> TokenList:
    return TokenList(
        [
            TokenListed(t.token_id, t.issued_at, t.expires_at, t.scope, t.label)
            for t in openinno.list_tokens(actor)
        ]
    )


@delete(
    "/tokens/{token_id:uuid}",
    tags=["accounts"],
    summary="Revoke one of your tokens",
    description="Someone else's token, or one already revoked, is a 404.",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401, 403, 404),
    sync_to_thread=True,
)
@signed_in
def revoke_token(
    token_id: FromPath[UUID], actor: NamedDependency[UUID], openinno: NamedDependency[OpenInno]
) -> Written:
    recorded = openinno.revoke_token_by_id(actor, token_id)
    return Written(recorded.id, recorded.position)


@delete(
    "/tokens/current",
    tags=["accounts"],
    summary="Revoke the token this request is sent with",
    status_code=200,
    security=SECURITY,
    responses=problem_spec(401),
    dependencies={"token": Provide(request_token, sync_to_thread=False)},
    sync_to_thread=True,
)
@signed_in
def revoke_current_token(
    actor: NamedDependency[UUID], token: NamedDependency[str], openinno: NamedDependency[OpenInno]
) -> Written:
    recorded = openinno.revoke_token(actor, token)
    return Written(recorded.id, recorded.position)


@get(
    "/me",
    tags=["accounts"],
    summary="The account behind the token",
    security=SECURITY,
    responses=problem_spec(401),
    sync_to_thread=True,
)
def me(request: Request[Any, Any, Any], openinno: NamedDependency[OpenInno]) -> Me:
    # The account comes in the token's query (account_for_token reads it to check it is
    # active), not in a second one.
    with openinno.one_snapshot():
        account = openinno.get_account(provide_actor(request))
    return Me(
        account.id,
        account.email,
        account.display_name,
        account.locale,
        account.time_zone,
        sorted(account.roles),
        account.email_is_verified,
    )


HANDLERS = [register_account, issue_token, list_tokens, revoke_token, revoke_current_token, me]
