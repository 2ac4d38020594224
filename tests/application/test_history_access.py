"""Who may read a stream's full history (``OpenInno.may_view_history``): one rule for
the API and the pages, every role against every kind of stream."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.domain import ids
from openinno.domain.errors import AccessDenied, NotFound
from openinno.domain.idempotency import idempotency_record_id
from tests.support.story import PASSWORD, scene


@dataclass
class World:
    app: OpenInno
    people: dict[str, UUID]
    streams: dict[str, UUID]


@pytest.fixture
def world(app: OpenInno, clock: ManualClock) -> World:
    """Given a sponsor (owner, manager, legal), a solver with a team mate, another
    solver, a reviewer, a voter, an admin, a rival organisation's owner and a
    deactivated legal member; an awarded entry with its agreement, review, vote,
    entry counts; an API token and an idempotency record."""
    s = scene(app, clock)
    manager, legal, team_mate, admin, rival, gone = (
        s.account(n) for n in ("manager", "legal", "mate", "admin", "rival", "gone")
    )
    app.add_member(s.sponsor, s.organisation, manager, "manager")
    app.add_member(s.sponsor, s.organisation, legal, "legal")
    app.add_member(s.sponsor, s.organisation, gone, "legal")
    app.deactivate_account(gone, gone, "leaving")
    app.grant_admin_as_operator(admin)
    rival_organisation = app.create_organisation(rival, "Rival Bricks").id
    challenge_id, terms = s.open_challenge(review_timing="rolling")
    team_id = app.form_team(s.solver, challenge_id, "Pendulums", [str(team_mate)]).id
    app.accept_team_invitation(team_mate, team_id, terms)
    entry = app.submit(s.solver, challenge_id, "Pendulum park", "Swings.", terms, team_id=team_id)
    other_entry = s.submit(challenge_id, terms, solver=s.other_solver, title="Lever lab")
    app.support(s.public, entry.id)
    app.invite_reviewer(s.sponsor, challenge_id, s.reviewer)
    app.accept_reviewer_invitation(s.reviewer, challenge_id)
    review = app.record_review(s.reviewer, entry.id, {"originality": 9, "feasibility": 8, "fun": 9})
    clock.advance(timedelta(days=30))
    awarded = s.award_unreviewed(challenge_id, [(entry.id, 1), (other_entry, 2)])
    _token, token = app.issue_token("solver@example.org", PASSWORD)
    app.begin_idempotent_request(s.solver, "key-1", "0" * 64)
    people = {
        "owner": s.sponsor,
        "manager": manager,
        "legal": legal,
        "solver": s.solver,
        "team mate": team_mate,
        "other solver": s.other_solver,
        "reviewer": s.reviewer,
        "voter": s.public,
        "admin": admin,
        "rival owner": rival,
        "deactivated legal": gone,
    }
    streams = {
        "organisation": s.organisation,
        "challenge": challenge_id,
        "submission": entry.id,
        "agreement": awarded.agreement_ids[0],
        "review": review.id,
        "entries": ids.solver_entries_id(challenge_id, s.solver),
        "vote": ids.vote_id(entry.id, s.public),
        "tally": ids.support_tally_id(entry.id),
        "account": s.solver,
        "email claim": ids.email_claim_id("solver@example.org"),
        "rival organisation": rival_organisation,
        "token": token.id,
        "idempotency": idempotency_record_id(s.solver, "key-1"),
        "team": team_id,
    }
    return World(app, people, streams)


SPONSOR_STREAMS = {"organisation", "challenge", "submission", "agreement", "review", "entries"}
ALL_BUT_SECRETS = {
    "organisation",
    "challenge",
    "submission",
    "agreement",
    "review",
    "entries",
    "vote",
    "tally",
    "account",
    "email claim",
    "rival organisation",
    "team",
}
# Blind review (domain/blind.py): before the reveal, the sponsor's owners and legal
# members know the authors of awarded entries only; a solver's entry counts name the
# solver beside all their entries, awarded or not.
BEFORE_REVEAL = SPONSOR_STREAMS - {"entries"}
EXPECTED = {
    "admin": ALL_BUT_SECRETS,
    "owner": BEFORE_REVEAL,
    "legal": BEFORE_REVEAL,
    "solver": {"submission", "agreement", "entries", "team"},
    # A co-assignor of the agreement, and on the team:
    "team mate": {"submission", "agreement", "team"},
    "rival owner": {"rival organisation"},
    "manager": set(),
    "other solver": set(),
    "reviewer": set(),
    "voter": set(),
    "deactivated legal": set(),
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_who_may_read_which_history(world: World, role: str) -> None:
    # When each role asks for each stream's history,
    seen = {
        name
        for name, stream_id in world.streams.items()
        if world.app.may_view_history(world.people[role], stream_id)
    }
    # then they see exactly the streams the rule gives them.
    assert seen == EXPECTED[role]


@pytest.mark.parametrize("role", ["owner", "legal"])
def test_the_sponsor_reads_a_solvers_entry_counts_once_identities_are_revealed(
    world: World, role: str
) -> None:
    app, people, streams = world.app, world.people, world.streams
    assert not app.may_view_history(people[role], streams["entries"])
    app.reveal_identities(people["owner"], app.get_challenge(streams["challenge"]).id)
    assert app.may_view_history(people[role], streams["entries"])


def test_a_hidden_stream_is_not_found_like_a_missing_one(world: World) -> None:
    app, people, streams = world.app, world.people, world.streams
    assert (
        app.require_history_access(people["legal"], streams["submission"]).id
        == (streams["submission"])
    )
    for who, stream in (
        ("manager", streams["challenge"]),
        ("admin", streams["token"]),
        ("admin", streams["idempotency"]),
        ("admin", uuid4()),
    ):
        with pytest.raises(NotFound) as refused:
            app.require_history_access(people[who], stream)
        assert refused.value.message == f"No stream with id {stream}."
    assert not app.may_view_history(None, streams["challenge"])
    assert not app.may_view_history(uuid4(), streams["challenge"])


def test_a_member_who_leaves_loses_the_history(world: World) -> None:
    app, people, streams = world.app, world.people, world.streams
    assert app.may_view_history(people["legal"], streams["challenge"])
    app.remove_member(people["owner"], streams["organisation"], people["legal"])
    assert not app.may_view_history(people["legal"], streams["challenge"])


# --- support from the sponsor's own staff -----------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "manager", "legal"])
def test_sponsor_members_cannot_support_entries_of_their_own_challenges(app, clock, role):
    # Given an open challenge with voting and an entry,
    s = scene(app, clock)
    member = s.sponsor
    if role != "owner":
        member = s.account(role)
        app.add_member(s.sponsor, s.organisation, member, role)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    before = app.recorder.max_notification_id()
    # when a member of the sponsor organisation supports it,
    with pytest.raises(AccessDenied) as refused:
        app.support(member, entry)
    # then it is refused, nothing is written and the count stays,
    assert refused.value.message == (
        "Members of the sponsor organisation cannot support entries in its challenges."
    )
    assert app.recorder.max_notification_id() == before
    assert app.support_count(entry) == 0
    # while anyone else (a rival organisation's owner included) may support it.
    rival = s.account("rival")
    app.create_organisation(rival, "Rival Bricks")
    assert app.support(rival, entry).support_count == 1
    assert app.support(s.public, entry).support_count == 2


def test_a_vote_cast_before_joining_the_sponsor_can_be_retracted(app, clock):
    s = scene(app, clock)
    challenge_id, terms = s.open_challenge()
    entry = s.submit(challenge_id, terms)
    app.support(s.public, entry)
    app.add_member(s.sponsor, s.organisation, s.public, "manager")
    with pytest.raises(AccessDenied):
        app.support(s.public, entry)
    assert app.retract_support(s.public, entry).support_count == 0
