"""Every endpoint under /api/v1 x every role, with the status each must get.

The matrix is keyed by (method, route path) and compared with the routes the app
actually serves: a new endpoint without a row here fails this test.  Rows that
change state get fresh objects per role (``prepare``) or list the one role that
succeeds last (``ORDER``), so each cell is independent of the others.

``co_author`` is on the solver's team (issue 21): an author, by their own consent,
of the team's entries that won in the "private" challenge, and so a party to their
agreements."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from openinno.domain import ids
from openinno.files import Upload
from openinno.ledger.log import ledger_for
from tests.support.files import pdf_naming
from tests.support.legacy import entry_naming_coauthors
from tests.web.api.conftest import PASSWORD, Cast, User, challenge_body, sign_up

# Anyone who could succeed where others fail comes last (owner, then the solver).
ORDER = (
    "anonymous",
    "other_solver",
    "co_author",
    "other_manager",
    "reviewer",
    "admin",
    "legal",
    "owner",
    "solver",
)
SIGNED_IN = ORDER[1:]


@dataclass
class World:
    cast: Cast
    read_side: Any
    users: dict[str, User]
    ids: dict[str, str]
    terms: dict[str, str]
    app: Any = None

    @property
    def c(self) -> TestClient[Any]:
        return self.cast.client

    def post(self, who: str, path: str, body: Any = None, status: int = 201) -> Any:
        r = self.c.post(path, json=body, headers=self.users[who].auth)
        assert r.status_code == status, (path, r.text)
        return r.json()


@dataclass
class Row:
    expected: dict[str, int]
    path: str  # formatted with World.ids (and what prepare returns)
    body: Callable[[World, str], Any] | None = None
    prepare: Callable[[World, str], dict[str, str]] | None = None
    fresh_token: bool = False
    params: dict[str, str] = field(default_factory=dict)


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ORDER, status)


def signed_in(status: int, **others: int) -> dict[str, int]:
    return {**dict.fromkeys(ORDER, status), "anonymous": 401, **others}


def only(status: int, roles: tuple[str, ...], denied: int, anonymous: int = 401) -> dict[str, int]:
    return {r: status if r in roles else denied for r in ORDER} | {"anonymous": anonymous}


SPONSOR = ("owner", "legal", "admin")


# --- the world ------------------------------------------------------------------------------


def _body(w: World, **changes: Any) -> dict[str, Any]:
    return challenge_body(w.cast.clock, w.cast.organisation, **changes)


@pytest.fixture
def world(cast: Cast, read_side: Any, app: Any) -> World:
    c, clock = cast.client, cast.clock
    users = {
        "owner": cast.sponsor,
        "solver": cast.solver,
        "other_solver": cast.other,
        "reviewer": cast.reviewer,
        "co_author": sign_up(c, "coauthor"),
        "legal": sign_up(c, "legal"),
        "other_manager": sign_up(c, "rivalmanager"),
        "admin": sign_up(c, "admin"),
    }
    w = World(
        cast, read_side, users, {"org": cast.organisation, "co": users["co_author"].id}, {}, app
    )
    ledger_for(app, create_tables=True).db.close()
    app.grant_admin_as_operator(uuid.UUID(users["admin"].id))
    w.post(
        "owner",
        f"/api/v1/organisations/{cast.organisation}/members",
        {"account_id": users["legal"].id, "role": "legal"},
    )
    rival = w.post("other_manager", "/api/v1/organisations", {"name": "Rival"})["id"]
    w.post(
        "other_manager",
        f"/api/v1/organisations/{rival}/members",
        {"account_id": users["other_solver"].id, "role": "manager"},
    )
    now = clock.now()
    # "private": closes soon, gets three winners; "closed": closes soon, never awarded;
    # "ended": public, closes soon, its review still running; "judged": closes soon, its
    # review closed early, never awarded; "open": public with voting, open for weeks.
    short = {
        "opens_at": (now + timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=3)).isoformat(),
        "review_ends_at": (now + timedelta(days=40)).isoformat(),
        "prizes": [{"place": p, "amount": "100.00", "currency": "EUR"} for p in (1, 2, 3)],
        "max_submissions_per_solver": 5,
    }
    for name, changes in (
        ("private", {**short, "visibility": "private", "voting": {"mode": "none"}}),
        ("closed", {**short, "visibility": "private", "voting": {"mode": "none"}}),
        ("ended", {**short, "visibility": "public", "voting": {"mode": "none"}}),
        ("judged", {**short, "visibility": "private", "voting": {"mode": "none"}}),
        ("open", {"max_submissions_per_solver": 100, "review_timing": "rolling"}),
    ):
        w.ids[name] = cid = w.post("owner", "/api/v1/challenges", _body(w, **changes))["id"]
        w.terms[name] = w.post("owner", f"/api/v1/challenges/{cid}/publish", status=200)[
            "terms_sha256"
        ]
        w.post("owner", f"/api/v1/challenges/{cid}/reviewers", {"account_id": users["reviewer"].id})
        w.post("reviewer", f"/api/v1/challenges/{cid}/reviewers/accept", status=200)
    w.ids["draft"] = w.post("owner", "/api/v1/challenges", _body(w))["id"]
    # The solver's team in "private": the co-author accepted; the other solver is only
    # invited (by the address of their account).
    w.ids["team"] = w.post(
        "solver",
        f"/api/v1/challenges/{w.ids['private']}/teams",
        {"name": "Lever lab", "invitees": [users["co_author"].id, "other@example.org"]},
    )["id"]
    w.post(
        "co_author",
        f"/api/v1/teams/{w.ids['team']}/accept",
        {"accepted_terms_sha256": w.terms["private"]},
        status=200,
    )
    clock.advance(timedelta(days=2))
    w.ids["entry"] = submit(w, "open", "solver")
    w.ids["question"] = w.post(
        "other_solver", f"/api/v1/challenges/{w.ids['open']}/questions", {"text": "Lego?"}
    )["id"]
    winners = [submit(w, "private", "solver", team=w.ids["team"]) for _ in range(3)]
    w.ids["winner"] = winners[0]
    w.ids["closed_entry"] = submit(w, "closed", "solver")
    w.ids["judged_entry"] = submit(w, "judged", "solver")
    w.ids["filed"], w.ids["file"] = entry_with_a_file(w, app, "closed")
    clock.advance(timedelta(days=2))
    # Awards once review is over (issue 20), for entries nobody scored with a reason.
    for name in ("private", "judged"):
        w.post("owner", f"/api/v1/challenges/{w.ids[name]}/review/close", {"text": "Done."}, 200)
    reason = "Awarded without review: this world is about access."
    awarded = w.post(
        "owner",
        f"/api/v1/challenges/{w.ids['private']}/awards",
        {
            "awards": [
                {"submission_id": s, "place": p, "override_reason": reason}
                for p, s in enumerate(winners, 1)
            ]
        },
    )
    unsigned, signed, countersigned = awarded["agreement_ids"]
    w.ids.update(agreement=unsigned, signed=signed, countersigned=countersigned)
    for agreement in (signed, countersigned):
        for author in ("solver", "co_author"):
            w.post(author, f"/api/v1/agreements/{agreement}/sign", signature(w, agreement), 200)
    w.post(
        "legal", f"/api/v1/agreements/{countersigned}/countersign", signature(w, countersigned), 200
    )
    return w


def submit(w: World, challenge: str, who: str, team: str | None = None) -> str:
    body = {"title": "Pendulum", "summary": "Swings.", "accepted_terms_sha256": w.terms[challenge]}
    if team is not None:
        body["team_id"] = team
    return str(w.post(who, f"/api/v1/challenges/{w.ids[challenge]}/submissions", body)["id"])


def entry_with_a_file(w: World, app: Any, challenge: str) -> tuple[str, str]:
    """An entry with a real PDF (its blind copy and preview made, as the follower would)."""
    pdf = pdf_naming()
    entry = app.submit(
        uuid.UUID(w.users["solver"].id),
        uuid.UUID(w.ids[challenge]),
        "With a file",
        "A PDF.",
        w.terms[challenge],
        files=[Upload.of_bytes("plan.pdf", pdf)],
    )
    digest = hashlib.sha256(pdf).hexdigest()
    app.derived.derive(digest, "application/pdf")
    return str(entry.id), digest


def signature(w: World, agreement: str) -> dict[str, str]:
    text = w.c.get(f"/api/v1/agreements/{agreement}", headers=w.users["owner"].auth).json()
    return {"typed_name": "A Name", "intent": "I agree", "text_sha256": text["text_sha256"]}


# --- prepare: fresh objects per role ------------------------------------------------------------


def fresh_draft(w: World, role: str) -> dict[str, str]:
    return {"fresh": w.post("owner", "/api/v1/challenges", _body(w))["id"]}


def fresh_entry_draft(w: World, role: str) -> dict[str, str]:
    """A fresh draft of the solver's in the open challenge (issue 21)."""
    path = f"/api/v1/challenges/{w.ids['open']}/drafts"
    return {"fresh": w.post("solver", path, {"title": "Kites", "summary": ""})["id"]}


def fresh_question(w: World, role: str) -> dict[str, str]:
    q = w.post("other_solver", f"/api/v1/challenges/{w.ids['open']}/questions", {"text": "Size?"})
    return {"fresh": q["id"]}


def fresh_entry(w: World, role: str) -> dict[str, str]:
    return {"fresh": submit(w, "open", "solver")}


def naming_everyone(w: World, role: str) -> dict[str, str]:
    """A fresh entry by the solver naming every signed-in role as a co-author, as
    entries were recorded before issue 21 (``team_ids`` invites since)."""
    entry = entry_naming_coauthors(
        w.app,
        uuid.UUID(w.users["solver"].id),
        uuid.UUID(w.ids["open"]),
        w.terms["open"],
        [uuid.UUID(w.users[r].id) for r in SIGNED_IN],
    )
    return {"fresh": str(entry)}


def fresh_account(w: World, role: str) -> dict[str, str]:
    # Registered by the application: the sign-up route's per-address limit would refuse.
    account = w.app.register_account(f"fresh-{uuid.uuid4().hex[:8]}@example.org", PASSWORD, "F")
    return {"fresh": str(account.id)}


def fresh_admin(w: World, role: str) -> dict[str, str]:
    fresh = fresh_account(w, role)
    w.app.grant_admin_as_operator(uuid.UUID(fresh["fresh"]))
    return fresh


def fresh_manager(w: World, role: str) -> dict[str, str]:
    fresh = fresh_account(w, role)
    owner = uuid.UUID(w.users["owner"].id)
    w.app.add_member(owner, uuid.UUID(w.ids["org"]), uuid.UUID(fresh["fresh"]), "manager")
    return fresh


def deactivated_account(w: World, role: str) -> dict[str, str]:
    fresh = fresh_account(w, role)
    w.app.deactivate_account(uuid.UUID(fresh["fresh"]), uuid.UUID(fresh["fresh"]), "")
    return fresh


def disqualified_entry(w: World, role: str) -> dict[str, str]:
    """A fresh entry of the solver's, disqualified by the owner: appealable (issue 24)."""
    entry = submit(w, "open", "solver")
    w.app.disqualify_submission(uuid.UUID(w.users["owner"].id), uuid.UUID(entry), "Copied.")
    return {"fresh": entry}


def appealable(w: World, role: str) -> dict[str, str]:
    """As ``disqualified_entry``, named for the body (``POST /appeals`` has no path id)."""
    w.ids["appealable"] = disqualified_entry(w, role)["fresh"]
    return {}


def reportable(w: World, role: str) -> dict[str, str]:
    """A fresh question in the open challenge, in the moderation read model."""
    fresh = fresh_question(w, role)
    w.read_side.catch_up()
    return fresh


def own_comment(w: World, role: str) -> dict[str, str]:
    """A fresh comment of the solver's on the open challenge."""
    solver = uuid.UUID(w.users["solver"].id)
    comment = w.app.comment_on_challenge(solver, uuid.UUID(w.ids["open"]), "Wood?")
    return {"fresh": str(comment.id)}


def fresh_appeal(w: World, role: str) -> dict[str, str]:
    entry = disqualified_entry(w, role)["fresh"]
    solver = uuid.UUID(w.users["solver"].id)
    appeal = w.app.appeal_submission(solver, uuid.UUID(entry), "disqualification", "Mine.")
    return {"fresh": str(appeal.id)}


def voted(w: World, role: str) -> dict[str, str]:
    entry = submit(w, "open", "solver")
    if role != "anonymous":
        w.c.put(f"/api/v1/submissions/{entry}/vote", headers=w.users[role].auth)
    return {"fresh": entry}


def fresh_vote(w: World, role: str) -> dict[str, str]:
    """A fresh entry in "open" with one vote by a fresh account (issue 24); the vote's
    id also in ``w.ids["fresh_vote"]``, for the bulk void's body.  The entry is a
    newcomer's: the solver's entries in "open" are limited (100)."""
    entry = newcomers_entry(w)
    voter = uuid.UUID(fresh_account(w, role)["fresh"])
    w.app.support(voter, uuid.UUID(entry), address="198.51.100.7", user_agent="bot/1")
    w.ids["fresh_vote"] = vote = str(ids.vote_id(uuid.UUID(entry), voter))
    return {"fresh": entry, "vote": vote}


def solvers_spare_token(w: World, role: str) -> dict[str, str]:
    issued = w.c.post("/api/v1/tokens", json={"email": "solver@example.org", "password": PASSWORD})
    assert issued.status_code == 201, issued.text
    return {"fresh": issued.json()["token_id"]}


def fresh_team(w: World, role: str) -> dict[str, str]:
    """A fresh challenge and a team in it led by the solver: the co-author on it, every
    other signed-in role but the admin invited (the admin: an outsider)."""
    challenge = w.post("owner", "/api/v1/challenges", _body(w))["id"]
    w.terms["fresh"] = w.post("owner", f"/api/v1/challenges/{challenge}/publish", status=200)[
        "terms_sha256"
    ]
    invitees = [w.users[r].id for r in SIGNED_IN if r not in ("solver", "admin")]
    team = w.post(
        "solver",
        f"/api/v1/challenges/{challenge}/teams",
        {"name": "Fresh lab", "invitees": invitees},
    )["id"]
    w.post(
        "co_author",
        f"/api/v1/teams/{team}/accept",
        {"accepted_terms_sha256": w.terms["fresh"]},
        status=200,
    )
    return {"fresh": team}


def fresh_invitation(w: World, role: str) -> dict[str, str]:
    """``fresh_team`` and one of its pending invitations (the other solver's)."""
    return {**fresh_team(w, role), "pending": w.users["other_solver"].id}


def fresh_reviewed(w: World, role: str) -> dict[str, str]:
    """A fresh published challenge whose reviewer accepted (assignment, decision 0023)."""
    challenge = w.post("owner", "/api/v1/challenges", _body(w))["id"]
    w.post("owner", f"/api/v1/challenges/{challenge}/publish", status=200)
    w.post(
        "owner", f"/api/v1/challenges/{challenge}/reviewers", {"account_id": w.users["reviewer"].id}
    )
    w.post("reviewer", f"/api/v1/challenges/{challenge}/reviewers/accept", status=200)
    return {"fresh": challenge}


def fresh_assigned(w: World, role: str) -> dict[str, str]:
    """``fresh_reviewed``, assigning (k = 1)."""
    made = fresh_reviewed(w, role)
    w.post("owner", f"/api/v1/challenges/{made['fresh']}/assignment", {"k": 1}, status=200)
    return made


def tagged_for_removal(w: World, role: str) -> dict[str, str]:
    """The winner carries the tag ``r-{role}`` (issue 27), for that role to take off."""
    path = f"/api/v1/challenges/{w.ids['private']}/tags"
    w.post("owner", path, {"tag": f"r-{role}", "submission_ids": [w.ids["winner"]]})
    return {}


def fresh_duplicates(w: World, role: str) -> dict[str, str]:
    """Two fresh entries of the open challenge, by newcomers, to merge (issue 27)."""
    made: dict[str, str] = {}
    for name in ("dup_a", "dup_b"):
        who = sign_up(w.c, f"{name}-{role}".replace("_", "-"))
        body = {"title": "Kite lab", "summary": "Kites.", "accepted_terms_sha256": w.terms["open"]}
        r = w.c.post(f"/api/v1/challenges/{w.ids['open']}/submissions", json=body, headers=who.auth)
        assert r.status_code == 201, r.text
        made[name] = r.json()["id"]
    w.ids.update(made)
    return made


def royalty_agreement(w: World, role: str) -> dict[str, str]:
    """After the win (issue 29): once per world, an agreement of the solver's whose terms
    promise a quarterly royalty, its rights passed, with sales reported for four quarters
    and the first stated (made by the application: the API's own rows test the routes)."""
    if "royalty" not in w.ids:
        from decimal import Decimal

        from openinno.domain.values import AfterTheWin, RoyaltyTerms
        from tests.support.story import spec_for

        app, clock = w.app, w.cast.clock
        owner, solver = uuid.UUID(w.users["owner"].id), uuid.UUID(w.users["solver"].id)
        spec = spec_for(
            clock,
            after_the_win=AfterTheWin(royalty=RoyaltyTerms(Decimal("1.5"))),
            opens_at=clock.now() - timedelta(hours=1),
            closes_at=clock.now() + timedelta(hours=1),
            review_ends_at=clock.now() + timedelta(days=30),
        )
        challenge = app.draft_challenge(owner, uuid.UUID(w.ids["org"]), spec).id
        terms = app.publish_challenge(owner, challenge).terms_sha256
        entry = app.submit(solver, challenge, "Royal", "A set.", terms).id
        clock.advance(timedelta(hours=2))  # submissions close; hours, for no other row's sake
        app.close_review_early(owner, challenge, "Done.")
        (agreement,) = app.award(
            owner, challenge, [(entry, 1)], override_reasons={entry: "Access test."}
        ).agreement_ids
        text = app.get_agreement(owner, agreement).text_sha256
        app.sign_agreement(solver, agreement, "Sol", "I sign.", text)
        app.countersign_agreement(owner, agreement, "Own", "We sign.", text)
        app.record_payment(owner, agreement, "W-R")
        for quarter in (1, 2, 3, 4):
            app.report_sales(owner, agreement, f"2027-Q{quarter}", 10, "100.00", "EUR")
        w.ids["royalty"] = str(agreement)
        w.ids["statement"] = str(app.state_royalty(owner, agreement, "2027-Q1").id)
    return {"royalty": w.ids["royalty"]}


HOOK_URL = "https://93.184.216.34/hooks"  # a global address: no DNS, no SSRF refusal


def fresh_webhook(w: World, role: str) -> dict[str, str]:
    """A webhook of the owner's organisation for new questions, and one delivery of it
    that failed (redelivery is for deliveries no longer queued)."""
    from projections.db import open_db
    from web.readside import read_store_for

    owner, org = uuid.UUID(w.users["owner"].id), uuid.UUID(w.ids["org"])
    hook = w.app.register_webhook(owner, org, HOOK_URL, ["question.asked"]).id
    w.post("other_solver", f"/api/v1/challenges/{w.ids['open']}/questions", {"text": "Gears?"})
    w.read_side.catch_up()
    db = open_db(read_store_for(w.app.settings))
    try:
        with db.batch():
            db.execute(
                "UPDATE wh_deliveries SET status = 'failed' WHERE webhook_id = ?", [str(hook)]
            )
        (row,) = db.rows("SELECT position FROM wh_deliveries WHERE webhook_id = ?", [str(hook)])
    finally:
        db.close()
    return {"fresh": str(hook), "delivery": str(row["position"])}


def newcomers_entry(w: World) -> str:
    """An entry of the open challenge by a new account (entries per solver are limited)."""
    newcomer = sign_up(w.c, f"n{uuid.uuid4().hex[:10]}")
    body = {"title": "Pendulum", "summary": "Swings.", "accepted_terms_sha256": w.terms["open"]}
    r = w.c.post(
        f"/api/v1/challenges/{w.ids['open']}/submissions", json=body, headers=newcomer.auth
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def new_account(w: World, role: str) -> dict[str, Any]:
    name = f"n{uuid.uuid4().hex[:10]}"
    return {"account": sign_up(w.c, name).id}


# --- the matrix ---------------------------------------------------------------------------------

V1 = "/api/v1"
MATRIX: dict[tuple[str, str], Row] = {
    # accounts and tokens
    ("POST", "/accounts"): Row(
        everyone(201),
        "/accounts",
        body=lambda w, r: {
            "email": f"{uuid.uuid4().hex}@example.org",
            "password": PASSWORD,
            "display_name": "New",
        },
    ),
    # password reset (issue 23): the same answer for anyone; a forged token is refused
    ("POST", "/password-resets"): Row(
        everyone(202),
        "/password-resets",
        body=lambda w, r: {"email": f"{uuid.uuid4().hex}@example.org"},
    ),
    ("POST", "/password-resets/use"): Row(
        everyone(422),
        "/password-resets/use",
        body=lambda w, r: {"token": "forged.token", "password": PASSWORD},
    ),
    ("POST", "/tokens"): Row(
        everyone(201),
        "/tokens",
        body=lambda w, r: {"email": "solver@example.org", "password": PASSWORD},
    ),
    ("DELETE", "/tokens/current"): Row(signed_in(200), "/tokens/current", fresh_token=True),
    ("GET", "/tokens"): Row(signed_in(200), "/tokens"),
    # Only the holder revokes a token by id; to anyone else it does not exist.
    ("DELETE", "/tokens/{token_id}"): Row(
        only(200, ("solver",), 404), "/tokens/{fresh}", prepare=solvers_spare_token
    ),
    ("GET", "/me"): Row(signed_in(200), "/me"),
    # personal data (issue 26): each person's own export; an erasure needs the person's
    # password (a wrong one here, so nobody's account is erased under the matrix) or an
    # admin on someone's behalf
    ("GET", "/me/export"): Row(signed_in(200), "/me/export"),
    ("POST", "/me/erasure"): Row(
        signed_in(422), "/me/erasure", body=lambda w, r: {"password": "not it"}
    ),
    ("POST", "/admin/accounts/{account_id}/erasure"): Row(
        only(200, ("admin",), 403),
        "/admin/accounts/{fresh}/erasure",
        body=lambda w, r: {"reason": "Asked by letter."},
        prepare=fresh_account,
    ),
    # notifications: each person's own, so every signed-in role reads and marks its own
    ("GET", "/notifications"): Row(signed_in(200), "/notifications"),
    ("POST", "/notifications/read"): Row(
        signed_in(200), "/notifications/read", body=lambda w, r: {"up_to": 10**6}
    ),
    # organisations
    ("POST", "/organisations"): Row(
        signed_in(201), "/organisations", body=lambda w, r: {"name": f"Org {r}"}
    ),
    ("POST", "/organisations/{organisation_id}/members"): Row(
        # A member who is not an owner: 403; anyone outside it: 404, as for an unknown
        # organisation (a 403 would name it).
        only(201, ("owner",), 404) | {"legal": 403},
        "/organisations/{org}/members",
        body=lambda w, r: {"account_id": new_account(w, r)["account"], "role": "manager"},
    ),
    # challenges
    ("POST", "/challenges"): Row(
        only(201, ("owner",), 403), "/challenges", body=lambda w, r: _body(w)
    ),
    ("GET", "/challenges"): Row(everyone(200), "/challenges"),
    ("GET", "/challenges/{challenge_id}"): Row(
        only(200, ("owner", "legal"), 404, anonymous=404), "/challenges/{draft}"
    ),
    ("PATCH", "/challenges/{challenge_id}"): Row(
        only(200, ("owner",), 404) | {"legal": 403},
        "/challenges/{fresh}",
        body=lambda w, r: {"title": "Renamed draft"},
        prepare=fresh_draft,
    ),
    ("DELETE", "/challenges/{challenge_id}"): Row(
        only(200, ("owner",), 404) | {"legal": 403},
        "/challenges/{fresh}",
        prepare=fresh_draft,
    ),
    ("POST", "/challenges/{challenge_id}/publish"): Row(
        only(200, ("owner",), 404) | {"legal": 403},
        "/challenges/{fresh}/publish",
        prepare=fresh_draft,
    ),
    ("POST", "/challenges/{challenge_id}/questions"): Row(
        signed_in(201), "/challenges/{open}/questions", body=lambda w, r: {"text": f"From {r}?"}
    ),
    ("POST", "/challenges/{challenge_id}/questions/{question_id}/answer"): Row(
        only(201, ("owner",), 403),
        "/challenges/{open}/questions/{fresh}/answer",
        body=lambda w, r: {"text": "Yes."},
        prepare=fresh_question,
    ),
    ("POST", "/challenges/{challenge_id}/announcements"): Row(
        only(201, ("owner",), 403),
        "/challenges/{open}/announcements",
        body=lambda w, r: {"text": "News"},
    ),
    ("POST", "/challenges/{challenge_id}/deadline"): Row(
        only(200, ("owner",), 403),
        "/challenges/{open}/deadline",
        body=lambda w, r: {
            "closes_at": (w.cast.clock.now() + timedelta(days=35 + ORDER.index(r))).isoformat()
        },
    ),
    ("POST", "/challenges/{challenge_id}/review/close"): Row(
        only(200, ("owner",), 403),
        "/challenges/{ended}/review/close",
        body=lambda w, r: {"text": "The jury has finished."},
    ),
    ("POST", "/challenges/{challenge_id}/reviewers"): Row(
        only(201, ("owner",), 403),
        "/challenges/{open}/reviewers",
        body=lambda w, r: {"account_id": new_account(w, r)["account"]},
    ),
    ("POST", "/challenges/{challenge_id}/reviewers/accept"): Row(
        signed_in(404, reviewer=409), "/challenges/{open}/reviewers/accept"
    ),
    ("GET", "/challenges/{challenge_id}/submissions"): Row(
        only(200, (*SPONSOR, "reviewer"), 404, anonymous=404), "/challenges/{private}/submissions"
    ),
    # The sponsor's members may not enter (403), nor the challenge's reviewer (409).
    ("POST", "/challenges/{challenge_id}/submissions"): Row(
        signed_in(201, owner=403, legal=403, reviewer=409),
        "/challenges/{open}/submissions",
        body=lambda w, r: {
            "title": "Lever",
            "summary": "Levers.",
            "accepted_terms_sha256": w.terms["open"],
        },
    ),
    # Issue 27: tags by hand, by the sponsor's members, admins and accepted reviewers.
    ("POST", "/challenges/{challenge_id}/tags"): Row(
        only(201, (*SPONSOR, "reviewer"), 404),
        "/challenges/{private}/tags",
        body=lambda w, r: {"tag": f"t-{r}", "submission_ids": [w.ids["winner"]]},
    ),
    ("POST", "/challenges/{challenge_id}/tags/remove"): Row(
        only(200, (*SPONSOR, "reviewer"), 404),
        "/challenges/{private}/tags/remove",
        body=lambda w, r: {"tag": f"r-{r}", "submission_ids": [w.ids["winner"]]},
        prepare=tagged_for_removal,
    ),
    ("GET", "/challenges/{challenge_id}/duplicates"): Row(
        only(200, SPONSOR, 404), "/challenges/{private}/duplicates"
    ),
    # Two entries of "private", merged afresh per role: the owner and admins succeed,
    # legal is refused (403), everyone else does not know the challenge's rulings (404).
    ("POST", "/challenges/{challenge_id}/duplicates/merge"): Row(
        only(201, ("owner", "admin"), 404) | {"legal": 403},
        "/challenges/{open}/duplicates/merge",
        body=lambda w, r: {"submission_ids": [w.ids["dup_a"], w.ids["dup_b"]]},
        prepare=fresh_duplicates,
    ),
    ("GET", "/challenges/{challenge_id}/exports/{kind}"): Row(
        only(200, SPONSOR, 404), "/challenges/{private}/exports/reviews"
    ),
    ("GET", "/challenges/{challenge_id}/ranking"): Row(
        only(200, SPONSOR, 404), "/challenges/{private}/ranking"
    ),
    # Assignment (decision 0023): owners and managers run it; members and admins read it.
    ("POST", "/challenges/{challenge_id}/assignment"): Row(
        only(200, ("owner",), 403),
        "/challenges/{fresh}/assignment",
        body=lambda w, r: {"k": 1},
        prepare=fresh_reviewed,
    ),
    # The challenge assigns (k = 1, one reviewer): the reviewer leaves, what they held is
    # left short of a reviewer (reported), and the owner gets 200.
    ("POST", "/challenges/{challenge_id}/assignment/release"): Row(
        only(200, ("owner",), 403),
        "/challenges/{fresh}/assignment/release",
        prepare=fresh_assigned,
        body=lambda w, r: {"reviewer_id": w.users["reviewer"].id, "reason": "Fell ill."},
    ),
    # Rounds (issue 20): this challenge has one round, so the owner reaches the command
    # and is told there is no later round (409).
    ("POST", "/challenges/{challenge_id}/rounds/advance"): Row(
        only(409, ("owner",), 403),
        "/challenges/{ended}/rounds/advance",
        body=lambda w, r: {"submission_ids": [w.ids["entry"]]},
    ),
    # Only the challenge's reviewer may declare; a second declaration is refused (409),
    # so the reviewer declares for a fresh entry of the open challenge.
    ("POST", "/challenges/{challenge_id}/conflicts"): Row(
        signed_in(404, reviewer=200),
        "/challenges/{open}/conflicts",
        body=lambda w, r: {"submission_ids": [newcomers_entry(w)], "reason": "Kin."},
    ),
    ("GET", "/challenges/{challenge_id}/decision"): Row(
        only(200, SPONSOR, 404), "/challenges/{private}/decision"
    ),
    ("GET", "/challenges/{challenge_id}/assignment"): Row(
        only(200, SPONSOR, 404), "/challenges/{private}/assignment"
    ),
    ("POST", "/challenges/{challenge_id}/awards"): Row(
        only(201, ("owner",), 403) | {"legal": 403},
        "/challenges/{judged}/awards",
        body=lambda w, r: {
            "awards": [{"submission_id": w.ids["judged_entry"], "place": 1, "override_reason": "-"}]
        },
    ),
    # submissions
    ("GET", "/submissions/{submission_id}"): Row(
        only(200, (*SPONSOR, "reviewer", "solver", "co_author"), 404, anonymous=404),
        "/submissions/{winner}",
    ),
    ("POST", "/submissions/{submission_id}/revisions"): Row(
        only(201, ("solver",), 404),
        "/submissions/{entry}/revisions",
        body=lambda w, r: {"title": "Pendulum v2", "summary": "Better."},
    ),
    ("POST", "/submissions/{submission_id}/withdraw"): Row(
        only(200, ("solver",), 404), "/submissions/{fresh}/withdraw", prepare=fresh_entry
    ),
    # Named co-authors confirm (the lead is no named co-author: 404); the sponsor's
    # members cannot be authors (403); the challenge's reviewer judges it (409).
    ("POST", "/submissions/{submission_id}/coauthorship"): Row(
        signed_in(200, solver=404, owner=403, legal=403, reviewer=409),
        "/submissions/{fresh}/coauthorship",
        prepare=naming_everyone,
    ),
    ("POST", "/submissions/{submission_id}/coauthorship/decline"): Row(
        signed_in(200, solver=404),
        "/submissions/{fresh}/coauthorship/decline",
        prepare=naming_everyone,
    ),
    # An entry's files: its authors, its reviewers (accepted, in the review period, no
    # conflict), the sponsor's members; nobody else, admins included (OpenInno.file_for).
    ("GET", "/submissions/{submission_id}/files/{sha256}"): Row(
        only(200, ("solver", "reviewer", "owner", "legal"), 404, anonymous=404),
        "/submissions/{filed}/files/{file}",
    ),
    ("GET", "/submissions/{submission_id}/files/{sha256}/preview"): Row(
        only(200, ("solver", "reviewer", "owner", "legal"), 404, anonymous=404),
        "/submissions/{filed}/files/{file}/preview",
    ),
    # The sponsor's own members may not support its entries (403); the author and the
    # challenge's reviewer: 409.
    ("PUT", "/submissions/{submission_id}/vote"): Row(
        signed_in(200, solver=409, owner=403, legal=403, reviewer=409),
        "/submissions/{entry}/vote",
    ),
    ("DELETE", "/submissions/{submission_id}/vote"): Row(
        # Members and the reviewer could not vote, so they have nothing to retract (409).
        signed_in(200, solver=409, owner=409, legal=409, reviewer=409),
        "/submissions/{fresh}/vote",
        prepare=voted,
    ),
    # Votes one per person (issue 24): the sponsor's owners and managers and admins see
    # an entry's flagged votes and void them; to anyone else a vote is not found (its
    # id says who supports what), and an entry's votes are forbidden (403).
    ("GET", "/submissions/{submission_id}/votes/flags"): Row(
        only(200, ("owner", "admin"), 403), "/submissions/{entry}/votes/flags"
    ),
    ("POST", "/votes/{vote_id}/void"): Row(
        only(200, ("owner", "admin"), 404),
        "/votes/{vote}/void",
        body=lambda w, r: {"reason": f"Flagged ({r})."},
        prepare=fresh_vote,
    ),
    ("POST", "/submissions/{submission_id}/votes/void"): Row(
        only(200, ("owner", "admin"), 403),
        "/submissions/{fresh}/votes/void",
        body=lambda w, r: {"vote_ids": [w.ids["fresh_vote"]], "reason": f"Flagged ({r})."},
        prepare=fresh_vote,
    ),
    # Off by default: everyone gets {"enabled": false} (issue 24).
    ("GET", "/proof-of-work"): Row(everyone(200), "/proof-of-work"),
    ("GET", "/submissions/{submission_id}/chain-of-title"): Row(
        only(200, (*SPONSOR, "solver", "co_author"), 404), "/submissions/{winner}/chain-of-title"
    ),
    ("GET", "/submissions/{submission_id}/evidence"): Row(
        only(409, (*SPONSOR, "solver", "co_author"), 404), "/submissions/{winner}/evidence"
    ),
    # teams (issue 21): seen by members and invitees only (others 404); the lead
    # invites, removes and hands over (members and invitees: 409); invitees accept (the
    # sponsor's members cannot enter: 403) or decline; the co-author, a member, leaves.
    ("POST", "/challenges/{challenge_id}/teams"): Row(
        signed_in(201, owner=403, legal=403, reviewer=409),
        "/challenges/{open}/teams",
        body=lambda w, r: {"name": f"Team {r}", "invitees": ["someone@example.org"]},
    ),
    # entry drafts (issue 21): anyone who may enter saves one (the sponsor's members:
    # 403; a judge: 409); a draft is its author's alone (others: 404, as for none).
    ("POST", "/challenges/{challenge_id}/drafts"): Row(
        signed_in(201, owner=403, legal=403, reviewer=409),
        "/challenges/{open}/drafts",
        body=lambda w, r: {"title": f"Draft {r}", "summary": ""},
    ),
    ("GET", "/drafts"): Row(signed_in(200), "/drafts"),
    ("GET", "/drafts/{draft_id}"): Row(
        only(200, ("solver",), 404), "/drafts/{fresh}", prepare=fresh_entry_draft
    ),
    ("PUT", "/drafts/{draft_id}"): Row(
        only(200, ("solver",), 404),
        "/drafts/{fresh}",
        body=lambda w, r: {"title": f"Edited {r}", "summary": ""},
        prepare=fresh_entry_draft,
    ),
    ("POST", "/drafts/{draft_id}/submit"): Row(
        # Not the published terms: the author gets 409, with nothing recorded.
        only(409, ("solver",), 404),
        "/drafts/{fresh}/submit",
        body=lambda w, r: {"accepted_terms_sha256": "0" * 64},
        prepare=fresh_entry_draft,
    ),
    ("DELETE", "/drafts/{draft_id}"): Row(
        only(200, ("solver",), 404), "/drafts/{fresh}", prepare=fresh_entry_draft
    ),
    ("GET", "/teams"): Row(signed_in(200), "/teams"),
    ("DELETE", "/teams/{team_id}/invitations/{invitee}"): Row(
        only(200, ("solver",), 409) | {"admin": 404},
        "/teams/{fresh}/invitations/{pending}",
        prepare=fresh_invitation,
    ),
    ("GET", "/teams/{team_id}"): Row(
        only(200, ("solver", "co_author", "other_solver"), 404), "/teams/{team}"
    ),
    ("POST", "/teams/{team_id}/invitations"): Row(
        only(201, ("solver",), 409) | {"admin": 404},
        "/teams/{fresh}/invitations",
        body=lambda w, r: {"invitees": [f"{uuid.uuid4().hex}@example.org"]},
        prepare=fresh_team,
    ),
    ("POST", "/teams/{team_id}/accept"): Row(
        signed_in(200, co_author=409, owner=403, legal=403, admin=404),
        "/teams/{fresh}/accept",
        body=lambda w, r: {"accepted_terms_sha256": w.terms["fresh"]},
        prepare=fresh_team,
    ),
    ("POST", "/teams/{team_id}/decline"): Row(
        signed_in(200, co_author=409, solver=409, admin=404),
        "/teams/{fresh}/decline",
        prepare=fresh_team,
    ),
    ("POST", "/teams/{team_id}/leave"): Row(
        only(200, ("co_author",), 409) | {"admin": 404},
        "/teams/{fresh}/leave",
        prepare=fresh_team,
    ),
    ("DELETE", "/teams/{team_id}/members/{account_id}"): Row(
        only(200, ("solver",), 409) | {"admin": 404},
        "/teams/{fresh}/members/{co}",
        prepare=fresh_team,
    ),
    ("POST", "/teams/{team_id}/lead"): Row(
        only(200, ("solver",), 409) | {"admin": 404},
        "/teams/{fresh}/lead",
        body=lambda w, r: {"account_id": w.users["co_author"].id},
        prepare=fresh_team,
    ),
    # reviews
    ("GET", "/reviews"): Row(signed_in(200), "/reviews"),
    ("PUT", "/submissions/{submission_id}/review"): Row(
        only(200, ("reviewer",), 404),
        "/submissions/{entry}/review",
        body=lambda w, r: {"scores": {"originality": 7, "feasibility": 7, "fun": 7}},
    ),
    ("POST", "/submissions/{submission_id}/conflict"): Row(
        only(201, ("reviewer",), 404),
        "/submissions/{fresh}/conflict",
        body=lambda w, r: {"reason": "I know them"},
        prepare=fresh_entry,
    ),
    # agreements
    ("GET", "/agreements"): Row(
        only(200, SPONSOR, 404), "/agreements", params={"organisation_id": "{org}"}
    ),
    ("GET", "/agreements/{agreement_id}"): Row(
        only(200, (*SPONSOR, "solver", "co_author"), 404), "/agreements/{agreement}"
    ),
    # Every author of the awarded version signs: the co-author too.
    ("POST", "/agreements/{agreement_id}/sign"): Row(
        only(200, ("solver", "co_author"), 404),
        "/agreements/{agreement}/sign",
        body=lambda w, r: signature(w, w.ids["agreement"]),
    ),
    ("POST", "/agreements/{agreement_id}/countersign"): Row(
        only(200, ("legal",), 404) | {"owner": 409},
        "/agreements/{signed}/countersign",
        body=lambda w, r: signature(w, w.ids["signed"]),
    ),
    ("POST", "/agreements/{agreement_id}/payments"): Row(
        only(201, ("owner",), 404) | {"legal": 403},
        "/agreements/{countersigned}/payments",
        body=lambda w, r: {"reference": "WIRE-1"},
    ),
    # After the win (issue 29): read by whoever reads the agreement; sales, payouts and
    # production by the owner (legal: 403); statements by owner, manager or legal.
    ("GET", "/agreements/{agreement_id}/after-the-win"): Row(
        only(200, (*SPONSOR, "solver"), 404),
        "/agreements/{royalty}/after-the-win",
        prepare=royalty_agreement,
    ),
    ("POST", "/agreements/{agreement_id}/sales-reports"): Row(
        only(201, ("owner",), 404) | {"legal": 403},
        "/agreements/{royalty}/sales-reports",
        body=lambda w, r: {
            "period": "2027-Q2",
            "units": 1,
            "net_sales": "10.00",
            "currency": "EUR",
        },
        prepare=royalty_agreement,
    ),
    ("POST", "/agreements/{agreement_id}/royalty-statements"): Row(
        only(201, ("owner", "legal"), 404),
        "/agreements/{royalty}/royalty-statements",
        body=lambda w, r: {"period": "2027-Q3" if r == "legal" else "2027-Q4"},
        prepare=royalty_agreement,
    ),
    ("POST", "/agreements/{agreement_id}/royalty-payouts"): Row(
        only(201, ("owner",), 404) | {"legal": 403},
        "/agreements/{royalty}/royalty-payouts",
        body=lambda w, r: {
            "statement_id": w.ids["statement"],
            "amount": "0.10",
            "currency": "EUR",
            "reference": f"R-{r}",
        },
        prepare=royalty_agreement,
    ),
    ("POST", "/agreements/{agreement_id}/production"): Row(
        only(200, ("owner",), 404) | {"legal": 403},
        "/agreements/{royalty}/production",
        body=lambda w, r: {"state": "committed", "on": "2027-09-01"},
        prepare=royalty_agreement,
    ),
    # An entry's history: its solver, the sponsor's owners and legal, admins
    # (OpenInno.may_view_history; every stream type is in tests/application).
    ("GET", "/streams/{stream_id}/history"): Row(
        only(200, (*SPONSOR, "solver", "co_author"), 404), "/streams/{winner}/history"
    ),
    # the log and the problem types: public
    ("GET", "/log/checkpoints/latest"): Row(everyone(404), "/log/checkpoints/latest"),
    ("GET", "/log/checkpoints"): Row(everyone(200), "/log/checkpoints"),
    ("GET", "/log/public-key"): Row(everyone(409), "/log/public-key"),
    ("GET", "/log/proof/inclusion"): Row(
        everyone(422), "/log/proof/inclusion", params={"event_id": "1", "tree_size": "1"}
    ),
    ("GET", "/log/proof/consistency"): Row(
        everyone(422), "/log/proof/consistency", params={"first": "1", "second": "2"}
    ),
    ("GET", "/log/checkpoint-note"): Row(everyone(404), "/log/checkpoint-note"),
    ("GET", "/log/key-history"): Row(everyone(200), "/log/key-history"),
    ("GET", "/log/freshness"): Row(
        everyone(409), "/log/freshness", params={"since": "1", "stream_id": str(uuid.UUID(int=1))}
    ),
    ("GET", "/problems"): Row(everyone(200), "/problems"),
    ("GET", "/problems/{code}"): Row(everyone(200), "/problems/not_found"),
    # remedies (issue 24).  Last: disputing and rescinding close the countersigned
    # agreement, after the rows that act on it; the first role allowed succeeds, the
    # later ones find it disputed (409).
    ("POST", "/submissions/{submission_id}/disqualify"): Row(
        only(200, ("owner", "admin"), 403),
        "/submissions/{fresh}/disqualify",
        body=lambda w, r: {"reason": f"Broke a rule ({r})."},
        prepare=fresh_entry,
    ),
    ("POST", "/challenges/{challenge_id}/cancel"): Row(
        only(200, ("owner", "admin"), 404) | {"legal": 403},
        "/challenges/{fresh}/cancel",
        body=lambda w, r: {"reason": "Budget withdrawn."},
        prepare=fresh_draft,
    ),
    # Re-award (issue 24, decision 0030): the sponsor's owners and managers, admins (as
    # awards: 403 to the rest); with no disqualified winner nor upheld score appeal,
    # those allowed find no place open (409).
    ("POST", "/challenges/{challenge_id}/reaward"): Row(
        only(409, ("owner", "admin"), 403),
        "/challenges/{private}/reaward",
        body=lambda w, r: {
            "awards": [{"submission_id": w.ids["winner"], "place": 1}],
            "reason": "Its winner was disqualified.",
        },
    ),
    ("POST", "/agreements/{agreement_id}/dispute"): Row(
        only(404, (), 404) | {"co_author": 200, "legal": 409, "owner": 409, "solver": 409},
        "/agreements/{countersigned}/dispute",
        body=lambda w, r: {"reason": "The prize was never paid."},
    ),
    ("POST", "/agreements/{agreement_id}/rescind"): Row(
        only(404, (), 404) | {"legal": 200, "owner": 409},
        "/agreements/{countersigned}/rescind",
        body=lambda w, r: {"reason": "Settled."},
    ),
    ("DELETE", "/organisations/{organisation_id}/members/{account_id}"): Row(
        only(200, ("owner",), 404) | {"legal": 403},
        "/organisations/{org}/members/{fresh}",
        prepare=fresh_manager,
    ),
    # webhooks (issue 23): owners and managers; legal members are refused, anyone else
    # does not see the organisation
    ("POST", "/organisations/{organisation_id}/webhooks"): Row(
        only(201, ("owner",), 404) | {"legal": 403},
        "/organisations/{org}/webhooks",
        body=lambda w, r: {"url": HOOK_URL, "types": ["submission.received"]},
    ),
    ("GET", "/organisations/{organisation_id}/webhooks"): Row(
        only(200, ("owner",), 404) | {"legal": 403}, "/organisations/{org}/webhooks"
    ),
    ("DELETE", "/organisations/{organisation_id}/webhooks/{webhook_id}"): Row(
        only(200, ("owner",), 404) | {"legal": 403},
        "/organisations/{org}/webhooks/{fresh}",
        prepare=fresh_webhook,
    ),
    ("GET", "/organisations/{organisation_id}/webhooks/{webhook_id}/deliveries"): Row(
        only(200, ("owner",), 404) | {"legal": 403},
        "/organisations/{org}/webhooks/{fresh}/deliveries",
        prepare=fresh_webhook,
    ),
    (
        "POST",
        "/organisations/{organisation_id}/webhooks/{webhook_id}/deliveries/{position}/redeliver",
    ): Row(
        only(202, ("owner",), 404) | {"legal": 403},
        "/organisations/{org}/webhooks/{fresh}/deliveries/{delivery}/redeliver",
        prepare=fresh_webhook,
    ),
    ("POST", "/admin/accounts/{account_id}/admin"): Row(
        only(200, ("admin",), 403), "/admin/accounts/{fresh}/admin", prepare=fresh_account
    ),
    ("DELETE", "/admin/accounts/{account_id}/admin"): Row(
        only(200, ("admin",), 403), "/admin/accounts/{fresh}/admin", prepare=fresh_admin
    ),
    ("GET", "/admin/decisions"): Row(only(200, ("admin",), 403), "/admin/decisions"),
    ("GET", "/admin/accounts"): Row(
        only(200, ("admin",), 403), "/admin/accounts", params={"q": "example.org"}
    ),
    ("POST", "/admin/accounts/{account_id}/deactivate"): Row(
        only(200, ("admin",), 403),
        "/admin/accounts/{fresh}/deactivate",
        body=lambda w, r: {"reason": "Spam."},
        prepare=fresh_account,
    ),
    ("POST", "/admin/accounts/{account_id}/reactivate"): Row(
        only(200, ("admin",), 403),
        "/admin/accounts/{fresh}/reactivate",
        body=lambda w, r: {"reason": "Appeal upheld."},
        prepare=deactivated_account,
    ),
    # appeals (issue 24): only an author appeals; the appellant, the sponsor's members
    # and admins read; the owner and admins answer and decide, the appellant replies.
    ("POST", "/submissions/{submission_id}/appeals"): Row(
        only(201, ("solver",), 404),
        "/submissions/{fresh}/appeals",
        body=lambda w, r: {"ground": "disqualification", "text": "Mine."},
        prepare=disqualified_entry,
    ),
    ("POST", "/appeals"): Row(
        only(201, ("solver",), 404),
        "/appeals",
        body=lambda w, r: {
            "ground": "disqualification",
            "subject_id": w.ids["appealable"],
            "text": "Mine.",
        },
        prepare=appealable,
    ),
    ("GET", "/appeals/{appeal_id}"): Row(
        only(200, ("solver", "owner", "legal", "admin"), 404),
        "/appeals/{fresh}",
        prepare=fresh_appeal,
    ),
    ("POST", "/appeals/{appeal_id}/answers"): Row(
        only(201, ("solver", "owner", "admin"), 404) | {"legal": 403},
        "/appeals/{fresh}/answers",
        body=lambda w, r: {"text": "Send the originals."},
        prepare=fresh_appeal,
    ),
    # reports and moderation (issue 24): anyone signed in reports; owners and managers
    # of an organisation and admins see a queue; only this sponsor's owner and admins
    # hide its challenge's question.
    ("POST", "/reports"): Row(
        signed_in(201),
        "/reports",
        body=lambda w, r: {"target_id": w.ids["question"], "reason": "An advert."},
        prepare=lambda w, r: (w.read_side.catch_up(), {})[1],
    ),
    ("GET", "/moderation/queue"): Row(
        # By this row every signed-in role owns an organisation (``POST /organisations``
        # above): each sees its own organisations' queue.
        signed_in(200),
        "/moderation/queue",
    ),
    ("POST", "/moderation/{target_id}/hide"): Row(
        only(200, ("owner", "admin"), 403),
        "/moderation/{fresh}/hide",
        body=lambda w, r: {"reason": "An advert."},
        prepare=reportable,
    ),
    # comments (issue 24): read by whoever sees the challenge or entry, posted by
    # anyone signed in who sees it, edited by their author only.
    ("GET", "/challenges/{challenge_id}/comments"): Row(
        everyone(200), "/challenges/{open}/comments"
    ),
    ("POST", "/challenges/{challenge_id}/comments"): Row(
        signed_in(201), "/challenges/{open}/comments", body=lambda w, r: {"text": "Wood?"}
    ),
    ("GET", "/submissions/{submission_id}/comments"): Row(
        everyone(200), "/submissions/{entry}/comments"
    ),
    ("POST", "/submissions/{submission_id}/comments"): Row(
        signed_in(201), "/submissions/{entry}/comments", body=lambda w, r: {"text": "Nice."}
    ),
    ("PATCH", "/comments/{comment_id}"): Row(
        only(200, ("solver",), 404),
        "/comments/{fresh}",
        body=lambda w, r: {"text": "Oak?"},
        prepare=own_comment,
    ),
    ("POST", "/appeals/{appeal_id}/decision"): Row(
        only(200, ("owner", "admin"), 404) | {"legal": 403, "solver": 403},
        "/appeals/{fresh}/decision",
        body=lambda w, r: {"outcome": "rejected", "reason": "The copy is exact."},
        prepare=fresh_appeal,
    ),
}


def served_routes(client: TestClient[Any]) -> set[tuple[str, str]]:
    routes = set()
    for route in client.app.routes:
        path = getattr(route, "path_format", route.path)
        if not path.startswith(V1 + "/"):
            continue
        for method in getattr(route, "methods", ()):
            if method not in ("HEAD", "OPTIONS"):
                routes.add((method, path[len(V1) :]))
    return routes


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_every_endpoint_has_a_row_in_the_matrix(client):
    served = served_routes(client)
    assert served, "no routes found under /api/v1"
    missing = sorted(served - set(MATRIX))
    stale = sorted(set(MATRIX) - served)
    assert not missing, f"endpoints without a row in the authorisation matrix: {missing}"
    assert not stale, f"rows for endpoints the app no longer serves: {stale}"
    for key, row in MATRIX.items():
        assert set(row.expected) == set(ORDER), f"{key}: a status for every role"


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_every_endpoint_for_every_role(world, app):
    wrong = []
    for (method, route), row in MATRIX.items():
        for role in ORDER:
            ids = dict(world.ids)
            if row.prepare is not None:
                ids.update(row.prepare(world, role))
            headers: dict[str, str] = {}
            if role != "anonymous":
                token = world.users[role].token
                if row.fresh_token:
                    token, _ = app.issue_token(f"{_email(world, role)}", PASSWORD)
                headers["Authorization"] = f"Bearer {token}"
            path = V1 + row.path.format(**ids)
            params = {k: v.format(**ids) for k, v in row.params.items()}
            body = row.body(world, role) if row.body else None
            if method == "GET":
                world.read_side.catch_up()
            response = world.c.request(method, path, headers=headers, params=params, json=body)
            expected = row.expected[role]
            if response.status_code != expected:
                wrong.append(
                    f"{method} {route} as {role}: {response.status_code} (expected {expected}) {response.text[:160]}"
                )
            elif response.status_code >= 400:
                assert response.headers["content-type"].startswith("application/problem+json")
    assert not wrong, "\n".join(wrong)


def _email(w: World, role: str) -> str:
    names = {
        "owner": "sponsor",
        "solver": "solver",
        "other_solver": "other",
        "co_author": "coauthor",
        "reviewer": "reviewer",
        "legal": "legal",
        "other_manager": "rivalmanager",
        "admin": "admin",
    }
    return f"{names[role]}@example.org"
