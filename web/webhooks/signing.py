"""Standard Webhooks signatures (https://www.standardwebhooks.com/): each request
carries ``webhook-id`` (the delivery's id, the same on every attempt: receivers
deduplicate by it), ``webhook-timestamp`` (the attempt's time, seconds) and
``webhook-signature`` (``v1,`` and the base64 HMAC-SHA256 of
``{id}.{timestamp}.{body}`` by the endpoint's secret), made by the maintained
``standardwebhooks`` library.

An endpoint's secret (``whsec_`` and base64) is derived from the site's secret key
(``OPENINNO_SECRET_KEY`` or <data dir>/secret_key) and the webhook's id, so the
event log never holds it; it is shown once, when the endpoint is registered.
Changing the site's secret key changes every endpoint's secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from uuid import UUID

from standardwebhooks.webhooks import Webhook

from openinno.settings import Settings

_CONTEXT = b"openinno webhook secret v1\x00"


def endpoint_secret(site_secret: str, webhook_id: UUID) -> str:
    raw = hmac.new(site_secret.encode(), _CONTEXT + webhook_id.bytes, hashlib.sha256).digest()
    return "whsec_" + base64.b64encode(raw[:24]).decode()


def site_secret(settings: Settings) -> str:
    """The key the pages sign CSRF tokens with (web/pages/config.py)."""
    from web.pages.config import PagesConfig

    return PagesConfig.from_env().resolve_secret(settings)


def message_id(webhook_id: str, position: int) -> str:
    return f"msg_{UUID(webhook_id).hex}_{position}"


def headers(secret: str, msg_id: str, at: datetime, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
    }
