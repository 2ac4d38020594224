"""``Idempotency-Key`` on writes (see docs/decisions/0005-api-idempotency.md).

An ASGI middleware on the API router.  For an authenticated POST, PUT, PATCH or
DELETE carrying the header, it claims (account, key) in the event store before the
handler runs, then records the response; a retry with the same key and the same
request gets that first response back (with ``Idempotent-Replayed: true``) and
nothing new is recorded by the command.  The same key with a different request is a
422; a retry while the first is still running is a 409 with ``Retry-After``.
Anonymous requests ignore the header (tokens must never be stored, and accounts are
unique by email anyway).
"""

from __future__ import annotations

import hashlib
import logging
import re
from functools import partial
from typing import Any

import msgspec
from litestar.concurrency import sync_to_thread
from litestar.datastructures import Headers
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from openinno.application import IdempotentResponse, OpenInno
from openinno.domain.errors import DomainError
from web.api.auth import actor_for_scope
from web.api.problems import (
    PROBLEM_MEDIA_TYPE,
    Problem,
    problem_for_domain_error,
    problem_headers,
)

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_HEADER = "idempotency-key"
REPLAYED_HEADER = b"idempotent-replayed"
_BOUNDARY = re.compile(r";\s*boundary=\"?([^\";]+)\"?", re.I)


def request_fingerprint(
    method: str, path: str, query: bytes, content_type: str, body: bytes
) -> str:
    """SHA-256 of what makes two requests the same.  A multipart boundary is random per
    attempt in most clients, so it is taken out of both the type and the body."""
    match = _BOUNDARY.search(content_type)
    if match:
        boundary = match.group(1).encode()
        body = body.replace(boundary, b"BOUNDARY")
        content_type = _BOUNDARY.sub("", content_type)
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, content_type.strip().lower().encode()):
        digest.update(part + b"\n")
    digest.update(body)
    return digest.hexdigest()


def keep_response(status: int, headers: list[tuple[bytes, bytes]]) -> bool:
    """Final answers are kept; retryable failures release the key."""
    if status >= 500 or status == 429:
        return False
    return not (status == 409 and any(k.lower() == b"retry-after" for k, _ in headers))


async def _send_body(
    send: Send, status: int, media_type: str, body: bytes, extra: list[tuple[bytes, bytes]]
) -> None:
    headers = [
        (b"content-type", media_type.encode()),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _send_problem(send: Send, p: Problem) -> None:
    extra = [(k.lower().encode(), v.encode()) for k, v in problem_headers(p).items()]
    await _send_body(send, p.status, PROBLEM_MEDIA_TYPE, msgspec.json.encode(p), extra)


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message: Any = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, asgi_scope: Scope, receive: Receive, send: Send) -> None:
        scope: Any = asgi_scope
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers.from_scope(scope)
        key = headers.get(KEY_HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
        openinno: OpenInno = scope["litestar_app"].state.openinno
        try:
            actor = await sync_to_thread(
                actor_for_scope, openinno, scope, headers.get("authorization")
            )
        except DomainError:
            actor = None  # the handler answers with the 401
        if actor is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return
        fingerprint = request_fingerprint(
            scope["method"],
            scope["path"],
            scope.get("query_string", b""),
            headers.get("content-type", ""),
            body,
        )
        try:
            stored = await sync_to_thread(
                openinno.begin_idempotent_request, actor, key, fingerprint
            )
        except DomainError as e:
            await _send_problem(send, problem_for_domain_error(e, scope["path"]))
            return
        if stored is not None:
            await self._replay(send, stored)
            return
        await self._run_and_record(scope, receive, send, openinno, actor, key, body)

    async def _replay(self, send: Send, stored: IdempotentResponse) -> None:
        await _send_body(
            send,
            stored.status,
            stored.media_type,
            stored.body.encode(),
            [(REPLAYED_HEADER, b"true")],
        )

    async def _run_and_record(
        self,
        scope: Any,
        receive: Receive,
        send: Send,
        openinno: OpenInno,
        actor: Any,
        key: str,
        body: bytes,
    ) -> None:
        delivered = False

        async def replay_receive() -> ReceiveMessage:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = 500
        response_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            await self._finish(openinno, actor, key, 500, [], b"")
            raise
        await self._finish(openinno, actor, key, status, response_headers, b"".join(chunks))

    async def _finish(
        self,
        openinno: OpenInno,
        actor: Any,
        key: str,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> None:
        try:
            if keep_response(status, headers):
                media_type = next(
                    (v.decode() for k, v in headers if k.lower() == b"content-type"),
                    "application/json",
                )
                await sync_to_thread(
                    partial(
                        openinno.complete_idempotent_request,
                        actor,
                        key,
                        status,
                        media_type,
                        body.decode("utf-8", errors="replace"),
                    )
                )
            else:
                await sync_to_thread(openinno.release_idempotent_request, actor, key, status)
        except Exception:
            # The response is already sent; a retry will see the key in progress (409).
            log.exception("Could not record the response for Idempotency-Key %r", key)
