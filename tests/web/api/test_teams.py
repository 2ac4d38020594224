"""The teams API (issue 21): the stable contract's paths, consent at every step,
and a team seen by its members and invitees only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.api.conftest import Cast, assert_problem, sign_up

V1 = "/api/v1"


def form(cast: Cast, challenge_id: str, *invitees: str, name: str = "Lever lab") -> str:
    r = cast.client.post(
        f"{V1}/challenges/{challenge_id}/teams",
        json={"name": name, "invitees": list(invitees)},
        headers=cast.solver.auth,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_the_lead_forms_invites_and_the_invitee_accepts_then_they_enter_together(cast: Cast):
    c = cast.client
    challenge_id, terms = cast.open_challenge()
    team_id = form(cast, challenge_id, "other@example.org")
    # The invitee (by the address of their account) sees the team, but not who else is
    # invited; it waits for their answer.
    seen = c.get(f"{V1}/teams/{team_id}", headers=cast.other.auth)
    assert seen.status_code == 200, seen.text
    assert seen.json()["invited"] is True
    assert seen.json()["invitations"] is None
    assert [m["account_id"] for m in seen.json()["members"]] == [cast.solver.id]
    # A wrong terms hash is refused; the published one puts them on the team.
    wrong = c.post(
        f"{V1}/teams/{team_id}/accept",
        json={"accepted_terms_sha256": "0" * 64},
        headers=cast.other.auth,
    )
    assert_problem(wrong, 409, "terms_mismatch", "accepted_terms_sha256")
    accepted = c.post(
        f"{V1}/teams/{team_id}/accept",
        json={"accepted_terms_sha256": terms},
        headers=cast.other.auth,
    )
    assert accepted.status_code == 200, accepted.text
    # The lead enters for the team: both are authors, and the receipt says who was on it.
    entry = cast.submit(challenge_id, terms, team_id=team_id)
    view = c.get(f"{V1}/submissions/{entry}", headers=cast.other.auth).json()
    assert view["author_ids"] == [cast.solver.id, cast.other.id]
    assert view["receipts"][0]["author_ids"] == [cast.solver.id, cast.other.id]
    assert view["team_id"] == team_id
    team = c.get(f"{V1}/teams/{team_id}", headers=cast.solver.auth).json()
    assert team["entry_ids"] == [entry]
    assert [m["lead"] for m in team["members"]] == [True, False]
    assert all(m["accepted_terms_at"] for m in team["members"])


def test_inviting_an_address_answers_the_same_whether_it_has_an_account(cast: Cast):
    c = cast.client
    challenge_id, _terms = cast.open_challenge()
    team_id = form(cast, challenge_id)
    answers = [
        c.post(
            f"{V1}/teams/{team_id}/invitations",
            json={"invitees": [address]},
            headers=cast.solver.auth,
        )
        for address in ("reviewer@example.org", "no-such-person@example.org")
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert [sorted(a.json()) for a in answers] == [["id", "position"], ["id", "position"]]
    assert {a.json()["id"] for a in answers} == {team_id}
    invitations = c.get(f"{V1}/teams/{team_id}", headers=cast.solver.auth).json()["invitations"]
    assert invitations == [
        {"email": "reviewer@example.org"},
        {"email": "no-such-person@example.org"},
    ]


def test_a_team_is_not_found_by_anyone_but_its_members_and_invitees(cast: Cast):
    c = cast.client
    challenge_id, terms = cast.open_challenge()
    team_id = form(cast, challenge_id, cast.other.id)
    for path, body in (
        ("", None),
        ("/invitations", {"invitees": ["x@example.org"]}),
        ("/accept", {"accepted_terms_sha256": terms}),
        ("/decline", None),
        ("/leave", None),
    ):
        method = c.get if path == "" else c.post
        kwargs = {"json": body} if body is not None else {}
        r = method(f"{V1}/teams/{team_id}{path}", headers=cast.reviewer.auth, **kwargs)
        assert_problem(r, 404, "not_found")
    # The sponsor neither: blind review holds for teams.
    assert_problem(c.get(f"{V1}/teams/{team_id}", headers=cast.sponsor.auth), 404, "not_found")


def test_a_declined_invitee_keeps_their_quota_and_loses_sight_of_the_team(cast: Cast):
    c = cast.client
    challenge_id, terms = cast.open_challenge(max_submissions_per_solver=1)
    team_id = form(cast, challenge_id, cast.other.id)
    cast.submit(challenge_id, terms, team_id=team_id)
    declined = c.post(f"{V1}/teams/{team_id}/decline", headers=cast.other.auth)
    assert declined.status_code == 200, declined.text
    assert_problem(c.get(f"{V1}/teams/{team_id}", headers=cast.other.auth), 404, "not_found")
    # Their one entry is still theirs to use.
    cast.submit(challenge_id, terms, who=cast.other, title="Solo lab")


def test_a_member_leaves_before_the_deadline_and_is_no_author_of_later_versions(cast: Cast):
    c = cast.client
    challenge_id, terms = cast.open_challenge()
    team_id = form(cast, challenge_id, cast.other.id)
    c.post(
        f"{V1}/teams/{team_id}/accept",
        json={"accepted_terms_sha256": terms},
        headers=cast.other.auth,
    )
    entry = cast.submit(challenge_id, terms, team_id=team_id)
    left = c.post(f"{V1}/teams/{team_id}/leave", headers=cast.other.auth)
    assert left.status_code == 200, left.text
    revised = c.post(
        f"{V1}/submissions/{entry}/revisions",
        json={"title": "Levers v2", "summary": "Without them."},
        headers=cast.solver.auth,
    )
    assert revised.status_code == 201, revised.text
    receipts = c.get(f"{V1}/submissions/{entry}", headers=cast.other.auth).json()["receipts"]
    assert [r["author_ids"] for r in receipts] == [
        [cast.solver.id, cast.other.id],
        [cast.solver.id],
    ]
    # After the deadline nobody leaves.
    cast.clock.advance(timedelta(days=30))
    assert_problem(
        c.post(f"{V1}/teams/{team_id}/leave", headers=cast.solver.auth), 409, "window_closed"
    )


def test_the_lead_removes_a_member_and_hands_over(cast: Cast):
    c = cast.client
    challenge_id, terms = cast.open_challenge()
    third = sign_up(c, "third")
    team_id = form(cast, challenge_id, cast.other.id, third.id)
    for who in (cast.other, third):
        c.post(
            f"{V1}/teams/{team_id}/accept",
            json={"accepted_terms_sha256": terms},
            headers=who.auth,
        )
    not_lead = c.delete(f"{V1}/teams/{team_id}/members/{third.id}", headers=cast.other.auth)
    assert_problem(not_lead, 409, "invalid_state")
    removed = c.delete(f"{V1}/teams/{team_id}/members/{third.id}", headers=cast.solver.auth)
    assert removed.status_code == 200, removed.text
    handed = c.post(
        f"{V1}/teams/{team_id}/lead", json={"account_id": cast.other.id}, headers=cast.solver.auth
    )
    assert handed.status_code == 200, handed.text
    assert (
        c.get(f"{V1}/teams/{team_id}", headers=cast.other.auth).json()["lead_id"] == cast.other.id
    )


@pytest.mark.parametrize(
    "invitees", [["not an address"], ["x@example.org"] * 51], ids=["garbage", "too-many"]
)
def test_invitees_are_addresses_or_ids_and_bounded(cast: Cast, invitees: list[str]):
    challenge_id, _terms = cast.open_challenge()
    r = cast.client.post(
        f"{V1}/challenges/{challenge_id}/teams",
        json={"name": "Lever lab", "invitees": invitees},
        headers=cast.solver.auth,
    )
    assert r.status_code in (400, 422), r.text


def test_entering_for_a_team_one_is_not_on_is_refused(cast: Cast):
    challenge_id, terms = cast.open_challenge()
    team_id = form(cast, challenge_id, cast.other.id)
    r = cast.client.post(
        f"{V1}/challenges/{challenge_id}/submissions",
        json={
            "title": "Levers",
            "summary": "Theirs.",
            "accepted_terms_sha256": terms,
            "team_id": team_id,
        },
        headers=cast.other.auth,
    )
    assert_problem(r, 422, "invalid_input", "team_id")


def test_my_teams_and_invitations_and_the_lead_cancels_one(cast: Cast, read_side):
    c = cast.client
    challenge_id, _terms = cast.open_challenge()
    team_id = form(cast, challenge_id, "other@example.org", "nobody@example.org")
    read_side.catch_up()
    mine = c.get(f"{V1}/teams", headers=cast.other.auth)
    assert mine.status_code == 200, mine.text
    (item,) = mine.json()["items"]
    assert (item["team_id"], item["state"], item["lead"]) == (team_id, "invited", False)
    assert mine.json()["next_cursor"] is None
    lead = c.get(f"{V1}/teams", headers=cast.solver.auth).json()["items"]
    assert [(i["team_id"], i["state"], i["lead"]) for i in lead] == [(team_id, "member", True)]
    # Only the lead cancels; an address never invited is a 409, with nothing recorded.
    path = f"{V1}/teams/{team_id}/invitations/other@example.org"
    assert_problem(c.delete(path, headers=cast.other.auth), 409, "invalid_state")
    never = f"{V1}/teams/{team_id}/invitations/else@example.org"
    assert_problem(c.delete(never, headers=cast.solver.auth), 409, "invalid_state")
    assert c.delete(path, headers=cast.solver.auth).status_code == 200
    read_side.catch_up()
    assert c.get(f"{V1}/teams", headers=cast.other.auth).json()["items"] == []
    assert c.get(f"{V1}/teams/{team_id}", headers=cast.other.auth).status_code == 404
    # A broken cursor is a 422.
    bad = c.get(f"{V1}/teams", params={"cursor": "nonsense"}, headers=cast.other.auth)
    assert_problem(bad, 422, "invalid_input", "cursor")


def test_the_chain_of_title_lists_each_author_with_their_acceptance(cast: Cast, read_side):
    c = cast.client
    challenge_id, terms = cast.open_challenge()
    team_id = form(cast, challenge_id, "other@example.org")
    accepted = c.post(
        f"{V1}/teams/{team_id}/accept",
        json={"accepted_terms_sha256": terms},
        headers=cast.other.auth,
    )
    assert accepted.status_code == 200
    cast.clock.advance(timedelta(hours=2))
    entry = cast.submit(challenge_id, terms, team_id=team_id)
    read_side.catch_up()
    chain = c.get(f"{V1}/submissions/{entry}/chain-of-title", headers=cast.other.auth)
    assert chain.status_code == 200, chain.text
    first = chain.json()["items"][0]
    assert first["step"] == "submitted"
    authors = {a["account_id"]: a["accepted_terms_at"] for a in first["authors"]}
    assert list(authors) == [cast.solver.id, cast.other.id]
    # The member accepted with the team, two hours before the lead submitted.
    assert authors[cast.other.id] < authors[cast.solver.id] == first["at"]
