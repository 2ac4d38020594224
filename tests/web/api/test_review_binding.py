"""Review that binds, over the API (issue 20): the queue's scored and current
versions, the ranking's stale entries apart, closing review early, and the award
guard with its override reason."""

from __future__ import annotations

from datetime import timedelta

from tests.web.api.conftest import assert_problem

SCORES = {"originality": 8, "feasibility": 7, "fun": 9}


def test_a_revision_leaves_the_review_stale_until_scored_again_or_overridden(cast, read_side):
    c = cast.client
    challenge, terms = cast.open_challenge(review_timing="rolling")
    assert c.get(f"/api/v1/challenges/{challenge}").json()["review_timing"] == "rolling"
    entry = cast.submit(challenge, terms)
    c.post(
        f"/api/v1/challenges/{challenge}/reviewers",
        json={"account_id": cast.reviewer.id},
        headers=cast.sponsor.auth,
    )
    c.post(f"/api/v1/challenges/{challenge}/reviewers/accept", headers=cast.reviewer.auth)
    read_side.catch_up()
    [item] = c.get("/api/v1/reviews", headers=cast.reviewer.auth).json()["items"]
    assert (item["state"], item["scored_version"], item["current_version"]) == ("to_do", None, 1)
    first = item["content_sha256"]
    review = f"/api/v1/submissions/{entry}/review"
    body = {"scores": SCORES, "content_sha256": first}
    assert c.put(review, json=body, headers=cast.reviewer.auth).status_code == 200
    revised = c.post(
        f"/api/v1/submissions/{entry}/revisions",
        json={"title": "Pendulum park", "summary": "A completely different idea."},
        headers=cast.solver.auth,
    )
    assert revised.status_code == 201, revised.text

    # the queue says re-review, with the version scored and the current one
    read_side.catch_up()
    queue = c.get("/api/v1/reviews", headers=cast.reviewer.auth)
    [item] = queue.json()["items"]
    assert (item["state"], item["scored_version"], item["current_version"]) == (
        "re_review",
        1,
        2,
    )
    # scores of the version read before the revision are refused
    assert_problem(
        c.put(review, json=body, headers=cast.reviewer.auth),
        409,
        "invalid_state",
        "content_sha256",
    )
    # the ranking shows the entry apart, unranked
    [ranked] = c.get(f"/api/v1/challenges/{challenge}/ranking", headers=cast.sponsor.auth).json()[
        "items"
    ]
    assert (ranked["review_state"], ranked["review_count"], ranked["normalised_score"]) == (
        "stale",
        0,
        None,
    )

    # awarding waits for review to end; the sponsor closes it early, for everyone to see
    cast.clock.advance(timedelta(days=28))
    award = {"awards": [{"submission_id": entry, "place": 1}]}
    awards = f"/api/v1/challenges/{challenge}/awards"
    assert_problem(c.post(awards, json=award, headers=cast.sponsor.auth), 409, "window_closed")
    close = f"/api/v1/challenges/{challenge}/review/close"
    assert_problem(
        c.post(close, json={"text": " "}, headers=cast.sponsor.auth), 422, "invalid_input"
    )
    assert_problem(
        c.post(close, json={"text": "Done."}, headers=cast.solver.auth), 403, "access_denied"
    )
    closed = c.post(close, json={"text": "The jury has finished."}, headers=cast.sponsor.auth)
    assert closed.status_code == 200, closed.text
    assert c.get(f"/api/v1/challenges/{challenge}").json()["review_closed_early"] is True

    # version 2 was never scored: refused without a reason, recorded with one
    assert_problem(
        c.post(awards, json=award, headers=cast.sponsor.auth),
        409,
        "unreviewed_version",
        "override_reason",
    )
    reason = "The jury saw version 2 demonstrated live."
    award["awards"][0]["override_reason"] = reason
    awarded = c.post(awards, json=award, headers=cast.sponsor.auth)
    assert awarded.status_code == 201, awarded.text
    agreement = c.get(
        f"/api/v1/agreements/{awarded.json()['agreement_ids'][0]}", headers=cast.solver.auth
    ).json()
    assert (agreement["content_version"], agreement["override_reason"]) == (2, reason)
    assert agreement["content_sha256"] != first
