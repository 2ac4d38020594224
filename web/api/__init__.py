"""The JSON API under /api/v1: one module per resource, msgspec Structs for every
body, problem+json errors, bearer tokens and Idempotency-Key on writes."""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.types import ExceptionHandlersMap

from web.api import (
    accounts,
    awards,
    challenges,
    log,
    organisations,
    problems,
    reviews,
    submissions,
    votes,
)
from web.api.auth import provide_actor, provide_openinno, provide_viewer
from web.api.idempotency import IdempotencyMiddleware
from web.api.problems import API_EXCEPTION_HANDLERS, app_routing_error_handler

API_PATH = "/api/v1"


def api_router() -> Router:
    return Router(
        path=API_PATH,
        route_handlers=[
            *accounts.HANDLERS,
            *organisations.HANDLERS,
            *challenges.HANDLERS,
            *submissions.HANDLERS,
            *votes.HANDLERS,
            *reviews.HANDLERS,
            *awards.HANDLERS,
            *log.HANDLERS,
            problems.describe_problem,
            problems.list_problems,
        ],
        dependencies={
            "openinno": Provide(provide_openinno, sync_to_thread=False),
            "actor": Provide(provide_actor, sync_to_thread=True),
            "viewer": Provide(provide_viewer, sync_to_thread=True),
        },
        exception_handlers=API_EXCEPTION_HANDLERS,
        middleware=[IdempotencyMiddleware],
    )


def openapi_config() -> OpenAPIConfig:
    """OpenAPI 3.1 at /schema/openapi.json; browsable at /schema (Scalar) and /schema/swagger."""
    return OpenAPIConfig(
        title="openinno API",
        version="1.0.0",
        description=(
            "The JSON API for integrations. Authenticate with `Authorization: Bearer <token>` "
            "(POST /api/v1/tokens). Errors are RFC 9457 problem details. Every write returns "
            "the log `position` and accepts an `Idempotency-Key` header."
        ),
        path="/schema",
        render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http", scheme="bearer", description="A token from POST /api/v1/tokens"
                )
            }
        ),
        tags=[
            Tag(name=name)
            for name in (
                "accounts",
                "organisations",
                "challenges",
                "submissions",
                "votes",
                "reviews",
                "awards",
                "agreements",
                "problems",
            )
        ],
        create_examples=False,
    )


# For create_app: unknown routes and methods under /api/ answer with problems too.
APP_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    404: app_routing_error_handler,
    405: app_routing_error_handler,
}

__all__ = ["API_PATH", "APP_EXCEPTION_HANDLERS", "api_router", "openapi_config"]
