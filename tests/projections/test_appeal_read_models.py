"""Results re-derived after an appeal (issue 24): a disqualified entry leaves the
ranking and the review counts, comes back when its appeal is upheld, and every read
model the log gives incrementally equals a rebuild from zero."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from openinno.application import OpenInno
from openinno.settings import Settings
from projections.db import Db, ReadStore
from projections.decisions.queries import decisions_page
from projections.legal import queries as legal
from projections.reviewers.queries import review_progress, scored_entries_page
from projections.service import ReadSide
from tests.projections.story import run_story
from tests.projections.tables import dump
from tests.projections.test_kill_and_rebuild import clean_rebuild
from tests.support.story import Scene


def ranked(db: Db, challenge_id) -> list[str]:
    return [r["submission_id"] for r in scored_entries_page(db, challenge_id, after=None, limit=10)]


def test_an_upheld_appeal_puts_the_entry_back_and_read_models_equal_a_rebuild(
    app: OpenInno,
    cast: Scene,
    settings: Settings,
    read_store: ReadStore,
    read_side: ReadSide,
    db: Db,
    tmp_path: Path,
):
    story = run_story(cast, award=False)
    read_side.catch_up()
    before = ranked(db, story.challenge)
    assert str(story.winner) in before
    live = review_progress(db, story.challenge)

    app.disqualify_submission(cast.sponsor, story.winner, "Copied from a catalogue.")
    read_side.catch_up()
    assert str(story.winner) not in ranked(db, story.challenge)
    assert review_progress(db, story.challenge) != live

    appeal_id = app.appeal_submission(cast.solver, story.winner, "disqualification", "Mine.").id
    app.answer_appeal(cast.sponsor, appeal_id, "Show us the originals.")
    app.decide_appeal(cast.sponsor, appeal_id, "upheld", "The sketches predate the catalogue.")
    # A moderation appeal, rejected: nothing comes back.
    hidden = app.ask_question(cast.public, story.challenge, "Cheap watches?").id
    app.hide_question(cast.sponsor, story.challenge, hidden, "An advert.")
    cast.clock.advance(timedelta(days=1))
    moderation = app.appeal_moderation(cast.public, story.challenge, hidden, "Not spam.").id
    app.decide_appeal(cast.sponsor, moderation, "rejected", "It is an advert.")
    read_side.catch_up()

    assert ranked(db, story.challenge) == before
    assert review_progress(db, story.challenge) == live
    steps = [r["step"] for r in legal.chain_of_title(db, story.winner)]
    assert steps[-5:] == [
        "disqualified",
        "appeal_lodged",
        "appeal_answered",
        "appeal_decided",
        "reinstated",
    ]
    kinds = [r["kind"] for r in decisions_page(db, limit=5)]
    assert kinds[:4] == ["appeal_rejected", "question_hidden", "entry_reinstated", "appeal_upheld"]
    notified = {
        (r["account_id"], r["kind"])
        for r in db.rows("SELECT account_id, kind FROM nt_notifications WHERE kind LIKE 'appeal%'")
    }
    assert (str(cast.sponsor), "appeal_filed") in notified
    assert (str(cast.solver), "appeal_answered") in notified
    assert (str(cast.solver), "appeal_decided") in notified
    assert (str(cast.public), "appeal_decided") in notified
    assert (str(cast.sponsor), "appeal_decided") not in notified  # the decider

    followed = dump(db)
    assert followed == clean_rebuild(settings, app, read_store, tmp_path)
