"""Settings of the server-rendered pages, read from the environment once.

They live here rather than in ``openinno.settings`` because only the web front
uses them (cookies, CSRF secret, read-your-writes wait)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from openinno.settings import Settings


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class PagesConfig:
    # Served over https: cookies get Secure and the __Host- prefix.  Off by default
    # because `make run` serves plain http on 127.0.0.1; turn it on in production.
    secure_cookies: bool = False
    # Signs CSRF tokens.  Empty: a random key kept in <data dir>/secret_key (shared
    # by every worker on the host); set OPENINNO_SECRET_KEY when hosts are several.
    secret_key: str = ""
    session_max_age: int = 8 * 3600
    # Read-your-writes: how long a page waits for its read model after a command.
    read_wait_seconds: float = 2.0
    # Failed logins (counted in web.throttle's shared buckets, together with the API's
    # POST /tokens): the API's OPENINNO_LOGIN_FAILURE_LIMIT (per address or known
    # device, then back-off) and OPENINNO_LOGIN_ACCOUNT_FAILURE_LIMIT (per email).
    login_failures_per_ip: int = 5
    login_window_seconds: float = 15 * 60
    login_failures_per_account: int = 50
    login_account_window_seconds: float = 3600.0
    # Sign-ups per client address per window: the API's OPENINNO_SIGNUP_RATE_LIMIT,
    # counted in the same buckets.
    signup_requests: int = 10
    signup_window_seconds: float = 3600.0
    # Mails of links asked for (password reset, verification link again), issue 23:
    # per client address and per e-mail address an hour.
    mail_links_per_ip: int = 10
    mail_links_per_address: int = 3
    mail_links_window_seconds: float = 3600.0
    # Where those limits count: the API's OPENINNO_API_RATE_LIMIT_STORE; "database"
    # (several hosts) counts in PostgreSQL, anything else in the host's file.
    rate_limit_store: str = "shared"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> PagesConfig:
        from web.api.config import ApiConfig

        env = dict(os.environ if environ is None else environ)
        # One set of sign-in and sign-up limits for both doors: they count in the same buckets.
        api = ApiConfig.from_env(env)
        return cls(
            secure_cookies=_flag(env.get("OPENINNO_SECURE_COOKIES")),
            secret_key=env.get("OPENINNO_SECRET_KEY", ""),
            login_failures_per_ip=api.login_failures_per_ip,
            login_window_seconds=api.login_window_seconds,
            login_failures_per_account=api.login_failures_per_account,
            login_account_window_seconds=api.login_account_window_seconds,
            signup_requests=api.signup_requests,
            signup_window_seconds=api.signup_window_seconds,
            rate_limit_store=api.rate_limit_store,
        )

    @property
    def cookie_prefix(self) -> str:
        return "__Host-" if self.secure_cookies else ""

    def resolve_secret(self, settings: Settings) -> str:
        if self.secret_key:
            return self.secret_key
        path = Path(settings.data_dir) / "secret_key"
        try:
            return path.read_text().strip()
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker wrote it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(key)
        return key
