"""The webhook sender: follows the deliveries' outbox, posts each due delivery, and
records the attempt.

Per delivery: renew the lease (only the holder sends), resolve the endpoint's host
and refuse a non-global address (unless allowed: web/webhooks/ssrf.py), post the
body signed for this attempt to that very address, record the attempt and the
outcome in one transaction.  A 2xx answer is a delivery; anything else (another
status, a refused address, no connection, a timeout) is tried again after a back-off
that doubles from ``RETRY_BASE`` up to ``RETRY_MAX``, until the delivery's attempts
are spent (``failed``).  Redirects are not followed.

Exactly once per (event, endpoint) recorded, as the mail sender (decision 0020): a
sender killed before its request reached the endpoint loses nothing (the lease
expires and another sends it); killed after the endpoint answered but before the
record, the next sender posts it again with the same ``webhook-id``, by which the
receiver tells it is the same event (the Standard Webhooks' idempotency key)."""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from openinno.settings import Settings
from projections.db import Db, Row
from web import leased_outbox
from web.webhooks import outbox, signing
from web.webhooks.ssrf import Resolver, UnsafeAddress, safe_address, system_resolver

log = logging.getLogger(__name__)

BATCH = 20
LEASE = timedelta(minutes=2)
RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=4)
TIMEOUT_SECONDS = 10.0
# Tries of a delivery before it is recorded failed (the column's default), and of a
# manual redelivery.
MAX_ATTEMPTS = 12
MAX_ATTEMPTS_AGAIN = 3
USER_AGENT = "openinno-webhooks/1"


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 30 s, 1 min, 2 min, ... up to 4 h."""
    return leased_outbox.backoff(attempts, RETRY_BASE, RETRY_MAX)


class _Pinned(http.client.HTTPConnection):
    """HTTP to ``address`` (already checked) with the URL's host in ``Host``."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTls(http.client.HTTPSConnection):
    """HTTPS to ``address``, the certificate checked against the URL's host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def post(url: str, address: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST ``body`` to ``url`` at ``address``; the answer's status."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port
    kind = _PinnedTls if parts.scheme == "https" else _Pinned
    connection = kind(host, port or (443 if parts.scheme == "https" else 80), address, timeout)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        return int(response.status)
    finally:
        connection.close()


class WebhookSender(leased_outbox.Follower):
    name = "webhook"

    def __init__(
        self,
        settings: Settings,
        db: Db,
        site_secret: str,
        *,
        now: Callable[[], datetime] | None = None,
        lease: timedelta = LEASE,
        batch: int = BATCH,
        resolver: Resolver = system_resolver,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.settings = settings
        self.db = db
        self.site_secret = site_secret
        self.now = now or (lambda: datetime.now(UTC))
        self.lease = lease
        self.batch = batch
        self.resolver = resolver
        self.timeout = timeout
        self.max_age = timedelta(hours=settings.webhook_max_age_hours)

    def send_once(self) -> int:
        """Claim and handle one batch; how many deliveries were claimed."""
        owner = uuid.uuid4().hex
        rows = outbox.claim(self.db, owner, self.now(), self.lease, self.batch)
        for row in rows:
            self._handle(row, owner)
        return len(rows)

    def _handle(self, row: Row, owner: str) -> None:
        now = self.now()
        if row["url"] is None or row["removed"] is not None:
            outbox.finish(self.db, row, owner, "cancelled", now, None)
            return
        created = datetime.fromisoformat(str(row["created_at"]).replace("Z", "+00:00"))
        if now - created > self.max_age:
            outbox.finish(self.db, row, owner, "expired", now, None)
            return
        if not outbox.renew(self.db, row, owner, now, self.lease):
            return
        outcome = self._attempt(row, now)
        status = outcome.get("status_code")
        if status is not None and 200 <= status < 300:
            if not outbox.finish(self.db, row, owner, "delivered", now, outcome):
                log.error("webhook %s delivered after its lease ran out", outcome["id"])
            return
        attempts = int(row["attempts"]) + 1
        if attempts >= int(row["max_attempts"]):
            outbox.finish(self.db, row, owner, "failed", now, outcome)
        else:
            outbox.retry_later(self.db, row, owner, now, now + backoff(attempts), outcome)
        log.warning("webhook %s not delivered (attempt %s): %s", outcome["id"], attempts, outcome)

    def _attempt(self, row: Row, now: datetime) -> dict[str, Any]:
        webhook_id, position = str(row["webhook_id"]), int(row["position"])
        msg_id = signing.message_id(webhook_id, position)
        body = str(row["payload"]).encode()
        secret = signing.endpoint_secret(self.site_secret, UUID(webhook_id))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            **signing.headers(secret, msg_id, now, body),
        }
        started = time.perf_counter()
        outcome: dict[str, Any] = {"id": msg_id}
        try:
            address = safe_address(
                str(row["url"]), self.settings.webhooks_allow_private, self.resolver
            )
            outcome["status_code"] = post(str(row["url"]), address, body, headers, self.timeout)
            if not 200 <= outcome["status_code"] < 300:
                outcome["error"] = f"HTTP {outcome['status_code']}"
        except UnsafeAddress as e:
            outcome["error"] = f"refused: {e}"
        except (OSError, http.client.HTTPException) as e:
            outcome["error"] = f"{type(e).__name__}: {e}"
        outcome["duration_ms"] = int((time.perf_counter() - started) * 1000)
        return outcome
