"""The entries' search page (issue 27, decision 0033): a search box and filters for the
sponsor's members and the challenge's reviewers, a page of matches at a time; the
sponsor's and reviewers' bulk tagging of what the search found."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from openinno.domain.errors import DomainError, InvalidInput, NotFound
from projections.participants.queries import identities
from projections.sifting import queries
from projections.sifting.queries import FLAGS, STATES, Search
from web import sifting
from web.api import access
from web.pages import paging
from web.pages.base import Form, Pages, Viewer, require_signed_in, status_for

FIELDS = ("q", "round", "min_score", "max_score", "tag", "from", "to", "sort")


def _number(text: str, field: str, kind: type) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        raise InvalidInput("Write a number.", field=field) from None
    if not 0 <= value <= 100:
        raise InvalidInput("Write a number from 0 to 100.", field=field)
    return value


def _day(text: str, field: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput("Write a date as YYYY-MM-DD.", field=field) from None


def search_from(request: Request[Any, Any, Any], audience: str) -> tuple[Form, Search]:
    """The page's query string as a form (to show it again) and its search."""
    query = request.query_params
    form = Form(values={name: str(query.get(name) or "") for name in FIELDS})
    form.values["state"] = [s for s in query.getall("state", []) if s in STATES]
    form.values["flag"] = [f for f in query.getall("flag", []) if f in FLAGS]
    form.values["sort"] = form.values["sort"] or "recent"
    tags = [t for t in form.values["tag"].split(",") if t.strip()]
    search = sifting.build_search(
        audience=audience,
        q=form.values["q"],
        states=form.values["state"],
        round=_number(form.values["round"], "round", int),
        min_score=_number(form.values["min_score"], "min_score", float),
        max_score=_number(form.values["max_score"], "max_score", float),
        tags=tags,
        flags=form.values["flag"],
        submitted_from=_day(form.values["from"], "from"),
        submitted_to=_day(form.values["to"], "to"),
        sort=form.values["sort"],
    )
    return form, search


class SiftingPages(Controller):
    @get("/challenges/{challenge_id:uuid}/sift", sync_to_thread=True)
    def page(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Response[str]:
        """Sponsors search every entry, reviewers the live ones (blind, no scores)."""
        actor = require_signed_in(viewer)
        audience = access.entries_audience(pages.openinno, actor, challenge_id)
        if audience.kind == "public":
            raise NotFound("No search of entries for challenge %(id)s.", id=str(challenge_id))
        db = pages.reads.db()
        cursor = str(request.query_params.get("cursor") or "")
        status = 200
        try:
            form, search = search_from(request, audience.kind)
        except DomainError as e:
            form = Form(values={name: str(request.query_params.get(name) or "") for name in FIELDS})
            form.values.setdefault("state", [])
            form.values.setdefault("flag", [])
            form.fail(e)
            search, status = Search(live_only=audience.kind != "sponsor"), status_for(e)
        after = None
        if cursor:
            key = paging.decode(cursor)
            kind = sifting.KEY_TYPES[search.sort]
            if len(key) != 2 or not isinstance(key[0], kind) or not isinstance(key[1], str):
                raise InvalidInput("This cursor is not one we gave out.", field="cursor")
            after = (key[0], key[1])
        size = paging.PAGE_SIZE
        rows = queries.search(db, str(challenge_id), search, after=after, limit=size + 1)
        found = paging.keyset(rows, cursor, size, sifting.key_of(search.sort))
        named = identities(db, [r["submission_id"] for r in found.items], audience.seen_by)
        for r in found.items:
            r["solver_name"] = named.get(r["submission_id"], {}).get("solver_name")
            if audience.kind != "sponsor":
                r["score"] = None
        return pages.render(
            request,
            "sift.html",
            viewer,
            status_code=status,
            challenge=audience.challenge,
            spec=audience.challenge.spec,
            sponsor=audience.kind == "sponsor",
            form=form,
            found=found,
            states=STATES,
            flags=FLAGS,
            tags=queries.challenge_tags(db, str(challenge_id)),
            next_query=_next_query(request, found.next_cursor),
        )


def _next_query(request: Request[Any, Any, Any], cursor: str | None) -> str | None:
    """The query string of the next page: this one's, with its cursor."""
    if cursor is None:
        return None
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    return urlencode([*pairs, ("cursor", cursor)])
