"""Assignment on the pages (decision 0023): the sponsor assigns from the assignment
page and sees progress per reviewer; a reviewer's queue holds their entries; after a
conflict is declared, the score form is no longer offered."""

from __future__ import annotations

from datetime import timedelta

from openinno.domain.values import Voting
from tests.web.pages.conftest import Web


def test_assign_from_the_page_and_follow_progress(web: Web, cast, app):
    challenge, terms = cast.open_challenge(visibility="private", voting=Voting("none"))
    entries = [
        cast.submit(challenge, terms, solver=cast.account(f"s{i}"), title=f"Entry {i}")
        for i in range(4)
    ]
    judges = [cast.reviewer, cast.account("judge")]
    for judge in judges:
        app.invite_reviewer(cast.sponsor, challenge, judge)
        app.accept_reviewer_invitation(judge, challenge)

    web.login("sponsor")
    page = web.get(f"/challenges/{challenge}/assignment")
    assert "No assignment yet" in page.text
    refused = web.post(f"/challenges/{challenge}/assignment", {"k": "3"})
    assert refused.status_code == 400 and "only 2 may review it" in refused.text
    done = web.post(f"/challenges/{challenge}/assignment", {"k": "1", "seed": "5"})
    assert done.status_code == 303, done.text
    page = web.get(f"/challenges/{challenge}/assignment")
    assert "Each entry goes to 1 reviewers." in page.text
    assert page.text.count("<td>2</td>") >= 2  # two entries each
    web.logout()

    web.login("reviewer")
    queue = web.get("/reviews")
    mine = [e for e in entries if f"/reviews/{e}" in queue.text]
    assert len(mine) == 2
    web.clock.advance(timedelta(days=28))
    form = web.get(f"/reviews/{mine[0]}")
    assert "Save scores" in form.text
    declared = web.post(f"/reviews/{mine[0]}/conflict", {"reason": "My cousin"})
    assert declared.status_code == 303, declared.text
    # With assignment the entry leaves the queue; no score form is offered for it.
    assert f"/reviews/{mine[0]}" not in web.get("/reviews").text
    assert "Save scores" not in web.get(f"/reviews/{mine[0]}").text


def test_without_assignment_a_declared_conflict_hides_the_score_form(web: Web, cast, app):
    challenge, terms = cast.open_challenge(visibility="private", voting=Voting("none"))
    entry = cast.submit(challenge, terms)
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge)
    web.login("reviewer")
    assert "Save scores" in web.get(f"/reviews/{entry}").text
    web.post(f"/reviews/{entry}/conflict", {"reason": "I know the team"})
    form = web.get(f"/reviews/{entry}")
    assert "Save scores" not in form.text
    assert "You declared a conflict of interest for this entry" in form.text


def test_the_queue_counts_reviews_of_current_versions_and_re_reviews_apart(web: Web, cast, app):
    challenge, terms = cast.open_challenge(
        review_timing="rolling", visibility="private", voting=Voting("none")
    )
    first = cast.submit(challenge, terms, title="Pendulum park")
    cast.submit(challenge, terms, solver=cast.other_solver, title="Lever lab")
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge)
    app.record_review(cast.reviewer, first, {"originality": 7, "feasibility": 6, "fun": 8})
    web.login("reviewer")
    assert "1 of 2 done" in web.get("/reviews").text
    app.revise_submission(cast.solver, first, "Pendulum park", "A different idea.")
    queue = web.get("/reviews").text
    assert "0 of 2 done" in queue
    assert "1 to re-review (revised since you scored them)" in queue
