"""Visual regression (issue 25): screenshots of main pages at a phone's and a laptop's
width, compared with references committed in tests/browser/references, so that a
layout breakage fails a test. What changes from run to run (hashes, times) is masked;
the data is fixed (absolute dates far ahead).

The comparison allows a small share of differing pixels (anti-aliasing); a page whose
size changed, or more than that share, fails. ``OPENINNO_UPDATE_REFERENCES=1`` writes
new references after an intended change (review them before committing); under CI a
missing reference fails."""

from __future__ import annotations

import io
import os
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from openinno.domain.values import ChallengeSpec, Criterion, Prize, Voting
from tests.browser.conftest import IN_CI, Served
from tests.browser.test_story import PASSWORD

REFERENCES = Path(__file__).resolve().parent / "references"
WIDTHS = (390, 1280)
# A pixel differs when a channel moves by more than this; a page may have this share
# of differing pixels (text anti-aliasing varies slightly).
CHANNEL_TOLERANCE = 24
PIXEL_SHARE = 0.002


def _challenge(served: Served, sponsor_email: str = "vera@example.org") -> str:
    app = served.app
    sponsor = app.register_account(sponsor_email, PASSWORD, "Vera Sponsor").id
    organisation = app.create_organisation(sponsor, "Lakeside Toys").id
    spec = ChallengeSpec(
        title="Marble runs that teach gravity",
        brief="Design a marble run that a class of ten-year-olds builds in an hour.\n\n"
        "* Cheap parts\n* Safe for children\n* Shows **potential energy** at work",
        eligibility="Teachers and designers anywhere.",
        rules="1. One idea per entry\n2. Photos or a PDF, at most 10 MB each",
        prizes=(Prize(1, Decimal("5000.00"), "EUR"), Prize(2, Decimal("1500.00"), "EUR")),
        criteria=(Criterion("originality", 50), Criterion("cost", 30), Criterion("fun", 20)),
        opens_at=datetime(2026, 1, 1, 9, tzinfo=UTC),
        closes_at=datetime(2099, 12, 31, 12, tzinfo=UTC),
        review_ends_at=datetime(2100, 1, 31, 12, tzinfo=UTC),
        max_submissions_per_solver=3,
        visibility="public",
        voting=Voting("public", 500),
        ip_terms="exclusive_licence",
        category="toys",
        language="en",
    )
    challenge = app.draft_challenge(sponsor, organisation, spec).id
    app.publish_challenge(sponsor, challenge)
    return str(challenge)


def _shot(page: Any) -> Image.Image:
    masks = [page.locator("code.hash"), page.locator("time"), page.locator(".deadlines .muted")]
    png = page.screenshot(full_page=True, animations="disabled", caret="hide", mask=masks)
    return Image.open(io.BytesIO(png)).convert("RGB")


def differs(shot: Image.Image, reference: Image.Image) -> str | None:
    """Why the screenshot is not the reference, or None when it matches."""
    if shot.size != reference.size:
        return f"size {shot.size} against the reference's {reference.size}"
    difference = ImageChops.difference(shot, reference).convert("L")
    changed = sum(difference.point(lambda v: 255 if v > CHANNEL_TOLERANCE else 0).histogram()[255:])
    share = changed / (shot.size[0] * shot.size[1])
    if share > PIXEL_SHARE:
        return f"{share:.2%} of the pixels differ (at most {PIXEL_SHARE:.2%})"
    return None


def _pages(challenge: str) -> dict[str, str]:
    return {
        "challenge": f"/challenges/{challenge}",
        "terms": f"/challenges/{challenge}/terms",
        "login": "/login",
        "signup": "/signup",
    }


def _visit(browser: Any, served: Served, width: int) -> Any:
    context = browser.new_context(
        base_url=served.url,
        viewport={"width": width, "height": 900},
        locale="en-GB",
        timezone_id="UTC",
        device_scale_factor=1,
    )
    context.set_default_timeout(15_000)
    return context


def _until_served(page: Any, path: str) -> None:
    """The page, once the server's read side has the set-up's events (it follows the
    log on its own; a challenge made a moment ago may not be found yet)."""
    deadline = time.monotonic() + 15
    while True:
        response = page.goto(path)
        if response is not None and response.status == 200:
            return
        assert time.monotonic() < deadline, (path, response and response.status)
        time.sleep(0.2)


def test_main_pages_look_as_their_references(browser: Any, served: Served) -> None:
    challenge = _challenge(served)
    update = os.environ.get("OPENINNO_UPDATE_REFERENCES") == "1"
    problems: list[str] = []
    written: list[str] = []
    for width in WIDTHS:
        context = _visit(browser, served, width)
        page = context.new_page()
        for name, path in _pages(challenge).items():
            _until_served(page, path)
            shot = _shot(page)
            reference = REFERENCES / f"{name}-{width}.png"
            if update or not reference.exists():
                if IN_CI and not update:
                    problems.append(f"{reference.name}: no reference committed")
                    continue
                REFERENCES.mkdir(exist_ok=True)
                shot.save(reference)
                written.append(reference.name)
                continue
            why = differs(shot, Image.open(reference).convert("RGB"))
            if why:
                shot.save(reference.with_suffix(".actual.png"))
                problems.append(f"{name} at {width}px: {why} (see {reference.stem}.actual.png)")
        context.close()
    assert not problems, "\n".join(problems)
    if written and not update:
        pytest.skip(f"references written (review and commit them): {', '.join(written)}")


def test_a_layout_breakage_is_caught(browser: Any, served: Served) -> None:
    # The check itself: the same page with its main column's padding changed differs.
    challenge = _challenge(served, "vic@example.org")
    context = _visit(browser, served, 1280)
    page = context.new_page()
    _until_served(page, f"/challenges/{challenge}")
    before = _shot(page)
    assert differs(_shot(page), before) is None  # the same page matches itself
    # (through the CSSOM: the pages' CSP rightly refuses an injected style sheet)
    page.evaluate("() => { document.querySelector('main').style.padding = '3rem 1rem'; }")
    assert differs(_shot(page), before) is not None
    context.close()
