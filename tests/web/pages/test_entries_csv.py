"""The sponsor downloads every entry as CSV, in the ranking's order, streamed; a title
a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

import csv
import io

from projections.sponsors import queries as sponsors
from tests.web.pages.conftest import reviewed_challenge


def test_the_csv_export_lists_every_entry_best_first(web, cast, app, monkeypatch):
    titles = ["Plain idea", '=HYPERLINK("http://evil.example")', "-1+2", "@sum", "Last"]
    challenge_id, entries = reviewed_challenge(web, app, cast, titles)
    monkeypatch.setattr(sponsors, "ranked_entries", _small_pages(sponsors.ranked_entries))

    answer = web.get(f"/challenges/{challenge_id}/entries.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="entries-{challenge_id}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["submission_id"] for r in rows[:2]] == [str(entries[3]), str(entries[1])]
    assert sorted(r["submission_id"] for r in rows) == sorted(str(e) for e in entries)
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4", "5"]
    by_id = {r["submission_id"]: r["title"] for r in rows}
    assert by_id[str(entries[0])] == "Plain idea"
    assert by_id[str(entries[1])] == '\'=HYPERLINK("http://evil.example")'
    assert by_id[str(entries[2])] == "'-1+2"
    assert by_id[str(entries[3])] == "'@sum"
    assert float(rows[1]["normalised_score"]) < 0  # numbers stay numbers
    assert "Entrant" in rows[0]["pseudonym"]
    page = web.get(f"/challenges/{challenge_id}/entries")
    assert f'href="/challenges/{challenge_id}/entries.csv"' in page.text


def _small_pages(ranked_entries):
    """Pages of 2 rows, so the export streams several chunks."""

    def paged(db, challenge_id, *, page=500):
        return ranked_entries(db, challenge_id, page=2)

    return paged
