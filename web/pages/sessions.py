"""Server-side sessions: the cookie holds only a random id; the data lives in a
store on disk (shared by the workers of one host).  Signing in rotates the id."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, ScopeSession

ROTATE = "_rotate"
ACCOUNT = "account_id"
LOCALE = "locale"
NEW_ID = "openinno.session_id"


class RotatingSessionBackend(ServerSideSessionBackend):
    """A session marked with ``ROTATE`` is moved to a fresh id and the old one is
    deleted, so an id planted before sign-in is worthless after it."""

    def get_session_id(self, connection: ASGIConnection) -> str:
        rotated = connection.scope.get(NEW_ID)
        if rotated:
            return str(rotated)
        return super().get_session_id(connection)

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        if isinstance(scope_session, dict) and not scope_session:
            # Nothing to keep: no store entry (and no cookie) for anonymous visitors.
            if not connection.cookies.get(self.config.key):
                return
            scope_session = Empty
        if isinstance(scope_session, dict) and scope_session.pop(ROTATE, False):
            store = self.config.get_store_from_app(connection.scope["app"])
            old = connection.cookies.get(self.config.key)
            if old:
                await self.delete(old, store=store)
            connection.scope[NEW_ID] = self.generate_session_id()  # type: ignore[literal-required]
        await super().store_in_message(scope_session, message, connection)


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def session_config(prefix: str, secure: bool, max_age: int) -> RotatingSessionConfig:
    return RotatingSessionConfig(
        key=f"{prefix}session",
        secure=secure,
        httponly=True,
        samesite="lax",
        path="/",
        max_age=max_age,
        renew_on_access=True,
        store="sessions",
        exclude=["^/api/", "^/schema", "^/static/", "^/healthz"],
    )


def sign_in(session: dict[str, Any], account_id: str, locale: str | None) -> None:
    keep_locale = session.get(LOCALE)
    session.clear()
    session[ACCOUNT] = account_id
    session[LOCALE] = locale or keep_locale
    session[ROTATE] = True
