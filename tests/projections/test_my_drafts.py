"""Entry drafts in the read models (issue 21): in their author's "My submissions"
(and their team's), and nowhere a sponsor, reviewer or visitor reads."""

from __future__ import annotations

from projections.db import Db
from projections.participants import queries
from projections.reviewers import queries as reviewers
from projections.service import ReadSide
from projections.sponsors import queries as sponsors
from tests.support.story import Scene


def test_drafts_are_their_authors_alone(cast: Scene, read_side: ReadSide, db: Db):
    app = cast.app
    challenge, terms = cast.open_challenge(visibility="public")
    app.invite_reviewer(cast.sponsor, challenge, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, challenge)
    kept = app.save_draft(cast.solver, challenge, "Secret kites", "").id
    sent = app.save_draft(cast.solver, challenge, "Sent kites", "Up.").id
    app.submit_draft(cast.solver, sent, terms)
    read_side.catch_up()
    mine = queries.my_drafts(db, cast.solver)
    assert [d["draft_id"] for d in mine] == [str(kept)]
    assert queries.my_drafts(db, cast.other_solver) == []
    # Not an entry anywhere: counts, gallery, review queue, ranking.
    (count,) = db.rows(
        "SELECT submission_count FROM pt_challenges WHERE challenge_id = ?", (str(challenge),)
    )
    assert count["submission_count"] == 1
    gallery = queries.public_gallery(db, challenge) or []
    queue = reviewers.my_review_queue(db, cast.reviewer)
    ranking = sponsors.ranking_page(db, challenge, after=None, limit=10)
    for rows in (gallery, queue, ranking):
        assert "Secret kites" not in repr(rows)
    assert [r["title"] for r in queue] == ["Sent kites"]


def test_a_teams_drafts_are_its_members(cast: Scene, read_side: ReadSide, db: Db):
    app = cast.app
    challenge, terms = cast.open_challenge()
    team = app.form_team(cast.solver, challenge, "Levers", [str(cast.other_solver)]).id
    draft = app.save_draft(cast.solver, challenge, "Levers", "", team_id=team).id
    read_side.catch_up()
    assert queries.my_drafts(db, cast.other_solver) == []  # only invited
    app.accept_team_invitation(cast.other_solver, team, terms)
    read_side.catch_up()
    (row,) = queries.my_drafts(db, cast.other_solver)
    assert (row["draft_id"], row["team_name"]) == (str(draft), "Levers")
