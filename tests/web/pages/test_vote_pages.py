"""Votes on the sponsor's pages (issue 24): the entry's flagged votes with their
signals, voided with one reason from the list; the threshold those votes alone
carried is withdrawn and announced on the challenge's page."""

from __future__ import annotations

from openinno.domain import ids


def test_the_sponsor_voids_flagged_votes_and_the_challenge_announces_the_withdrawal(web, cast, app):
    challenge_id, terms = cast.open_challenge()  # threshold 3
    entry = cast.submit(challenge_id, terms)
    bots = [cast.account(f"bot{i}") for i in range(3)]
    for bot in bots:
        app.support(bot, entry, address="203.0.113.5", user_agent="bot/1")
    web.login("sponsor")
    assert f"/submissions/{entry}/votes" in web.get(f"/challenges/{challenge_id}/entries").text
    page = web.get(f"/submissions/{entry}/votes")
    assert page.status_code == 200
    assert "Many votes from one address" in page.text and "203.0.113.0/24" in page.text
    assert "203.0.113.5" not in page.text  # the network, never the address

    chosen = [str(ids.vote_id(entry, b)) for b in bots]
    r = web.post(f"/submissions/{entry}/votes/void", {"vote_id": chosen, "reason": ""})
    assert r.status_code == 400 and 'id="e-reason"' in r.text
    assert app.support_count(entry) == 3

    r = web.post(f"/submissions/{entry}/votes/void", {"vote_id": chosen, "reason": "Bots."})
    assert r.status_code == 303
    assert "The votes are voided" in web.get(r.headers["location"]).text
    assert app.support_count(entry) == 0
    challenge = web.get(f"/challenges/{challenge_id}").text
    assert "Support threshold withdrawn" in challenge
    assert "no longer reaches the support threshold of 3" in challenge

    web.logout()
    web.login("solver")  # anyone else: no such page
    assert web.get(f"/submissions/{entry}/votes").status_code == 404
    web.logout()
    # a voided voter gets no button back; someone else still does
    web.login("bot0")
    assert "Support this entry" not in web.get(f"/challenges/{challenge_id}/gallery").text
    web.logout()
    web.login("public")
    assert "Support this entry" in web.get(f"/challenges/{challenge_id}/gallery").text
