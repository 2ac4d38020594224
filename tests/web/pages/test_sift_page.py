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
