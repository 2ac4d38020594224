"""Solver flows beyond the first entry: revise before the deadline, withdraw, ask a
question, support a public entry (htmx and plain form), see results, sign an
award's agreement."""

from __future__ import annotations

from datetime import timedelta

from openinno.domain.values import Voting
from tests.web.pages.conftest import uuid_in

PDF = b"%PDF-1.4\n% a small but real-looking pdf\n"


def test_revise_keeps_files_and_gives_a_new_receipt(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    submission_id = cast.submit(challenge_id, terms)
    web.login("solver")
    form = web.get(f"/submissions/{submission_id}/revise")
    assert form.status_code == 200 and 'value="Pendulum park"' in form.text
    r = web.client.post(
        f"/submissions/{submission_id}/revise",
        data={
            "title": "Pendulum park II",
            "summary": "Now with springs.",
            "_csrf_token": web.token(),
        },
        files=[("files", ("plan.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("/receipt")
    web.fed()
    # no files chosen: the current files are kept
    r = web.client.post(
        f"/submissions/{submission_id}/revise",
        data={
            "title": "Pendulum park III",
            "summary": "Now with springs.",
            "_csrf_token": web.token(),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    submission = app.get_submission(cast.solver, submission_id)
    assert submission.receipt.version == 3 and submission.content.files[0].name == "plan.pdf"
    mine = web.get("/submissions/mine")
    assert "Pendulum park III" in mine.text and "v3" in mine.text


def test_revise_validation_closed_window_and_strangers(web, cast):
    challenge_id, terms = cast.open_challenge()
    submission_id = cast.submit(challenge_id, terms)
    web.login("solver")
    r = web.post(f"/submissions/{submission_id}/revise", {"title": "", "summary": "x"})
    assert r.status_code == 400 and 'class="error"' in r.text
    web.clock.advance(timedelta(days=40))
    assert "closed" in web.get(f"/submissions/{submission_id}/revise").text
    r = web.post(f"/submissions/{submission_id}/revise", {"title": "Late", "summary": "x"})
    assert r.status_code == 409
    web.logout()
    web.login("other")
    assert web.get(f"/submissions/{submission_id}/revise").status_code == 404
    assert web.post(f"/submissions/{submission_id}/withdraw").status_code == 404


def test_withdraw_frees_the_slot(web, cast, app):
    challenge_id, terms = cast.open_challenge(max_submissions_per_solver=1)
    submission_id = cast.submit(challenge_id, terms)
    web.login("solver")
    assert "Withdraw this entry" in web.get("/submissions/mine").text
    # withdrawal is final, so it is confirmed first
    r = web.post(f"/submissions/{submission_id}/withdraw", {"reason": "changed my mind"})
    assert r.status_code == 400 and "confirm" in r.text
    assert app.get_submission(cast.solver, submission_id).status == "submitted"
    r = web.post(
        f"/submissions/{submission_id}/withdraw", {"reason": "changed my mind", "confirm": "yes"}
    )
    assert r.status_code == 303
    assert "withdrawn" in web.get(r.headers["location"]).text
    assert app.get_submission(cast.solver, submission_id).status == "withdrawn"
    cast.submit(challenge_id, terms, title="Second try")  # the slot is free again


def test_after_the_deadline_nothing_offers_revise_or_withdraw(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    submission_id = cast.submit(challenge_id, terms)
    web.login("solver")
    mine = web.get("/submissions/mine").text
    assert "Revise this entry" in mine and "Withdraw this entry" in mine
    web.clock.advance(timedelta(days=40))
    mine = web.get("/submissions/mine").text
    assert "Revise this entry" not in mine and "Withdraw this entry" not in mine
    assert "can no longer be revised or withdrawn" in mine
    assert "Enter this challenge" not in web.get(f"/challenges/{challenge_id}").text
    # the command refuses it too, whatever sends it
    r = web.post(f"/submissions/{submission_id}/withdraw", {"confirm": "yes"})
    assert r.status_code == 409
    assert app.get_submission(cast.solver, submission_id).status == "submitted"


def test_ask_a_question_and_see_it_listed(web, cast):
    challenge_id, _ = cast.open_challenge()
    page = web.get(f"/challenges/{challenge_id}")
    assert "Log in to ask a question" in page.text
    web.login("solver")
    r = web.post(f"/challenges/{challenge_id}/questions", {"question": "May teams enter?"})
    assert r.status_code == 303
    assert "May teams enter?" in web.get(f"/challenges/{challenge_id}").text
    r = web.post(f"/challenges/{challenge_id}/questions", {"question": ""})
    assert r.status_code == 400 and 'id="e-question"' in r.text
    web.logout()
    assert web.post(f"/challenges/{challenge_id}/questions", {"question": "x"}).status_code == 401


def test_support_once_with_htmx_and_without(web, cast, app):
    challenge_id, terms = cast.open_challenge(voting=Voting("public", 5))
    submission_id = cast.submit(challenge_id, terms)
    gallery = web.get(f"/challenges/{challenge_id}/gallery")
    assert "Log in to support entries" in gallery.text
    web.login("public")
    assert "Support this entry" in web.get(f"/challenges/{challenge_id}/gallery").text
    r = web.post(
        f"/submissions/{submission_id}/support",
        {"action": "support"},
        headers={"HX-Request": "true"},
    )
    assert (
        r.status_code == 200 and "<strong>1</strong>" in r.text and 'aria-pressed="true"' in r.text
    )
    assert "<html" not in r.text
    # one per person: a second support is refused, shown in the fragment
    r = web.post(
        f"/submissions/{submission_id}/support",
        {"action": "support"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and 'class="error"' in r.text and "<strong>1</strong>" in r.text
    assert app.support_count(submission_id) == 1
    # without JavaScript: a plain post, back to the gallery
    r = web.post(f"/submissions/{submission_id}/support", {"action": "retract"})
    assert r.status_code == 303 and "/gallery#entry-" in r.headers["location"]
    assert app.support_count(submission_id) == 0
    web.logout()
    web.login("solver")  # the author cannot support their own entry
    assert (
        web.post(f"/submissions/{submission_id}/support", {"action": "support"}).status_code == 409
    )


def _awarded(cast, app):
    challenge_id, terms = cast.open_challenge(visibility="private", voting=Voting("none"))
    submission_id = cast.submit(challenge_id, terms)
    cast.clock.advance(timedelta(days=30))
    awarded = cast.award_unreviewed(challenge_id, [(submission_id, 1)])
    return challenge_id, submission_id, awarded.agreement_ids[0]


def test_results_and_signing_the_agreement(web, cast, app):
    challenge_id, _submission, agreement_id = _awarded(cast, app)
    assert 'id="results"' in web.get(f"/challenges/{challenge_id}").text
    web.login("solver")
    mine = web.get("/submissions/mine")
    assert f"/agreements/{agreement_id}" in mine.text
    page = web.get(f"/agreements/{agreement_id}")
    agreement = app.get_agreement(cast.solver, agreement_id)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert agreement.text_sha256 in page.text and "Sign the agreement" in page.text
    r = web.post(
        f"/agreements/{agreement_id}/sign",
        {"typed_name": "Sol Ver", "text_sha256": agreement.text_sha256},
    )
    assert r.status_code == 400 and 'id="e-intent"' in r.text
    r = web.post(
        f"/agreements/{agreement_id}/sign",
        {"typed_name": "", "intent": "yes", "text_sha256": agreement.text_sha256},
    )
    assert r.status_code == 400 and 'id="e-typed_name"' in r.text
    r = web.post(
        f"/agreements/{agreement_id}/sign",
        {"typed_name": "Sol Ver", "intent": "yes", "text_sha256": "0" * 64},
    )
    assert r.status_code == 400
    r = web.post(
        f"/agreements/{agreement_id}/sign",
        {"typed_name": "Sol Ver", "intent": "yes", "text_sha256": agreement.text_sha256},
    )
    assert r.status_code == 303
    page = web.get(r.headers["location"])
    assert "Sol Ver" in page.text and "Sign the agreement" not in page.text
    assert "typed name differs from the account name" in page.text  # flagged, not refused
    web.logout()
    web.login("other")
    assert web.get(f"/agreements/{agreement_id}").status_code == 404
    r = web.post(
        f"/agreements/{agreement_id}/sign",
        {"typed_name": "X", "intent": "yes", "text_sha256": agreement.text_sha256},
    )
    assert r.status_code == 404
    assert uuid_in(f"/agreements/{agreement_id}", "/agreements/") == agreement_id
