"""Contract tests: submissions (JSON and multipart), votes and reviews."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta
from uuid import UUID

from openinno.domain.submission import content_sha256
from openinno.domain.values import FileRef, SubmissionContent
from tests.support.legacy import entry_naming_coauthors
from tests.web.api.conftest import assert_problem, sign_up

PDF = b"%PDF-1.4 pendulum park drawings\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_a_json_submission_returns_its_receipt(app, cast):
    challenge_id, terms = cast.open_challenge()
    response = cast.client.post(
        f"/api/v1/challenges/{challenge_id}/submissions",
        json={"title": "Pendulum park", "summary": "Swings.", "accepted_terms_sha256": terms},
        headers=cast.solver.auth,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "position", "receipt"}
    assert body["receipt"]["content_sha256"] == content_sha256(
        SubmissionContent("Pendulum park", "Swings.")
    )
    assert body["receipt"]["recorded_at"].startswith(cast.clock.now().date().isoformat())
    assert body["position"] == app.recorder.max_notification_id()


def test_a_multipart_submission_hashes_the_files_it_received(app, cast):
    challenge_id, terms = cast.open_challenge()
    response = cast.client.post(
        f"/api/v1/challenges/{challenge_id}/submissions",
        data={"title": "Pendulum park", "summary": "Swings.", "accepted_terms_sha256": terms},
        files=[
            ("files", ("plan.pdf", PDF, "application/pdf")),
            ("files", ("photo.png", PNG, "image/png")),
        ],
        headers=cast.solver.auth,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    expected = SubmissionContent(
        "Pendulum park",
        "Swings.",
        (
            FileRef("plan.pdf", len(PDF), "application/pdf", hashlib.sha256(PDF).hexdigest()),
            FileRef("photo.png", len(PNG), "image/png", hashlib.sha256(PNG).hexdigest()),
        ),
    )
    assert body["receipt"]["content_sha256"] == content_sha256(expected)
    seen = cast.client.get(f"/api/v1/submissions/{body['id']}", headers=cast.solver.auth).json()
    assert [f["sha256"] for f in seen["files"]] == [
        hashlib.sha256(PDF).hexdigest(),
        hashlib.sha256(PNG).hexdigest(),
    ]
    assert seen["content_sha256"] == body["receipt"]["content_sha256"]
    assert app.files.get(hashlib.sha256(PDF).hexdigest()) == PDF


def test_a_file_of_an_unaccepted_kind_is_422(cast):
    challenge_id, terms = cast.open_challenge()
    response = cast.client.post(
        f"/api/v1/challenges/{challenge_id}/submissions",
        data={"title": "Pendulum park", "summary": "Swings.", "accepted_terms_sha256": terms},
        files=[
            (
                "files",
                (
                    "run.exe",
                    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff",
                    "application/x-msdownload",
                ),
            )
        ],
        headers=cast.solver.auth,
    )
    assert_problem(response, 422, "invalid_input", "files")


def test_submission_rules_over_http(cast):
    c = cast.client
    challenge_id, terms = cast.open_challenge(max_submissions_per_solver=1)
    url = f"/api/v1/challenges/{challenge_id}/submissions"
    entry = {"title": "Pendulum park", "summary": "Swings.", "accepted_terms_sha256": terms}
    assert_problem(
        c.post(url, json={**entry, "accepted_terms_sha256": "0" * 64}, headers=cast.solver.auth),
        409,
        "terms_mismatch",
        "accepted_terms_sha256",
    )
    assert_problem(
        c.post(url, json={**entry, "accepted_terms_sha256": "short"}, headers=cast.solver.auth),
        422,
        "invalid_body",
        "accepted_terms_sha256",
    )
    assert_problem(
        c.post(url, json={**entry, "title": "ab"}, headers=cast.solver.auth),
        422,
        "invalid_input",
        "title",
    )
    assert_problem(
        c.post(url, json={"title": "Pendulum park"}, headers=cast.solver.auth),
        422,
        "invalid_body",
        "summary",
    )
    assert_problem(
        c.post(url, content=b"{", headers={**cast.solver.auth, "content-type": "application/json"}),
        422,
        "invalid_body",
    )
    assert_problem(c.post(url, json=entry, headers=cast.sponsor.auth), 403, "access_denied")
    assert_problem(c.post(url, json=entry), 401, "authentication_required")
    assert c.post(url, json=entry, headers=cast.solver.auth).status_code == 201
    assert_problem(
        c.post(url, json=entry, headers=cast.solver.auth), 409, "submission_limit_reached"
    )
    cast.clock.advance(timedelta(days=40))
    assert_problem(c.post(url, json=entry, headers=cast.other.auth), 409, "window_closed")


def test_who_sees_a_submission_and_its_authors(cast):
    c = cast.client
    challenge_id, terms = cast.open_challenge(visibility="private", voting={"mode": "none"})
    submission = cast.submit(challenge_id, terms)
    url = f"/api/v1/submissions/{submission}"
    mine = c.get(url, headers=cast.solver.auth).json()
    assert mine["author_ids"] == [cast.solver.id] and len(mine["receipts"]) == 1
    sponsor_view = c.get(url, headers=cast.sponsor.auth).json()
    assert sponsor_view["author_ids"] is None and sponsor_view["receipts"] is None
    assert_problem(c.get(url, headers=cast.other.auth), 404, "not_found")
    assert_problem(c.get(url), 404, "not_found")
    assert_problem(
        c.get("/api/v1/submissions/3fa85f64-5717-4562-b3fc-2c963f66afa6"), 404, "not_found"
    )


def test_revisions_keep_files_over_json_and_replace_them_over_multipart(cast):
    c = cast.client
    challenge_id, terms = cast.open_challenge()
    first = c.post(
        f"/api/v1/challenges/{challenge_id}/submissions",
        data={"title": "Pendulum park", "summary": "Swings.", "accepted_terms_sha256": terms},
        files=[("files", ("plan.pdf", PDF, "application/pdf"))],
        headers=cast.solver.auth,
    ).json()
    url = f"/api/v1/submissions/{first['id']}"
    revised = c.post(
        f"{url}/revisions",
        json={"title": "Pendulum park", "summary": "Swings, v2."},
        headers=cast.solver.auth,
    )
    assert revised.status_code == 201, revised.text
    assert revised.json()["receipt"]["version"] == 2
    seen = c.get(url, headers=cast.solver.auth).json()
    assert seen["summary"] == "Swings, v2." and [f["name"] for f in seen["files"]] == ["plan.pdf"]
    replaced = c.post(
        f"{url}/revisions",
        data={"title": "Pendulum park", "summary": "Swings, v3."},
        files=[("files", ("photo.png", PNG, "image/png"))],
        headers=cast.solver.auth,
    )
    assert replaced.status_code == 201, replaced.text
    assert [f["name"] for f in c.get(url, headers=cast.solver.auth).json()["files"]] == [
        "photo.png"
    ]
    assert_problem(
        c.post(
            f"{url}/revisions",
            json={"title": "Pendulum park", "summary": "Swings, v3."},
            headers=cast.solver.auth,
        ),
        422,
        "invalid_input",
        "content",
    )
    assert_problem(
        c.post(
            f"{url}/revisions", json={"title": "Mine now", "summary": "x"}, headers=cast.other.auth
        ),
        404,
        "not_found",
    )


def test_withdrawal(cast):
    c = cast.client
    challenge_id, terms = cast.open_challenge()
    submission = cast.submit(challenge_id, terms)
    url = f"/api/v1/submissions/{submission}/withdraw"
    assert_problem(c.post(url, headers=cast.other.auth), 404, "not_found")
    withdrawn = c.post(url, json={"reason": "Found a flaw"}, headers=cast.solver.auth)
    assert withdrawn.status_code == 200
    assert (
        c.get(f"/api/v1/submissions/{submission}", headers=cast.solver.auth).json()["status"]
        == "withdrawn"
    )
    assert_problem(c.post(url, headers=cast.solver.auth), 409, "invalid_state")


def test_votes_count_once_per_person(cast):
    c = cast.client
    challenge_id, terms = cast.open_challenge()
    submission = cast.submit(challenge_id, terms)
    url = f"/api/v1/submissions/{submission}/vote"
    voted = c.put(url, headers=cast.other.auth)
    assert voted.status_code == 200 and voted.json()["support_count"] == 1
    assert_problem(c.put(url, headers=cast.other.auth), 409, "already_supported")
    assert_problem(c.put(url, headers=cast.solver.auth), 409, "invalid_state")
    assert_problem(c.put(url), 401, "authentication_required")
    assert c.get(f"/api/v1/submissions/{submission}").json()["support_count"] == 1
    retracted = c.delete(url, headers=cast.other.auth)
    assert retracted.status_code == 200 and retracted.json()["support_count"] == 0
    assert_problem(c.delete(url, headers=cast.other.auth), 409, "invalid_state")


def test_reviews_and_conflicts(cast):
    c = cast.client
    challenge_id, terms = cast.open_challenge()
    submission = cast.submit(challenge_id, terms)
    url = f"/api/v1/submissions/{submission}"
    scores = {"originality": 9, "feasibility": "8.5", "fun": 7.5}
    assert_problem(
        c.put(f"{url}/review", json={"scores": scores}, headers=cast.reviewer.auth),
        404,
        "not_found",
    )
    c.post(
        f"/api/v1/challenges/{challenge_id}/reviewers",
        json={"account_id": cast.reviewer.id},
        headers=cast.sponsor.auth,
    )
    c.post(f"/api/v1/challenges/{challenge_id}/reviewers/accept", headers=cast.reviewer.auth)
    # Review runs once submissions close (the default review timing).
    assert_problem(
        c.put(f"{url}/review", json={"scores": scores}, headers=cast.reviewer.auth),
        409,
        "window_closed",
    )
    cast.clock.advance(timedelta(days=28))
    assert_problem(
        c.put(f"{url}/review", json={"scores": {**scores, "fun": 11}}, headers=cast.reviewer.auth),
        422,
        "invalid_input",
        "scores",
    )
    assert_problem(
        c.put(f"{url}/review", json={"scores": {"fun": 1}}, headers=cast.reviewer.auth),
        422,
        "invalid_input",
        "scores",
    )
    assert_problem(
        c.put(f"{url}/review", json={"scores": "high"}, headers=cast.reviewer.auth),
        422,
        "invalid_body",
        "scores",
    )
    reviewed = c.put(
        f"{url}/review", json={"scores": scores, "comment": "Lovely"}, headers=cast.reviewer.auth
    )
    assert reviewed.status_code == 200, reviewed.text
    other_reviewer = sign_up(c, "critic")
    c.post(
        f"/api/v1/challenges/{challenge_id}/reviewers",
        json={"account_id": other_reviewer.id},
        headers=cast.sponsor.auth,
    )
    c.post(f"/api/v1/challenges/{challenge_id}/reviewers/accept", headers=other_reviewer.auth)
    conflict = c.post(f"{url}/conflict", json={"reason": "My cousin"}, headers=other_reviewer.auth)
    assert conflict.status_code == 201
    assert_problem(
        c.put(f"{url}/review", json={"scores": scores}, headers=other_reviewer.auth),
        409,
        "conflict_of_interest",
    )
    assert UUID(reviewed.json()["id"])


def test_a_vote_and_a_submission_read_the_token_with_the_commands_streams(app, cast):
    """One query for the token and what the command reads (OpenInno.account_for_token's
    ``also``), once the token and the entry are known to this process."""
    from tests.persistence.test_read_ahead import counted

    c = cast.client
    challenge_id, terms = cast.open_challenge()
    submission = cast.submit(challenge_id, terms)
    cast.submit(challenge_id, terms, title="Warm-up")
    url = f"/api/v1/submissions/{submission}/vote"
    assert c.put(url, headers=cast.other.auth).status_code == 200  # warm: all cached
    assert c.delete(url, headers=cast.other.auth).status_code == 200
    with counted(app) as reads:
        assert c.put(url, headers=cast.other.auth).json()["support_count"] == 1
    assert (reads.batches, reads.single) == (1, 0)  # token + the vote's streams, the tally too
    with counted(app) as reads:
        cast.submit(challenge_id, terms, who=cast.other, title="Third")
    assert (reads.batches, reads.single) == (1, 0)


def test_who_am_i_reads_the_token_and_its_account_in_one_query(app, cast):
    """GET /api/v1/me answers from the token's query, which reads the account too."""
    from tests.persistence.test_read_ahead import counted

    assert cast.client.get("/api/v1/me", headers=cast.solver.auth).status_code == 200  # warm
    with counted(app) as reads:
        me = cast.client.get("/api/v1/me", headers=cast.solver.auth)
    assert me.status_code == 200, me.text
    assert me.json()["id"] == cast.solver.id
    assert (reads.batches, reads.single) == (1, 0)


def test_team_ids_invite_reveal_no_account_and_lock_no_one_out(cast):
    # Given a challenge with one entry per person,
    c = cast.client
    challenge_id, terms = cast.open_challenge(max_submissions_per_solver=1)
    unknown = "00000000-0000-4000-8000-000000000001"
    # when an older client sends team_ids with a rival and an id of no account, then
    # both are invited alike to the solver's team (issue 19: team_ids told whether an
    # account exists; issue 21: they are invitations, never authorship),
    entry = cast.submit(challenge_id, terms, team_ids=[cast.other.id, unknown])
    seen = c.get(f"/api/v1/submissions/{entry}", headers=cast.solver.auth).json()
    assert seen["author_ids"] == [cast.solver.id]
    assert seen["named_coauthor_ids"] == []
    team = c.get(f"/api/v1/teams/{seen['team_id']}", headers=cast.solver.auth).json()
    assert team["invitations"] == [{"account_id": cast.other.id}, {"account_id": unknown}]
    # and the rival can still enter alone (the invitation used none of their entries),
    cast.submit(challenge_id, terms, who=cast.other, title="Lever lab")
    # so joining the team too is over their limit,
    assert_problem(
        c.post(
            f"/api/v1/teams/{seen['team_id']}/accept",
            json={"accepted_terms_sha256": terms},
            headers=cast.other.auth,
        ),
        409,
        "submission_limit_reached",
    )
    # and the entry names no co-author to confirm.
    assert_problem(
        c.post(f"/api/v1/submissions/{entry}/coauthorship", headers=cast.other.auth),
        404,
        "not_found",
    )
    declined = c.post(f"/api/v1/teams/{seen['team_id']}/decline", headers=cast.other.auth)
    assert declined.status_code == 200, declined.text


def test_a_named_co_author_confirms(app, cast):
    # Given an entry recorded before issue 21, naming a co-author,
    c = cast.client
    challenge_id, terms = cast.open_challenge()
    entry = entry_naming_coauthors(
        app, UUID(cast.solver.id), UUID(challenge_id), terms, [UUID(cast.other.id)]
    )
    url = f"/api/v1/submissions/{entry}/coauthorship"
    assert_problem(c.post(url, headers=cast.reviewer.auth), 404, "not_found")
    assert c.post(url, headers=cast.other.auth).status_code == 200
    seen = c.get(f"/api/v1/submissions/{entry}", headers=cast.other.auth).json()
    assert seen["author_ids"] == [cast.solver.id, cast.other.id]


def test_an_invited_reviewer_neither_enters_nor_votes(cast):
    # Given an entry, and a reviewer invited to the challenge (not accepted yet),
    c = cast.client
    challenge_id, terms = cast.open_challenge()
    submission = cast.submit(challenge_id, terms)
    invited = c.post(
        f"/api/v1/challenges/{challenge_id}/reviewers",
        json={"account_id": cast.reviewer.id},
        headers=cast.sponsor.auth,
    )
    assert invited.status_code in (200, 201), invited.text
    # when the reviewer enters or supports an entry, then both are conflicts of interest.
    entered = c.post(
        f"/api/v1/challenges/{challenge_id}/submissions",
        json={"title": "Mine", "summary": "Judge's own.", "accepted_terms_sha256": terms},
        headers=cast.reviewer.auth,
    )
    assert_problem(entered, 409, "conflict_of_interest")
    voted = c.put(f"/api/v1/submissions/{submission}/vote", headers=cast.reviewer.auth)
    assert_problem(voted, 409, "conflict_of_interest")


def test_a_solver_is_not_invited_to_review(cast):
    c = cast.client
    challenge_id, terms = cast.open_challenge()
    cast.submit(challenge_id, terms)
    invited = c.post(
        f"/api/v1/challenges/{challenge_id}/reviewers",
        json={"account_id": cast.solver.id},
        headers=cast.sponsor.auth,
    )
    assert_problem(invited, 409, "conflict_of_interest")


def test_a_body_over_the_request_limit_is_413_before_anything_is_read(app, cast):
    """OPENINNO_MAX_REQUEST_BYTES: a Content-Length over it is refused before the
    token is looked up or a byte read, and nothing is staged."""
    challenge_id, terms = cast.open_challenge()
    app.settings = replace(app.settings, max_request_bytes=4096)
    url = f"/api/v1/challenges/{challenge_id}/submissions"
    fields = {"title": "Pendulum park", "summary": "Swings.", "accepted_terms_sha256": terms}
    files = [("files", ("plan.pdf", PDF + b"x" * 8192, "application/pdf"))]
    for auth in (cast.solver.auth, {"Authorization": "Bearer bogus"}):
        response = cast.client.post(url, data=fields, files=files, headers=auth)
        assert_problem(response, 413, "payload_too_large")
    ok = cast.client.post(
        url, data=fields, files=[("files", ("plan.pdf", PDF))], headers=cast.solver.auth
    )
    assert ok.status_code == 201, ok.text
    assert list((app.files.root / ".incoming").iterdir()) == []


def test_a_bogus_token_is_401_before_a_multipart_body_is_parsed(cast):
    challenge_id, _terms = cast.open_challenge()
    response = cast.client.post(
        f"/api/v1/challenges/{challenge_id}/submissions",
        content=b"--not a multipart body at all",
        headers={
            "Authorization": "Bearer bogus",
            "Content-Type": "multipart/form-data; boundary=xyz",
        },
    )
    assert response.status_code == 401
