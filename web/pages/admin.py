"""The admin's page (accounts made with `openinno admin create`): where each
projection stands (position, lag in events and seconds) and how many events of
each type the log holds.  Anyone else gets a 404.  Moderation happens where the
content is: the hide form under each question on a challenge's page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency

from openinno.domain.errors import NotFound
from projections.admin.projection import event_counts
from projections.registry import ALL
from projections.status import standings
from web.pages.base import Pages, Viewer, require_signed_in

NO_STORE = CacheControlHeader(no_store=True)


class AdminPages(Controller):
    cache_control = NO_STORE

    @get("/admin", sync_to_thread=True)
    def status(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
    ) -> Response[str]:
        require_signed_in(viewer)
        if not viewer.is_admin:
            raise NotFound("No such page.")
        app = pages.openinno
        db = pages.reads.db()
        rows = standings(db, app.recorder, app.mapper.to_domain_event, [p.name for p in ALL])
        return pages.render(request, "admin.html", viewer, standings=rows, counts=event_counts(db))
