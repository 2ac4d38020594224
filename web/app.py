"""The Litestar app factory.  No import-time side effects: everything is built in
create_app from the settings it is given."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get
from litestar.datastructures import State

from openinno.application import OpenInno
from openinno.settings import Settings
from web.api import APP_EXCEPTION_HANDLERS, ApiConfig, api_setup, openapi_config
from web.pages import PagesConfig, pages_setup


@get("/healthz", sync_to_thread=True)
def healthz(state: State) -> dict[str, Any]:
    app: OpenInno = state.openinno
    position = app.recorder.max_notification_id() or 0
    return {
        "status": "ok",
        "store": "postgresql" if app.settings.is_postgres else "sqlite",
        "position": position,
    }


def create_app(
    settings: Settings | None = None,
    application: OpenInno | None = None,
    pages_config: PagesConfig | None = None,
    api_config: ApiConfig | None = None,
) -> Litestar:
    settings = settings or Settings.from_env()
    openinno = application or OpenInno(settings)
    # The server-rendered pages (web/pages): sessions, CSRF (not under /api/), headers.
    pages = pages_setup(settings, openinno, pages_config)
    # The JSON API (web/api): bearer tokens, problem+json, reads from the projections.
    api = api_setup(settings, api_config)

    def close_application() -> None:
        pages.close()
        api.close()
        if application is None:
            openinno.close()

    return Litestar(
        route_handlers=[healthz, api.router, pages.router, pages.static],
        state=State({"openinno": openinno, "settings": settings, "pages": pages.pages}),
        exception_handlers=pages.exception_handlers(APP_EXCEPTION_HANDLERS),
        openapi_config=openapi_config(),
        csrf_config=pages.csrf,
        middleware=pages.middleware,
        stores=pages.stores,
        on_shutdown=[close_application],
    )
