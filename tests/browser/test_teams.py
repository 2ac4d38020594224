"""Teams in a real browser (issue 21): the lead forms a team and invites two people;
one accepts (ticking the terms), one declines; the lead enters for the team and the
receipt names both authors; the one who declined still has their one entry and
uses it; after the award the member signs the agreement alongside the lead.

The sponsor's side (challenge, award) is set up through the application directly:
the pages it uses are exercised by test_story.py."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from playwright.sync_api import expect

from openinno.domain.values import ChallengeSpec, Criterion, Prize, Voting
from tests.browser.conftest import Served, shoot
from tests.browser.test_story import PASSWORD, PDF, _entry_of, _login


def _challenge(served: Served, closes: datetime) -> tuple[UUID, UUID]:
    app = served.app
    sponsor = app.register_account("tess@example.org", PASSWORD, "Tess Sponsor").id
    organisation = app.create_organisation(sponsor, "Gearworks").id
    now = datetime.now(UTC)
    spec = ChallengeSpec(
        title="Gears that teach ratios",
        brief="Propose a gear set that teaches ratios.",
        eligibility="Adults anywhere.",
        rules="One idea per entry.",
        prizes=(Prize(1, Decimal("1000.00"), "EUR"),),
        criteria=(Criterion("originality", 100),),
        opens_at=now - timedelta(minutes=5),
        closes_at=closes,
        review_ends_at=now + timedelta(days=1),
        max_submissions_per_solver=1,
        visibility="public",
        voting=Voting("none"),
        ip_terms="assignment",
        category="toys",
        language="en",
    )
    challenge = app.draft_challenge(sponsor, organisation, spec).id
    app.publish_challenge(sponsor, challenge)
    return sponsor, challenge


def _sign(page: Any, agreement_id: UUID, name: str) -> None:
    # Straight to the agreement (the award was recorded by the set-up, behind the
    # server's read side: "My submissions" would list it a moment later).
    page.goto(f"/agreements/{agreement_id}")
    expect(page.locator("pre.agreement-text")).to_contain_text("Gear ratio garden")
    page.fill("#f-typed_name", name)
    page.check("input[name=intent]")
    page.click("text=Sign the agreement")
    expect(page.locator("main .notice")).to_contain_text("signature is recorded")


def test_a_team_forms_by_consent_enters_together_and_signs_together(
    browser: Any, served: Served
) -> None:
    app = served.app
    for name in ("lina", "ana", "dan"):
        app.register_account(f"{name}@example.org", PASSWORD, name.title() + " Example")
    closes = datetime.now(UTC) + timedelta(seconds=40)
    sponsor, challenge_id = _challenge(served, closes)

    # --- the lead forms a team and invites two people by address ------------------------
    lina = _login(browser, served, "lina")
    lina.goto(f"/challenges/{challenge_id}/teams/new")
    lina.fill("#f-name", "Ratio lab")
    lina.fill("#f-invitees", "ana@example.org\ndan@example.org")
    lina.click("text=Form the team")
    expect(lina.locator("h1")).to_have_text("Ratio lab")
    team_url = lina.url.split("?")[0]
    shoot(lina, "teams-01-formed")

    # --- one accepts with the terms, one declines --------------------------------------------
    ana = _login(browser, served, "ana")
    ana.goto(team_url)
    ana.check("input[name=accept]")
    ana.click("text=Join the team")
    expect(ana.locator("main .notice")).to_contain_text("You are on the team.")
    dan = _login(browser, served, "dan")
    dan.goto(team_url)
    dan.click("main button:has-text('Decline')")
    dan.goto(team_url)
    assert "Ratio lab" not in dan.locator("main").inner_text()  # no longer his to see

    # --- the lead enters for the team: the receipt names both authors -----------------------
    lina.goto(f"/challenges/{challenge_id}/submit")
    expect(lina.locator("input[name=team_id]")).to_be_checked()
    lina.fill("#f-title", "Gear ratio garden")
    lina.fill("#f-summary", "Gears of every size, in a garden of ratios.")
    lina.set_input_files(
        "#f-files", files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    lina.check("input[name=accept]")
    lina.click("text=Submit my entry")
    expect(lina.locator("h1")).to_have_text("Your receipt")
    expect(lina.locator("main")).to_contain_text("Lina Example, Ana Example")
    entry = UUID(_entry_of(lina.url))
    shoot(lina, "teams-02-receipt")

    # --- the one who declined still has his one entry ----------------------------------------
    dan.goto(f"/challenges/{challenge_id}/submit")
    dan.fill("#f-title", "Dan's gears")
    dan.fill("#f-summary", "A gear set of my own.")
    dan.check("input[name=accept]")
    dan.click("text=Submit my entry")
    expect(dan.locator("h1")).to_have_text("Your receipt")

    # --- after the deadline the sponsor awards; both authors sign -------------------------
    time.sleep(max(0.0, (closes - datetime.now(UTC)).total_seconds() + 1))
    # (review closed early and the award's reason recorded: this story is about teams)
    app.close_review_early(sponsor, challenge_id, "Review is closed.")
    reason = {entry: "Awarded without review: this story is about teams."}
    agreement_id = app.award(
        sponsor, challenge_id, [(entry, 1)], override_reasons=reason
    ).agreement_ids[0]
    for page, name in ((ana, "Ana Example"), (lina, "Lina Example")):
        _sign(page, agreement_id, name)
    agreement = app.get_agreement(sponsor, agreement_id)
    assert agreement.all_authors_signed
    assert set(agreement.assignor_signatures) == set(agreement.authors)
    assert len(agreement.authors) == 2
