"""Bearer-token authentication for the API.

``Authorization: Bearer <token>``; the token is looked up by its SHA-256 (see
``openinno.domain.token``).  A missing token is 401 only where an endpoint needs an
account; a wrong or revoked one is 401 everywhere, so a client learns at once.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request
from litestar.datastructures import State

from openinno.application import OpenInno
from openinno.domain.errors import DomainError, InvalidCredentials

# Where the resolved account id is kept for the rest of the request.
_SCOPE_KEY = "openinno.api.actor"

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


class AuthenticationRequired(DomainError):
    code = "authentication_required"


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidCredentials("Send Authorization: Bearer <token>.")
    return token.strip()


def actor_for_scope(openinno: OpenInno, scope: Any, authorization: str | None) -> UUID | None:
    """The account behind the request's token (None without one); remembered in the scope."""
    state = scope.setdefault("state", {})
    if _SCOPE_KEY in state:
        cached: UUID | None = state[_SCOPE_KEY]
        return cached
    token = bearer_token(authorization)
    actor = openinno.account_for_token(token) if token is not None else None
    state[_SCOPE_KEY] = actor
    return actor


def provide_openinno(state: State) -> OpenInno:
    app: OpenInno = state.openinno
    return app


def provide_viewer(request: Request[Any, Any, Any]) -> UUID | None:
    """The signed-in account, or None for an anonymous request."""
    return actor_for_scope(
        request.app.state.openinno, request.scope, request.headers.get("authorization")
    )


def provide_actor(request: Request[Any, Any, Any]) -> UUID:
    """The signed-in account; AuthenticationRequired without a token."""
    actor = provide_viewer(request)
    if actor is None:
        raise AuthenticationRequired(
            "Send Authorization: Bearer <token>; get one from POST /api/v1/tokens."
        )
    return actor


def request_token(request: Request[Any, Any, Any]) -> str:
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise AuthenticationRequired("Send the token to revoke as Authorization: Bearer <token>.")
    return token
