"""An HTTP client around the `app` fixture, and a small cast signed in with tokens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.settings import Settings
from projections.service import ReadSide
from tests.projections.conftest import drop_read_schema
from web.api.config import ApiConfig
from web.app import create_app
from web.readside import read_side_for, read_store_for

PASSWORD = "correct horse battery"
PROBLEM = "application/problem+json"


# Tests make many requests and sign-ups from one address: limits out of the way
# (test_rate_limits and test_signup_throttle set their own); reads wait briefly for
# the read side (tests feed it themselves).
TEST_CONFIG = ApiConfig(
    read_wait_seconds=2.0,
    token_requests=100_000,
    anonymous_requests=100_000,
    signup_requests=100_000,
)


@pytest.fixture
def api_config() -> ApiConfig:
    return TEST_CONFIG


@pytest.fixture
def client(app: OpenInno, api_config: ApiConfig) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(app.settings, application=app, api_config=api_config)) as c:
        yield c


@pytest.fixture
def read_side(app: OpenInno, settings: Settings) -> Iterator[ReadSide]:
    """The read models beside the test's event store; ``read_side.catch_up()`` feeds them."""
    store = read_store_for(settings)
    side = read_side_for(settings, app, store=store)
    side.setup()
    yield side
    side.stop()
    drop_read_schema(store)


@contextmanager
def from_address(client: TestClient[Any], address: str) -> Iterator[TestClient[Any]]:
    """The client's requests come from ``address`` (Litestar's test client sends every
    request from "testclient"): for limits counted per client address."""
    app = client.app

    async def with_address(scope: Any, receive: Any, send: Any) -> None:
        # Nested: the innermost block's address wins (its wrapper runs first).
        if scope["type"] == "http" and "test.address" not in scope:
            scope = {**scope, "client": (address, 50000), "test.address": address}
        await app(scope, receive, send)

    client.app = with_address  # type: ignore[assignment]
    try:
        yield client
    finally:
        client.app = app


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class User:
    id: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.token)


def sign_up(client: TestClient[Any], name: str) -> User:
    email = f"{name}@example.org"
    created = client.post(
        "/api/v1/accounts",
        json={"email": email, "password": PASSWORD, "display_name": name.title()},
    )
    assert created.status_code == 201, created.text
    issued = client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
    assert issued.status_code == 201, issued.text
    return User(created.json()["id"], issued.json()["token"])


def assert_problem(response: Any, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"/api/v1/problems/{code}"
    assert body["title"] and body["detail"]
    assert "Traceback" not in response.text
    if field is not None:
        assert body.get("field") == field, body
    return body


def challenge_body(clock: ManualClock, organisation: str, **changes: Any) -> dict[str, Any]:
    now = clock.now()
    body: dict[str, Any] = {
        "organisation_id": organisation,
        "title": "Bricks that teach physics",
        "brief": "Propose a building set that teaches a physics principle.",
        "category": "toys",
        "prizes": [
            {"place": 1, "amount": "5000.00", "currency": "EUR"},
            {"place": 2, "amount": "1000.00", "currency": "EUR"},
        ],
        "criteria": [
            {"name": "originality", "weight": 40},
            {"name": "feasibility", "weight": 35},
            {"name": "fun", "weight": 25},
        ],
        "opens_at": (now + timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=30)).isoformat(),
        "review_ends_at": (now + timedelta(days=45)).isoformat(),
        "max_submissions_per_solver": 2,
        "visibility": "public",
        "voting": {"mode": "public", "threshold": 3},
        "ip_terms": "assignment",
    }
    body.update(changes)
    return body


@dataclass
class Cast:
    client: TestClient[Any]
    clock: ManualClock
    sponsor: User
    organisation: str
    solver: User
    other: User
    reviewer: User

    def draft(self, **changes: Any) -> str:
        r = self.client.post(
            "/api/v1/challenges",
            json=challenge_body(self.clock, self.organisation, **changes),
            headers=self.sponsor.auth,
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def open_challenge(self, **changes: Any) -> tuple[str, str]:
        challenge_id = self.draft(**changes)
        r = self.client.post(
            f"/api/v1/challenges/{challenge_id}/publish", headers=self.sponsor.auth
        )
        assert r.status_code == 200, r.text
        self.clock.advance(timedelta(days=2))
        return challenge_id, str(r.json()["terms_sha256"])

    def submit(self, challenge_id: str, terms: str, who: User | None = None, **body: Any) -> str:
        r = self.client.post(
            f"/api/v1/challenges/{challenge_id}/submissions",
            json={
                "title": "Pendulum park",
                "summary": "Swings and weights.",
                "accepted_terms_sha256": terms,
                **body,
            },
            headers=(who or self.solver).auth,
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])


@pytest.fixture
def cast(client: TestClient[Any], clock: ManualClock) -> Cast:
    sponsor = sign_up(client, "sponsor")
    r = client.post("/api/v1/organisations", json={"name": "Brickworks"}, headers=sponsor.auth)
    assert r.status_code == 201, r.text
    return Cast(
        client=client,
        clock=clock,
        sponsor=sponsor,
        organisation=r.json()["id"],
        solver=sign_up(client, "solver"),
        other=sign_up(client, "other"),
        reviewer=sign_up(client, "reviewer"),
    )
