"""The decisions log: every remedy, moderation and role change, newest first, with
who decided and why (the admins' audit)."""

from __future__ import annotations

from datetime import timedelta

from openinno.application import OpenInno
from projections.db import Db
from projections.decisions.queries import decisions_page
from projections.service import ReadSide
from tests.support.story import Scene


def test_each_decision_is_logged_with_its_actor_and_reason(
    app: OpenInno, cast: Scene, read_side: ReadSide, db: Db
):
    admin = cast.account("admin")
    app.grant_admin_as_operator(admin)
    challenge_id, terms = cast.open_challenge()
    question = app.ask_question(cast.other_solver, challenge_id, "Is this allowed?").id
    app.hide_question(admin, challenge_id, question, "Off topic.")
    entry = cast.submit(challenge_id, terms)
    app.disqualify_submission(cast.sponsor, entry, "Copied.")
    winner = cast.submit(challenge_id, terms, title="The winner")
    cast.clock.advance(timedelta(days=45))
    agreement = app.award(
        cast.sponsor,
        challenge_id,
        [(winner, 1)],
        override_reasons={winner: "Chosen by the jury without a written review."},
    ).agreement_ids[0]
    app.dispute_agreement(cast.solver, agreement, "Not paid.")
    app.rescind_agreement(cast.sponsor, agreement, "Settled.")
    app.deactivate_account(admin, cast.public, "Spam.")
    app.reactivate_account(admin, cast.public, "Appeal upheld.")
    read_side.catch_up()

    rows = decisions_page(db, limit=50)
    assert [(r["kind"], r["reason"], r["actor_name"]) for r in rows] == [
        ("account_reactivated", "Appeal upheld.", "Admin"),
        ("account_deactivated", "Spam.", "Admin"),
        ("agreement_rescinded", "Settled.", "Sponsor"),
        ("agreement_disputed", "Not paid.", "Solver"),
        ("entry_disqualified", "Copied.", "Sponsor"),
        ("question_hidden", "Off topic.", "Admin"),
        ("role_granted", "admin", "Admin"),
    ]
    assert rows[4]["subject_id"] == str(entry)
    assert [r["subject_id"] for r in decisions_page(db, kind="account_deactivated")] == [
        str(cast.public)
    ]
    first = decisions_page(db, limit=3)
    rest = decisions_page(db, after=first[-1]["position"], limit=50)
    assert [r["position"] for r in first + rest] == [r["position"] for r in rows]
