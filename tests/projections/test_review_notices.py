"""Review notices (issue 23): an accepted reviewer hears of each new entry to review;
a reviewer who scored an entry hears when it is revised (their review is stale,
decision 0022); in each of the five languages."""

from __future__ import annotations

from collections import Counter

import pytest

from openinno.application import OpenInno
from openinno.settings import Settings
from projections.db import Db, ReadStore, open_db
from projections.notifications import PROJECTION
from tests.support.story import Scene
from web.pages import notices
from web.pages.i18n import LOCALES
from web.readside import read_side_for

sqlite_only = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


def caught_up(settings: Settings, app: OpenInno, store: ReadStore) -> Db:
    side = read_side_for(settings, app, (PROJECTION,), store=store)
    side.setup()
    side.catch_up()
    return open_db(store)


def test_new_entries_and_revisions_reach_the_right_reviewers(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore
):
    critic, late = cast.account("critic"), cast.account("late")
    challenge, terms = cast.open_challenge(review_timing="rolling", title="Gears")
    for reviewer in (cast.reviewer, critic):
        app.invite_reviewer(cast.sponsor, challenge, reviewer)
        app.accept_reviewer_invitation(reviewer, challenge)
    entry = cast.submit(challenge, terms, title="Pendulum park")
    other = cast.submit(challenge, terms, solver=cast.other_solver, title="Lever lab")
    app.invite_reviewer(cast.sponsor, challenge, late)  # invited only: not yet assigned
    app.record_review(cast.reviewer, entry, {"originality": 9, "feasibility": 8, "fun": 9})
    app.record_review(cast.reviewer, entry, {"originality": 8, "feasibility": 8, "fun": 9})
    app.revise_submission(cast.solver, entry, "Pendulum park", "Now with a clock.")
    app.revise_submission(cast.other_solver, other, "Lever lab", "Longer levers.")  # unscored
    db = caught_up(settings, app, read_store)
    try:
        rows = db.rows(
            "SELECT account_id, kind, submission_id, params FROM nt_notifications"
            " WHERE kind IN ('review_assigned', 'rereview_needed')"
        )
    finally:
        db.close()
    got = Counter((r["account_id"], r["kind"]) for r in rows)
    assert got == Counter(
        {
            (str(cast.reviewer), "review_assigned"): 2,
            (str(critic), "review_assigned"): 2,
            (str(cast.reviewer), "rereview_needed"): 1,  # the critic scored nothing
        }
    )
    (stale,) = [r for r in rows if r["kind"] == "rereview_needed"]
    assert stale["submission_id"] == str(entry) and '"version":2' in stale["params"]


@pytest.mark.parametrize("kind", ["review_assigned", "rereview_needed"])
def test_the_notices_are_said_in_every_language(kind: str):
    row = {
        "kind": kind,
        "challenge_title": "Gears",
        "entry_title": "Pendulum park",
        "params": '{"version": 2}',
    }
    texts = {locale: notices.text(row, locale, "UTC") for locale in LOCALES}
    assert len(set(texts.values())) == len(LOCALES)  # none falls back to English
    for text in texts.values():
        assert ("Gears" if kind == "review_assigned" else "Pendulum park") in text
    assert notices.link(row) == "/reviews"


@sqlite_only
def test_new_entries_come_in_the_digest_unless_chosen_otherwise(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore
):
    """A reviewer of a large challenge would get a mail per entry: review_assigned
    waits for the daily digest by default; a reviewer who wants them at once says so."""
    critic = cast.account("critic")
    assert app.notification_preferences(cast.reviewer)["review_assigned"] == "daily"
    app.set_notification_preference(critic, "review_assigned", "instant")
    challenge, terms = cast.open_challenge(review_timing="rolling")
    for reviewer in (cast.reviewer, critic):
        app.invite_reviewer(cast.sponsor, challenge, reviewer)
        app.accept_reviewer_invitation(reviewer, challenge)
    cast.submit(challenge, terms)
    db = caught_up(settings, app, read_store)
    try:
        mailed = db.rows("SELECT account_id FROM nt_outbox WHERE kind = 'review_assigned'")
        waiting = db.rows("SELECT account_id FROM nt_digest_items WHERE kind = 'review_assigned'")
    finally:
        db.close()
    assert [r["account_id"] for r in mailed] == [str(critic)]
    assert [r["account_id"] for r in waiting] == [str(cast.reviewer)]
