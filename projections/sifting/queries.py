"""Questions a sponsor or a reviewer asks of a challenge's entries (issue 27):

- which entries match these words, in this state, round, score range, tag, with
  these flags, sent between these dates, best (or most supported, or newest) first?
  (``search``, a page at a time on a keyset of its sort)

Blind: rows carry no author; the caller joins names where the viewer may know them
(``participants.queries.identities``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from projections.db import Db, Row
from projections.participants.queries import fts5_query
from projections.sifting.projection import configuration

SORTS = {"score": "score", "support": "support_count", "recent": "submitted_at"}
STATES = ("submitted", "withdrawn", "disqualified", "awarded")
FLAGS = ("shortlisted", "threshold_reached", "awarded", "reviewed", "unreviewed")
_FLAG_SQL = {
    "shortlisted": "e.shortlisted = 1",
    "threshold_reached": "e.threshold_reached = 1",
    "awarded": "e.awarded = 1",
    "reviewed": "e.review_count > 0",
    "unreviewed": "e.review_count = 0",
}
LIVE = "e.status NOT IN ('withdrawn', 'disqualified')"

# A search's sort key: the sort column's value, then the submission id.
SearchKey = tuple[Any, str]


@dataclass(frozen=True)
class Search:
    """What to look for.  ``live_only``: the reviewers' view (no withdrawn or
    disqualified entry, whatever ``states`` says)."""

    text: str = ""
    states: tuple[str, ...] = ()
    round: int | None = None
    min_score: float | None = None
    max_score: float | None = None
    tags: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    submitted_from: str | None = None
    submitted_to: str | None = None
    sort: str = "recent"
    live_only: bool = False
    submission_ids: tuple[str, ...] = field(default=())

    @property
    def filters_text(self) -> bool:
        return bool(self.text.strip())


def _conditions(db: Db, challenge_id: str, search: Search) -> tuple[list[str], list[Any]]:
    where = ["e.challenge_id = ?"]
    params: list[Any] = [challenge_id]
    if search.filters_text:
        if db.dialect == "postgres":
            language = db.rows(
                "SELECT language FROM sf_challenges WHERE challenge_id = ?", (challenge_id,)
            )
            config = configuration(language[0]["language"] if language else None)
            where.append(f"e.search_vector @@ websearch_to_tsquery('{config}'::regconfig, ?)")
            params.append(search.text)
        else:
            where.append(
                "e.submission_id IN (SELECT submission_id FROM sf_entries_fts"
                " WHERE sf_entries_fts MATCH ?)"
            )
            params.append(fts5_query(search.text))
    if search.live_only:
        where.append(LIVE)
    if search.states:
        where.append(f"e.status IN ({', '.join('?' * len(search.states))})")
        params += list(search.states)
    if search.round is not None:
        where.append("e.round >= ?")
        params.append(search.round)
    if search.min_score is not None:
        where.append("e.score >= ?")
        params.append(search.min_score)
    if search.max_score is not None:
        where.append("e.score <= ? AND e.score >= 0")
        params.append(search.max_score)
    for tag in search.tags:
        where.append(
            "EXISTS (SELECT 1 FROM sf_tags t WHERE t.submission_id = e.submission_id AND t.tag = ?)"
        )
        params.append(tag)
    for flag in search.flags:
        where.append(_FLAG_SQL[flag])
    if search.submitted_from is not None:
        where.append("e.submitted_at >= ?")
        params.append(search.submitted_from)
    if search.submitted_to is not None:
        where.append("e.submitted_at < ?")
        params.append(search.submitted_to)
    if search.submission_ids:
        where.append(f"e.submission_id IN ({', '.join('?' * len(search.submission_ids))})")
        params += list(search.submission_ids)
    return where, params


def search_sql(
    db: Db, challenge_id: str, search: Search, *, after: SearchKey | None, limit: int
) -> tuple[str, list[Any]]:
    """The page's statement: best (or newest) first on the sort's index, the page
    after ``after`` by a row comparison the index seeks to."""
    column = SORTS[search.sort]
    where, params = _conditions(db, challenge_id, search)
    if after is not None:
        where.append(f"(e.{column}, e.submission_id) < (?, ?)")
        params += [after[0], after[1]]
    sql = (
        "SELECT e.submission_id, e.challenge_id, p.number, e.title, e.summary, e.version,"
        " e.status, e.round, e.shortlisted, e.awarded, e.threshold_reached,"
        " e.support_count, e.score, e.review_count, e.submitted_at,"
        " s.content_sha256, s.award_place "
        "FROM sf_entries e "
        "LEFT JOIN pt_submissions s ON s.submission_id = e.submission_id "
        "LEFT JOIN rv_entries r ON r.submission_id = e.submission_id "
        "LEFT JOIN rv_pseudonyms p ON p.challenge_id = r.challenge_id"
        " AND p.entry_key = r.entry_key "
        f"WHERE {' AND '.join(where)} "
        f"ORDER BY e.challenge_id DESC, e.{column} DESC, e.submission_id DESC LIMIT ?"
    )
    params.append(limit)
    return sql, params


def search(
    db: Db, challenge_id: str, search: Search, *, after: SearchKey | None, limit: int
) -> list[Row]:
    """A page of the challenge's entries matching ``search``, in its sort, with their
    tags.  Rows: submission_id, number (pseudonym), title, summary, version, status,
    round, shortlisted, awarded, threshold_reached, support_count, score (None while
    unreviewed), review_count, submitted_at, tags."""
    sql, params = search_sql(db, challenge_id, search, after=after, limit=limit)
    rows = db.rows(sql, params)
    tags = tags_of(db, [r["submission_id"] for r in rows])
    for r in rows:
        r["score"] = None if r["score"] is None or float(r["score"]) < 0 else float(r["score"])
        r["tags"] = tags.get(r["submission_id"], [])
    return rows


def search_key(row: Row, sort: str) -> SearchKey:
    value = row[SORTS[sort]]
    if sort == "score":
        value = -1.0 if value is None else float(value)
    return (value, row["submission_id"])


def tags_of(db: Db, submission_ids: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    ids = list(dict.fromkeys(submission_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for r in db.rows(
            f"SELECT submission_id, tag FROM sf_tags WHERE submission_id IN ({marks})"
            " ORDER BY submission_id, tag",
            chunk,
        ):
            found.setdefault(r["submission_id"], []).append(r["tag"])
    return found


def challenge_tags(db: Db, challenge_id: str) -> list[Row]:
    """The challenge's tags with how many entries carry each, by name."""
    return db.rows(
        "SELECT tag, COUNT(*) AS entries FROM sf_tags WHERE challenge_id = ?"
        " GROUP BY tag ORDER BY tag",
        (challenge_id,),
    )
