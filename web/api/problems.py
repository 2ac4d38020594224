"""Errors as RFC 9457 problem details (``application/problem+json``).

Every problem has a stable ``type`` (``/api/v1/problems/<code>``, one per domain error
code, served as a small description), the HTTP ``status``, a ``title`` that never
varies for a type, a ``detail`` for this occurrence and, for bad input, the ``field``
at fault.  Unexpected errors are logged and answered with a bare 500: never a trace.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Any

import msgspec
from eventsourcing.persistence import InterfaceError, OperationalError
from litestar import Request, Response, get
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.exceptions.responses import create_exception_response
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath
from litestar.types import ExceptionHandlersMap

from openinno.domain.errors import DomainError, StoreUnavailable
from web.pages.i18n import DEFAULT_LOCALE, localise, negotiate

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/problems/"
API_PREFIX = "/api/"


class FieldError(msgspec.Struct, frozen=True):
    field: str
    detail: str


class Problem(msgspec.Struct, frozen=True, omit_defaults=True):
    """An RFC 9457 problem; ``code`` and ``field`` are extension members."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    field: str | None = None
    instance: str | None = None
    errors: tuple[FieldError, ...] = ()


@dataclass(frozen=True)
class ProblemType:
    code: str
    status: int
    title: str
    description: str


_TYPES = (
    ProblemType("invalid_input", 422, "Invalid input", "A value breaks a rule; see `field`."),
    ProblemType(
        "invalid_body", 422, "Invalid request body", "The body is not JSON of the documented shape."
    ),
    ProblemType(
        "invalid_parameter", 422, "Invalid parameter", "A path, query or header value is invalid."
    ),
    ProblemType("not_found", 404, "Not found", "No such resource, or one you may not see."),
    ProblemType(
        "access_denied", 403, "Access denied", "You may see this resource but not do this."
    ),
    ProblemType(
        "authentication_required",
        401,
        "Authentication required",
        "Send `Authorization: Bearer <token>`; get a token from POST /api/v1/tokens.",
    ),
    ProblemType(
        "invalid_credentials",
        401,
        "Invalid credentials",
        "The email and password, or the bearer token, were not accepted.",
    ),
    ProblemType(
        "invalid_state", 409, "Conflicts with the current state", "Not possible in this state."
    ),
    ProblemType("window_closed", 409, "Window closed", "A deadline passed or has not opened."),
    ProblemType(
        "terms_mismatch",
        409,
        "Terms mismatch",
        "The terms hash you accepted is not the published one; fetch the terms again.",
    ),
    ProblemType(
        "submission_limit_reached",
        409,
        "Submission limit reached",
        "Revise or withdraw an entry instead.",
    ),
    ProblemType("already_supported", 409, "Already supported", "You already support this."),
    ProblemType("email_already_registered", 409, "Email already registered", "Sign in instead."),
    ProblemType(
        "conflict_of_interest",
        409,
        "Conflict of interest",
        "You may not act on an entry you wrote or declared a conflict for, nor enter or "
        "support entries in a challenge you are invited to review, nor review one you entered.",
    ),
    ProblemType(
        "unreviewed_version",
        409,
        "Unreviewed version",
        "No reviewer scored the version you award; wait for a review of it, or send "
        "`override_reason` (recorded with the award and shown in the chain of title).",
    ),
    ProblemType(
        "concurrent_update",
        409,
        "Concurrent update",
        "Someone changed this at the same time; retry after `Retry-After` seconds.",
    ),
    ProblemType(
        "idempotency_key_reused",
        422,
        "Idempotency key reused",
        "This Idempotency-Key was first sent with a different request; use a new key.",
    ),
    ProblemType("method_not_allowed", 405, "Method not allowed", "See the OpenAPI document."),
    ProblemType("payload_too_large", 413, "Payload too large", "The body is over the limit."),
    ProblemType("unsupported_media_type", 415, "Unsupported media type", "Send JSON."),
    ProblemType("too_many_requests", 429, "Too many requests", "Slow down; see `Retry-After`."),
    ProblemType("internal_error", 500, "Internal error", "Something failed on our side."),
    ProblemType("service_unavailable", 503, "Service unavailable", "Retry later."),
    ProblemType(
        "store_unavailable",
        503,
        "Store unavailable",
        "The event store could not be reached or could not write (connection lost, "
        "read-only or full); nothing was recorded. Retry after `Retry-After` seconds.",
    ),
)
PROBLEM_TYPES: dict[str, ProblemType] = {t.code: t for t in _TYPES}
_BY_STATUS = {
    401: "authentication_required",
    403: "access_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "service_unavailable",
}
RETRY_AFTER_SECONDS = "1"


def problem(
    code: str,
    detail: str,
    *,
    field: str | None = None,
    instance: str | None = None,
    errors: tuple[FieldError, ...] = (),
    status: int | None = None,
) -> Problem:
    kind = PROBLEM_TYPES.get(code)
    return Problem(
        type=TYPE_BASE + code,
        title=kind.title if kind else code.replace("_", " ").capitalize(),
        status=status or (kind.status if kind else 400),
        detail=detail,
        code=code,
        field=field,
        instance=instance,
        errors=errors,
    )


def problem_headers(p: Problem) -> dict[str, str]:
    headers: dict[str, str] = {}
    if p.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="openinno"'
    if p.code in (
        "concurrent_update",
        "too_many_requests",
        "service_unavailable",
        "store_unavailable",
    ):
        headers["Retry-After"] = RETRY_AFTER_SECONDS
    return headers


def problem_response(p: Problem, retry_after: float | None = None) -> Response[Problem]:
    headers = problem_headers(p)
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return Response(p, status_code=p.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def problem_for_domain_error(
    exc: DomainError, instance: str | None = None, locale: str = DEFAULT_LOCALE
) -> Problem:
    """``detail`` in the language the client asked for (``Accept-Language``), English
    without one; ``code``, ``title`` and ``field`` never vary: clients branch on them."""
    return problem(exc.code, localise(exc, locale), field=exc.field, instance=instance)


def request_locale(accept_language: str | None) -> str:
    return negotiate(accept_language or "")


# --- exception handlers ---------------------------------------------------------------------

_BACKTICKED = re.compile(r"`([^`]+)`")
_JSON_PATH = re.compile(r" - at `\$\.?([^`]*)`")
_MISSING = re.compile(r"Missing required (?:query|header|cookie|path) parameter '([^']+)'")


def _field_of(error: dict[str, Any]) -> str:
    """Litestar names the parameter; for a body it says ``data`` and msgspec's message
    names the field (``missing required field `name```)."""
    key = str(error.get("key") or "")
    message = str(error.get("message") or "")
    path = _JSON_PATH.search(message)
    if path and path.group(1):
        return path.group(1)
    if key in ("", "data", "body"):
        named = _BACKTICKED.findall(message)
        if "field" in message and named:
            return named[-1]
        return "body"
    return key


def _validation_problem(exc: ValidationException, instance: str) -> Problem:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = tuple(
        FieldError(field=_field_of(e), detail=_JSON_PATH.sub("", str(e.get("message", ""))))
        for e in extra
        if isinstance(e, dict)
    )
    in_body = all(isinstance(e, dict) and e.get("source") == "body" for e in extra)
    if not errors:
        missing = _MISSING.search(str(exc.detail))
        if missing:
            name = missing.group(1)
            return problem(
                "invalid_parameter",
                f"{name}: this parameter is required.",
                field=name,
                instance=instance,
            )
        return problem("invalid_body", str(exc.detail), instance=instance)
    return problem(
        "invalid_body" if in_body else "invalid_parameter",
        f"{errors[0].field}: {errors[0].detail}",
        field=errors[0].field,
        instance=instance,
        errors=errors,
    )


def problem_for_http_exception(exc: HTTPException, instance: str) -> Problem:
    if isinstance(exc, ValidationException):
        return _validation_problem(exc, instance)
    status = exc.status_code
    if status == 400:
        # Malformed JSON, a broken multipart body, a missing parameter: all bad input.
        return problem(
            "invalid_body", f"The request could not be read: {exc.detail}", instance=instance
        )
    code = _BY_STATUS.get(status)
    if code is None:
        code = "internal_error" if status >= 500 else f"http_{status}"
    detail = str(exc.detail) if status < 500 else PROBLEM_TYPES["internal_error"].description
    return problem(code, detail, instance=instance, status=status)


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    # An error that knows how long to wait (TooManyAttempts) says so in Retry-After.
    retry_after = getattr(exc, "retry_after", None)
    locale = request_locale(request.headers.get("accept-language"))
    return problem_response(problem_for_domain_error(exc, request.url.path, locale), retry_after)


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return problem_response(problem_for_http_exception(exc, request.url.path))


def store_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The store's connection or disk failed outside a command's save (a read, a pool
    timeout, a lost connection): as StoreUnavailable, a 503 with Retry-After, never
    a 500.  Store errors that mean a bug (programming, data) stay 500s."""
    log.warning("Event store unavailable in %s %s: %s", request.method, request.url.path, exc)
    return problem_response(
        problem_for_domain_error(
            StoreUnavailable("The event store is unavailable right now; try again shortly."),
            request.url.path,
            request_locale(request.headers.get("accept-language")),
        )
    )


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("Unhandled error in %s %s", request.method, request.url.path)
    return problem_response(
        problem(
            "internal_error",
            "Something failed on our side; it is logged. Retry later.",
            instance=request.url.path,
        )
    )


def app_routing_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """For the whole app: unknown routes and methods under /api/ are problems too (the
    router never reaches the API's own handlers for them); elsewhere Litestar's default."""
    if request.url.path.startswith(API_PREFIX):
        return http_exception_handler(request, exc)
    return create_exception_response(request, exc)


API_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    HTTPException: http_exception_handler,
    OperationalError: store_error_handler,
    InterfaceError: store_error_handler,
    Exception: internal_error_handler,
}


def problem_spec(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problems an operation may answer with."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_MEDIA_TYPE,
            description=", ".join(t.title for t in _TYPES if t.status == status) or "Problem",
            generate_examples=False,
        )
        for status in statuses
    }


# --- the problem types, described ---------------------------------------------------------


class ProblemTypeDoc(msgspec.Struct, frozen=True):
    type: str
    code: str
    status: int
    title: str
    description: str


@get(
    "/problems/{code:str}",
    tags=["problems"],
    summary="Describe a problem type",
    responses=problem_spec(404),
    sync_to_thread=False,
)
def describe_problem(code: FromPath[str]) -> ProblemTypeDoc:
    kind = PROBLEM_TYPES.get(code)
    if kind is None:
        raise NotFoundException(f"No problem type {code!r}.")
    return ProblemTypeDoc(TYPE_BASE + code, code, kind.status, kind.title, kind.description)


@get("/problems", tags=["problems"], summary="Every problem type", sync_to_thread=False)
def list_problems() -> list[ProblemTypeDoc]:
    return [
        ProblemTypeDoc(TYPE_BASE + t.code, t.code, t.status, t.title, t.description) for t in _TYPES
    ]
