"""The agreement page: the binding text in its template's language, and beside it,
for a reader of another language, a translation marked as not binding."""

from __future__ import annotations

from openinno.domain.ip_templates import CURRENT_VERSION, current_template
from openinno.domain.ip_translations import READING_TRANSLATIONS, reading_translation
from openinno.domain.values import LOCALES
from tests.web.pages.test_solver_flows import _awarded


def test_every_current_template_has_a_reading_translation_in_every_other_language():
    for kind, version in CURRENT_VERSION.items():
        template = current_template(kind)
        for locale in LOCALES:
            translation = reading_translation(kind, version, template.language, locale)
            assert (translation is None) == (locale == template.language), (kind, locale)


def test_no_translation_for_another_version_or_the_binding_language():
    assert ("assignment", 1, "pl") in READING_TRANSLATIONS
    assert reading_translation("assignment", 2, "en", "pl") is None
    assert reading_translation("assignment", 1, "pl", "pl") is None


def test_the_page_shows_the_binding_text_and_a_translation_marked_not_binding(web, cast, app):
    _challenge, _submission, agreement_id = _awarded(cast, app)
    agreement = app.get_agreement(cast.solver, agreement_id)
    web.login("solver")
    web.post("/language", {"locale": "pl", "next": "/"})
    page = web.get(f"/agreements/{agreement_id}").text
    assert '<pre class="agreement-text" tabindex="0" lang="en">' in page
    assert agreement.text.splitlines()[0] in page  # the binding text, untouched
    assert "Tłumaczenie do czytania" in page and "Nie jest wiążące." in page
    assert '<pre class="agreement-text" tabindex="0" lang="pl">' in page
    assert "Autor przenosi na Sponsora" in page or "Autor udziela Sponsorowi" in page
    web.post("/language", {"locale": "en", "next": "/"})
    english = web.get(f"/agreements/{agreement_id}").text
    assert 'class="reading-translation"' not in english
