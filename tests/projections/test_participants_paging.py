"""Big lists a page at a time in SQL: the public gallery and a challenge's entries in
submission order.  Every entry once, in the list's order, and each page served by an
index in that order (not a sort of the whole challenge); rebuilt tables analyzed."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from openinno.domain.blind import BLIND
from projections.db import Db, Row
from projections.participants import queries
from projections.reviewers import queries as reviewers
from projections.service import ReadSide
from projections.sponsors import queries as sponsors
from tests.projections.recording import RecordingDb
from tests.support.story import Scene
from web.api.readmodels import challenge_entries

ENTRIES = 600


def _challenge(db: Db, visibility: str) -> str:
    cid = str(uuid4())
    db.execute(
        "INSERT INTO pt_challenges (challenge_id, organisation_id, status, title, brief, rules,"
        " eligibility, category, language, visibility, voting_mode, ip_terms, prizes,"
        " prize_total, currency, criteria, opens_at, closes_at, review_ends_at, drafted_at,"
        " search_text) VALUES (?, ?, 'published', 't', 'b', 'r', 'e', 'c', 'en', ?, 'public',"
        " 'ip', '[]', 0, 'EUR', '[]', '2026-01-01', '2027-01-01', '2027-02-01', '2026-01-01',"
        " 't')",
        (cid, str(uuid4()), visibility),
    )
    return cid


def fill(db: Db) -> tuple[UUID, UUID]:
    """A public challenge of ENTRIES entries (support levels 0-4 with many ties, up to
    three entries submitted at the same instant, some withdrawn or disqualified) and a
    private one."""
    with db.batch():
        public, private = _challenge(db, "public"), _challenge(db, "private")
        for cid, n in ((public, ENTRIES), (private, 5)):
            for i in range(n):
                status = {7: "withdrawn", 11: "disqualified"}.get(i % 50, "submitted")
                db.execute(
                    "INSERT INTO pt_submissions (submission_id, challenge_id, solver_id,"
                    " team_ids, title, summary, status, version, content_sha256,"
                    " accepted_terms_sha256, submitted_at, updated_at, support_count)"
                    " VALUES (?, ?, ?, '[]', ?, 's', ?, 1, 'h', 'h', ?, ?, ?)",
                    (
                        str(uuid4()),
                        cid,
                        str(uuid4()),
                        f"entry {i}",
                        status,
                        f"2026-11-{10 + i // 100:02d}T{(i // 3) % 24:02d}:00:00",
                        "2026-11-30T00:00:00",
                        (i * 7) % 5 if i % 4 else 0,
                    ),
                )
    if db.dialect == "postgres":
        db.execute("ANALYZE")
    return UUID(public), UUID(private)


def test_gallery_pages_walk_the_whole_gallery_in_order(db: Db):
    public, private = fill(db)
    whole = queries.public_gallery(db, public)
    assert whole is not None
    assert len(whole) == ENTRIES - 2 * (ENTRIES // 50)  # withdrawn and disqualified left out
    for limit in (1, 7, 20, 150, len(whole), len(whole) + 3):
        walked: list[Row] = []
        after = None
        while True:
            page = queries.public_gallery_page(db, public, after=after, limit=limit)
            assert page is not None
            walked += page
            if len(page) < limit:
                break
            after = queries.gallery_key(page[-1])
        assert [r["submission_id"] for r in walked] == [r["submission_id"] for r in whole]
        assert walked == whole  # the same columns, support counts included
    assert queries.public_gallery_page(db, private) is None
    assert queries.public_gallery_page(db, uuid4()) is None


def _plan(db: Db, sql: str, params: list[Any]) -> str:
    if db.dialect == "postgres":
        # Forbid a sort: the plan must read the challenge's entries in index order.
        db.execute("SET enable_sort = off")
        plan = "\n".join(str(r) for r in db.rows(f"EXPLAIN {sql}", params))
        db.execute("RESET enable_sort")
        assert "disable_cost" not in plan and "Sort  (" not in plan.replace("Incremental ", "")
        assert "Limit" in plan
    else:
        plan = "\n".join(str(r) for r in db.rows(f"EXPLAIN QUERY PLAN {sql}", params))
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
    return plan


def test_a_gallery_page_deep_in_a_challenge_is_read_in_index_order(db: Db):
    public, _ = fill(db)
    whole = queries.public_gallery(db, public)
    assert whole is not None
    # Just before a change of support level: the page spans two levels (both queries).
    at = next(
        i
        for i in range(300, len(whole))
        if whole[i]["support_count"] != whole[i + 1]["support_count"]
    )
    at -= 5
    recording = RecordingDb(db)
    page = queries.public_gallery_page(
        recording,  # type: ignore[arg-type]
        public,
        after=queries.gallery_key(whole[at]),
        limit=20,
    )
    assert page == whole[at + 1 : at + 21]
    paging = [q for q in recording.queries if "FROM pt_submissions" in q[0]]
    assert len(paging) == 2
    for sql, params in paging:
        assert "pt_submissions_gallery" in _plan(db, sql, params)


def test_entries_in_submission_order_page_from_the_index(db: Db):
    """The API's ``/challenges/{id}/submissions`` list (``challenge_entries``)."""
    public, _ = fill(db)
    for live_only in (True, False):
        whole = challenge_entries(
            db, public, live_only=live_only, after=None, limit=10**6, seen_by=BLIND
        )
        assert len(whole) == (ENTRIES - 2 * (ENTRIES // 50) if live_only else ENTRIES)
        walked: list[Row] = []
        after = None
        while page := challenge_entries(
            db, public, live_only=live_only, after=after, limit=33, seen_by=BLIND
        ):
            walked += page
            after = (page[-1]["submitted_at"], page[-1]["submission_id"])
        assert walked == whole
    recording = RecordingDb(db)
    after = (whole[400]["submitted_at"], whole[400]["submission_id"])
    page = challenge_entries(
        recording,  # type: ignore[arg-type]
        public,
        live_only=True,
        after=after,
        limit=21,
        seen_by=BLIND,
    )
    assert page[0]["submission_id"] != whole[400]["submission_id"]
    sql, params = recording.queries[0]
    assert "pt_submissions_submitted" in _plan(db, sql, params)


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_a_rebuild_leaves_the_tables_analyzed(cast: Scene, read_side: ReadSide, db: Db):
    """After a bulk rebuild the planner has statistics (column statistics exist only
    once a table was ANALYZEd; CREATE INDEX alone sets only the row count)."""
    challenge, terms = cast.open_challenge()
    cast.submit(challenge, terms)
    read_side.rebuild()
    analyzed = {
        r["tablename"]
        for r in db.rows(
            "SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = current_schema()"
        )
    }
    assert {"pt_submissions", "pt_challenges", "rv_entries", "rv_pseudonyms"} <= analyzed


def test_dashboard_counts_once_and_progress_matches_the_reviews(db: Db):
    """The sponsor's funnel and review progress: the same figures as counted by hand,
    read from the counters the triggers keep (rows written here by plain SQL, not
    through the handlers), without counting the challenge's rows."""
    public, _ = fill(db)
    cid = str(public)
    entries = db.rows(
        "SELECT submission_id, status FROM pt_submissions WHERE challenge_id = ?", (cid,)
    )
    live = [e["submission_id"] for e in entries if e["status"] == "submitted"]
    dead = [e["submission_id"] for e in entries if e["status"] != "submitted"]
    first, second, absent = (str(uuid4()) for _ in range(3))
    with db.batch():
        db.execute(
            "INSERT INTO rv_challenges (challenge_id, title, criteria, review_ends_at, status, revealed) VALUES (?, 't', '[]', '2027-02-01', 'closed', 0)",
            (cid,),
        )
        for reviewer, accepted in ((first, 1), (second, 1), (absent, 0)):
            db.execute(
                "INSERT INTO rv_reviewers (challenge_id, reviewer_id, accepted) VALUES (?, ?, ?)",
                (cid, reviewer, accepted),
            )
        for i, e in enumerate(entries):
            db.execute(
                "INSERT INTO rv_entries VALUES (?, ?, ?, 't', 's', 1, 'h', ?, 0, '2026-11-10')",
                (e["submission_id"], cid, f"k{i}", e["status"]),
            )
        reviews = [
            (first, live[0], "{}", 0),
            (first, live[1], "{}", 0),
            (first, dead[0], "{}", 0),  # an entry withdrawn since: no longer counts
            (first, live[2], None, 1),  # a conflict: out of the assignment
            (second, live[3], "{}", 0),
            (second, live[4], None, 0),  # opened, not scored
        ]
        for reviewer, submission, scores, conflict in reviews:
            db.execute(
                # current: the scores are of the entry's current version (decision 0023)
                "INSERT INTO rv_reviews (review_id, challenge_id, submission_id, reviewer_id,"
                " scores, conflict, current) VALUES (?, ?, ?, ?, ?, ?, 1)",
                (str(uuid4()), cid, submission, reviewer, scores, conflict),
            )
    recording = RecordingDb(db)
    dashboard = sponsors.challenge_dashboard(recording, public)  # type: ignore[arg-type]
    assert dashboard is not None
    assert dashboard["funnel"]["submissions"] == ENTRIES
    assert dashboard["funnel"]["eligible"] == len(live)
    assert dashboard["funnel"]["reviewed"] == 4  # live[0], live[1], dead[0], live[3]
    progress = dashboard["review_progress"]
    assert progress["entries"] == len(live)
    assert sorted((r["done"], r["assigned"]) for r in progress["reviewers"]) == sorted(
        [(2, len(live) - 1), (1, len(live))]
    )
    assert progress == reviewers.review_progress(db, public)  # as when counted on its own
    counted = [sql for sql, _ in recording.queries if "COUNT(" in sql]
    assert counted == []
    # nothing that grows with the challenge is read: its counters, a row per reviewer
    read = " ".join(sql for sql, _ in recording.queries)
    assert not any(table in read for table in ("pt_submissions", "rv_entries", "rv_reviews "))
