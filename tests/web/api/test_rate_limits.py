"""Rate limits: per bearer token, per address for anonymous requests; 429 problems
with Retry-After; buckets refill over the window."""

from __future__ import annotations

import pytest

from tests.web.api.conftest import PASSWORD, assert_problem, bearer
from web.api.config import ApiConfig
from web.api.ratelimit import RateLimiter


@pytest.fixture
def api_config() -> ApiConfig:
    return ApiConfig(token_requests=3, anonymous_requests=2, window_seconds=60)


def _token(app, name: str) -> str:
    app.register_account(f"{name}@example.org", PASSWORD, name.title())
    token, _ = app.issue_token(f"{name}@example.org", PASSWORD)
    return token


def test_each_token_has_its_own_limit_then_429_with_retry_after(client, app):
    ada, bob = _token(app, "ada"), _token(app, "bob")
    for remaining in (2, 1, 0):
        r = client.get("/api/v1/me", headers=bearer(ada))
        assert r.status_code == 200, r.text
        assert r.headers["ratelimit-limit"] == "3"
        assert r.headers["ratelimit-remaining"] == str(remaining)
    over = client.get("/api/v1/me", headers=bearer(ada))
    body = assert_problem(over, 429, "too_many_requests")
    assert 1 <= int(over.headers["retry-after"]) <= 20
    assert "token" in body["detail"]
    # Another token, and anonymous requests from the same address, are counted apart.
    assert client.get("/api/v1/me", headers=bearer(bob)).status_code == 200
    assert client.get("/api/v1/problems").status_code == 200
    # Writes are limited too, before any idempotency record is claimed.
    write = client.post(
        "/api/v1/organisations",
        json={"name": "Late"},
        headers={**bearer(ada), "Idempotency-Key": "k-1"},
    )
    assert_problem(write, 429, "too_many_requests")


def test_anonymous_requests_are_limited_per_address(client):
    assert client.get("/api/v1/problems").status_code == 200
    assert (
        client.post("/api/v1/tokens", json={"email": "x@example.org", "password": "x"}).status_code
        == 401
    )
    over = client.get("/api/v1/problems")
    assert_problem(over, 429, "too_many_requests")
    assert over.headers["retry-after"] == "30"
    # Pages and the schema are not the API's to limit.
    assert client.get("/schema/openapi.json").status_code == 200


def test_buckets_refill_over_the_window():
    now = [0.0]
    limiter = RateLimiter(2, 1, 10.0, clock=lambda: now[0])
    assert limiter.take("token", "a")[0] and limiter.take("token", "a")[0]
    allowed, _, wait = limiter.take("token", "a")
    assert not allowed and wait == pytest.approx(5.0)
    now[0] = 5.0
    assert limiter.take("token", "a")[0]
    assert not limiter.take("token", "a")[0]
    assert limiter.take("ip", "127.0.0.1")[0] and not limiter.take("ip", "127.0.0.1")[0]
    now[0] = 100.0
    limiter._forget_full(now[0])
    assert limiter._buckets == {}
