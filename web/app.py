"""The Litestar app factory.  No import-time side effects: everything is built in
create_app from the settings it is given."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get
from litestar.datastructures import State

from openinno.application import OpenInno
from openinno.settings import Settings
from web.api import APP_EXCEPTION_HANDLERS, api_router, openapi_config


@get("/healthz", sync_to_thread=True)
def healthz(state: State) -> dict[str, Any]:
    app: OpenInno = state.openinno
    position = app.recorder.max_notification_id() or 0
    return {
        "status": "ok",
        "store": "postgresql" if app.settings.is_postgres else "sqlite",
        "position": position,
    }


def create_app(settings: Settings | None = None, application: OpenInno | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    openinno = application or OpenInno(settings)

    def close_application() -> None:
        if application is None:
            openinno.close()

    return Litestar(
        route_handlers=[healthz, api_router()],
        state=State({"openinno": openinno, "settings": settings}),
        exception_handlers=APP_EXCEPTION_HANDLERS,
        openapi_config=openapi_config(),
        on_shutdown=[close_application],
    )
