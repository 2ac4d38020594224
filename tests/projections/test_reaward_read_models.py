"""Re-awarding after the award (issue 24, decision 0030), read side: a campaign is
replayed, an admin disqualifies its winner after the award, the appeal window passes,
the sponsor re-awards place 1 to the runner-up (whose place 2 goes to nobody else:
it is given up with it); every read model followed incrementally equals a rebuild."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from openinno.application import OpenInno
from openinno.settings import Settings
from projections.db import Db, ReadStore
from projections.decisions.queries import decisions_page
from projections.legal import queries as legal
from projections.service import ReadSide
from tests.projections.story import run_story
from tests.projections.tables import dump
from tests.projections.test_kill_and_rebuild import clean_rebuild
from tests.support.story import Scene


def test_a_winner_disqualified_after_the_award_is_replaced_and_read_models_equal_a_rebuild(
    app: OpenInno,
    cast: Scene,
    settings: Settings,
    read_store: ReadStore,
    read_side: ReadSide,
    db: Db,
    tmp_path: Path,
):
    story = run_story(cast)
    admin = cast.account("admin")
    app.grant_admin_as_operator(admin)
    app.disqualify_submission(admin, story.winner, "Plagiarised from a catalogue.")
    cast.clock.advance(timedelta(days=8))  # the terms' appeal window (7 days) passes
    reason = "The winner was disqualified for plagiarism; the runner-up moves up."
    new = app.reaward(cast.sponsor, story.challenge, [(story.runner_up, 1)], reason)
    read_side.catch_up()

    awards = db.rows(
        "SELECT place, submission_id FROM pt_awards WHERE challenge_id = ? ORDER BY place",
        (str(story.challenge),),
    )
    assert [(r["place"], r["submission_id"]) for r in awards] == [(1, str(story.runner_up))]
    entries = {
        r["submission_id"]: (r["status"], r["award_place"])
        for r in db.rows(
            "SELECT submission_id, status, award_place FROM pt_submissions WHERE challenge_id = ?",
            (str(story.challenge),),
        )
    }
    assert entries[str(story.winner)] == ("disqualified", None)
    assert entries[str(story.runner_up)] == ("awarded", 1)

    old_steps = [r["step"] for r in legal.chain_of_title(db, story.winner)]
    assert old_steps[-3:] == ["disqualified", "award_revoked", "rescinded"]
    new_steps = [r["step"] for r in legal.chain_of_title(db, story.runner_up)]
    assert new_steps.count("awarded") == 2 and "award_revoked" in new_steps
    assert "agreement_drafted" in new_steps[new_steps.index("award_revoked") :]
    kinds = [r["kind"] for r in decisions_page(db, limit=10)]
    assert {"winners_reawarded", "award_revoked", "agreement_rescinded"} <= set(kinds)
    notified = {
        (r["account_id"], r["kind"])
        for r in db.rows("SELECT account_id, kind FROM nt_notifications")
    }
    assert (str(cast.solver), "entry_disqualified") in notified
    assert (str(cast.solver), "award_revoked") in notified
    assert (str(cast.other_solver), "awarded") in notified
    assert new.agreement_ids

    followed = dump(db)
    assert followed == clean_rebuild(settings, app, read_store, tmp_path)
