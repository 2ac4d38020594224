"""Blind review over every page and API route that could name an entry's authors,
for every role, before and after the sponsor reveals identities (finding 4 of
issue 19: after the award, visitors and reviewers read the winner's name on the
challenge page while the API said ``identities_revealed: false``).

The rule (src/openinno/domain/blind.py): an entry's authors are known to the
authors, admins, the sponsor's owners and legal members once the entry is
awarded, and everyone once identities are revealed.  Each author has a name and
an account id that appear nowhere else, so a response that contains either
names them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from openinno.domain.values import Voting
from tests.support.story import PASSWORD, Scene
from tests.web.pages.conftest import Web

ROLES = ("anonymous", "winner", "entrant", "reviewer", "owner", "manager", "legal", "admin")
NAMES = {
    "winner": "Zephyrine Quillfeather",
    "entrant": "Bartholomew Nonwinner",
    "reviewer": "Rita Reviewer",
    "manager": "Mona Manager",
    "legal": "Lex Legal",
    "admin": "Ada Admin",
}
# Who may know each entry's authors before the reveal (the rule's first three clauses):
# the winner's entry is awarded, the entrant's is not.
KNOWS_BEFORE = {
    "winner": {"winner", "owner", "legal", "admin"},
    "entrant": {"entrant", "admin"},
}

# Every GET that shows entries, their history, their evidence or their agreement.
# ``{c}`` the challenge, ``{w}`` / ``{e}`` the winner's / entrant's entry, ``{a}`` the
# winner's agreement.
PAGES = (
    "/challenges/{c}",
    "/challenges/{c}/gallery",
    "/challenges/{c}/manage",
    "/challenges/{c}/entries",
    "/challenges/{c}/entries.csv",
    "/reviews",
    "/reviews/{w}",
    "/reviews/{e}",
    "/legal/submissions/{w}",
    "/legal/submissions/{e}",
    "/legal/submissions/{w}/export/json",
    "/legal/submissions/{e}/export/csv",
    "/legal/submissions/{e}/export/evidence",
    "/legal/streams/{w}",
    "/legal/streams/{e}",
    "/agreements/{a}",
)
API = (
    "/api/v1/challenges/{c}/submissions",
    "/api/v1/challenges/{c}/ranking",
    "/api/v1/submissions/{w}",
    "/api/v1/submissions/{e}",
    "/api/v1/submissions/{w}/chain-of-title",
    "/api/v1/submissions/{e}/chain-of-title",
    "/api/v1/submissions/{e}/evidence",
    "/api/v1/streams/{w}/history",
    "/api/v1/streams/{e}/history",
    "/api/v1/agreements/{a}",
    "/api/v1/reviews",
)


def world_of(web: Web, cast: Scene) -> dict[str, Any]:
    app, clock = cast.app, cast.clock
    people: dict[str, UUID] = {"owner": cast.sponsor}
    for role, name in NAMES.items():
        people[role] = app.register_account(f"{role}.blind@example.org", PASSWORD, name).id
    app.add_member(cast.sponsor, cast.organisation, people["manager"], "manager")
    app.add_member(cast.sponsor, cast.organisation, people["legal"], "legal")
    app.grant_admin_as_operator(people["admin"])
    challenge, terms = cast.published(
        voting=Voting("none"), closes_at=clock.now() + timedelta(days=3)
    )
    app.invite_reviewer(cast.sponsor, challenge, people["reviewer"])
    app.accept_reviewer_invitation(people["reviewer"], challenge)
    clock.advance(timedelta(days=2))
    winner = cast.submit(challenge, terms, people["winner"], title="Winning bricks")
    entrant = cast.submit(challenge, terms, people["entrant"], title="Other bricks")
    clock.advance(timedelta(days=2))
    agreement = cast.award_unreviewed(challenge, [(winner, 1)]).agreement_ids[0]
    ids = {"c": challenge, "w": winner, "e": entrant, "a": agreement, "org": cast.organisation}
    return {"people": people, "ids": {k: str(v) for k, v in ids.items()}}


def tokens_of(web: Web, people: dict[str, UUID]) -> dict[str, str]:
    emails = {"owner": "sponsor@example.org"} | {r: f"{r}.blind@example.org" for r in NAMES}
    return {role: web.app.issue_token(email, PASSWORD)[0] for role, email in emails.items()}


def _bodies(web: Web, world: dict[str, Any], tokens: dict[str, str]) -> dict[tuple[str, str], str]:
    """Every (role, route)'s response body, whatever its status."""
    bodies = {}
    for role in ROLES:
        web.client.cookies.clear()
        if role != "anonymous":
            web.login("sponsor" if role == "owner" else f"{role}.blind")
        for route in PAGES:
            path = route.format(**world["ids"])
            bodies[(role, route)] = web.get(path, follow_redirects=False).text
        web.client.cookies.clear()
        headers = {} if role == "anonymous" else {"Authorization": f"Bearer {tokens[role]}"}
        for route in API:
            path = route.format(**world["ids"])
            bodies[(role, route)] = web.get(path, headers=headers).text
    return bodies


def _leaks(
    bodies: dict[tuple[str, str], str], people: dict[str, UUID], knows: dict[str, set[str]]
) -> list[str]:
    found = []
    for (role, route), body in bodies.items():
        for author in ("winner", "entrant"):
            if role in knows[author]:
                continue
            for mark in (NAMES[author], str(people[author])):
                if mark in body:
                    found.append(f"{route} as {role} shows the {author}'s {mark!r}")
    return found


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_no_author_is_named_before_the_reveal_and_everyone_may_know_them_after(
    web: Web, cast: Scene
):
    world = world_of(web, cast)
    people = world["people"]
    tokens = tokens_of(web, people)

    before = _bodies(web, world, tokens)
    assert _leaks(before, people, KNOWS_BEFORE) == []
    # The rule's exceptions do see: the author, an admin, the counterparty of an award.
    assert NAMES["winner"] in before[("winner", "/challenges/{c}")]
    assert NAMES["winner"] in before[("admin", "/challenges/{c}")]
    assert NAMES["winner"] in before[("legal", "/challenges/{c}")]
    assert str(people["winner"]) in before[("legal", "/api/v1/agreements/{a}")]

    cast.app.reveal_identities(cast.sponsor, UUID(world["ids"]["c"]))
    after = _bodies(web, world, tokens)
    for role in ROLES:
        assert NAMES["winner"] in after[(role, "/challenges/{c}")], role
    assert NAMES["entrant"] in after[("anonymous", "/api/v1/challenges/{c}/submissions")]
    assert str(people["entrant"]) in after[("anonymous", "/api/v1/submissions/{e}")]
    assert NAMES["entrant"] in after[("manager", "/challenges/{c}/entries")]
    assert NAMES["entrant"] in after[("manager", "/api/v1/challenges/{c}/ranking")]
    assert NAMES["entrant"] in after[("reviewer", "/reviews")]
    assert str(people["entrant"]) in after[("legal", "/api/v1/streams/{e}/history")]
    assert str(people["winner"]) in after[("manager", "/api/v1/agreements/{a}")]
