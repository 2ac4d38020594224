"""Lists read from the projections: the public catalogue of challenges, a
challenge's entries (sponsor, blind reviewers, public gallery) and the sponsor's
ranking.  Each accepts ``?min_position=`` and pages with an opaque cursor."""

from __future__ import annotations

import binascii
import math
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from openinno.application import OpenInno
from openinno.domain.errors import InvalidInput, NotFound
from openinno.domain.limits import TEXTS, check_text
from openinno.domain.values import totals_by_currency
from projections.participants import queries as participants
from projections.sifting import queries as sifting_queries
from projections.sponsors import queries as sponsors
from projections.values import parse_iso
from web import sifting
from web.api import access
from web.api.auth import SECURITY, signed_in
from web.api.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    decode_cursor,
    decode_key,
    encode_cursor,
    keyset_page,
)
from web.api.problems import problem_spec
from web.api.readmodels import challenge_entries
from web.api.reads import PARTICIPANTS, REVIEWERS, SIFTING, ApiReads, MinPosition

Phase = Literal["open", "upcoming", "closed", "awarded", "cancelled"]
Sort = Literal["closing", "newest", "prize"]


def when(value: str | None) -> datetime | None:
    return None if value is None else parse_iso(value)


# --- the catalogue --------------------------------------------------------------------------


class PrizeItem(msgspec.Struct, frozen=True):
    place: int
    amount: str
    currency: str


class MoneyItem(msgspec.Struct, frozen=True):
    amount: str
    currency: str


class ChallengeSummary(msgspec.Struct, frozen=True):
    id: UUID
    organisation_id: UUID
    status: str
    title: str
    category: str
    language: str
    prize_total: Annotated[
        float,
        msgspec.Meta(
            description="The sort key of `sort=prize`: every amount added, whatever its "
            "currency. For what the prizes come to, read `prize_totals`."
        ),
    ]
    currency: Annotated[str, msgspec.Meta(description="The first prize's currency.")]
    prizes: list[PrizeItem]
    opens_at: datetime
    closes_at: datetime
    published_at: datetime | None
    submission_count: int
    prize_totals: Annotated[
        list[MoneyItem],
        msgspec.Meta(description="The prizes' sum in each currency (never added across)."),
    ] = msgspec.field(default_factory=list)


class ChallengeList(msgspec.Struct, frozen=True):
    items: list[ChallengeSummary]
    next_cursor: str | None


def _prize(value: Any) -> PrizeItem:
    if isinstance(value, dict):
        return PrizeItem(int(value["place"]), str(value["amount"]), str(value["currency"]))
    place, amount, currency = value
    return PrizeItem(int(place), str(amount), str(currency))


def _summary(row: dict[str, Any]) -> ChallengeSummary:
    return ChallengeSummary(
        id=UUID(row["challenge_id"]),
        organisation_id=UUID(row["organisation_id"]),
        status=row["status"],
        title=row["title"],
        category=row["category"],
        language=row["language"],
        prize_total=float(row["prize_total"]),
        currency=row["currency"],
        prizes=[_prize(p) for p in row["prizes"] or ()],
        opens_at=parse_iso(row["opens_at"]),
        closes_at=parse_iso(row["closes_at"]),
        published_at=when(row["published_at"]),
        submission_count=int(row["submission_count"]),
        prize_totals=[
            MoneyItem(str(amount), currency)
            for currency, amount in totals_by_currency(row["prizes"] or ())
        ],
    )


def _catalogue_cursor(sort: str, cursor: str | None) -> str | None:
    """Our opaque cursor wraps the catalogue query's own; both are checked here."""
    if not cursor:
        return None
    key = decode_cursor(f"challenges:{sort}", cursor)
    inner = key[0] if len(key) == 1 else None
    try:
        if not isinstance(inner, str):
            raise ValueError
        participants.decode_catalogue_cursor(sort, inner)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("This cursor is not one we gave out.", field="cursor") from None
    return inner


@get(
    "/challenges",
    tags=["challenges"],
    summary="The public catalogue: published challenges (never drafts), searchable",
    description=(
        "`q` matches every word in the title or brief; `status` (repeatable) picks "
        "phases: open, upcoming (the default is both), closed, awarded, cancelled."
    ),
    responses=problem_spec(422, 503),
    sync_to_thread=True,
)
def list_challenges(
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    q: Annotated[str, QueryParameter(name="q", max_length=TEXTS["search"].max_length)] = "",
    status: Annotated[list[Phase] | None, QueryParameter(name="status")] = None,
    category: Annotated[
        str | None, QueryParameter(name="category", max_length=TEXTS["category"].max_length)
    ] = None,
    sort: Annotated[Sort, QueryParameter(name="sort")] = "closing",
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    min_position: MinPosition = None,
) -> ChallengeList:
    inner = _catalogue_cursor(sort, cursor)
    # The rules the texts were recorded under (no NUL byte reaches a query).
    q = check_text(q, "search", "q")
    category = check_text(category, "category") if category else None
    db = reads.at_least(openinno, min_position, PARTICIPANTS)
    found = participants.open_challenges(
        db,
        now=openinno.clock.now(),
        search=q,
        phases=tuple(dict.fromkeys(status or ("open", "upcoming"))),
        category=category or None,
        sort=sort,
        limit=limit,
        cursor=inner,
    )
    next_cursor = None
    if found.next_cursor is not None:
        next_cursor = encode_cursor(f"challenges:{sort}", (found.next_cursor,))
    return ChallengeList([_summary(r) for r in found.items], next_cursor)


# --- a challenge's entries ----------------------------------------------------------------


class EntryItem(msgspec.Struct, frozen=True):
    id: UUID
    pseudonym: str | None
    title: str
    summary: str
    status: str
    version: int
    content_sha256: str
    submitted_at: datetime
    support_count: int
    shortlisted: bool
    support_threshold_reached: bool
    award_place: int | None
    # Blind review (domain/blind.py): its authors, admins, the sponsor's owners and
    # legal members once awarded, everyone once identities are revealed.
    solver_id: UUID | None = None
    solver_name: str | None = None
    # A search's (issue 27): the review round the entry reached, its tags, and for the
    # sponsor its score (mean weighted total, 0..100, of the reviews that count).
    round: int | None = None
    tags: list[str] | None = None
    score: float | None = None
    review_count: int | None = None


class EntryList(msgspec.Struct, frozen=True):
    challenge_id: UUID
    audience: Annotated[
        str,
        msgspec.Meta(description="sponsor (every entry), reviewer (blind) or public (the gallery)"),
    ]
    identities_revealed: bool
    items: list[EntryItem]
    next_cursor: str | None


def _pseudonym(number: Any) -> str | None:
    return None if number is None else f"Entrant {int(number)}"


def _entry(row: dict[str, Any]) -> EntryItem:
    return EntryItem(
        id=UUID(row["submission_id"]),
        pseudonym=_pseudonym(row["pseudonym_number"]),
        title=row["title"],
        summary=row["summary"],
        status=row["status"],
        version=int(row["version"]),
        content_sha256=row["content_sha256"],
        submitted_at=parse_iso(row["submitted_at"]),
        support_count=int(row["support_count"]),
        shortlisted=bool(row["shortlisted"]),
        support_threshold_reached=bool(row["threshold_reached"]),
        award_place=row["award_place"],
        solver_id=UUID(row["solver_id"]) if row["solver_id"] else None,
        solver_name=row["solver_name"],
    )


@get(
    "/challenges/{challenge_id:uuid}/submissions",
    tags=["submissions"],
    summary="A challenge's entries: the sponsor sees all, reviewers blind, anyone a public gallery",
    description=(
        "Members of the sponsor organisation and admins see every entry with its status; "
        "the challenge's accepted reviewers see live entries under pseudonyms; anyone sees "
        "the live entries of a public challenge.  `solver_id` and `solver_name` appear only "
        "once the sponsor revealed identities; before, to the entry's authors, admins, and "
        "for an awarded entry the sponsor's owners and legal members.  Everyone else: 404.\n\n"
        "Search (sponsors and reviewers; any of these parameters makes the list a search): "
        "`q` matches every word of the title or summary (stemmed in the challenge's "
        "language on PostgreSQL; never the authors), `state`, `round` (reached at least), "
        "`tag` and `flag` (repeatable: all required), `min_score`/`max_score` and "
        "`sort=score` (the sponsor only), `submitted_from`/`submitted_to`, `sort` "
        "(recent, support, score; best or newest first)."
    ),
    responses=problem_spec(401, 404, 422, 503),
    sync_to_thread=True,
)
@signed_in
def list_entries(
    challenge_id: FromPath[UUID],
    viewer: NamedDependency[UUID | None],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    min_position: MinPosition = None,
    q: Annotated[
        str | None, QueryParameter(name="q", max_length=TEXTS["search"].max_length)
    ] = None,
    entry_state: Annotated[list[EntryState] | None, QueryParameter(name="state")] = None,
    reached_round: Annotated[int | None, QueryParameter(name="round", ge=1, le=100)] = None,
    min_score: Annotated[float | None, QueryParameter(name="min_score", ge=0, le=100)] = None,
    max_score: Annotated[float | None, QueryParameter(name="max_score", ge=0, le=100)] = None,
    tag: Annotated[list[str] | None, QueryParameter(name="tag", max_length=10)] = None,
    flag: Annotated[list[EntryFlag] | None, QueryParameter(name="flag")] = None,
    submitted_from: Annotated[datetime | None, QueryParameter(name="submitted_from")] = None,
    submitted_to: Annotated[datetime | None, QueryParameter(name="submitted_to")] = None,
    sort: Annotated[EntrySort | None, QueryParameter(name="sort")] = None,
) -> EntryList:
    audience = access.entries_audience(openinno, viewer, challenge_id)
    asked = (
        q,
        entry_state,
        reached_round,
        min_score,
        max_score,
        tag,
        flag,
        submitted_from,
        submitted_to,
        sort,
    )
    if any(a is not None for a in asked):
        if audience.kind == "public":
            raise NotFound("No search of entries for challenge %(id)s.", id=str(challenge_id))
        search = sifting.build_search(
            audience=audience.kind,
            q=q or "",
            states=list(entry_state or ()),
            round=reached_round,
            min_score=min_score,
            max_score=max_score,
            tags=tag,
            flags=list(flag or ()),
            submitted_from=submitted_from,
            submitted_to=submitted_to,
            sort=sort or "recent",
        )
        return _searched(
            openinno, reads, audience, challenge_id, search, cursor, limit, min_position
        )
    kind = f"entries:{challenge_id}"
    key = decode_key(kind, cursor, (str, str))
    after = None if key is None else (key[0], key[1])
    db = reads.at_least(openinno, min_position, (*PARTICIPANTS, *REVIEWERS))
    rows = challenge_entries(
        db,
        challenge_id,
        live_only=not audience.all_statuses,
        after=after,
        limit=limit + 1,
        seen_by=audience.seen_by,
    )
    rows, next_cursor = keyset_page(
        kind, rows, lambda r: (r["submitted_at"], r["submission_id"]), limit
    )
    return EntryList(
        challenge_id=challenge_id,
        audience=audience.kind,
        identities_revealed=audience.challenge.identities_revealed,
        items=[_entry(r) for r in rows],
        next_cursor=next_cursor,
    )


EntryState = Literal["submitted", "withdrawn", "disqualified", "awarded"]
EntryFlag = Literal["shortlisted", "threshold_reached", "awarded", "reviewed", "unreviewed"]
EntrySort = Literal["recent", "support", "score"]


def _searched(
    openinno: OpenInno,
    reads: ApiReads,
    audience: access.EntriesAudience,
    challenge_id: UUID,
    search: sifting_queries.Search,
    cursor: str | None,
    limit: int,
    min_position: int | None,
) -> EntryList:
    kind = sifting.cursor_kind(challenge_id, search.sort)
    after = sifting.after_key(decode_key(kind, cursor, (sifting.KEY_TYPES[search.sort], str)))
    db = reads.at_least(openinno, min_position, (*PARTICIPANTS, *REVIEWERS, *SIFTING))
    rows = sifting_queries.search(db, str(challenge_id), search, after=after, limit=limit + 1)
    rows, next_cursor = keyset_page(kind, rows, sifting.key_of(search.sort), limit)
    named = participants.identities(db, [r["submission_id"] for r in rows], audience.seen_by)
    sponsor = audience.kind == "sponsor"
    items = [
        EntryItem(
            id=UUID(r["submission_id"]),
            pseudonym=_pseudonym(r["number"]),
            title=r["title"],
            summary=r["summary"],
            status=r["status"],
            version=int(r["version"]),
            content_sha256=r["content_sha256"] or "",
            submitted_at=parse_iso(r["submitted_at"]),
            support_count=int(r["support_count"]),
            shortlisted=bool(r["shortlisted"]),
            support_threshold_reached=bool(r["threshold_reached"]),
            award_place=r["award_place"],
            solver_id=UUID(named[r["submission_id"]]["solver_id"])
            if r["submission_id"] in named
            else None,
            solver_name=named.get(r["submission_id"], {}).get("solver_name"),
            round=int(r["round"]),
            tags=list(r["tags"]),
            score=r["score"] if sponsor else None,
            review_count=int(r["review_count"]) if sponsor else None,
        )
        for r in rows
    ]
    return EntryList(
        challenge_id=challenge_id,
        audience=audience.kind,
        identities_revealed=audience.challenge.identities_revealed,
        items=items,
        next_cursor=next_cursor,
    )


# --- the sponsor's ranking ------------------------------------------------------------------

Number = float | int | str


class ReviewScores(msgspec.Struct, frozen=True):
    reviewer_id: UUID
    scores: dict[str, Number]
    weighted_total: float
    z_score: float


class RankedEntry(msgspec.Struct, frozen=True):
    rank: int
    id: UUID
    pseudonym: str
    title: str
    status: str
    shortlisted: bool
    review_count: int
    mean_total: float | None
    normalised_score: float | None
    agreement: float | None
    reviews: list[ReviewScores]
    review_state: Annotated[
        str,
        msgspec.Meta(
            description=(
                "current: ranked on reviews of the entry's current version; stale: only "
                "reviews of an earlier version (re-review needed); unreviewed: none. "
                "Stale and unreviewed entries come after the ranked ones, apart"
            )
        ),
    ] = "current"
    solver_name: str | None = None


class Ranking(msgspec.Struct, frozen=True):
    challenge_id: UUID
    items: list[RankedEntry]
    next_cursor: str | None


def _ranked(row: dict[str, Any]) -> RankedEntry:
    return RankedEntry(
        rank=int(row["rank"]),
        id=UUID(row["submission_id"]),
        pseudonym=row["pseudonym"],
        title=row["title"],
        status=row["status"],
        shortlisted=bool(row["shortlisted"]),
        review_count=int(row["review_count"]),
        mean_total=row["mean_total"],
        normalised_score=row["normalised_score"],
        agreement=row["agreement"],
        reviews=[
            ReviewScores(
                UUID(r["reviewer_id"]),
                dict(r["scores"]),
                float(r["weighted_total"]),
                float(r["z_score"]),
            )
            for r in row["reviews"]
        ],
        review_state=row["review_state"],
        solver_name=row.get("solver_name"),
    )


@get(
    "/challenges/{challenge_id:uuid}/ranking",
    tags=["awards"],
    summary="Live entries best first, with every review (the sponsor's members and admins)",
    description=(
        "Ranked by normalised score (mean per-reviewer z-score), then mean weighted total, "
        "counting only reviews of each entry's current version; entries with stale or no "
        "reviews last, apart (`review_state`), in pseudonym order.  Pseudonymous until identities are "
        "revealed.  The cursor carries the last rank and sort key: pages continue the order "
        "and the numbering."
    ),
    security=SECURITY,
    responses=problem_spec(401, 404, 422, 503),
    sync_to_thread=True,
)
@signed_in
def ranking(
    challenge_id: FromPath[UUID],
    actor: NamedDependency[UUID],
    openinno: NamedDependency[OpenInno],
    reads: NamedDependency[ApiReads],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    min_position: MinPosition = None,
) -> Ranking:
    challenge = access.sponsor_challenge(openinno, actor, challenge_id)
    db = reads.at_least(openinno, min_position, (*PARTICIPANTS, *REVIEWERS))
    kind = f"ranking:{challenge_id}"
    after = _rank_after(decode_key(kind, cursor, (int, int, float, float, int, str, str)))
    # Keyset in SQL (sponsors.ranking_page): one page costs the challenge's reviews
    # and an index walk, whatever the number of entries.
    rows = sponsors.ranking_page(
        db,
        challenge_id,
        after=after,
        limit=limit + 1,
        seen_by=openinno.author_visibility(actor, challenge),
    )
    chunk, next_cursor = keyset_page(kind, rows, sponsors.rank_key, limit)
    return Ranking(challenge_id, [_ranked(r) for r in chunk], next_cursor)


def _rank_after(key: tuple[Any, ...] | None) -> sponsors.RankKey | None:
    """A decoded ranking cursor, checked beyond its types (a rank, a 0/1 flag,
    finite scores): anything else is a 422, never a query with nonsense in it."""
    if key is None:
        return None
    rank, reviewed, normalised, mean_total, number, submitted_at, submission_id = key
    if rank < 0 or reviewed not in (0, 1) or not all(map(math.isfinite, (normalised, mean_total))):
        raise InvalidInput("This cursor is not one we gave out.", field="cursor")
    return (rank, reviewed, normalised, mean_total, number, submitted_at, submission_id)


HANDLERS = [list_challenges, list_entries, ranking]
