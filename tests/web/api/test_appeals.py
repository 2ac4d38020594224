"""Contract tests: appeals over the API (issue 24) — filed with evidence (multipart),
read as a thread, answered, decided; blind review keeps the appellant unnamed."""

from __future__ import annotations

import hashlib
from uuid import UUID

from tests.web.api.conftest import assert_problem, sign_up

PDF = b"%PDF-1.7\nada-sketches, dated 2025\n"


def test_an_appeal_with_evidence_is_answered_and_upheld_and_the_entry_is_back(app, cast):
    challenge_id, terms = cast.open_challenge(appeals={"window_days": 5, "scores": False})
    seen = cast.client.get(f"/api/v1/challenges/{challenge_id}", headers=cast.sponsor.auth)
    assert seen.json()["appeals"] == {"window_days": 5, "scores": False}
    entry = cast.submit(challenge_id, terms)
    c = cast.client
    r = c.post(
        f"/api/v1/submissions/{entry}/disqualify",
        json={"reason": "Copied."},
        headers=cast.sponsor.auth,
    )
    assert r.status_code == 200, r.text

    r = c.post(
        f"/api/v1/submissions/{entry}/appeals",
        data={"ground": "disqualification", "text": "My own sketches."},
        files=[("files", ("ada-sketches.pdf", PDF, "application/pdf"))],
        headers=cast.solver.auth,
    )
    assert r.status_code == 201, r.text
    appeal = r.json()["id"]
    assert_problem(
        c.post(
            f"/api/v1/submissions/{entry}/appeals",
            json={"ground": "disqualification", "text": "Again."},
            headers=cast.solver.auth,
        ),
        409,
        "invalid_state",
    )

    mine = c.get(f"/api/v1/appeals/{appeal}", headers=cast.solver.auth).json()
    assert mine["appellant_id"] == cast.solver.id
    assert mine["messages"][0]["files"][0]["name"] == "ada-sketches.pdf"
    assert mine["messages"][0]["files"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (mine["may_answer"], mine["may_decide"]) == (True, False)
    # The owner runs the judging blind (manager's rule too): no name, no file name.
    theirs = c.get(f"/api/v1/appeals/{appeal}", headers=cast.sponsor.auth).json()
    assert theirs["appellant_id"] is None
    assert theirs["messages"][0]["actor_id"] is None
    assert theirs["messages"][0]["files"][0]["name"] == "File 1.pdf"
    assert cast.solver.id not in str(theirs)
    assert (theirs["may_answer"], theirs["may_decide"]) == (True, True)

    r = c.post(
        f"/api/v1/appeals/{appeal}/answers",
        json={"text": "Send the dated originals."},
        headers=cast.sponsor.auth,
    )
    assert r.status_code == 201, r.text
    maybe = c.post(
        f"/api/v1/appeals/{appeal}/decision",
        json={"outcome": "maybe", "reason": "?"},
        headers=cast.sponsor.auth,
    )
    assert_problem(maybe, 422, "invalid_body", "outcome")
    r = c.post(
        f"/api/v1/appeals/{appeal}/decision",
        json={"outcome": "upheld", "reason": "The sketches predate the catalogue."},
        headers=cast.sponsor.auth,
    )
    assert r.status_code == 200, r.text
    decided = c.get(f"/api/v1/appeals/{appeal}", headers=cast.solver.auth).json()
    assert decided["status"] == "upheld"
    assert decided["decision"]["reason"] == "The sketches predate the catalogue."
    assert [m["by"] for m in decided["messages"]] == ["appellant", "respondent"]
    status = c.get(f"/api/v1/submissions/{entry}", headers=cast.solver.auth).json()["status"]
    assert status == "submitted"


def test_a_hidden_question_is_appealed_through_the_general_route(app, cast):
    challenge_id, _terms = cast.open_challenge()
    c = cast.client
    asker = sign_up(c, "asker")
    question = c.post(
        f"/api/v1/challenges/{challenge_id}/questions",
        json={"text": "Can we use steel?"},
        headers=asker.auth,
    ).json()["id"]
    app.hide_question(UUID(cast.sponsor.id), UUID(challenge_id), UUID(question), "Off topic.")
    body = {"ground": "moderation", "subject_id": question, "text": "Steel is in the brief."}
    # Without its challenge the subject is taken for an entry: none such.
    assert c.post("/api/v1/appeals", json=body, headers=asker.auth).status_code == 404
    r = c.post("/api/v1/appeals", json={**body, "challenge_id": challenge_id}, headers=asker.auth)
    assert r.status_code == 201, r.text
    assert c.get(f"/api/v1/appeals/{r.json()['id']}", headers=cast.other.auth).status_code == 404
