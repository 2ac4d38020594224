"""Reviewers' read model: blind queue, scores and ranking, progress."""

from __future__ import annotations

import pytest

from openinno.application import OpenInno
from projections.db import Db
from projections.registry import by_name
from projections.reviewers import queries
from projections.service import ReadSide
from projections.sponsors import queries as sponsors
from tests.projections import ranking_oracle
from tests.projections.story import run_story
from tests.support.story import Scene


def identity_strings(app: OpenInno, *accounts) -> list[str]:
    found = []
    for account_id in accounts:
        account = app.get_account(account_id)
        found += [str(account_id), account.email, account.display_name]
    return found


def reviewer_tables_text(db: Db) -> str:
    dump = []
    for table in by_name("reviewers").tables:
        dump += [repr(row) for row in db.rows(f"SELECT * FROM {table}")]
    return "\n".join(dump)


def test_nothing_in_the_reviewer_read_model_names_a_solver_before_reveal(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    story = run_story(cast)
    read_side.catch_up()
    secrets = identity_strings(app, cast.solver, cast.other_solver)
    queue = queries.my_review_queue(db, cast.reviewer)
    ranking = sponsors.ranking_page(db, story.challenge, after=None, limit=10)
    for text in (reviewer_tables_text(db), repr(queue), repr(ranking)):
        for secret in secrets:
            assert secret not in text

    app.reveal_identities(cast.sponsor, story.challenge)
    read_side.catch_up()
    queue = queries.my_review_queue(db, cast.reviewer)
    assert {q["solver_name"] for q in queue} == {"Solver", "Other"}
    ranking = sponsors.ranking_page(db, story.challenge, after=None, limit=10)
    assert {r["solver_name"] for r in ranking} == {"Solver", "Other"}


def test_queue_uses_per_entry_pseudonyms(app: OpenInno, cast: Scene, read_side: ReadSide, db: Db):
    """One pseudonym per entry, not per solver (issue 21): a solver's two entries
    cannot be linked by their pseudonyms."""
    challenge, terms = cast.open_challenge(review_timing="rolling")
    first = cast.submit(challenge, terms, title="One")
    cast.submit(challenge, terms, solver=cast.other_solver, title="Two")
    again = cast.submit(challenge, terms, title="Three")
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge)
    app.record_review(cast.reviewer, first, {"originality": 5, "feasibility": 5, "fun": 5})
    read_side.catch_up()
    queue = queries.my_review_queue(db, cast.reviewer)
    names = {q["title"]: q["pseudonym"] for q in queue}
    assert names == {"One": "Entrant 1", "Two": "Entrant 2", "Three": "Entrant 3"}
    states = {q["title"]: q["state"] for q in queue}
    assert states == {"One": "scored", "Two": "to_do", "Three": "to_do"}
    assert queries.my_review_queue(db, cast.public) == []
    assert again


def linking_columns(rows: dict[str, dict], same: tuple[str, str], other: str) -> set[str]:
    """Columns where the two rows of ``same`` agree and ``other``'s row differs:
    what would tell that the two entries have one author."""
    a, b = (rows[t] for t in same)
    return {k for k in a if a[k] == b[k] and rows[other].get(k) != a[k]}


def test_nothing_in_the_blind_views_links_one_solvers_entries(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    challenge, terms = cast.open_challenge()
    cast.submit(challenge, terms, title="One")
    cast.submit(challenge, terms, solver=cast.other_solver, title="Two")
    cast.submit(challenge, terms, title="Three")
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge)
    read_side.catch_up()
    queue = {q["title"]: q for q in queries.my_review_queue(db, cast.reviewer)}
    assert linking_columns(queue, ("One", "Three"), "Two") == set()
    ranking = {r["title"]: r for r in sponsors.ranking_page(db, challenge, after=None, limit=10)}
    assert linking_columns(ranking, ("One", "Three"), "Two") == set()
    stored = {
        r["title"]: r
        for r in db.rows(
            "SELECT e.*, p.* FROM rv_entries e JOIN rv_pseudonyms p"
            " ON p.challenge_id = e.challenge_id AND p.entry_key = e.entry_key"
        )
    }
    assert linking_columns(stored, ("One", "Three"), "Two") == set()


def test_ranking_normalises_per_reviewer_and_measures_agreement(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    story = run_story(cast, award=False)
    read_side.catch_up()
    ranking = sponsors.ranking_page(db, story.challenge, after=None, limit=10)
    # the projection's stored totals and the SQL arithmetic give what the whole
    # scoring sheet gave in Python
    assert ranking == ranking_oracle.ranking(db, story.challenge)
    rows = {r["submission_id"]: r for r in ranking}
    winner, runner_up = rows[str(story.winner)], rows[str(story.runner_up)]
    assert str(story.withdrawn) not in rows
    # originality 9 (40), feasibility 8 (35), fun 9.5 (25) on 0..10 -> 87.75
    by_reviewer = {r["reviewer_id"]: r for r in winner["reviews"]}
    assert by_reviewer[str(cast.reviewer)]["weighted_total"] == pytest.approx(87.75)
    # a lenient and a harsh reviewer agree on the order: z-scores are +1 / -1 each
    assert winner["normalised_score"] == pytest.approx(1.0)
    assert runner_up["normalised_score"] == pytest.approx(-1.0)
    assert 0 < winner["agreement"] < 1
    assert winner["mean_total"] == pytest.approx((87.75 + 46.5) / 2)

    progress = queries.review_progress(db, story.challenge)
    assert progress["entries"] == 2
    assert (progress["done"], progress["assigned"]) == (4, 4)


def test_a_revision_after_scoring_leaves_the_review_stale_and_out_of_the_ranking(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    """Issue 20: the queue says "re-review" with the version scored and the current
    one; the ranking counts only reviews of the current version and shows the entry
    apart until it is scored again."""
    challenge, terms = cast.open_challenge(review_timing="rolling")
    revised = cast.submit(challenge, terms, title="Pendulum park")
    steady = cast.submit(challenge, terms, solver=cast.other_solver, title="Lever lab")
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge)
    for entry in (revised, steady):
        app.record_review(cast.reviewer, entry, {"originality": 7, "feasibility": 6, "fun": 8})
    app.revise_submission(cast.solver, revised, "Pendulum park", "A completely different idea.")
    read_side.catch_up()

    queue = {q["title"]: q for q in queries.my_review_queue(db, cast.reviewer)}
    assert {
        t: (q["state"], q["scored_version"], q["current_version"]) for t, q in queue.items()
    } == {
        "Pendulum park": ("re_review", 1, 2),
        "Lever lab": ("scored", 1, 1),
    }
    ranking = sponsors.ranking_page(db, challenge, after=None, limit=10)
    assert [(r["title"], r["review_state"], r["review_count"]) for r in ranking] == [
        ("Lever lab", "current", 1),
        ("Pendulum park", "stale", 0),
    ]
    assert sponsors.score_distribution(db, challenge) == [0] * 6 + [1, 0, 0, 0]

    app.record_review(cast.reviewer, revised, {"originality": 9, "feasibility": 9, "fun": 9})
    read_side.catch_up()
    entry = queries.review_entry(db, cast.reviewer, revised)
    assert entry is not None
    assert (entry["state"], entry["scored_version"], entry["current_version"]) == ("scored", 2, 2)
    ranking = sponsors.ranking_page(db, challenge, after=None, limit=10)
    assert [(r["title"], r["review_state"]) for r in ranking] == [
        ("Pendulum park", "current"),
        ("Lever lab", "current"),
    ]
