"""The appeal thread walked on the pages (issue 24): the solver appeals a
disqualification with evidence, the manager (blind to who appealed) answers and
upholds it, and the entry competes again."""

from __future__ import annotations

from tests.web.pages.conftest import uuid_in

PDF = b"%PDF-1.4\nsketches dated 2025\n"


def test_the_solver_appeals_and_a_manager_answers_and_upholds(web, cast, app):
    manager = cast.account("manager")
    app.add_member(cast.sponsor, cast.organisation, manager, "manager")
    challenge_id, terms = cast.open_challenge()
    entry = cast.submit(challenge_id, terms, title="Pendulum park")
    app.disqualify_submission(cast.sponsor, entry, "Copied from a catalogue.")

    web.login("solver")
    mine = web.get("/submissions/mine").text
    assert f"/submissions/{entry}/appeal" in mine
    assert "7 days" in web.get(f"/submissions/{entry}/appeal").text
    empty = web.post(f"/submissions/{entry}/appeal", {"ground": "disqualification", "text": ""})
    assert empty.status_code == 400 and 'id="e-text"' in empty.text
    r = web.post(
        f"/submissions/{entry}/appeal",
        {"ground": "disqualification", "text": "The sketches are mine."},
        files=[("files", ("sol-sketches.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 303, r.text
    appeal = uuid_in(r.headers["location"], "/appeals/")
    page = web.get(r.headers["location"]).text
    assert "The sketches are mine." in page and "sol-sketches.pdf" in page
    assert f'action="/appeals/{appeal}/decision"' not in page  # the appellant does not decide
    web.logout()

    web.login("manager")
    page = web.get(f"/appeals/{appeal}").text
    assert "The sketches are mine." in page
    assert "sol-sketches.pdf" not in page and "File 1.pdf" in page  # blind review
    assert "Solver" not in page
    r = web.post(f"/appeals/{appeal}/answers", {"text": "Send the dated originals."})
    assert r.status_code == 303
    bad = web.post(f"/appeals/{appeal}/decision", {"outcome": "upheld", "reason": ""})
    assert bad.status_code == 400
    r = web.post(
        f"/appeals/{appeal}/decision",
        {"outcome": "upheld", "reason": "The sketches predate the catalogue."},
    )
    assert r.status_code == 303
    page = web.get(r.headers["location"]).text
    assert "The sketches predate the catalogue." in page
    assert f'action="/appeals/{appeal}/answers"' not in page  # closed
    assert app.get_submission(cast.sponsor, entry).status == "submitted"
