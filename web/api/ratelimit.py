"""Rate limits for the API: a token bucket per bearer token, and per client address
for anonymous requests.  Over the limit: a 429 problem with ``Retry-After``.

The buckets are shared by every worker process on the host (``web/throttle.py``:
a memory-mapped table under the data directory), so ``serve --workers N`` still
gives a token its limit, not N times it.  Several hosts each count on their own.
Behind a proxy, run uvicorn with ``--proxy-headers`` so the client address is
the caller's, not the proxy's."""

from __future__ import annotations

import hashlib
import math
from typing import Any

import msgspec
from litestar.datastructures import Headers
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from web.api.problems import PROBLEM_MEDIA_TYPE, problem
from web.throttle import Buckets, MemoryBuckets


class RateLimiter:
    """``requests`` per ``window`` seconds per key, refilled continuously."""

    def __init__(
        self,
        token_requests: int,
        anonymous_requests: int,
        window: float,
        buckets: Buckets | None = None,
    ) -> None:
        self.limits = {"token": token_requests, "ip": anonymous_requests}
        self.window = window
        self.buckets: Buckets = buckets if buckets is not None else MemoryBuckets()

    def __deepcopy__(self, memo: dict[int, Any]) -> RateLimiter:
        # Litestar copies middleware arguments per route: the counters must stay shared.
        return self

    def take(self, kind: str, key: str) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds until the next request is allowed)."""
        taken = self.buckets.take(f"api-{kind}:{key}", self.limits[kind], self.window)
        return taken.allowed, taken.remaining, taken.wait

    # A made-up bearer token gets a bucket of its own, so without this a client could
    # dodge its address's limit by sending a new random token each time.  Tokens the
    # API refused (401) count against the address, as anonymous requests do; once
    # they reach the anonymous limit, bearer requests from that address wait.

    def unknown_tokens_wait(self, ip: str) -> float:
        return self.buckets.wait(f"api-unknown-token:{ip}", self.limits["ip"], self.window)

    def unknown_token(self, ip: str) -> None:
        self.buckets.take(f"api-unknown-token:{ip}", self.limits["ip"], self.window)


def client_address(scope: Any) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def client_key(scope: Any) -> tuple[str, str]:
    headers = Headers.from_scope(scope)
    scheme, _, token = (headers.get("authorization") or "").strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        # Keyed by the token's hash: the limiter never keeps a usable token.
        return "token", hashlib.sha256(token.strip().encode()).hexdigest()
    return "ip", client_address(scope)


async def _too_many(send: Send, scope: Scope, detail: str, wait: float, limit: bytes) -> None:
    retry_after = str(max(1, math.ceil(wait)))
    body = msgspec.json.encode(
        problem(
            "too_many_requests", f"{detail}; retry after {retry_after} s.", instance=scope["path"]
        )
    )
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", retry_after.encode()),
                (b"ratelimit-limit", limit),
                (b"ratelimit-remaining", b"0"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind, key = client_key(scope)
        address = client_address(scope)
        limiter = self.limiter
        if kind == "token":
            refused = limiter.unknown_tokens_wait(address)
            if refused > 0:
                await _too_many(
                    send,
                    scope,
                    f"Over {limiter.limits['ip']} requests with unknown tokens per "
                    f"{limiter.window:g} s from this address",
                    refused,
                    str(limiter.limits["ip"]).encode(),
                )
                return
        allowed, remaining, wait = limiter.take(kind, key)
        limit = str(limiter.limits[kind]).encode()
        if not allowed:
            await _too_many(
                send,
                scope,
                f"Over {limit.decode()} requests per {limiter.window:g} s for this "
                f"{'token' if kind == 'token' else 'address'}",
                wait,
                limit,
            )
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                if kind == "token" and message["status"] == 401:
                    limiter.unknown_token(address)
                headers = list(message.get("headers", []))
                headers += [
                    (b"ratelimit-limit", limit),
                    (b"ratelimit-remaining", str(remaining).encode()),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
