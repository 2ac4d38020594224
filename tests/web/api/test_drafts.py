"""The entry drafts API (issue 21): save, read, edit, submit later, discard; a
draft is its author's alone and counts against nobody until submitted."""

from __future__ import annotations

from tests.web.api.conftest import Cast, assert_problem

V1 = "/api/v1"
PDF = b"%PDF-1.4\n% a draft's plan\n"


def test_save_edit_and_submit_a_draft_later(cast: Cast, read_side):
    c = cast.client
    challenge_id, terms = cast.open_challenge(max_submissions_per_solver=1)
    saved = c.post(
        f"{V1}/challenges/{challenge_id}/drafts",
        data={"title": "Kites", "summary": ""},
        files=[("files", ("plan.pdf", PDF, "application/pdf"))],
        headers=cast.solver.auth,
    )
    assert saved.status_code == 201, saved.text
    draft = saved.json()["id"]
    # Private: the other solver gets 404, as for no draft at all.
    assert c.get(f"{V1}/drafts/{draft}", headers=cast.other.auth).status_code == 404
    view = c.get(f"{V1}/drafts/{draft}", headers=cast.solver.auth).json()
    assert (view["status"], [f["name"] for f in view["files"]]) == ("draft", ["plan.pdf"])
    read_side.catch_up()
    listed = c.get(f"{V1}/drafts", headers=cast.solver.auth).json()
    assert [d["id"] for d in listed["items"]] == [draft] and listed["next_cursor"] is None
    assert c.get(f"{V1}/drafts", headers=cast.other.auth).json()["items"] == []
    # Submitting an unfinished draft: the entry's rules, as problem+json, nothing recorded.
    body = {"accepted_terms_sha256": terms}
    rough = c.post(f"{V1}/drafts/{draft}/submit", json=body, headers=cast.solver.auth)
    assert_problem(rough, 422, "invalid_input", "summary")
    # JSON edits keep the files.
    edited = c.put(
        f"{V1}/drafts/{draft}", json={"title": "Kites", "summary": "Up."}, headers=cast.solver.auth
    )
    assert edited.status_code == 200, edited.text
    sent = c.post(f"{V1}/drafts/{draft}/submit", json=body, headers=cast.solver.auth)
    assert sent.status_code == 201, sent.text
    entry = sent.json()["id"]
    got = c.get(f"{V1}/submissions/{entry}", headers=cast.solver.auth).json()
    assert [f["name"] for f in got["files"]] == ["plan.pdf"] and got["summary"] == "Up."
    again = c.post(f"{V1}/drafts/{draft}/submit", json=body, headers=cast.solver.auth)
    assert_problem(again, 409, "invalid_state")


def test_drafts_count_against_nobody_and_can_be_discarded(cast: Cast):
    c = cast.client
    challenge_id, terms = cast.open_challenge(max_submissions_per_solver=1)
    drafts = [
        c.post(
            f"{V1}/challenges/{challenge_id}/drafts",
            json={"title": f"Idea {n}", "summary": "Up."},
            headers=cast.solver.auth,
        ).json()["id"]
        for n in range(3)
    ]
    # Three drafts at a one-entry limit, and still one entry to make.
    cast.submit(challenge_id, terms)
    late = c.post(
        f"{V1}/drafts/{drafts[0]}/submit",
        json={"accepted_terms_sha256": terms},
        headers=cast.solver.auth,
    )
    assert_problem(late, 409, "submission_limit_reached")
    gone = c.delete(f"{V1}/drafts/{drafts[1]}", headers=cast.solver.auth)
    assert gone.status_code == 200
    assert c.get(f"{V1}/drafts/{drafts[1]}", headers=cast.solver.auth).json()["status"] == (
        "discarded"
    )
    assert c.delete(f"{V1}/drafts/{drafts[2]}", headers=cast.other.auth).status_code == 404
    bad = c.post(
        f"{V1}/challenges/{challenge_id}/drafts",
        json={"title": "", "summary": ""},
        headers=cast.solver.auth,
    )
    assert_problem(bad, 422, "invalid_input", "title")
