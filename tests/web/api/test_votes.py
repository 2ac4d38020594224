"""Votes one per person over HTTP (issue 24): a vote keeps the request's address
and user agent; the sponsor reads an entry's flagged votes and voids them, one or
several at once; refusals are problem+json."""

from __future__ import annotations

from typing import Any

from openinno.application import OpenInno
from tests.web.api.conftest import PASSWORD, Cast, assert_problem, bearer, from_address

AGENT = {"User-Agent": "flooder/1.0"}


def voter(app: OpenInno, name: str) -> dict[str, str]:
    app.register_account(f"{name}@example.org", PASSWORD, name.title())
    token, _ = app.issue_token(f"{name}@example.org", PASSWORD)
    return bearer(token)


def test_flagged_votes_are_listed_and_voided_over_http(app: OpenInno, cast: Cast, read_side: Any):
    c = cast.client
    challenge_id, terms = cast.open_challenge()
    entry = cast.submit(challenge_id, terms)
    with from_address(c, "203.0.113.5"):
        for i in range(3):
            r = c.put(f"/api/v1/submissions/{entry}/vote", headers={**voter(app, f"v{i}"), **AGENT})
            assert r.status_code == 200, r.text
    read_side.catch_up()
    flags = f"/api/v1/submissions/{entry}/votes/flags"
    # a solver sees no votes of an entry (403, problem+json)
    assert_problem(c.get(flags, headers=cast.solver.auth), 403, "access_denied")
    seen = c.get(flags, headers=cast.sponsor.auth)
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert (body["votes"], body["counting"], body["voided"]) == (3, 3, 0)
    assert body["signals"]["same_address"] == 3 and body["signals"]["same_network"] == 0
    first, *rest = body["flagged"]
    # a page at a time, oldest first
    one = c.get(flags, params={"limit": 2}, headers=cast.sponsor.auth).json()
    assert [v["vote_id"] for v in one["flagged"]] == [first["vote_id"], rest[0]["vote_id"]]
    two = c.get(
        flags, params={"limit": 2, "cursor": one["next_cursor"]}, headers=cast.sponsor.auth
    ).json()
    assert [v["vote_id"] for v in two["flagged"]] == [rest[1]["vote_id"]]
    assert two["next_cursor"] is None and body["next_cursor"] is None
    assert first["network"] == "203.0.113.0/24" and first["user_agent"] == "flooder/1.0"
    assert "address" not in first  # the network is shown, never the address

    # one vote voided, then the rest at once
    r = c.post(
        f"/api/v1/votes/{first['vote_id']}/void",
        json={"reason": "One address."},
        headers=cast.sponsor.auth,
    )
    assert r.status_code == 200, r.text
    # the threshold (3) was reached only with it: withdrawn
    assert (r.json()["support_count"], r.json()["threshold_withdrawn"]) == (2, True)
    again = c.post(
        f"/api/v1/votes/{first['vote_id']}/void",
        json={"reason": "Twice."},
        headers=cast.sponsor.auth,
    )
    assert_problem(again, 409, "invalid_state")
    r = c.post(
        f"/api/v1/submissions/{entry}/votes/void",
        json={"vote_ids": [v["vote_id"] for v in rest], "reason": "One address."},
        headers=cast.sponsor.auth,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["support_count"], r.json()["voided"]) == (0, 2)
    assert r.json()["threshold_withdrawn"] is False  # once only
    # to anyone else a vote is not found
    other = c.post(
        f"/api/v1/votes/{first['vote_id']}/void",
        json={"reason": "Mine."},
        headers=cast.other.auth,
    )
    assert_problem(other, 404, "not_found")
    read_side.catch_up()
    after = c.get(flags, headers=cast.sponsor.auth).json()
    assert (after["counting"], after["voided"]) == (0, 3)
    assert {v["void_reason"] for v in after["flagged"]} == {"One address."}
