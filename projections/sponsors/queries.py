"""Questions sponsors ask: how is my challenge doing, which entries rank best,
give me everything as CSV."""

from __future__ import annotations

import csv
import io
from uuid import UUID

from projections.db import Db, Row
from projections.legal.queries import agreement_state
from projections.reviewers.queries import review_progress, scoring_sheet


def challenge_dashboard(db: Db, challenge_id: UUID) -> Row | None:
    """Funnel (submissions, eligible, reviewed, shortlisted, awarded), review progress,
    support-threshold crossings and the state of each award's agreement."""
    cid = str(challenge_id)
    challenge = db.rows(
        "SELECT title, status, closes_at, review_ends_at FROM pt_challenges WHERE challenge_id = ?",
        (cid,),
    )
    if not challenge:
        return None
    # One pass over the challenge's entries for the whole funnel; the review
    # progress takes its live-entry count from here rather than counting again.
    counts = db.rows(
        "SELECT COUNT(*) AS submissions,"
        " SUM(CASE WHEN status NOT IN ('withdrawn', 'disqualified') THEN 1 ELSE 0 END)"
        " AS eligible,"
        " SUM(shortlisted) AS shortlisted,"
        " SUM(CASE WHEN award_place IS NOT NULL THEN 1 ELSE 0 END) AS awarded,"
        " SUM(threshold_reached) AS threshold_crossings "
        "FROM pt_submissions WHERE challenge_id = ?",
        (cid,),
    )[0]
    reviewed = db.rows(
        "SELECT COUNT(DISTINCT submission_id) AS n FROM rv_reviews "
        "WHERE challenge_id = ? AND scores IS NOT NULL AND conflict = 0",
        (cid,),
    )[0]["n"]
    agreements = db.rows(
        "SELECT * FROM lg_agreements WHERE challenge_id = ? ORDER BY place", (cid,)
    )
    return {
        **challenge[0],
        "challenge_id": cid,
        "funnel": {
            "submissions": int(counts["submissions"] or 0),
            "eligible": int(counts["eligible"] or 0),
            "reviewed": int(reviewed or 0),
            "shortlisted": int(counts["shortlisted"] or 0),
            "awarded": int(counts["awarded"] or 0),
        },
        "threshold_crossings": int(counts["threshold_crossings"] or 0),
        "review_progress": review_progress(db, challenge_id, live=int(counts["eligible"] or 0)),
        "agreements": [
            {
                "place": a["place"],
                "agreement_id": a["agreement_id"],
                "submission_id": a["submission_id"],
                "state": agreement_state(a),
            }
            for a in agreements
        ],
    }


def ranking(db: Db, challenge_id: UUID) -> list[Row]:
    """Live entries best first: by normalised score, then mean weighted total;
    unreviewed entries last."""
    sheet = scoring_sheet(db, challenge_id)
    if sheet is None:
        return []
    rows = sheet["rows"]

    def key(row: Row) -> tuple[int, float, float, str]:
        unscored = row["normalised_score"] is None
        return (
            1 if unscored else 0,
            -(row["normalised_score"] or 0.0),
            -(row["mean_total"] or 0.0),
            row["pseudonym"],
        )

    ranked = sorted(rows, key=key)
    return [{"rank": i, **row} for i, row in enumerate(ranked, start=1)]


EXPORT_COLUMNS = (
    "rank",
    "submission_id",
    "pseudonym",
    "title",
    "status",
    "shortlisted",
    "review_count",
    "mean_total",
    "normalised_score",
    "agreement",
)


def submissions_csv(db: Db, challenge_id: UUID) -> str:
    """The ranking as CSV, one row per entry (pseudonymous until identities are revealed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in ranking(db, challenge_id):
        writer.writerow(["" if row[c] is None else row[c] for c in EXPORT_COLUMNS])
    return out.getvalue()
