"""Signed links mailed for an account (issue 23): the e-mail verification link and the
password reset link.

A token is what the link says (the account, until when, and the address it verifies
or the reset it uses) with an HMAC-SHA256 by the site's secret key (the one that
signs CSRF tokens and unsubscribe links, ``OPENINNO_SECRET_KEY``), under a context of
its own per purpose, so one kind of token is never taken for another.  A genuine
token is only half of the check: the command compares it with the log (the address
still the account's, a reset not used) and the expiry with the injected clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import struct
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from litestar.background_tasks import BackgroundTask

if TYPE_CHECKING:
    from openinno.application import OpenInno

log = logging.getLogger(__name__)

_VERIFY = b"openinno verify-email v1\x00"
_RESET = b"openinno reset-password v1\x00"
_SECONDS = struct.Struct(">q")


class VerifyLink(NamedTuple):
    account_id: UUID
    email: str
    expires_at: datetime


class ResetLink(NamedTuple):
    account_id: UUID
    reset_id: UUID
    expires_at: datetime


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, context: bytes, body: bytes) -> str:
    mac = hmac.new(secret.encode(), context + body, hashlib.sha256).digest()[:16]
    return f"{_b64(body)}.{_b64(mac)}"


def _open(secret: str, context: bytes, token: str) -> bytes | None:
    body_text, _, mac_text = token.partition(".")
    if len(token) > 2000:
        return None
    try:
        body, mac = _unb64(body_text), _unb64(mac_text)
    except (ValueError, TypeError):
        return None
    expected = hmac.new(secret.encode(), context + body, hashlib.sha256).digest()[:16]
    if len(body) < 24 or not hmac.compare_digest(mac, expected):
        return None
    return body


def _when(moment: datetime) -> bytes:
    return _SECONDS.pack(int(moment.timestamp()))


def _moment(raw: bytes) -> datetime:
    return datetime.fromtimestamp(_SECONDS.unpack(raw)[0], UTC)


def make_verify_token(secret: str, account_id: UUID, email: str, expires_at: datetime) -> str:
    return _sign(secret, _VERIFY, account_id.bytes + _when(expires_at) + email.encode())


def read_verify_token(secret: str, token: str) -> VerifyLink | None:
    body = _open(secret, _VERIFY, token)
    if body is None:
        return None
    try:
        email = body[24:].decode()
    except UnicodeDecodeError:
        return None
    return VerifyLink(UUID(bytes=body[:16]), email, _moment(body[16:24]))


def make_reset_token(secret: str, account_id: UUID, reset_id: UUID, expires_at: datetime) -> str:
    return _sign(secret, _RESET, account_id.bytes + _when(expires_at) + reset_id.bytes)


def read_reset_token(secret: str, token: str) -> ResetLink | None:
    body = _open(secret, _RESET, token)
    if body is None or len(body) != 40:
        return None
    return ResetLink(UUID(bytes=body[:16]), UUID(bytes=body[24:]), _moment(body[16:24]))


def reset_after_answer(openinno: OpenInno, email: str) -> BackgroundTask:
    """The reset asked for, once the answer has left (a task after the response, in a
    worker thread): the answer is the same, and takes the same time, whether the
    address has an account (whose request records an event) or not (which records
    nothing)."""
    return BackgroundTask(_ask_reset, openinno, email)


def _ask_reset(openinno: OpenInno, email: str) -> None:
    try:
        openinno.request_password_reset(email)
    except Exception:  # nobody is waiting for the answer any more: logged
        log.exception("a password reset asked for could not be recorded")
