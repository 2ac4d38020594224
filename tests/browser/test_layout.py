"""No page scrolls sideways (issue 25, look and feel): every main page, for each role
that sees it, at a phone's width (390 px) and a laptop's (1280 px). The content is
made to provoke it: a long title, SHA-256 hashes, long unbroken words, tables.

The data is set up through the application directly; the pages are only visited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from openinno.domain.values import ChallengeSpec, Criterion, Prize, Voting
from tests.browser.conftest import Served
from tests.browser.test_story import PASSWORD

WIDTHS = (390, 1280)
LONG_WORD = "Supercalifragilisticexpialidocious-photovoltaic-antireflection-nanocoating"


def _world(served: Served) -> dict[str, Any]:
    app = served.app
    sponsor = app.register_account("layout-lena@example.org", PASSWORD, "Lena Sponsor").id
    solver = app.register_account("layout-omar@example.org", PASSWORD, "Omar Solver").id
    reviewer = app.register_account("layout-rita@example.org", PASSWORD, "Rita Reviewer").id
    organisation = app.create_organisation(sponsor, "Sunworks International Cooperative").id
    now = datetime.now(UTC)
    spec = ChallengeSpec(
        title=f"Cheaper solar panels for rural schools: {LONG_WORD}",
        brief=f"Propose a way to make panels cheaper. {LONG_WORD} " * 3,
        eligibility="Adults anywhere.",
        rules=f"* One idea per entry\n* Cite sources like https://example.org/{LONG_WORD}",
        prizes=(Prize(1, Decimal("250000.00"), "DKK"), Prize(2, Decimal("100000.00"), "DKK")),
        criteria=(Criterion("originality", 60), Criterion("feasibility", 40)),
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(days=20),
        review_ends_at=now + timedelta(days=40),
        max_submissions_per_solver=2,
        visibility="public",
        voting=Voting("public", 10_000),
        ip_terms="assignment",
        category="energy",
        language="en",
        review_timing="rolling",
    )
    challenge = app.draft_challenge(sponsor, organisation, spec).id
    terms = app.publish_challenge(sponsor, challenge).terms_sha256
    entry = app.submit(solver, challenge, f"Panel {LONG_WORD}", f"{LONG_WORD} " * 5, terms).id
    app.invite_reviewer(sponsor, challenge, reviewer)
    app.accept_reviewer_invitation(reviewer, challenge)
    return {"challenge": challenge, "entry": entry, "organisation": organisation}


def _pages(w: dict[str, Any]) -> dict[str, list[str]]:
    c, e, o = w["challenge"], w["entry"], w["organisation"]
    return {
        "": [
            "/",
            f"/challenges/{c}",
            f"/challenges/{c}/terms",
            f"/challenges/{c}/gallery",
            "/login",
            "/signup",
        ],
        "layout-omar": [
            "/submissions/mine",
            f"/submissions/{e}/receipt",
            f"/challenges/{c}/submit",
            f"/submissions/{e}/revise",
            "/notifications",
            "/profile",
            f"/challenges/{c}/teams/new",
        ],
        "layout-rita": ["/reviews", f"/reviews/{e}"],
        "layout-lena": [
            f"/organisations/{o}",
            f"/challenges/{c}/manage",
            f"/challenges/{c}/entries",
            f"/organisations/{o}/agreements",
            f"/organisations/{o}/challenges/new",
        ],
    }


def _overflow(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
          const root = document.documentElement;
          const wide = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1
                          && !el.closest('.table-wrap, pre, details:not([open])'))
            .slice(0, 4).map(el => el.tagName + '#' + (el.id || el.getAttribute('for') || el.className)
                          + '@' + Math.round(el.getBoundingClientRect().right));
          return {scroll: root.scrollWidth, width: root.clientWidth, wide};
        }"""
    )


def test_no_page_scrolls_sideways_on_a_phone_or_a_laptop(browser: Any, served: Served) -> None:
    world = _world(served)
    problems: list[str] = []
    visited = 0
    for who, paths in _pages(world).items():
        for width in WIDTHS:
            context = browser.new_context(
                base_url=served.url,
                viewport={"width": width, "height": 800},
                locale="en-GB",
                timezone_id="UTC",
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            if who:
                page.goto("/login")
                page.fill("#f-email", f"{who}@example.org")
                page.fill("#f-password", PASSWORD)
                page.click("main button[type=submit]")
                page.wait_for_url(lambda url: "/login" not in url)
            for path in paths:
                response = page.goto(path)
                assert response is not None and response.status == 200, (path, response)
                found = _overflow(page)
                visited += 1
                if found["scroll"] > found["width"]:
                    problems.append(f"{path} at {width}px ({who or 'anonymous'}): {found}")
            context.close()
    assert visited == 2 * sum(len(p) for p in _pages(world).values())
    assert not problems, "\n".join(problems)
