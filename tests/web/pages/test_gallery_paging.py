"""The public gallery a page at a time from SQL: every live entry once, most
supported first, and a tampered cursor is a 400, never a 500."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from web.pages import paging

BAD_CURSORS = (
    "nonsense",
    "%%%",
    "bnVsbA==",  # null
    paging.encode(("text",)),  # too short
    paging.encode((0, "2026-11-10", "x", "y")),  # too long
    paging.encode(("0", "2026-11-10", "x")),  # a string where the count goes
    paging.encode((True, "2026-11-10", "x")),  # a boolean is not a count
    paging.encode((0.5, "2026-11-10", "x")),
    paging.encode((2**64, "2026-11-10", "x")),  # past the databases' integers
    paging.encode((0, None, "x")),
    paging.encode((0, "2026-11-10", ["x"])),
    paging.encode((0, "2026-11-10\x00", "x")),  # PostgreSQL refuses NUL in text
)


def _titles(text: str) -> list[str]:
    return re.findall(r"<h2>(?:<a [^>]*>)?([^<]+)<", text)


def _next(text: str) -> str | None:
    found = re.search(r'<a rel="next" href="([^"]+)"', text)
    return found.group(1).replace("&amp;", "&") if found else None


def test_gallery_pages_cover_every_live_entry_once_in_order(web, cast, app, monkeypatch):
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    challenge_id, terms = cast.open_challenge(max_submissions_per_solver=10)
    ids = []
    for i in range(7):
        ids.append(cast.submit(challenge_id, terms, title=f"Entry number {i}"))
        cast.clock.advance(timedelta(minutes=1))
    app.withdraw_submission(cast.solver, ids[5], "Changed my mind.")
    supporter = cast.account("supporter")
    app.support(supporter, ids[3])
    seen: list[list[str]] = []
    url: str | None = f"/challenges/{challenge_id}/gallery"
    while url:
        r = web.get(url)
        assert r.status_code == 200, r.text
        seen.append(_titles(r.text))
        url = _next(r.text)
    titles = [t for page in seen for t in page]
    assert [len(page) for page in seen] == [2, 2, 2]
    # the supported entry first, then the rest oldest first; the withdrawn one left out
    assert titles == [f"Entry number {i}" for i in (3, 0, 1, 2, 4, 6)]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_a_tampered_gallery_cursor_is_a_400(web, cast, cursor):
    challenge_id, terms = cast.open_challenge()
    cast.submit(challenge_id, terms)
    r = web.get(f"/challenges/{challenge_id}/gallery", params={"cursor": cursor})
    assert r.status_code == 400, r.text


def test_the_sponsors_own_members_get_no_support_button(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    cast.submit(challenge_id, terms, title="An entry")
    cast.account("supporter")
    url = f"/challenges/{challenge_id}/gallery"
    web.login("supporter")
    assert "Support this entry" in web.get(url).text
    web.logout()
    web.login("sponsor")
    page = web.get(url)
    assert page.status_code == 200
    assert "An entry" in page.text and "Support this entry" not in page.text


def test_the_challenges_reviewer_gets_no_support_button(web, cast, app):
    challenge_id, terms = cast.open_challenge()
    cast.submit(challenge_id, terms, title="An entry")
    app.invite_reviewer(cast.sponsor, challenge_id, cast.reviewer)
    url = f"/challenges/{challenge_id}/gallery"
    web.login("reviewer")
    page = web.get(url)
    assert page.status_code == 200
    assert "An entry" in page.text and "Support this entry" not in page.text
