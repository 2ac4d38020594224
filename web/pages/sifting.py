"""The entries' search page (issue 27, decision 0033): a search box and filters for the
sponsor's members and the challenge's reviewers, a page of matches at a time; the
sponsor's and reviewers' bulk tagging of what the search found."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Stream

from openinno.domain.errors import DomainError, InvalidInput, NotFound
from projections.participants.queries import identities
from projections.sifting import queries
from projections.sifting.queries import FLAGS, STATES, Search
from web import exports, sifting
from web.api import access
from web.pages import paging
from web.pages.base import Form, Pages, Viewer, require_signed_in, status_for

FORM = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
# Query keys that are not the search: a page's cursor, the notice after tagging.
_NOT_SEARCH = ("cursor", "tagged")
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


def search_from(pairs: list[tuple[str, str]], audience: str) -> tuple[Form, Search]:
    """The page's query string (its pairs) as a form (to show it again) and its search."""
    first: dict[str, str] = {}
    for k, v in pairs:
        first.setdefault(k, v)
    form = Form(values={name: first.get(name, "") for name in FIELDS})
    form.values["state"] = [v for k, v in pairs if k == "state" and v in STATES]
    form.values["flag"] = [v for k, v in pairs if k == "flag" and v in FLAGS]
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


def _render(
    request: Request[Any, Any, Any],
    pages: Pages,
    viewer: Viewer,
    audience: access.EntriesAudience,
    pairs: list[tuple[str, str]],
    tag_form: Form | None = None,
    status: int = 200,
) -> Response[str]:
    """The search page for ``pairs`` (the query string), with the bulk-tag form."""
    challenge_id = audience.challenge.id
    db = pages.reads.db()
    cursor = next((v for k, v in pairs if k == "cursor"), "")
    try:
        form, search = search_from(pairs, audience.kind)
    except DomainError as e:
        first = dict(reversed(pairs))
        form = Form(values={name: first.get(name, "") for name in FIELDS})
        form.values.update(state=[], flag=[])
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
    searched = [(k, v) for k, v in pairs if k not in _NOT_SEARCH]
    return pages.render(
        request,
        "sift.html",
        viewer,
        status_code=status,
        challenge=audience.challenge,
        spec=audience.challenge.spec,
        sponsor=audience.kind == "sponsor",
        form=form,
        tag_form=tag_form or Form(values={"tag": ""}),
        found=found,
        states=STATES,
        flags=FLAGS,
        tags=queries.challenge_tags(db, str(challenge_id)),
        next_query=None
        if found.next_cursor is None
        else urlencode([*searched, ("cursor", found.next_cursor)]),
        this_query=urlencode(searched),
    )


def _audience(pages: Pages, actor: UUID, challenge_id: UUID) -> access.EntriesAudience:
    audience = access.entries_audience(pages.openinno, actor, challenge_id)
    if audience.kind == "public":
        raise NotFound("No search of entries for challenge %(id)s.", id=str(challenge_id))
    return audience


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
        audience = _audience(pages, actor, challenge_id)
        return _render(request, pages, viewer, audience, list(request.query_params.multi_items()))

    @post("/challenges/{challenge_id:uuid}/sift/tag", sync_to_thread=True)
    def tag(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        """Tag (or untag) every entry the search in ``search`` (a query string) finds:
        back to the search, or the search again with the error at the tag form."""
        actor = require_signed_in(viewer)
        audience = _audience(pages, actor, challenge_id)
        query = str(data.get("search") or "")[:4000]
        pairs = [(k, v) for k, v in parse_qsl(query) if k not in _NOT_SEARCH]
        tag_form = Form(values={"tag": str(data.get("tag") or "")})
        try:
            _form, search = search_from(pairs, audience.kind)
            recorded = sifting.tag_from_search(
                pages.openinno,
                pages.reads.db(),
                actor,
                challenge_id,
                tag_form.values["tag"],
                search,
                remove=data.get("action") == "remove",
            )
        except DomainError as e:
            tag_form.fail(e)
            return _render(request, pages, viewer, audience, pairs, tag_form, status_for(e))
        pages.reads.wait(recorded.position)
        return Redirect(
            f"/challenges/{challenge_id}/sift?{urlencode([*pairs, ('tagged', '1')])}",
            status_code=303,
        )

    def _duplicates(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        viewer: Viewer,
        challenge_id: UUID,
        form: Form | None = None,
        status: int = 200,
    ) -> Response[str]:
        actor = require_signed_in(viewer)
        challenge = pages.openinno.get_challenge(challenge_id, actor)
        organisation = pages.openinno.require_sponsor_view(actor, challenge.organisation_id)
        clusters = queries.duplicate_clusters(pages.reads.db(), str(challenge_id))
        return pages.render(
            request,
            "duplicates.html",
            viewer,
            status_code=status,
            challenge=challenge,
            spec=challenge.spec,
            clusters=clusters,
            form=form or Form(),
            may_merge=pages.openinno.author_visibility(actor).admin
            or organisation.role_of(actor) in ("owner", "manager"),
        )

    @get("/challenges/{challenge_id:uuid}/exports/{kind:str}", sync_to_thread=True)
    def export(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        kind: FromPath[str],
    ) -> Stream:
        """The entries or reviews as CSV or JSON Lines (``?format=jsonl``), streamed;
        the sponsor's members and admins (the API's rule: ``require_sponsor_view``)."""
        actor = require_signed_in(viewer)
        challenge = pages.openinno.get_challenge(challenge_id, actor)
        pages.openinno.require_sponsor_view(actor, challenge.organisation_id)
        fmt = str(request.query_params.get("format") or "csv")
        if kind not in exports.KINDS or fmt not in exports.FORMATS:
            raise NotFound("No export %(id)s.", id=f"{kind}.{fmt}")
        return Stream(
            exports.chunks(
                pages.reads.store,
                challenge_id,
                kind,
                fmt,
                pages.openinno.author_visibility(actor, challenge),
            ),
            media_type=exports.FORMATS[fmt],
            headers={
                "Content-Disposition": (
                    f'attachment; filename="{exports.filename(challenge_id, kind, fmt)}"'
                ),
                "Cache-Control": "no-store",
            },
        )

    @get("/challenges/{challenge_id:uuid}/duplicates", sync_to_thread=True)
    def duplicates(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
    ) -> Response[str]:
        """Clusters of near-duplicate entries, the first to propose each idea first
        (the sponsor's members and admins; owners and managers merge)."""
        return self._duplicates(request, pages, viewer, challenge_id)

    @post("/challenges/{challenge_id:uuid}/duplicates/merge", sync_to_thread=True)
    def merge(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        challenge_id: FromPath[UUID],
        data: FORM,
    ) -> Any:
        actor = require_signed_in(viewer)
        raw = data.get("submission_id") or []
        form = Form(values={"submission_id": raw if isinstance(raw, list) else [raw]})
        try:
            ids = [UUID(str(v)) for v in form.values["submission_id"]]
        except ValueError:
            ids = []
        try:
            recorded = pages.openinno.merge_duplicates(actor, challenge_id, ids)
        except DomainError as e:
            form.fail(e)
            return self._duplicates(request, pages, viewer, challenge_id, form, status_for(e))
        pages.reads.wait(recorded.position)
        return Redirect(f"/challenges/{challenge_id}/duplicates?merged=1", status_code=303)
