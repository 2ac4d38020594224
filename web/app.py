"""The Litestar app factory.  No import-time side effects: everything is built in
create_app from the settings it is given."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from litestar import Litestar, Response, get
from litestar.datastructures import State

from openinno.application import OpenInno
from openinno.settings import Settings
from projections import quarantine
from projections.registry import ALL
from projections.status import standings
from web.api import APP_EXCEPTION_HANDLERS, ApiConfig, api_setup, openapi_config
from web.api.reads import ApiReads
from web.pages import PagesConfig, pages_setup


def health_check(openinno: OpenInno, reads: ApiReads) -> Any:
    """`GET /healthz`: 200 with the log position and each projection's lag while the
    event store answers; 503 when it does not (load balancers take the worker out).
    A read model that has set events aside (``projections.quarantine``) makes the
    status "degraded", still 200: the worker serves, and monitoring alerts on it."""

    @get("/healthz", sync_to_thread=True, include_in_schema=True, tags=["health"])
    def healthz() -> Response[dict[str, Any]]:
        body: dict[str, Any] = {
            "store": "postgresql" if openinno.settings.is_postgres else "sqlite"
        }
        try:
            body["position"] = openinno.recorder.max_notification_id() or 0
        except Exception:  # any store failure: report it, never a trace
            return Response(
                {**body, "status": "unavailable"}, status_code=503, headers={"Retry-After": "5"}
            )
        try:
            rows = standings(
                reads.db(),
                openinno.recorder,
                openinno.mapper.to_domain_event,
                [p.name for p in ALL],
            )
            aside = quarantine.open_counts(reads.db())
            body["projections"] = {
                r.name: {
                    "position": r.position,
                    "lag_events": r.lag_events,
                    "lag_seconds": r.lag_seconds,
                    "set_aside": aside.get(r.name, 0),
                }
                for r in rows
            }
        except Exception:
            body["projections"] = "unavailable (run `openinno migrate`)"
            return Response({**body, "status": "ok"})
        if aside:
            body["set_aside"] = aside
            body["hint"] = "events set aside: `openinno projections quarantine`"
            return Response({**body, "status": "degraded"})
        return Response({**body, "status": "ok"})

    return healthz


def freeze_startup_objects() -> None:
    """Move every object alive at startup (the app, its routes, templates, modules,
    about 100,000 objects) out of the garbage collector's sight.  A full collection
    traverses every tracked object; under load one took 120 ms here, a stall for every
    request in flight (the reads benchmark's p99 spikes).  Frozen objects are never
    traversed again, so a full collection scans only what requests have left behind.
    They are never freed either, which is what a server's startup objects are for."""
    gc.collect()
    gc.freeze()


def request_threads(threads: int) -> Callable[[], None]:
    """A startup hook that gives the app's event loop its own pool of ``threads``
    threads as its default executor: Litestar runs every synchronous handler and
    dependency there (``sync_to_thread``), and so do the handlers and middlewares that
    hop to a thread themselves.  One pool, sized by the settings, rather than the
    interpreter's default (4 + cores) for most handlers and anyio's own 40 threads for
    the rest.  The loop shuts its default executor down when it closes."""

    def start() -> None:
        executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="openinno-request")
        asyncio.get_running_loop().set_default_executor(executor)

    return start


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
    # The API honours the pages' known-device cookies on POST /tokens (web.known_device).
    api = api_setup(settings, api_config, known_devices=pages.pages.known_devices)

    def close_application() -> None:
        pages.close()
        api.close()
        if application is None:
            openinno.close()

    return Litestar(
        route_handlers=[health_check(openinno, api.reads), api.router, pages.router, pages.static],
        state=State({"openinno": openinno, "settings": settings, "pages": pages.pages}),
        exception_handlers=pages.exception_handlers(APP_EXCEPTION_HANDLERS),
        openapi_config=openapi_config(),
        csrf_config=pages.csrf,
        middleware=pages.middleware,
        stores=pages.stores,
        on_startup=[request_threads(settings.web_threads)],
        on_shutdown=[close_application],
    )


def create_served_app() -> Litestar:
    """The app as `openinno serve` runs it (uvicorn's factory, one per worker): settings
    from the environment, a worker of several at a lower CPU priority than the
    supervisor (``lower_priority``), and the startup objects frozen once it is ready.
    (Not in create_app: a test process builds many apps, and frozen ones are never freed.)"""
    settings = Settings.from_env()
    if multiprocessing.parent_process() is not None:  # one of several workers
        lower_priority(settings.web_worker_nice)
    app = create_app(settings)
    app.on_startup.append(freeze_startup_objects)
    return app


def lower_priority(nice: int) -> None:
    """Run this web worker ``nice`` steps below the supervisor, whose threads apply the
    log to the read models and the ledger.  When the cores are busy, requests then wait
    rather than the read models falling behind: a write shows in the read models
    within a bounded time, and the writers slow down instead (measured under a burst of
    submissions, docs/performance.md: write to visible p99 127-184 -> 61-91 ms, for
    15-20 % fewer submissions per second)."""
    if nice > 0:
        os.nice(nice)
