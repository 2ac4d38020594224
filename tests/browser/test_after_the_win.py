"""After the win in a real browser (issue 29): on the agreement page of a won entry
whose terms promise a royalty, the sponsor commits to produce, reports two sales,
issues the statement computed from them and records its payout; the solver then reads
every figure on the same page, and the chain of title lists the steps.

The challenge, the award and the signatures are set up through the application: the
pages they use are walked by test_story.py and test_teams.py."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from playwright.sync_api import expect

from openinno.domain.values import AfterTheWin, ChallengeSpec, Criterion, Prize, RoyaltyTerms
from tests.browser.conftest import Accessibility, Served, shoot
from tests.browser.test_story import PASSWORD, _login


def _won_with_a_royalty(served: Served) -> UUID:
    app = served.app
    sponsor = app.register_account("rhea@example.org", PASSWORD, "Rhea Sponsor").id
    solver = app.register_account("royo@example.org", PASSWORD, "Royo Solver").id
    organisation = app.create_organisation(sponsor, "Kitebrick").id
    now = datetime.now(UTC)
    spec = ChallengeSpec(
        title="Kites that teach lift",
        brief="Propose a kite kit that teaches lift.",
        prizes=(Prize(1, Decimal("800.00"), "EUR"),),
        criteria=(Criterion("originality", 100),),
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(seconds=4),
        review_ends_at=now + timedelta(days=1),
        visibility="private",
        ip_terms="assignment",
        after_the_win=AfterTheWin(royalty=RoyaltyTerms(Decimal("2"), "quarter", "EUR")),
    )
    challenge = app.draft_challenge(sponsor, organisation, spec).id
    terms = app.publish_challenge(sponsor, challenge).terms_sha256
    entry = app.submit(solver, challenge, "Delta kite kit", "Lift you can feel.", terms).id
    while datetime.now(UTC) <= spec.closes_at:
        time.sleep(0.2)
    app.close_review_early(sponsor, challenge, "Judged.")
    (agreement,) = app.award(
        sponsor, challenge, [(entry, 1)], override_reasons={entry: "A browser test."}
    ).agreement_ids
    text = app.get_agreement(sponsor, agreement).text_sha256
    app.sign_agreement(solver, agreement, "Royo Solver", "I sign.", text)
    app.countersign_agreement(sponsor, agreement, "Rhea Sponsor", "We sign.", text)
    app.record_payment(sponsor, agreement, "WIRE-KITE-1")
    return agreement


def test_the_sponsor_reports_sales_and_pays_the_royalty_the_solver_reads_it(
    browser: Any, served: Served, axe: Accessibility
) -> None:
    agreement = _won_with_a_royalty(served)
    url = f"/agreements/{agreement}"

    sponsor = _login(browser, served, "rhea")
    sponsor.goto(url)
    section = sponsor.locator("#after-the-win")
    expect(section).to_contain_text("2% of net sales, stated each quarter")
    axe.check(sponsor, "agreement-after-the-win")

    sponsor.fill("#aw-production-on", "2027-03-01")
    sponsor.fill("#aw-production-note", "Spring catalogue.")
    sponsor.click("text=Commit to produce")
    expect(sponsor.locator("#after-the-win .notice")).to_contain_text("Production is updated")

    # A period the agreement does not use comes back beside its field.
    sponsor.fill("#aw-report-period", "2027-03")
    sponsor.fill("#aw-report-units", "10")
    sponsor.fill("#aw-report-net_sales", "100.00")
    sponsor.fill("#aw-report-currency", "EUR")
    sponsor.click("text=Record the sales report")
    expect(sponsor.locator("#aw-e-report-period")).to_contain_text("2027-Q1")
    for units, amount, note in (("400", "11996.00", "Shops"), ("100", "2999.00", "Online")):
        sponsor.fill("#aw-report-period", "2027-Q1")
        sponsor.fill("#aw-report-units", units)
        sponsor.fill("#aw-report-net_sales", amount)
        sponsor.fill("#aw-report-currency", "EUR")
        sponsor.fill("#aw-report-note", note)
        sponsor.click("text=Record the sales report")
        expect(sponsor.locator("#after-the-win .notice")).to_contain_text(
            "sales report is recorded"
        )
    sponsor.fill("#aw-state-period", "2027-Q1")
    sponsor.click("text=Issue the statement")
    expect(sponsor.locator("table.royalty-statements")).to_contain_text("€299.90")
    payout = sponsor.locator("form[action$='/payouts']")
    expect(payout.locator("input[name=amount]")).to_have_value("299.90")
    payout.locator("input[name=reference]").fill("ROY-KITE-Q1")
    payout.locator("button").click()
    expect(sponsor.locator("#after-the-win .notice")).to_contain_text("payout is recorded")
    axe.check(sponsor, "agreement-royalty-paid")
    shoot(sponsor, "after-the-win-01-sponsor")

    solver = _login(browser, served, "royo")
    solver.goto(url)
    section = solver.locator("#after-the-win")
    expect(section).to_contain_text("Committed to produce")
    expect(section.locator("table.sales-reports tbody tr")).to_have_count(2)
    expect(section.locator("table.royalty-statements")).to_contain_text("€14,995.00")
    expect(section).to_contain_text("ROY-KITE-Q1")
    expect(solver.locator("form[action$='/sales']")).to_have_count(0)
    shoot(solver, "after-the-win-02-solver")
    solver.click("main a[href^='/legal/submissions/']")
    expect(solver.locator("ol.chain")).to_contain_text("Royalty paid")
    expect(solver.locator("ol.chain")).to_contain_text("Committed to produce")
    assert not axe.problems, axe.problems
