"""The whole story over HTTP: from account creation to ownership transferred."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from openinno.domain.submission import content_sha256
from openinno.domain.values import FileRef, SubmissionContent
from tests.web.api.conftest import assert_problem, challenge_body, sign_up

PDF = b"%PDF-1.4 the pendulum park, drawn\n"


def test_from_account_creation_to_ownership_transferred(client, clock, read_side):
    c = client
    sponsor, legal = sign_up(c, "sponsor"), sign_up(c, "legal")
    solver, rival, fan, reviewer = (sign_up(c, n) for n in ("solver", "rival", "fan", "reviewer"))

    organisation = c.post(
        "/api/v1/organisations", json={"name": "Brickworks"}, headers=sponsor.auth
    ).json()["id"]
    c.post(
        f"/api/v1/organisations/{organisation}/members",
        json={"account_id": legal.id, "role": "legal"},
        headers=sponsor.auth,
    )
    challenge = c.post(
        "/api/v1/challenges", json=challenge_body(clock, organisation), headers=sponsor.auth
    ).json()["id"]
    terms = c.post(f"/api/v1/challenges/{challenge}/publish", headers=sponsor.auth).json()[
        "terms_sha256"
    ]
    clock.advance(timedelta(days=2))

    entered = c.post(
        f"/api/v1/challenges/{challenge}/submissions",
        data={
            "title": "Pendulum park",
            "summary": "Swings and weights.",
            "accepted_terms_sha256": terms,
        },
        files=[("files", ("park.pdf", PDF, "application/pdf"))],
        headers={**solver.auth, "Idempotency-Key": "entry-1"},
    )
    assert entered.status_code == 201, entered.text
    winner = entered.json()["id"]
    uploaded = hashlib.sha256(PDF).hexdigest()
    expected = SubmissionContent(
        "Pendulum park",
        "Swings and weights.",
        (FileRef("park.pdf", len(PDF), "application/pdf", uploaded),),
    )
    assert entered.json()["receipt"]["content_sha256"] == content_sha256(expected)
    runner_up = c.post(
        f"/api/v1/challenges/{challenge}/submissions",
        json={"title": "Lever lab", "summary": "Levers.", "accepted_terms_sha256": terms},
        headers=rival.auth,
    ).json()["id"]

    assert (
        c.put(f"/api/v1/submissions/{winner}/vote", headers=fan.auth).json()["support_count"] == 1
    )
    c.post(
        f"/api/v1/challenges/{challenge}/reviewers",
        json={"account_id": reviewer.id},
        headers=sponsor.auth,
    )
    c.post(f"/api/v1/challenges/{challenge}/reviewers/accept", headers=reviewer.auth)
    clock.advance(timedelta(days=28))  # review runs once submissions close
    for entry, score in ((winner, 9), (runner_up, 6)):
        r = c.put(
            f"/api/v1/submissions/{entry}/review",
            json={"scores": {"originality": score, "feasibility": score, "fun": score}},
            headers=reviewer.auth,
        )
        assert r.status_code == 200, r.text

    awards = {
        "awards": [{"submission_id": winner, "place": 1}, {"submission_id": runner_up, "place": 2}]
    }
    assert_problem(
        c.post(f"/api/v1/challenges/{challenge}/awards", json=awards, headers=sponsor.auth),
        409,
        "window_closed",
    )
    clock.advance(timedelta(days=30))
    assert_problem(
        c.post(f"/api/v1/challenges/{challenge}/awards", json=awards, headers=legal.auth),
        403,
        "access_denied",
    )
    awarded = c.post(f"/api/v1/challenges/{challenge}/awards", json=awards, headers=sponsor.auth)
    assert awarded.status_code == 201, awarded.text
    agreement_id = awarded.json()["agreement_ids"][0]

    url = f"/api/v1/agreements/{agreement_id}"
    agreement = c.get(url, headers=solver.auth).json()
    assert agreement["state"] == "awaiting_signature"
    assert agreement["text_sha256"] == hashlib.sha256(agreement["text"].encode()).hexdigest()
    assert agreement["content_sha256"] == entered.json()["receipt"]["content_sha256"]
    assert terms in agreement["text"]
    assert_problem(c.get(url, headers=rival.auth), 404, "not_found")
    assert_problem(c.get(url), 401, "authentication_required")

    text_sha256 = agreement["text_sha256"]
    signature = {"typed_name": "Sol Ver", "intent": "I agree to assign", "text_sha256": text_sha256}
    assert_problem(
        c.post(f"{url}/sign", json={**signature, "text_sha256": "0" * 64}, headers=solver.auth),
        422,
        "invalid_input",
        "text_sha256",
    )
    assert_problem(
        c.post(f"{url}/sign", json={"typed_name": "Sol"}, headers=solver.auth),
        422,
        "invalid_body",
        "intent",
    )
    assert c.post(f"{url}/sign", json=signature, headers=solver.auth).status_code == 200
    countersign = {
        "typed_name": "Lee Gal",
        "intent": "Signed for Brickworks",
        "text_sha256": text_sha256,
    }
    assert_problem(
        c.post(f"{url}/countersign", json=countersign, headers=solver.auth), 404, "not_found"
    )
    assert c.post(f"{url}/countersign", json=countersign, headers=legal.auth).status_code == 200
    assert_problem(
        c.post(f"{url}/payments", json={"reference": "WIRE-1"}, headers=legal.auth),
        403,
        "access_denied",
    )
    assert c.get(url, headers=legal.auth).json()["state"] == "awaiting_payment"
    paid = c.post(f"{url}/payments", json={"reference": "WIRE-2026-001"}, headers=sponsor.auth)
    assert paid.status_code == 201, paid.text

    final = c.get(url, headers=legal.auth).json()
    assert final["state"] == "transferred"
    # Neither typed the name of their account: recorded, and flagged (issue 22, finding 8).
    assert [s["typed_name_matches_account"] for s in final["signatures"]] == [False, False]
    assert final["payment_reference"] == "WIRE-2026-001"
    assert [s["role"] for s in final["signatures"]] == ["assignor", "assignee"]
    assert all(s["auth_method"] == "api_token" for s in final["signatures"])
    shown = c.get(f"/api/v1/submissions/{winner}", headers=legal.auth).json()
    assert shown["files"][0]["sha256"] == uploaded
    assert shown["award_place"] == 1 and shown["status"] == "awarded"

    # The chain of title, read from the legal read model once it caught up.
    read_side.catch_up()
    chain = c.get(
        f"/api/v1/submissions/{winner}/chain-of-title",
        params={"min_position": paid.json()["position"]},
        headers=legal.auth,
    )
    assert chain.status_code == 200, chain.text
    steps = chain.json()["items"]
    assert chain.json()["ownership_transferred"] is True
    assert steps[0]["step"] == "submitted" and steps[-1]["step"] == "ownership_transferred"
    assert steps[0]["hashes"]["content_sha256"] == content_sha256(expected)
    assert steps[-1]["hashes"]["content_sha256"] == content_sha256(expected)
    assert steps[-1]["hashes"]["text_sha256"] == text_sha256


def test_signing_as_the_original_contract_had_it_without_the_text_hash(client, clock, app):
    """`{typed_name, intent}` alone still signs (the contract's first form); the
    signature then records that the client did not confirm which text it showed."""
    from tests.support.story import scene
    from tests.web.api.conftest import bearer

    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    clock.advance(timedelta(days=30))
    agreement_id = s.award_unreviewed(challenge_id, [(entry, 1)]).agreement_ids[0]
    token, _ = app.issue_token("solver@example.org", "correct horse battery")
    url = f"/api/v1/agreements/{agreement_id}"
    signed = client.post(
        f"{url}/sign", json={"typed_name": "Sol Ver", "intent": "I agree"}, headers=bearer(token)
    )
    assert signed.status_code == 200, signed.text
    [signature] = client.get(url, headers=bearer(token)).json()["signatures"]
    assert signature["auth_method"] == "api_token; text hash not confirmed by the client"
    assert signature["text_sha256"] == app.get_agreement(s.solver, agreement_id).text_sha256
    wrong = client.post(
        f"{url}/sign",
        json={"typed_name": "Sol Ver", "intent": "I agree", "text_sha256": "0" * 64},
        headers=bearer(token),
    )
    assert wrong.status_code in (409, 422)
