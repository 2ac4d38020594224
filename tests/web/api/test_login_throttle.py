"""POST /api/v1/tokens with wrong passwords: the guessing address backs off
exponentially; the email under attack stays open to its owner (issue 19, finding 10:
five wrong passwords from a stranger used to lock the account out, one more every
180 s kept it out).  A high per-email backstop slows a guesser spread over many
addresses; a browser that signed in before (its known-device cookie) passes it.
Counted once for every app instance (worker) on the host."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from litestar.testing import TestClient

from openinno.domain.errors import InvalidInput
from tests.web.api.conftest import PASSWORD, assert_problem, from_address
from web.api.config import ApiConfig
from web.app import create_app
from web.known_device import KnownDevices
from web.pages import PagesConfig
from web.throttle import LoginThrottle, MemoryBuckets


@contextmanager
def api_client(
    app: Any, per_ip: int = 3, per_account: int = 100, address: str = "10.0.0.1"
) -> Iterator[TestClient[Any]]:
    config = ApiConfig(
        token_requests=100_000,
        anonymous_requests=100_000,
        login_failures_per_ip=per_ip,
        login_window_seconds=600,
        login_failures_per_account=per_account,
        login_account_window_seconds=3600,
    )
    client = TestClient(create_app(app.settings, application=app, api_config=config))
    with client, from_address(client, address):
        yield client


def _try(client: TestClient[Any], email: str, password: str = "wrong password", **kw: Any) -> Any:
    return client.post("/api/v1/tokens", json={"email": email, "password": password}, **kw)


def test_a_stranger_cannot_lock_an_account_out(app):
    """The finding: wrong passwords for someone's email from another address no longer
    keep its owner out; the guessing address is the one that waits."""
    app.register_account("ada@example.org", PASSWORD, "Ada")
    config = ApiConfig.from_env(
        {
            "OPENINNO_API_RATE_LIMIT": "100000/60",
            "OPENINNO_API_ANONYMOUS_RATE_LIMIT": "100000/60",
            "OPENINNO_LOGIN_FAILURE_LIMIT": "5/600",
        }
    )
    with TestClient(create_app(app.settings, application=app, api_config=config)) as client:
        with from_address(client, "203.0.113.66"):
            assert [_try(client, "ada@example.org").status_code for _ in range(6)] == [401] * 5 + [
                429
            ]
            blocked = _try(client, "ada@example.org", PASSWORD)
            assert_problem(blocked, 429, "too_many_requests")
            # The first wait is the window over the free failures (600 / 5), then doubles.
            assert int(blocked.headers["retry-after"]) == 120
        with from_address(client, "198.51.100.7"):
            assert _try(client, " Ada@Example.org", PASSWORD).status_code == 201


def test_the_guessing_address_backs_off_exponentially():
    now = [0.0]
    throttle = LoginThrottle(
        MemoryBuckets(lambda: now[0]),
        per_ip=3,
        window_seconds=300,
        per_account=1000,
        account_window_seconds=3600,
        most_wait_seconds=1000,
    )
    told = []
    for _ in range(5):
        # The guesser fails until told to wait, then waits exactly as told.
        failures = 0
        while (wait := throttle.attempt("ada@example.org", "10.0.0.1")) == 0:
            failures += 1
        told.append((failures, wait))
        now[0] += wait
    # Three free failures, then 100 s (300 / 3), doubling, up to the most (1000 s).
    assert told == [(3, 100), (1, 200), (1, 400), (1, 800), (1, 1000)]
    # Another address is not touched.
    assert throttle.attempt("ada@example.org", "10.0.0.2") == 0
    # The last wait is over; after a quiet window the address starts from nothing again.
    now[0] += 300
    assert [throttle.attempt("bob@example.org", "10.0.0.1") for _ in range(4)] == [0, 0, 0, 100]


def test_a_good_password_gives_the_address_its_attempt_back():
    now = [0.0]
    throttle = LoginThrottle(
        MemoryBuckets(lambda: now[0]),
        per_ip=3,
        window_seconds=300,
        per_account=1000,
        account_window_seconds=3600,
    )
    assert throttle.attempt("ada@example.org", "10.0.0.1") == 0  # a failure
    for _ in range(5):
        assert throttle.attempt("ada@example.org", "10.0.0.1") == 0
        throttle.succeeded("ada@example.org", "10.0.0.1")
    # Still one failure counted: two more are free, the fourth waits.
    assert [throttle.attempt("ada@example.org", "10.0.0.1") for _ in range(3)] == [0, 0, 100]


def test_a_parallel_burst_cannot_exceed_the_limit():
    """Reserving before the password is checked: attempts still in flight count."""
    throttle = LoginThrottle(
        MemoryBuckets(lambda: 0.0),
        per_ip=3,
        window_seconds=60,
        per_account=1000,
        account_window_seconds=3600,
    )
    started = [throttle.attempt("ada@example.org", "10.0.0.1") for _ in range(5)]
    assert [w == 0 for w in started] == [True, True, True, False, False]


def test_the_per_email_backstop_stops_a_spread_out_guesser_but_not_a_known_browser(app):
    """Guesses for one email from many addresses meet the per-email backstop; a
    browser holding a known-device cookie for that email passes it (its own failures
    back off on their own)."""
    app.register_account("ada@example.org", PASSWORD, "Ada")
    secret = PagesConfig().resolve_secret(app.settings)
    cookie_name, device_cookie = KnownDevices(secret).cookie_for("ada@example.org", None)
    for n in range(4):
        with api_client(app, per_ip=3, per_account=4, address=f"203.0.113.{n}") as bot:
            assert _try(bot, "ada@example.org").status_code == 401
    with api_client(app, per_ip=3, per_account=4, address="198.51.100.7") as fresh:
        refused = _try(fresh, "ada@example.org", PASSWORD)
        assert_problem(refused, 429, "too_many_requests")
        assert 1 <= int(refused.headers["retry-after"]) <= 3600
        # The same browser with the cookie of an earlier sign-in gets in.
        fresh.cookies.set(cookie_name, device_cookie)
        assert _try(fresh, "ada@example.org", PASSWORD).status_code == 201
        # A cookie made for another email (or forged) passes nothing.
        _, bobs = KnownDevices(secret).cookie_for("bob@example.org", None)
        fresh.cookies.set(cookie_name, bobs)
        assert _try(fresh, "ada@example.org", PASSWORD).status_code == 429
        fresh.cookies.set(cookie_name, device_cookie[:-2] + "00")
        assert _try(fresh, "ada@example.org", PASSWORD).status_code == 429


def test_an_unknown_email_gets_the_same_answers_and_the_same_argon2_work(app):
    app.register_account("ada@example.org", PASSWORD, "Ada")
    checked: list[str] = []
    real_verify = app.passwords.verify

    def counting_verify(hashed: str, password: str) -> bool:
        checked.append(hashed)
        return bool(real_verify(hashed, password))

    app.passwords.verify = counting_verify

    def answers(email: str, address: str) -> list[tuple[int, str]]:
        with api_client(app, per_ip=3, address=address) as client:
            responses = [_try(client, email) for _ in range(4)]
        return [(r.status_code, r.json()["detail"]) for r in responses]

    known = answers("ada@example.org", "10.0.0.1")
    known_checks, checked[:] = list(checked), []
    unknown = answers("nobody@example.org", "10.0.0.2")
    assert [a[0] for a in known] == [401, 401, 401, 429]
    assert unknown == known
    # One argon2 verification per answered attempt (a dummy hash for the unknown
    # email), none once blocked.
    assert len(known_checks) == 3 and len(checked) == 3
    assert set(checked).isdisjoint(known_checks)


def test_two_app_instances_count_failures_together(app):
    """As two workers on one host: failures on either count against the same address."""
    app.register_account("ada@example.org", PASSWORD, "Ada")
    with api_client(app) as one, api_client(app) as two:
        assert _try(one, "ada@example.org").status_code == 401
        assert _try(two, "ada@example.org").status_code == 401
        assert _try(one, "ada@example.org").status_code == 401
        assert_problem(_try(two, "ada@example.org", PASSWORD), 429, "too_many_requests")


def test_settings_from_the_environment():
    config = ApiConfig.from_env(
        {
            "OPENINNO_LOGIN_FAILURE_LIMIT": "4/300",
            "OPENINNO_LOGIN_ACCOUNT_FAILURE_LIMIT": "40/7200",
            "OPENINNO_API_RATE_LIMIT_STORE": "process",
        }
    )
    assert (config.login_failures_per_ip, config.login_window_seconds) == (4, 300)
    assert (config.login_failures_per_account, config.login_account_window_seconds) == (40, 7200)
    assert config.rate_limit_store == "process"
    default = ApiConfig.from_env({})
    assert (default.login_failures_per_ip, default.login_window_seconds) == (5, 900)
    assert (default.login_failures_per_account, default.login_account_window_seconds) == (
        50,
        3600,
    )
    assert default.rate_limit_store == "shared"
    for bad in (
        {"OPENINNO_API_RATE_LIMIT_STORE": "redis"},
        {"OPENINNO_LOGIN_FAILURE_LIMIT": "x"},
        {"OPENINNO_LOGIN_ACCOUNT_FAILURE_LIMIT": "0/60"},
    ):
        with pytest.raises(InvalidInput):
            ApiConfig.from_env(bad)
