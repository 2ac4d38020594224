"""Cursor pagination runs in SQL (keyset): every list walked a page at a time on
SQLite and PostgreSQL gives each item once, in order, while items are added
between pages; a tampered cursor is a 422 problem, never a 500."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from projections.db import open_db
from projections.legal.queries import AGREEMENT_STATE_SQL, agreement_state
from tests.web.api.conftest import Cast, User, assert_problem, sign_up
from tests.web.api.test_read_models import _ok, _transfer
from tests.web.api.test_read_models import world as world  # the fixture, re-exported
from web.api.pagination import encode_cursor
from web.readside import read_store_for


def _walk(
    get: Callable[..., Any],
    key: str,
    limit: int,
    between: Callable[[int], None] = lambda _: None,
) -> tuple[list[Any], list[dict[str, Any]]]:
    """Every page of a list: the items' ``key`` in the order sent, and the pages."""
    seen: list[Any] = []
    pages: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        got = _ok(get(**params))
        pages.append(got)
        assert len(got["items"]) <= limit
        seen += [item[key] for item in got["items"]]
        cursor = got["next_cursor"]
        if cursor is None:
            return seen, pages
        assert got["items"], "a page with a next cursor is never empty"
        between(len(pages))
        assert len(pages) < 100


def _assert_walk(before: list[Any], walked: list[Any], after: list[Any]) -> None:
    assert len(walked) == len(set(walked)), f"duplicates: {walked}"
    assert set(before) <= set(walked), f"gaps: {set(before) - set(walked)}"
    assert set(walked) <= set(after)
    assert walked == [i for i in after if i in set(walked)], "out of order"


@pytest.fixture
def busy(cast: Cast, read_side: Any) -> tuple[str, str]:
    """An open challenge with a reviewer and five entries from five solvers."""
    challenge, terms = cast.open_challenge()
    c = cast.client
    _ok(
        c.post(
            f"/api/v1/challenges/{challenge}/reviewers",
            json={"account_id": cast.reviewer.id},
            headers=cast.sponsor.auth,
        ),
        201,
    )
    _ok(c.post(f"/api/v1/challenges/{challenge}/reviewers/accept", headers=cast.reviewer.auth))
    for i in range(5):
        cast.submit(challenge, terms, who=sign_up(c, f"solver{i}"), title=f"Entry {i}")
        cast.clock.advance(timedelta(minutes=1))
    return challenge, terms


def _late_entries(cast: Cast, challenge: str, terms: str) -> Callable[[int], None]:
    solvers: list[User] = []

    def add(n: int) -> None:
        solvers.append(sign_up(cast.client, f"late{n}"))
        cast.clock.advance(timedelta(minutes=1))
        cast.submit(challenge, terms, who=solvers[-1], title=f"Late {n}")

    return add


def test_entries_walked_in_pages_while_entries_arrive(cast, read_side, busy):
    challenge, terms = busy
    url = f"/api/v1/challenges/{challenge}/submissions"

    def get(**params: Any) -> Any:
        read_side.catch_up()
        return cast.client.get(url, headers=cast.sponsor.auth, params=params)

    before = [i["id"] for i in _ok(get(limit=100))["items"]]
    assert len(before) == 5
    walked, pages = _walk(get, "id", 2, _late_entries(cast, challenge, terms))
    after = [i["id"] for i in _ok(get(limit=100))["items"]]
    _assert_walk(before, walked, after)
    # Entries submitted after the cursor's position sort after it: the walk reaches them.
    assert len(walked) > len(before) and len(pages) >= 3


def test_the_review_queue_walked_in_pages_while_entries_arrive(cast, read_side, busy):
    challenge, terms = busy

    def get(**params: Any) -> Any:
        read_side.catch_up()
        return cast.client.get("/api/v1/reviews", headers=cast.reviewer.auth, params=params)

    before = [i["submission_id"] for i in _ok(get(limit=100))["items"]]
    assert len(before) == 5
    walked, _ = _walk(get, "submission_id", 2, _late_entries(cast, challenge, terms))
    after = [i["submission_id"] for i in _ok(get(limit=100))["items"]]
    _assert_walk(before, walked, after)
    assert len(after) > len(before)


def test_a_streams_history_walked_one_event_at_a_time_while_it_grows(cast, read_side, busy):
    challenge, _ = busy
    url = f"/api/v1/streams/{challenge}/history"

    def get(**params: Any) -> Any:
        read_side.catch_up()
        return cast.client.get(url, headers=cast.sponsor.auth, params=params)

    def announce(n: int) -> None:
        if n <= 3:
            _ok(
                cast.client.post(
                    f"/api/v1/challenges/{challenge}/announcements",
                    json={"text": f"News {n}"},
                    headers=cast.sponsor.auth,
                ),
                201,
            )

    before = [i["version"] for i in _ok(get(limit=100))["items"]]
    walked, _ = _walk(get, "version", 1, announce)
    after = [i["version"] for i in _ok(get(limit=100))["items"]]
    _assert_walk(before, walked, after)
    assert walked == list(range(1, len(before) + 4))


def test_chain_of_title_and_agreements_walked_in_pages(world):
    w = world
    _transfer(w)
    url = f"/api/v1/submissions/{w.winner}/chain-of-title"
    whole = _ok(w.get(url, w.legal))
    walked, pages = _walk(lambda **p: w.get(url, w.legal, **p), "position", 1)
    assert walked == [s["position"] for s in whole["items"]] and len(pages) >= 4
    # Whether ownership passed is a fact of the whole chain, on every page.
    assert all(p["ownership_transferred"] is True for p in pages)

    # Agreements, one a page, while another challenge's award drafts one more.
    cast = w.cast
    opened = [cast.open_challenge(title=f"Gears {n}") for n in range(2)]
    entries = [
        [cast.submit(c, terms, who=who, title="Gearbox") for who in (cast.solver, cast.other)]
        for c, terms in opened
    ]
    cast.clock.advance(timedelta(days=30))

    def award(n: int) -> None:
        # Review closed early, announced, and the unreviewed entries awarded with a reason:
        # this test is about paging.
        _ok(
            cast.client.post(
                f"/api/v1/challenges/{opened[n][0]}/review/close",
                json={"text": "Review is closed."},
                headers=cast.sponsor.auth,
            )
        )
        awards = [
            {"submission_id": e, "place": p, "override_reason": "Not reviewed: a paging test."}
            for p, e in enumerate(entries[n], start=1)
        ]
        _ok(
            cast.client.post(
                f"/api/v1/challenges/{opened[n][0]}/awards",
                json={"awards": awards},
                headers=cast.sponsor.auth,
            ),
            201,
        )

    org = cast.organisation

    def agreements(**params: Any) -> Any:
        return w.get("/api/v1/agreements", w.legal, organisation_id=org, **params)

    award(0)
    before = [i["id"] for i in _ok(agreements())["items"]]
    assert len(before) == 3 and before[0] == w.agreement
    walked, pages = _walk(agreements, "id", 1, lambda n: award(1) if n == 1 else None)
    after = [i["id"] for i in _ok(agreements())["items"]]
    _assert_walk(before, walked, after)
    assert len(after) == 5 and walked == after and len(pages) == 5
    # In one state, filtered in SQL: the four new ones wait for signatures.
    waiting, _ = _walk(lambda **p: agreements(state="awaiting_signature", **p), "id", 1)
    assert waiting == after[1:]
    transferred = _ok(agreements(state="transferred"))["items"]
    assert [(i["id"], i["state"]) for i in transferred] == [(w.agreement, "transferred")]
    assert _ok(agreements(state="awaiting_payment"))["items"] == []


def _tampered(kind: str) -> list[str]:
    return [
        "not-a-cursor",
        "%%%",
        encode_cursor("someone-else", ("x",)),
        encode_cursor(kind, ()),
        encode_cursor(kind, ("x", "y", "z", "w", "v", "u")),
        encode_cursor(kind, (True,)),
        encode_cursor(kind, ({"a": 1},)),
        encode_cursor(kind, (2**70,)),
        encode_cursor(kind, (None, None)),
        encode_cursor(kind, ("2026-01-01", 5)),
        encode_cursor(kind, ("a", "b", "c", "d", "e")),
    ]


def test_tampered_cursors_are_422_problems_on_every_list(world):
    w = world
    org = w.cast.organisation
    lists: list[tuple[str, User, dict[str, Any], str]] = [
        (
            f"/api/v1/challenges/{w.challenge}/submissions",
            w.cast.sponsor,
            {},
            f"entries:{w.challenge}",
        ),
        ("/api/v1/reviews", w.cast.reviewer, {}, "reviews"),
        (f"/api/v1/streams/{w.challenge}/history", w.legal, {}, f"history:{w.challenge}"),
        (f"/api/v1/submissions/{w.winner}/chain-of-title", w.legal, {}, f"chain:{w.winner}"),
        ("/api/v1/agreements", w.legal, {"organisation_id": org}, f"agreements:{org}:"),
        (
            f"/api/v1/challenges/{w.challenge}/ranking",
            w.cast.sponsor,
            {},
            f"ranking:{w.challenge}",
        ),
        ("/api/v1/challenges", w.cast.solver, {}, "challenges:closing"),
    ]
    for url, who, params, kind in lists:
        for cursor in _tampered(kind):
            r = w.get(url, who, cursor=cursor, **params)
            assert_problem(r, 422, "invalid_input", field="cursor")


def test_agreement_states_in_sql_match_the_python_rule(settings, read_side):
    """agreements_page filters on AGREEMENT_STATE_SQL: it must agree with
    agreement_state for every combination of the flags it reads."""
    db = open_db(read_store_for(settings))
    try:
        flags = ("rescinded", "disputed", "transferred", "countersigned")
        for values in itertools.product((0, 1), repeat=4):
            for signatures, authors in ((0, 1), (1, 1), (1, 2), (2, 2)):
                row = dict(zip(flags, values, strict=True))
                row |= {"signatures": signatures, "authors": authors}
                columns = ", ".join(f"CAST(? AS INTEGER) AS {name}" for name in row)
                got = db.rows(
                    f"SELECT {AGREEMENT_STATE_SQL} AS state FROM (SELECT {columns}) AS t",
                    list(row.values()),
                )
                assert got[0]["state"] == agreement_state(row), row
    finally:
        db.close()
