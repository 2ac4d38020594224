"""Questions a sponsor or a reviewer asks of a challenge's entries (issue 27):

- which entries propose the same idea, and which of them came first?
  (``duplicate_clusters``)
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
from projections.sifting import duplicates
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
    # With words on SQLite the matches drive (the FTS5 rowids, each entry found by its
    # receipt's index): a unary + keeps the planner off the challenge's index, which it
    # otherwise walks whole, testing every entry against the matches (70 times slower
    # for a word in 5 % of 2,000 entries).
    fts = search.filters_text and db.dialect == "sqlite"
    where = ["+e.challenge_id = ?" if fts else "e.challenge_id = ?"]
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
                "e.received_position IN (SELECT rowid FROM sf_entries_fts"
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
    # With words on SQLite, the matches (found by the FTS5 index, by key) are sorted,
    # not the sort's index walked while testing each row against them: SQLite cannot
    # tell how many rows match, and a rare word made that walk read the whole
    # challenge (a unary + keeps the planner off the index).  PostgreSQL estimates the
    # matches from its statistics and chooses for itself.
    order = f"+e.{column}" if search.filters_text and db.dialect == "sqlite" else f"e.{column}"
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
        f"ORDER BY e.challenge_id DESC, {order} DESC, e.submission_id DESC LIMIT ?"
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


def duplicate_clusters(db: Db, challenge_id: str) -> list[list[Row]]:
    """Which entries of the challenge propose the same idea?  Clusters of two or more,
    each in order of receipt (the first is the first to propose it), clusters in the
    order of their first: pairs sharing an LSH bucket whose signatures are similar
    (``duplicates.SIMILAR``), and the entries the sponsor merged.  Rows:
    submission_id, number, title, status, received_at, received_position, first,
    similarity (to the cluster's first), merged (the sponsor merged it)."""
    candidates = db.rows(
        "SELECT DISTINCT a.submission_id AS a, b.submission_id AS b FROM sf_buckets a"
        " JOIN sf_buckets b ON b.challenge_id = a.challenge_id AND b.band = a.band"
        " AND b.bucket = a.bucket AND b.submission_id > a.submission_id"
        " WHERE a.challenge_id = ?",
        (challenge_id,),
    )
    merged = db.rows(
        "SELECT submission_id, merged_into FROM sf_signatures"
        " WHERE challenge_id = ? AND merged_into IS NOT NULL",
        (challenge_id,),
    )
    ids = {r["a"] for r in candidates} | {r["b"] for r in candidates}
    ids |= {r["submission_id"] for r in merged} | {r["merged_into"] for r in merged}
    if not ids:
        return []
    entries: dict[str, Row] = {}
    chosen = sorted(ids)
    for start in range(0, len(chosen), 500):
        chunk = chosen[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for r in db.rows(
            "SELECT g.submission_id, g.received_position, g.received_at, g.signature,"
            " g.merged_into, e.title, e.status, p.number FROM sf_signatures g"
            " JOIN sf_entries e ON e.submission_id = g.submission_id"
            " LEFT JOIN rv_entries v ON v.submission_id = g.submission_id"
            " LEFT JOIN rv_pseudonyms p ON p.challenge_id = v.challenge_id"
            " AND p.entry_key = v.entry_key"
            f" WHERE g.submission_id IN ({marks})",
            chunk,
        ):
            entries[r["submission_id"]] = r
    signatures = {k: duplicates.decode(r["signature"]) for k, r in entries.items()}
    pairs = [
        (r["a"], r["b"])
        for r in candidates
        if r["a"] in signatures
        and r["b"] in signatures
        and duplicates.similarity(signatures[r["a"]], signatures[r["b"]]) >= duplicates.SIMILAR
    ]
    pairs += [(r["submission_id"], r["merged_into"]) for r in merged if r["merged_into"] in entries]
    order = sorted(entries, key=lambda k: (int(entries[k]["received_position"]), k))
    clusters = []
    for group in duplicates.link(order, pairs):
        first = group[0]
        clusters.append(
            [
                {
                    "submission_id": k,
                    "number": entries[k]["number"],
                    "title": entries[k]["title"],
                    "status": entries[k]["status"],
                    "received_at": entries[k]["received_at"],
                    "received_position": int(entries[k]["received_position"]),
                    "first": k == first,
                    "similarity": round(duplicates.similarity(signatures[first], signatures[k]), 4),
                    "merged": entries[k]["merged_into"] is not None,
                }
                for k in group
            ]
        )
    return clusters
