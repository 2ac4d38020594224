"""Each role in two languages (issue 25, "done when"): the visitor, the solver, the
reviewer, the sponsor, the legal member and the admin walk their main pages in
English and in Polish. On every page axe-core finds no serious or critical
violation, and the Polish pages carry no untranslated string.

"Untranslated" is derived from the catalogues, never from a hand-kept list: every
msgid whose Polish translation differs from it is split into its literal pieces
(between placeholders and markup), and a piece that appears verbatim, as whole
words, in the Polish page's text is an English string that escaped the catalogue.
Left out of the page's text: what is marked as another language (``lang``: the
binding agreement text, the language switch), machine identifiers in ``<code>``
and what is marked ``translate="no"``.  A piece that a Polish translation itself
contains (``SHA-256``, ``JSON``) proves nothing and is left out of the pieces.

The world is set up through the application (its user content is in Polish and
neutral words, so it cannot look like an untranslated English string); the pages
are only visited, except the draft form, which is sent with five invalid fields to
count five errors, each in the page's language."""

from __future__ import annotations

import functools
import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from babel.messages.pofile import read_po

from openinno.domain.values import ChallengeSpec, Criterion, Prize, Voting
from tests.browser.conftest import Accessibility, Served
from tests.browser.test_story import PASSWORD

I18N = Path(__file__).resolve().parents[2] / "web" / "i18n"
# The second language: Polish by default; OPENINNO_SECOND_LANGUAGE=es (fr, ru) walks
# another catalogue the same way.
OTHER = os.environ.get("OPENINNO_SECOND_LANGUAGE", "pl")
BROWSER_LOCALES = {"en": "en-GB", "pl": "pl-PL", "fr": "fr-FR", "es": "es-ES", "ru": "ru-RU"}
# Placeholders (%(name)s, %s, %%) and markup split a msgid into literal pieces.
SPLIT = re.compile(r"%\(\w+\)[sdf]|%[sdf%]|<[^>]*>|\n")
# A piece worth looking for has a word of three letters or more.
WORDY = re.compile(r"[A-Za-z]{3,}")


@functools.cache
def untranslated_pieces(locale: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(piece, pattern) for every literal piece of every msgid the ``locale``
    catalogue translates differently: seen in a page of that language, it is English
    that never went through the catalogue."""
    with (I18N / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read_po(f, locale=locale)
    translated: list[str] = []
    english: set[str] = set()
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        strings = tuple(s for s in strings if s)
        if not strings:
            continue
        translated.extend(strings)
        for msgid in ids:
            if msgid in strings:
                continue
            for piece in SPLIT.split(msgid):
                piece = piece.strip(" \t·:;,.()“”\"'!?–-")
                # A lone short word ("for", "of") is in any English text people enter, and
                # the served app is shared with other test files' English worlds.
                if WORDY.search(piece) and (" " in piece or len(piece) > 3):
                    english.add(piece)
    everything_translated = "\n".join(translated)
    pieces = sorted(p for p in english if not _contains(everything_translated, p))
    return tuple((p, _pattern(p)) for p in pieces)


def _pattern(piece: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(piece) + r"(?!\w)")


def _contains(text: str, piece: str) -> bool:
    return _pattern(piece).search(text) is not None


# The page's text in its own language: text nodes and the attributes people read or
# hear (placeholders, labels, titles, alternative text, button values).
PAGE_TEXT = """(lang) => {
  const out = [];
  const foreign = el => {
    const marked = el.closest('[lang]');
    return (marked && marked.getAttribute('lang').split('-')[0] !== lang)
      || el.closest('code, script, style, template, [translate=no]') !== null;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement && !foreign(node.parentElement)) out.push(node.nodeValue);
  }
  for (const el of document.querySelectorAll(
      '[placeholder], [aria-label], [title], img[alt], input[type=submit][value], input[type=button][value]')) {
    if (foreign(el)) continue;
    for (const name of ['placeholder', 'aria-label', 'title', 'alt', 'value']) {
      if (el.hasAttribute(name) && (name !== 'value' || el.type === 'submit' || el.type === 'button'))
        out.push(el.getAttribute(name));
    }
  }
  out.push(document.title);
  return out.join('\\n');
}"""


def untranslated_on(page: Any, locale: str) -> list[str]:
    """Each untranslated piece found, with the text around it."""
    text = page.evaluate(PAGE_TEXT, locale)
    found = []
    for piece, pattern in untranslated_pieces(locale):
        match = pattern.search(text)
        if match:
            around = text[max(0, match.start() - 30) : match.end() + 30].replace("\n", " ")
            found.append(f"{piece!r} in “{around}”")
    return found


@dataclass
class World:
    organisation: UUID
    open_challenge: UUID
    entry: UUID
    awarded_challenge: UUID
    winner: UUID
    agreement: UUID


def _spec(now: datetime, *, closes_at: datetime, title: str) -> ChallengeSpec:
    return ChallengeSpec(
        title=title,
        brief="Zaproponuj dach, który **chłodzi** klasę latem.\n\n* tanio\n* bezpiecznie",
        eligibility="Każdy pełnoletni.",
        rules="1. Jeden pomysł na zgłoszenie\n2. Zdjęcia lub PDF",
        prizes=(Prize(1, Decimal("25000.00"), "DKK"), Prize(2, Decimal("900.00"), "EUR")),
        criteria=(Criterion("oryginalność", 60), Criterion("koszt", 40)),
        opens_at=now - timedelta(minutes=5),
        closes_at=closes_at,
        review_ends_at=now + timedelta(days=40),
        max_submissions_per_solver=2,
        visibility="public",
        voting=Voting("public", 10),
        ip_terms="assignment",
        category="dachy",
        language="en",
        review_timing="rolling",
    )


def _world(served: Served) -> World:
    """An open challenge with a reviewed, supported entry, and an awarded one whose
    agreement is signed, countersigned and paid (its submissions close a few seconds
    after it is published)."""
    app = served.app

    def account(name: str, display: str) -> UUID:
        return app.register_account(f"{name}@example.org", PASSWORD, display).id

    sponsor = account("tongues-lena", "Lena Nowak")
    solver = account("tongues-omar", "Omar Kowalczyk")
    reviewer = account("tongues-rita", "Rita Wiśniewska")
    legal = account("tongues-lech", "Lech Zieliński")
    admin = account("tongues-ada", "Ada Wójcik")
    fan = account("tongues-filip", "Filip Mazur")
    app.grant_admin_as_operator(admin)
    organisation = app.create_organisation(sponsor, "Słoneczne Dachy").id
    app.add_member(sponsor, organisation, legal, "legal")

    now = datetime.now(UTC)
    closes = now + timedelta(seconds=4)
    awarded = app.draft_challenge(
        sponsor, organisation, _spec(now, closes_at=closes, title="Zielone dachy szkół")
    ).id
    awarded_terms = app.publish_challenge(sponsor, awarded).terms_sha256
    winner = app.submit(solver, awarded, "Mech na dachu", "Mech chłodzi dach.", awarded_terms).id

    challenge = app.draft_challenge(
        sponsor,
        organisation,
        _spec(now, closes_at=now + timedelta(days=20), title="Chłodne klasy latem"),
    ).id
    terms = app.publish_challenge(sponsor, challenge).terms_sha256
    entry = app.submit(solver, challenge, "Biały dach", "Biała farba odbija słońce.", terms).id
    app.invite_reviewer(sponsor, challenge, reviewer)
    app.accept_reviewer_invitation(reviewer, challenge)
    app.record_review(reviewer, entry, {"oryginalność": 7, "koszt": 6}, comment="Dobrze.")
    app.support(fan, entry)

    time.sleep(max(0.0, (closes - datetime.now(UTC)).total_seconds() + 0.5))
    app.close_review_early(sponsor, awarded, "Jury skończyło.")
    agreement = app.award(
        sponsor, awarded, [(winner, 1)], override_reasons={winner: "Jedyne zgłoszenie."}
    ).agreement_ids[0]
    text_sha256 = app.get_agreement(solver, agreement).text_sha256
    app.sign_agreement(solver, agreement, "Omar Kowalczyk", "Zgadzam się.", text_sha256)
    app.countersign_agreement(sponsor, agreement, "Lena Nowak", "Zgadzam się.", text_sha256)
    app.record_payment(sponsor, agreement, "PRZELEW-1")
    return World(organisation, challenge, entry, awarded, winner, agreement)


def _walks(w: World) -> dict[str, tuple[str | None, list[str]]]:
    """Each role: the account it signs in with, and its main pages."""
    c, a, o = w.open_challenge, w.awarded_challenge, w.organisation
    return {
        "visitor": (
            None,
            [
                "/",
                f"/challenges/{c}",
                f"/challenges/{c}/terms",
                f"/challenges/{c}/gallery",
                f"/challenges/{a}",
                "/login",
                "/signup",
                "/password/forgot",
            ],
        ),
        "solver": (
            "tongues-omar",
            [
                "/submissions/mine",
                f"/submissions/{w.entry}/receipt",
                f"/submissions/{w.entry}/revise",
                f"/challenges/{c}/submit",
                f"/agreements/{w.agreement}",
                "/notifications",
                "/profile",
            ],
        ),
        "reviewer": ("tongues-rita", ["/reviews", f"/reviews/{w.entry}"]),
        "sponsor": (
            "tongues-lena",
            [
                "/organisations",
                f"/organisations/{o}",
                f"/organisations/{o}/challenges/new",
                f"/challenges/{c}/manage",
                f"/challenges/{c}/entries",
                f"/challenges/{c}/assignment",
                f"/challenges/{a}/manage",
            ],
        ),
        "legal": (
            "tongues-lech",
            [
                f"/organisations/{o}/agreements",
                f"/agreements/{w.agreement}",
                f"/legal/submissions/{w.winner}",
                f"/legal/streams/{w.winner}",
                f"/legal/submissions/{w.winner}/certificate",
            ],
        ),
        "admin": ("tongues-ada", ["/admin", "/admin/accounts", "/admin/decisions", "/moderation"]),
    }


def _page(browser: Any, served: Served, locale: str) -> Any:
    context = browser.new_context(
        base_url=served.url,
        locale=BROWSER_LOCALES[locale],
        timezone_id="UTC",  # the server's default: timezone.js draws no page again
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def _sign_in(page: Any, who: str) -> None:
    page.goto("/login")
    page.fill("#f-email", f"{who}@example.org")
    page.fill("#f-password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def _in_language(page: Any, locale: str) -> None:
    """The header's language switch (the session's choice beats the profile's)."""
    if page.get_attribute("html", "lang") != locale:
        page.click(f"header button[value={locale}]")
        page.wait_for_function(f"document.documentElement.lang === '{locale}'")


def _visit(page: Any, path: str) -> None:
    """The page, once the server's read side has the set-up's events."""
    deadline = time.monotonic() + 15
    while True:
        response = page.goto(path)
        if response is not None and response.status == 200:
            return
        assert time.monotonic() < deadline, (path, response and response.status)
        time.sleep(0.2)


# 70 visits, each checked by axe: minutes on two shared cores.
@pytest.mark.timeout(1200)
def test_each_role_walks_its_pages_in_english_and_another_language(
    browser: Any, served: Served
) -> None:
    world = _world(served)
    walks = _walks(world)
    assert untranslated_pieces(OTHER), "the catalogue yields pieces to look for"
    axe = Accessibility()
    untranslated: list[str] = []
    visited = 0
    for locale in ("en", OTHER):
        for role, (who, paths) in walks.items():
            page = _page(browser, served, locale)
            if who:
                _sign_in(page, who)
            else:
                page.goto("/")
            _in_language(page, locale)
            for path in paths:
                _visit(page, path)
                assert page.get_attribute("html", "lang") == locale, (role, path)
                axe.check(page, f"{role} {path} ({locale})")
                if locale != "en":
                    found = untranslated_on(page, locale)
                    if found:
                        untranslated.append(f"{role} {path} ({locale}):\n  " + "\n  ".join(found))
                visited += 1
            page.context.close()
    assert visited == 2 * sum(len(paths) for _, paths in walks.values())
    assert len(axe.checked) == visited
    assert not untranslated and not axe.problems, "\n".join(untranslated + axe.problems)


# A weight out of range breaks the criteria's rule, reported at their first row.
DRAFT_ERRORS = ("title", "brief", "prize_1", "criterion_name_1", "closes_at")


def test_a_draft_with_five_invalid_fields_shows_five_errors_in_another_language(
    browser: Any, served: Served
) -> None:
    app = served.app
    sponsor = app.register_account("tongues-five@example.org", PASSWORD, "Pola Nowicka").id
    organisation = app.create_organisation(sponsor, "Pięć Błędów").id
    page = _page(browser, served, OTHER)
    _sign_in(page, "tongues-five")
    _in_language(page, OTHER)
    _visit(page, f"/organisations/{organisation}/challenges/new")
    now = datetime.now(UTC)
    # Every other field valid, these five not.
    page.fill("#f-category", "dachy")
    page.fill("#f-criterion_name_1", "jakosc")
    page.fill("#f-opens_at", (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#f-review_ends_at", (now + timedelta(days=45)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#f-max_submissions_per_solver", "1")
    page.fill("#f-title", "ab")
    page.fill("#f-brief", "")
    page.fill("#f-prize_1", "dużo")
    page.fill("#f-criterion_weight_1", "250")  # a number field: out of range
    page.fill("#f-closes_at", "")
    page.click("main form button[type=submit]")
    page.wait_for_selector("main p.error[id^=e-]")
    shown = page.eval_on_selector_all("main p.error[id^=e-]", "els => els.map(e => e.id)")
    assert sorted(shown) == sorted(f"e-{name}" for name in DRAFT_ERRORS), shown
    invalid = page.eval_on_selector_all("main [aria-invalid=true]", "els => els.map(e => e.name)")
    assert sorted(invalid) == sorted(DRAFT_ERRORS), invalid
    assert untranslated_on(page, OTHER) == []
    axe = Accessibility()
    axe.check(page, "draft form with five errors (pl)")
    assert not axe.problems, "\n".join(axe.problems)
    page.context.close()
