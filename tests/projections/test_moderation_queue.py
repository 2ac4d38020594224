"""Reports and the moderation queue (issue 24): most reported first, each sponsor's
moderators see their own challenges' only, hiding takes a thing off the queue and
puts its reason in the gallery, and the author of a hidden entry is told and can
appeal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openinno.application import OpenInno
from openinno.domain.errors import AccessDenied, InvalidState, NotFound
from projections.db import Db
from projections.moderation import queries as moderation
from projections.participants import queries as participants
from projections.service import ReadSide
from tests.support.story import Scene


def test_the_most_reported_come_first_and_hiding_takes_them_off(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    admin = cast.account("admin")
    app.grant_admin_as_operator(admin)
    challenge_id, terms = cast.open_challenge()
    entry = cast.submit(challenge_id, terms, title="Pendulum park")
    question = app.ask_question(cast.other_solver, challenge_id, "Cheap watches?").id
    # Another sponsor's challenge: not in this sponsor's queue.
    rival = cast.account("rival")
    rival_org = app.create_organisation(rival, "Rival").id
    other_challenge = app.draft_challenge(
        rival, rival_org, app.get_challenge(challenge_id, cast.sponsor).spec
    ).id
    app.publish_challenge(rival, other_challenge)
    cast.clock.advance(timedelta(days=1))
    elsewhere = app.ask_question(cast.public, other_challenge, "Spam?").id

    for reporter in (cast.public, cast.reviewer, cast.other_solver):
        app.report(reporter, "question", question, "An advert.", challenge_id)
    app.report(cast.public, "entry", entry, "Looks copied.")
    app.report(cast.solver, "question", elsewhere, "Spam.", other_challenge)
    with pytest.raises(InvalidState):
        app.report(cast.public, "entry", entry, "Again.")
    with pytest.raises(NotFound):
        app.report(cast.public, "question", question, "Wrong challenge.", other_challenge)
    read_side.catch_up()

    scope = app.moderation_scope(
        cast.sponsor, moderation.moderated_organisations(db, str(cast.sponsor))
    )
    assert scope == [str(cast.organisation)]
    rows = moderation.queue(db, organisation_ids=scope)
    assert [(r["kind"], r["reports"]) for r in rows] == [("question", 3), ("entry", 1)]
    assert rows[1]["excerpt"] == "Pendulum park"
    assert moderation.reasons(db, [str(question)])[str(question)] == ["An advert."] * 3
    assert len(moderation.queue(db, organisation_ids=app.moderation_scope(admin, []))) == 3
    with pytest.raises(AccessDenied):
        app.moderation_scope(cast.public, [str(cast.organisation)])

    with pytest.raises(AccessDenied):
        app.hide(rival, "entry", entry, challenge_id, "Not yours.")
    app.hide(cast.sponsor, "entry", entry, challenge_id, "Under review for copying.")
    app.hide(cast.sponsor, "question", question, challenge_id, "An advert.")
    read_side.catch_up()
    assert moderation.queue(db, organisation_ids=scope) == []
    assert [r["hidden_reason"] for r in moderation.queue(db, organisation_ids=scope, hidden=True)]
    gallery = participants.public_gallery(db, challenge_id)
    assert gallery is not None
    [shown] = [g for g in gallery if g["submission_id"] == str(entry)]
    assert (shown["title"], shown["hidden_reason"]) == ("", "Under review for copying.")
    told = db.rows(
        "SELECT kind FROM nt_notifications WHERE account_id = ? AND kind = 'entry_hidden'",
        (str(cast.solver),),
    )
    assert len(told) == 1

    # The author appeals the hiding; upheld, the entry shows again.
    appeal = app.appeal_submission(cast.solver, entry, "moderation", "It is my own design.").id
    app.decide_appeal(cast.sponsor, appeal, "upheld", "Cleared.")
    read_side.catch_up()
    gallery = participants.public_gallery(db, challenge_id)
    assert gallery is not None
    [shown] = [g for g in gallery if g["submission_id"] == str(entry)]
    assert (shown["title"], shown["hidden_reason"]) == ("Pendulum park", None)
