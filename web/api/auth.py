"""Bearer-token authentication for the API.

``Authorization: Bearer <token>``; the token is looked up by its SHA-256 (see
``openinno.domain.token``).  A missing token is 401 only where an endpoint needs an
account; a wrong, revoked or expired one is 401 everywhere, so a client learns at once.

A token's scope is enforced here, where every request's account is resolved
(``actor_for_scope``, for handlers and the idempotency middleware alike), not per
handler: a ``read`` token is refused (403) on any method but GET and HEAD, so a new
write route cannot forget the check.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from uuid import UUID

from litestar import Request
from litestar.datastructures import State

from openinno.application import OpenInno, TokenGrant
from openinno.domain.errors import AccessDenied, DomainError, InvalidCredentials

# Where the resolved account id is kept for the rest of the request.
_SCOPE_KEY = "openinno.api.actor"

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]

R = TypeVar("R")
# What a read-only token may send.
READ_METHODS = frozenset({"GET", "HEAD"})


class AuthenticationRequired(DomainError):
    code = "authentication_required"


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidCredentials("Send Authorization: Bearer <token>.")
    return token.strip()


# Given the account, the streams a request's command will read (see OpenInno.account_for_token).
AlsoRead = Callable[[UUID], Iterable[UUID | None]]


def actor_for_scope(
    openinno: OpenInno, scope: Any, authorization: str | None, also: AlsoRead | None = None
) -> UUID | None:
    """The account behind the request's token (None without one); remembered in the
    scope.  A read-only token on a method other than GET or HEAD: AccessDenied."""
    state = scope.setdefault("state", {})
    if _SCOPE_KEY in state:
        grant: TokenGrant | None = state[_SCOPE_KEY]
    else:
        token = bearer_token(authorization)
        grant = openinno.token_grant(token, also=also) if token is not None else None
        state[_SCOPE_KEY] = grant
    if grant is None:
        return None
    if grant.scope != "read-write" and scope.get("method", "GET") not in READ_METHODS:
        raise AccessDenied(
            "This token is read-only: it may only GET.  Issue a read-write token to change things."
        )
    return grant.account_id


def provide_openinno(state: State) -> OpenInno:
    app: OpenInno = state.openinno
    return app


def provide_viewer(request: Request[Any, Any, Any], also: AlsoRead | None = None) -> UUID | None:
    """The signed-in account, or None for an anonymous request."""
    return actor_for_scope(
        request.app.state.openinno, request.scope, request.headers.get("authorization"), also
    )


def provide_actor(request: Request[Any, Any, Any], also: AlsoRead | None = None) -> UUID:
    """The signed-in account; AuthenticationRequired without a token."""
    actor = provide_viewer(request, also)
    if actor is None:
        raise AuthenticationRequired(
            "Send Authorization: Bearer <token>; get one from POST /api/v1/tokens."
        )
    return actor


def require_token(request: Request[Any, Any, Any]) -> None:
    """No Authorization header at all: 401 at once, before the body is read.  (Whether
    the token is valid is looked up later, in the handler's worker thread.)"""
    if bearer_token(request.headers.get("authorization")) is None:
        raise AuthenticationRequired(
            "Send Authorization: Bearer <token>; get one from POST /api/v1/tokens."
        )


def request_token(request: Request[Any, Any, Any]) -> str:
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise AuthenticationRequired("Send the token to revoke as Authorization: Bearer <token>.")
    return token


def signed_in(handler: Callable[..., R]) -> Callable[..., R]:
    """A handler's ``actor`` / ``viewer``, resolved in the handler's own worker thread.

    As dependencies they were resolved in a worker thread of their own, before the
    handler's: two hops from the event loop per request, each a queue, a wake-up and
    a hand-over of the interpreter lock, and a task group to resolve them beside the
    other dependencies.  Here the handler takes the request instead and looks its
    account up first thing: one hop.  The handler's own code is unchanged; Litestar
    sees a signature with ``request`` where ``actor`` / ``viewer`` were.
    """
    signature = inspect.signature(handler)
    names = signature.parameters
    wants_actor, wants_viewer, takes_request = (
        "actor" in names,
        "viewer" in names,
        "request" in names,
    )
    parameters = [p for p in names.values() if p.name not in ("actor", "viewer")]
    if not takes_request:
        parameters.append(inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY))

    @functools.wraps(handler)
    def with_account(*args: Any, **kwargs: Any) -> R:
        request = kwargs["request"] if takes_request else kwargs.pop("request")
        if wants_viewer:
            kwargs["viewer"] = provide_viewer(request)
        if wants_actor:
            kwargs["actor"] = provide_actor(request)
        return handler(*args, **kwargs)

    annotations = {k: v for k, v in handler.__annotations__.items() if k not in ("actor", "viewer")}
    annotations["request"] = Request[Any, Any, Any]
    with_account.__annotations__ = annotations
    with_account.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    del with_account.__wrapped__
    return with_account
