"""The sponsor's entries page, paged in SQL in the ranking's order: following the
next-page links lists every live entry once, ranks numbered on across pages; a
cursor that is not one the page gave out is a 400."""

from __future__ import annotations

import base64
import json
import re
from html import unescape

from tests.web.pages.conftest import reviewed_challenge
from web.pages import paging


def test_the_entries_pages_walk_the_ranking(web, cast, app, monkeypatch):
    titles = [f"Entry number {i}" for i in range(5)]
    challenge_id, entries = reviewed_challenge(web, app, cast, titles)
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)

    url = f"/challenges/{challenge_id}/entries"
    listed: list[str] = []
    ranks: list[str] = []
    pages = 0
    while url:
        page = web.get(url)
        assert page.status_code == 200
        pages += 1
        table = page.text.split("<tbody>")[1].split("</tbody>")[0]
        rows = table.split("<tr>")[1:]
        listed += [next(str(e) for e in entries if f"/legal/submissions/{e}" in r) for r in rows]
        ranks += [re.search(r"<td>(\d+)</td>", r).group(1) for r in rows]  # type: ignore[union-attr]
        found = re.search(r'<a rel="next" href="([^"]+)"', page.text)
        url = unescape(found.group(1)) if found else ""
    assert pages == 3
    assert listed[:2] == [str(entries[3]), str(entries[1])]  # the reviewed, best first
    assert sorted(listed) == sorted(str(e) for e in entries)
    assert ranks == ["1", "2", "3", "4", "5"]

    for bad in (["x"], [1, 1, "a", 0.0, 1, "t", "s"], [1, 2, 0.0, 0.0, 1, "t", "s"]):
        cursor = base64.urlsafe_b64encode(json.dumps(bad).encode()).decode()
        response = web.get(f"/challenges/{challenge_id}/entries?cursor={cursor}")
        assert response.status_code == 400
