"""Sifting a challenge's entries (issue 27): words in the challenge's language, filters,
sorts, pages on a keyset, and each page read from an index (never a sort of the
challenge's entries)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from openinno.application import OpenInno
from projections.db import Db, Row
from projections.service import ReadSide
from projections.sifting import queries
from projections.sifting.queries import Search
from tests.support.story import Scene

TITLES = [
    ("Kites that teach lift", "Children fly kites and measure the lift."),
    ("Pendulum park", "A set with swings and weights."),
    ("Lever workshop", "Levers and a seesaw, with a kite on top."),
    ("Café of forces", "Forces at work in a café: friction and weight."),
]


def entries(cast: Scene, app: OpenInno, **spec: object) -> tuple[UUID, list[UUID]]:
    challenge, terms = cast.open_challenge(**spec)
    ids = []
    for i, (title, summary) in enumerate(TITLES):
        solver = cast.account(f"sift{i}")
        ids.append(app.submit(solver, challenge, title, summary, terms).id)
        cast.clock.advance(timedelta(minutes=1))
    return challenge, ids


def found(db: Db, challenge: UUID, **search: object) -> list[str]:
    rows = queries.search(db, str(challenge), Search(**search), after=None, limit=100)  # type: ignore[arg-type]
    return [r["title"] for r in rows]


def test_words_in_the_challenges_language_and_the_filters(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    challenge, _ = entries(cast, app)
    read_side.catch_up()
    # Newest first by default; every word required.
    assert found(db, challenge) == [t for t, _ in reversed(TITLES)]
    assert found(db, challenge, text="weights swings") == ["Pendulum park"]
    if db.dialect == "postgres":
        # English stemming: "kites" finds "kite" too.
        assert found(db, challenge, text="kites") == ["Lever workshop", "Kites that teach lift"]
    else:
        assert found(db, challenge, text="kites") == ["Kites that teach lift"]
        assert found(db, challenge, text="cafe") == ["Café of forces"]
    # Odd input is a search, never an error.
    assert found(db, challenge, text='"unbalanced AND ( *') == []
    # Nobody finds an entry by its author's name: only title and summary are searched.
    assert found(db, challenge, text="Sift0") == []


def test_scores_support_and_pages_on_the_keyset(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    challenge, ids = entries(cast, app)
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge)
    cast.clock.advance(timedelta(days=28))
    app.record_review(cast.reviewer, ids[0], {"originality": 2, "feasibility": 2, "fun": 2})
    app.record_review(cast.reviewer, ids[2], {"originality": 9, "feasibility": 9, "fun": 9})
    read_side.catch_up()
    by_score = queries.search(db, str(challenge), Search(sort="score"), after=None, limit=100)
    assert [r["title"] for r in by_score[:2]] == ["Lever workshop", "Kites that teach lift"]
    assert by_score[0]["score"] == 90.0 and by_score[1]["score"] == 20.0
    assert [r["score"] for r in by_score[2:]] == [None, None]
    assert found(db, challenge, min_score=50.0) == ["Lever workshop"]
    assert found(db, challenge, max_score=50.0) == ["Kites that teach lift"]
    assert sorted(found(db, challenge, flags=("unreviewed",))) == sorted(
        [TITLES[1][0], TITLES[3][0]]
    )
    for sort in ("score", "support", "recent"):
        whole = queries.search(db, str(challenge), Search(sort=sort), after=None, limit=100)
        walked: list[Row] = []
        after = None
        while True:
            page = queries.search(db, str(challenge), Search(sort=sort), after=after, limit=1)
            walked += page
            if not page:
                break
            after = queries.search_key(page[-1], sort)
        assert [r["submission_id"] for r in walked] == [r["submission_id"] for r in whole]


def test_reviewers_see_only_live_entries(app: OpenInno, cast: Scene, read_side: ReadSide, db: Db):
    challenge, terms = cast.open_challenge()
    solver = cast.account("siftlive")
    kept = app.submit(solver, challenge, "Kept entry", "Stays live.", terms).id
    gone = app.submit(solver, challenge, "Gone entry", "Withdrawn later.", terms).id
    app.withdraw_submission(solver, gone)
    read_side.catch_up()
    assert found(db, challenge, live_only=True) == ["Kept entry"]
    assert found(db, challenge, states=("withdrawn",)) == ["Gone entry"]
    assert kept != gone


def fill(db: Db, challenge: str, n: int) -> None:
    with db.batch():
        db.execute(
            "INSERT INTO sf_challenges (challenge_id, language, criteria) VALUES (?, 'en', '[]')",
            (challenge,),
        )
        for i in range(n):
            db.execute(
                "INSERT INTO sf_entries (submission_id, challenge_id, language, title, summary,"
                " version, status, support_count, score, submitted_at, received_position)"
                " VALUES (?, ?, 'en', ?, ?, 1, 'submitted', ?, ?, ?, ?)",
                (
                    str(uuid4()),
                    challenge,
                    f"Entry {i} kite" if i % 50 == 0 else f"Entry {i}",
                    "lift and drag" if i % 50 == 0 else "weights",
                    i % 13,
                    float(i % 101),
                    f"2026-11-{1 + i % 28:02d}T00:00:00.000000Z",
                    i + 1,
                ),
            )
        for n in range(3):
            db.execute(
                "INSERT INTO sf_entries (submission_id, challenge_id, language, title, summary,"
                " version, status, submitted_at, received_position)"
                " VALUES (?, ?, 'en', 'x', 'y', 1, 'submitted', ?, ?)",
                (str(uuid4()), str(uuid4()), "2026-11-01T00:00:00.000000Z", n + 10_000),
            )
    if db.dialect == "postgres":
        db.execute("ANALYZE")


def plan(db: Db, sql: str, params: list[object]) -> str:
    if db.dialect == "postgres":
        lines = [r["QUERY PLAN"] for r in db.rows(f"EXPLAIN {sql}", params)]
        return "\n".join(lines)
    return "\n".join(str(r) for r in db.rows(f"EXPLAIN QUERY PLAN {sql}", params))


def test_each_sort_is_read_from_its_index_and_words_from_the_text_index(db: Db):
    challenge = str(uuid4())
    fill(db, challenge, 2000)
    for sort, index, value in (
        ("recent", "sf_entries_recent", "2026-11-15T00:00:00.000000Z"),
        ("support", "sf_entries_support", 5),
        ("score", "sf_entries_score", 50.0),
    ):
        sql, params = queries.search_sql(
            db, challenge, Search(sort=sort), after=(value, "zzz"), limit=21
        )
        shown = plan(db, sql, params)
        assert index in shown, shown
        if db.dialect == "postgres":
            assert "Sort  (" not in shown, shown
        else:
            assert "USE TEMP B-TREE FOR ORDER BY" not in shown, shown
    sql, params = queries.search_sql(
        db, challenge, Search(text="kite", sort="score"), after=None, limit=21
    )
    if db.dialect == "postgres":
        db.execute("SET enable_seqscan = off")
        shown = plan(db, sql, params)
        db.execute("RESET enable_seqscan")
        assert "sf_entries_search" in shown, shown
    else:
        assert "VIRTUAL TABLE INDEX" in plan(db, sql, params)
    rows = db.rows(sql, params)
    assert len(rows) == 21 and all("kite" in r["title"] for r in rows)
