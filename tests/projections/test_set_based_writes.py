"""On PostgreSQL a batch's run of one statement (pseudonyms, review totals, support
counts, upserts, updates) is written as one set-based statement; replaying a busy log
one event per batch (one statement each) must give the same tables as pages of many.
The same comparison covers the two ways a review's total is computed: in Python when
the review started in the same batch (pages of many), in SQL otherwise (pages of one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from openinno.application import OpenInno
from openinno.settings import Settings
from projections.db import ReadStore, open_db
from projections.writes import SET_BASED
from tests.benchmarks.bench_projections import write_log
from tests.projections.conftest import drop_read_schema
from tests.projections.test_kill_and_rebuild import other_store, rebuilt


@pytest.mark.slow
def test_pages_of_one_event_and_of_many_give_the_same_tables(
    app: OpenInno, settings: Settings, read_store: ReadStore, tmp_path: Path
):
    expected = write_log(app, 1_500)
    assert expected.submissions >= SET_BASED and expected.reviews >= SET_BASED
    many = rebuilt(settings, app, read_store, batch_size=1_000)
    single_store = other_store(read_store, tmp_path)
    try:
        single = rebuilt(settings, app, single_store, batch_size=1)
    finally:
        drop_read_schema(single_store)
    assert many == single
    db = open_db(read_store)
    try:
        (counts,) = db.rows(
            "SELECT COUNT(*) AS entrants, COUNT(DISTINCT challenge_id) AS challenges,"
            " MAX(number) AS highest FROM rv_pseudonyms"
        )
        scored = db.rows("SELECT total FROM rv_reviews WHERE scores IS NOT NULL")
        supported = db.rows("SELECT 1 FROM pt_submissions WHERE support_count > 0")
    finally:
        db.close()
    assert counts["entrants"] >= SET_BASED and counts["highest"] >= 2
    assert scored and all(r["total"] is not None for r in scored)
    assert supported
