"""Every msgid the templates and page code use is in every catalogue, translated
(except English, whose msgids are the text), with the same placeholders.  The
domain's error messages count too: they are extracted from the source (every
DomainError constructor's template, every ``Term`` and ``N_`` constant), never
listed by hand."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from openinno.domain.errors import Term
from web.i18n_catalogue import PLACEHOLDER, domain_messages, used_msgids
from web.pages.i18n import I18N_DIR, LOCALES


def test_domain_messages_are_templates_with_named_parameters():
    found, built = domain_messages()
    assert len(found) > 200
    assert {"%(what)s cannot be empty.", "The title", "No challenge with id %(id)s."} <= found
    assert not built, "messages built at run time cannot be translated: " + "\n".join(built)


def test_the_templates_use_translatable_strings():
    assert len(used_msgids()) > 100


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_has_every_msgid_translated(locale):
    with (I18N_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=locale)
    missing = sorted(m for m in used_msgids() if m not in catalog)
    assert not missing, f"{locale} misses {missing}"
    if locale == "en":
        return
    untranslated = sorted(m.id for m in catalog if m.id and (not m.string or m.fuzzy))
    assert not untranslated, f"{locale} has untranslated {untranslated}"
    for message in catalog:
        if message.id:
            assert set(PLACEHOLDER.findall(str(message.id))) == set(
                PLACEHOLDER.findall(str(message.string))
            ), (locale, message.id)


@pytest.mark.parametrize(
    ("locale", "word"),
    [
        ("en", "Challenges"),
        ("pl", "Wyzwania"),
        ("fr", "Défis"),
        ("es", "Retos"),
        ("ru", "Конкурсы"),
    ],
)
def test_pages_render_in_each_language(web, locale, word):
    web.post("/language", {"locale": locale, "next": "/"})
    page = web.get("/")
    assert f'<html lang="{locale}">' in page.text and word in page.text
    assert web.get("/nowhere").text.count("<h1>") == 1


def test_a_domain_error_shows_in_the_viewers_language(web):
    """The template and the Term in it both translated; the English stays the
    error's message (logs, the console)."""
    web.post("/language", {"locale": "pl", "next": "/"})
    page = web.post(
        "/signup",
        {
            "email": "nowy@example.org",
            "display_name": "Ada\x07",
            "locale": "pl",
            "time_zone": "UTC",
            "password": "correct horse battery",
            "password_again": "correct horse battery",
        },
    )
    assert page.status_code == 400
    assert "Pole „Nazwa wyświetlana” zawiera znaki sterujące." in page.text
    assert "contains control characters" not in page.text


def test_numbers_in_a_message_follow_the_locale():
    from openinno.domain.errors import InvalidInput
    from web.pages.i18n import localise

    error = InvalidInput(
        "%(what)s is limited to %(max)s characters.", what=Term("The brief"), max=100_000
    )
    assert error.message == "The brief is limited to 100,000 characters."
    assert localise(error, "fr") == "Le champ « Énoncé » est limité à 100\u202f000 caractères."
    assert localise(error, "en") == error.message


def test_the_draft_form_names_each_currency_in_the_viewers_language(web, cast):
    web.login("sponsor")
    web.post("/language", {"locale": "pl", "next": "/"})
    page = web.get(f"/organisations/{cast.organisation}/challenges/new").text
    assert '<option value="DKK" >DKK · korona duńska</option>' in page
    assert '<option value="EUR" selected>EUR · euro</option>' in page
