"""POST /api/v1/tokens with wrong passwords: throttled per email and per client
address (429 problem + Retry-After), the same answer whether the email has an
account or not, counted once for every app instance (worker) on the host."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from litestar.testing import TestClient

from openinno.domain.errors import InvalidInput
from tests.web.api.conftest import PASSWORD, assert_problem
from web.api.config import ApiConfig
from web.app import create_app
from web.throttle import LoginThrottle, MemoryBuckets


@contextmanager
def api_client(app: Any, per_account: int = 3, per_ip: int = 5) -> Iterator[TestClient[Any]]:
    config = ApiConfig(
        token_requests=100_000,
        anonymous_requests=100_000,
        login_failures_per_account=per_account,
        login_failures_per_ip=per_ip,
        login_window_seconds=600,
    )
    with TestClient(create_app(app.settings, application=app, api_config=config)) as client:
        yield client


def _try(client: TestClient[Any], email: str, password: str = "wrong password") -> Any:
    return client.post("/api/v1/tokens", json={"email": email, "password": password})


def test_wrong_passwords_per_email_then_429_even_with_the_right_one(app):
    app.register_account("ada@example.org", PASSWORD, "Ada")
    app.register_account("bob@example.org", PASSWORD, "Bob")
    with api_client(app) as client:
        for _ in range(3):
            assert_problem(_try(client, "ada@example.org"), 401, "invalid_credentials")
        # The same email typed otherwise, with the right password: still blocked.
        blocked = _try(client, " Ada@Example.org", PASSWORD)
        body = assert_problem(blocked, 429, "too_many_requests")
        assert 1 <= int(blocked.headers["retry-after"]) <= 600
        assert "retry after" in body["detail"]
        # Another email from the same address still gets in (the address allows 5).
        assert _try(client, "bob@example.org", PASSWORD).status_code == 201


def test_wrong_passwords_per_address_across_emails(app):
    with api_client(app, per_account=3, per_ip=5) as client:
        for i in range(5):
            assert _try(client, f"guess{i}@example.org").status_code == 401
        assert_problem(_try(client, "fresh@example.org"), 429, "too_many_requests")


def test_a_good_password_forgets_the_accounts_failures(app):
    app.register_account("ada@example.org", PASSWORD, "Ada")
    with api_client(app, per_account=3, per_ip=100) as client:
        assert [_try(client, "ada@example.org").status_code for _ in range(2)] == [401, 401]
        assert _try(client, "ada@example.org", PASSWORD).status_code == 201
        # Counted from zero again: three more failures before the account waits.
        assert [_try(client, "ada@example.org").status_code for _ in range(4)] == [
            401,
            401,
            401,
            429,
        ]


def test_an_unknown_email_gets_the_same_answers_and_the_same_argon2_work(app):
    app.register_account("ada@example.org", PASSWORD, "Ada")
    checked: list[str] = []
    real_verify = app.passwords.verify

    def counting_verify(hashed: str, password: str) -> bool:
        checked.append(hashed)
        return bool(real_verify(hashed, password))

    app.passwords.verify = counting_verify

    def answers(email: str) -> list[tuple[int, str, str | None]]:
        with api_client(app, per_account=3, per_ip=100) as client:
            responses = [_try(client, email) for _ in range(4)]
        return [
            (r.status_code, r.json()["detail"], r.headers.get("retry-after")) for r in responses
        ]

    known = answers("ada@example.org")
    known_checks, checked[:] = list(checked), []
    unknown = answers("nobody@example.org")
    assert [a[0] for a in known] == [401, 401, 401, 429]
    assert [a[:2] for a in unknown] == [a[:2] for a in known]
    # One argon2 verification per answered attempt (a dummy hash for the unknown
    # email), none once blocked.
    assert len(known_checks) == 3 and len(checked) == 3
    assert set(checked).isdisjoint(known_checks)


def test_two_app_instances_count_failures_together(app):
    """As two workers on one host: failures on either count against the same email."""
    app.register_account("ada@example.org", PASSWORD, "Ada")
    with api_client(app) as one, api_client(app) as two:
        assert _try(one, "ada@example.org").status_code == 401
        assert _try(two, "ada@example.org").status_code == 401
        assert _try(one, "ada@example.org").status_code == 401
        assert_problem(_try(two, "ada@example.org", PASSWORD), 429, "too_many_requests")


def test_a_parallel_burst_cannot_exceed_the_limit():
    """Reserving before the password is checked: attempts still in flight count."""
    throttle = LoginThrottle(
        MemoryBuckets(lambda: 0.0), per_account=3, per_ip=10, window_seconds=60
    )
    started = [throttle.attempt("ada@example.org", "10.0.0.1") for _ in range(5)]
    assert [w == 0 for w in started] == [True, True, True, False, False]
    # Blocked by the account: the address was not charged for it.
    assert throttle.attempt("bob@example.org", "10.0.0.1") == 0
    throttle.succeeded("ada@example.org", "10.0.0.1")
    assert throttle.attempt("ada@example.org", "10.0.0.1") == 0


def test_settings_from_the_environment():
    config = ApiConfig.from_env(
        {"OPENINNO_LOGIN_FAILURE_LIMIT": "4/300", "OPENINNO_API_RATE_LIMIT_STORE": "process"}
    )
    assert (config.login_failures_per_account, config.login_failures_per_ip) == (4, 16)
    assert config.login_window_seconds == 300 and config.rate_limit_store == "process"
    assert ApiConfig.from_env({}).rate_limit_store == "shared"
    for bad in ({"OPENINNO_API_RATE_LIMIT_STORE": "redis"}, {"OPENINNO_LOGIN_FAILURE_LIMIT": "x"}):
        with pytest.raises(InvalidInput):
            ApiConfig.from_env(bad)
