"""Sign-ups are throttled per client address (issue 19, finding 7: 143 accounts from
one address in 15 s): OPENINNO_SIGNUP_RATE_LIMIT, counted in the host's shared buckets
for every worker and for both doors (POST /api/v1/accounts and the /signup page)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from openinno.domain.errors import InvalidInput
from tests.web.api.conftest import PASSWORD, assert_problem
from web.api.config import ApiConfig
from web.app import create_app


def _config(**env: str) -> ApiConfig:
    # The other API limits out of the way: only the sign-up limit is under test.
    return ApiConfig.from_env(
        {
            "OPENINNO_API_RATE_LIMIT": "100000/60",
            "OPENINNO_API_ANONYMOUS_RATE_LIMIT": "100000/60",
            **env,
        }
    )


def _sign_up(client: TestClient[Any], name: str, **changes: Any) -> Any:
    body = {"email": f"{name}@example.org", "password": PASSWORD, "display_name": name}
    return client.post("/api/v1/accounts", json={**body, **changes})


def test_sign_ups_from_one_address_are_throttled(app):
    config = _config(OPENINNO_SIGNUP_RATE_LIMIT="3/3600")
    with TestClient(create_app(app.settings, application=app, api_config=config)) as client:
        assert [_sign_up(client, f"bot{i}").status_code for i in range(3)] == [201] * 3
        refused = _sign_up(client, "bot3")
        body = assert_problem(refused, 429, "too_many_requests")
        assert 1 <= int(refused.headers["retry-after"]) <= 3600
        assert "sign-ups" in body["detail"]
    # Nothing was recorded for the refused one.
    assert app.account_id_for_email("bot3@example.org") is None


def test_a_malformed_sign_up_does_not_use_up_the_address(app):
    """Fixing a typo is not another account: only attempts that could record one count."""
    config = _config(OPENINNO_SIGNUP_RATE_LIMIT="2/3600")
    with TestClient(create_app(app.settings, application=app, api_config=config)) as client:
        for _ in range(3):
            assert_problem(_sign_up(client, "ada", time_zone="Mars/Olympus"), 422, "invalid_input")
        assert _sign_up(client, "ada").status_code == 201
        # A taken email counts (else the door would be a free probe for who has an account).
        assert _sign_up(client, "ada").status_code == 409
        assert_problem(_sign_up(client, "bob"), 429, "too_many_requests")


def test_two_workers_count_sign_ups_together(app):
    config = _config(OPENINNO_SIGNUP_RATE_LIMIT="3/3600")
    one = TestClient(create_app(app.settings, application=app, api_config=config))
    two = TestClient(create_app(app.settings, application=app, api_config=config))
    with one, two:
        assert _sign_up(one, "a").status_code == 201
        assert _sign_up(two, "b").status_code == 201
        assert _sign_up(one, "c").status_code == 201
        assert_problem(_sign_up(two, "d"), 429, "too_many_requests")


def test_the_sign_up_limit_is_strict_by_default_and_read_from_the_environment():
    default = ApiConfig.from_env({})
    assert (default.signup_requests, default.signup_window_seconds) == (10, 3600)
    assert ApiConfig().signup_requests == 10
    loose = ApiConfig.from_env({"OPENINNO_SIGNUP_RATE_LIMIT": "500/60"})
    assert (loose.signup_requests, loose.signup_window_seconds) == (500, 60)
    for bad in ("x", "0/60", "10/0"):
        with pytest.raises(InvalidInput):
            ApiConfig.from_env({"OPENINNO_SIGNUP_RATE_LIMIT": bad})
