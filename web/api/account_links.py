"""Password reset through the API (issue 23): ask for a reset link by e-mail, and
set a new password with the link's token.  The same rules as the pages
(``web.pages.account_links``): the same answer for every address, limited per
client address and per address typed; a token works once, before it expires, and
the reset ends every session and API token of the account."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from openinno.application import OpenInno
from openinno.domain.errors import InvalidInput
from openinno.domain.values import normalise_email
from web.account_links import read_reset_token, reset_after_answer
from web.api.accounts import TooManyAttempts
from web.api.common import Strict, Written, body_example
from web.api.problems import problem_spec
from web.api.ratelimit import client_address
from web.pages.config import PagesConfig
from web.throttle import MailLinkThrottle


class ResetAsked(Strict):
    email: Annotated[str, msgspec.Meta(max_length=254, examples=["ada@example.org"])]


class ResetUsed(Strict):
    token: Annotated[
        str, msgspec.Meta(max_length=2000, description="The token at the end of the mailed link")
    ]
    password: Annotated[str, msgspec.Meta(max_length=1024)]


class Accepted(msgspec.Struct, frozen=True):
    status: str = "accepted"


@post(
    "/password-resets",
    tags=["accounts"],
    summary="Mail a password reset link to an account's address",
    description=(
        "Answers 202 for every well-formed address, whether an account has it or not; "
        "the link (good for one hour, once) goes only to an active account's address. "
        "Limited per client address and per e-mail address: over it, a 429. The request "
        "is recorded after the answer, which is the same, in the same time, for any address."
    ),
    status_code=202,
    responses=problem_spec(422, 429),
    sync_to_thread=True,
    operation_class=body_example({"email": "ada@example.org"}),
)
def ask_password_reset(
    request: Request[Any, Any, Any],
    data: JSONBody[ResetAsked],
    openinno: NamedDependency[OpenInno],
    mail_link_throttle: NamedDependency[MailLinkThrottle],
) -> Response[Accepted]:
    normalise_email(data.email)  # 422 for what is no address (that tells nothing)
    wait = mail_link_throttle.attempt(client_address(request.scope), data.email)
    if wait > 0:
        raise TooManyAttempts(
            "Too many links asked for. Try again later.",
            retry_after=wait,
        )
    return Response(
        Accepted(), status_code=202, background=reset_after_answer(openinno, data.email)
    )


@post(
    "/password-resets/use",
    tags=["accounts"],
    summary="Set a new password with a mailed reset link's token",
    description=(
        "Once per link, within its hour. Every session and API token of the account "
        "ends; sign in again with the new password."
    ),
    status_code=200,
    responses=problem_spec(409, 422),
    sync_to_thread=True,
    operation_class=body_example(
        {"token": "AbC…from-the-mailed-link", "password": "a brand new passphrase"}
    ),
)
def use_password_reset(data: JSONBody[ResetUsed], openinno: NamedDependency[OpenInno]) -> Written:
    secret = PagesConfig.from_env().resolve_secret(openinno.settings)
    link = read_reset_token(secret, data.token)
    if link is None:
        raise InvalidInput("This link is not valid.", field="token")
    recorded = openinno.reset_password(link.account_id, link.reset_id, data.password)
    return Written(recorded.id, recorded.position)


HANDLERS = [ask_password_reset, use_password_reset]
