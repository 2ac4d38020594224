"""Searching a challenge's entries through the API (issue 27): the list route takes a
search compatibly, reviewers search blind and without scores, the public cannot."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from uuid import UUID

from openinno.application import OpenInno
from projections.service import ReadSide
from tests.web.api.conftest import Cast, assert_problem, sign_up


def entries(cast: Cast, app: OpenInno, read_side: ReadSide) -> tuple[str, list[str]]:
    challenge, terms = cast.open_challenge()
    ids = []
    for i, (title, summary) in enumerate(
        [
            ("Kite lab", "Measure lift with kites."),
            ("Pendulum park", "Swings and weights."),
            ("Seesaw lever", "Levers, balance and a kite."),
        ]
    ):
        who = sign_up(cast.client, f"searcher{i}")
        ids.append(cast.submit(challenge, terms, who=who, title=title, summary=summary))
        cast.clock.advance(timedelta(minutes=1))
    app.invite_reviewer(UUID(cast.sponsor.id), UUID(challenge), UUID(cast.reviewer.id))
    app.accept_reviewer_invitation(UUID(cast.reviewer.id), UUID(challenge))
    read_side.catch_up()
    return challenge, ids


def get(cast: Cast, who: Any, path: str, **params: Any) -> Any:
    return cast.client.get(path, params=params, headers=who.auth if who else {})


def test_sponsor_searches_filters_and_pages(cast: Cast, app: OpenInno, read_side: ReadSide):
    challenge, ids = entries(cast, app, read_side)
    path = f"/api/v1/challenges/{challenge}/submissions"
    r = get(cast, cast.sponsor, path, q="kite")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["audience"] == "sponsor"
    assert {i["title"] for i in body["items"]} == {"Kite lab", "Seesaw lever"}
    assert all(i["solver_name"] is None and i["solver_id"] is None for i in body["items"])
    assert all(i["round"] == 1 and i["tags"] == [] for i in body["items"])
    # Newest first, a page at a time, every entry once.
    seen, cursor = [], None
    while True:
        params = {"sort": "recent", "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = get(cast, cast.sponsor, path, **params).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    # A cursor of another sort is refused.
    first = get(cast, cast.sponsor, path, sort="recent", limit=1).json()
    assert_problem(
        get(cast, cast.sponsor, path, sort="support", cursor=first["next_cursor"]),
        422,
        "invalid_input",
        "cursor",
    )
    assert get(cast, cast.sponsor, path, sort="score").status_code == 200
    # Without any search parameter the list is as it was (submission order).
    plain = get(cast, cast.sponsor, path).json()
    assert [i["id"] for i in plain["items"]] == ids and plain["items"][0]["round"] is None


def test_reviewers_search_blind_without_scores_and_the_public_not_at_all(
    cast: Cast, app: OpenInno, read_side: ReadSide
):
    challenge, _ = entries(cast, app, read_side)
    path = f"/api/v1/challenges/{challenge}/submissions"
    r = get(cast, cast.reviewer, path, q="kite")
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert len(items) == 2
    assert all(i["solver_name"] is None and i["score"] is None for i in items)
    assert all(i["pseudonym"].startswith("Entrant ") for i in items)
    # Nobody finds an entry by its author.
    assert get(cast, cast.reviewer, path, q="Searcher0").json()["items"] == []
    assert get(cast, cast.sponsor, path, q="Searcher0").json()["items"] == []
    assert_problem(get(cast, cast.reviewer, path, sort="score"), 422, "invalid_input", "sort")
    assert_problem(get(cast, cast.reviewer, path, min_score=10), 422, "invalid_input", "sort")
    # The public gallery lists, but does not search.
    assert get(cast, cast.other, path).status_code == 200
    assert_problem(get(cast, cast.other, path, q="kite"), 404, "not_found")
    assert_problem(get(cast, None, path, q="kite"), 404, "not_found")


def test_tags_by_hand_and_from_a_search(cast: Cast, app: OpenInno, read_side: ReadSide):
    challenge, ids = entries(cast, app, read_side)
    path = f"/api/v1/challenges/{challenge}/submissions"
    tags = f"/api/v1/challenges/{challenge}/tags"
    r = cast.client.post(
        tags, json={"tag": " Robotics ", "submission_ids": [ids[1]]}, headers=cast.sponsor.auth
    )
    assert r.status_code == 201, r.text
    # A reviewer tags all a search finds: entries carrying the tag already are left out.
    r = cast.client.post(
        tags,
        json={"tag": "robotics", "search": {"q": "kite"}},
        headers=cast.reviewer.auth,
    )
    assert r.status_code == 201, r.text
    read_side.catch_up()
    found = get(cast, cast.sponsor, path, tag="robotics").json()["items"]
    assert {i["id"] for i in found} == set(ids)
    assert all(i["tags"] == ["robotics"] for i in found)
    # Nothing new to tag: a conflict, nothing recorded.
    again = cast.client.post(
        tags, json={"tag": "robotics", "submission_ids": ids}, headers=cast.sponsor.auth
    )
    assert_problem(again, 409, "invalid_state")
    # Both ways at once, or neither: refused.
    both = cast.client.post(
        tags,
        json={"tag": "x", "submission_ids": ids, "search": {"q": "kite"}},
        headers=cast.sponsor.auth,
    )
    assert_problem(both, 422, "invalid_input", "submission_ids")
    # An entry of another challenge is unknown here.
    other, terms = cast.open_challenge()
    stranger = cast.submit(other, terms)
    wrong = cast.client.post(
        tags, json={"tag": "x", "submission_ids": [stranger]}, headers=cast.sponsor.auth
    )
    assert_problem(wrong, 404, "not_found")
    # Solvers do not tag.
    denied = cast.client.post(
        tags, json={"tag": "x", "submission_ids": ids}, headers=cast.other.auth
    )
    assert_problem(denied, 404, "not_found")
    removed = cast.client.post(
        f"{tags}/remove",
        json={"tag": "robotics", "search": {"q": "weights"}},
        headers=cast.sponsor.auth,
    )
    assert removed.status_code == 200, removed.text
    read_side.catch_up()
    found = get(cast, cast.sponsor, path, tag="robotics").json()["items"]
    assert {i["id"] for i in found} == {ids[0], ids[2]}


def test_duplicates_listed_for_the_sponsor_and_merged(
    cast: Cast, app: OpenInno, read_side: ReadSide
):
    challenge, terms = cast.open_challenge()
    idea = "Children build kites from paper and sticks and measure the lift."
    first = cast.submit(challenge, terms, title="Kite lab", summary=idea)
    cast.clock.advance(timedelta(minutes=1))
    copy = cast.submit(
        challenge, terms, who=cast.other, title="Kite lab!", summary=idea.replace("build", "bulid")
    )
    read_side.catch_up()
    path = f"/api/v1/challenges/{challenge}/duplicates"
    r = get(cast, cast.sponsor, path)
    assert r.status_code == 200, r.text
    (cluster,) = r.json()["items"]
    assert cluster["first_id"] == first
    assert [(e["id"], e["first"]) for e in cluster["entries"]] == [(first, True), (copy, False)]
    assert all(e["pseudonym"].startswith("Entrant ") for e in cluster["entries"])
    assert_problem(get(cast, cast.solver, path), 404, "not_found")
    merged = cast.client.post(
        f"{path}/merge", json={"submission_ids": [copy, first]}, headers=cast.sponsor.auth
    )
    assert merged.status_code == 201, merged.text
    read_side.catch_up()
    (cluster,) = get(cast, cast.sponsor, path).json()["items"]
    assert all(e["merged"] for e in cluster["entries"]) and cluster["first_id"] == first
    denied = cast.client.post(
        f"{path}/merge", json={"submission_ids": [copy, first]}, headers=cast.solver.auth
    )
    assert_problem(denied, 404, "not_found")


def test_exports_stream_csv_and_json_lines_formula_safe_and_blind(
    cast: Cast, app: OpenInno, read_side: ReadSide
):
    challenge, terms = cast.open_challenge()
    risky = cast.submit(challenge, terms, title="=HYPERLINK(1)", summary="+1 and -2 @ home")
    app.invite_reviewer(UUID(cast.sponsor.id), UUID(challenge), UUID(cast.reviewer.id))
    app.accept_reviewer_invitation(UUID(cast.reviewer.id), UUID(challenge))
    cast.clock.advance(timedelta(days=28))
    app.record_review(
        UUID(cast.reviewer.id), UUID(risky), {"originality": 5, "feasibility": 10, "fun": 0}
    )
    read_side.catch_up()
    path = f"/api/v1/challenges/{challenge}/exports"
    r = get(cast, cast.sponsor, f"{path}/entries")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    header, line = r.text.strip().split("\r\n")
    assert header.startswith("submission_id,pseudonym,title")
    assert ",'=HYPERLINK(1),'+1 and -2 @ home," in line
    assert "Solver" not in r.text  # blind before the reveal
    lines = get(cast, cast.sponsor, f"{path}/entries", format="jsonl").text.splitlines()
    assert [json.loads(x)["title"] for x in lines] == ["=HYPERLINK(1)"]
    reviews = get(cast, cast.sponsor, f"{path}/reviews", format="jsonl").text.splitlines()
    (review,) = [json.loads(x) for x in reviews]
    assert review["scores"] == {"originality": 0.5, "feasibility": 1.0, "fun": 0.0}
    assert review["weighted_total"] == 55.0
    csv_reviews = get(cast, cast.sponsor, f"{path}/reviews").text
    assert "score:originality" in csv_reviews.splitlines()[0]
    assert_problem(get(cast, cast.reviewer, f"{path}/entries"), 404, "not_found")
    assert get(cast, cast.sponsor, f"{path}/votes").status_code in (400, 404, 422)
