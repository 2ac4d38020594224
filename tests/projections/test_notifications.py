"""The notifications read model: who hears what, exactly once per (event, recipient,
kind) over re-applied pages and rebuilds, mails queued with them by preference, and
no author named to someone blind review keeps from knowing them."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from openinno.application import OpenInno
from openinno.settings import Settings
from projections import tracking
from projections.db import Db, ReadStore, open_db
from projections.notifications import PROJECTION
from projections.notifications import queries as notifications
from tests.projections.story import Story, run_story
from tests.support.story import Scene
from web.readside import read_side_for

sqlite_only = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


def caught_up(settings: Settings, app: OpenInno, store: ReadStore) -> Db:
    side = read_side_for(settings, app, (PROJECTION,), store=store)
    side.setup()
    side.catch_up()
    return open_db(store)


def heard(db: Db) -> Counter[tuple[str, str]]:
    rows = db.rows("SELECT account_id, kind FROM nt_notifications")
    return Counter((r["account_id"], r["kind"]) for r in rows)


def queued(db: Db) -> Counter[tuple[str, str]]:
    """The notifications' mails (the account's own mails, such as the verification
    link every sign-up queues, are tested in test_account_mails.py)."""
    rows = db.rows(
        "SELECT account_id, kind FROM nt_outbox WHERE kind NOT IN ('verify_email', 'password_reset')"
    )
    return Counter((r["account_id"], r["kind"]) for r in rows)


def the_campaign(cast: Scene) -> tuple[Story, dict[str, str]]:
    """The whole story (questions, reviewers, shortlist, award, signatures, payment),
    then a second challenge with an entrant, a team invitation, an announcement and a
    deadline moved."""
    app = cast.app
    story = run_story(cast)
    challenge, terms = cast.open_challenge(title="Second round")
    cast.submit(challenge, terms, solver=cast.other_solver, title="Spinning top")
    team = app.form_team(cast.solver, challenge, "Tops", ["other@example.org"]).id
    app.post_announcement(cast.sponsor, challenge, "Half way there.")
    app.extend_deadline(
        cast.sponsor, challenge, cast.clock.now() + timedelta(days=60), "More time."
    )
    return story, {"challenge": str(challenge), "team": str(team)}


@sqlite_only
def test_who_hears_what(app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore):
    story, _ = the_campaign(cast)
    db = caught_up(settings, app, read_store)
    try:
        got = heard(db)
    finally:
        db.close()
    s = {k: str(v) for k, v in vars(cast).items() if k not in ("app", "clock")}
    expected = Counter(
        {
            (s["solver"], "question_answered"): 1,
            (s["public"], "question_hidden"): 1,
            (s["reviewer"], "reviewer_invited"): 1,
            (str(story.second_reviewer), "reviewer_invited"): 1,
            (s["solver"], "shortlisted"): 1,
            (s["other_solver"], "shortlisted"): 1,
            (s["solver"], "awarded"): 1,
            (s["other_solver"], "awarded"): 1,
            (s["solver"], "agreement_to_sign"): 1,
            (s["other_solver"], "agreement_to_sign"): 1,
            # the winner signed: the sponsor's owner and legal member countersign
            (s["sponsor"], "agreement_to_countersign"): 1,
            (str(story.legal), "agreement_to_countersign"): 1,
            (s["solver"], "payment_recorded"): 1,
            # the sponsor recorded the payment that completed the transfer: no word
            # to the one who acted
            (s["solver"], "transfer_done"): 1,
            (str(story.legal), "transfer_done"): 1,
            # second challenge: its entrants (one entry; one team formed) hear of the
            # announcement and the new deadline (its notice is not a second
            # announcement); the invitee by e-mail address of the team invitation
            (s["other_solver"], "announcement"): 1,
            (s["solver"], "announcement"): 1,
            (s["solver"], "deadline_moved"): 1,
            (s["other_solver"], "deadline_moved"): 1,
            (s["other_solver"], "team_invitation"): 1,
        }
    )
    assert got == expected


@sqlite_only
def test_rebuilt_twice_and_pages_applied_again_add_nothing(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore
):
    the_campaign(cast)
    db = caught_up(settings, app, read_store)
    try:
        first, mails = heard(db), queued(db)
        assert sum(first.values()) == 20 and mails == first
        side = read_side_for(settings, app, (PROJECTION,), store=read_store, batch_size=7)
        for _ in range(2):  # rebuilt from zero twice, in other batches
            runner = side.runner(PROJECTION)
            runner.drop()
            runner.catch_up()
            runner.db.close()
            assert heard(db) == first and queued(db) == mails
        # the position moved back without dropping anything: every page applied again
        with db.batch():
            head = tracking.position(db, "notifications")
            tracking.advance(db, "notifications", head, 0)
        side.catch_up()
        assert heard(db) == first and queued(db) == mails
    finally:
        db.close()


def test_exactly_once_on_each_store(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore
):
    """The twin on PostgreSQL: the same statements (every recipient query), applied twice."""
    the_campaign(cast)
    db = caught_up(settings, app, read_store)
    try:
        first = heard(db)
        assert sum(first.values()) == 20 and max(first.values()) == 1
        with db.batch():
            tracking.advance(db, "notifications", tracking.position(db, "notifications"), 0)
        read_side_for(settings, app, (PROJECTION,), store=read_store).catch_up()
        assert heard(db) == first and queued(db) == first
    finally:
        db.close()


@sqlite_only
def test_mail_follows_the_preference_in_force_when_the_event_was_recorded(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore
):
    challenge, _ = cast.open_challenge()
    app.set_notification_preference(cast.reviewer, "reviewer_invited", "off")
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    app.set_notification_preference(cast.reviewer, "reviewer_invited", "instant")
    other, _ = cast.open_challenge(title="Another")
    app.invite_reviewer(cast.sponsor, other, cast.reviewer)
    db = caught_up(settings, app, read_store)
    try:
        assert heard(db)[(str(cast.reviewer), "reviewer_invited")] == 2  # in-app: always
        assert queued(db)[(str(cast.reviewer), "reviewer_invited")] == 1  # mail: the second
    finally:
        db.close()


@sqlite_only
def test_no_author_is_named_to_those_blind_review_keeps_from_knowing(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore
):
    """The reviewers, the sponsor's manager, the sponsor's owner before the award: no
    notification of theirs carries an author's name or account id."""
    manager = cast.account("manager")
    app.add_member(cast.sponsor, cast.organisation, manager, "manager")
    story = run_story(cast)
    db = caught_up(settings, app, read_store)
    try:
        authors = {str(cast.solver), str(cast.other_solver), "Solver", "Other"}
        for viewer in (cast.reviewer, story.second_reviewer, manager, cast.sponsor):
            for row in notifications.page(db, viewer, before=None, limit=100):
                shown = " ".join(str(v) for k, v in row.items() if v is not None)
                assert not any(a in shown for a in authors), (viewer, row)
    finally:
        db.close()


@sqlite_only
def test_marks_read_are_kept_over_a_rebuild(
    app: OpenInno, cast: Scene, settings: Settings, read_store: ReadStore
):
    run_story(cast)
    db = caught_up(settings, app, read_store)
    try:
        mine = notifications.page(db, cast.solver, before=None, limit=100)
        assert notifications.unread_count(db, cast.solver) == len(mine) == 6
        newest = mine[0]
        assert notifications.mark_read(db, cast.solver, [(newest["position"], newest["kind"])]) == 1
        assert notifications.mark_read(db, cast.solver, [(newest["position"], newest["kind"])]) == 0
        # someone else's key marks nothing of theirs
        assert (
            notifications.mark_read(db, cast.other_solver, [(newest["position"], "awarded")]) == 0
        )
        assert notifications.unread_count(db, cast.solver) == 5
        notifications.mark_all_read(db, cast.solver, mine[2]["position"])  # the oldest four
        notifications.mark_all_read(db, cast.solver, mine[4]["position"])  # never moves back
        assert notifications.unread_count(db, cast.solver) == 1
        runner = read_side_for(settings, app, (PROJECTION,), store=read_store).runner(PROJECTION)
        runner.drop()
        runner.catch_up()
        runner.db.close()
        assert notifications.unread_count(db, cast.solver) == 1
        again = notifications.page(db, cast.solver, before=None, limit=100)
        assert [r["is_read"] for r in again] == [1, 0, 1, 1, 1, 1]
    finally:
        db.close()
