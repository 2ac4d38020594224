"""The sponsor's dashboard lists the shortlist and award candidates, not the whole
ranking of a huge challenge: every reviewed entry, at least MANAGE_RANKING in all."""

from __future__ import annotations

from tests.web.pages.conftest import reviewed_challenge
from web.pages import manage


def test_the_dashboard_lists_reviewed_entries_and_the_first_few(web, cast, app, monkeypatch):
    titles = [f"Entry number {i}" for i in range(5)]
    challenge_id, entries = reviewed_challenge(web, app, cast, titles)

    def listed(cap: int) -> list[str]:
        monkeypatch.setattr(manage, "MANAGE_RANKING", cap)
        page = web.get(f"/challenges/{challenge_id}/manage")
        assert page.status_code == 200
        text = page.text.split('id="ranking"')[1].split('id="award"')[0]
        return [str(e) for e in entries if f'value="{e}"' in text]

    assert listed(1) == [str(entries[1]), str(entries[3])]  # the reviewed ones, beyond the cap
    assert len(listed(3)) == 3 and {str(entries[1]), str(entries[3])} <= set(listed(3))
    assert len(listed(100)) == 5
    # the rest stay on the paged entries page
    assert web.get(f"/challenges/{challenge_id}/entries").status_code == 200
