"""Security headers on every response, and login throttling.

The throttle is a simple in-process counter (per account and per IP address,
sliding window): with several worker processes each keeps its own count, so the
effective limit is multiplied by the number of workers.  Good enough for one
worker; a shared store (the `limits` package over Redis) is the next step."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# The API's browsable docs (Scalar, Swagger UI) load their own inline scripts.
EXEMPT_PREFIXES = ("/schema",)


def security_headers_middleware(hsts: bool) -> Callable[[ASGIApp], ASGIApp]:
    headers = dict(SECURITY_HEADERS)
    if hsts:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"

    def middleware(app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
                await app(scope, receive, send)
                return

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    mutable = MutableScopeHeaders.from_message(message)
                    for name, value in headers.items():
                        if mutable.get(name) is None:
                            mutable[name] = value
                await send(message)

            await app(scope, receive, send_with_headers)

        return wrapped

    return middleware


class LoginThrottle:
    """Counts failed sign-ins per key inside a sliding window."""

    def __init__(self, per_account: int, per_ip: int, window_seconds: int) -> None:
        self.per_account = per_account
        self.per_ip = per_ip
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, account: str, ip: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return (
                len(self._recent(f"account:{account}", now)) >= self.per_account
                or len(self._recent(f"ip:{ip}", now)) >= self.per_ip
            )

    def failed(self, account: str, ip: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(f"account:{account}", now).append(now)
            self._recent(f"ip:{ip}", now).append(now)

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._failures.pop(f"account:{account}", None)
