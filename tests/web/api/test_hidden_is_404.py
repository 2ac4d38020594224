"""A resource the caller may not see is a 404, not a 403: a draft challenge exists
only for its organisation, so every read and write on it answers a stranger as
if it did not exist (the same problem as for an id nobody used)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from tests.web.api.conftest import Cast, assert_problem


def _writes(cast: Cast) -> list[tuple[str, str, Any]]:
    later = (cast.clock.now() + timedelta(days=40)).isoformat()
    return [
        ("PATCH", "", {"title": "Mine now"}),
        ("POST", "/publish", None),
        ("POST", "/questions", {"text": "Is it real?"}),
        ("POST", "/announcements", {"text": "News"}),
        ("POST", "/deadline", {"closes_at": later}),
        ("POST", "/reviewers", {"account_id": cast.other.id}),
        ("POST", "/reviewers/accept", None),
        (
            "POST",
            "/submissions",
            {"title": "T", "summary": "S", "accepted_terms_sha256": "0" * 64},
        ),
        ("POST", "/awards", {"awards": [{"submission_id": str(uuid.uuid4()), "place": 1}]}),
        ("GET", "", None),
        ("GET", "/submissions", None),
        ("GET", "/ranking", None),
    ]


def test_a_draft_is_not_found_for_strangers_on_every_route(cast, read_side):
    draft = cast.draft()
    nobody = str(uuid.uuid4())
    for method, suffix, body in _writes(cast):
        answers = []
        for challenge in (draft, nobody):
            r = cast.client.request(
                method,
                f"/api/v1/challenges/{challenge}{suffix}",
                json=body,
                headers=cast.other.auth,
            )
            problem = assert_problem(r, 404, "not_found")
            answers.append(problem["detail"].replace(challenge, "<id>"))
        # Word for word the answer for an id nobody used: nothing tells the draft exists.
        assert answers[0] == answers[1], (method, suffix, answers)
    history = cast.client.get(f"/api/v1/streams/{draft}/history", headers=cast.other.auth)
    assert_problem(history, 404, "not_found")
    # The sponsor still sees it.
    got = cast.client.get(f"/api/v1/challenges/{draft}", headers=cast.sponsor.auth)
    assert got.status_code == 200, got.text
