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
import tempfile
from functools import partial
from typing import IO, Any

import msgspec
from litestar.concurrency import sync_to_thread
from litestar.datastructures import Headers
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from openinno.application import IdempotentResponse, OpenInno
from openinno.domain.errors import DomainError
from openinno.files import INCOMING, TooLarge
from web.api.auth import actor_for_scope
from web.api.problems import (
    PROBLEM_MEDIA_TYPE,
    Problem,
    problem,
    problem_for_domain_error,
    problem_headers,
    request_locale,
)

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_HEADER = "idempotency-key"
REPLAYED_HEADER = b"idempotent-replayed"
# A body waiting for its handler is held in memory up to this size, on disk beyond.
SPOOL_MEMORY_BYTES = 1024 * 1024
REPLAY_CHUNK_BYTES = 64 * 1024
_BOUNDARY = re.compile(r";\s*boundary=\"?([^\";]+)\"?", re.I)


class Fingerprint:
    """SHA-256 of what makes two requests the same, fed the body chunk by chunk.  A
    multipart boundary is random per attempt in most clients, so it is taken out of
    both the type and the body (a boundary split across chunks included: the last
    ``len(boundary) - 1`` bytes wait for the next chunk)."""

    def __init__(self, method: str, path: str, query: bytes, content_type: str) -> None:
        match = _BOUNDARY.search(content_type)
        self._boundary = match.group(1).encode() if match else None
        if match:
            content_type = _BOUNDARY.sub("", content_type)
        self._digest = hashlib.sha256()
        for part in (method.encode(), path.encode(), query, content_type.strip().lower().encode()):
            self._digest.update(part + b"\n")
        self._carry = b""

    def update(self, chunk: bytes) -> None:
        boundary = self._boundary
        if boundary is None:
            self._digest.update(chunk)
            return
        data = self._carry + chunk
        # A boundary starting before ``undecided`` is wholly in ``data``; one starting
        # at or after it may still be cut short.
        undecided = max(len(data) - len(boundary) + 1, 0)
        start = 0
        while (found := data.find(boundary, start)) != -1:
            self._digest.update(data[start:found])
            self._digest.update(b"BOUNDARY")
            start = found + len(boundary)
        end = max(start, undecided)
        self._digest.update(data[start:end])
        self._carry = data[end:]

    def hexdigest(self) -> str:
        self._digest.update(self._carry)
        self._carry = b""
        return self._digest.hexdigest()


def request_fingerprint(
    method: str, path: str, query: bytes, content_type: str, body: bytes
) -> str:
    """The fingerprint of a request whose body is all here."""
    fingerprint = Fingerprint(method, path, query, content_type)
    fingerprint.update(body)
    return fingerprint.hexdigest()


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


async def _spool_body(
    receive: Receive, fingerprint: Fingerprint, spool: IO[bytes], limit: int
) -> int | None:
    """The body into ``spool`` (memory up to SPOOL_MEMORY_BYTES, then a temp file) and
    the fingerprint, never whole in memory: its size, or None if the client left.
    TooLarge past ``limit`` bytes."""
    received = 0
    while True:
        message: Any = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        received += len(chunk)
        if received > limit:
            raise TooLarge(limit)
        fingerprint.update(chunk)
        spool.write(chunk)
        if not message.get("more_body", False):
            spool.seek(0)
            return received


def _replaying(spool: IO[bytes], size: int, receive: Receive) -> Receive:
    """The spooled body (``size`` bytes) handed on in chunks, then the client's own
    messages (a disconnect)."""
    left = size
    done = False

    async def replay_receive() -> ReceiveMessage:
        nonlocal left, done
        if done:
            return await receive()
        chunk = spool.read(min(left, REPLAY_CHUNK_BYTES))
        left -= len(chunk)
        done = left <= 0 or not chunk
        return {"type": "http.request", "body": chunk, "more_body": not done}

    return replay_receive


def _too_large(limit: int, instance: str) -> Problem:
    return problem(
        "payload_too_large", f"The body is over the limit of {limit:,} bytes.", instance=instance
    )


# Writes whose answer holds a secret shown once (a webhook's signing secret): their
# answer is never recorded (the record is an event, kept forever), so the header is
# ignored, as on anonymous writes; their schema does not offer it.
NEVER_RECORDED = (re.compile(r"^/api/v1/organisations/[^/]+/webhooks/?$"),)


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
        if key is None or any(p.match(scope["path"]) for p in NEVER_RECORDED):
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
        # The fingerprint needs the whole body before the handler runs, and the handler
        # reads it again: kept in a spool, on disk beyond a little, never whole in memory.
        limit = openinno.settings.request_bytes_limit
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _send_problem(send, _too_large(limit, scope["path"]))
            return
        incoming = openinno.files.root / INCOMING
        incoming.mkdir(parents=True, exist_ok=True)
        with tempfile.SpooledTemporaryFile(SPOOL_MEMORY_BYTES, dir=str(incoming)) as spool:
            fingerprint = Fingerprint(
                scope["method"],
                scope["path"],
                scope.get("query_string", b""),
                headers.get("content-type", ""),
            )
            try:
                size = await _spool_body(receive, fingerprint, spool, limit)
            except TooLarge:
                await _send_problem(send, _too_large(limit, scope["path"]))
                return
            if size is None:
                return
            try:
                stored = await sync_to_thread(
                    openinno.begin_idempotent_request, actor, key, fingerprint.hexdigest()
                )
            except DomainError as e:
                locale = request_locale(headers.get("accept-language"))
                await _send_problem(send, problem_for_domain_error(e, scope["path"], locale))
                return
            if stored is not None:
                await self._replay(send, stored)
                return
            await self._run_and_record(
                scope, _replaying(spool, size, receive), send, openinno, actor, key
            )

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
    ) -> None:
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
            await self.app(scope, receive, capture)
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
