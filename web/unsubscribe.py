"""Signed one-click unsubscribe tokens (RFC 8058): whoever holds a mail's link may turn
off e-mails of that mail's kind for its recipient, and nothing else.

A token is the account id and the kind, with an HMAC-SHA256 by the site's secret key
(the one that signs CSRF tokens, ``OPENINNO_SECRET_KEY``).  It does not expire: a
link in an old mail must still work (RFC 8058 asks that it keep working)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from uuid import UUID

from openinno.domain.notices import KINDS

_CONTEXT = b"openinno unsubscribe v1\x00"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, body: bytes) -> bytes:
    return hmac.new(secret.encode(), _CONTEXT + body, hashlib.sha256).digest()[:16]


def make_token(secret: str, account_id: UUID, kind: str) -> str:
    body = account_id.bytes + kind.encode()
    return f"{_b64(body)}.{_b64(_mac(secret, body))}"


def read_token(secret: str, token: str) -> tuple[UUID, str] | None:
    """(account, kind) of a genuine token; None for anything else."""
    body_text, _, mac_text = token.partition(".")
    try:
        body, mac = _unb64(body_text), _unb64(mac_text)
    except (ValueError, TypeError):
        return None
    if len(body) <= 16 or not hmac.compare_digest(mac, _mac(secret, body)):
        return None
    kind = body[16:].decode(errors="replace")
    if kind not in KINDS:
        return None
    return UUID(bytes=body[:16]), kind
