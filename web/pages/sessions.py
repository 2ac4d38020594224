"""Server-side sessions: the cookie holds only a random id; the data lives in a
store on disk (shared by the workers of one host).  Signing in rotates the id.

A session is written back only when a request changed it, or when its expiry is due
for renewal (``RENEW_AFTER``), not on every request: Litestar's backend wrote the
session file twice on every signed-in page (once to renew its expiry as it was read,
once more with the response) and sent a new cookie each time.  So a signed-in session
expires ``max_age`` after its last renewal: between ``max_age - RENEW_AFTER`` and
``max_age`` after the last request (decision 11)."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import StorageObject, Store
from litestar.stores.file import FileStore
from litestar.types import Empty, Message, ScopeSession

ROTATE = "_rotate"
ACCOUNT = "account_id"
# The account's token generation when this session signed in (Account.ApiTokensRevoked
# starts a new one: signing out everywhere, a password change); a session of an older
# generation is signed out.  Sessions from before it was kept count as generation 0.
GENERATION = "token_generation"
LOCALE = "locale"
NEW_ID = "openinno.session_id"
# The session as this request read it from the store: its bytes and expiry.
LOADED = "openinno.session_loaded"
# A session read unchanged is written back (its expiry and cookie renewed) only once
# it was last written this long ago: at most one write per session every 5 minutes.
RENEW_AFTER = timedelta(minutes=5)


class SessionFileStore(FileStore):
    """Litestar's file store, with a session's read done on the event loop: a session
    file is a few hundred bytes in the page cache, read in microseconds, where each
    of FileStore's steps (read, mkdir, write) was a hop to a worker thread.  Writes,
    now rare, still go to a thread, in one hop."""

    def entry(self, key: str) -> StorageObject | None:
        """The stored entry (data and expiry), or None when missing or expired (an
        expired one is deleted)."""
        path = os.fspath(self._path_from_key(key))
        try:
            with open(path, "rb") as f:
                stored = StorageObject.from_bytes(f.read())
        except FileNotFoundError:
            return None
        if stored.expired:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            return None
        return stored

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode("utf-8") if isinstance(value, str) else value
        stored = StorageObject.new(data=data, expires_in=expires_in)
        await sync_to_thread(self._set_sync, key, stored)

    def _set_sync(self, key: str, stored: StorageObject) -> None:
        os.makedirs(self.path, exist_ok=True)
        self._write_sync(self._path_from_key(key), stored)


async def _stored_entry(store: Store, key: str) -> StorageObject | None:
    if isinstance(store, SessionFileStore):
        return store.entry(key)
    # Any other store: its public interface (two reads).
    data = await store.get(key)
    if data is None:
        return None
    expires_in = await store.expires_in(key)
    expires_at = (
        datetime.now(UTC) + timedelta(seconds=expires_in)
        if expires_in is not None and expires_in >= 0
        else None
    )
    return StorageObject(expires_at=expires_at, data=data)


class RotatingSessionBackend(ServerSideSessionBackend):
    """A session marked with ``ROTATE`` is moved to a fresh id and the old one is
    deleted, so an id planted before sign-in is worthless after it.  A session the
    request left as it was read is not written back until its renewal is due."""

    def get_session_id(self, connection: ASGIConnection) -> str:
        rotated = connection.scope.get(NEW_ID)
        if rotated:
            return str(rotated)
        return super().get_session_id(connection)

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        session_id = connection.cookies.get(self.config.key)
        if not session_id:
            return {}
        store = self.config.get_store_from_app(connection.scope["app"])
        stored = await _stored_entry(store, session_id)
        if stored is None:  # unknown or expired: an empty session (and the cookie cleared)
            return {}
        connection.scope[LOADED] = stored  # type: ignore[literal-required]
        return self.deserialize_data(stored.data)

    def unchanged_and_fresh(
        self, scope_session: dict[str, Any], connection: ASGIConnection
    ) -> bool:
        """The session is what the store holds, and was written under RENEW_AFTER ago."""
        stored = connection.scope.get(LOADED)
        if not isinstance(stored, StorageObject):
            return False
        if stored.expires_at is not None:
            written_at = stored.expires_at - timedelta(seconds=self.config.max_age)
            if datetime.now(UTC) - written_at >= RENEW_AFTER:
                return False
        return self.serialize_data(scope_session, connection.scope) == stored.data

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
        elif isinstance(scope_session, dict) and self.unchanged_and_fresh(
            scope_session, connection
        ):
            # No store write and no Set-Cookie: the browser keeps the cookie it has.
            return
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
        # Renewed by RotatingSessionBackend when due, not on every read.
        renew_on_access=False,
        store="sessions",
        exclude=["^/api/", "^/schema", "^/static/", "^/healthz"],
    )


def sign_in(
    session: dict[str, Any], account_id: str, locale: str | None, generation: int = 0
) -> None:
    keep_locale = session.get(LOCALE)
    session.clear()
    session[ACCOUNT] = account_id
    session[GENERATION] = generation
    session[LOCALE] = locale or keep_locale
    session[ROTATE] = True
