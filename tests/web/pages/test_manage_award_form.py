"""The dashboard's award form: the candidates are rendered once for every prize's
list, and a form sent back with an error shows each list's own choice."""

from __future__ import annotations

import re

from tests.web.pages.conftest import reviewed_challenge


def selects(text: str) -> dict[str, tuple[list[str], list[str]]]:
    """Each prize's list: (every option's value, the selected ones' values)."""
    found = {}
    for name, body in re.findall(r'<select id="f-(place_\d+)"[^>]*>(.*?)</select>', text, re.S):
        values = re.findall(r'<option value="([^"]*)"', body)
        chosen = re.findall(r'<option value="([^"]*)" selected>', body)
        found[name] = (values, chosen)
    return found


def test_every_prize_lists_the_candidates_and_a_failed_form_keeps_each_choice(web, cast, app):
    challenge_id, entries = reviewed_challenge(
        web, app, cast, ["Entry A", "Entry B", "Entry C", "Entry D"]
    )
    page = web.get(f"/challenges/{challenge_id}/manage")
    lists = selects(page.text)
    assert set(lists) == {"place_1", "place_2"}
    for values, chosen in lists.values():
        assert values[0] == "" and sorted(values[1:]) == sorted(str(e) for e in entries)
        assert chosen == []
    # the same entry for both places: refused, the form comes back with both choices
    r = web.post(
        f"/challenges/{challenge_id}/award",
        {"place_1": str(entries[3]), "place_2": str(entries[3])},
    )
    assert r.status_code == 400
    assert {name: chosen for name, (_, chosen) in selects(r.text).items()} == {
        "place_1": [str(entries[3])],
        "place_2": [str(entries[3])],
    }
    r = web.post(
        f"/challenges/{challenge_id}/award",
        {"place_1": '"><script>x</script>', "place_2": str(entries[1])},
    )
    assert r.status_code == 400
    assert "<script>x" not in r.text
    assert {name: chosen for name, (_, chosen) in selects(r.text).items()} == {
        "place_1": [],
        "place_2": [str(entries[1])],
    }
