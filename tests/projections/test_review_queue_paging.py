"""The review queue a page at a time: every entry once, in the queue's order, and
each page served by an index in the queue's order (not a sort of the challenge)."""

from __future__ import annotations

from uuid import UUID, uuid4

from projections.db import Db, Row
from projections.reviewers import queries
from tests.projections.recording import RecordingDb

ENTRIES = 700


def fill(db: Db, reviewer: UUID) -> None:
    """Two challenges this reviewer accepted (one large), one they did not; an
    entrant with two entries, a withdrawn entry, and one review."""
    big, small, other = (str(uuid4()) for _ in range(3))
    with db.batch():
        for cid, ends in ((big, "2027-02-01"), (small, "2027-01-01"), (other, "2027-01-15")):
            db.execute(
                "INSERT INTO rv_challenges (challenge_id, title, criteria, review_ends_at, status, revealed) VALUES (?, 'c', '[]', ?, 'closed', 0)",
                (cid, ends),
            )
        db.execute(
            "INSERT INTO rv_reviewers (challenge_id, reviewer_id, accepted) VALUES (?, ?, 1)",
            (big, str(reviewer)),
        )
        db.execute(
            "INSERT INTO rv_reviewers (challenge_id, reviewer_id, accepted) VALUES (?, ?, 1)",
            (small, str(reviewer)),
        )
        db.execute(
            "INSERT INTO rv_reviewers (challenge_id, reviewer_id, accepted) VALUES (?, ?, 0)",
            (other, str(reviewer)),
        )
        for cid, n in ((big, ENTRIES), (small, 5), (other, 5)):
            for i in range(n):
                db.execute("INSERT INTO rv_pseudonyms VALUES (?, ?, ?)", (cid, f"k{i}", n - i))
                for j in range(2 if i == 3 else 1):
                    status = "withdrawn" if i == 7 else "submitted"
                    db.execute(
                        "INSERT INTO rv_entries VALUES (?, ?, ?, 't', 's', 1, 'h', ?, 0, ?)",
                        (str(uuid4()), cid, f"k{i}", status, f"2026-11-{10 + j}T00:00:00"),
                    )
        entry = db.rows("SELECT submission_id FROM rv_entries WHERE challenge_id = ?", (big,))[0]
        db.execute(
            "INSERT INTO rv_reviews (review_id, challenge_id, submission_id, reviewer_id, scores)"
            " VALUES (?, ?, ?, ?, '{}')",
            (str(uuid4()), big, entry["submission_id"], str(reviewer)),
        )
    if db.dialect == "postgres":
        db.execute("ANALYZE")


def test_paging_the_queue_gives_the_whole_queue_in_order(db: Db):
    reviewer = uuid4()
    fill(db, reviewer)
    whole = queries.my_review_queue(db, reviewer)
    # big: one entrant with a second entry, one withdrawn; small: 5 entrants, one with two
    assert len(whole) == (ENTRIES + 1 - 1) + (5 + 1)
    for limit in (1, 7, 50, len(whole) + 3):
        walked: list[Row] = []
        after = None
        while True:
            page = queries.my_review_queue_page(db, reviewer, after=after, limit=limit)
            walked += page
            if len(page) < limit:
                break
            after = queries.queue_key(page[-1])
        assert [r["submission_id"] for r in walked] == [r["submission_id"] for r in whole]
    assert sum(r["state"] == "scored" for r in whole) == 1


def test_a_page_deep_in_a_large_challenge_is_read_in_index_order(db: Db):
    reviewer = uuid4()
    fill(db, reviewer)
    whole = queries.my_review_queue(db, reviewer)
    recording = RecordingDb(db)
    after = queries.queue_key(whole[400])
    page = queries.my_review_queue_page(recording, reviewer, after=after, limit=20)  # type: ignore[arg-type]
    assert [r["submission_id"] for r in page] == [r["submission_id"] for r in whole[401:421]]
    sql, params = next(q for q in recording.queries if "p.number >= ?" in q[0])
    if db.dialect == "postgres":
        # Forbid a full sort: the plan must take entrants in number order from the index.
        db.execute("SET enable_sort = off")
        lines = [r["QUERY PLAN"] for r in db.rows(f"EXPLAIN {sql}", params)]
        db.execute("RESET enable_sort")
        plan = "\n".join(lines)
        assert "rv_pseudonyms_challenge_id_number_key" in plan, plan
        # Only an incremental sort within one entrant's entries; a disabled full sort
        # would still appear (costed at 1e10), so look for it by name.
        full_sorts = [line for line in lines if "Sort  (" in line and "Incremental" not in line]
        assert full_sorts == [], plan
    else:
        plan = "\n".join(str(r) for r in db.rows(f"EXPLAIN QUERY PLAN {sql}", params))
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
