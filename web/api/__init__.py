"""The JSON API under /api/v1: one module per resource, msgspec Structs for every
body, problem+json errors, bearer tokens and Idempotency-Key on writes."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Router
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.types import ExceptionHandlersMap

from openinno.settings import Settings
from web.api import (
    account_links,
    accounts,
    appeals,
    assignment,
    audit,
    awards,
    catalogue,
    challenges,
    comments,
    drafts,
    files,
    log,
    moderation,
    notifications,
    organisations,
    personal_data,
    problems,
    remedies,
    reviews,
    royalties,
    sifting,
    submissions,
    teams,
    votes,
    webhooks,
)
from web.api.auth import provide_openinno
from web.api.common import with_idempotency_key
from web.api.config import ApiConfig
from web.api.idempotency import WRITE_METHODS, IdempotencyMiddleware
from web.api.problems import API_EXCEPTION_HANDLERS, app_routing_error_handler, problem_spec
from web.api.ratelimit import RateLimiter, RateLimitMiddleware
from web.api.reads import ApiReads
from web.api.reference import SelfHostedScalar
from web.known_device import KnownDevices
from web.pages.config import PagesConfig
from web.replica import read_connections_for
from web.throttle import (
    Buckets,
    LoginThrottle,
    MailLinkThrottle,
    MemoryBuckets,
    SignupThrottle,
    shared_buckets,
)
from web.throttle_postgres import database_buckets

API_PATH = "/api/v1"

# Anonymous writes ignore Idempotency-Key (keys are scoped to an account, and a
# token response must never be stored): their schema does not offer it.
ANONYMOUS_WRITES = (
    accounts.register_account,
    accounts.issue_token,
    account_links.ask_password_reset,
    account_links.use_password_reset,
)
# Writes whose answer holds a secret shown once: never recorded for Idempotency-Key
# (web/api/idempotency.py NEVER_RECORDED).
UNRECORDED_WRITES = (webhooks.register_webhook,)


@dataclass
class ApiSetup:
    """What create_app needs from the API: its router, and what to close at shutdown."""

    router: Router
    reads: ApiReads
    limiter: RateLimiter
    login_throttle: LoginThrottle
    signup_throttle: SignupThrottle

    def close(self) -> None:
        self.reads.close()
        self.limiter.buckets.close()


def api_setup(
    settings: Settings,
    config: ApiConfig | None = None,
    *,
    known_devices: KnownDevices | None = None,
) -> ApiSetup:
    """``known_devices``: the pages' signer of known-device cookies (None: the API
    honours none)."""
    config = config or ApiConfig.from_env()
    reads = ApiReads(read_connections_for(settings), config.read_wait_seconds)

    buckets: Buckets = (
        shared_buckets(settings.data_dir)
        if config.rate_limit_store == "shared"
        else database_buckets(settings)
        if config.rate_limit_store == "database"
        else MemoryBuckets()
    )
    limiter = RateLimiter(
        config.token_requests, config.anonymous_requests, config.window_seconds, buckets
    )
    login_throttle = LoginThrottle(
        buckets,
        per_ip=config.login_failures_per_ip,
        window_seconds=config.login_window_seconds,
        per_account=config.login_failures_per_account,
        account_window_seconds=config.login_account_window_seconds,
    )
    signup_throttle = SignupThrottle(buckets, config.signup_requests, config.signup_window_seconds)
    # Reset links asked for: the pages' limits (web.pages.config), in the same buckets.
    defaults = PagesConfig()
    mail_link_throttle = MailLinkThrottle(
        buckets,
        defaults.mail_links_per_ip,
        defaults.mail_links_per_address,
        defaults.mail_links_window_seconds,
    )

    def provide_reads() -> ApiReads:
        return reads

    def provide_login_throttle() -> LoginThrottle:
        return login_throttle

    def provide_signup_throttle() -> SignupThrottle:
        return signup_throttle

    def provide_mail_link_throttle() -> MailLinkThrottle:
        return mail_link_throttle

    def provide_known_devices() -> KnownDevices | None:
        return known_devices

    handlers = [
        *accounts.HANDLERS,
        *account_links.HANDLERS,
        *organisations.HANDLERS,
        *challenges.HANDLERS,
        *catalogue.HANDLERS,
        *sifting.HANDLERS,
        *submissions.HANDLERS,
        *files.HANDLERS,
        *teams.HANDLERS,
        *drafts.HANDLERS,
        *votes.HANDLERS,
        *reviews.HANDLERS,
        *assignment.HANDLERS,
        *remedies.HANDLERS,
        *appeals.HANDLERS,
        *moderation.HANDLERS,
        *comments.HANDLERS,
        *awards.HANDLERS,
        *royalties.HANDLERS,
        *audit.HANDLERS,
        *notifications.HANDLERS,
        *webhooks.HANDLERS,
        *log.HANDLERS,
        *personal_data.HANDLERS,
        problems.describe_problem,
        problems.list_problems,
    ]
    for handler in handlers:
        # Every operation may answer 429 (see web/api/ratelimit.py): say so in the schema.
        handler.responses = {**(handler.responses or {}), **problem_spec(429)}
        if handler.http_methods & WRITE_METHODS and handler not in ANONYMOUS_WRITES:
            # The idempotency middleware may answer 409 (a retry still running) and 422
            # (a key reused for another request) before the handler runs; a read-only
            # token gets 403 on every write (web.api.auth).
            handler.responses = {**problem_spec(403, 409, 422), **handler.responses}
            if handler not in UNRECORDED_WRITES:
                handler.operation_class = with_idempotency_key(handler.operation_class)
    router = Router(
        path=API_PATH,
        route_handlers=handlers,
        dependencies={
            "openinno": Provide(provide_openinno, sync_to_thread=False),
            "reads": Provide(provide_reads, sync_to_thread=False),
            "login_throttle": Provide(provide_login_throttle, sync_to_thread=False),
            "signup_throttle": Provide(provide_signup_throttle, sync_to_thread=False),
            "known_devices": Provide(provide_known_devices, sync_to_thread=False),
            "mail_link_throttle": Provide(provide_mail_link_throttle, sync_to_thread=False),
        },
        exception_handlers=API_EXCEPTION_HANDLERS,
        # Outermost first: a request over its limit never reaches the idempotency store.
        middleware=[DefineMiddleware(RateLimitMiddleware, limiter=limiter), IdempotencyMiddleware],
    )
    return ApiSetup(router, reads, limiter, login_throttle, signup_throttle)


def openapi_config() -> OpenAPIConfig:
    """OpenAPI 3.1 at /schema/openapi.json; browsable at /schema (Scalar, served from
    this origin: web/api/reference.py).  No Swagger UI: Litestar's loads from a CDN."""
    return OpenAPIConfig(
        title="openinno API",
        version="1.0.0",
        description=(
            "The JSON API for integrations. Authenticate with `Authorization: Bearer <token>` "
            "(POST /api/v1/tokens). Errors are RFC 9457 problem details. Every write returns "
            "the log `position` and accepts an `Idempotency-Key` header; lists read from "
            "projections accept `?min_position=` and page with an opaque `cursor`. Requests "
            "are rate limited per token (per address when anonymous): over the limit, a 429 "
            "with `Retry-After`."
        ),
        path="/schema",
        render_plugins=[SelfHostedScalar()],
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
                "drafts",
                "teams",
                "votes",
                "reviews",
                "awards",
                "agreements",
                "remedies",
                "appeals",
                "moderation",
                "comments",
                "notifications",
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

__all__ = [
    "API_PATH",
    "APP_EXCEPTION_HANDLERS",
    "ApiConfig",
    "ApiSetup",
    "api_setup",
    "openapi_config",
]
