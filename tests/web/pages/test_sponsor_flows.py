"""Sponsor, reviewer and admin flows on running challenges: members, questions,
announcements, deadlines, reviewer invitations, the dashboard with SVG charts,
shortlist, award, countersign and payment; conflicts; projection status and
moderation."""

from __future__ import annotations

from datetime import timedelta

from openinno.domain.values import Voting


def test_owner_adds_members_by_email_others_cannot(web, cast, app):
    web.login("sponsor")
    page = web.get(f"/organisations/{cast.organisation}")
    assert "Add a member" in page.text
    r = web.post(
        f"/organisations/{cast.organisation}/members",
        {"email": "reviewer@example.org", "role": "legal"},
    )
    assert r.status_code == 303
    assert "Reviewer" in web.get(r.headers["location"]).text
    assert app.get_organisation(cast.organisation).role_of(cast.reviewer) == "legal"
    r = web.post(
        f"/organisations/{cast.organisation}/members",
        {"email": "nobody@example.org", "role": "manager"},
    )
    assert r.status_code == 400 and 'id="e-email"' in r.text
    web.logout()
    web.login("reviewer")  # legal: sees the organisation, cannot add members
    assert "Add a member" not in web.get(f"/organisations/{cast.organisation}").text
    r = web.post(
        f"/organisations/{cast.organisation}/members",
        {"email": "other@example.org", "role": "manager"},
    )
    assert r.status_code == 403
    web.logout()
    web.login("other")
    r = web.post(
        f"/organisations/{cast.organisation}/members",
        {"email": "other@example.org", "role": "owner"},
    )
    assert r.status_code == 404


def test_questions_answered_and_hidden_by_moderator(web, cast, app):
    challenge_id, _ = cast.open_challenge()
    question = app.ask_question(cast.solver, challenge_id, "Can we use magnets?").id
    rude = app.ask_question(cast.other_solver, challenge_id, "Something rude").id
    web.login("solver")
    page = web.get(f"/challenges/{challenge_id}")
    assert "Publish the answer" not in page.text and "Hide this question" not in page.text
    r = web.post(f"/challenges/{challenge_id}/questions/{question}/answer", {"answer": "Yes."})
    assert r.status_code == 403
    web.logout()
    web.login("sponsor")
    r = web.post(
        f"/challenges/{challenge_id}/questions/{question}/answer",
        {"answer": "Yes, **small** ones."},
    )
    assert r.status_code == 303
    assert "<strong>small</strong>" in web.get(f"/challenges/{challenge_id}").text
    web.logout()
    admin = cast.account("admin")
    app.grant_admin_as_operator(admin)
    web.login("admin")
    page = web.get(f"/challenges/{challenge_id}")
    assert "Hide this question" in page.text and "Publish the answer" not in page.text
    r = web.post(f"/challenges/{challenge_id}/questions/{rude}/hide", {"reason": "off topic"})
    assert r.status_code == 303
    web.logout()
    page = web.get(f"/challenges/{challenge_id}")
    assert "Hidden by moderator: off topic" in page.text and "Something rude" not in page.text


def test_announcement_deadline_and_reviewer_invitation(web, cast, app):
    challenge_id, _ = cast.open_challenge()
    web.login("sponsor")
    dashboard = web.get(f"/challenges/{challenge_id}/manage")
    assert dashboard.status_code == 200 and "<svg" in dashboard.text
    assert dashboard.headers["cache-control"] == "no-store"
    r = web.post(f"/challenges/{challenge_id}/announcements", {"text": "Welcome, *all*."})
    assert r.status_code == 303
    assert "<em>all</em>" in web.get(f"/challenges/{challenge_id}").text
    r = web.post(f"/challenges/{challenge_id}/announcements", {"text": ""})
    assert r.status_code == 400 and 'class="error"' in r.text
    old = app.get_challenge(challenge_id).spec.closes_at
    new = (old + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    r = web.post(
        f"/challenges/{challenge_id}/deadline",
        {"closes_at": new, "review_ends_at": "", "text": "One more week."},
    )
    assert r.status_code == 303, r.text
    assert app.get_challenge(challenge_id).spec.closes_at == old + timedelta(days=7)
    r = web.post(
        f"/challenges/{challenge_id}/deadline",
        {"closes_at": "2020-01-01T00:00", "text": "Shorter?"},
    )
    assert r.status_code == 400 and 'id="e-closes_at"' in r.text
    r = web.post(f"/challenges/{challenge_id}/reviewers", {"email": "reviewer@example.org"})
    assert r.status_code == 303
    assert cast.reviewer in app.get_challenge(challenge_id).invited_reviewers
    r = web.post(f"/challenges/{challenge_id}/reviewers", {"email": "ghost@example.org"})
    assert r.status_code == 400 and 'id="e-email"' in r.text
    web.logout()
    web.login("solver")
    assert web.get(f"/challenges/{challenge_id}/manage").status_code == 404
    r = web.post(f"/challenges/{challenge_id}/announcements", {"text": "Hi"})
    assert r.status_code == 404


def test_the_whole_award_round(web, cast, app):
    challenge_id, terms = cast.open_challenge(visibility="private", voting=Voting("none"))
    first = cast.submit(challenge_id, terms)
    second = cast.submit(challenge_id, terms, solver=cast.other_solver, title="Lever lab")
    app.invite_reviewer(cast.sponsor, challenge_id, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge_id)
    web.clock.advance(timedelta(days=30))
    app.record_review(cast.reviewer, first, {"originality": 9, "feasibility": 8, "fun": 9})
    web.login("reviewer")
    r = web.post(f"/reviews/{second}/conflict", {"reason": ""})
    assert r.status_code == 400 and 'id="e-reason"' in r.text
    r = web.post(f"/reviews/{second}/conflict", {"reason": "I know the author"})
    assert r.status_code == 303
    assert "Conflict declared" in web.get("/reviews").text
    web.logout()
    web.login("sponsor")
    dashboard = web.get(f"/challenges/{challenge_id}/manage")
    assert "Entrant 1" in dashboard.text and dashboard.text.count("<svg") == 3
    # names cannot be revealed before the awards, so it is not offered
    assert f'action="/challenges/{challenge_id}/reveal"' not in dashboard.text
    assert "until the prizes are awarded" in dashboard.text
    r = web.post(f"/challenges/{challenge_id}/shortlist", {"submission_ids": [str(first)]})
    assert r.status_code == 303
    assert app.get_submission(cast.sponsor, first).shortlisted
    # Awards come once review is over: the sponsor closes it early, announced.
    r = web.post(f"/challenges/{challenge_id}/review/close", {"text": ""})
    assert r.status_code == 400
    r = web.post(f"/challenges/{challenge_id}/review/close", {"text": "The jury is done."})
    assert r.status_code == 303
    r = web.post(
        f"/challenges/{challenge_id}/award", {"place_1": str(first), "place_2": str(first)}
    )
    assert r.status_code == 400
    r = web.post(f"/challenges/{challenge_id}/award", {"place_1": str(first), "place_2": ""})
    assert r.status_code == 303, r.text
    agreement_id = app.get_challenge(challenge_id).awards[0].agreement_id
    web.fed()
    dashboard = web.get(f"/challenges/{challenge_id}/manage").text
    assert f'action="/challenges/{challenge_id}/reveal"' in dashboard
    agreement = app.get_agreement(cast.sponsor, agreement_id)
    page = web.get(f"/agreements/{agreement_id}")
    assert "Countersign" not in page.text.split("<h2>")[-1]  # the solver signs first
    web.logout()
    app.sign_agreement(cast.solver, agreement_id, "Sol Ver", "I agree", agreement.text_sha256)
    web.login("sponsor")
    r = web.post(
        f"/agreements/{agreement_id}/countersign",
        {"typed_name": "Spon Sor", "intent": "yes", "text_sha256": agreement.text_sha256},
    )
    assert r.status_code == 303
    r = web.post(f"/agreements/{agreement_id}/payment", {"reference": ""})
    assert r.status_code == 400 and 'id="e-reference"' in r.text
    r = web.post(f"/agreements/{agreement_id}/payment", {"reference": "TRX-2026-001"})
    assert r.status_code == 303
    assert app.get_agreement(cast.sponsor, agreement_id).state == "transferred"
    assert "rights transferred" in web.get(f"/agreements/{agreement_id}").text
    chain = web.get(f"/legal/submissions/{first}")
    assert "ownership_transferred" in chain.text or "OwnershipTransferred" in chain.text


def test_admin_sees_projection_status_others_do_not(web, cast, app):
    admin = cast.account("admin")
    app.grant_admin_as_operator(admin)
    web.login("sponsor")
    assert "/admin" not in web.get("/").text
    assert web.get("/admin").status_code == 404
    web.logout()
    web.login("admin")
    page = web.get("/admin")
    assert page.status_code == 200 and "participants" in page.text
    assert "Account.Registered" in page.text or "Registered" in page.text
    assert 'href="/admin"' in page.text


def test_every_form_carries_a_csrf_token(web, cast):
    """Macros imported into templates see the page's context: no form posts an empty
    token (a real browser sends what the page holds, not what a test adds)."""
    challenge_id, _ = cast.open_challenge()
    paths = ["/signup", "/login"]
    web.login("sponsor")
    paths += [
        "/organisations",
        f"/organisations/{cast.organisation}",
        f"/challenges/{challenge_id}",
        f"/challenges/{challenge_id}/manage",
        f"/challenges/{challenge_id}/submit",
    ]
    for path in paths:
        page = web.get(path)
        assert page.status_code == 200, path
        assert 'name="_csrf_token" value=""' not in page.text, path
