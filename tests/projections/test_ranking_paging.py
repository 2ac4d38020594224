"""The sponsor's ranking a page at a time, in SQL: walked page by page it is the
ranking the whole scoring sheet gave in Python (tests/projections/ranking_oracle.py),
ties included, without withdrawn or disqualified entries or conflicted reviews; a
page reads the challenge's reviews and an index, never all of its entries."""

from __future__ import annotations

import json
import random
from typing import Any
from uuid import UUID, uuid4

import pytest

from projections.db import Db, Row
from projections.reviewers.projection import TOTAL
from projections.reviewers.scoring import weighted_total
from projections.sponsors import queries as sponsors
from tests.projections import ranking_oracle
from tests.projections.recording import RecordingDb

CRITERIA = [
    {"name": "originality", "weight": 40, "min_score": 0, "max_score": 10},
    {"name": "feasibility", "weight": 35, "min_score": 1, "max_score": 5},
    {"name": 'fun "x".y', "weight": 25, "min_score": 0, "max_score": 3},
]
SCORES = {
    "originality": ["0", "3", "5", "7.5", "9", "10"],
    "feasibility": ["1", "2", "3.5", "5"],
    'fun "x".y': ["0", "1", "2.25", "3"],
}


def fill(db: Db, *, entrants: int, reviewed: int, seed: int = 7) -> tuple[UUID, dict[str, str]]:
    """A challenge of ``entrants`` solvers (every tenth with a second entry; some
    entries withdrawn or disqualified), four reviewers scoring ``reviewed`` entries:
    two entries with the very same reviews (a tie), a reviewer who gives everyone
    the same scores (no spread), a conflicted review with scores, a review started
    and not scored, reviews of a withdrawn entry.  Totals are set by the
    projection's own statement.  Returns the challenge and the entries by label."""
    rng = random.Random(seed)
    cid = uuid4()
    reviewers = [str(uuid4()) for _ in range(4)]
    entries: list[str] = []
    live: list[str] = []
    labels: dict[str, str] = {}
    review_ids: list[str] = []
    with db.batch():
        db.execute(
            "INSERT INTO rv_challenges (challenge_id, title, criteria, review_ends_at, status, revealed) VALUES (?, 'c', ?, '2027-01-01', 'closed', 0)",
            (str(cid), json.dumps(CRITERIA)),
        )
        for n in range(1, entrants + 1):
            key = f"k{n}"
            db.execute("INSERT INTO rv_pseudonyms VALUES (?, ?, ?)", (str(cid), key, n))
            for j in range(2 if n % 10 == 0 else 1):
                sid = str(uuid4())
                status = "submitted"
                if n % 17 == 0:
                    status = "withdrawn"
                elif n % 23 == 0:
                    status = "disqualified"
                db.execute(
                    "INSERT INTO rv_entries VALUES (?, ?, ?, ?, 's', 1, 'h', ?, 0, ?)",
                    (sid, str(cid), key, f"t{n}.{j}", status, f"2026-11-{10 + j}T00:00:00"),
                )
                entries.append(sid)
                if status == "submitted":
                    live.append(sid)
                if status == "withdrawn":
                    labels.setdefault("withdrawn", sid)

        reviewed_by: set[tuple[str, str]] = set()

        def review(sid: str, reviewer: str, scores: dict[str, str] | None, conflict: int = 0):
            # One review per entry and reviewer, as the application writes (its id is
            # derived from both; rv_reviews holds them unique).
            if (sid, reviewer) in reviewed_by:
                return
            reviewed_by.add((sid, reviewer))
            rid = str(uuid4())
            db.execute(
                "INSERT INTO rv_reviews (review_id, challenge_id, submission_id, reviewer_id,"
                " scores, conflict) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    rid,
                    str(cid),
                    sid,
                    reviewer,
                    None if scores is None else json.dumps(scores),
                    conflict,
                ),
            )
            review_ids.append(rid)

        def random_scores() -> dict[str, str]:
            return {name: rng.choice(values) for name, values in SCORES.items()}

        sample = rng.sample(entries, reviewed)
        for sid in sample:
            for reviewer in rng.sample(reviewers[:3], rng.randint(1, 3)):
                review(sid, reviewer, random_scores())
            review(sid, reviewers[3], {"originality": "5", "feasibility": "3", 'fun "x".y': "1"})
        # two unreviewed entries get the very same reviews: a tie broken by pseudonym
        twins = [e for e in live if e not in sample][-4:-2]
        for sid in twins:
            review(sid, reviewers[0], {"originality": "9", "feasibility": "5", 'fun "x".y': "3"})
            review(sid, reviewers[1], {"originality": "7.5", "feasibility": "2", 'fun "x".y': "1"})
        labels["twin_a"], labels["twin_b"] = twins
        # a conflicted review would make this entry the best; it must not count
        conflicted = next(e for e in live if e not in sample and e not in twins)
        review(
            conflicted,
            reviewers[0],
            {"originality": "10", "feasibility": "5", 'fun "x".y': "3"},
            conflict=1,
        )
        labels["conflicted"] = conflicted
        labels["flat"] = reviewers[3]
        started = next(e for e in entries if e not in sample)
        review(started, reviewers[2], None)  # started, not scored
        review(
            labels["withdrawn"],
            reviewers[0],
            {"originality": "10", "feasibility": "5", 'fun "x".y': "3"},
        )
        for rid in review_ids:
            db.execute(TOTAL[db.dialect], (rid,))
    if db.dialect == "postgres":
        db.execute("ANALYZE")
    return cid, labels


def walk(db: Db, challenge_id: UUID, limit: int) -> list[Row]:
    walked: list[Row] = []
    after = None
    while True:
        page = sponsors.ranking_page(db, challenge_id, after=after, limit=limit)
        walked += page
        if len(page) < limit:
            return walked
        after = sponsors.rank_key(page[-1])


def test_the_stored_totals_are_the_weighted_totals(db: Db):
    cid, _ = fill(db, entrants=120, reviewed=40)
    rows = db.rows(
        "SELECT scores, total FROM rv_reviews WHERE challenge_id = ? AND scores IS NOT NULL",
        (str(cid),),
    )
    assert len(rows) > 80
    for r in rows:
        assert r["total"] == weighted_total(CRITERIA, json.loads(r["scores"]))


@pytest.mark.parametrize("limit", [1, 7, 50, 1000])
def test_walked_page_by_page_the_ranking_is_the_whole_sheets(db: Db, limit: int):
    cid, labels = fill(db, entrants=120, reviewed=40)
    whole = ranking_oracle.ranking(db, cid)
    walked = walk(db, cid, limit)
    assert walked == whole
    ids = [r["submission_id"] for r in walked]
    assert labels["withdrawn"] not in ids
    assert all(r["status"] not in ("withdrawn", "disqualified") for r in walked)
    # the conflicted review does not count: the entry is unreviewed, after the reviewed
    conflicted = walked[ids.index(labels["conflicted"])]
    assert conflicted["review_count"] == 0 and conflicted["normalised_score"] is None
    # the tie: same scores, in pseudonym order, next to each other
    a, b = ids.index(labels["twin_a"]), ids.index(labels["twin_b"])
    assert b == a + 1
    assert walked[a]["normalised_score"] == walked[b]["normalised_score"]
    assert (walked[a]["number"], walked[a]["submitted_at"]) < (
        walked[b]["number"],
        walked[b]["submitted_at"],
    )
    # a reviewer with no spread gives every entry a z-score of 0
    flat = [v for r in walked for v in r["reviews"] if v["reviewer_id"] == labels["flat"]]
    assert flat and all(v["z_score"] == 0 for v in flat)
    assert [r["rank"] for r in walked] == list(range(1, len(whole) + 1))


def test_a_page_deep_in_the_unreviewed_entries_is_read_in_index_order(db: Db):
    cid, _ = fill(db, entrants=3000, reviewed=12)
    whole = walk(db, cid, 500)
    recording = RecordingDb(db)
    page = sponsors.ranking_page(
        recording,  # type: ignore[arg-type]
        cid,
        after=sponsors.rank_key(whole[1500]),
        limit=20,
    )
    assert [r["submission_id"] for r in page] == [r["submission_id"] for r in whole[1501:1521]]
    assert [r["rank"] for r in page] == list(range(1502, 1522))
    sql, params = next(q for q in recording.queries if "p.number >= ?" in q[0])
    # no scored-entries query: past the reviewed entries a page does not rank them again
    assert not any("counted AS" in q[0] and "LIMIT" in q[0] for q in recording.queries)
    plan = explain(db, sql, params)
    assert_index_order(db, plan)


def test_the_first_page_reads_the_reviews_not_the_entries(db: Db):
    cid, _ = fill(db, entrants=3000, reviewed=12)
    recording = RecordingDb(db)
    page = sponsors.ranking_page(recording, cid, after=None, limit=20)  # type: ignore[arg-type]
    assert page[0]["review_count"] > 0 and page[-1]["review_count"] == 0
    scored_sql, scored_params = next(q for q in recording.queries if "scored AS" in q[0])
    # Every entry row it reads is found by key (one per review), none by the
    # challenge.  At 3,000 entries PostgreSQL rightly hashes the whole table rather
    # than probe once per review, so its plan is asked without scans or hash and
    # merge joins: what is left shows the query needs no read of the challenge's
    # entries (the plan it costs cheapest once a table holds 100,000 entries).
    no_scans = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin")
    plan = explain(db, scored_sql, scored_params, settings=no_scans)
    assert "rv_entries_challenge" not in plan, plan
    if db.dialect == "postgres":
        assert "Seq Scan on rv_entries" not in plan, plan
        assert "rv_entries_pkey" in plan, plan
    else:
        assert "SCAN e" not in plan, plan
    unscored_sql, unscored_params = next(q for q in recording.queries if "NOT EXISTS" in q[0])
    assert_index_order(db, explain(db, unscored_sql, unscored_params))


def explain(
    db: Db, sql: str, params: list[Any], settings: tuple[str, ...] = ("enable_sort",)
) -> str:
    if db.dialect == "postgres":
        # By default forbid a full sort: the plan must take entrants in number order
        # from the index.
        for setting in settings:
            db.execute(f"SET {setting} = off")
        lines = [r["QUERY PLAN"] for r in db.rows(f"EXPLAIN {sql}", params)]
        for setting in settings:
            db.execute(f"RESET {setting}")
        return "\n".join(lines)
    return "\n".join(str(r) for r in db.rows(f"EXPLAIN QUERY PLAN {sql}", params))


def assert_index_order(db: Db, plan: str) -> None:
    if db.dialect == "postgres":
        assert "rv_pseudonyms_challenge_id_number_key" in plan, plan
        # Only an incremental sort within one entrant's entries; a disabled full sort
        # would still appear (costed at 1e10), so look for it by name.
        full_sorts = [
            line for line in plan.splitlines() if "Sort  (" in line and "Incremental" not in line
        ]
        assert full_sorts == [], plan
    else:
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
