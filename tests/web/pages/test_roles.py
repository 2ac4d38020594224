"""Solver, sponsor, reviewer and legal pages: success, validation errors, wrong
roles, and CSRF rejection."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from openinno.domain.values import Voting
from tests.web.pages.conftest import uuid_in

PDF = b"%PDF-1.4\n% a small but real-looking pdf\n"


def _submit(web, challenge_id, terms, **changes):
    form = {
        "title": "Pendulum park",
        "summary": "Swings and weights.",
        "accepted_terms_sha256": terms,
        "accept": "yes",
        "_csrf_token": web.token(),
        **changes,
    }
    r = web.client.post(
        f"/challenges/{challenge_id}/submit",
        data=form,
        files=[("files", ("plan.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    web.fed()
    return r


# --- solver -----------------------------------------------------------------------------


def test_solver_submits_with_a_file_and_sees_the_receipt(web, cast):
    challenge_id, terms = cast.open_challenge()
    web.login("solver")
    form = web.get(f"/challenges/{challenge_id}/submit")
    assert form.status_code == 200 and terms in form.text
    assert form.headers["cache-control"] == "no-store"
    r = _submit(web, challenge_id, terms)
    assert r.status_code == 303, r.text
    receipt = web.get(r.headers["location"])
    assert receipt.status_code == 200
    assert "plan.pdf" in receipt.text and "application/pdf" in receipt.text
    submission_id = uuid_in(r.headers["location"], "/submissions/")
    submission = web.app.get_submission(cast.solver, submission_id)
    assert submission.receipt.content_sha256 in receipt.text
    mine = web.get("/submissions/mine")
    assert "Pendulum park" in mine.text and str(submission.receipt.receipt_id) in mine.text


def test_submit_validation_keeps_input_and_names_the_field(web, cast):
    challenge_id, terms = cast.open_challenge()
    web.login("solver")
    r = _submit(web, challenge_id, terms, accept="")
    assert r.status_code == 400 and 'id="e-accept"' in r.text and 'value="Pendulum park"' in r.text
    r = _submit(web, challenge_id, "0" * 64)
    assert r.status_code == 400 and 'id="e-accept"' in r.text
    r = web.client.post(
        f"/challenges/{challenge_id}/submit",
        data={
            "title": "Pendulum park",
            "summary": "x",
            "accepted_terms_sha256": terms,
            "accept": "yes",
            "_csrf_token": web.token(),
        },
        files=[("files", ("evil.pdf", b"\x00\x01\x02 not a pdf", "application/pdf"))],
        follow_redirects=False,
    )
    assert r.status_code == 400 and 'id="e-files"' in r.text


def test_submission_limit_and_sponsor_members_cannot_enter(web, cast):
    challenge_id, terms = cast.open_challenge(max_submissions_per_solver=1)
    web.login("solver")
    assert _submit(web, challenge_id, terms).status_code == 303
    r = _submit(web, challenge_id, terms)
    assert r.status_code == 409 and 'class="error"' in r.text
    web.logout()
    web.login("sponsor")
    assert _submit(web, challenge_id, terms).status_code == 403


def test_submit_needs_sign_in_and_a_csrf_token(web, cast):
    challenge_id, terms = cast.open_challenge()
    r = web.get(f"/challenges/{challenge_id}/submit", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    web.login("solver")
    r = web.client.post(
        f"/challenges/{challenge_id}/submit",
        data={"title": "x", "accept": "yes", "accepted_terms_sha256": terms},
        files=[("files", ("plan.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert r.status_code == 403


def test_receipts_are_for_authors_only(web, cast):
    challenge_id, terms = cast.open_challenge()
    submission_id = cast.submit(challenge_id, terms)
    web.login("other")
    assert web.get(f"/submissions/{submission_id}/receipt").status_code == 404


# --- sponsor ----------------------------------------------------------------------------


def _draft_form(web, **changes):
    now = web.clock.now()
    fmt = "%Y-%m-%dT%H:%M"
    return {
        "title": "Quiet heat pumps",
        "brief": "Make heat pumps **quieter**.",
        "rules": "Original work.",
        "eligibility": "Anyone.",
        "category": "energy",
        "language": "en",
        "currency": "EUR",
        "prize_1": "10000",
        "prize_2": "2500.50",
        "criterion_name_1": "impact",
        "criterion_weight_1": "60",
        "criterion_name_2": "cost",
        "criterion_weight_2": "40",
        "opens_at": (now + timedelta(days=1)).strftime(fmt),
        "closes_at": (now + timedelta(days=30)).strftime(fmt),
        "review_ends_at": (now + timedelta(days=45)).strftime(fmt),
        "max_submissions_per_solver": "2",
        "visibility": "private",
        "voting_mode": "none",
        "voting_threshold": "",
        "ip_terms": "assignment",
        **changes,
    }


def test_sponsor_creates_an_organisation_drafts_and_publishes(web, cast, app):
    web.login("public")
    r = web.post("/organisations", {"name": "Heatworks"})
    assert r.status_code == 303
    org_page = r.headers["location"]
    organisation_id = uuid_in(org_page, "/organisations/")
    assert "Heatworks" in web.get("/organisations").text
    assert "Draft a challenge" in web.get(org_page).text
    form = web.get(f"/organisations/{organisation_id}/challenges/new")
    assert form.status_code == 200 and "Preview:" in form.text
    r = web.post(f"/organisations/{organisation_id}/challenges", _draft_form(web))
    assert r.status_code == 303, r.text
    challenge_id = uuid_in(r.headers["location"], "/challenges/")
    preview = web.get(r.headers["location"])
    assert "Quiet heat pumps" in preview.text and "€10,000.00" in preview.text
    # Drafts are invisible to the public.
    assert web.get(f"/challenges/{challenge_id}").status_code == 404
    r = web.post(f"/challenges/{challenge_id}/publish")
    assert r.status_code == 303
    page = web.get(f"/challenges/{challenge_id}")
    assert page.status_code == 200 and "€2,500.50" in page.text
    assert app.get_challenge(challenge_id).terms_sha256 in page.text


def test_draft_validation_errors_sit_next_to_their_fields(web, cast):
    web.login("sponsor")
    path = f"/organisations/{cast.organisation}/challenges"
    r = web.post(path, _draft_form(web, criterion_weight_2="10"))
    assert r.status_code == 400
    assert 'id="e-criterion_name_1"' in r.text and "sum to 100" in r.text
    assert 'value="Quiet heat pumps"' in r.text
    r = web.post(path, _draft_form(web, closes_at="not a date"))
    assert r.status_code == 400 and 'id="e-closes_at"' in r.text
    r = web.post(path, _draft_form(web, prize_1="lots"))
    assert r.status_code == 400 and 'id="e-prize_1"' in r.text
    r = web.post(path, _draft_form(web, voting_mode="public", voting_threshold="5"))
    assert r.status_code == 400 and 'id="e-voting_mode"' in r.text


def test_deadlines_are_read_in_the_sponsors_zone(web, cast, app):
    app.update_profile(cast.sponsor, "Sponsor", "en", "Asia/Tokyo")
    web.login("sponsor")
    r = web.post(
        f"/organisations/{cast.organisation}/challenges",
        _draft_form(web, opens_at="2026-03-10T09:00"),
    )
    challenge_id = uuid_in(r.headers["location"], "/challenges/")
    opens = app.get_challenge(challenge_id, cast.sponsor).spec.opens_at
    assert opens.isoformat().startswith("2026-03-10T00:00")


def test_wrong_roles_cannot_use_sponsor_pages(web, cast):
    draft = cast.draft()
    web.login("solver")
    assert web.get(f"/organisations/{cast.organisation}").status_code == 404
    assert web.get(f"/organisations/{cast.organisation}/challenges/new").status_code == 404
    r = web.post(f"/organisations/{cast.organisation}/challenges", _draft_form(web))
    assert r.status_code == 404
    assert web.get(f"/challenges/{draft}/draft").status_code == 404
    assert web.post(f"/challenges/{draft}/publish").status_code == 404
    web.logout()
    assert web.post(f"/challenges/{draft}/publish").status_code == 401


def test_organisation_name_validation(web, cast):
    web.login("solver")
    r = web.post("/organisations", {"name": ""})
    assert r.status_code == 400 and 'id="e-name"' in r.text


# --- reviewer ---------------------------------------------------------------------------


def _reviewing(cast, app):
    challenge_id, terms = cast.open_challenge(visibility="private", voting=Voting("none"))
    submission_id = cast.submit(challenge_id, terms)
    app.invite_reviewer(cast.sponsor, challenge_id, cast.reviewer)
    return challenge_id, submission_id


def test_reviewer_accepts_and_scores_blind(web, cast, app):
    challenge_id, submission_id = _reviewing(cast, app)
    web.login("reviewer")
    queue = web.get("/reviews")
    assert (
        "Bricks that teach physics" in queue.text and queue.headers["cache-control"] == "no-store"
    )
    web.post(f"/reviews/invitations/{challenge_id}")
    web.clock.advance(timedelta(days=30))
    queue = web.get("/reviews")
    assert "Entrant 1" in queue.text and "Solver" not in queue.text
    form = web.get(f"/reviews/{submission_id}")
    assert form.status_code == 200 and "originality" in form.text
    assert form.headers["cache-control"] == "no-store"
    r = web.post(
        f"/reviews/{submission_id}",
        {"score_0": "8", "score_1": "7", "score_2": "9", "comment": "ok"},
    )
    assert r.status_code == 303, r.text
    sheet = web.get(f"/reviews/{submission_id}")
    assert 'value="8"' in sheet.text


def test_review_validation_and_wrong_roles(web, cast, app):
    challenge_id, submission_id = _reviewing(cast, app)
    app.accept_reviewer_invitation(cast.reviewer, challenge_id)
    web.clock.advance(timedelta(days=30))
    web.login("reviewer")
    r = web.post(f"/reviews/{submission_id}", {"score_0": "80", "score_1": "7", "score_2": "9"})
    assert r.status_code == 400 and 'class="error"' in r.text and 'value="80"' in r.text
    web.logout()
    web.login("other")
    assert web.get(f"/reviews/{submission_id}").status_code == 404
    r = web.post(f"/reviews/{submission_id}", {"score_0": "8", "score_1": "7", "score_2": "9"})
    assert r.status_code == 404


# --- legal ------------------------------------------------------------------------------


def test_chain_of_title_for_the_sponsor_not_for_others(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    submission_id = cast.submit(challenge_id, terms)
    web.login("sponsor")
    # Blind review: the chain names the solver, whom the sponsor may not know before
    # the entry is awarded (or identities revealed).
    assert web.get(f"/legal/submissions/{submission_id}").status_code == 404
    assert web.get(f"/organisations/{cast.organisation}/agreements").status_code == 200
    web.logout()
    web.login("solver")
    page = web.get(f"/legal/submissions/{submission_id}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert terms in page.text
    csv = web.get(f"/legal/submissions/{submission_id}/export/csv")
    assert csv.status_code == 200 and csv.text.startswith("position,")
    web.logout()
    web.login("other")
    assert web.get(f"/legal/submissions/{submission_id}").status_code == 404
    assert web.get(f"/organisations/{cast.organisation}/agreements").status_code == 404


def test_amounts_use_decimal_money(web, cast):
    from openinno.domain.values import Prize

    challenge_id, _ = cast.open_challenge(prizes=(Prize(1, Decimal("1000"), "JPY"),))
    assert "¥1,000" in web.get(f"/challenges/{challenge_id}").text
    assert re.search(r"Prize", web.get("/").text)


def test_the_legal_page_downloads_an_evidence_bundle_that_verifies(web, cast, app):
    from openinno.ledger import checkpoint as checkpoints
    from openinno.ledger.bundle import decode_bundle
    from openinno.ledger.log import ledger_for
    from openinno.ledger.verify import verify_bundle

    (app.settings.data_dir / "signing-key.pem").write_bytes(checkpoints.generate_private_key_pem())
    ledger_for(app, create_tables=True).db.close()
    challenge_id, terms = cast.open_challenge()
    submission_id = cast.submit(challenge_id, terms)
    web.login("solver")  # its author (the sponsor: once awarded, blind review)
    assert (
        f"/legal/submissions/{submission_id}/export/evidence"
        in web.get(f"/legal/submissions/{submission_id}").text
    )
    download = web.get(f"/legal/submissions/{submission_id}/export/evidence")
    assert download.status_code == 200
    result = verify_bundle(decode_bundle(download.content))
    checks = {c.name: c.ok for c in result.checks}
    # not awarded yet: the proofs hold, the chain of title is not complete
    assert checks["checkpoint signature"] and checks["inclusion proofs"]
    assert checks["submitted under the published terms"] and not checks["awarded"]
    # The checkpoint just signed backs the page (issue 22, finding 5).
    size = decode_bundle(download.content).checkpoint.tree_size
    assert (
        f"Verified against checkpoint {size}."
        in web.get(f"/legal/submissions/{submission_id}").text
    )
    web.logout()
    web.login("other")
    assert web.get(f"/legal/submissions/{submission_id}/export/evidence").status_code == 404


def test_chain_of_title_as_of_a_past_position(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    submission_id = cast.submit(challenge_id, terms)
    position = app.recorder.max_notification_id()
    app.revise_submission(cast.solver, submission_id, "Pendulum park", "Now with a seesaw.")
    web.login("solver")
    now = web.get(f"/legal/submissions/{submission_id}/export/json").json()
    then = web.get(f"/legal/submissions/{submission_id}/export/json?as_of={position}").json()
    assert [s["step"] for s in now["steps"]] == ["submitted", "revised"]
    assert [s["step"] for s in then["steps"]] == ["submitted"]
    assert (
        web.get(f"/legal/submissions/{submission_id}?as_of=2026-01-01T00:00:00Z").status_code == 200
    )
    assert web.get(f"/legal/submissions/{submission_id}?as_of=yesterday").status_code == 400


def test_an_invited_reviewer_cannot_enter_or_support_through_the_pages(web, cast, app):
    # Given an entry, and a reviewer invited to judge the challenge (issue 19, finding 5),
    challenge_id, terms = cast.open_challenge()
    entry = cast.submit(challenge_id, terms)
    app.invite_reviewer(cast.sponsor, challenge_id, cast.reviewer)
    web.login("reviewer")
    # when they send the entry form, then it comes back with the conflict as its error,
    r = _submit(web, challenge_id, terms)
    assert r.status_code == 409 and 'class="error"' in r.text
    assert "invited to review this challenge" in r.text
    # and supporting an entry shows the conflict in place (htmx) and counts nothing.
    r = web.post(
        f"/submissions/{entry}/support", {"action": "support"}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 200 and "invited to review this challenge" in r.text
    assert app.support_count(entry) == 0


def test_a_sponsor_cannot_invite_a_solver_of_the_challenge_to_review_it(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    cast.submit(challenge_id, terms)
    web.login("sponsor")
    r = web.post(f"/challenges/{challenge_id}/reviewers", {"email": "solver@example.org"})
    assert r.status_code == 409 and "cannot review it" in r.text
    assert cast.solver not in app.get_challenge(challenge_id).invited_reviewers
