"""Questions reviewers (and sponsors) ask: what must I review, how do entries score,
how far along is the review."""

from __future__ import annotations

from statistics import fmean
from typing import Any
from uuid import UUID

from projections.db import Db, Row
from projections.reviewers.scoring import Scored, agreement, weighted_total, z_scores
from projections.values import from_json

LIVE = "('withdrawn', 'disqualified')"


def pseudonym(number: int) -> str:
    return f"Entrant {number}"


def _identities(db: Db, challenge_id: str) -> dict[str, Row]:
    """Solver names per submission, from the participants' tables: only ever
    called for challenges whose identities are revealed."""
    rows = db.rows(
        "SELECT s.submission_id, s.solver_id, p.display_name AS solver_name "
        "FROM pt_submissions s LEFT JOIN pt_people p ON p.account_id = s.solver_id "
        "WHERE s.challenge_id = ?",
        (challenge_id,),
    )
    return {r["submission_id"]: r for r in rows}


def my_review_queue(db: Db, reviewer_id: UUID) -> list[Row]:
    """Live entries of every challenge this reviewer accepted, under pseudonyms,
    with my review's state (to_do, scored, conflict).  Solver identity is added
    only once the challenge's identities are revealed."""
    rows = db.rows(
        f"{_QUEUE_SELECT} WHERE v.reviewer_id = ? AND v.accepted = 1 AND e.status NOT IN {LIVE} "
        f"ORDER BY {_QUEUE_ORDER}",
        (str(reviewer_id), str(reviewer_id)),
    )
    return _queue_entries(db, rows)


_QUEUE_SELECT = (
    "SELECT e.challenge_id, c.title AS challenge_title, c.review_ends_at, c.revealed,"
    " e.submission_id, p.number, e.submitted_at, e.title, e.summary, e.version,"
    " e.content_sha256, e.shortlisted, r.scores, r.comment, r.conflict "
    "FROM rv_reviewers v JOIN rv_challenges c ON c.challenge_id = v.challenge_id "
    "JOIN rv_entries e ON e.challenge_id = v.challenge_id "
    "JOIN rv_pseudonyms p ON p.challenge_id = e.challenge_id AND p.solver_key = e.solver_key "
    "LEFT JOIN rv_reviews r ON r.submission_id = e.submission_id AND r.reviewer_id = ?"
)
_QUEUE_ORDER = "c.review_ends_at, e.challenge_id, p.number, e.submitted_at, e.submission_id"

# The sort key of a queue row, as my_review_queue_page takes it in ``after``.
QueueKey = tuple[str, str, int, str, str]


def queue_key(row: Row) -> QueueKey:
    return (
        row["review_ends_at"],
        row["challenge_id"],
        int(row["number"]),
        row["submitted_at"],
        row["submission_id"],
    )


def my_review_queue_page(
    db: Db, reviewer_id: UUID, *, after: QueueKey | None, limit: int
) -> list[Row]:
    """``my_review_queue`` a page at a time (keyset on its order: ``after`` is the
    ``queue_key`` of the last row sent).  Rows also carry ``number`` and ``submitted_at``.

    Walked challenge by challenge (a reviewer has few), each challenge's entries in
    pseudonym order from the ``(challenge_id, number)`` index: a page of a
    100,000-entry challenge reads about a page of rows, where one query ordered
    across the join sorted the whole challenge for every page."""
    challenges = db.rows(
        "SELECT c.challenge_id, c.review_ends_at FROM rv_reviewers v "
        "JOIN rv_challenges c ON c.challenge_id = v.challenge_id "
        "WHERE v.reviewer_id = ? AND v.accepted = 1 "
        "ORDER BY c.review_ends_at, c.challenge_id",
        (str(reviewer_id),),
    )
    rows: list[Row] = []
    for c in challenges:
        if len(rows) >= limit:
            break
        here = (c["review_ends_at"], c["challenge_id"])
        if after is not None and here < after[:2]:
            continue
        sql = (
            f"{_QUEUE_SELECT} WHERE v.reviewer_id = ? AND v.accepted = 1 "
            f"AND e.status NOT IN {LIVE} AND p.challenge_id = ? "
        )
        params: list[object] = [str(reviewer_id), str(reviewer_id), c["challenge_id"]]
        if after is not None and here == after[:2]:
            # ``p.number >= ?`` lets the index start at the cursor's entrant.
            sql += "AND p.number >= ? AND (p.number, e.submitted_at, e.submission_id) > (?, ?, ?) "
            params += [after[2], *after[2:]]
        sql += "ORDER BY p.number, e.submitted_at, e.submission_id LIMIT ?"
        params.append(limit - len(rows))
        rows += db.rows(sql, params)
    return _queue_entries(db, rows)


def review_entry(db: Db, reviewer_id: UUID, submission_id: UUID) -> Row | None:
    """One entry of this reviewer's queue (as ``my_review_queue`` shows it), or None
    when it is not in the queue: the score form's lookup, one row instead of the queue."""
    rows = db.rows(
        f"{_QUEUE_SELECT} WHERE v.reviewer_id = ? AND v.accepted = 1 AND e.status NOT IN {LIVE} "
        "AND e.submission_id = ?",
        (str(reviewer_id), str(reviewer_id), str(submission_id)),
    )
    entries = _queue_entries(db, rows)
    return entries[0] if entries else None


def _queue_entries(db: Db, rows: list[Row]) -> list[Row]:
    revealed: dict[str, dict[str, Row]] = {}
    queue = []
    for r in rows:
        state = "conflict" if r["conflict"] else ("scored" if r["scores"] else "to_do")
        entry: Row = {
            "challenge_id": r["challenge_id"],
            "challenge_title": r["challenge_title"],
            "review_ends_at": r["review_ends_at"],
            "submission_id": r["submission_id"],
            "pseudonym": pseudonym(r["number"]),
            "title": r["title"],
            "summary": r["summary"],
            "version": r["version"],
            "content_sha256": r["content_sha256"],
            "shortlisted": bool(r["shortlisted"]),
            "state": state,
            "scores": from_json(r["scores"]),
            "comment": r["comment"] or "",
            "number": r["number"],
            "submitted_at": r["submitted_at"],
        }
        if r["revealed"]:
            if r["challenge_id"] not in revealed:
                revealed[r["challenge_id"]] = _identities(db, r["challenge_id"])
            who = revealed[r["challenge_id"]].get(r["submission_id"], {})
            entry["solver_id"] = who.get("solver_id")
            entry["solver_name"] = who.get("solver_name")
        queue.append(entry)
    return queue


def scoring_sheet(db: Db, challenge_id: UUID) -> Row | None:
    """Per live entry: every review's raw scores and weighted total, the mean total,
    the normalised score (mean per-reviewer z-score) and the reviewers' agreement.
    Conflicted reviews do not count."""
    cid = str(challenge_id)
    challenge = db.rows(
        "SELECT title, criteria, revealed FROM rv_challenges WHERE challenge_id = ?", (cid,)
    )
    if not challenge:
        return None
    criteria: list[dict[str, Any]] = from_json(challenge[0]["criteria"])
    entries = db.rows(
        "SELECT e.submission_id, p.number, e.title, e.version, e.shortlisted, e.status "
        "FROM rv_entries e JOIN rv_pseudonyms p"
        " ON p.challenge_id = e.challenge_id AND p.solver_key = e.solver_key "
        f"WHERE e.challenge_id = ? AND e.status NOT IN {LIVE} "
        "ORDER BY p.number, e.submitted_at, e.submission_id",
        (cid,),
    )
    live = {e["submission_id"] for e in entries}
    reviews = [
        Scored(
            r["submission_id"],
            r["reviewer_id"],
            scores,
            weighted_total(criteria, scores),
        )
        for r in db.rows(
            "SELECT submission_id, reviewer_id, scores FROM rv_reviews "
            "WHERE challenge_id = ? AND conflict = 0 AND scores IS NOT NULL "
            "ORDER BY submission_id, reviewer_id",
            (cid,),
        )
        if r["submission_id"] in live
        for scores in [from_json(r["scores"])]
    ]
    z = z_scores(reviews)
    # Grouped once: comparing every entry with every review was quadratic at scale.
    by_entry: dict[str, list[Scored]] = {}
    for r in reviews:
        by_entry.setdefault(r.submission_id, []).append(r)
    identities = _identities(db, cid) if challenge[0]["revealed"] else {}
    rows = []
    for e in entries:
        own = by_entry.get(e["submission_id"], [])
        totals = [r.total for r in own]
        row: Row = {
            "submission_id": e["submission_id"],
            "pseudonym": pseudonym(e["number"]),
            "title": e["title"],
            "status": e["status"],
            "shortlisted": bool(e["shortlisted"]),
            "reviews": [
                {
                    "reviewer_id": r.reviewer_id,
                    "scores": dict(r.scores),
                    "weighted_total": r.total,
                    "z_score": round(z[(r.submission_id, r.reviewer_id)], 4),
                }
                for r in own
            ],
            "review_count": len(own),
            "mean_total": round(fmean(totals), 4) if totals else None,
            "normalised_score": (
                round(fmean(z[(r.submission_id, r.reviewer_id)] for r in own), 4) if own else None
            ),
            "agreement": agreement(totals),
        }
        if e["submission_id"] in identities:
            row["solver_name"] = identities[e["submission_id"]]["solver_name"]
        rows.append(row)
    return {"challenge_id": cid, "title": challenge[0]["title"], "criteria": criteria, "rows": rows}


def review_progress(db: Db, challenge_id: UUID, *, live: int | None = None) -> Row:
    """Reviews done against reviews assigned, per accepted reviewer and in total.
    Every accepted reviewer is assigned every live entry; a declared conflict
    removes the entry from that reviewer's assignment.  ``live``: the number of
    live entries where the caller counted them already (the sponsor's dashboard),
    so a 150,000-entry challenge is not counted twice per page."""
    cid = str(challenge_id)
    if live is None:
        live = db.rows(
            f"SELECT COUNT(*) AS n FROM rv_entries WHERE challenge_id = ? AND status NOT IN {LIVE}",
            (cid,),
        )[0]["n"]
    # Each review's entry looked up by its key (reviews are few), not a semi-join
    # against every live entry of the challenge.
    rows = db.rows(
        "SELECT v.reviewer_id,"
        " SUM(CASE WHEN r.scores IS NOT NULL AND r.conflict = 0 THEN 1 ELSE 0 END) AS done,"
        " SUM(CASE WHEN r.conflict = 1 THEN 1 ELSE 0 END) AS conflicts "
        "FROM rv_reviewers v LEFT JOIN rv_reviews r ON r.challenge_id = v.challenge_id"
        " AND r.reviewer_id = v.reviewer_id AND EXISTS (SELECT 1 FROM rv_entries e"
        f" WHERE e.submission_id = r.submission_id AND e.status NOT IN {LIVE}) "
        "WHERE v.challenge_id = ? AND v.accepted = 1 GROUP BY v.reviewer_id ORDER BY v.reviewer_id",
        (cid,),
    )
    reviewers = [
        {
            "reviewer_id": r["reviewer_id"],
            "done": int(r["done"] or 0),
            "assigned": int(live) - int(r["conflicts"] or 0),
        }
        for r in rows
    ]
    return {
        "challenge_id": cid,
        "entries": int(live),
        "reviewers": reviewers,
        "done": sum(r["done"] for r in reviewers),
        "assigned": sum(r["assigned"] for r in reviewers),
    }
