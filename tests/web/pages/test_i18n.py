"""Every msgid the templates and page code use is in every catalogue, translated
(except English, whose msgids are the text), with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from web.pages.i18n import I18N_DIR, LOCALES

ROOT = Path(__file__).resolve().parents[3]
METHODS = [("web/templates/**.html", "jinja2"), ("web/pages/**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def used_msgids() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map=METHODS,
        keywords=KEYWORDS,
        options_map={"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        found.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    return found


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
