"""Every route of the HTML pages x every role, with the status each must get.

The matrix is keyed by (method, route path) and compared with the routes the pages
router actually serves: a new page or form without a row here fails this test.
Unsafe requests carry a valid CSRF token and, where they can, a body the right role
gets a 400 for (so no cell changes what another cell sees); rows whose success
changes state get fresh objects per role (``prepare``).  GETs that need a signed-in
person redirect anonymous visitors to the login page (303); unsafe requests from
them get 401."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from openinno.domain.values import Voting
from openinno.files import Upload
from tests.support.files import pdf_naming
from tests.support.story import Scene
from tests.web.api.conftest import from_address
from tests.web.pages.conftest import TOKEN, Web

ROLES = (
    "anonymous",
    "solver",
    "other_solver",
    "reviewer",
    "manager",
    "other_manager",
    "legal",
    "admin",
)
SIGNED_IN = ROLES[1:]
MEMBERS = ("manager", "legal")
LOGIN = 303  # a GET that needs a signed-in person: to /login?next=...
PDF = b"%PDF-1.4\n% a small but real-looking pdf\n"


@dataclass
class Row:
    expected: dict[str, int]
    path: str  # formatted with World.ids (and what prepare returns)
    data: dict[str, Any] = field(default_factory=dict)
    multipart: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[World, str], dict[str, str]] | None = None


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: int, anonymous: int = LOGIN) -> dict[str, int]:
    return {**dict.fromkeys(SIGNED_IN, status), "anonymous": anonymous}


def only(status: int, roles: tuple[str, ...], denied: int = 404, anonymous: int = LOGIN):
    return {r: status if r in roles else denied for r in SIGNED_IN} | {"anonymous": anonymous}


def post_only(status: int, roles: tuple[str, ...], denied: int = 404, **others: int):
    return only(status, roles, denied, anonymous=401) | others


@dataclass
class World:
    web: Web
    cast: Scene
    ids: dict[str, Any]
    jars: dict[str, list[Any]]
    tokens: dict[str, str]

    def fresh_entry(self) -> str:
        return str(self.cast.submit(self.ids["open"], self.ids["open_terms"], title="Fresh"))


def fresh_draft(w: World, role: str) -> dict[str, str]:
    return {"fresh": str(w.cast.draft())}


def fresh_entry(w: World, role: str) -> dict[str, str]:
    return {"fresh": w.fresh_entry()}


def fresh_invitation(w: World, role: str) -> dict[str, str]:
    challenge_id, _terms = w.cast.published(visibility="private", voting=Voting("none"))
    w.cast.app.invite_reviewer(w.cast.sponsor, challenge_id, w.cast.reviewer)
    return {"fresh": str(challenge_id)}


def fresh_team(w: World, role: str) -> dict[str, str]:
    """A fresh challenge and the solver's team in it, the other solver invited."""
    challenge_id, _terms = w.cast.published()
    team = w.cast.app.form_team(
        w.cast.solver, challenge_id, "Fresh lab", [str(w.cast.other_solver)]
    )
    return {"fresh": str(team.id)}


def fresh_entry_draft(w: World, role: str) -> dict[str, str]:
    """A fresh draft of the solver's in the open challenge."""
    return {"fresh": str(w.cast.app.save_draft(w.cast.solver, w.ids["open"], "Kites", "").id)}


def fresh_team_of_two(w: World, role: str) -> dict[str, str]:
    """As ``fresh_team``, with the other solver on it."""
    challenge_id, terms = w.cast.published()
    team = w.cast.app.form_team(
        w.cast.solver, challenge_id, "Fresh lab", [str(w.cast.other_solver)]
    )
    w.cast.app.accept_team_invitation(w.cast.other_solver, team.id, terms)
    return {"fresh": str(team.id), "member": str(w.cast.other_solver)}


def fresh_webhook(w: World, role: str) -> dict[str, str]:
    """A webhook of the organisation's (registered by its owner)."""
    hook = w.cast.app.register_webhook(
        w.cast.sponsor, w.cast.organisation, "https://93.184.216.34/hook", ["question.asked"]
    )
    return {"fresh": str(hook.id)}


def fresh_appeal_with_evidence(w: World, role: str) -> dict[str, str]:
    """An appeal with a PDF as evidence: the appellant's file (issue 24)."""
    entry = UUID(w.fresh_entry())
    w.cast.app.disqualify_submission(w.cast.sponsor, entry, "Copied.")
    pdf = pdf_naming()
    evidence = [Upload.of_bytes("sketches.pdf", pdf)]
    appeal = w.cast.app.appeal_submission(
        w.cast.solver, entry, "disqualification", "Mine.", evidence
    )
    return {"fresh": str(appeal.id), "sha": hashlib.sha256(pdf).hexdigest()}


def fresh_appeal(w: World, role: str) -> dict[str, str]:
    """A fresh entry of the solver's, disqualified and appealed (issue 24)."""
    entry = UUID(w.fresh_entry())
    w.cast.app.disqualify_submission(w.cast.sponsor, entry, "Copied.")
    appeal = w.cast.app.appeal_submission(w.cast.solver, entry, "disqualification", "Mine.")
    return {"fresh": str(appeal.id)}


def fresh_hidden_question(w: World, role: str) -> dict[str, str]:
    """A fresh question of the other solver's, hidden by the sponsor (issue 24)."""
    question = w.cast.app.ask_question(w.cast.other_solver, w.ids["open"], "Cheap watches?").id
    w.cast.app.hide_question(w.cast.sponsor, w.ids["open"], question, "An advert.")
    w.web.fed()
    return {"fresh": str(question)}


def fresh_comment(w: World, role: str) -> dict[str, str]:
    """A fresh comment of the solver's on the open challenge (issue 24)."""
    comment = w.cast.app.comment_on_challenge(w.cast.solver, w.ids["open"], "Oak?").id
    w.web.fed()
    return {"fresh": str(comment)}


def fresh_question(w: World, role: str) -> dict[str, str]:
    """A fresh question in the open challenge, in the read models (issue 24)."""
    question = w.cast.app.ask_question(w.cast.other_solver, w.ids["open"], "Cheap watches?").id
    w.web.fed()
    return {"fresh": str(question)}


@pytest.fixture
def world(web: Web, cast: Scene) -> World:
    app, clock = cast.app, cast.clock
    manager, legal = cast.account("manager"), cast.account("legal")
    app.add_member(cast.sponsor, cast.organisation, manager, "manager")
    app.add_member(cast.sponsor, cast.organisation, legal, "legal")
    rival = cast.account("rival")
    app.create_organisation(rival, "Rival")
    admin = cast.account("root")
    app.grant_admin_as_operator(admin)
    ids: dict[str, Any] = {"org": cast.organisation}
    ids["open"], ids["open_terms"] = cast.published(max_submissions_per_solver=50)
    short = {
        "visibility": "private",
        "voting": Voting("none"),
        "closes_at": clock.now() + timedelta(days=3),
    }
    review, review_terms = cast.published(**short)
    ids["review"] = review
    won, won_terms = cast.published(**short)
    ids["draft"] = cast.draft()
    ids["solver_account"] = cast.solver
    # The solver's team in the open challenge, the other solver invited (issue 21).
    ids["team"] = app.form_team(cast.solver, ids["open"], "Lever lab", [str(cast.other_solver)]).id
    app.invite_reviewer(cast.sponsor, review, cast.reviewer)
    app.accept_reviewer_invitation(cast.reviewer, review)
    clock.advance(timedelta(days=2))
    ids["entry"] = cast.submit(ids["open"], ids["open_terms"])
    ids["entry_draft"] = app.save_draft(cast.solver, ids["open"], "Kites", "").id
    ids["question"] = app.ask_question(cast.other_solver, ids["open"], "Lego allowed?").id
    ids["reviewed"] = cast.submit(review, review_terms)
    real_pdf = pdf_naming()
    ids["filed"] = app.submit(
        cast.solver,
        review,
        "With a file",
        "A PDF.",
        review_terms,
        files=[Upload.of_bytes("a.pdf", real_pdf)],
    ).id
    ids["file"] = hashlib.sha256(real_pdf).hexdigest()
    app.derived.derive(ids["file"], "application/pdf")  # as the follower would
    ids["winner"] = winner = cast.submit(won, won_terms)
    clock.advance(timedelta(days=2))
    ids["agreement"] = cast.award_unreviewed(won, [(winner, 1)]).agreement_ids[0]
    w = World(web, cast, ids, {}, {})
    logins = {
        "solver": "solver",
        "other_solver": "other",
        "reviewer": "reviewer",
        "manager": "manager",
        "other_manager": "rival",
        "legal": "legal",
        "admin": "root",
    }
    for role in ROLES:
        web.client.cookies.clear()
        if role != "anonymous":
            web.login(logins[role])
        page = web.get("/")
        found = TOKEN.search(page.text)
        assert found
        w.tokens[role] = found.group(1)
        w.jars[role] = list(web.client.cookies.jar)
    return w


def _bad_signup() -> dict[str, str]:
    return {"email": "not an email", "password": "x", "password_again": "y"}


C = "/challenges/{challenge_id:uuid}"
ORG = "/organisations/{organisation_id:uuid}"
S = "/submissions/{submission_id:uuid}"
A = "/agreements/{agreement_id:uuid}"
MATRIX: dict[tuple[str, str], Row] = {
    # anyone
    ("GET", "/"): Row(everyone(200), "/"),
    ("GET", C): Row(everyone(200), "/challenges/{open}"),
    ("GET", f"{C}/terms"): Row(everyone(200), "/challenges/{open}/terms"),
    ("GET", f"{C}/terms.json"): Row(everyone(200), "/challenges/{open}/terms.json"),
    ("GET", f"{C}/gallery"): Row(everyone(200), "/challenges/{open}/gallery"),
    ("POST", "/language"): Row(everyone(303), "/language", {"locale": "pl", "next": "/"}),
    # accounts
    ("GET", "/signup"): Row(everyone(200), "/signup"),
    ("POST", "/signup"): Row(everyone(400), "/signup", _bad_signup()),
    ("POST", "/signup/validate"): Row(
        everyone(200), "/signup/validate", _bad_signup(), headers={"HX-Trigger-Name": "email"}
    ),
    ("GET", "/login"): Row(everyone(200), "/login"),
    ("POST", "/login"): Row(
        # One address per role: five failures for one account would throttle it (429).
        everyone(401),
        "/login",
        {"email": "nobody-{fresh}@example.org", "password": "wrong"},
        prepare=lambda w, role: {"fresh": role},
    ),
    ("POST", "/logout"): Row(everyone(303), "/logout"),
    ("POST", "/logout/everywhere"): Row(signed_in(303, 401), "/logout/everywhere"),
    ("GET", "/profile"): Row(signed_in(200), "/profile"),
    # personal data (issue 26): each person's own download; an erasure needs the
    # password (a wrong one here: nobody's account is erased under the matrix)
    ("GET", "/profile/export"): Row(signed_in(200), "/profile/export"),
    ("POST", "/profile/erasure"): Row(signed_in(400, 401), "/profile/erasure", {"password": "no"}),
    ("POST", "/profile"): Row(signed_in(400, 401), "/profile", {"display_name": ""}),
    # solvers
    ("GET", f"{C}/submit"): Row(signed_in(200), "/challenges/{open}/submit"),
    ("POST", f"{C}/submit"): Row(
        signed_in(400, 401), "/challenges/{open}/submit", {"title": "x"}, multipart=True
    ),
    ("POST", f"{C}/submit/validate"): Row(
        signed_in(200, 401),
        "/challenges/{open}/submit/validate",
        {"title": "x"},
        headers={"HX-Trigger-Name": "title"},
    ),
    ("POST", f"{C}/questions"): Row(
        signed_in(400, 401), "/challenges/{open}/questions", {"question": ""}
    ),
    ("GET", "/submissions/mine"): Row(signed_in(200), "/submissions/mine"),
    ("GET", f"{S}/receipt"): Row(only(200, ("solver",)), "/submissions/{entry}/receipt"),
    ("GET", f"{S}/revise"): Row(only(200, ("solver",)), "/submissions/{entry}/revise"),
    ("POST", f"{S}/revise"): Row(
        post_only(400, ("solver",)), "/submissions/{entry}/revise", {"title": ""}, multipart=True
    ),
    ("POST", f"{S}/withdraw"): Row(
        post_only(303, ("solver",)),
        "/submissions/{fresh}/withdraw",
        {"confirm": "yes"},
        prepare=fresh_entry,
    ),
    ("POST", f"{S}/support"): Row(
        # Anyone signed in but the entry's own author (409: one cannot support oneself)
        # and the sponsor's own members (403: staff must not push entries over a threshold).
        {**signed_in(303, 401), "solver": 409, "manager": 403, "legal": 403},
        "/submissions/{fresh}/support",
        {"action": "support"},
        prepare=fresh_entry,
    ),
    # teams (issue 21): a team's page and forms are its members' and invitees' (others:
    # 404); the lead invites, removes and hands over (the invitee: 409); the sponsor's
    # members cannot enter, so cannot form a team (403).
    ("GET", f"{C}/teams/new"): Row(signed_in(200), "/challenges/{open}/teams/new"),
    ("POST", f"{C}/teams"): Row(
        {**signed_in(400, 401), "manager": 403, "legal": 403},
        "/challenges/{open}/teams",
        {"name": ""},
    ),
    ("GET", "/teams/{team_id:uuid}"): Row(only(200, ("solver", "other_solver")), "/teams/{team}"),
    ("POST", "/teams/{team_id:uuid}/invitations"): Row(
        post_only(400, ("solver",), other_solver=409), "/teams/{team}/invitations", {"invitees": ""}
    ),
    ("POST", "/teams/{team_id:uuid}/invitations/cancel"): Row(
        # Nobody invited this address: the lead and the invitee get 409, others 404.
        post_only(409, ("solver", "other_solver")),
        "/teams/{team}/invitations/cancel",
        {"invitee": "nobody@example.org"},
    ),
    # entry drafts (issue 21): their author's alone (others: 404).
    ("GET", "/drafts/{draft_id:uuid}"): Row(only(200, ("solver",)), "/drafts/{entry_draft}"),
    ("POST", "/drafts/{draft_id:uuid}"): Row(
        post_only(400, ("solver",)), "/drafts/{entry_draft}", {"action": "draft", "title": ""}
    ),
    ("POST", "/drafts/{draft_id:uuid}/discard"): Row(
        post_only(303, ("solver",)), "/drafts/{fresh}/discard", prepare=fresh_entry_draft
    ),
    ("POST", "/teams/{team_id:uuid}/accept"): Row(
        # Without the terms box ticked nobody joins.
        post_only(400, ("solver", "other_solver")),
        "/teams/{team}/accept",
    ),
    ("POST", "/teams/{team_id:uuid}/decline"): Row(
        post_only(303, ("other_solver",), solver=409), "/teams/{fresh}/decline", prepare=fresh_team
    ),
    ("POST", "/teams/{team_id:uuid}/leave"): Row(
        post_only(303, ("other_solver",), solver=409),
        "/teams/{fresh}/leave",
        prepare=fresh_team_of_two,
    ),
    ("POST", "/teams/{team_id:uuid}/members/{account_id:uuid}/remove"): Row(
        post_only(303, ("solver",), other_solver=409),
        "/teams/{fresh}/members/{member}/remove",
        prepare=fresh_team_of_two,
    ),
    ("POST", "/teams/{team_id:uuid}/members/{account_id:uuid}/lead"): Row(
        post_only(303, ("solver",), other_solver=409),
        "/teams/{fresh}/members/{member}/lead",
        prepare=fresh_team_of_two,
    ),
    # sponsors
    ("GET", "/organisations"): Row(signed_in(200), "/organisations"),
    ("POST", "/organisations"): Row(signed_in(400, 401), "/organisations", {"name": ""}),
    ("GET", ORG): Row(only(200, MEMBERS), "/organisations/{org}"),
    ("GET", f"{ORG}/challenges/new"): Row(
        only(200, MEMBERS), "/organisations/{org}/challenges/new"
    ),
    ("POST", f"{ORG}/challenges"): Row(
        post_only(400, MEMBERS), "/organisations/{org}/challenges", {"title": ""}
    ),
    ("POST", f"{ORG}/challenges/validate"): Row(
        post_only(200, MEMBERS),
        "/organisations/{org}/challenges/validate",
        {"title": ""},
        headers={"HX-Trigger-Name": "title"},
    ),
    ("POST", f"{ORG}/members"): Row(post_only(400, MEMBERS), "/organisations/{org}/members"),
    # the organisation's logo (issue 25): served to anyone (404: none set here);
    # changed by owners and managers (400: no file chosen), legal 403
    ("GET", f"{ORG}/logo"): Row(everyone(404), "/organisations/{org}/logo"),
    ("POST", f"{ORG}/logo"): Row(
        post_only(400, ("manager",), legal=403), "/organisations/{org}/logo", {"action": "upload"}
    ),
    ("POST", f"{ORG}/members/{{account_id:uuid}}/remove"): Row(
        # owners only (no owner among the roles here): members are refused
        post_only(303, (), denied=404, manager=403, legal=403),
        "/organisations/{org}/members/{solver_account}/remove",
    ),
    # webhooks (issue 23): owners and managers; legal members are refused
    ("GET", f"{ORG}/webhooks"): Row(
        only(200, ("manager",)) | {"legal": 403}, "/organisations/{org}/webhooks"
    ),
    ("POST", f"{ORG}/webhooks"): Row(
        post_only(400, ("manager",), legal=403), "/organisations/{org}/webhooks", {"url": ""}
    ),
    ("POST", f"{ORG}/webhooks/{{webhook_id:uuid}}/remove"): Row(
        post_only(303, ("manager",), legal=403),
        "/organisations/{org}/webhooks/{fresh}/remove",
        prepare=fresh_webhook,
    ),
    ("POST", f"{ORG}/webhooks/{{webhook_id:uuid}}/deliveries/{{position:int}}/redeliver"): Row(
        post_only(303, ("manager",), legal=403),
        "/organisations/{org}/webhooks/{fresh}/deliveries/1/redeliver",
        prepare=fresh_webhook,
    ),
    ("GET", f"{C}/draft"): Row(only(200, MEMBERS), "/challenges/{draft}/draft"),
    # editing and deleting a draft (issue 25): owners and managers; legal 403 on save
    ("GET", f"{C}/draft/edit"): Row(only(200, MEMBERS), "/challenges/{draft}/draft/edit"),
    ("POST", f"{C}/draft/edit"): Row(
        post_only(400, MEMBERS), "/challenges/{draft}/draft/edit", {"title": ""}
    ),
    ("POST", f"{C}/draft/delete"): Row(
        post_only(303, ("manager",), legal=403),
        "/challenges/{fresh}/draft/delete",
        prepare=fresh_draft,
    ),
    ("POST", f"{C}/publish"): Row(
        post_only(303, ("manager",), legal=403), "/challenges/{fresh}/publish", prepare=fresh_draft
    ),
    ("GET", f"{C}/manage"): Row(only(200, MEMBERS), "/challenges/{open}/manage"),
    ("GET", f"{C}/entries"): Row(
        # OpenInno.require_sponsor_view, as the API's ranking: members and admins.
        only(200, (*MEMBERS, "admin")),
        "/challenges/{open}/entries",
    ),
    ("GET", f"{C}/entries.csv"): Row(only(200, MEMBERS), "/challenges/{open}/entries.csv"),
    # Issue 27: the sponsor's members, admins and the challenge's reviewers.
    ("GET", f"{C}/sift"): Row(
        only(200, (*MEMBERS, "admin", "reviewer")), "/challenges/{review}/sift"
    ),
    ("GET", f"{C}/exports/{{kind:str}}"): Row(
        only(200, (*MEMBERS, "admin")), "/challenges/{review}/exports/entries"
    ),
    ("GET", f"{C}/duplicates"): Row(
        only(200, (*MEMBERS, "admin")), "/challenges/{review}/duplicates"
    ),
    # No entry named: a 400 for those who may merge (manager, admin), 403 for legal.
    ("POST", f"{C}/duplicates/merge"): Row(
        post_only(400, ("manager", "admin"), legal=403), "/challenges/{review}/duplicates/merge"
    ),
    ("POST", f"{C}/sift/tag"): Row(
        post_only(400, (*MEMBERS, "admin", "reviewer")),
        "/challenges/{review}/sift/tag",
        {"search": "q=kite", "tag": ""},
    ),
    ("POST", f"{C}/announcements"): Row(
        post_only(400, ("manager",), legal=403), "/challenges/{open}/announcements", {"text": ""}
    ),
    ("POST", f"{C}/deadline"): Row(
        post_only(400, MEMBERS), "/challenges/{open}/deadline", {"closes_at": "soon"}
    ),
    ("POST", f"{C}/reviewers"): Row(
        post_only(400, MEMBERS), "/challenges/{open}/reviewers", {"email": "nobody@example.org"}
    ),
    ("POST", f"{C}/shortlist"): Row(
        post_only(400, MEMBERS), "/challenges/{open}/shortlist", {"submission_ids": "not-an-id"}
    ),
    ("POST", f"{C}/rounds/advance"): Row(
        post_only(400, MEMBERS), "/challenges/{open}/rounds/advance", {"submission_ids": "x"}
    ),
    ("POST", f"{C}/award"): Row(
        post_only(400, MEMBERS), "/challenges/{open}/award", {"place_1": "not-an-id"}
    ),
    # Re-award (issue 24, decision 0030): the form comes back to the members with its error.
    ("POST", f"{C}/reaward"): Row(
        post_only(400, MEMBERS), "/challenges/{open}/reaward", {"place_1": "not-an-id"}
    ),
    # Assignment (decision 0023): members read; owners and managers act (a form the
    # manager gets back: 400; legal members: 403).
    ("GET", f"{C}/assignment"): Row(only(200, MEMBERS), "/challenges/{open}/assignment"),
    ("POST", f"{C}/assignment"): Row(
        post_only(400, ("manager",), legal=403), "/challenges/{open}/assignment", {"k": "x"}
    ),
    ("POST", f"{C}/assignment/release"): Row(
        post_only(400, ("manager",), legal=403),
        "/challenges/{open}/assignment/release",
        {"reviewer_id": "not-an-id", "reason": "Ill"},
    ),
    ("POST", f"{C}/review/close"): Row(
        # An empty announcement is refused: every member allowed gets the form back (400).
        post_only(400, ("manager",), legal=403),
        "/challenges/{open}/review/close",
        {"text": ""},
    ),
    ("POST", f"{C}/reveal"): Row(
        # Before the deadline there is nothing to reveal: the manager gets 409.
        post_only(409, ("manager",), legal=403),
        "/challenges/{open}/reveal",
    ),
    ("POST", f"{C}/questions/{{question_id:uuid}}/answer"): Row(
        post_only(400, ("manager",), legal=403, **{r: 403 for r in SIGNED_IN if r not in MEMBERS}),
        "/challenges/{open}/questions/{question}/answer",
        {"answer": ""},
    ),
    ("POST", f"{C}/questions/{{question_id:uuid}}/hide"): Row(
        # Moderation: the sponsor's owners and managers, and admins.
        post_only(
            400,
            ("manager", "admin"),
            legal=403,
            **{r: 403 for r in SIGNED_IN if r not in (*MEMBERS, "admin")},
        ),
        "/challenges/{open}/questions/{question}/hide",
        {"reason": ""},
    ),
    # reviewers
    # notifications: each person's own; the badge answers anyone (no count without one);
    # unsubscribe takes a signed token, so a wrong one is 404 to everyone
    ("GET", "/notifications"): Row(signed_in(200), "/notifications"),
    ("GET", "/notifications/badge"): Row(everyone(200), "/notifications/badge"),
    ("POST", "/notifications/read"): Row(
        signed_in(303, 401), "/notifications/read", {"id": "1.awarded"}
    ),
    ("POST", "/notifications/preferences"): Row(
        signed_in(303, 401), "/notifications/preferences", {"awarded": "weekly"}
    ),
    # mailed links (issue 23): a forged token is 404 to everyone; the resend is the
    # signed-in person's own; asking for a reset answers anyone alike
    ("GET", "/verify-email"): Row(signed_in(200), "/verify-email"),
    ("POST", "/verify-email/resend"): Row(signed_in(303, 401), "/verify-email/resend"),
    ("GET", "/verify-email/{token:str}"): Row(everyone(404), "/verify-email/forged.token"),
    ("POST", "/verify-email/{token:str}"): Row(everyone(404), "/verify-email/forged.token"),
    ("GET", "/password/forgot"): Row(everyone(200), "/password/forgot"),
    ("POST", "/password/forgot"): Row(everyone(400), "/password/forgot", {"email": "nobody"}),
    ("GET", "/password/reset/{token:str}"): Row(everyone(404), "/password/reset/forged.token"),
    ("POST", "/password/reset/{token:str}"): Row(
        everyone(404), "/password/reset/forged.token", {"password": "x"}
    ),
    ("GET", "/notifications/unsubscribe/{token:str}"): Row(
        everyone(404), "/notifications/unsubscribe/forged.token"
    ),
    ("POST", "/notifications/unsubscribe/{token:str}"): Row(
        everyone(404), "/notifications/unsubscribe/forged.token"
    ),
    ("GET", "/reviews"): Row(signed_in(200), "/reviews"),
    ("POST", "/reviews/invitations/{challenge_id:uuid}"): Row(
        post_only(303, ("reviewer",)),
        "/reviews/invitations/{fresh}",
        prepare=fresh_invitation,
    ),
    ("GET", "/reviews/{submission_id:uuid}"): Row(only(200, ("reviewer",)), "/reviews/{reviewed}"),
    ("POST", "/reviews/{submission_id:uuid}"): Row(
        post_only(400, ("reviewer",)), "/reviews/{reviewed}", {"score_0": "eleventy"}
    ),
    ("POST", "/reviews/{submission_id:uuid}/conflict"): Row(
        post_only(400, ("reviewer",)), "/reviews/{reviewed}/conflict", {"reason": ""}
    ),
    # conflicts for several entries of one's queue (issue 20): a form error without a
    # reason; entries not in one's queue are a 404 (tests/web/pages/test_bulk_conflicts.py)
    ("POST", "/reviews/conflicts"): Row(
        signed_in(400, anonymous=401), "/reviews/conflicts", {"reason": ""}
    ),
    # an entry's files: its authors, its reviewers (accepted, in the review period, no
    # conflict), the sponsor's members; nobody else (OpenInno.file_for), the same 404
    ("GET", f"{S}/files/{{sha256:str}}"): Row(
        only(200, ("solver", "reviewer", *MEMBERS), anonymous=404),
        "/submissions/{filed}/files/{file}",
    ),
    ("GET", f"{S}/files/{{sha256:str}}/preview"): Row(
        only(200, ("solver", "reviewer", *MEMBERS), anonymous=404),
        "/submissions/{filed}/files/{file}/preview",
    ),
    # legal.  Blind review (domain/blind.py): identities are not revealed here, so the
    # sponsor's legal roles know the authors of the awarded entry ({winner}) only, and
    # managers no author at all (they judged).
    ("GET", "/legal/submissions/{submission_id:uuid}"): Row(
        # OpenInno.require_chain_of_title (the API's rule too): the authors, the
        # sponsor's owners and legal members, admins.
        only(200, ("solver", "legal", "admin")),
        "/legal/submissions/{winner}",
    ),
    ("GET", "/legal/submissions/{submission_id:uuid}/certificate"): Row(
        only(200, ("solver", "legal", "admin")), "/legal/submissions/{winner}/certificate"
    ),
    ("GET", "/legal/submissions/{submission_id:uuid}/export/{kind:str}"): Row(
        only(200, ("solver", "legal", "admin")), "/legal/submissions/{winner}/export/csv"
    ),
    ("GET", "/legal/streams/{stream_id:uuid}"): Row(
        # OpenInno.may_view_history: the entry's solver, the sponsor's owners and legal
        # members, admins; not managers, reviewers or other organisations.
        only(200, ("solver", "legal", "admin")),
        "/legal/streams/{winner}",
    ),
    ("GET", f"{ORG}/agreements"): Row(
        only(200, (*MEMBERS, "admin")), "/organisations/{org}/agreements"
    ),
    ("GET", A): Row(only(200, ("solver", "legal", "admin")), "/agreements/{agreement}"),
    ("POST", f"{A}/sign"): Row(
        # Parties see the form; without the intent box ticked nobody signs.
        post_only(400, ("solver", "legal", "admin")),
        "/agreements/{agreement}/sign",
    ),
    ("POST", f"{A}/countersign"): Row(
        post_only(400, ("solver", "legal", "admin")), "/agreements/{agreement}/countersign"
    ),
    ("POST", f"{A}/payment"): Row(
        # Owners and managers record payments, a manager once identities are revealed
        # (the agreement names the winner): here, nobody in ROLES may.
        post_only(303, (), legal=403),
        "/agreements/{agreement}/payment",
        {"reference": "TRX-1"},
    ),
    # After the win (issue 29), on an agreement whose rights have not passed and that
    # has no royalty: its owners and managers act (a manager once identities are
    # revealed, so nobody in ROLES here), the legal member states royalties and is
    # told the agreement has none (409), reporting and production are not theirs (403).
    ("POST", f"{A}/sales"): Row(
        post_only(303, (), legal=403), "/agreements/{agreement}/sales", {"units": "1"}
    ),
    ("POST", f"{A}/statements"): Row(
        post_only(303, (), legal=409), "/agreements/{agreement}/statements", {"period": "2027-Q1"}
    ),
    ("POST", f"{A}/payouts"): Row(
        post_only(303, (), legal=403), "/agreements/{agreement}/payouts", {"amount": "1"}
    ),
    ("POST", f"{A}/production"): Row(
        post_only(303, (), legal=403),
        "/agreements/{agreement}/production",
        {"state": "committed", "on": "2027-09-01"},
    ),
    # Remedies (issue 24): without a reason, whoever may act gets the form back (400).
    ("POST", f"{A}/dispute"): Row(
        # its author and the sponsor's legal members; an admin reads it, but is no party
        post_only(400, ("solver", "legal"), admin=404),
        "/agreements/{agreement}/dispute",
    ),
    ("POST", f"{A}/rescind"): Row(
        post_only(400, ("legal",), solver=404, admin=404), "/agreements/{agreement}/rescind"
    ),
    ("POST", "/challenges/{challenge_id:uuid}/cancel"): Row(
        post_only(400, ("manager",), legal=403), "/challenges/{draft}/cancel"
    ),
    ("POST", "/submissions/{submission_id:uuid}/disqualify"): Row(
        post_only(400, ("manager", "admin"), legal=403), "/submissions/{entry}/disqualify"
    ),
    # votes (issue 24): an entry's flagged votes, for the sponsor's owners and managers
    # and admins (others: not found); voiding none of them is a 400 for those
    ("GET", "/submissions/{submission_id:uuid}/votes"): Row(
        only(200, ("manager", "admin")), "/submissions/{entry}/votes"
    ),
    ("POST", "/submissions/{submission_id:uuid}/votes/void"): Row(
        post_only(400, ("manager", "admin")), "/submissions/{entry}/votes/void"
    ),
    # appeals (issue 24): the author files; the appellant, the sponsor's members and
    # admins read; managers and admins answer and decide, the appellant replies.
    ("GET", f"{S}/appeal"): Row(only(200, ("solver",)), "/submissions/{entry}/appeal"),
    ("POST", f"{S}/appeal"): Row(
        post_only(400, ("solver",)), "/submissions/{entry}/appeal", {"text": ""}, multipart=True
    ),
    ("GET", "/appeals/{appeal_id:uuid}"): Row(
        only(200, ("solver", "manager", "legal", "admin")), "/appeals/{fresh}", prepare=fresh_appeal
    ),
    # Evidence files (issue 24): the appellant, those who answer (the sponsor's managers,
    # admins); the same 404 for everyone else, legal members and visitors included.
    ("GET", "/appeals/{appeal_id:uuid}/files/{sha256:str}"): Row(
        only(200, ("solver", "manager", "admin"), anonymous=404),
        "/appeals/{fresh}/files/{sha}",
        prepare=fresh_appeal_with_evidence,
    ),
    # A hidden question's appeal (issue 24): its asker only; as if not there to others.
    ("GET", f"{C}/questions/{{question_id:uuid}}/appeal"): Row(
        only(200, ("other_solver",)),
        "/challenges/{open}/questions/{fresh}/appeal",
        prepare=fresh_hidden_question,
    ),
    ("POST", f"{C}/questions/{{question_id:uuid}}/appeal"): Row(
        post_only(400, ("other_solver",)),
        "/challenges/{open}/questions/{fresh}/appeal",
        {"text": ""},
        multipart=True,
        prepare=fresh_hidden_question,
    ),
    ("POST", "/appeals/{appeal_id:uuid}/answers"): Row(
        post_only(400, ("solver", "manager", "admin"), legal=403),
        "/appeals/{fresh}/answers",
        {"text": ""},
        multipart=True,
        prepare=fresh_appeal,
    ),
    ("POST", "/appeals/{appeal_id:uuid}/decision"): Row(
        post_only(400, ("manager", "admin"), legal=403, solver=403),
        "/appeals/{fresh}/decision",
        {"outcome": "upheld", "reason": ""},
        prepare=fresh_appeal,
    ),
    # reports and moderation (issue 24): anyone signed in reports (a fresh question
    # each, reported once); the sponsor's owners and managers (and the rival's, for
    # their own) and admins see a queue; an empty reason is a 400 for the moderators.
    ("POST", "/reports"): Row(
        signed_in(303, 401),
        "/reports",
        {"target_id": "{fresh}", "reason": "An advert.", "next": "/challenges/{open}"},
        prepare=fresh_question,
    ),
    # An entry's page with its comments (issue 24): whoever may see the entry (the open
    # challenge's gallery is public); an empty comment comes back with its error.
    ("GET", S): Row(everyone(200), "/submissions/{entry}"),
    ("POST", f"{S}/comments"): Row(
        signed_in(400, 401), "/submissions/{entry}/comments", {"text": ""}
    ),
    # Editing a comment (issue 24): its author (an empty text: 400); as if not there to
    # anyone else.
    ("POST", "/comments/{comment_id:uuid}"): Row(
        post_only(400, ("solver",)),
        "/comments/{fresh}",
        {"text": "", "next": "/challenges/{open}"},
        prepare=fresh_comment,
    ),
    ("POST", f"{C}/comments"): Row(
        signed_in(400, 401), "/challenges/{open}/comments", {"text": ""}
    ),
    ("GET", "/moderation"): Row(only(200, ("manager", "other_manager", "admin")), "/moderation"),
    ("POST", "/moderation/{target_id:uuid}/hide"): Row(
        post_only(400, ("manager", "admin"), denied=403),
        "/moderation/{fresh}/hide",
        {"reason": ""},
        prepare=fresh_question,
    ),
    # admin
    ("GET", "/admin"): Row(only(200, ("admin",)), "/admin"),
    ("GET", "/admin/accounts"): Row(only(200, ("admin",)), "/admin/accounts?q=example"),
    ("GET", "/admin/decisions"): Row(only(200, ("admin",)), "/admin/decisions"),
    # An account's page with its history (issue 24): admins only.
    ("GET", "/admin/accounts/{account_id:uuid}"): Row(
        only(200, ("admin",)), "/admin/accounts/{solver_account}"
    ),
    ("POST", "/admin/accounts/{account_id:uuid}/{action:str}"): Row(
        post_only(400, ("admin",)), "/admin/accounts/{solver_account}/deactivate"
    ),
}


def _page_routes(web: Web) -> set[tuple[str, str]]:
    """(method, path) of every handler defined in web/pages, from the app's route table
    (sync handlers are wrapped: the original function is ``fn.func``)."""
    found = set()
    for route in web.client.app.routes:
        for handler in getattr(route, "route_handlers", []):
            fn = getattr(handler.fn, "func", handler.fn)
            if not getattr(fn, "__module__", "").startswith("web.pages."):
                continue
            for method in handler.http_methods:
                if method not in ("OPTIONS", "HEAD"):
                    found.add((method, route.path))
    return found


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_every_page_route_has_a_row(web):
    served = _page_routes(web)
    assert len(served) > 40
    assert served == set(MATRIX), {
        "routes without a row": sorted(served - set(MATRIX)),
        "rows without a route": sorted(set(MATRIX) - served),
    }


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_every_page_route_for_every_role(world: World):
    web, failures = world.web, []
    # Logging out ends a session for good, and everywhere every session of the account:
    # last, everywhere first (a plain log-out deletes the session it would need).
    last = {("POST", "/logout/everywhere"): 1, ("POST", "/logout"): 2}
    for (method, route), row in sorted(MATRIX.items(), key=lambda kv: last.get(kv[0], 0)):
        for n, role in enumerate(ROLES):
            ids = dict(world.ids)
            if row.prepare is not None:
                ids.update(row.prepare(world, role))
            path = (row.path or route).format(**{k: str(v) for k, v in ids.items()})
            web.client.cookies.clear()
            for cookie in world.jars[role]:
                web.client.cookies.jar.set_cookie(cookie)
            web.fed()
            # Each role's browser from its own address: the wrong password of POST /login
            # counts per address (one per role, under the back-off's free failures).
            with from_address(web.client, f"192.0.2.{n + 1}"):
                if method == "GET":
                    r = web.client.get(path, follow_redirects=False)
                else:
                    data = {k: v.format(**ids) for k, v in row.data.items()}
                    data["_csrf_token"] = world.tokens[role]
                    files = (
                        [("files", ("plan.pdf", PDF, "application/pdf"))] if row.multipart else None
                    )
                    r = web.client.post(
                        path, data=data, files=files, headers=row.headers, follow_redirects=False
                    )
            expected = row.expected[role]
            if r.status_code != expected:
                failures.append(f"{method} {path} as {role}: {r.status_code}, expected {expected}")
            elif (
                expected == LOGIN
                and method == "GET"
                and not r.headers["location"].startswith("/login?next=")
            ):
                failures.append(f"{method} {path} as {role}: to {r.headers['location']}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_ids_are_uuids(world: World):
    # The matrix formats paths with these: a typo in a name must not pass silently.
    for name, value in world.ids.items():
        if name not in ("open_terms", "file"):
            UUID(str(value))
