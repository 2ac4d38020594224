"""Conflicts for several entries at once, from the reviewer's queue (issue 20): tick
the entries you may know, say why, declare.  They leave an assigned queue, no score
form is offered for them, and the sponsor's next assignment run gives them to others.
Errors stand next to their fields; an entry that is not in one's queue is a 404."""

from __future__ import annotations

from uuid import uuid4

import pytest
from eventsourcing.application import AggregateNotFoundError

from openinno.domain import ids
from openinno.domain.values import Voting
from tests.web.pages.conftest import Web
from tests.web.pages.test_every_error import ERROR, invalid_controls


def _assigned_queue(cast, app, entries: int = 3):
    challenge, terms = cast.open_challenge(visibility="private", voting=Voting("none"))
    submitted = [
        cast.submit(challenge, terms, solver=cast.account(f"bulk{i}"), title=f"Entry {i}")
        for i in range(entries)
    ]
    other = cast.account("bulkjudge")
    for judge in (cast.reviewer, other):
        app.invite_reviewer(cast.sponsor, challenge, judge)
        app.accept_reviewer_invitation(judge, challenge)
    app.assign_reviewers(cast.sponsor, challenge, submitted, 2, seed=1)
    return challenge, submitted, other


def test_a_reviewer_declares_conflicts_for_several_entries_at_once(web: Web, cast, app):
    _, entries, _ = _assigned_queue(cast, app)
    web.login("reviewer")
    queue = web.get("/reviews").text
    assert 'action="/reviews/conflicts"' in queue
    for entry in entries:
        assert f'name="submission_id" value="{entry}"' in queue
    r = web.post(
        "/reviews/conflicts",
        {"submission_id": [str(entries[0]), str(entries[2])], "reason": "Former colleagues"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/reviews?conflict=2"
    after = web.get(r.headers["location"]).text
    assert "Your conflict of interest is recorded" in after
    # With assignment the entries leave the queue; no score form is offered for them.
    assert f"/reviews/{entries[0]}" not in after and f"/reviews/{entries[2]}" not in after
    assert f"/reviews/{entries[1]}" in after
    assert "Save scores" not in web.get(f"/reviews/{entries[0]}").text
    for entry in (entries[0], entries[2]):
        review = app.repository.get(ids.review_id(entry, cast.reviewer))
        assert review.conflict
    with pytest.raises(AggregateNotFoundError):  # the entry left unticked: no conflict
        app.repository.get(ids.review_id(entries[1], cast.reviewer))


def test_without_entries_or_a_reason_each_error_stands_at_its_field(web: Web, cast, app):
    _, entries, _ = _assigned_queue(cast, app, entries=2)
    web.login("reviewer")
    before = web.app.recorder.max_notification_id()
    r = web.post("/reviews/conflicts", {"reason": " "})
    assert r.status_code == 400
    assert sorted(ERROR.findall(r.text)) == ["reason", "submission_id"]
    assert sorted(set(invalid_controls(r.text))) == ["reason", "submission_id"]
    assert 'id="declare-conflicts" open' in r.text
    # A ticked entry stays ticked when the form comes back with an error.
    r = web.post("/reviews/conflicts", {"submission_id": str(entries[1]), "reason": ""})
    assert r.status_code == 400 and ERROR.findall(r.text) == ["reason"]
    assert f'value="{entries[1]}" id="c-{entries[1]}"' in r.text
    tick = r.text.split(f'id="c-{entries[1]}"', 1)[1].split(">", 1)[0]
    assert "checked" in tick
    assert web.app.recorder.max_notification_id() == before  # nothing recorded


def test_entries_outside_ones_queue_are_not_found_and_nothing_is_recorded(web: Web, cast, app):
    _, entries, _ = _assigned_queue(cast, app, entries=2)
    elsewhere, terms = cast.open_challenge(visibility="private", voting=Voting("none"))
    stranger = cast.submit(elsewhere, terms, solver=cast.account("bulkstranger"))
    web.login("reviewer")
    before = web.app.recorder.max_notification_id()
    for unknown in (str(stranger), str(uuid4()), "not-a-uuid"):
        r = web.post(
            "/reviews/conflicts",
            {"submission_id": [str(entries[0]), unknown], "reason": "I know them"},
        )
        assert r.status_code == 404, (unknown, r.status_code)
    assert web.app.recorder.max_notification_id() == before
    # The solver has no queue: the form answers 404 for any entry, theirs included.
    web.logout()
    web.login("solver")
    r = web.post("/reviews/conflicts", {"submission_id": str(entries[0]), "reason": "x"})
    assert r.status_code == 404
