"""The entries' search as pages and API take it (issue 27, decision 0033): its
parameters checked into a ``Search``, who may use which, and the cursor of each sort.

Sponsors (the organisation's members, admins) search every entry; the challenge's
reviewers search its live entries, and neither the score filter nor the score sort
is theirs (a score is the other reviewers' judgement; each reviewer scores alone).
Nobody searches by author: only title and summary are indexed (decision 0015)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from openinno.application import OpenInno
from openinno.commands.results import Recorded
from openinno.domain.entry_tags import MAX_TAGGED_AT_ONCE, check_tag
from openinno.domain.errors import InvalidInput
from openinno.domain.limits import check_text
from projections.db import Db
from projections.sifting import queries
from projections.sifting.queries import FLAGS, SORTS, STATES, Search, SearchKey
from projections.values import iso
from web.cursors import storable

# Tags: short words or phrases, compared as written after trimming and lower-casing.
MAX_TAG_LENGTH = 40


def normalise_tag(tag: str) -> str:
    text = " ".join(tag.split()).casefold()
    if not text or len(text) > MAX_TAG_LENGTH or "\x00" in text:
        raise InvalidInput("A tag has 1 to %(max)s characters.", field="tag", max=MAX_TAG_LENGTH)
    return text


def build_search(
    *,
    audience: str,
    q: str = "",
    states: list[str] | None = None,
    round: int | None = None,
    min_score: float | None = None,
    max_score: float | None = None,
    tags: list[str] | None = None,
    flags: list[str] | None = None,
    submitted_from: datetime | None = None,
    submitted_to: datetime | None = None,
    sort: str = "recent",
) -> Search:
    """The checked search (InvalidInput for what this audience may not ask)."""
    q = check_text(q, "search", "q")
    if sort not in SORTS:
        raise InvalidInput("Sort by one of %(choices)s.", field="sort", choices=", ".join(SORTS))
    for state in states or ():
        if state not in STATES:
            raise InvalidInput(
                "State must be one of %(choices)s.", field="state", choices=", ".join(STATES)
            )
    for flag in flags or ():
        if flag not in FLAGS:
            raise InvalidInput(
                "Flag must be one of %(choices)s.", field="flag", choices=", ".join(FLAGS)
            )
    scored = min_score is not None or max_score is not None or sort == "score"
    if audience != "sponsor" and scored:
        raise InvalidInput("Only the sponsor sorts and filters entries by score.", field="sort")
    return Search(
        text=q,
        states=tuple(dict.fromkeys(states or ())),
        round=round,
        min_score=min_score,
        max_score=max_score,
        tags=tuple(dict.fromkeys(check_tag(t) for t in tags or ())),
        flags=tuple(dict.fromkeys(flags or ())),
        submitted_from=None if submitted_from is None else iso(submitted_from),
        submitted_to=None if submitted_to is None else iso(submitted_to),
        sort=sort,
        live_only=audience != "sponsor",
    )


def cursor_kind(challenge_id: object, sort: str) -> str:
    return f"search:{challenge_id}:{sort}"


# The type of each sort's first key (the cursor's value is checked against it).
KEY_TYPES: dict[str, type] = {"score": float, "support": int, "recent": str}


def after_key(key: tuple[Any, ...] | None) -> SearchKey | None:
    if key is None:
        return None
    if not all(map(storable, key)):
        raise InvalidInput("This cursor is not one we gave out.", field="cursor")
    return (key[0], key[1])


def key_of(sort: str) -> Any:
    return lambda row: queries.search_key(row, sort)


def matching_ids(db: Db, challenge_id: UUID, search: Search, *, most: int) -> list[UUID]:
    """Every entry the search finds, walked a page at a time (at most ``most`` + 1:
    the caller refuses more than ``most``)."""
    found: list[UUID] = []
    after: SearchKey | None = None
    while len(found) <= most:
        rows = queries.search(db, str(challenge_id), search, after=after, limit=500)
        found += [UUID(r["submission_id"]) for r in rows]
        if len(rows) < 500:
            break
        after = queries.search_key(rows[-1], search.sort)
    return found[: most + 1]


def tag_from_search(
    openinno: OpenInno,
    db: Db,
    actor: UUID,
    challenge_id: UUID,
    tag: str,
    search: Search,
    *,
    remove: bool = False,
) -> Recorded:
    """Tag (or untag) what the search finds: refused past ``MAX_TAGGED_AT_ONCE``."""
    ids = matching_ids(db, challenge_id, search, most=MAX_TAGGED_AT_ONCE)
    if len(ids) > MAX_TAGGED_AT_ONCE:
        raise InvalidInput(
            "Tag at most %(max)s entries at once.", field="tag", max=MAX_TAGGED_AT_ONCE
        )
    if not ids:
        raise InvalidInput("Choose at least one entry.", field="submission_ids")
    command = openinno.untag_entries if remove else openinno.tag_entries
    return command(actor, challenge_id, tag, ids)
