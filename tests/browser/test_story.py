"""The whole story in a real browser: the sponsor signs up, creates an organisation,
drafts and publishes a challenge; two solvers submit (one up to its limit of one
entry, the other from a browser with JavaScript off); a public supporter supports
an entry (htmx updates the count in place); the sponsor invites two reviewers and
a legal member; the reviewers accept and score blind; after the deadline the
sponsor awards; the winner signs the agreement; the sponsor countersigns and
records payment; the legal member sees the chain of title end in
ownership_transferred.  Then a language switch.  On the way, axe-core checks the
main pages: no serious or critical accessibility violation.

Every step goes through the pages.  Only the cast's other accounts (solvers,
supporter, reviewers, legal member) are registered through the application
directly, as set-up: the sign-up page itself is exercised by the sponsor."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Accessibility, Served, shoot

PASSWORD = "correct horse battery"
PDF = b"%PDF-1.4\n% a small but real-looking pdf\n"
LOCAL = "%Y-%m-%dT%H:%M:%S"


def _context(browser: Any, served: Served, *, javascript: bool = True) -> Any:
    # UTC like the server's default: timezone.js finds nothing to change and never
    # draws a page again (tests/browser/test_htmx.py checks that no page reloads).
    context = browser.new_context(
        base_url=served.url, java_script_enabled=javascript, locale="en-GB", timezone_id="UTC"
    )
    context.set_default_timeout(15_000)
    return context


def _login(browser: Any, served: Served, who: str, *, javascript: bool = True) -> Any:
    page = _context(browser, served, javascript=javascript).new_page()
    page.goto("/login")
    page.fill("#f-email", f"{who}@example.org")
    page.fill("#f-password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("header nav")).to_contain_text("Log out")
    return page


def _submit(page: Any, challenge_url: str, title: str) -> Any:
    page.goto(challenge_url)
    page.click("text=Enter this challenge")
    page.fill("#f-title", title)
    page.fill("#f-summary", f"{title}: a building set that shows a principle of physics.")
    page.set_input_files(
        "#f-files", files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.check("input[name=accept]")
    page.click("text=Submit my entry")
    return page


def _entry_of(receipt_url: str) -> str:
    found = re.search(r"/submissions/([0-9a-f-]{36})/receipt", receipt_url)
    assert found, receipt_url
    return found.group(1)


def test_the_whole_story(browser: Any, served: Served, axe: Accessibility) -> None:
    app = served.app
    for name in ("ada", "bob", "pat", "rita", "rex", "lee"):
        app.register_account(f"{name}@example.org", PASSWORD, name.title() + " Example")
    started = datetime.now(UTC)
    closes = started + timedelta(seconds=45)

    # --- the sponsor signs up, creates an organisation, drafts and publishes ----------------
    sponsor = _context(browser, served).new_page()
    sponsor.goto("/")
    shoot(sponsor, "01-home")
    axe.check(sponsor, "home")
    sponsor.click("text=Sign up")
    axe.check(sponsor, "sign up")
    sponsor.fill("#f-email", "sam@example.org")
    sponsor.fill("#f-display_name", "Sam Sponsor")
    sponsor.fill("#f-password", PASSWORD)
    sponsor.fill("#f-password_again", PASSWORD)
    sponsor.click("text=Create my account")
    sponsor.click("header >> text=Organisations")
    sponsor.fill("#f-name", "Brickworks")
    sponsor.click("main button[type=submit]")
    expect(sponsor.locator("h1")).to_have_text("Brickworks")
    organisation_url = sponsor.url
    axe.check(sponsor, "organisation")
    sponsor.click("text=Draft a challenge")
    axe.check(sponsor, "draft form")
    sponsor.fill("#f-title", "Bricks that teach physics")
    sponsor.fill("#f-brief", "Propose a building set that teaches a **physics** principle.")
    sponsor.fill("#f-rules", "One idea per entry.")
    sponsor.fill("#f-eligibility", "Adults anywhere.")
    sponsor.fill("#f-category", "toys")
    sponsor.fill("#f-prize_1", "5000")
    sponsor.fill("#f-criterion_name_1", "originality")
    sponsor.fill("#f-criterion_weight_1", "60")
    sponsor.fill("#f-criterion_name_2", "feasibility")
    sponsor.fill("#f-criterion_weight_2", "40")
    sponsor.fill("#f-opens_at", (started - timedelta(minutes=5)).strftime(LOCAL))
    sponsor.fill("#f-closes_at", closes.strftime(LOCAL))
    sponsor.fill("#f-review_ends_at", (started + timedelta(days=1)).strftime(LOCAL))
    sponsor.fill("#f-max_submissions_per_solver", "1")
    sponsor.select_option("#f-visibility", "public")
    sponsor.select_option("#f-voting_mode", "public")
    sponsor.fill("#f-voting_threshold", "1")
    # Reviewers score while entries come in (the story is short); the default waits for
    # the close of submissions.
    sponsor.select_option("#f-review_timing", "rolling")
    sponsor.click("text=Save the draft")
    expect(sponsor.locator("main")).to_contain_text("Bricks that teach physics")
    sponsor.click("main button:has-text('Publish')")
    expect(sponsor.locator("h1")).to_have_text("Bricks that teach physics")
    challenge_url = sponsor.url
    challenge_id = challenge_url.rstrip("/").rsplit("/", 1)[1]
    shoot(sponsor, "02-challenge")
    axe.check(sponsor, "challenge")

    # --- two solvers submit: Ada up to her limit of one, Bob without JavaScript -------------
    ada = _login(browser, served, "ada")
    _submit(ada, challenge_url, "Pendulum park")
    expect(ada.locator("h1")).to_have_text("Your receipt")
    ada_entry = _entry_of(ada.url)
    shoot(ada, "03-receipt")
    axe.check(ada, "receipt")
    _submit(ada, challenge_url, "Pendulum park, again")
    expect(ada.locator("main .error").first).to_be_visible()  # the limit: one entry
    assert "/receipt" not in ada.url

    bob = _login(browser, served, "bob", javascript=False)
    _submit(bob, challenge_url, "Lever lab")
    expect(bob.locator("h1")).to_have_text("Your receipt")
    bob_entry = _entry_of(bob.url)

    # --- a public supporter supports Ada's entry: htmx swaps the count in place -------------
    pat = _login(browser, served, "pat")
    pat.goto(f"{challenge_url}/gallery")
    card = pat.locator(f"#support-{ada_entry}")
    expect(card.locator("strong")).to_have_text("0")
    gallery_url = pat.url
    card.locator("button").click()
    expect(pat.locator(f"#support-{ada_entry} strong")).to_have_text("1")
    expect(pat.locator(f"#support-{ada_entry} button")).to_have_attribute("aria-pressed", "true")
    assert pat.url == gallery_url  # no navigation: htmx did it
    shoot(pat, "04-gallery")
    axe.check(pat, "gallery")

    # --- the sponsor invites two reviewers and a legal member --------------------------------
    sponsor.goto(f"{challenge_url}/manage")
    for who in ("rita", "rex"):
        sponsor.fill("#reviewer #f-email", f"{who}@example.org")
        sponsor.click("#reviewer button[type=submit]")
        expect(sponsor.locator("main .notice")).to_be_visible()
    sponsor.goto(organisation_url)
    sponsor.fill("#f-email", "lee@example.org")
    sponsor.select_option("#f-role", "legal")
    sponsor.click("main button:has-text('Add member')")
    expect(sponsor.locator("main")).to_contain_text("Lee Example")

    # --- two reviewers accept and score blind ------------------------------------------------
    for who, scores in (("rita", ("8", "7")), ("rex", ("6", "9"))):
        reviewer = _login(browser, served, who)
        reviewer.goto("/reviews")
        reviewer.click("main button:has-text('Accept')")
        expect(reviewer.locator("main table")).to_contain_text("Entrant 1")
        queue = reviewer.locator("main").inner_text()
        assert "Ada Example" not in queue and "Bob Example" not in queue  # blind
        for entry in (ada_entry, bob_entry):
            reviewer.goto(f"/reviews/{entry}")
            reviewer.fill("#f-score_0", scores[0])
            reviewer.fill("#f-score_1", scores[1])
            if who == "rita" and entry == ada_entry:
                shoot(reviewer, "05-review-form")
                axe.check(reviewer, "review form")
            reviewer.click("text=Save scores")
            expect(reviewer.locator("main .notice")).to_be_visible()
        reviewer.context.close()

    # --- after the deadline the sponsor closes review, announced, and awards ------------------
    time.sleep(max(0.0, (closes - datetime.now(UTC)).total_seconds() + 1))
    sponsor.goto(f"{challenge_url}/manage")
    expect(sponsor.locator("svg")).to_have_count(3)
    sponsor.fill("#close_review #f-text", "The jury has finished; the winner follows.")
    sponsor.click("#close_review button[type=submit]")
    expect(sponsor.locator("main .notice")).to_be_visible()
    sponsor.select_option("#f-place_1", ada_entry)
    sponsor.click("#award button[type=submit]")
    expect(sponsor.locator("#award")).to_contain_text("Agreement")
    shoot(sponsor, "06-dashboard")
    axe.check(sponsor, "dashboard")
    assert app.get_challenge(__import__("uuid").UUID(challenge_id)).status == "awarded"

    # --- the winner signs --------------------------------------------------------------------
    ada.goto("/submissions/mine")
    ada.click("text=Your award's agreement")
    expect(ada.locator("pre.agreement-text")).to_contain_text("Pendulum park")
    agreement_url = ada.url
    axe.check(ada, "agreement")
    ada.fill("#f-typed_name", "Ada Example")
    ada.check("input[name=intent]")
    ada.click("text=Sign the agreement")
    expect(ada.locator("main .notice")).to_contain_text("signature is recorded")
    shoot(ada, "07-agreement-signed")
    ada.goto(challenge_url)
    expect(ada.locator("#results")).to_contain_text("Pendulum park")

    # --- the sponsor countersigns and records the payment -----------------------------------
    sponsor.goto(agreement_url)
    sponsor.fill("#f-typed_name", "Sam Sponsor")
    sponsor.check("input[name=intent]")
    sponsor.click("main button:has-text('Countersign')")
    expect(sponsor.locator("main .notice")).to_be_visible()
    sponsor.fill("#f-reference", "TRX-2026-001")
    sponsor.click("main button:has-text('Record payment')")
    expect(sponsor.locator("main")).to_contain_text("rights transferred")

    # --- legal sees the chain of title with ownership transferred ---------------------------
    lee = _login(browser, served, "lee")
    lee.goto(organisation_url)
    lee.click("main >> text=Agreements")
    lee.click("text=Chain of title")
    expect(lee.locator("ol.chain")).to_contain_text("ownership_transferred")
    shoot(lee, "08-chain-of-title")
    axe.check(lee, "chain of title")

    # --- a language switch in the header -----------------------------------------------------
    lee.click("header button[value=pl]")
    expect(lee.locator("html")).to_have_attribute("lang", "pl")
    expect(lee.locator("header nav")).to_contain_text("Wyzwania")
    lee.click("header button[value=en]")
    expect(lee.locator("html")).to_have_attribute("lang", "en")
    assert len(axe.checked) == 11
    assert not axe.problems, "\n".join(axe.problems)
