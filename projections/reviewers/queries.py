"""Questions reviewers (and sponsors) ask: what must I review, how do entries score,
how far along is the review."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from openinno.domain.blind import BLIND, AuthorVisibility
from projections.db import Db, Row
from projections.participants.queries import identities
from projections.values import from_json

LIVE = "('withdrawn', 'disqualified')"
# Where the challenge assigns entries (decision 0023), a reviewer's queue holds only
# theirs: ``v`` the reviewer's row, ``c`` the challenge's, ``e`` the entry's.
MINE = (
    "(c.assignment_k IS NULL OR EXISTS (SELECT 1 FROM rv_assigned a"
    " WHERE a.challenge_id = e.challenge_id AND a.reviewer_id = v.reviewer_id"
    " AND a.submission_id = e.submission_id))"
    # A later round's reviewer (issue 20) reviews only that round's entries.
    " AND (v.round <= 1 OR EXISTS (SELECT 1 FROM rv_round_entries x"
    " WHERE x.challenge_id = e.challenge_id AND x.round = v.round"
    " AND x.submission_id = e.submission_id))"
)


# A review (``r``) is of its entry's (``e``) current version: its recorded version is
# the entry's.  A review recorded before versions were bound has none (decision 0020):
# it is of version 1, certainly, while the entry has had no other, and of an unknown
# version once revised, so never current then.
CURRENT = "COALESCE(r.scored_version, 1) = e.version"


def scored_version(row: Row) -> int | None:
    """The version a queue row's review scored (None: not scored, or unknown)."""
    if not row["scores"]:
        return None
    if row["scored_version"] is not None:
        return int(row["scored_version"])
    return 1 if int(row["version"]) == 1 else None


def pseudonym(number: int) -> str:
    """The English name (API, CSV); rows carry ``pseudonym_number`` too, which the
    pages name in the viewer's language (``entrant`` filter, web/pages/labels.py)."""
    return f"Entrant {number}"


def my_review_queue(db: Db, reviewer_id: UUID, seen_by: AuthorVisibility = BLIND) -> list[Row]:
    """Live entries of every challenge this reviewer accepted, under pseudonyms,
    with my review's state (to_do, scored, conflict).  Solver identity is added
    only once the challenge's identities are revealed."""
    rows = db.rows(
        f"{_QUEUE_SELECT} WHERE v.reviewer_id = ? AND v.accepted = 1 AND e.status NOT IN {LIVE} "
        f"AND {MINE} "
        f"ORDER BY {_QUEUE_ORDER}",
        (str(reviewer_id), str(reviewer_id)),
    )
    return _queue_entries(db, rows, seen_by)


_QUEUE_SELECT = (
    "SELECT e.challenge_id, c.title AS challenge_title, c.review_ends_at, c.revealed,"
    " e.submission_id, p.number, e.submitted_at, e.title, e.summary, e.version,"
    " e.content_sha256, e.shortlisted, r.scores, r.comment, r.conflict, r.scored_version "
    "FROM rv_reviewers v JOIN rv_challenges c ON c.challenge_id = v.challenge_id "
    "JOIN rv_entries e ON e.challenge_id = v.challenge_id "
    "JOIN rv_pseudonyms p ON p.challenge_id = e.challenge_id AND p.entry_key = e.entry_key "
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
    db: Db,
    reviewer_id: UUID,
    *,
    after: QueueKey | None,
    limit: int,
    seen_by: AuthorVisibility = BLIND,
) -> list[Row]:
    """``my_review_queue`` a page at a time (keyset on its order: ``after`` is the
    ``queue_key`` of the last row sent).  Rows also carry ``number`` and ``submitted_at``.

    Walked challenge by challenge (a reviewer has few), each challenge's entries in
    pseudonym order (``in_entrant_order``)."""
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
        within = None if after is None or here != after[:2] else (after[2], after[3], after[4])
        sql, params = in_entrant_order(
            f"{_QUEUE_SELECT} WHERE v.reviewer_id = ? AND v.accepted = 1 "
            f"AND e.status NOT IN {LIVE} AND {MINE} AND p.challenge_id = ? ",
            [str(reviewer_id), str(reviewer_id), c["challenge_id"]],
            after=within,
            limit=limit - len(rows),
        )
        rows += db.rows(sql, params)
    return _queue_entries(db, rows, seen_by)


# The sort key of a challenge's entries in pseudonym order: the entry's number (one
# per entry since issue 21; the time and id keep the key total).
EntrantKey = tuple[int, str, str]


def in_entrant_order(
    sql: str, params: list[object], *, after: EntrantKey | None, limit: int
) -> tuple[str, list[object]]:
    """``sql`` (a query of ONE challenge's entries, rv_pseudonyms as ``p`` joined to
    rv_entries as ``e``, ending inside its WHERE clause) continued with the keyset
    after ``after``, the pseudonym order and ``limit``.

    Entrants come in number order from the ``(challenge_id, number)`` index, each
    entrant's few entries by ``rv_entries_entrant``: a page of a 100,000-entry
    challenge reads about a page of rows, where ordering the join sorted the whole
    challenge for every page."""
    params = list(params)
    # ``p.number >= ?`` lets the index start at the cursor's entrant; on the first
    # page too (>= 0), or SQLite walks the challenge's entries by their challenge
    # index and sorts them all.
    sql += "AND p.number >= ? "
    params.append(0 if after is None else after[0])
    if after is not None:
        sql += "AND (p.number, e.submitted_at, e.submission_id) > (?, ?, ?) "
        params += [*after]
    sql += "ORDER BY p.number, e.submitted_at, e.submission_id LIMIT ?"
    params.append(limit)
    return sql, params


def review_entry(
    db: Db, reviewer_id: UUID, submission_id: UUID, seen_by: AuthorVisibility = BLIND
) -> Row | None:
    """One entry of this reviewer's queue (as ``my_review_queue`` shows it), or None
    when it is not in the queue: the score form's lookup, one row instead of the queue."""
    rows = db.rows(
        f"{_QUEUE_SELECT} WHERE v.reviewer_id = ? AND v.accepted = 1 AND e.status NOT IN {LIVE} "
        f"AND {MINE} "
        "AND e.submission_id = ?",
        (str(reviewer_id), str(reviewer_id), str(submission_id)),
    )
    entries = _queue_entries(db, rows, seen_by)
    return entries[0] if entries else None


def _queue_entries(db: Db, rows: list[Row], seen_by: AuthorVisibility) -> list[Row]:
    """``seen_by``: the reviewer's standing; whether each row's challenge revealed its
    identities comes from the read model (a queue spans challenges)."""
    named: dict[str, Row] = {}
    for flag in (True, False):
        ids = [r["submission_id"] for r in rows if bool(r["revealed"]) is flag]
        named |= identities(db, ids, seen_by.with_revealed(seen_by.revealed or flag))
    queue = []
    for r in rows:
        scored = scored_version(r)
        # "re_review": scored, but not the current version (issue 20).
        state = (
            "conflict"
            if r["conflict"]
            else "to_do"
            if not r["scores"]
            else "scored"
            if scored == r["version"]
            else "re_review"
        )
        entry: Row = {
            "challenge_id": r["challenge_id"],
            "challenge_title": r["challenge_title"],
            "review_ends_at": r["review_ends_at"],
            "submission_id": r["submission_id"],
            "pseudonym": pseudonym(r["number"]),
            "pseudonym_number": r["number"],
            "title": r["title"],
            "summary": r["summary"],
            "version": r["version"],
            "content_sha256": r["content_sha256"],
            "shortlisted": bool(r["shortlisted"]),
            "state": state,
            "scored_version": scored,
            "current_version": int(r["version"]),
            "scores": from_json(r["scores"]),
            "comment": r["comment"] or "",
            "number": r["number"],
            "submitted_at": r["submitted_at"],
        }
        if r["submission_id"] in named:
            entry.update(named[r["submission_id"]])
        queue.append(entry)
    return queue


# The reviews that count for a challenge's ranking (scored, not conflicted, of a live
# entry's current version: a review of an earlier one is stale, issue 20) with each one's z-score against its reviewer's own mean and population
# standard deviation, as ``scoring.z_scores`` defines them.  Read by the challenge's
# index and each review's entry by key: reviews are a sample of the entries, so this
# is the cost of a ranking page whatever the number of entries.
#
# In SQL on both databases: the spread is the square root of the mean squared
# deviation from the mean (two passes, never negative, unlike AVG(x*x) - AVG(x)^2);
# a reviewer whose totals are all equal has no spread and gives 0 (tested on the
# totals themselves: floating-point noise in the mean would otherwise divide by ~0).
_Z = (
    "counted AS (SELECT r.submission_id, r.reviewer_id, r.total FROM rv_reviews r"
    " JOIN rv_entries e ON e.submission_id = r.submission_id"
    " WHERE r.challenge_id = ? AND r.conflict = 0 AND r.scores IS NOT NULL"
    f" AND e.status NOT IN {LIVE} AND {CURRENT}"
    # The round under way (issue 20): a jury's ranking is of jury scores.
    " AND r.round = (SELECT ch.current_round FROM rv_challenges ch"
    " WHERE ch.challenge_id = r.challenge_id)), "
    "means AS (SELECT reviewer_id, AVG(total) AS mean,"
    " CASE WHEN MIN(total) = MAX(total) THEN 1 ELSE 0 END AS flat"
    " FROM counted GROUP BY reviewer_id), "
    "spreads AS (SELECT m.reviewer_id, m.mean, m.flat,"
    " SQRT(AVG((c.total - m.mean) * (c.total - m.mean))) AS sd"
    " FROM counted c JOIN means m ON m.reviewer_id = c.reviewer_id"
    " GROUP BY m.reviewer_id, m.mean, m.flat), "
    "z AS (SELECT c.submission_id, c.reviewer_id, c.total,"
    " CASE WHEN s.flat = 1 THEN 0.0 ELSE (c.total - s.mean) / s.sd END AS z"
    " FROM counted c JOIN spreads s ON s.reviewer_id = c.reviewer_id)"
)


def _round4(expression: str) -> str:
    """``expression`` rounded to 4 places as a float, on both databases (PostgreSQL
    rounds only NUMERIC to places)."""
    return f"CAST(ROUND(CAST({expression} AS NUMERIC), 4) AS DOUBLE PRECISION)"


# The sort key of a reviewed entry in the ranking: normalised score and mean total
# (both rounded to 4 places, as shown), then pseudonym order.
ScoredKey = tuple[float, float, int, str, str]


def scored_entries_page(
    db: Db, challenge_id: UUID, *, after: ScoredKey | None, limit: int
) -> list[Row]:
    """A challenge's reviewed live entries best first: by normalised score (the mean
    of the entry's z-scores), then mean weighted total, both descending, then
    pseudonym order; the page after ``after`` (keyset on that order).  Rows:
    submission_id, number, title, status, shortlisted, submitted_at, review_count,
    mean_total, normalised_score."""
    params: list[object] = [str(challenge_id)]
    where = ""
    if after is not None:
        where = (
            "WHERE s.normalised_score < ? OR (s.normalised_score = ? AND (s.mean_total < ?"
            " OR (s.mean_total = ?"
            " AND (p.number, e.submitted_at, e.submission_id) > (?, ?, ?)))) "
        )
        params += [after[0], after[0], after[1], after[1], after[2], after[3], after[4]]
    params.append(limit)
    return db.rows(
        f"WITH {_Z}, scored AS (SELECT submission_id, COUNT(*) AS review_count,"
        f" {_round4('AVG(total)')} AS mean_total,"
        f" {_round4('AVG(z)')} AS normalised_score"
        " FROM z GROUP BY submission_id) "
        "SELECT s.submission_id, p.number, e.title, e.status, e.shortlisted, e.submitted_at,"
        " s.review_count, s.mean_total, s.normalised_score "
        "FROM scored s JOIN rv_entries e ON e.submission_id = s.submission_id "
        "JOIN rv_pseudonyms p ON p.challenge_id = e.challenge_id AND p.entry_key = e.entry_key "
        f"{where}"
        "ORDER BY s.normalised_score DESC, s.mean_total DESC,"
        " p.number, e.submitted_at, e.submission_id "
        "LIMIT ?",
        params,
    )


def unscored_entries_page(
    db: Db, challenge_id: UUID, *, after: EntrantKey | None, limit: int
) -> list[Row]:
    """A challenge's live entries no counted review of their current version scores,
    in pseudonym order, after ``after``: walked from the pseudonym index, each entry's
    reviews looked up by key (entries that have some are skipped; they are few).
    ``stale`` is 1 where some review scored an earlier version (it needs re-review)."""
    sql, params = in_entrant_order(
        "SELECT e.submission_id, p.number, e.title, e.status, e.shortlisted, e.submitted_at,"
        " e.version, CASE WHEN EXISTS (SELECT 1 FROM rv_reviews r"
        " WHERE r.submission_id = e.submission_id AND r.conflict = 0"
        " AND r.scores IS NOT NULL) THEN 1 ELSE 0 END AS stale "
        "FROM rv_pseudonyms p JOIN rv_entries e"
        " ON e.challenge_id = p.challenge_id AND e.entry_key = p.entry_key "
        f"WHERE p.challenge_id = ? AND e.status NOT IN {LIVE} "
        "AND NOT EXISTS (SELECT 1 FROM rv_reviews r WHERE r.submission_id = e.submission_id"
        f" AND r.conflict = 0 AND r.scores IS NOT NULL AND {CURRENT}) ",
        [str(challenge_id)],
        after=after,
        limit=limit,
    )
    return db.rows(sql, params)


def counted_reviews(db: Db, challenge_id: UUID, submission_ids: Sequence[str]) -> list[Row]:
    """The counted reviews of these entries of the challenge, by entry then reviewer:
    submission_id, reviewer_id, scores (decoded), weighted_total, z_score (4 places)."""
    if not submission_ids:
        return []
    marks = ", ".join("?" * len(submission_ids))
    rows = db.rows(
        f"WITH {_Z} SELECT z.submission_id, z.reviewer_id, z.total, z.z, r.scores FROM z "
        "JOIN rv_reviews r ON r.submission_id = z.submission_id"
        " AND r.reviewer_id = z.reviewer_id "
        f"WHERE z.submission_id IN ({marks}) ORDER BY z.submission_id, z.reviewer_id",
        [str(challenge_id), *submission_ids],
    )
    return [
        {
            "submission_id": r["submission_id"],
            "reviewer_id": r["reviewer_id"],
            "scores": from_json(r["scores"]),
            "weighted_total": float(r["total"]),
            "z_score": round(float(r["z"]), 4),
        }
        for r in rows
    ]


def review_totals(db: Db, challenge_id: UUID, *, width: float) -> dict[int, int]:
    """How many counted reviews have a weighted total in each band ``width`` wide
    (band i: i * width <= total < (i + 1) * width; totals are never negative)."""
    band = "CAST(total / ? AS INTEGER)" if db.dialect == "sqlite" else "FLOOR(total / ?)"
    rows = db.rows(
        f"WITH {_Z} SELECT {band} AS band, COUNT(*) AS n FROM counted GROUP BY 1",
        [str(challenge_id), width],
    )
    return {int(r["band"]): int(r["n"]) for r in rows}


def review_progress(db: Db, challenge_id: UUID, *, live: int | None = None) -> Row:
    """Reviews done against reviews assigned, per accepted reviewer and in total.
    Every accepted reviewer is assigned every live entry; a declared conflict
    removes the entry from that reviewer's assignment.  ``live``: the number of
    live entries where the caller has it already (the sponsor's dashboard).

    Read from the counters the projection keeps (rv_progress, rv_counts: what
    ``PROGRESS_COUNTED`` counts), a row per reviewer: nothing here grows with the
    challenge's entries or reviews."""
    cid = str(challenge_id)
    if live is None:
        found = db.rows("SELECT live FROM rv_counts WHERE challenge_id = ?", (cid,))
        live = int(found[0]["live"]) if found else 0
    rows = db.rows(
        "SELECT v.reviewer_id, p.done, p.conflicts, p.stale,"
        " CASE WHEN x.reviewer_id IS NULL THEN 0 ELSE 1 END AS released"
        " FROM rv_reviewers v"
        " LEFT JOIN rv_progress p ON p.challenge_id = v.challenge_id"
        " AND p.reviewer_id = v.reviewer_id"
        " LEFT JOIN rv_released x ON x.challenge_id = v.challenge_id"
        " AND x.reviewer_id = v.reviewer_id "
        "WHERE v.challenge_id = ? AND v.accepted = 1 ORDER BY v.reviewer_id",
        (cid,),
    )
    k = assignment_k(db, challenge_id)
    # Where the challenge assigns (decision 0023): each reviewer's live assigned
    # entries, a counter the projection keeps (rv_assigned_counts, one row per reviewer).
    assigned: dict[str, int] = {}
    if k is not None:
        assigned = {
            r["reviewer_id"]: int(r["assigned"])
            for r in db.rows(
                "SELECT reviewer_id, assigned FROM rv_assigned_counts WHERE challenge_id = ?",
                (cid,),
            )
        }
    reviewers = [
        {
            "reviewer_id": r["reviewer_id"],
            "done": int(r["done"] or 0),
            "stale": int(r["stale"] or 0),
            "conflicts": int(r["conflicts"] or 0),
            "released": bool(r["released"]),
            "assigned": int(live) - int(r["conflicts"] or 0)
            if k is None
            else assigned.get(r["reviewer_id"], 0),
        }
        for r in rows
    ]
    return {
        "challenge_id": cid,
        "k": k,
        "entries": int(live),
        "reviewers": reviewers,
        "done": sum(r["done"] for r in reviewers),
        "stale": sum(r["stale"] for r in reviewers),
        "assigned": sum(r["assigned"] for r in reviewers),
    }


# What the counters stand for, counted from the rows (the tests compare): per
# accepted reviewer of a challenge, reviews done (of the current version), conflicts
# and stale reviews (scored, of an earlier version) of live entries.  ``current`` is
# the column the projection keeps; ``CURRENT_MISMATCHES`` finds rows where it is not
# what CURRENT says.
PROGRESS_COUNTED = (
    "SELECT v.reviewer_id,"
    " SUM(CASE WHEN r.scores IS NOT NULL AND r.conflict = 0 AND r.current = 1 THEN 1 ELSE 0"
    " END) AS done,"
    " SUM(CASE WHEN r.conflict = 1 THEN 1 ELSE 0 END) AS conflicts,"
    " SUM(CASE WHEN r.scores IS NOT NULL AND r.conflict = 0 AND r.current = 0 THEN 1 ELSE 0"
    " END) AS stale "
    "FROM rv_reviewers v LEFT JOIN rv_reviews r ON r.challenge_id = v.challenge_id"
    " AND r.reviewer_id = v.reviewer_id AND EXISTS (SELECT 1 FROM rv_entries e"
    f" WHERE e.submission_id = r.submission_id AND e.status NOT IN {LIVE}) "
    "WHERE v.challenge_id = ? AND v.accepted = 1 GROUP BY v.reviewer_id ORDER BY v.reviewer_id"
)

# What rv_assigned_counts stands for, counted from the rows (the tests compare).
ASSIGNED_COUNTED = (
    "SELECT a.challenge_id, a.reviewer_id, COUNT(*) AS assigned FROM rv_assigned a"
    " WHERE NOT EXISTS (SELECT 1 FROM rv_entries e WHERE e.submission_id = a.submission_id"
    " AND e.status IN ('withdrawn', 'disqualified'))"
    " GROUP BY a.challenge_id, a.reviewer_id ORDER BY a.challenge_id, a.reviewer_id"
)

CURRENT_MISMATCHES = (
    "SELECT r.review_id FROM rv_reviews r JOIN rv_entries e ON e.submission_id = r.submission_id"
    " WHERE r.challenge_id = ? AND r.scores IS NOT NULL"
    f" AND r.current <> CASE WHEN {CURRENT} THEN 1 ELSE 0 END"
)


def assignment_k(db: Db, challenge_id: UUID) -> int | None:
    """k where the challenge assigns entries to reviewers, else None."""
    found = db.rows(
        "SELECT assignment_k FROM rv_challenges WHERE challenge_id = ?", (str(challenge_id),)
    )
    return None if not found or found[0]["assignment_k"] is None else int(found[0]["assignment_k"])


def assignment_inputs(
    db: Db, challenge_id: UUID
) -> tuple[list[str], dict[str, set[str]], dict[str, set[str]]]:
    """What an assignment run starts from: the challenge's live entries, the declared
    conflicts (entry -> reviewers) and the scored reviews (reviewer -> entries)."""
    cid = str(challenge_id)
    entries = [
        r["submission_id"]
        for r in db.rows(
            f"SELECT submission_id FROM rv_entries WHERE challenge_id = ? AND status NOT IN {LIVE}"
            " ORDER BY submission_id",
            (cid,),
        )
    ]
    conflicts: dict[str, set[str]] = {}
    scored: dict[str, set[str]] = {}
    for r in db.rows(
        "SELECT submission_id, reviewer_id, conflict, scores FROM rv_reviews"
        " WHERE challenge_id = ? AND (conflict = 1 OR scores IS NOT NULL)",
        (cid,),
    ):
        if r["conflict"]:
            conflicts.setdefault(r["submission_id"], set()).add(r["reviewer_id"])
        else:
            scored.setdefault(r["reviewer_id"], set()).add(r["submission_id"])
    return entries, conflicts, scored


def entries_short_of_k(db: Db, challenge_id: UUID, k: int) -> int:
    """Live entries with fewer than k assigned reviewers."""
    found = db.rows(
        "SELECT COUNT(*) AS n FROM rv_entries e"
        f" WHERE e.challenge_id = ? AND e.status NOT IN {LIVE}"
        " AND (SELECT COUNT(*) FROM rv_assigned a WHERE a.submission_id = e.submission_id"
        " AND a.challenge_id = e.challenge_id) < ?",
        (str(challenge_id), k),
    )
    return int(found[0]["n"])


# Units (entries) the agreement is computed on, at most: a deterministic sample (by
# entry id) keeps the reliability matrix (reviewers x entries) small at any volume.
AGREEMENT_UNITS = 2_000


def reviewer_agreement(db: Db, challenge_id: UUID, *, max_units: int = AGREEMENT_UNITS) -> Row:
    """Inter-reviewer agreement on the round under way (issue 20): Krippendorff's alpha
    (interval level, the ``krippendorff`` package) over the weighted totals of the
    counted reviews (current version, no conflict, live entries) of entries with at
    least two.  1 is perfect agreement, 0 no more than chance, below 0 systematic
    disagreement; None with too little data.  ``units``: entries it is computed on
    (``sampled``: the first ``max_units`` by id, where there are more)."""
    import krippendorff
    import numpy as np

    rows = db.rows(
        f"WITH {_Z}, units AS (SELECT submission_id FROM counted GROUP BY submission_id"
        " HAVING COUNT(*) >= 2 ORDER BY submission_id LIMIT ?),"
        " total_units AS (SELECT COUNT(*) AS n FROM (SELECT submission_id FROM counted"
        " GROUP BY submission_id HAVING COUNT(*) >= 2) AS t) "
        "SELECT c.submission_id, c.reviewer_id, c.total, (SELECT n FROM total_units) AS n"
        " FROM counted c JOIN units u ON u.submission_id = c.submission_id",
        [str(challenge_id), max_units + 1],
    )
    units = sorted({r["submission_id"] for r in rows})
    sampled = len(units) > max_units
    units = units[:max_units]
    reviewers = sorted({r["reviewer_id"] for r in rows if r["submission_id"] in set(units)})
    result: Row = {"alpha": None, "units": len(units), "reviewers": len(reviewers)}
    result["sampled"] = sampled
    if len(units) < 2 or len(reviewers) < 2:
        return result
    column = {u: i for i, u in enumerate(units)}
    line = {r: i for i, r in enumerate(reviewers)}
    data = np.full((len(reviewers), len(units)), np.nan)
    for r in rows:
        if r["submission_id"] in column:
            data[line[r["reviewer_id"]], column[r["submission_id"]]] = float(r["total"])
    values = data[~np.isnan(data)]
    if values.size and float(values.min()) == float(values.max()):
        return result  # one value throughout: alpha is undefined
    alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    result["alpha"] = None if not np.isfinite(alpha) else round(float(alpha), 4)
    return result


def my_progress(db: Db, reviewer_id: UUID) -> list[Row]:
    """Per challenge the reviewer accepted: reviews done on entries' current versions,
    reviews awaiting re-review (stale), and the entries theirs to review (assigned
    ones where the challenge assigns, their round's where they serve a later round,
    else every live entry less their conflicts)."""
    rid = str(reviewer_id)
    rows = db.rows(
        "SELECT v.challenge_id, c.title, c.assignment_k, v.round, p.done, p.stale,"
        " p.conflicts, k.live FROM rv_reviewers v"
        " JOIN rv_challenges c ON c.challenge_id = v.challenge_id"
        " LEFT JOIN rv_progress p ON p.challenge_id = v.challenge_id"
        " AND p.reviewer_id = v.reviewer_id"
        " LEFT JOIN rv_counts k ON k.challenge_id = v.challenge_id "
        "WHERE v.reviewer_id = ? AND v.accepted = 1 ORDER BY c.review_ends_at, c.title",
        (rid,),
    )
    found = []
    for r in rows:
        cid = r["challenge_id"]
        if r["assignment_k"] is not None:
            counted = db.rows(
                "SELECT assigned FROM rv_assigned_counts WHERE challenge_id = ? AND reviewer_id = ?",
                (cid, rid),
            )
            mine = int(counted[0]["assigned"]) if counted else 0
        elif int(r["round"] or 1) > 1:
            mine = db.rows(
                "SELECT COUNT(*) AS n FROM rv_round_entries x JOIN rv_entries e"
                " ON e.submission_id = x.submission_id"
                f" WHERE x.challenge_id = ? AND x.round = ? AND e.status NOT IN {LIVE}",
                (cid, int(r["round"])),
            )[0]["n"]
        else:
            mine = int(r["live"] or 0) - int(r["conflicts"] or 0)
        found.append(
            {
                "challenge_id": cid,
                "title": r["title"],
                "done": int(r["done"] or 0),
                "stale": int(r["stale"] or 0),
                "assigned": int(mine),
            }
        )
    return found
