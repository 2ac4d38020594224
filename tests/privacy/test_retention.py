"""Retention (decision 0032): a vote's IP address and user agent are shredded once its
challenge closed more than OPENINNO_VOTE_NETWORK_RETENTION_DAYS ago, by the same
shredding as an erasure; the vote still counts, and the read models agree with a rebuild."""

from __future__ import annotations

from datetime import timedelta

from openinno.domain.personal import ERASED
from projections.db import open_db
from tests.projections.tables import dump
from tests.projections.test_kill_and_rebuild import clean_rebuild
from tests.support.story import scene
from web.personal_data_cli import retain


def votes(read_store):
    db = open_db(read_store)
    try:
        rows = db.rows("SELECT voter_id, address, network, user_agent FROM vt_votes")
        return {r["voter_id"]: (r["address"], r["network"], r["user_agent"]) for r in rows}, dump(
            db
        )
    finally:
        db.close()


def test_vote_signals_are_shredded_after_the_retention_period(
    app, clock, settings, read_store, read_side, tmp_path
):
    s = scene(app, clock)
    challenge, terms = s.open_challenge()
    entry = s.submit(challenge, terms)
    app.support(s.public, entry, "198.51.100.9", "RetainedBrowser/2")
    app.support(s.reviewer, entry)  # no signals: nothing to shred
    read_side.start()

    def settled():
        assert read_side.wait_until(app.recorder.max_notification_id(), timeout=60)
        return votes(read_store)

    assert retain(app, settings) == 0  # the challenge is open
    held, _ = settled()
    assert held[str(s.public)] == ("198.51.100.9", "198.51.100.0/24", "RetainedBrowser/2")
    clock.advance(timedelta(days=28 + settings.vote_network_retention_days - 1))
    assert retain(app, settings) == 0  # closed, but not long enough
    clock.advance(timedelta(days=2))
    assert retain(app, settings) == 1
    assert retain(app, settings) == 0  # once
    held, followed = settled()
    read_side.stop()
    assert held[str(s.public)] == (ERASED, "", ERASED)
    assert held[str(s.reviewer)] == ("", "", "")
    db = open_db(read_store)
    try:
        [row] = db.rows(
            "SELECT support_count FROM pt_submissions WHERE submission_id = ?", (str(entry),)
        )
    finally:
        db.close()
    assert row["support_count"] == 2  # both still count
    assert followed == clean_rebuild(settings, app, read_store, tmp_path)
