"""What the sponsor exports of a challenge (issue 27): its entries and its reviews,
read a page at a time on a keyset of an index (never the whole challenge in memory,
never an OFFSET), so an export of any size streams in constant memory.

Blind: rows carry no author; ``entries`` takes the names the caller may know
(``participants.queries.identities`` per page, under ``AuthorVisibility``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from projections.db import Db, Row
from projections.participants.queries import identities
from projections.sifting.queries import tags_of
from projections.values import from_json

PAGE = 1000

ENTRY_COLUMNS = (
    "submission_id",
    "pseudonym",
    "title",
    "summary",
    "status",
    "round",
    "shortlisted",
    "awarded",
    "support_count",
    "threshold_reached",
    "score",
    "review_count",
    "submitted_at",
    "tags",
    "solver_name",
)


def entries(
    db: Db, challenge_id: str, names: Callable[[Sequence[str]], dict[str, Row]]
) -> Iterator[Row]:
    """Every entry in order of receipt, from the ``sf_entries_recent`` index.
    ``names``: solver names by entry, for those the exporter may know."""
    after: tuple[str, str] = ("", "")
    while True:
        rows = db.rows(
            "SELECT e.submission_id, p.number, e.title, e.summary, e.status, e.round,"
            " e.shortlisted, e.awarded, e.support_count, e.threshold_reached, e.score,"
            " e.review_count, e.submitted_at FROM sf_entries e"
            " LEFT JOIN rv_entries r ON r.submission_id = e.submission_id"
            " LEFT JOIN rv_pseudonyms p ON p.challenge_id = r.challenge_id"
            " AND p.entry_key = r.entry_key"
            " WHERE e.challenge_id = ? AND (e.submitted_at, e.submission_id) > (?, ?)"
            " ORDER BY e.challenge_id, e.submitted_at, e.submission_id LIMIT ?",
            (challenge_id, after[0], after[1], PAGE),
        )
        if not rows:
            return
        ids = [r["submission_id"] for r in rows]
        tags = tags_of(db, ids)
        named = names(ids)
        for r in rows:
            yield {
                "submission_id": r["submission_id"],
                "pseudonym": None if r["number"] is None else f"Entrant {int(r['number'])}",
                "title": r["title"],
                "summary": r["summary"],
                "status": r["status"],
                "round": int(r["round"]),
                "shortlisted": bool(r["shortlisted"]),
                "awarded": bool(r["awarded"]),
                "support_count": int(r["support_count"]),
                "threshold_reached": bool(r["threshold_reached"]),
                "score": None if float(r["score"]) < 0 else float(r["score"]),
                "review_count": int(r["review_count"]),
                "submitted_at": r["submitted_at"],
                "tags": tags.get(r["submission_id"], []),
                "solver_name": named.get(r["submission_id"], {}).get("solver_name"),
            }
        if len(rows) < PAGE:
            return
        after = (rows[-1]["submitted_at"], rows[-1]["submission_id"])


def criteria_names(db: Db, challenge_id: str) -> list[str]:
    """The criteria of every round, in order, each once (the reviews' CSV columns)."""
    found = db.rows(
        "SELECT criteria, rounds_criteria FROM sf_challenges WHERE challenge_id = ?",
        (challenge_id,),
    )
    if not found:
        return []
    rounds = [from_json(found[0]["criteria"]), *from_json(found[0]["rounds_criteria"])]
    return list(dict.fromkeys(c["name"] for criteria in rounds for c in criteria))


def _criteria_of(db: Db, challenge_id: str) -> dict[int, dict[str, Any]]:
    found = db.rows(
        "SELECT criteria, rounds_criteria FROM sf_challenges WHERE challenge_id = ?",
        (challenge_id,),
    )
    if not found:
        return {}
    rounds = [from_json(found[0]["criteria"]), *from_json(found[0]["rounds_criteria"])]
    return {n: {c["name"]: c for c in criteria} for n, criteria in enumerate(rounds, 1)}


def reviews(db: Db, challenge_id: str) -> Iterator[Row]:
    """Every scored review of the challenge by id (the ``sf_reviews_challenge``
    index): the entry's pseudonym, the reviewer, the round and version scored, each
    criterion's score normalised to 0..1 ((score - min) / (max - min)) and the
    weighted total (0..100)."""
    criteria = _criteria_of(db, challenge_id)
    after = ""
    while True:
        rows = db.rows(
            "SELECT v.review_id, v.submission_id, v.round, v.scores, v.scored_version,"
            " v.conflict, v.total, p.number, rr.reviewer_id FROM sf_reviews v"
            " LEFT JOIN rv_reviews rr ON rr.review_id = v.review_id"
            " LEFT JOIN rv_entries r ON r.submission_id = v.submission_id"
            " LEFT JOIN rv_pseudonyms p ON p.challenge_id = r.challenge_id"
            " AND p.entry_key = r.entry_key"
            " WHERE v.challenge_id = ? AND v.review_id > ?"
            " AND (v.scores IS NOT NULL OR v.conflict = 1)"
            " ORDER BY v.challenge_id, v.review_id LIMIT ?",
            (challenge_id, after, PAGE),
        )
        if not rows:
            return
        for r in rows:
            rubric = criteria.get(int(r["round"]), {})
            scores = from_json(r["scores"]) if r["scores"] else {}
            normalised = {}
            for name, value in scores.items():
                c = rubric.get(name)
                if c is not None:
                    span = float(c["max_score"]) - float(c["min_score"])
                    normalised[name] = round((float(value) - float(c["min_score"])) / span, 6)
            yield {
                "review_id": r["review_id"],
                "submission_id": r["submission_id"],
                "pseudonym": None if r["number"] is None else f"Entrant {int(r['number'])}",
                "reviewer_id": r["reviewer_id"],
                "round": int(r["round"]),
                "scored_version": r["scored_version"],
                "conflict": bool(r["conflict"]),
                "weighted_total": None if r["total"] is None else float(r["total"]),
                "scores": normalised,
            }
        if len(rows) < PAGE:
            return
        after = rows[-1]["review_id"]


def names_for(db: Db, seen_by: Any) -> Callable[[Sequence[str]], dict[str, Row]]:
    return lambda ids: identities(db, ids, seen_by)
