"""Re-award on the sponsor's dashboard (issue 24, decision 0030): refused with its
reason in place while the winner stands; once an admin's disqualification of the
winner stands, the place goes to another entry with a new agreement."""

from __future__ import annotations

from datetime import timedelta


def test_the_sponsor_re_awards_a_place_from_the_dashboard(web, cast, app):
    admin = cast.account("admin")
    app.grant_admin_as_operator(admin)
    challenge_id, terms = cast.open_challenge()
    winner = cast.submit(challenge_id, terms, title="Pendulum park")
    other = cast.submit(challenge_id, terms, solver=cast.other_solver, title="Lever lab")
    cast.clock.advance(timedelta(days=45))
    old = cast.award_unreviewed(challenge_id, [(winner, 1)]).agreement_ids[0]
    web.login("sponsor")
    dashboard = web.get(f"/challenges/{challenge_id}/manage").text
    assert f'action="/challenges/{challenge_id}/reaward"' in dashboard
    form = {"place_1": str(other), "reason": "The winner was disqualified."}
    refused = web.post(f"/challenges/{challenge_id}/reaward", form)
    assert refused.status_code == 409 and "winner stands" in refused.text

    app.disqualify_submission(admin, winner, "Plagiarised.")
    cast.clock.advance(timedelta(days=8))
    r = web.post(f"/challenges/{challenge_id}/reaward", form)
    assert r.status_code == 303
    assert app.get_agreement(cast.sponsor, old).rescind_reason == "The winner was disqualified."
    challenge = app.get_challenge(challenge_id, cast.sponsor)
    assert [(a.place, a.submission_id) for a in challenge.awards] == [(1, other)]
    assert f"/agreements/{challenge.awards[0].agreement_id}" in web.get(r.headers["location"]).text
