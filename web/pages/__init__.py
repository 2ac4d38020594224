"""The server-rendered web front: Litestar controllers (one module per area),
Jinja2 templates (web/templates), static files (web/static) and Babel
catalogues (web/i18n).  `web.app.create_app` wires it in with `PagesSetup`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.types import ExceptionHandlersMap, Middleware

from openinno.application import OpenInno
from openinno.settings import Settings
from web.pages import (
    account_links,
    accounts,
    admin,
    after_the_win,
    agreements,
    appeals,
    assignment,
    branding,
    drafts,
    files,
    legal,
    manage,
    moderation,
    notifications,
    public,
    reviewers,
    sifting,
    solvers,
    sponsors,
    teams,
    votes,
    webhooks,
)
from web.pages.base import Pages, provide_pages, provide_viewer
from web.pages.config import PagesConfig
from web.pages.errors import PAGE_EXCEPTION_HANDLERS, app_exception_handlers
from web.pages.readmodels import ReadModels
from web.pages.security import security_headers_middleware
from web.pages.sessions import SessionFileStore, session_config
from web.replica import read_connections_for

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
API_EXEMPT = ["^/api/"]


@dataclass
class PagesSetup:
    """Everything create_app needs from the pages, built from the settings."""

    pages: Pages
    router: Router
    static: Router
    csrf: CSRFConfig
    middleware: list[Middleware]
    stores: dict[str, Store] = field(default_factory=dict)

    def exception_handlers(self, api_handlers: ExceptionHandlersMap) -> ExceptionHandlersMap:
        return app_exception_handlers(api_handlers)

    def close(self) -> None:
        self.pages.close()


def pages_setup(
    settings: Settings, openinno: OpenInno, config: PagesConfig | None = None
) -> PagesSetup:
    config = config or PagesConfig.from_env()
    reads = ReadModels(read_connections_for(settings), config.read_wait_seconds)
    pages = Pages(openinno, config, reads)
    secret = config.resolve_secret(settings)
    prefix = config.cookie_prefix
    csrf = CSRFConfig(
        secret=secret,
        cookie_name=f"{prefix}csrftoken",
        cookie_secure=config.secure_cookies,
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_path="/",
        header_name="x-csrftoken",
        # The JSON API authenticates with bearer tokens, never cookies: no CSRF there.
        exclude=API_EXEMPT,
    )
    sessions = session_config(prefix, config.secure_cookies, config.session_max_age)
    router = Router(
        path="/",
        route_handlers=[
            public.PublicPages,
            accounts.AccountPages,
            solvers.SolverPages,
            teams.TeamPages,
            drafts.DraftPages,
            sponsors.SponsorPages,
            webhooks.WebhookPages,
            reviewers.ReviewerPages,
            legal.LegalPages,
            agreements.AgreementPages,
            after_the_win.AfterTheWinPages,
            manage.ManagePages,
            assignment.AssignmentPages,
            admin.AdminPages,
            appeals.AppealPages,
            moderation.ModerationPages,
            files.FilePages,
            branding.BrandingPages,
            notifications.NotificationPages,
            votes.VotePages,
            account_links.AccountLinkPages,
            sifting.SiftingPages,
        ],
        dependencies={
            "pages": Provide(provide_pages, sync_to_thread=False),
            "viewer": Provide(provide_viewer),
        },
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        # HTML pages and their form posts are not the API: keep them out of OpenAPI.
        include_in_schema=False,
    )
    static = create_static_files_router(
        path="/static", directories=[STATIC_DIR], cache_control=None, include_in_schema=False
    )
    return PagesSetup(
        pages=pages,
        router=router,
        static=static,
        csrf=csrf,
        middleware=[
            DefineMiddleware(security_headers_middleware(config.secure_cookies)),
            sessions.middleware,
        ],
        stores={"sessions": SessionFileStore(settings.sessions_dir)},
    )


__all__ = ["PagesConfig", "PagesSetup", "pages_setup"]
