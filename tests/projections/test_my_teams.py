"""The "my teams and invitations" read model (issue 21): each person's teams and the
invitations waiting for their answer, by account id or by their e-mail address."""

from __future__ import annotations

from projections.db import Db
from projections.participants import queries
from projections.service import ReadSide
from tests.support.story import Scene


def summary(db: Db, s: Scene, person, email: str) -> dict[str, str]:
    page = queries.my_teams_and_invitations(db, person, email, after=None, limit=10)
    return {r["name"]: r["state"] for r in page.items}


def test_my_teams_and_invitations_follow_each_answer(cast: Scene, read_side: ReadSide, db: Db):
    app = cast.app
    challenge, terms = cast.open_challenge()
    other_challenge, _ = cast.open_challenge()
    # Given a lead who invites one person by account id and one by address,
    levers = app.form_team(
        cast.solver, challenge, "Levers", [str(cast.other_solver), "public@example.org"]
    ).id
    app.form_team(cast.reviewer, other_challenge, "Pulleys", ["public@example.org"])
    read_side.catch_up()
    # then each invitee sees the invitation, the lead their team, nobody else anything.
    assert summary(db, cast, cast.solver, "solver@example.org") == {"Levers": "member"}
    assert summary(db, cast, cast.other_solver, "other@example.org") == {"Levers": "invited"}
    assert summary(db, cast, cast.public, "public@example.org") == {
        "Levers": "invited",
        "Pulleys": "invited",
    }
    assert summary(db, cast, cast.sponsor, "sponsor@example.org") == {}
    # When one accepts, one's invitation by address is cancelled and one declines,
    app.accept_team_invitation(cast.other_solver, levers, terms)
    app.cancel_team_invitation(cast.solver, levers, "public@example.org")
    read_side.catch_up()
    assert summary(db, cast, cast.other_solver, "other@example.org") == {"Levers": "member"}
    assert summary(db, cast, cast.public, "public@example.org") == {"Pulleys": "invited"}
    # and the member leaves, the team is gone from their list.
    app.leave_team(cast.other_solver, levers)
    read_side.catch_up()
    assert summary(db, cast, cast.other_solver, "other@example.org") == {}
    page = queries.my_teams_and_invitations(
        db, cast.solver, "solver@example.org", after=None, limit=10
    )
    (row,) = page.items
    assert row["challenge_title"] and row["team_id"] == str(levers) and row["lead"] is True


def test_my_teams_page_by_keyset(cast: Scene, read_side: ReadSide, db: Db):
    app = cast.app
    for n in range(5):
        challenge, _ = cast.open_challenge()
        app.form_team(cast.other_solver, challenge, f"Team {n}", [str(cast.solver)])
    read_side.catch_up()
    seen: list[str] = []
    after = None
    while True:
        page = queries.my_teams_and_invitations(
            db, cast.solver, "solver@example.org", after=after, limit=2
        )
        seen += [r["name"] for r in page.items]
        if page.next_after is None:
            break
        after = page.next_after
    assert sorted(seen) == [f"Team {n}" for n in range(5)] and len(seen) == 5
