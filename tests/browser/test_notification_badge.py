"""The header's unread badge in a real browser: htmx asks for it again every 20 s
(the page's clock is Playwright's, fast-forwarded: no test waits 20 s), and after an
event recorded elsewhere (here: an invitation to review, recorded by the application
while the person's page stays open) it shows the new count without a page load."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from playwright.sync_api import expect

from openinno.domain.values import ChallengeSpec, Criterion, Prize, Voting
from tests.browser.conftest import Served
from tests.browser.test_story import PASSWORD, _login


def _spec() -> ChallengeSpec:
    now = datetime.now(UTC)
    return ChallengeSpec(
        title="Badge challenge",
        brief="Propose a building set that teaches a physics principle.",
        eligibility="Anyone.",
        rules="One idea per entry.",
        prizes=(Prize(1, Decimal("1000.00"), "EUR"),),
        criteria=(Criterion("originality", 60), Criterion("feasibility", 40)),
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=30),
        review_ends_at=now + timedelta(days=45),
        max_submissions_per_solver=3,
        visibility="public",
        voting=Voting("none"),
        ip_terms="assignment",
        category="toys",
        language="en",
    )


def test_the_unread_badge_updates_live_after_an_event(browser: Any, served: Served) -> None:
    app = served.app
    owner = app.register_account("bea@example.org", PASSWORD, "Bea Badge").id
    organisation = app.create_organisation(owner, "Badge Works").id
    challenge = app.draft_challenge(owner, organisation, _spec()).id
    app.publish_challenge(owner, challenge)
    reviewer = app.register_account("badge-rita@example.org", PASSWORD, "Rita Reviewer").id
    page = _login(browser, served, "badge-rita")
    page.clock.install()
    page.goto("/")
    badge = page.locator("#notification-badge")
    expect(badge).to_have_attribute("hx-trigger", "every 20s")  # swapped in on load
    expect(badge.locator(".badge.unread")).to_have_count(0)
    page.evaluate("() => { window.__noReload = 'still here'; }")

    app.invite_reviewer(owner, challenge, reviewer)  # the event, recorded elsewhere
    unread = badge.locator(".badge.unread")
    for _ in range(100):  # until the server's read side has applied it
        page.clock.fast_forward(21_000)  # htmx's next poll
        page.wait_for_timeout(100)
        if unread.count():
            break
    expect(unread).to_have_text("1")
    expect(unread).to_have_attribute("aria-label", "1 unread")
    assert page.evaluate("() => window.__noReload") == "still here"  # no page load
    page.context.close()
