"""Error pages: 400/401/403/404/405/409/413/429/500 that say what happened and what
to do next, in the viewer's language, and leak nothing (no trace, no ids)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.types import ExceptionHandlersMap

from openinno.domain.errors import DomainError, Message
from web.pages.base import N_, Pages, Viewer, login_redirect, status_for

log = logging.getLogger(__name__)

# status -> (title, explanation); msgids (N_), translated when rendered.
EXPLANATIONS: dict[int, tuple[str, str]] = {
    400: (
        N_("Something in the request is not right"),
        N_("Check what you entered and try again."),
    ),
    401: (
        N_("Please sign in"),
        N_("This page is for signed-in people. Sign in and try again."),
    ),
    403: (
        N_("You may not do this"),
        N_(
            "Your account does not have access to this. If the form was open for a long "
            "time, reload the page and try again."
        ),
    ),
    404: (
        N_("Page not found"),
        N_(
            "There is nothing here, or you may not see it. Check the address, or start "
            "from the home page."
        ),
    ),
    405: (N_("Not possible here"), N_("This address does not accept that kind of request.")),
    409: (
        N_("That cannot be done now"),
        N_("Something changed or a deadline passed. Reload the page to see the current state."),
    ),
    413: (N_("Too large"), N_("What you sent is larger than allowed. Send smaller files.")),
    429: (N_("Too many attempts"), N_("Wait a few minutes, then try again.")),
    500: (
        N_("Something went wrong on our side"),
        N_("Nothing you did caused this. Try again in a moment; if it keeps happening, tell us."),
    ),
}


def _pages(request: Request[Any, Any, Any]) -> Pages | None:
    return getattr(request.app.state, "pages", None)


def error_page(
    request: Request[Any, Any, Any],
    status: int,
    detail: str | Message = "",
    headers: Any = None,
) -> Response[Any]:
    pages = _pages(request)
    title, explanation = EXPLANATIONS.get(status, EXPLANATIONS[500 if status >= 500 else 400])
    if pages is None:
        return Response(f"{status} {title}", status_code=status, media_type=MediaType.TEXT)
    try:
        viewer = pages.viewer(request)
    except Exception:
        viewer = Viewer()
    html = pages.render_text(
        request,
        "error.html",
        viewer,
        status=status,
        title=title,
        explanation=explanation,
        detail=detail,
    )
    return Response(html, status_code=status, media_type=MediaType.HTML, headers=headers)


def domain_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, DomainError)
    status = status_for(exc)
    # Domain messages say what to do next and never name what the viewer may not see.
    return error_page(request, status, exc.text if status != 404 else "")


def http_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, HTTPException)
    if isinstance(exc, NotAuthorizedException) and request.method in ("GET", "HEAD"):
        return login_redirect(request)
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "allow"}
    return error_page(request, exc.status_code, headers=headers or None)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500)


PAGE_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}


def app_exception_handlers(api_handlers: ExceptionHandlersMap) -> ExceptionHandlersMap:
    """For the whole app: routing errors under /api/ stay problems (the API's own
    handlers); everywhere else they are pages."""

    def routed(status: int) -> Callable[[Request[Any, Any, Any], Exception], Response[Any]]:
        api = api_handlers.get(status)

        def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
            if api is not None and request.url.path.startswith(("/api/", "/schema")):
                return api(request, exc)
            return http_error_handler(request, exc)

        return handler

    merged: ExceptionHandlersMap = dict(api_handlers)
    merged[404] = routed(404)
    merged[405] = routed(405)
    return merged
