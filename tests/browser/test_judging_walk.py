"""Judging that sees the work and binds to it, walked in a real browser (issue 20,
"Done when"): the sponsor drafts on the page a challenge with a jury round after
screening and a weighted award rule (public 40 %); a solver uploads a PDF and a PNG
whose metadata name her; the screener sees the previews and downloads the blind copy
(the PDF no longer names her, under a neutral file name); the solver revises; the
screener's queue says "re-review"; the sponsor's ranking lists the entry apart; the
screener scores the new version; after the close the sponsor ends the screening
round, the jury scores the shortlist on its own rubric, the sponsor publishes the
shortlist for a public vote, the public votes, and the award follows the stated
rule: the weighted order, not the jury's alone (an award against it is refused).

Every step a person does goes through the pages.  Only the accounts and the
sponsor's organisation are made through the application, as set-up (the sign-up and
organisation pages are walked by tests/browser/test_story.py)."""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pikepdf
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Accessibility, Served, shoot
from tests.support.files import pdf_naming, png_naming

PASSWORD = "correct horse battery"
LOCAL = "%Y-%m-%dT%H:%M:%S"
SOLVER_NAME = "Ada Walkthrough"
# The time from publishing to the close of submissions: what happens before it (two
# entries, screening, a revision, a re-review) takes about a minute on a shared CI core.
OPEN_FOR = timedelta(seconds=150)


def _context(browser: Any, served: Served) -> Any:
    context = browser.new_context(base_url=served.url, locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(20_000)
    return context


def _login(browser: Any, served: Served, who: str) -> Any:
    page = _context(browser, served).new_page()
    page.goto("/login")
    page.fill("#f-email", f"{who}@example.org")
    page.fill("#f-password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("header nav")).to_contain_text("Log out")
    return page


def _entry_of(url: str) -> str:
    found = re.search(r"/submissions/([0-9a-f-]{36})/receipt", url)
    assert found, url
    return found.group(1)


def _submit(page: Any, challenge_url: str, title: str, files: list[dict[str, Any]]) -> str:
    page.goto(challenge_url)
    page.click("text=Enter this challenge")
    page.fill("#f-title", title)
    page.fill("#f-summary", f"{title}: a logo for the games.")
    page.set_input_files("#f-files", files=files)
    page.check("input[name=accept]")
    page.click("text=Submit my entry")
    expect(page.locator("h1")).to_have_text("Your receipt")
    return _entry_of(page.url)


def _until(page: Any, check: Any, what: str, seconds: float = 40) -> None:
    """Reload ``page`` until ``check()`` holds: work done in the background (previews,
    blind copies) is on the page at a later load."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.5)
        page.reload()


def _score(page: Any, entry: str, scores: tuple[str, ...], labels: tuple[str, ...]) -> None:
    page.goto(f"/reviews/{entry}")
    legend = page.locator("#score-form fieldset")
    for i, (score, label) in enumerate(zip(scores, labels, strict=True)):
        expect(legend.locator(f"label[for=f-score_{i}]")).to_contain_text(label)
        page.fill(f"#f-score_{i}", score)
    expect(page.locator("#score-form input[type=number]")).to_have_count(len(scores))
    page.click("text=Save scores")
    expect(page.locator("#score-form .notice")).to_contain_text("Saved at")


# Most of it is the wait for the close of submissions (OPEN_FOR); a loaded machine
# stretches the rest.
@pytest.mark.timeout(900)
def test_the_judging_walk(browser: Any, served: Served, axe: Accessibility) -> None:
    app = served.app
    ids = {}
    for who, name in (
        ("jw-sam", "Sam Judgewalk"),
        ("jw-ada", SOLVER_NAME),
        ("jw-bob", "Bob Judgewalk"),
        ("jw-rita", "Rita Screener"),
        ("jw-jules", "Jules Juror"),
        ("jw-v1", "Val One"),
        ("jw-v2", "Val Two"),
        ("jw-v3", "Val Three"),
    ):
        ids[who] = app.register_account(f"{who}@example.org", PASSWORD, name).id
    organisation = app.create_organisation(ids["jw-sam"], "Walkthrough Games").id
    started = datetime.now(UTC)
    closes = started + OPEN_FOR

    # --- the sponsor drafts, on the page, two rounds and a weighted award -----------------
    sponsor = _login(browser, served, "jw-sam")
    sponsor.goto(f"/organisations/{organisation}/challenges/new")
    sponsor.fill("#f-title", "A logo for the walkthrough games")
    sponsor.fill("#f-brief", "Draw the games' logo: one mark, any medium.")
    sponsor.fill("#f-prize_1", "3000")
    sponsor.fill("#f-criterion_name_1", "fit to the brief")
    sponsor.fill("#f-criterion_weight_1", "100")
    sponsor.fill("#f-opens_at", (started - timedelta(minutes=5)).strftime(LOCAL))
    sponsor.fill("#f-closes_at", closes.strftime(LOCAL))
    sponsor.fill("#f-review_ends_at", (started + timedelta(days=2)).strftime(LOCAL))
    sponsor.select_option("#f-visibility", "public")
    sponsor.select_option("#f-voting_mode", "shortlist_then_public")
    sponsor.select_option("#f-review_timing", "rolling")
    sponsor.click("#round-2 summary")  # a later round is folded until opened
    sponsor.fill("#f-round_name_2", "jury")
    sponsor.fill("#f-round_criterion_name_2_1", "originality")
    sponsor.fill("#f-round_criterion_weight_2_1", "50")
    sponsor.fill("#f-round_criterion_name_2_2", "legibility")
    sponsor.fill("#f-round_criterion_weight_2_2", "50")
    sponsor.select_option("#f-award_rule", "weighted")
    sponsor.fill("#f-public_weight", "40")
    axe.check(sponsor, "draft form with rounds")
    sponsor.click("text=Save the draft")
    expect(sponsor.locator("#award-rule")).to_contain_text("public 40%, jury 60%")
    expect(sponsor.locator("#review-rounds")).to_contain_text("Round 2: jury")
    sponsor.click("main button:has-text('Publish')")
    expect(sponsor.locator("h1")).to_have_text("A logo for the walkthrough games")
    challenge_url = sponsor.url.rstrip("/")
    challenge_id = UUID(challenge_url.rsplit("/", 1)[1])
    sponsor.goto(f"{challenge_url}/terms")
    expect(sponsor.locator("#award-rule")).to_contain_text("Jury and public together, weighted")

    # --- the sponsor invites a screener (round 1) and a juror (round 2) -------------------
    sponsor.goto(f"{challenge_url}/manage")
    for who, round_number in (("jw-rita", "1"), ("jw-jules", "2")):
        sponsor.fill("#reviewer #f-email", f"{who}@example.org")
        sponsor.select_option("#reviewer #f-round", round_number)
        sponsor.click("#reviewer button[type=submit]")
        expect(sponsor.locator("main .notice")).to_be_visible()

    # --- Ada uploads a PDF and a PNG whose metadata name her; Bob a PNG --------------------
    ada = _login(browser, served, "jw-ada")
    ada_entry = _submit(
        ada,
        challenge_url,
        "Rings of light",
        [
            {
                "name": "ada-logo.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_naming(SOLVER_NAME),
            },
            {"name": "ada-logo.png", "mimeType": "image/png", "buffer": png_naming(SOLVER_NAME)},
        ],
    )
    bob = _login(browser, served, "jw-bob")
    bob_entry = _submit(
        bob,
        challenge_url,
        "Torch in motion",
        [{"name": "bob.png", "mimeType": "image/png", "buffer": png_naming("Bob Judgewalk")}],
    )

    # --- the screener accepts, sees the previews, downloads the blind copy ----------------
    rita = _login(browser, served, "jw-rita")
    rita.goto("/reviews")
    rita.click("main button:has-text('Accept')")
    expect(rita.locator("main table")).to_contain_text("Rings of light")
    # The queue offers conflicts for several entries at once (boxes and one reason).
    expect(rita.locator("#conflicts input[name=submission_id]")).to_have_count(2)
    axe.check(rita, "review queue with conflict boxes")
    rita.goto(f"/reviews/{ada_entry}")
    _until(
        rita,
        lambda: rita.locator("img.preview").count() == 2,
        "both previews on the reviewer's form",
    )
    for image in rita.locator("img.preview").all():
        expect(image).to_be_visible()
        assert image.evaluate("i => i.complete && i.naturalWidth > 0"), "a preview did not load"
    names = rita.locator(".file-name").all_inner_texts()
    assert names == ["File 1.pdf", "File 2.png"], names  # neutral names, not the solver's
    page_text = rita.locator("main").inner_text()
    assert SOLVER_NAME not in page_text and "ada-logo" not in page_text
    shoot(rita, "judging-01-review-form-previews")
    axe.check(rita, "review form with previews")
    href = rita.locator("a:has(.file-name:text-is('File 1.pdf'))").get_attribute("href")
    blind = rita.request.get(href)  # the browser's own session
    assert blind.ok, blind.status
    assert "File 1.pdf" in blind.headers["content-disposition"]
    body = blind.body()
    assert body.startswith(b"%PDF")
    assert SOLVER_NAME.encode() not in body
    with pikepdf.open(io.BytesIO(body)) as pdf:
        assert SOLVER_NAME not in str(pdf.docinfo)
        assert "/Metadata" not in pdf.Root
    # ... while Ada downloads her own bytes, as her receipt hashed them.
    ada.goto("/submissions/mine")
    mine = ada.request.get(href).body()
    assert SOLVER_NAME.encode() in mine

    # --- the screener scores both entries (version 1) --------------------------------------
    _score(rita, ada_entry, ("8",), ("fit to the brief",))
    _score(rita, bob_entry, ("6",), ("fit to the brief",))

    # --- Ada revises; the screener's queue says "re-review" --------------------------------
    ada.goto(f"/submissions/{ada_entry}/revise")
    ada.fill("#f-summary", "Rings of light, redrawn: a completely different idea.")
    ada.click("text=Save a new version")
    expect(ada.locator("h1")).to_have_text("Your receipt")
    rita.goto("/reviews")
    row = rita.locator("main table tr", has_text="Rings of light")
    expect(row).to_contain_text("Re-review: version 2")
    expect(rita.locator("main table tr", has_text="Torch in motion")).to_contain_text("Scored")

    # --- the sponsor's ranking keeps the stale review apart ---------------------------------
    sponsor.goto(f"{challenge_url}/manage")
    apart = sponsor.locator("tr.review-stale")
    expect(apart).to_contain_text("Stale: re-review needed")
    expect(sponsor.locator("#awaiting-review")).to_be_visible()
    ranked = sponsor.locator("#ranking table").first
    expect(ranked).to_contain_text("Torch in motion")
    expect(ranked).not_to_contain_text("Rings of light")
    shoot(sponsor, "judging-02-ranking-split")
    sponsor.goto(f"{challenge_url}/entries")  # the sponsor's entries list shows the work
    expect(sponsor.locator("img.preview")).to_have_count(3)
    assert SOLVER_NAME not in sponsor.locator("main").inner_text()  # blind until reveal
    sponsor.goto(f"{challenge_url}/manage")
    axe.check(sponsor, "dashboard with the ranking split")

    # --- the screener scores version 2 -----------------------------------------------------
    rita.goto(f"/reviews/{ada_entry}")
    expect(rita.locator("main .notice").first).to_contain_text("now at version 2")
    _score(rita, ada_entry, ("9",), ("fit to the brief",))
    rita.goto("/reviews")
    expect(rita.locator("main table tr", has_text="Rings of light")).to_contain_text("Scored")

    # --- after the close: the sponsor ends the screening round with both entries ----------
    time.sleep(max(0.0, (closes - datetime.now(UTC)).total_seconds() + 1))
    sponsor.goto(f"{challenge_url}/manage")
    expect(sponsor.locator("#ranking")).to_contain_text("Review round 1 of 2")
    for entry in (ada_entry, bob_entry):
        sponsor.check(f"#ranking input[name=submission_ids][value='{entry}']")
    sponsor.click("text=End this round: the checked entries go on")
    expect(sponsor.locator("main .notice")).to_be_visible()

    # --- the juror scores the shortlist on the jury's own rubric ---------------------------
    jules = _login(browser, served, "jw-jules")
    jules.goto("/reviews")
    jules.click("main button:has-text('Accept')")
    expect(jules.locator("main table")).to_contain_text("Rings of light")
    expect(jules.locator("main table")).to_contain_text("Torch in motion")
    jury = ("originality", "legibility")
    _score(jules, ada_entry, ("9", "9"), jury)  # total 90
    _score(jules, bob_entry, ("6", "6"), jury)  # total 60
    # The screener's round is over: their form takes no more scores.
    rita.goto(f"/reviews/{ada_entry}")
    rita.fill("#f-score_0", "5")
    rita.click("text=Save scores")
    expect(rita.locator("#score-form .error").first).to_contain_text("round")

    # --- the sponsor publishes the shortlist; the public votes -----------------------------
    sponsor.goto(f"{challenge_url}/manage")
    for entry in (ada_entry, bob_entry):
        sponsor.check(f"#ranking input[name=submission_ids][value='{entry}']")
    sponsor.click("text=Publish the shortlist")
    expect(sponsor.locator("main .notice")).to_be_visible()
    for who, supported in (
        ("jw-v1", (ada_entry, bob_entry)),
        ("jw-v2", (bob_entry,)),
        ("jw-v3", (bob_entry,)),
    ):
        voter = _login(browser, served, who)
        voter.goto(f"{challenge_url}/gallery")
        if who == "jw-v1":  # the public gallery shows the work: three previews
            expect(voter.locator("img.preview")).to_have_count(3)
            for image in voter.locator("img.preview").all():
                image.scroll_into_view_if_needed()
                expect(image).to_be_visible()
        for entry in supported:
            voter.locator(f"#support-{entry} button").click()
            expect(voter.locator(f"#support-{entry} button")).to_have_attribute(
                "aria-pressed", "true"
            )
        voter.context.close()

    # --- the sponsor sees jury and public side by side, and awards by the rule -------------
    sponsor.goto(f"{challenge_url}/manage")
    sponsor.fill("#close_review #f-text", "The jury has scored and the public has voted.")
    sponsor.click("#close_review button[type=submit]")
    expect(sponsor.locator("main .notice")).to_be_visible()
    decision = sponsor.locator("#decision tbody tr")
    expect(decision).to_have_count(2)
    # weighted: 0.6 x 90/100 + 0.4 x 1/3 = 0.673 for Ada; 0.6 x 60/100 + 0.4 x 3/3 = 0.76
    expect(decision.nth(0)).to_contain_text("Torch in motion")
    expect(decision.nth(0)).to_contain_text("60")
    expect(decision.nth(1)).to_contain_text("Rings of light")
    shoot(sponsor, "judging-03-decision")
    axe.check(sponsor, "dashboard with the decision")
    # The jury alone would pick Ada; the terms weigh the public in: refused without a reason.
    sponsor.select_option("#f-place_1", ada_entry)
    sponsor.click("#award button[type=submit]")
    expect(sponsor.locator("#award")).to_contain_text("weighted rule")
    assert app.get_challenge(challenge_id).status == "published"
    sponsor.select_option("#f-place_1", bob_entry)
    sponsor.click("#award button[type=submit]")
    expect(sponsor.locator("#award")).to_contain_text("Agreement")
    challenge = app.get_challenge(challenge_id)
    assert challenge.status == "awarded"
    (award,) = challenge.awards
    assert (str(award.submission_id), award.version, award.override_reason) == (bob_entry, 1, None)
    assert not axe.problems, "\n".join(axe.problems)
