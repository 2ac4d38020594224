"""Every remedy of issue 24 walked through the pages, each with a reason that the
person it affects then reads on a page of their own:

- the sponsor disqualifies an entry on its entries page; the solver reads why on "My
  submissions", appeals with a file, the sponsor answers and upholds it, and the
  solver reads the decision and finds the entry competing again;
- the winner disputes the award's agreement and the sponsor reads why; the legal
  member rescinds it and the winner reads why;
- the sponsor cancels a challenge before it opens; a visitor reads why;
- an admin deactivates an account; its holder, signing in, reads why; the admin
  reactivates it and the holder signs in again;
- the owner removes a member, with a reason; the member reads it in their
  notifications and no longer sees the organisation.

The sponsor's set-up (organisation, challenges, entries, award) is recorded through
the application directly (the pages it uses are walked by test_story.py); every
remedy and every reading of a reason goes through the pages.  Accounts are ``rw-*``:
unique to this file on the shared server."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from playwright.sync_api import expect

from openinno.domain.values import ChallengeSpec, Criterion, Prize, Voting
from tests.browser.conftest import Served, shoot
from tests.browser.test_story import PASSWORD, PDF, _context, _login


def _spec(opens: datetime, closes: datetime, title: str) -> ChallengeSpec:
    return ChallengeSpec(
        title=title,
        brief="Propose a kite that teaches lift.",
        eligibility="Adults anywhere.",
        rules="One idea per entry.",
        prizes=(Prize(1, Decimal("1000.00"), "EUR"),),
        criteria=(Criterion("originality", 100),),
        opens_at=opens,
        closes_at=closes,
        review_ends_at=closes + timedelta(days=1),
        max_submissions_per_solver=2,
        visibility="public",
        voting=Voting("none"),
        ip_terms="assignment",
        category="toys",
        language="en",
    )


def _until(page: Any, path: str, text: str, seconds: float = 15) -> None:
    """``path`` once it shows ``text`` (the server's read side follows the set-up's
    writes on its own, a moment later)."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(path)
        if text in page.locator("main").inner_text():
            return
        assert time.monotonic() < deadline, (path, text, page.locator("main").inner_text())
        time.sleep(0.2)


def test_each_remedy_and_the_appeal_thread_with_the_reasons_shown(
    browser: Any, served: Served
) -> None:
    app = served.app
    people = {
        name: app.register_account(f"rw-{name}@example.org", PASSWORD, f"{name.title()} Remedy").id
        for name in ("sam", "lee", "ada", "bob", "max", "eve", "root")
    }
    app.grant_admin_as_operator(people["root"])
    organisation = app.create_organisation(people["sam"], "Kiteworks").id
    app.add_member(people["sam"], organisation, people["lee"], "legal")
    app.add_member(people["sam"], organisation, people["max"], "manager")
    now = datetime.now(UTC)
    closes = now + timedelta(seconds=20)
    challenge = app.draft_challenge(
        people["sam"], organisation, _spec(now - timedelta(minutes=5), closes, "Kites that lift")
    ).id
    terms = app.publish_challenge(people["sam"], challenge).terms_sha256
    later = app.draft_challenge(
        people["sam"],
        organisation,
        _spec(now + timedelta(days=2), now + timedelta(days=9), "Kites for winter"),
    ).id
    app.publish_challenge(people["sam"], later)
    ada_entry = app.submit(people["ada"], challenge, "Lift lab", "A kite with a scale.", terms).id
    bob_entry = app.submit(
        people["bob"], challenge, "Tail tests", "Tails of every length.", terms
    ).id

    # --- the sponsor disqualifies Ada's entry on the entries page, with a reason ---------
    sam = _login(browser, served, "rw-sam")
    _until(sam, f"/challenges/{challenge}/entries", "Tail tests")
    row = sam.locator("tr", has_text="Lift lab")
    row.locator("summary", has_text="Disqualify").click()
    row.locator("textarea[name=reason]").fill("The kite copies a shop's product.")
    row.locator("button", has_text="Disqualify this entry").click()
    expect(sam.locator("main .notice")).to_contain_text("The entry is disqualified")
    expect(sam.locator("tr", has_text="Lift lab")).to_have_count(0)  # out of the ranking

    # --- Ada reads why, and appeals with a file ------------------------------------------
    ada = _login(browser, served, "rw-ada")
    ada.goto("/submissions/mine")
    mine = ada.locator("section.panel", has_text="Lift lab")
    expect(mine).to_contain_text("The kite copies a shop's product.")
    ada.goto("/notifications")
    expect(ada.locator("main")).to_contain_text("The kite copies a shop's product.")
    ada.goto("/submissions/mine")
    ada.locator("section.panel", has_text="Lift lab").locator(
        "text=Appeal the disqualification"
    ).click()
    ada.fill("#f-text", "My sketches predate the shop's product by a year.")
    ada.set_input_files(
        "#f-files", files=[{"name": "sketches.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    ada.click("text=File the appeal")
    expect(ada.locator("h1")).to_contain_text("Appeal")
    expect(ada.locator("#thread ~ ol")).to_contain_text("sketches.pdf")
    appeal_url = ada.url.split("?")[0]
    shoot(ada, "remedies-01-appeal-filed")

    # --- the sponsor answers and upholds it --------------------------------------------
    sam.goto(appeal_url)
    expect(sam.locator("main")).to_contain_text("My sketches predate")
    sam.fill("#f-text", "Thank you: we are checking the dates.")
    sam.click("main button:has-text('Send')")
    expect(sam.locator("main")).to_contain_text("we are checking the dates")
    sam.select_option("#f-outcome", "upheld")
    sam.fill("#f-reason", "The sketches are dated before the product.")
    sam.click("text=Decide the appeal")
    expect(sam.locator("#decision")).to_contain_text("Upheld")

    # --- Ada reads the decision; her entry competes again -------------------------------
    ada.goto(appeal_url)
    expect(ada.locator("main")).to_contain_text("The sketches are dated before the product.")
    expect(ada.locator("main")).to_contain_text("we are checking the dates")
    ada.goto("/submissions/mine")
    mine = ada.locator("section.panel", has_text="Lift lab")
    expect(mine).not_to_contain_text("Appeal the disqualification")
    expect(mine).to_contain_text("Submitted")
    assert app.get_submission(people["ada"], ada_entry).status == "submitted"

    # --- the award; Bob disputes its agreement and the sponsor reads why -----------------
    time.sleep(max(0.0, (closes - datetime.now(UTC)).total_seconds() + 1))
    app.close_review_early(people["sam"], challenge, "Review is closed.")
    agreement = app.award(
        people["sam"],
        challenge,
        [(bob_entry, 1)],
        override_reasons={bob_entry: "Awarded without review: this walk is about remedies."},
    ).agreement_ids[0]
    bob = _login(browser, served, "rw-bob")
    _until(bob, f"/agreements/{agreement}", "Tail tests")
    bob.click("text=Dispute this agreement")
    bob.fill("#f-reason", "The prize amount differs from the terms.")
    bob.click("text=Record the dispute")
    expect(bob.locator("main .notice")).to_contain_text("The dispute is recorded.")
    sam.goto(f"/agreements/{agreement}")
    expect(sam.locator("main")).to_contain_text("The prize amount differs from the terms.")

    # --- the legal member rescinds it; Bob reads why --------------------------------------
    lee = _login(browser, served, "rw-lee")
    lee.goto(f"/agreements/{agreement}")
    lee.click("text=Rescind this agreement")
    lee.fill("#f-reason", "Settled: the rights stay with the solver.")
    lee.click("text=Rescind the agreement")
    expect(lee.locator("main .notice")).to_contain_text("The agreement is rescinded.")
    bob.goto(f"/agreements/{agreement}")
    expect(bob.locator("main")).to_contain_text("Settled: the rights stay with the solver.")
    shoot(bob, "remedies-02-rescinded")

    # --- the sponsor cancels the challenge that has not opened; a visitor reads why ------
    sam.goto(f"/challenges/{later}/manage")
    sam.fill("#cancel #f-reason", "The winter campaign is postponed a year.")
    sam.click("text=Cancel the challenge")
    visitor = _context(browser, served).new_page()
    visitor.goto(f"/challenges/{later}")
    expect(visitor.locator("main")).to_contain_text("The winter campaign is postponed a year.")

    # --- an admin deactivates Eve; Eve reads why when she signs in -----------------------
    root = _login(browser, served, "rw-root")
    root.goto("/admin/accounts?q=rw-eve")
    account_row = root.locator("tr", has_text="rw-eve@example.org")
    account_row.locator("summary", has_text="Deactivate").click()
    account_row.locator("form[action$='/deactivate'] textarea[name=reason]").fill(
        "Spam in every question."
    )
    account_row.locator("button", has_text="Deactivate the account").click()
    expect(root.locator("main .notice")).to_contain_text("The account is deactivated")
    eve = _context(browser, served).new_page()
    eve.goto("/login")
    eve.fill("#f-email", "rw-eve@example.org")
    eve.fill("#f-password", PASSWORD)
    eve.click("main button[type=submit]")
    expect(eve.locator("main")).to_contain_text("Spam in every question.")
    root.goto("/admin/accounts?q=rw-eve")
    account_row = root.locator("tr", has_text="rw-eve@example.org")
    account_row.locator("summary", has_text="Reactivate").click()
    account_row.locator("form[action$='/reactivate'] textarea[name=reason]").fill(
        "A mix-up: the spam was another's."
    )
    account_row.locator("button", has_text="Reactivate the account").click()
    _login(browser, served, "rw-eve")

    # --- the owner removes a member, with a reason; the member reads it ------------------
    max_page = _login(browser, served, "rw-max")
    max_page.goto(f"/organisations/{organisation}")
    expect(max_page.locator("h1")).to_have_text("Kiteworks")
    sam.goto(f"/organisations/{organisation}")
    member = sam.locator("main li", has_text="Max Remedy")
    member.locator("summary", has_text="Remove").click()
    member.locator("input[name=reason], textarea[name=reason]").fill("Left the company.")
    member.locator("button", has_text="Remove").click()
    expect(sam.locator("main .notice")).to_contain_text("The member is removed")
    response = max_page.goto(f"/organisations/{organisation}")
    assert response is not None and response.status == 404
    _until(max_page, "/notifications", "Left the company.")
    assert re.search(r"Kiteworks", max_page.locator("main").inner_text())
    assert UUID(str(people["max"]))
