"""Contract tests: organisations, challenges, questions, deadlines, reviewers."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from uuid import UUID

import pytest

from tests.web.api.conftest import assert_problem, challenge_body, sign_up


def test_members_are_added_by_owners_only(cast):
    c = cast.client
    legal = sign_up(c, "legal")
    url = f"/api/v1/organisations/{cast.organisation}/members"
    added = c.post(url, json={"account_id": legal.id, "role": "legal"}, headers=cast.sponsor.auth)
    assert added.status_code == 201
    assert added.json() == {"id": cast.organisation, "position": added.json()["position"]}
    assert_problem(
        c.post(url, json={"account_id": cast.solver.id, "role": "manager"}, headers=legal.auth),
        403,
        "access_denied",
    )
    assert_problem(
        c.post(url, json={"account_id": cast.solver.id, "role": "boss"}, headers=cast.sponsor.auth),
        422,
        "invalid_body",
        "role",
    )
    assert_problem(
        c.post(
            url,
            json={"account_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "role": "legal"},
            headers=cast.sponsor.auth,
        ),
        422,
        "invalid_input",
        "account_id",
    )
    assert_problem(
        c.post(
            "/api/v1/organisations/3fa85f64-5717-4562-b3fc-2c963f66afa6/members",
            json={"account_id": legal.id, "role": "legal"},
            headers=cast.sponsor.auth,
        ),
        404,
        "not_found",
    )
    assert_problem(
        c.post("/api/v1/organisations", json={"name": "X"}), 401, "authentication_required"
    )
    assert_problem(
        c.post("/api/v1/organisations", json={"name": "X"}, headers=legal.auth),
        422,
        "invalid_input",
        "name",
    )


def test_a_draft_is_visible_to_its_organisation_only_then_published_with_its_terms_hash(app, cast):
    c = cast.client
    challenge_id = cast.draft()
    url = f"/api/v1/challenges/{challenge_id}"
    seen = c.get(url, headers=cast.sponsor.auth)
    assert seen.status_code == 200
    body = seen.json()
    assert body["status"] == "draft" and body["terms_sha256"] is None
    assert body["prizes"][0] == {"place": 1, "amount": "5000.00", "currency": "EUR"}
    assert_problem(c.get(url), 404, "not_found")
    assert_problem(c.get(url, headers=cast.solver.auth), 404, "not_found")

    published = c.post(f"{url}/publish", headers=cast.sponsor.auth)
    assert published.status_code == 200
    terms = published.json()["terms_sha256"]
    public = c.get(url).json()
    assert public["status"] == "published" and public["terms_sha256"] == terms
    challenge = app.get_challenge(UUID(challenge_id))
    assert hashlib.sha256(app.terms_document(challenge)).hexdigest() == terms
    assert_problem(c.post(f"{url}/publish", headers=cast.sponsor.auth), 409, "invalid_state")


def test_patch_changes_only_the_fields_sent_while_draft(cast):
    c = cast.client
    challenge_id = cast.draft()
    url = f"/api/v1/challenges/{challenge_id}"
    patched = c.patch(url, json={"title": "Bricks that teach optics"}, headers=cast.sponsor.auth)
    assert patched.status_code == 200, patched.text
    body = c.get(url, headers=cast.sponsor.auth).json()
    assert body["title"] == "Bricks that teach optics"
    assert body["brief"].startswith("Propose a building set")
    assert_problem(
        c.patch(url, json={"criteria": [{"name": "fun", "weight": 50}]}, headers=cast.sponsor.auth),
        422,
        "invalid_input",
        "criteria",
    )
    assert_problem(
        c.patch(url, json={"titel": "typo"}, headers=cast.sponsor.auth),
        422,
        "invalid_body",
        "titel",
    )
    assert_problem(c.patch(url, json={"title": "Nope"}, headers=cast.solver.auth), 404, "not_found")
    c.post(f"{url}/publish", headers=cast.sponsor.auth)
    assert_problem(
        c.patch(url, json={"title": "Too late"}, headers=cast.sponsor.auth), 409, "invalid_state"
    )


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        ({"title": "ab"}, 422, "invalid_input", "title"),
        ({"brief": " "}, 422, "invalid_input", "brief"),
        ({"prizes": []}, 422, "invalid_input", "prizes"),
        (
            {"prizes": [{"place": 1, "amount": 5000, "currency": "EUR"}]},
            422,
            "invalid_body",
            "prizes[0].amount",
        ),
        (
            {"prizes": [{"place": 1, "amount": "1.234", "currency": "EUR"}]},
            422,
            "invalid_input",
            "prizes",
        ),
        (
            {"prizes": [{"place": 1, "amount": "10", "currency": "euro"}]},
            422,
            "invalid_body",
            "prizes[0].currency",
        ),
        ({"criteria": [{"name": "fun", "weight": 90}]}, 422, "invalid_input", "criteria"),
        ({"opens_at": "2026-03-02T09:00:00"}, 422, "invalid_body", "opens_at"),
        ({"closes_at": "2026-03-01T10:00:00+00:00"}, 422, "invalid_input", "closes_at"),
        ({"max_submissions_per_solver": 0}, 422, "invalid_input", "max_submissions_per_solver"),
        ({"visibility": "secret"}, 422, "invalid_body", "visibility"),
        ({"voting": {"mode": "public"}}, 422, "invalid_input", "voting"),
        ({"ip_terms": "mine"}, 422, "invalid_body", "ip_terms"),
        ({"language": "xx"}, 422, "invalid_input", "language"),
        ({"organisation_id": "not-a-uuid"}, 422, "invalid_body", "organisation_id"),
        ({"organisation_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}, 404, "not_found", None),
    ],
)
def test_drafting_validates_every_field(cast, changes, status, code, field):
    body = challenge_body(cast.clock, cast.organisation, **changes)
    response = cast.client.post("/api/v1/challenges", json=body, headers=cast.sponsor.auth)
    assert_problem(response, status, code, field)


def test_only_owners_and_managers_draft(cast):
    body = challenge_body(cast.clock, cast.organisation)
    assert_problem(
        cast.client.post("/api/v1/challenges", json=body, headers=cast.solver.auth),
        403,
        "access_denied",
    )
    assert_problem(
        cast.client.post("/api/v1/challenges", json=body), 401, "authentication_required"
    )


def test_questions_answers_announcements_and_deadline(cast):
    c = cast.client
    challenge_id, _terms = cast.open_challenge()
    url = f"/api/v1/challenges/{challenge_id}"
    asked = c.post(f"{url}/questions", json={"text": "May teams enter?"}, headers=cast.solver.auth)
    assert asked.status_code == 201
    question = asked.json()["id"]
    assert_problem(
        c.post(f"{url}/questions", json={"text": "  "}, headers=cast.solver.auth),
        422,
        "invalid_input",
        "text",
    )
    assert_problem(
        c.post(
            f"{url}/questions/{question}/answer", json={"text": "Yes"}, headers=cast.solver.auth
        ),
        403,
        "access_denied",
    )
    answered = c.post(
        f"{url}/questions/{question}/answer", json={"text": "Yes."}, headers=cast.sponsor.auth
    )
    assert answered.status_code == 201 and answered.json()["id"] == question
    assert (
        c.post(
            f"{url}/announcements", json={"text": "Welcome!"}, headers=cast.sponsor.auth
        ).status_code
        == 201
    )
    assert_problem(
        c.post(f"{url}/announcements", json={"text": "Hi"}, headers=cast.solver.auth),
        403,
        "access_denied",
    )
    current = c.get(url).json()["closes_at"]
    later = (cast.clock.now() + timedelta(days=40)).isoformat()
    extended = c.post(f"{url}/deadline", json={"closes_at": later}, headers=cast.sponsor.auth)
    assert extended.status_code == 200, extended.text
    assert c.get(url).json()["closes_at"] != current
    assert_problem(
        c.post(f"{url}/deadline", json={"closes_at": current}, headers=cast.sponsor.auth),
        422,
        "invalid_input",
        "closes_at",
    )


def test_reviewers_are_invited_and_accept(cast):
    c = cast.client
    challenge_id, _terms = cast.open_challenge()
    url = f"/api/v1/challenges/{challenge_id}/reviewers"
    assert_problem(c.post(f"{url}/accept", headers=cast.reviewer.auth), 404, "not_found")
    assert_problem(
        c.post(url, json={"account_id": cast.reviewer.id}, headers=cast.solver.auth),
        403,
        "access_denied",
    )
    assert_problem(
        c.post(
            url,
            json={"account_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"},
            headers=cast.sponsor.auth,
        ),
        422,
        "invalid_input",
        "account_id",
    )
    invited = c.post(url, json={"account_id": cast.reviewer.id}, headers=cast.sponsor.auth)
    assert invited.status_code == 201
    accepted = c.post(f"{url}/accept", headers=cast.reviewer.auth)
    assert accepted.status_code == 200
    assert accepted.json()["position"] > invited.json()["position"]


def test_the_api_deletes_drafts_only(cast):
    # issue 25: DELETE a draft; a published challenge is cancelled instead (409)
    draft = cast.draft()
    challenge_id, _ = cast.open_challenge()
    auth = cast.sponsor.auth
    r = cast.client.delete(f"/api/v1/challenges/{draft}", headers=auth)
    assert r.status_code == 200 and r.json()["id"] == draft
    assert cast.client.get(f"/api/v1/challenges/{draft}", headers=auth).status_code == 404
    r = cast.client.delete(f"/api/v1/challenges/{challenge_id}", headers=auth)
    assert_problem(r, 409, "invalid_state")
