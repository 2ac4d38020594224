"""Known devices: a browser that signed in with an email before keeps a signed cookie
for it, so a stranger's wrong passwords for that email cannot keep its owner out.

The cookie holds a random device id and an HMAC-SHA256, under the pages' secret key,
of the device id and the email (trimmed, case-folded).  It names no account and no
email: it only proves, for the email typed at sign-in, "this browser signed in with
it before".  The login throttle (``web.throttle.LoginThrottle``) then counts this
device's failures on the device, not on the address, and lets it past the per-email
backstop.  A stolen cookie gives no password; its guesses back off like an address's.

Set at a successful sign-in (and sign-up) on the pages; read there and on
``POST /api/v1/tokens`` when a client sends it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from litestar.datastructures import Cookie

COOKIE = "known_device"
# A year: a browser used at least that often stays known.
MAX_AGE = 365 * 24 * 3600
_DEVICE_HEX = 32


def _email_key(email: str) -> str:
    # As the throttle keys it: what was typed, trimmed and case-folded.
    return email.strip().casefold()


@dataclass(frozen=True)
class KnownDevices:
    secret: str
    # "__Host-" with secure cookies (see PagesConfig.cookie_prefix).
    prefix: str = ""
    secure: bool = False

    @property
    def cookie_name(self) -> str:
        return self.prefix + COOKIE

    def _mac(self, device: str, email: str) -> str:
        message = f"known-device\0{device}\0{_email_key(email)}".encode()
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()

    def device_for(self, cookie: str | None, email: str) -> str | None:
        """The device id when ``cookie`` was signed for ``email``, else None."""
        if not cookie:
            return None
        device, _, mac = cookie.partition(".")
        if len(device) != _DEVICE_HEX or not all(c in "0123456789abcdef" for c in device):
            return None
        return device if hmac.compare_digest(mac, self._mac(device, email)) else None

    def cookie_for(self, email: str, device: str | None) -> tuple[str, str]:
        """(name, value) of the cookie for a sign-in with ``email``: the same device
        id when the browser has one, else a new one."""
        device = device or secrets.token_hex(_DEVICE_HEX // 2)
        return self.cookie_name, f"{device}.{self._mac(device, email)}"

    def cookie(self, email: str, device: str | None) -> Cookie:
        """The cookie to set at a sign-in with ``email`` (HttpOnly, SameSite=Lax, Secure
        and ``__Host-`` behind https)."""
        name, value = self.cookie_for(email, device)
        return Cookie(
            key=name,
            value=value,
            max_age=MAX_AGE,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )
