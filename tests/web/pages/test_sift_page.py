"""The entries' search page (issue 27): the sponsor's members search with scores,
reviewers blind and without them, and a bad filter is a form error, not a 500."""

from __future__ import annotations

from datetime import timedelta

from openinno.application import OpenInno
from tests.support.story import Scene
from tests.web.pages.conftest import Web


def test_sponsor_and_reviewer_search_the_page(web: Web, app: OpenInno, cast: Scene):
    challenge, terms = cast.open_challenge()
    author = cast.account("siftpage")
    app.submit(author, challenge, "Kite lab", "Measure lift with kites.", terms)
    app.submit(cast.solver, challenge, "Pendulum park", "Swings and weights.", terms)
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge)
    cast.clock.advance(timedelta(minutes=1))
    web.login("sponsor")
    page = web.get(f"/challenges/{challenge}/sift", params={"q": "kite"})
    assert page.status_code == 200, page.text
    assert "Kite lab" in page.text and "Pendulum park" not in page.text
    assert "Siftpage" not in page.text  # blind until revealed
    assert 'value="score"' in page.text
    bad = web.get(f"/challenges/{challenge}/sift", params={"min_score": "lots"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text
    web.logout()
    web.login("reviewer")
    page = web.get(f"/challenges/{challenge}/sift", params={"q": "weights"})
    assert page.status_code == 200, page.text
    assert "Pendulum park" in page.text and "Solver" not in page.text
    assert 'value="score"' not in page.text
    assert web.get(f"/challenges/{challenge}/sift", params={"sort": "score"}).status_code == 400


def test_bulk_tagging_what_a_search_found(web: Web, app: OpenInno, cast: Scene):
    challenge, terms = cast.open_challenge()
    app.submit(cast.solver, challenge, "Kite lab", "Measure lift with kites.", terms)
    app.submit(cast.other_solver, challenge, "Pendulum park", "Swings and weights.", terms)
    web.login("sponsor")
    page = web.get(f"/challenges/{challenge}/sift", params={"q": "kite"})
    assert 'name="search" value="q=kite"' in page.text
    tagged = web.post(
        f"/challenges/{challenge}/sift/tag", {"search": "q=kite", "tag": "Lift", "action": "add"}
    )
    assert tagged.status_code == 303, tagged.text
    assert tagged.headers["location"].endswith("sift?q=kite&tagged=1")
    page = web.get(f"/challenges/{challenge}/sift", params={"tag": "lift"})
    assert "Kite lab" in page.text and "Pendulum park" not in page.text
    again = web.post(
        f"/challenges/{challenge}/sift/tag", {"search": "q=kite", "tag": "lift", "action": "add"}
    )
    assert again.status_code == 409 and 'role="alert"' in again.text
    empty = web.post(f"/challenges/{challenge}/sift/tag", {"search": "q=kite", "tag": " "})
    assert empty.status_code == 400 and 'aria-invalid="true"' in empty.text


def test_the_sponsor_sees_and_merges_duplicates(web: Web, app: OpenInno, cast: Scene):
    challenge, terms = cast.open_challenge()
    idea = "Children build kites from paper and sticks and measure the lift."
    first = app.submit(cast.solver, challenge, "Kite lab", idea, terms).id
    cast.clock.advance(timedelta(minutes=1))
    copy = app.submit(cast.other_solver, challenge, "Kite lab", idea + " Really.", terms).id
    web.login("sponsor")
    page = web.get(f"/challenges/{challenge}/duplicates")
    assert page.status_code == 200 and "First to propose" in page.text, page.text
    merged = web.post(
        f"/challenges/{challenge}/duplicates/merge",
        {"submission_id": [str(copy), str(first)]},
    )
    assert merged.status_code == 303, merged.text
    page = web.get(f"/challenges/{challenge}/duplicates")
    assert "Merged" in page.text and "Merge these duplicates" not in page.text
    refused = web.post(f"/challenges/{challenge}/duplicates/merge", {"submission_id": [str(first)]})
    assert refused.status_code == 409 and 'role="alert"' in refused.text
