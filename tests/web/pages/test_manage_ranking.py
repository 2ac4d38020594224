"""The sponsor's dashboard lists the ranking's first MANAGE_RANKING entries, not the
whole ranking of a huge challenge; asked for (``?candidates=all``), or when a
shortlist or award comes back refused, every reviewed entry and at least
MANAGE_CANDIDATES, to shortlist or award one further down."""

from __future__ import annotations

import re

import pytest
from babel.numbers import format_decimal

from tests.web.pages.conftest import reviewed_challenge
from web.pages import manage


def _ranking(text: str) -> str:
    return text.split('id="ranking"')[1].split('id="award"')[0]


def _award(text: str) -> str:
    return text.split('id="award"')[1].split('id="announce"')[0]


def test_the_dashboard_lists_the_first_entries_and_every_reviewed_one_on_request(
    web, cast, app, monkeypatch
):
    titles = [f"Entry number {i}" for i in range(5)]
    challenge_id, entries = reviewed_challenge(web, app, cast, titles)
    url = f"/challenges/{challenge_id}/manage"
    every_link = f'href="{url}?candidates=all#ranking"'

    def listed(query: str = "", part=_ranking) -> tuple[list[str], str]:
        page = web.get(url + query)
        assert page.status_code == 200
        text = part(page.text)
        found = [str(e) for e in entries if f'value="{e}"' in text]
        return sorted(found, key=lambda e: text.index(f'value="{e}"')), page.text  # page order

    monkeypatch.setattr(manage, "MANAGE_RANKING", 1)
    monkeypatch.setattr(manage, "MANAGE_CANDIDATES", 1)
    shown, text = listed()
    assert shown == [str(entries[3])]  # the best only
    assert listed(part=_award)[0] == [str(entries[3])]  # the award's candidates: the same
    assert every_link in text and "Showing ranks 1 to 1." in text
    # every reviewed entry, beyond the first ones, in the ranking and the award form
    shown, text = listed("?candidates=all")
    assert shown == [str(entries[3]), str(entries[1])]
    assert listed("?candidates=all", _award)[0] == shown
    assert every_link not in text and "Every reviewed entry, and at least ranks 1 to 1." in text
    monkeypatch.setattr(manage, "MANAGE_CANDIDATES", 3)
    shown, _ = listed("?candidates=all")
    assert len(shown) == 3 and shown[:2] == [str(entries[3]), str(entries[1])]

    monkeypatch.setattr(manage, "MANAGE_RANKING", 4)
    assert len(listed()[0]) == 4
    monkeypatch.setattr(manage, "MANAGE_RANKING", 5)  # all of them: no link
    shown, text = listed()
    assert len(shown) == 5 and every_link not in text
    # the rest stay on the paged entries page
    assert web.get(f"/challenges/{challenge_id}/entries").status_code == 200


def test_a_refused_award_lists_every_candidate_and_keeps_a_choice_beyond_the_first(
    web, cast, app, monkeypatch
):
    challenge_id, entries = reviewed_challenge(
        web, app, cast, ["Entry A", "Entry B", "Entry C", "Entry D"]
    )
    monkeypatch.setattr(manage, "MANAGE_RANKING", 1)
    monkeypatch.setattr(manage, "MANAGE_CANDIDATES", 1)
    # the second-ranked entry, listed only with every candidate, for both places: refused
    r = web.post(
        f"/challenges/{challenge_id}/award",
        {"place_1": str(entries[1]), "place_2": str(entries[1])},
    )
    assert r.status_code == 400
    award = _award(r.text)
    assert f'<option value="{entries[1]}" selected>' in award
    assert f'<option value="{entries[3]}">' in award


@pytest.mark.parametrize("locale", ["en", "pl", "fr", "es", "ru"])
def test_scores_are_written_as_babel_writes_them(locale):
    values = [0.0, -0.0, -0.0001, 0.0005, 0.0015, 0.0625, 1.0005, 2.0015, 99.9995, 100.0]
    values += [1234.5, -1234.5678, 1e-7, 12345678.9, 55.5555, -2.12345, 0.1 + 0.2]
    values += [v / 7 for v in range(-700, 701, 13)]
    rows = [{"mean_total": v, "normalised_score": -v} for v in values]
    rows.append({"mean_total": None, "normalised_score": None})
    manage.number_texts(rows, locale)
    for v, r in zip(values, rows, strict=False):
        assert r["mean_text"] == format_decimal(v, locale=locale), v
        assert r["normalised_text"] == format_decimal(-v, locale=locale), v
    assert rows[-1]["mean_text"] == rows[-1]["normalised_text"] == ""


def test_the_ranking_shows_the_scores_in_the_viewers_language(web, cast, app):
    challenge_id, _ = reviewed_challenge(
        web, app, cast, ["Entry A", "Entry B", "Entry C", "Entry D"]
    )
    web.post("/language", {"locale": "pl", "next": "/"})
    ranking = _ranking(web.get(f"/challenges/{challenge_id}/manage").text)
    cells = re.findall(r"<td>(-?\d+(?:,\d+)?)</td>", ranking)
    assert any("," in c for c in cells), cells  # a decimal comma
    # each shortlist box is labelled with its entry, in the viewer's language
    labels = re.findall(r'aria-label="([^"]*)"', ranking)
    assert len(labels) == 4 and all(
        re.fullmatch(r"Na krótką listę: Uczestnik \d+", label) for label in labels
    ), labels
