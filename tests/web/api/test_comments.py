"""Contract tests: comments (issue 24) — threaded one level, edited within the window
with every version kept, blind on entries, reportable and hidden with a reason."""

from __future__ import annotations

from datetime import timedelta

from tests.web.api.conftest import assert_problem, sign_up


def test_a_thread_on_a_challenge_one_level_deep_edited_within_the_window(app, cast, read_side):
    challenge_id, _terms = cast.open_challenge()
    c = cast.client
    path = f"/api/v1/challenges/{challenge_id}/comments"
    top = c.post(path, json={"text": "Can it be **wooden**?"}, headers=cast.solver.auth)
    assert top.status_code == 201, top.text
    top_id = top.json()["id"]
    reply = c.post(path, json={"text": "Yes.", "parent_id": top_id}, headers=cast.sponsor.auth)
    assert reply.status_code == 201, reply.text
    deeper = c.post(
        path, json={"text": "Sure?", "parent_id": reply.json()["id"]}, headers=cast.other.auth
    )
    assert_problem(deeper, 422, "invalid_input", "parent_id")
    later = c.post(path, json={"text": "Another thread."}, headers=cast.other.auth)
    assert later.status_code == 201

    edit = c.patch(
        f"/api/v1/comments/{top_id}", json={"text": "Can it be oak?"}, headers=cast.solver.auth
    )
    assert edit.status_code == 200, edit.text
    assert (
        c.patch(
            f"/api/v1/comments/{top_id}", json={"text": "Mine now."}, headers=cast.other.auth
        ).status_code
        == 404
    )
    cast.clock.advance(timedelta(minutes=15))
    assert_problem(
        c.patch(f"/api/v1/comments/{top_id}", json={"text": "Pine?"}, headers=cast.solver.auth),
        409,
        "invalid_state",
    )
    read_side.catch_up()
    items = c.get(path).json()["items"]
    assert [(i["text"], i["parent_id"] is not None) for i in items] == [
        ("Can it be oak?", False),
        ("Yes.", True),
        ("Another thread.", False),
    ]
    assert items[0]["versions"] == 2 and items[0]["edited_at"] is not None
    # Every version stays in the comment's stream.
    texts = [getattr(e, "text", None) for e in app.events.get(__import__("uuid").UUID(top_id))]
    assert texts == ["Can it be **wooden**?", "Can it be oak?"]


def test_on_an_entry_its_authors_comment_by_pseudonym_and_a_comment_can_be_hidden(
    app, cast, read_side
):
    challenge_id, terms = cast.open_challenge()
    entry = cast.submit(challenge_id, terms)
    c = cast.client
    path = f"/api/v1/submissions/{entry}/comments"
    visitor = sign_up(c, "visitor")
    assert c.post(path, json={"text": "Lovely."}, headers=visitor.auth).status_code == 201
    mine = c.post(path, json={"text": "Thanks, I built it."}, headers=cast.solver.auth).json()
    read_side.catch_up()

    seen_by_sponsor = c.get(path, headers=cast.sponsor.auth).json()["items"]
    assert [(i["by"], i["author_id"]) for i in seen_by_sponsor] == [
        ("participant", visitor.id),
        ("author", None),
    ]
    assert cast.solver.id not in str(seen_by_sponsor)
    seen_by_author = c.get(path, headers=cast.solver.auth).json()["items"]
    assert seen_by_author[1]["author_id"] == cast.solver.id

    r = c.post(
        "/api/v1/reports",
        json={"target_id": mine["id"], "reason": "Names the author."},
        headers=visitor.auth,
    )
    assert r.status_code == 201, r.text
    read_side.catch_up()
    queue = c.get("/api/v1/moderation/queue", headers=cast.sponsor.auth).json()["items"]
    assert [(q["kind"], q["reports"]) for q in queue] == [("comment", 1)]
    r = c.post(
        f"/api/v1/moderation/{mine['id']}/hide",
        json={"reason": "Reveals who wrote the entry."},
        headers=cast.sponsor.auth,
    )
    assert r.status_code == 200, r.text
    read_side.catch_up()
    hidden = c.get(path, headers=visitor.auth).json()["items"][1]
    assert (hidden["text"], hidden["hidden_reason"]) == ("", "Reveals who wrote the entry.")
