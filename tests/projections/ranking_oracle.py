"""The sponsor's ranking as it was computed before it paged in SQL (issue 7): the
whole scoring sheet in Python from the raw scores, every live entry, sorted.  Kept
as the oracle the paged ranking is checked against.

One deliberate change from that code: ties after the scores are broken by the
entrant's number (then the entry's time), where the old sort compared the
pseudonym TEXT, which put "Entrant 10" before "Entrant 2"."""

from __future__ import annotations

from statistics import fmean
from typing import Any
from uuid import UUID

from openinno.domain.blind import AuthorVisibility
from projections.db import Db, Row
from projections.reviewers.queries import LIVE, identities, pseudonym
from projections.reviewers.scoring import Scored, agreement, weighted_total, z_scores
from projections.values import from_json


def scoring_sheet(db: Db, challenge_id: UUID) -> list[Row]:
    cid = str(challenge_id)
    challenge = db.rows(
        "SELECT title, criteria, revealed FROM rv_challenges WHERE challenge_id = ?", (cid,)
    )
    if not challenge:
        return []
    criteria: list[dict[str, Any]] = from_json(challenge[0]["criteria"])
    entries = db.rows(
        "SELECT e.submission_id, p.number, e.title, e.version, e.shortlisted, e.status,"
        " e.submitted_at "
        "FROM rv_entries e JOIN rv_pseudonyms p"
        " ON p.challenge_id = e.challenge_id AND p.entry_key = e.entry_key "
        f"WHERE e.challenge_id = ? AND e.status NOT IN {LIVE} "
        "ORDER BY p.number, e.submitted_at, e.submission_id",
        (cid,),
    )
    versions = {e["submission_id"]: e["version"] for e in entries}
    scored = db.rows(
        "SELECT submission_id, reviewer_id, scores, scored_version FROM rv_reviews "
        "WHERE challenge_id = ? AND conflict = 0 AND scores IS NOT NULL "
        "ORDER BY submission_id, reviewer_id",
        (cid,),
    )
    # Only reviews of the entry's current version count (issue 20); one recorded
    # before versions were bound is of version 1 (decision 0022).
    reviews = [
        Scored(r["submission_id"], r["reviewer_id"], scores, weighted_total(criteria, scores))
        for r in scored
        if r["submission_id"] in versions
        and (r["scored_version"] or 1) == versions[r["submission_id"]]
        for scores in [from_json(r["scores"])]
    ]
    stale = {r["submission_id"] for r in scored}
    z = z_scores(reviews)
    by_entry: dict[str, list[Scored]] = {}
    for r in reviews:
        by_entry.setdefault(r.submission_id, []).append(r)
    names = (
        identities(db, [e["submission_id"] for e in entries], AuthorVisibility(revealed=True))
        if challenge[0]["revealed"]
        else {}
    )
    rows = []
    for e in entries:
        own = by_entry.get(e["submission_id"], [])
        totals = [r.total for r in own]
        row: Row = {
            "submission_id": e["submission_id"],
            "pseudonym": pseudonym(e["number"]),
            "pseudonym_number": e["number"],
            "number": e["number"],
            "submitted_at": e["submitted_at"],
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
            "review_state": (
                "current" if own else "stale" if e["submission_id"] in stale else "unreviewed"
            ),
            "agreement": agreement(totals),
        }
        if e["submission_id"] in names:
            row["solver_name"] = names[e["submission_id"]]["solver_name"]
        rows.append(row)
    return rows


def ranking(db: Db, challenge_id: UUID) -> list[Row]:
    def key(row: Row) -> tuple[int, float, float, int]:
        unscored = row["normalised_score"] is None
        return (
            1 if unscored else 0,
            -(row["normalised_score"] or 0.0),
            -(row["mean_total"] or 0.0),
            row["number"],
        )

    # stable: equal keys keep the sheet's pseudonym order (number, time, id)
    ranked = sorted(scoring_sheet(db, challenge_id), key=key)
    return [{"rank": i, **row} for i, row in enumerate(ranked, start=1)]
