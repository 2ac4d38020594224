"""Questions sponsors ask: how is my challenge doing, which entries rank best,
give me everything as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from uuid import UUID

from openinno.domain.blind import BLIND, AuthorVisibility
from projections.db import Db, Row
from projections.legal.queries import agreement_state
from projections.participants.queries import identities
from projections.reviewers.queries import (
    EntrantKey,
    counted_reviews,
    pseudonym,
    review_progress,
    review_totals,
    scored_entries_page,
    unscored_entries_page,
)
from projections.reviewers.scoring import agreement

CHALLENGE_COLUMNS = ("title", "status", "closes_at", "review_ends_at")


def challenge_dashboard(db: Db, challenge_id: UUID) -> Row | None:
    """Funnel (submissions, eligible, reviewed, shortlisted, awarded), review progress,
    support-threshold crossings and the state of each award's agreement."""
    cid = str(challenge_id)
    # The counts are kept by the projections as they apply events (pt_challenge_counts,
    # rv_counts): one row each, whatever the challenge's size.
    found = db.rows(
        "SELECT c.title, c.status, c.closes_at, c.review_ends_at,"
        " k.submissions, k.eligible, k.shortlisted, k.awarded, k.threshold_crossings,"
        " r.reviewed "
        "FROM pt_challenges c"
        " LEFT JOIN pt_challenge_counts k ON k.challenge_id = c.challenge_id"
        " LEFT JOIN rv_counts r ON r.challenge_id = c.challenge_id "
        "WHERE c.challenge_id = ?",
        (cid,),
    )
    if not found:
        return None
    counts = {k: int(v or 0) for k, v in found[0].items() if k not in CHALLENGE_COLUMNS}
    agreements = db.rows(
        "SELECT * FROM lg_agreements WHERE challenge_id = ? ORDER BY place", (cid,)
    )
    return {
        **{k: found[0][k] for k in CHALLENGE_COLUMNS},
        "challenge_id": cid,
        "funnel": {
            "submissions": counts["submissions"],
            "eligible": counts["eligible"],
            "reviewed": counts["reviewed"],
            "shortlisted": counts["shortlisted"],
            "awarded": counts["awarded"],
        },
        "threshold_crossings": counts["threshold_crossings"],
        "review_progress": review_progress(db, challenge_id, live=counts["eligible"]),
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


# Where a ranking page ends: the rank of its last row and that row's sort key, so
# the next page continues the order and the numbering without counting what came
# before: (rank, 1 if reviewed else 0, normalised score, mean total, entrant number,
# submitted_at, submission_id); scores are 0.0 for an unreviewed row.
RankKey = tuple[int, int, float, float, int, str, str]


def rank_key(row: Row) -> RankKey:
    reviewed = row["normalised_score"] is not None
    return (
        int(row["rank"]),
        1 if reviewed else 0,
        float(row["normalised_score"]) if reviewed else 0.0,
        float(row["mean_total"]) if reviewed else 0.0,
        int(row["number"]),
        row["submitted_at"],
        row["submission_id"],
    )


def ranking_page(
    db: Db,
    challenge_id: UUID,
    *,
    after: RankKey | None,
    limit: int,
    reviews: bool = True,
    seen_by: AuthorVisibility = BLIND,
) -> list[Row]:
    """Live entries best first, a page at a time (``after``: ``rank_key`` of the last
    row sent).  Reviewed entries first, by normalised score (mean per-reviewer
    z-score), then mean weighted total, then pseudonym order, counting only reviews
    of each entry's current version; then, apart (``review_state`` "stale" or
    "unreviewed"), the entries no review of their current version scores, in
    pseudonym order.  Each row carries its reviews (raw scores, weighted
    total, z-score) and the reviewers' agreement; the solver's name only where
    ``seen_by`` (the viewer's standing, ``OpenInno.author_visibility``) may know it,
    or for everyone once the challenge's identities are revealed.  ``reviews=False``: without the reviews and
    the agreement (one query fewer, for lists that show neither: the sponsor's pages).

    Computed in SQL over the challenge's counted reviews (a sample of its entries)
    and, past them, read from the pseudonym index: a page never reads or sorts
    every entry of the challenge."""
    cid = str(challenge_id)
    challenge = db.rows("SELECT revealed FROM rv_challenges WHERE challenge_id = ?", (cid,))
    if not challenge or limit <= 0:
        return []
    rows: list[Row] = []
    unscored_after: EntrantKey | None = None
    if after is None or after[1] == 1:
        scored_after = None if after is None else (after[2], after[3], *after[4:])
        rows += scored_entries_page(db, challenge_id, after=scored_after, limit=limit)
    else:
        unscored_after = (after[4], after[5], after[6])
    if len(rows) < limit:
        rows += unscored_entries_page(
            db, challenge_id, after=unscored_after, limit=limit - len(rows)
        )
    scored = [r["submission_id"] for r in rows if r.get("review_count")]
    by_entry: dict[str, list[Row]] = {}
    for review in counted_reviews(db, challenge_id, scored) if reviews else ():
        by_entry.setdefault(review.pop("submission_id"), []).append(review)
    revealed = seen_by.revealed or bool(challenge[0]["revealed"])
    names = identities(db, [r["submission_id"] for r in rows], seen_by.with_revealed(revealed))
    first = 1 if after is None else after[0] + 1
    ranked = []
    for rank, r in enumerate(rows, start=first):
        reviewed = bool(r.get("review_count"))
        row: Row = {
            "rank": rank,
            "submission_id": r["submission_id"],
            "pseudonym": pseudonym(r["number"]),
            "pseudonym_number": r["number"],
            "title": r["title"],
            "status": r["status"],
            "shortlisted": bool(r["shortlisted"]),
            "review_count": int(r["review_count"]) if reviewed else 0,
            "mean_total": float(r["mean_total"]) if reviewed else None,
            "normalised_score": float(r["normalised_score"]) if reviewed else None,
            # Apart from the ranked: "stale" (reviews of an earlier version only) or
            # "unreviewed" (none); "current" is ranked on reviews of this version.
            "review_state": (
                "current" if reviewed else "stale" if r.get("stale") else "unreviewed"
            ),
            "number": int(r["number"]),
            "submitted_at": r["submitted_at"],
        }
        if reviews:
            own = by_entry.get(r["submission_id"], [])
            row["reviews"] = own
            row["agreement"] = agreement([v["weighted_total"] for v in own])
        if r["submission_id"] in names:
            row["solver_name"] = names[r["submission_id"]]["solver_name"]
        ranked.append(row)
    return ranked


def ranked_entries(db: Db, challenge_id: UUID, *, page: int = 500) -> Iterator[Row]:
    """The whole ranking, read a page at a time (for exports: never all in memory)."""
    after: RankKey | None = None
    while True:
        rows = ranking_page(db, challenge_id, after=after, limit=page)
        yield from rows
        if len(rows) < page:
            return
        after = rank_key(rows[-1])


def score_distribution(db: Db, challenge_id: UUID, *, bins: int = 10) -> list[int]:
    """How many counted reviews have a weighted total (0 to 100) in each of ``bins``
    equal bands, counted in SQL (a total of exactly 100 in the last band)."""
    counts = [0] * bins
    for band, n in review_totals(db, challenge_id, width=100 / bins).items():
        counts[min(bins - 1, max(0, band))] += n
    return counts


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


# A text cell a spreadsheet would read as a formula (a title such as
# "=HYPERLINK(...)" typed by a solver), opened by a sponsor in Excel or LibreOffice:
# written with a leading apostrophe, which spreadsheets show as text (OWASP's advice
# on CSV injection).  Numbers are left as they are: a negative score is a number.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def submissions_csv_chunks(db: Db, challenge_id: UUID, *, page: int = 500) -> Iterator[str]:
    """The ranking as CSV, one row per entry (pseudonymous until identities are
    revealed), a page of rows per chunk: for a streamed response."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for count, row in enumerate(ranked_entries(db, challenge_id, page=page), start=1):
        writer.writerow([spreadsheet_cell(row[c]) for c in EXPORT_COLUMNS])
        if count % page == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    if out.tell():
        yield out.getvalue()


def submissions_csv(db: Db, challenge_id: UUID) -> str:
    """``submissions_csv_chunks`` as one text."""
    return "".join(submissions_csv_chunks(db, challenge_id))


def shortlist_decision(db: Db, challenge_id: UUID, rule: str, public_weight: int) -> list[Row]:
    """The shortlisted entries with the jury's scores (reviews of the round under way,
    of each entry's current version) beside the public's support, in the order the
    terms' award rule gives (issue 20): submission_id, number, title, jury_reviews,
    jury_mean_total, support_count, score, rank."""
    from projections.reviewers.queries import CURRENT, LIVE
    from projections.reviewers.scoring import award_order

    cid = str(challenge_id)
    rows = db.rows(
        "SELECT e.submission_id, p.number, e.title, s.support_count,"
        " (SELECT COUNT(*) FROM rv_reviews r WHERE r.submission_id = e.submission_id"
        " AND r.scores IS NOT NULL AND r.conflict = 0 AND r.round = c.current_round"
        f" AND {CURRENT}) AS jury_reviews,"
        " (SELECT AVG(r.total) FROM rv_reviews r WHERE r.submission_id = e.submission_id"
        " AND r.scores IS NOT NULL AND r.conflict = 0 AND r.round = c.current_round"
        f" AND {CURRENT}) AS jury_mean_total "
        "FROM rv_entries e JOIN rv_challenges c ON c.challenge_id = e.challenge_id "
        "JOIN rv_pseudonyms p ON p.challenge_id = e.challenge_id AND p.entry_key = e.entry_key "
        "LEFT JOIN pt_submissions s ON s.submission_id = e.submission_id "
        f"WHERE e.challenge_id = ? AND e.shortlisted = 1 AND e.status NOT IN {LIVE}",
        (cid,),
    )
    by_id = {r["submission_id"]: r for r in rows}
    order = award_order(
        rule,
        public_weight,
        {
            k: None if r["jury_mean_total"] is None else float(r["jury_mean_total"])
            for k, r in by_id.items()
        },
        {k: int(r["support_count"] or 0) for k, r in by_id.items()},
    )
    return [
        {
            "submission_id": entry,
            "pseudonym": pseudonym(by_id[entry]["number"]),
            "pseudonym_number": by_id[entry]["number"],
            "title": by_id[entry]["title"],
            "jury_reviews": int(by_id[entry]["jury_reviews"] or 0),
            "jury_mean_total": None
            if by_id[entry]["jury_mean_total"] is None
            else round(float(by_id[entry]["jury_mean_total"]), 4),
            "support_count": int(by_id[entry]["support_count"] or 0),
            "score": score,
            "rank": rank,
        }
        for rank, (entry, score) in enumerate(order, start=1)
    ]
