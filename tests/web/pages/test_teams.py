"""Team pages (issue 21): the lead forms a team and invites; each invitee answers on
the team's page for themselves (joining only with the terms box ticked); members
leave; the page is nobody else's."""

from __future__ import annotations

from tests.web.pages.conftest import uuid_in

PDF = b"%PDF-1.4\n% a small but real-looking pdf\n"


def test_the_lead_forms_a_team_and_an_invitee_joins_with_the_terms(web, cast, app):
    challenge_id, _terms = cast.open_challenge()
    web.login("solver")
    assert web.get(f"/challenges/{challenge_id}/teams/new").status_code == 200
    r = web.post(
        f"/challenges/{challenge_id}/teams",
        {"name": "Lever lab", "invitees": "other@example.org\nnobody-yet@example.org"},
    )
    assert r.status_code == 303, r.text
    team_id = uuid_in(r.headers["location"], "/teams/")
    page = web.get(r.headers["location"])
    assert "Lever lab" in page.text and "nobody-yet@example.org" in page.text
    web.logout()
    # The invitee sees the invitation; without ticking the terms they do not join.
    web.login("other")
    page = web.get(f"/teams/{team_id}")
    assert page.status_code == 200 and "Join the team" in page.text
    # (an invitee does not see who else is invited)
    assert "nobody-yet@example.org" not in page.text
    refused = web.post(f"/teams/{team_id}/accept", {"accepted_terms_sha256": "0" * 64})
    assert refused.status_code == 400
    assert cast.other_solver not in app.get_team(cast.solver, team_id).member_ids
    terms = app.get_challenge(challenge_id).terms_sha256
    joined = web.post(f"/teams/{team_id}/accept", {"accept": "yes", "accepted_terms_sha256": terms})
    assert joined.status_code == 303
    assert cast.other_solver in app.get_team(cast.solver, team_id).member_ids
    assert "You are on the team." in web.get(joined.headers["location"]).text
    # and may leave again before the deadline.
    left = web.post(f"/teams/{team_id}/leave")
    assert left.status_code == 303
    assert web.get(f"/teams/{team_id}").status_code == 404


def test_a_declined_invitation_and_a_strangers_visit(web, cast, app):
    challenge_id, _terms = cast.open_challenge()
    team_id = app.form_team(cast.solver, challenge_id, "Lever lab", [str(cast.other_solver)]).id
    web.login("public")
    assert web.get(f"/teams/{team_id}").status_code == 404
    web.logout()
    web.login("other")
    assert web.post(f"/teams/{team_id}/decline").status_code == 303
    assert web.get(f"/teams/{team_id}").status_code == 404
    assert app.get_team(cast.solver, team_id).invited_ids == []


def test_inviting_by_address_shows_the_same_whether_it_has_an_account(web, cast, app):
    challenge_id, _terms = cast.open_challenge()
    team_id = app.form_team(cast.solver, challenge_id, "Lever lab").id
    web.login("solver")
    answers = [
        web.post(f"/teams/{team_id}/invitations", {"invitees": address})
        for address in ("reviewer@example.org", "no-such-person@example.org")
    ]
    assert [a.status_code for a in answers] == [303, 303]
    assert len({a.headers["location"] for a in answers}) == 1
    bad = web.post(f"/teams/{team_id}/invitations", {"invitees": "not-an-address"})
    assert bad.status_code == 400 and "neither an e-mail address nor an account id" in bad.text


def test_the_team_enters_together_from_the_submit_page_and_the_receipt_names_them(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    team_id = app.form_team(cast.solver, challenge_id, "Lever lab", [str(cast.other_solver)]).id
    app.accept_team_invitation(cast.other_solver, team_id, terms)
    web.login("solver")
    form = web.get(f"/challenges/{challenge_id}/submit")
    assert f'name="team_id" value="{team_id}"' in form.text
    r = web.client.post(
        f"/challenges/{challenge_id}/submit",
        data={
            "title": "Levers together",
            "summary": "Two of us.",
            "accept": "yes",
            "accepted_terms_sha256": terms,
            "team_id": str(team_id),
            "_csrf_token": web.token(),
        },
        files=[("files", ("plan.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    entry = uuid_in(r.headers["location"], "/submissions/")
    assert app.get_submission(cast.solver, entry).author_ids == (cast.solver, cast.other_solver)
    receipt = web.get(r.headers["location"])
    assert "Authors of this version" in receipt.text and "Solver, Other" in receipt.text
    # Unticked, the same form enters alone.
    r = web.client.post(
        f"/challenges/{challenge_id}/submit",
        data={
            "title": "Levers alone",
            "summary": "Just me.",
            "accept": "yes",
            "accepted_terms_sha256": terms,
            "_csrf_token": web.token(),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    alone = uuid_in(r.headers["location"], "/submissions/")
    assert app.get_submission(cast.solver, alone).author_ids == (cast.solver,)


def test_my_teams_and_invitations_and_the_lead_cancels_one(web, cast, app):
    challenge_id, _terms = cast.open_challenge()
    team_id = app.form_team(
        cast.solver, challenge_id, "Lever lab", [str(cast.other_solver), "public@example.org"]
    ).id
    # The invitee finds the invitation in their own area,
    web.login("other")
    mine = web.get("/submissions/mine")
    assert "My teams and invitations" in mine.text and f"/teams/{team_id}" in mine.text
    assert "Invited: answer on the team's page" in mine.text
    web.logout()
    # the lead their team, and cancels the invitation by address from the team's page.
    web.login("solver")
    assert "You lead this team" in web.get("/submissions/mine").text
    page = web.get(f"/teams/{team_id}")
    assert page.text.count("Cancel invitation") == 2
    r = web.post(f"/teams/{team_id}/invitations/cancel", {"invitee": "public@example.org"})
    assert r.status_code == 303
    assert "Invitation cancelled." in web.get(r.headers["location"]).text
    assert app.get_team(cast.solver, team_id).invited_emails == []
    # Cancelling one that is not open: the reason on the team's page, nothing recorded.
    again = web.post(f"/teams/{team_id}/invitations/cancel", {"invitee": "public@example.org"})
    assert again.status_code == 409 and "no such open invitation" in again.text
    web.logout()
    web.login("public")
    assert f"/teams/{team_id}" not in web.get("/submissions/mine").text
    assert web.get(f"/teams/{team_id}").status_code == 404


def test_the_chain_of_title_page_lists_each_author_with_their_acceptance(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    team_id = app.form_team(cast.solver, challenge_id, "Lever lab", [str(cast.other_solver)]).id
    app.accept_team_invitation(cast.other_solver, team_id, terms)
    entry = app.submit(cast.solver, challenge_id, "Levers", "Together.", terms, team_id=team_id).id
    web.login("other")
    page = web.get(f"/legal/submissions/{entry}")
    assert page.status_code == 200 and "Authors of this version" in page.text
    section = page.text.split("Authors of this version", 1)[1].split("</ul>", 1)[0]
    assert str(cast.solver) in section and str(cast.other_solver) in section
    assert section.count("accepted the terms") == 2
