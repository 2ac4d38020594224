"""Security headers on every response.  (The login throttle is ``web.throttle``'s,
shared by every worker on the host and by the API.)"""

from __future__ import annotations

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

# The API reference (/schema, web/api/reference.py): scripts from this origin only, as
# everywhere; Scalar adds its styles as <style> elements at run time, so inline styles
# are allowed there (and only there).
API_REFERENCE_PREFIX = "/schema"
API_REFERENCE_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


def security_headers_middleware(hsts: bool) -> Callable[[ASGIApp], ASGIApp]:
    headers = dict(SECURITY_HEADERS)
    if hsts:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    reference_headers = {**headers, "Content-Security-Policy": API_REFERENCE_POLICY}

    def middleware(app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            chosen = (
                reference_headers if scope["path"].startswith(API_REFERENCE_PREFIX) else headers
            )

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    mutable = MutableScopeHeaders.from_message(message)
                    for name, value in chosen.items():
                        if mutable.get(name) is None:
                            mutable[name] = value
                await send(message)

            await app(scope, receive, send_with_headers)

        return wrapped

    return middleware
