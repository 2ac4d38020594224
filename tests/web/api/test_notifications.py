"""GET /api/v1/notifications and POST /api/v1/notifications/read: own only, newest
first, keyset-paged, in the account's language; marking read is idempotent."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from tests.web.api.conftest import Cast, assert_problem

pytestmark = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


def invite(cast: Cast, challenge: str) -> None:
    r = cast.client.post(
        f"/api/v1/challenges/{challenge}/reviewers",
        json={"account_id": cast.reviewer.id},
        headers=cast.sponsor.auth,
    )
    assert r.status_code in (200, 201), r.text


def listed(cast: Cast, **params: Any) -> dict[str, Any]:
    r = cast.client.get("/api/v1/notifications", params=params, headers=cast.reviewer.auth)
    assert r.status_code == 200, r.text
    return r.json()


def test_own_newest_first_paged_marked_read(cast: Cast, read_side):
    challenges = [cast.open_challenge(title=f"Round {i}")[0] for i in range(3)]
    for challenge in challenges:
        invite(cast, challenge)
    read_side.catch_up()

    first = listed(cast, limit=2)
    assert first["unread"] == 3
    assert [i["kind"] for i in first["items"]] == ["reviewer_invited"] * 2
    assert first["items"][0]["text"] == ("You are invited to review the entries of “Round 2”.")
    assert first["items"][0]["link"] == "/reviews"
    assert first["items"][0]["read"] is False
    assert first["items"][0]["position"] > first["items"][1]["position"]
    rest = listed(cast, limit=2, cursor=first["next_cursor"])
    assert [i["text"][-10:] for i in rest["items"]] == ["“Round 0”."] and rest[
        "next_cursor"
    ] is None

    # others see none of them
    theirs = cast.client.get("/api/v1/notifications", headers=cast.solver.auth).json()
    assert theirs["items"] == [] and theirs["unread"] == 0

    newest = first["items"][0]["id"]
    for _ in range(2):  # idempotent
        r = cast.client.post(
            "/api/v1/notifications/read", json={"ids": [newest]}, headers=cast.reviewer.auth
        )
        assert r.status_code == 200 and r.json() == {"unread": 2}
    # someone else marking the reviewer's id marks nothing of the reviewer's
    cast.client.post("/api/v1/notifications/read", json={"ids": [newest]}, headers=cast.solver.auth)
    assert listed(cast)["unread"] == 2
    r = cast.client.post(
        "/api/v1/notifications/read",
        json={"up_to": rest["items"][0]["position"]},
        headers=cast.reviewer.auth,
    )
    assert r.json() == {"unread": 1}
    assert [i["read"] for i in listed(cast)["items"]] == [True, False, True]


def test_text_in_the_accounts_language(cast: Cast, read_side, app):
    app.update_profile(UUID(cast.reviewer.id), "Reviewer", "pl", "Europe/Warsaw")
    challenge, _ = cast.open_challenge(title="Klocki")
    invite(cast, challenge)
    read_side.catch_up()
    assert listed(cast)["items"][0]["text"] == "Zaproszono Cię do oceny zgłoszeń w „Klocki”."


def test_bad_bodies_are_problems(cast: Cast):
    for body in ({}, {"ids": ["1.awarded"], "up_to": 3}, {"ids": ["nope"]}, {"up_to": -1}):
        r = cast.client.post("/api/v1/notifications/read", json=body, headers=cast.reviewer.auth)
        assert_problem(r, 422, r.json()["code"])
    assert_problem(
        cast.client.get(
            "/api/v1/notifications", params={"cursor": "xyz"}, headers=cast.reviewer.auth
        ),
        422,
        "invalid_input",
        "cursor",
    )
