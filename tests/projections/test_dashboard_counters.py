"""The sponsor's dashboard reads counters the projections keep (pt_challenge_counts,
rv_progress, rv_counts, kept by triggers as rows are written): they must always be
what counting the rows gives.  A varied history through the application, caught up
at every step and rebuilt in pages of every size; then random row changes straight
to the tables, many rows a statement (PostgreSQL's triggers take a statement's rows
at once), checked after each."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from openinno.application import OpenInno
from openinno.settings import Settings
from projections.db import Db, ReadStore, open_db
from projections.registry import by_name
from projections.reviewers import queries as reviewers
from projections.service import ReadSide
from projections.sponsors import queries as sponsors
from tests.projections.conftest import drop_read_schema
from tests.support.story import Scene
from web.readside import read_side_for

SCORES = {"originality": 7, "feasibility": 6, "fun": 8}


def counted(db: Db, challenge_id: UUID | str) -> dict[str, Any]:
    """The dashboard's figures counted from the rows, as it counted them before it
    had counters."""
    cid = str(challenge_id)
    funnel = db.rows(
        "SELECT COUNT(*) AS submissions,"
        " SUM(CASE WHEN status NOT IN ('withdrawn', 'disqualified') THEN 1 ELSE 0 END)"
        " AS eligible, SUM(shortlisted) AS shortlisted,"
        " SUM(CASE WHEN award_place IS NOT NULL THEN 1 ELSE 0 END) AS awarded,"
        " SUM(threshold_reached) AS threshold_crossings "
        "FROM pt_submissions WHERE challenge_id = ?",
        (cid,),
    )[0]
    reviewed = db.rows(
        "SELECT COUNT(DISTINCT submission_id) AS n FROM rv_reviews"
        " WHERE challenge_id = ? AND scores IS NOT NULL AND conflict = 0 AND current = 1",
        (cid,),
    )[0]["n"]
    live = db.rows(
        "SELECT COUNT(*) AS n FROM rv_entries WHERE challenge_id = ?"
        " AND status NOT IN ('withdrawn', 'disqualified')",
        (cid,),
    )[0]["n"]
    progress = [
        (r["reviewer_id"], int(r["done"] or 0), int(r["conflicts"] or 0), int(r["stale"] or 0))
        for r in db.rows(reviewers.PROGRESS_COUNTED, (cid,))
    ]
    return {
        "funnel": {
            "submissions": int(funnel["submissions"] or 0),
            "eligible": int(funnel["eligible"] or 0),
            "reviewed": int(reviewed or 0),
            "shortlisted": int(funnel["shortlisted"] or 0),
            "awarded": int(funnel["awarded"] or 0),
        },
        "threshold_crossings": int(funnel["threshold_crossings"] or 0),
        "live": int(live or 0),
        "progress": progress,
    }


def kept(db: Db, challenge_id: UUID | str) -> dict[str, Any]:
    """The same figures as the dashboard and the review progress read them."""
    dashboard = sponsors.challenge_dashboard(db, UUID(str(challenge_id)))
    assert dashboard is not None
    progress = reviewers.review_progress(db, UUID(str(challenge_id)))
    live = progress["entries"]
    return {
        "funnel": dashboard["funnel"],
        "threshold_crossings": dashboard["threshold_crossings"],
        "live": live,
        "progress": [
            (r["reviewer_id"], r["done"], live - r["assigned"], r["stale"])
            for r in progress["reviewers"]
        ],
    }


def assert_counters_match(db: Db, *challenges: UUID | str) -> None:
    for challenge in challenges:
        assert kept(db, challenge) == counted(db, challenge), challenge


def assert_current_kept(db: Db, *challenges: UUID | str) -> None:
    """``rv_reviews.current`` is what queries.CURRENT says, after every catch-up."""
    for challenge in challenges:
        assert db.rows(reviewers.CURRENT_MISMATCHES, (str(challenge),)) == [], challenge


def varied_history(app: OpenInno, cast: Scene, read_side: ReadSide, db: Db) -> list[UUID]:
    """Submit, revise, withdraw, disqualify, support past the threshold, review (scores,
    revised scores, a conflict after scoring, a conflict without scores, reviews of
    entries withdrawn or disqualified afterwards), shortlist and award, in two
    challenges; the counters checked against the rows after every step."""
    clock = cast.clock
    challenge, terms = cast.open_challenge(review_timing="rolling")
    other, other_terms = cast.open_challenge(title="Second")
    steps: list[Any] = []

    def step() -> None:
        read_side.catch_up()
        assert_counters_match(db, challenge, other)
        assert_current_kept(db, challenge, other)
        steps.append(None)

    solvers = [cast.account(f"solver{i}") for i in range(6)]
    critic = cast.account("critic")
    entries = []
    for i, solver in enumerate(solvers):
        entries.append(cast.submit(challenge, terms, solver=solver, title=f"Entry {i}"))
        entries.append(cast.submit(challenge, terms, solver=solver, title=f"Entry {i}b"))
    for solver in solvers[:2]:
        cast.submit(other, other_terms, solver=solver, title="Elsewhere")
    step()
    app.revise_submission(solvers[0], entries[0], "Entry 0, revised", "Better.")
    app.withdraw_submission(solvers[1], entries[3], "Second thoughts")
    step()
    # Support past the threshold (3): two entries, one of them withdrawn afterwards.
    supporters = [cast.public, cast.reviewer, critic, cast.other_solver]
    for entry in (entries[4], entries[5]):
        for supporter in supporters:
            app.support(supporter, entry)
    app.retract_support(cast.public, entries[4])
    step()
    for reviewer in (cast.reviewer, critic):
        app.invite_reviewer(cast.sponsor, challenge, reviewer)
        app.accept_reviewer_invitation(reviewer, challenge)
    app.invite_reviewer(cast.sponsor, other, critic)
    app.accept_reviewer_invitation(critic, other)
    step()
    for entry in entries[:9]:
        if entry == entries[3]:
            continue
        app.record_review(cast.reviewer, entry, SCORES)
    for entry in entries[4:8]:
        app.record_review(critic, entry, {"originality": 3, "feasibility": 4, "fun": 5})
    step()
    app.record_review(cast.reviewer, entries[0], {"originality": 9, "feasibility": 9, "fun": 9})
    app.declare_conflict(cast.reviewer, entries[1], "My cousin's entry")  # after scoring
    app.declare_conflict(critic, entries[9], "My own company")  # without scores
    app.declare_conflict(critic, entries[3], "Withdrawn, still recused")  # a dead entry
    step()
    app.withdraw_submission(solvers[2], entries[5], "Changed my mind")  # past threshold
    app.disqualify_submission(cast.sponsor, entries[6], "Plagiarised")  # reviewed twice
    app.disqualify_submission(cast.sponsor, entries[7], "Late files")
    app.declare_conflict(critic, entries[4], "Met the team")  # both scored it
    step()
    # A revision after scoring: the reviewer's review of it is stale, not done (issue 20).
    app.revise_submission(solvers[1], entries[2], "Entry 1, revised", "A new idea.")
    step()
    assert kept(db, challenge)["funnel"]["reviewed"] == 6  # 0, 4, 5, 6, 7, 8 (2 is stale)
    app.record_review(critic, entries[2], SCORES)
    app.record_review(critic, entries[0], SCORES)
    clock.advance(timedelta(days=30))
    app.publish_shortlist(cast.sponsor, challenge, [entries[0], entries[2], entries[4]])
    step()
    app.record_review(critic, entries[8], SCORES)
    # Awards come once review is over (issue 20); both winners' versions were scored.
    app.close_review_early(cast.sponsor, challenge, "The jury is done.")
    app.award(cast.sponsor, challenge, [(entries[0], 1), (entries[2], 2)])
    step()
    figures = kept(db, challenge)
    # The history reached every counter.
    assert figures["funnel"] == {
        "submissions": 12,
        "eligible": 8,
        "reviewed": 7,  # 0, 2, 4, 5, 6, 7, 8 (1: conflict; 5, 6, 7 dead but reviewed)
        "shortlisted": 3,
        "awarded": 2,
    }
    assert figures["threshold_crossings"] == 2
    # reviewer: 0, 4, 8 done (5, 6, 7 dead), 2 stale (revised since), 1 conflicted;
    # critic: 0, 2, 8 done (4 conflicted after scoring; 5, 6, 7 dead), conflicts 9 and 4
    # (3 is dead)
    assert {r: rest for r, *rest in figures["progress"]} == {
        str(cast.reviewer): [3, 1, 1],
        str(critic): [3, 2, 0],
    }
    return [challenge, other]


def test_the_dashboards_counters_are_the_rows_counts(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    varied_history(app, cast, read_side, db)


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_rebuilt_in_pages_of_any_size_the_counters_are_the_rows_counts(
    app: OpenInno,
    cast: Scene,
    read_side: ReadSide,
    db: Db,
    settings: Settings,
    read_store: ReadStore,
    batch_size: int,
):
    """Pages merge a history's changes (an entry submitted and withdrawn in one page is
    written withdrawn; a review may be written before its entry): the counters still
    match."""
    challenges = varied_history(app, cast, read_side, db)
    store = ReadStore(
        sqlite_path=read_store.sqlite_path.with_name(f"pages-{batch_size}.db")
        if read_store.sqlite_path
        else None,
        postgres_conninfo=read_store.postgres_conninfo,
        postgres_schema=f"{read_store.postgres_schema}_p{batch_size}"
        if read_store.postgres_schema
        else None,
    )
    side = read_side_for(settings, app, store=store, batch_size=batch_size)
    try:
        side.setup()
        side.rebuild()
        rebuilt = open_db(store)
        try:
            assert_counters_match(rebuilt, *challenges)
            assert kept(rebuilt, challenges[0]) == kept(db, challenges[0])
        finally:
            rebuilt.close()
    finally:
        side.stop()
        drop_read_schema(store)


DEAD = ("withdrawn", "disqualified")


def test_random_row_changes_keep_the_counters_exact(read_side: ReadSide, db: Db):
    """Row changes in any order and any grouping, many rows a statement: each
    statement's counters equal the rows' counts.  (A mutation of any counted share or
    sign fails here.)"""
    rng = random.Random(11)
    challenges = [str(uuid4()) for _ in range(3)]
    people = [str(uuid4()) for _ in range(4)]
    with db.batch():
        for cid in challenges:
            db.execute(
                "INSERT INTO pt_challenges (challenge_id, organisation_id, status, title,"
                " brief, rules, eligibility, category, language, visibility, voting_mode,"
                " ip_terms, prizes, prize_total, currency, criteria, opens_at, closes_at,"
                " review_ends_at, drafted_at, search_text) VALUES (?, 'o', 'published', 't',"
                " 'b', 'r', 'e', 'c', 'en', 'public', 'public', 'ip', '[]', 0, 'EUR', '[]',"
                " '2026-01-01', '2027-01-01', '2027-02-01', '2026-01-01', 't')",
                (cid,),
            )
            for reviewer in people:
                db.execute(
                    "INSERT INTO rv_reviewers (challenge_id, reviewer_id, accepted) VALUES (?, ?, ?)",
                    (cid, reviewer, 0 if reviewer == people[3] else 1),
                )
    submissions: list[tuple[str, str]] = []
    reviews: dict[tuple[str, str], str] = {}

    def insert_entry(cid: str, sid: str, status: str) -> None:
        db.execute(
            "INSERT INTO pt_submissions (submission_id, challenge_id, solver_id, team_ids,"
            " title, summary, status, version, content_sha256, accepted_terms_sha256,"
            " submitted_at, updated_at) VALUES (?, ?, 's', '[]', 't', 's', ?, 1, 'h', 'h',"
            " '2026-11-10', '2026-11-10')",
            (sid, cid, status),
        )
        db.execute(
            "INSERT INTO rv_entries VALUES (?, ?, 'k', 't', 's', 1, 'h', ?, 0, '2026-11-10')",
            (sid, cid, status),
        )

    def insert_review(cid: str, sid: str, reviewer: str) -> None:
        rid = str(uuid4())
        reviews[(sid, reviewer)] = rid
        scores = rng.choice([None, '{"a": "1"}'])
        conflict = rng.choice([0, 0, 1])
        db.execute(
            "INSERT INTO rv_reviews (review_id, challenge_id, submission_id, reviewer_id,"
            " scores, conflict) VALUES (?, ?, ?, ?, ?, ?)",
            (rid, cid, sid, reviewer, scores, conflict),
        )

    def marks(rows: list[str]) -> str:
        return ", ".join("?" * len(rows))

    reached = dict.fromkeys(("reviewed", "done", "conflicts", "stale", "dead"), False)
    for _ in range(40):
        with db.batch():
            for _ in range(rng.randint(1, 6)):
                action = rng.random()
                if action < 0.3 or not submissions:
                    cid = rng.choice(challenges)
                    sid = str(uuid4())
                    submissions.append((cid, sid))
                    # a review written before its entry, as a batch may write them
                    if rng.random() < 0.2:
                        insert_review(cid, sid, rng.choice(people))
                    insert_entry(cid, sid, rng.choice(["submitted", "submitted", *DEAD]))
                elif action < 0.5:
                    cid, sid = rng.choice(submissions)
                    reviewer = rng.choice(people)
                    if (sid, reviewer) not in reviews:
                        insert_review(cid, sid, reviewer)
                elif action < 0.7 and reviews:
                    # many reviews in one statement: scores, conflicts, totals
                    chosen = rng.sample(sorted(reviews.values()), min(len(reviews), 5))
                    change = rng.choice(
                        [
                            'scores = \'{"b": "2"}\'',
                            "scores = NULL",
                            "conflict = 1",
                            "conflict = 0",
                            "total = 3.5",
                            "current = 1",
                            "current = 0",
                        ]
                    )
                    db.execute(
                        f"UPDATE rv_reviews SET {change} WHERE review_id IN ({marks(chosen)})",
                        chosen,
                    )
                elif action < 0.9:
                    # entries die or come back, several in one statement
                    chosen = [s for _, s in rng.sample(submissions, min(len(submissions), 4))]
                    status = rng.choice(["submitted", "awarded", *DEAD])
                    db.execute(
                        f"UPDATE rv_entries SET status = ? WHERE submission_id IN ({marks(chosen)})",
                        [status, *chosen],
                    )
                    column, value = rng.choice(
                        [
                            ("status", status),
                            ("shortlisted", rng.choice([0, 1])),
                            ("award_place", rng.choice([None, 1])),
                            ("threshold_reached", rng.choice([0, 1])),
                            ("support_count", rng.randint(0, 9)),
                        ]
                    )
                    db.execute(
                        f"UPDATE pt_submissions SET {column} = ?"
                        f" WHERE submission_id IN ({marks(chosen)})",
                        [value, *chosen],
                    )
                elif reviews:
                    key = rng.choice(sorted(reviews))
                    db.execute("DELETE FROM rv_reviews WHERE review_id = ?", (reviews.pop(key),))
                    if rng.random() < 0.3:
                        cid, sid = rng.choice(submissions)
                        db.execute("DELETE FROM rv_entries WHERE submission_id = ?", (sid,))
                        db.execute("DELETE FROM pt_submissions WHERE submission_id = ?", (sid,))
                        submissions.remove((cid, sid))
                        for gone in [k for k in reviews if k[0] == sid]:
                            db.execute(
                                "DELETE FROM rv_reviews WHERE review_id = ?", (reviews.pop(gone),)
                            )
        assert_counters_match(db, *challenges)
        for figures in (counted(db, cid) for cid in challenges):
            reached["reviewed"] |= figures["funnel"]["reviewed"] > 0
            reached["done"] |= any(p[1] for p in figures["progress"])
            reached["conflicts"] |= any(p[2] for p in figures["progress"])
            reached["stale"] |= any(p[3] for p in figures["progress"])
            reached["dead"] |= figures["funnel"]["eligible"] < figures["funnel"]["submissions"]
    assert all(reached.values()), reached


def test_the_counters_tables_are_the_projections_own(read_side: ReadSide):
    """Dropped and rebuilt with their projections (the DDL hash covers the triggers)."""
    assert "pt_challenge_counts" in by_name("participants").tables
    assert {"rv_progress", "rv_counts"} <= set(by_name("reviewers").tables)
