"""Lists read from the projections: catalogue, entries by audience, review queue,
ranking, agreements, chain of title and stream history; cursors; min_position."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from openinno.domain.token import token_sha256, token_stream_id
from tests.web.api.conftest import Cast, User, assert_problem, sign_up
from web.api.config import ApiConfig


@dataclass
class World:
    cast: Cast
    read_side: Any
    legal: User
    manager: User
    rival_manager: User
    admin: User
    challenge: str
    winner: str
    runner_up: str
    withdrawn: str
    agreement: str

    @property
    def c(self) -> Any:
        return self.cast.client

    def get(self, path: str, who: User | None = None, **params: Any) -> Any:
        self.read_side.catch_up()
        return self.c.get(path, headers=who.auth if who else {}, params=params)


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def world(cast: Cast, read_side: Any, app: Any) -> World:
    c = cast.client
    legal, manager = sign_up(c, "legal"), sign_up(c, "manager")
    rival_manager, admin = sign_up(c, "rivalmanager"), sign_up(c, "admin")
    app.grant_admin_as_operator(UUID(admin.id))
    for who, role in ((legal, "legal"), (manager, "manager")):
        _ok(
            c.post(
                f"/api/v1/organisations/{cast.organisation}/members",
                json={"account_id": who.id, "role": role},
                headers=cast.sponsor.auth,
            ),
            201,
        )
    _ok(c.post("/api/v1/organisations", json={"name": "Rival"}, headers=rival_manager.auth), 201)
    challenge, terms = cast.open_challenge()
    winner = cast.submit(challenge, terms)
    runner_up = cast.submit(challenge, terms, who=cast.other, title="Lever lab")
    withdrawn = cast.submit(challenge, terms, title="Second thoughts")
    _ok(c.post(f"/api/v1/submissions/{withdrawn}/withdraw", headers=cast.solver.auth))
    _ok(
        c.post(
            f"/api/v1/challenges/{challenge}/reviewers",
            json={"account_id": cast.reviewer.id},
            headers=cast.sponsor.auth,
        ),
        201,
    )
    _ok(c.post(f"/api/v1/challenges/{challenge}/reviewers/accept", headers=cast.reviewer.auth))
    cast.clock.advance(timedelta(days=28))  # review runs once submissions close
    for entry, score in ((winner, 9), (runner_up, 5)):
        _ok(
            c.put(
                f"/api/v1/submissions/{entry}/review",
                json={"scores": {"originality": score, "feasibility": score, "fun": score}},
                headers=cast.reviewer.auth,
            )
        )
    cast.clock.advance(timedelta(days=2))
    # Awards once review is over: the sponsor closes it early, announced.
    _ok(
        c.post(
            f"/api/v1/challenges/{challenge}/review/close",
            json={"text": "The jury has finished."},
            headers=cast.sponsor.auth,
        )
    )
    awarded = _ok(
        c.post(
            f"/api/v1/challenges/{challenge}/awards",
            json={"awards": [{"submission_id": winner, "place": 1}]},
            headers=cast.sponsor.auth,
        ),
        201,
    )
    return World(
        cast,
        read_side,
        legal,
        manager,
        rival_manager,
        admin,
        challenge,
        winner,
        runner_up,
        withdrawn,
        awarded["agreement_ids"][0],
    )


def _transfer(w: World) -> None:
    url = f"/api/v1/agreements/{w.agreement}"
    text_sha256 = w.c.get(url, headers=w.cast.solver.auth).json()["text_sha256"]
    body = {"typed_name": "Sol Ver", "intent": "I agree", "text_sha256": text_sha256}
    _ok(w.c.post(f"{url}/sign", json=body, headers=w.cast.solver.auth))
    _ok(w.c.post(f"{url}/countersign", json=body, headers=w.legal.auth))
    _ok(w.c.post(f"{url}/payments", json={"reference": "W-1"}, headers=w.cast.sponsor.auth), 201)


# --- the catalogue ----------------------------------------------------------------------------


def test_catalogue_lists_published_challenges_never_drafts_with_search_and_cursor(cast, read_side):
    c = cast.client
    draft = cast.draft(title="Secret draft about gears")
    ids = [cast.open_challenge(title=f"Gears number {n}")[0] for n in range(3)]
    upcoming = cast.draft(title="Pulleys later")
    _ok(c.post(f"/api/v1/challenges/{upcoming}/publish", headers=cast.sponsor.auth))
    read_side.catch_up()

    everything = _ok(c.get("/api/v1/challenges", params={"limit": 100}))
    listed = [i["id"] for i in everything["items"]]
    assert set(listed) == {*ids, upcoming} and draft not in listed
    assert everything["next_cursor"] is None
    first = everything["items"][0]
    assert first["prizes"][0] == {"place": 1, "amount": "5000.00", "currency": "EUR"}
    assert first["status"] == "published" and first["submission_count"] == 0

    found = _ok(c.get("/api/v1/challenges", params={"q": "gears", "status": "open"}))
    assert {i["id"] for i in found["items"]} == set(ids)
    only_upcoming = _ok(c.get("/api/v1/challenges", params={"status": "upcoming"}))
    assert [i["id"] for i in only_upcoming["items"]] == [upcoming]

    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 1, "status": ["open", "upcoming"]}
        if cursor:
            params["cursor"] = cursor
        got = _ok(c.get("/api/v1/challenges", params=params))
        seen += [i["id"] for i in got["items"]]
        cursor = got["next_cursor"]
        if cursor is None:
            break
    assert seen == listed

    page_one = _ok(c.get("/api/v1/challenges", params={"limit": 1}))
    assert_problem(
        c.get("/api/v1/challenges", params={"cursor": page_one["next_cursor"], "sort": "prize"}),
        422,
        "invalid_input",
        "cursor",
    )
    assert_problem(
        c.get("/api/v1/challenges", params={"cursor": "not-a-cursor"}), 422, "invalid_input"
    )
    assert_problem(
        c.get("/api/v1/challenges", params={"status": "whenever"}), 422, "invalid_parameter"
    )
    assert_problem(c.get("/api/v1/challenges", params={"limit": 0}), 422, "invalid_parameter")


# --- a challenge's entries ----------------------------------------------------------------


def test_entries_by_audience_sponsor_all_reviewer_blind_public_gallery(world):
    w, cast = world, world.cast
    url = f"/api/v1/challenges/{w.challenge}/submissions"

    sponsor = _ok(w.get(url, cast.sponsor))
    assert sponsor["audience"] == "sponsor"
    assert {i["id"] for i in sponsor["items"]} == {w.winner, w.runner_up, w.withdrawn}
    assert {i["status"] for i in sponsor["items"]} >= {"withdrawn"}
    # Blind review: the owner knows the author of the awarded entry (its agreement's
    # counterparty), not of the others, until the reveal.
    named = {i["id"]: i["solver_name"] for i in sponsor["items"] if i["solver_id"] is not None}
    assert named == {w.winner: "Solver"}

    reviewer = _ok(w.get(url, cast.reviewer))
    assert reviewer["audience"] == "reviewer"
    assert {i["id"] for i in reviewer["items"]} == {w.winner, w.runner_up}
    for item in reviewer["items"]:
        assert item["pseudonym"].startswith("Entrant ")
        assert item["solver_id"] is None and item["solver_name"] is None
    assert cast.solver.id not in str(reviewer) and "Solver" not in str(reviewer)

    public = _ok(w.get(url))
    assert public["audience"] == "public"
    assert {i["id"] for i in public["items"]} == {w.winner, w.runner_up}
    assert cast.solver.id not in str(public)

    admin = _ok(w.get(url, w.admin))
    by_id = {i["id"]: i for i in admin["items"]}
    assert by_id[w.winner]["solver_id"] == cast.solver.id
    assert by_id[w.winner]["solver_name"] == "Solver"

    first = _ok(w.get(url, cast.sponsor, limit=2))
    rest = _ok(w.get(url, cast.sponsor, limit=2, cursor=first["next_cursor"]))
    assert rest["next_cursor"] is None
    assert [i["id"] for i in first["items"] + rest["items"]] == [i["id"] for i in sponsor["items"]]
    assert_problem(
        w.get(
            f"/api/v1/challenges/{w.challenge}/ranking", cast.sponsor, cursor=first["next_cursor"]
        ),
        422,
        "invalid_input",
        "cursor",
    )


def test_a_private_challenges_entries_are_not_found_for_outsiders(cast, read_side):
    c = cast.client
    challenge, terms = cast.open_challenge(visibility="private", voting={"mode": "none"})
    cast.submit(challenge, terms)
    draft = cast.draft()
    read_side.catch_up()
    url = f"/api/v1/challenges/{challenge}/submissions"
    assert_problem(c.get(url), 404, "not_found")
    assert_problem(c.get(url, headers=cast.other.auth), 404, "not_found")
    assert_problem(c.get(url, headers=cast.reviewer.auth), 404, "not_found")
    assert _ok(c.get(url, headers=cast.sponsor.auth))["audience"] == "sponsor"
    draft_url = f"/api/v1/challenges/{draft}/submissions"
    assert_problem(c.get(draft_url, headers=cast.other.auth), 404, "not_found")
    assert _ok(c.get(draft_url, headers=cast.sponsor.auth))["items"] == []


# --- the review queue and the ranking ---------------------------------------------------------


def test_my_review_queue_is_blind_and_only_mine(world):
    w, cast = world, world.cast
    queue = _ok(w.get("/api/v1/reviews", cast.reviewer))
    assert {i["submission_id"] for i in queue["items"]} == {w.winner, w.runner_up}
    assert all(i["state"] == "scored" for i in queue["items"])
    assert all(set(i) & {"solver_id", "solver_name"} == set() for i in queue["items"])
    assert cast.solver.id not in str(queue)
    one = _ok(w.get("/api/v1/reviews", cast.reviewer, limit=1))
    two = _ok(w.get("/api/v1/reviews", cast.reviewer, limit=1, cursor=one["next_cursor"]))
    assert [i["submission_id"] for i in one["items"] + two["items"]] == [
        i["submission_id"] for i in queue["items"]
    ]
    assert two["next_cursor"] is None
    assert _ok(w.get("/api/v1/reviews", cast.solver))["items"] == []
    assert_problem(w.get("/api/v1/reviews"), 401, "authentication_required")


def test_ranking_for_the_sponsor_only(world):
    w, cast = world, world.cast
    url = f"/api/v1/challenges/{w.challenge}/ranking"
    ranking = _ok(w.get(url, cast.sponsor))
    assert [i["id"] for i in ranking["items"]] == [w.winner, w.runner_up]
    assert [i["rank"] for i in ranking["items"]] == [1, 2]
    top = ranking["items"][0]
    assert top["review_count"] == 1 and top["reviews"][0]["reviewer_id"] == cast.reviewer.id
    assert _ok(w.get(url, w.legal))["items"] and _ok(w.get(url, w.admin))["items"]
    for who in (cast.reviewer, cast.solver, w.rival_manager):
        assert_problem(w.get(url, who), 404, "not_found")
    assert_problem(w.get(url), 401, "authentication_required")
    page = _ok(w.get(url, cast.sponsor, limit=1))
    assert [i["rank"] for i in page["items"]] == [1] and page["next_cursor"]


# --- agreements, chain of title, history ------------------------------------------------------


def test_agreements_of_an_organisation_by_state_for_its_members(world):
    w, cast = world, world.cast
    org = cast.organisation
    listed = _ok(w.get("/api/v1/agreements", w.legal, organisation_id=org))
    assert [(i["id"], i["state"]) for i in listed["items"]] == [(w.agreement, "awaiting_signature")]
    assert _ok(w.get("/api/v1/agreements", cast.sponsor, organisation_id=org))["items"]
    assert _ok(w.get("/api/v1/agreements", w.admin, organisation_id=org))["items"]
    waiting = w.get("/api/v1/agreements", w.legal, organisation_id=org, state="awaiting_payment")
    assert _ok(waiting)["items"] == []
    for who in (w.rival_manager, cast.solver, cast.reviewer):
        assert_problem(w.get("/api/v1/agreements", who, organisation_id=org), 404, "not_found")
    assert_problem(w.get("/api/v1/agreements", w.legal), 422, "invalid_parameter")
    assert_problem(
        w.get("/api/v1/agreements", w.legal, organisation_id=org, state="signed"),
        422,
        "invalid_parameter",
    )


def test_chain_of_title_for_authors_legal_and_admins(world):
    w, cast = world, world.cast
    _transfer(w)
    url = f"/api/v1/submissions/{w.winner}/chain-of-title"
    chain = _ok(w.get(url, w.legal))
    steps = [s["step"] for s in chain["items"]]
    assert steps[0] == "submitted" and steps[-1] == "ownership_transferred"
    assert chain["ownership_transferred"] is True
    positions = [s["position"] for s in chain["items"]]
    assert positions == sorted(positions)
    submitted = chain["items"][0]
    assert submitted["actor_id"] == cast.solver.id
    assert submitted["event_id"] == f"{w.winner}@1"
    receipt = w.c.get(f"/api/v1/submissions/{w.winner}", headers=cast.solver.auth).json()
    assert submitted["hashes"]["content_sha256"] == receipt["content_sha256"]
    assert "text_sha256" in chain["items"][-1]["hashes"]
    assert _ok(w.get(url, cast.solver))["ownership_transferred"] is True
    assert _ok(w.get(url, cast.sponsor))["items"]
    assert _ok(w.get(url, w.admin))["items"]
    for who in (w.manager, cast.reviewer, cast.other, w.rival_manager):
        assert_problem(w.get(url, who), 404, "not_found")
    assert_problem(w.get(url), 401, "authentication_required")
    first = _ok(w.get(url, w.legal, limit=2))
    assert len(first["items"]) == 2 and first["ownership_transferred"] is True
    rest = _ok(w.get(url, w.legal, limit=100, cursor=first["next_cursor"]))
    assert [s["position"] for s in first["items"] + rest["items"]] == positions

    not_yet = _ok(w.get(f"/api/v1/submissions/{w.runner_up}/chain-of-title", cast.other))
    assert not_yet["ownership_transferred"] is False

    # as of the step before the payment (which transfers in the same command: never
    # one without the other), replaying only what was recorded by then
    before = _ok(w.get(url, w.legal, as_of=str(positions[-2] - 1)))
    assert before["ownership_transferred"] is False
    assert [s["position"] for s in before["items"]] == positions[:-2]
    inside = _ok(w.get(url, w.legal, as_of=str(positions[-2])))
    assert [s["position"] for s in inside["items"]] == positions
    history = f"/api/v1/streams/{w.agreement}/history"
    assert _ok(w.get(history, w.legal, as_of=str(positions[0])))["items"] == []
    assert _ok(w.get(history, w.legal))["items"]
    assert_problem(w.get(url, w.legal, as_of="last tuesday"), 422, "invalid_input")


def test_stream_history_by_stream_type_never_shows_secrets(world, app):
    w, cast = world, world.cast

    def history(stream: str, who: User | None) -> Any:
        return w.get(f"/api/v1/streams/{stream}/history", who)

    # An account's history is for admins only (OpenInno.may_view_history).
    account = _ok(history(cast.solver.id, w.admin))
    assert account["stream_type"] == "Account"
    assert account["items"][0]["event_type"] == "Account.Registered"
    assert "password" not in str(account).lower()
    assert_problem(history(cast.solver.id, cast.solver), 404, "not_found")
    assert_problem(history(cast.solver.id, cast.other), 404, "not_found")

    submission = _ok(history(w.winner, w.legal))
    assert submission["stream_type"] == "Submission"
    assert_problem(history(w.winner, cast.reviewer), 404, "not_found")
    assert_problem(history(w.winner, w.manager), 404, "not_found")

    assert _ok(history(w.winner, cast.solver))["stream_type"] == "Submission"

    challenge = _ok(history(w.challenge, w.legal))
    assert challenge["items"][0]["event_type"] == "Challenge.Drafted"
    assert_problem(history(w.challenge, w.manager), 404, "not_found")
    assert_problem(history(w.challenge, cast.solver), 404, "not_found")
    assert_problem(history(cast.organisation, w.rival_manager), 404, "not_found")
    assert _ok(history(cast.organisation, w.legal))["stream_type"] == "Organisation"
    assert _ok(history(w.agreement, cast.solver))["stream_type"] == "IpAgreement"
    assert_problem(history(w.agreement, cast.other), 404, "not_found")

    token_stream = str(token_stream_id(token_sha256(cast.solver.token)))
    for who in (cast.solver, w.admin):
        assert_problem(history(token_stream, who), 404, "not_found")
    assert_problem(history(str(UUID(int=7)), w.admin), 404, "not_found")
    assert_problem(history(cast.solver.id, None), 401, "authentication_required")
    token_prefix = token_sha256(cast.solver.token)[:12]
    for stream in (cast.solver.id, w.winner, w.challenge):
        text = history(stream, w.admin).text
        assert token_prefix not in text and "argon2" not in text
    page = _ok(w.get(f"/api/v1/streams/{w.challenge}/history", w.legal, limit=1))
    assert page["items"][0]["version"] == 1 and page["next_cursor"]
    assert hashlib.sha256(b"").hexdigest() not in str(page)


# --- read-your-writes ---------------------------------------------------------------------


def test_min_position_waits_for_the_read_side(cast, read_side):
    read_side.start()
    c = cast.client
    challenge = cast.draft()
    published = _ok(c.post(f"/api/v1/challenges/{challenge}/publish", headers=cast.sponsor.auth))
    listed = _ok(
        c.get(
            "/api/v1/challenges",
            params={"min_position": published["position"], "status": "upcoming"},
        )
    )
    assert [i["id"] for i in listed["items"]] == [challenge]
    assert_problem(
        c.get("/api/v1/challenges", params={"min_position": published["position"] + 1000}),
        422,
        "invalid_input",
        "min_position",
    )


@pytest.fixture
def api_config() -> ApiConfig:
    return ApiConfig(
        read_wait_seconds=0.2,
        token_requests=10_000,
        anonymous_requests=10_000,
        signup_requests=10_000,
    )


def test_min_position_answers_503_with_retry_after_when_the_read_side_lags(cast, read_side):
    c = cast.client
    read_side.catch_up()
    challenge = cast.draft()
    published = _ok(c.post(f"/api/v1/challenges/{challenge}/publish", headers=cast.sponsor.auth))
    lagging = c.get("/api/v1/challenges", params={"min_position": published["position"]})
    assert_problem(lagging, 503, "service_unavailable")
    assert lagging.headers["retry-after"]


def test_chain_of_title_says_which_checkpoint_it_was_verified_against(world, app):
    """Issue 22, finding 5: only a claim the ledger backs (tests/ledger/test_read_models_proven.py)."""
    from openinno.ledger import checkpoint as checkpoints
    from openinno.ledger.log import catch_up, ledger_for

    w = world
    _transfer(w)
    url = f"/api/v1/submissions/{w.winner}/chain-of-title"
    assert _ok(w.get(url, w.legal))["verified_against"] is None  # no ledger runs here
    (app.settings.data_dir / "signing-key.pem").write_bytes(checkpoints.generate_private_key_pem())
    ledger = ledger_for(app, create_tables=True)
    catch_up(ledger)
    size = ledger.checkpoint_now().tree_size
    ledger.db.close()
    claim = _ok(w.get(url, w.legal))["verified_against"]
    assert claim == {
        "status": "verified",
        "checkpoint": size,
        "cosigned_by": [],
        "statement": f"verified against checkpoint {size}",
    }
