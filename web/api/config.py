"""Settings of the JSON API, read from the environment once (only the API uses them)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from openinno.domain.errors import InvalidInput


def _rate(value: str, name: str) -> tuple[int, float]:
    """``"600/60"``: 600 requests per 60 seconds."""
    count, _, seconds = value.partition("/")
    try:
        parsed = int(count), float(seconds or "60")
    except ValueError:
        raise InvalidInput(
            "%(name)s takes <requests>/<seconds>, e.g. 600/60.", field=name, name=name
        ) from None
    if parsed[0] < 1 or parsed[1] <= 0:
        raise InvalidInput(
            "%(name)s needs at least 1 request per positive window.", field=name, name=name
        )
    return parsed


@dataclass(frozen=True)
class ApiConfig:
    # ?min_position=: how long a read waits for the read models, then 503 + Retry-After.
    read_wait_seconds: float = 5.0
    # Requests per window, per bearer token (authenticated) and per client IP (anonymous).
    token_requests: int = 600
    anonymous_requests: int = 120
    window_seconds: float = 60.0
    # "shared": counted once for every worker on the host (a memory-mapped file in the
    # data directory, see web/throttle.py); "process": each worker counts on its own;
    # "database": once for every host, in PostgreSQL (web/throttle_postgres.py).
    rate_limit_store: str = "shared"
    # Wrong passwords (POST /tokens and the pages' login, counted together): per client
    # address (or known device), failures before exponential back-off, forgotten after
    # a quiet window (OPENINNO_LOGIN_FAILURE_LIMIT) ...
    login_failures_per_ip: int = 5
    login_window_seconds: float = 15 * 60
    # ... and per email, a high backstop a known device passes
    # (OPENINNO_LOGIN_ACCOUNT_FAILURE_LIMIT).
    login_failures_per_account: int = 50
    login_account_window_seconds: float = 3600.0
    # New accounts per client address per window, on the pages and the API together
    # (OPENINNO_SIGNUP_RATE_LIMIT): strict by default, raise it for load tests.
    signup_requests: int = 10
    signup_window_seconds: float = 3600.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ApiConfig:
        env = dict(os.environ if environ is None else environ)
        defaults = cls()
        token, window = _rate(
            env.get("OPENINNO_API_RATE_LIMIT", f"{defaults.token_requests}/60"),
            "OPENINNO_API_RATE_LIMIT",
        )
        anonymous, _ = _rate(
            env.get("OPENINNO_API_ANONYMOUS_RATE_LIMIT", f"{defaults.anonymous_requests}/60"),
            "OPENINNO_API_ANONYMOUS_RATE_LIMIT",
        )
        store = env.get("OPENINNO_API_RATE_LIMIT_STORE", defaults.rate_limit_store)
        if store not in ("shared", "process", "database"):
            raise InvalidInput(
                "OPENINNO_API_RATE_LIMIT_STORE is shared, process or database.",
                field="OPENINNO_API_RATE_LIMIT_STORE",
            )
        failures, login_window = _rate(
            env.get(
                "OPENINNO_LOGIN_FAILURE_LIMIT",
                f"{defaults.login_failures_per_ip}/{defaults.login_window_seconds:g}",
            ),
            "OPENINNO_LOGIN_FAILURE_LIMIT",
        )
        account_failures, account_window = _rate(
            env.get(
                "OPENINNO_LOGIN_ACCOUNT_FAILURE_LIMIT",
                f"{defaults.login_failures_per_account}/{defaults.login_account_window_seconds:g}",
            ),
            "OPENINNO_LOGIN_ACCOUNT_FAILURE_LIMIT",
        )
        signups, signup_window = _rate(
            env.get(
                "OPENINNO_SIGNUP_RATE_LIMIT",
                f"{defaults.signup_requests}/{defaults.signup_window_seconds:g}",
            ),
            "OPENINNO_SIGNUP_RATE_LIMIT",
        )
        return cls(
            read_wait_seconds=float(env.get("OPENINNO_API_READ_WAIT_SECONDS", "5")),
            token_requests=token,
            anonymous_requests=anonymous,
            window_seconds=window,
            rate_limit_store=store,
            login_failures_per_ip=failures,
            login_window_seconds=login_window,
            login_failures_per_account=account_failures,
            login_account_window_seconds=account_window,
            signup_requests=signups,
            signup_window_seconds=signup_window,
        )
