"""Teams under concurrency (issue 21): acceptances racing each other, entries and
the per-person limit, with real threads on both stores (PostgreSQL included)."""

from __future__ import annotations

from collections import Counter
from uuid import UUID

from openinno.application import OpenInno
from openinno.domain import SolverEntries, Team, ids
from tests.application.test_concurrency import kinds, race
from tests.support.story import scene


def entries_of(app: OpenInno, challenge_id: UUID, person: UUID) -> SolverEntries:
    entries = app.repository.get(ids.solver_entries_id(challenge_id, person))
    assert isinstance(entries, SolverEntries)
    return entries


def team(app: OpenInno, team_id: UUID) -> Team:
    found = app.repository.get(team_id)
    assert isinstance(found, Team)
    return found


def test_one_person_accepting_four_teams_at_once_joins_exactly_one(app, clock):
    # Given four teams that all invited the same person,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    leads = [s.account(f"lead{i}") for i in range(4)]
    teams = [
        app.form_team(lead, challenge_id, f"Team {i}", [str(s.public)]).id
        for i, lead in enumerate(leads)
    ]
    # when they accept all four at once,
    outcomes = race(4, lambda i: app.accept_team_invitation(s.public, teams[i], terms))
    # then exactly one acceptance is recorded, and they are on that team only.
    assert kinds(outcomes) == Counter({"ok": 1, "InvalidState": 3})
    joined = [t for t in teams if s.public in team(app, t).member_ids]
    assert len(joined) == 1
    assert entries_of(app, challenge_id, s.public).team_id == joined[0]


def test_accepting_and_entering_alone_at_the_limit_exactly_one_wins(app, clock):
    # Given a two-entry challenge, an invitee with one entry of their own, and a team
    # with one entry,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=2)
    s.submit(challenge_id, terms, solver=s.public, title="Solo lab")
    team_id = app.form_team(s.solver, challenge_id, "Lever lab", [str(s.public)]).id
    app.submit(s.solver, challenge_id, "Levers", "Together.", terms, team_id=team_id)

    # when they accept (several times over) and enter alone (several times), all at once,
    def attempt(i: int) -> object:
        if i % 2:
            return app.accept_team_invitation(s.public, team_id, terms)
        return app.submit(s.public, challenge_id, f"Solo idea {i}", "Alone.", terms)

    outcomes = race(8, attempt)
    # then exactly one of them is recorded, and they hold exactly their limit.
    assert kinds(outcomes)["ok"] == 1
    assert set(kinds(outcomes)) <= {"ok", "SubmissionLimitReached", "InvalidState"}
    assert len(entries_of(app, challenge_id, s.public).live) == 2


def test_a_team_entry_and_a_members_acceptance_at_the_limit_exactly_one_wins(app, clock):
    # Given a two-entry challenge, a team with one entry, and an invitee with one entry
    # of their own (so the team's two entries and theirs would be three),
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=2)
    team_id = app.form_team(s.solver, challenge_id, "Lever lab", [str(s.public)]).id
    app.submit(s.solver, challenge_id, "Levers", "Together.", terms, team_id=team_id)
    s.submit(challenge_id, terms, solver=s.public, title="Solo lab")

    # when the lead enters again (four times) while the invitee accepts (four times),
    def attempt(i: int) -> object:
        if i % 2:
            return app.accept_team_invitation(s.public, team_id, terms)
        return app.submit(s.solver, challenge_id, f"Levers {i}", "Again.", terms, team_id=team_id)

    outcomes = race(8, attempt)
    # then exactly one wins: either the invitee joins or the team enters again, never
    # both (the invitee would hold three entries).
    assert kinds(outcomes)["ok"] == 1
    after = team(app, team_id)
    invitee = entries_of(app, challenge_id, s.public)
    assert len(invitee.live) <= 2
    if s.public in after.member_ids:
        assert len(after.entry_ids) == 1
        assert set(after.entry_ids) <= set(invitee.live)
    else:
        assert len(after.entry_ids) == 2


def test_many_invitees_accepting_at_once_are_all_on_the_team_and_counted(app, clock):
    # Given a team with two entries in a two-entry challenge, and ten invitees,
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge(max_submissions_per_solver=2)
    invitees = [s.account(f"mate{i}") for i in range(10)]
    team_id = app.form_team(s.solver, challenge_id, "Lever lab", [str(i) for i in invitees]).id
    entries = {
        app.submit(s.solver, challenge_id, f"Levers {n}", "Together.", terms, team_id=team_id).id
        for n in range(2)
    }
    # when all ten accept at once,
    outcomes = race(10, lambda i: app.accept_team_invitation(invitees[i], team_id, terms))
    # then no acceptance is lost, and each holds exactly the team's two entries.
    assert kinds(outcomes) == Counter({"ok": 10})
    assert set(team(app, team_id).member_ids) == {s.solver, *invitees}
    for invitee in invitees:
        assert set(entries_of(app, challenge_id, invitee).live) == entries
