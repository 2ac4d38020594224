"""An optional proof of work on sign-up and voting (issue 24, decision 0025), needing
no outside service: off unless ``OPENINNO_PROOF_OF_WORK`` names a work factor.

The scheme is ALTCHA's (a signed challenge the client brute-forces): the server picks
a secret number ``n`` in ``[0, max_number]`` and a random salt carrying its expiry,
and hands out ``challenge = SHA-256(salt + n)`` with ``signature = HMAC-SHA-256(key,
challenge)``; the browser (web/static/js/pow.js) tries numbers from 0 until one
hashes to the challenge (``max_number / 2`` hashes on average), and sends back the
salt, the number, the challenge and the signature, base64-encoded JSON.  Checking
costs the server one hash and one HMAC; nothing is stored per challenge, except the
solutions already used (each works once per process until it expires).

The HMAC key is read from ``<data_dir>/proof-of-work.key`` (32 random bytes, made on
first use), so every worker on the host shares it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import threading
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from openinno.application import OpenInno
from openinno.clock import Clock
from openinno.domain.errors import InvalidInput

ALGORITHM = "SHA-256"
LIFETIME = timedelta(minutes=10)
FIELD = "proof_of_work"  # the form field; the API's header is HEADER
HEADER = "proof-of-work"


def load_key(path: Path) -> bytes:
    """The HMAC key at ``path``, made (32 random bytes, mode 0600) where missing."""
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class ProofOfWork:
    """``max_number`` 0: off (every check passes)."""

    max_number: int
    key: bytes
    clock: Clock
    _used: dict[str, datetime] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def enabled(self) -> bool:
        return self.max_number > 0

    def _sign(self, challenge: str) -> str:
        return hmac.new(self.key, challenge.encode(), hashlib.sha256).hexdigest()

    def issue(self, number: int | None = None) -> dict[str, Any]:
        """A new challenge (``number``: for tests; otherwise secret and random)."""
        expires = int((self.clock.now() + LIFETIME).timestamp())
        salt = f"{secrets.token_hex(12)}?expires={expires}"
        if number is None:
            number = secrets.randbelow(self.max_number + 1)
        challenge = _sha256(f"{salt}{number}")
        return {
            "algorithm": ALGORITHM,
            "challenge": challenge,
            "maxnumber": self.max_number,
            "salt": salt,
            "signature": self._sign(challenge),
        }

    def check(self, solution: str | None) -> None:
        """Raise ``InvalidInput`` unless ``solution`` (base64 JSON, or the JSON) solves
        a challenge this server issued, unexpired and not used before."""
        if not self.enabled:
            return
        fail = InvalidInput(
            "Your browser's proof of work is missing or no longer valid: try again.",
            field=FIELD,
        )
        if not solution:
            raise fail
        try:
            text = solution.strip()
            if not text.startswith("{"):
                text = base64.b64decode(text, validate=True).decode()
            data = json.loads(text)
            salt, challenge = str(data["salt"]), str(data["challenge"])
            number, signature = int(data["number"]), str(data["signature"])
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
            raise fail from None
        if data.get("algorithm", ALGORITHM) != ALGORITHM:
            raise fail
        if not hmac.compare_digest(self._sign(challenge), signature):
            raise fail
        if not 0 <= number <= self.max_number or _sha256(f"{salt}{number}") != challenge:
            raise fail
        expires = _expiry(salt)
        now = self.clock.now()
        if expires is None or expires <= now:
            raise fail
        with self._lock:
            for used, until in list(self._used.items()):
                if until <= now:
                    del self._used[used]
            if challenge in self._used:
                raise fail
            self._used[challenge] = expires


def _expiry(salt: str) -> datetime | None:
    _, _, query = salt.partition("?")
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name == "expires" and value.isdigit():
            return datetime.fromtimestamp(int(value), UTC)
    return None


_BY_APP: weakref.WeakKeyDictionary[OpenInno, ProofOfWork] = weakref.WeakKeyDictionary()
_BY_APP_LOCK = threading.Lock()


def proof_of_work_for(openinno: OpenInno) -> ProofOfWork:
    """The application's proof of work (one per application: its used solutions)."""
    with _BY_APP_LOCK:
        found = _BY_APP.get(openinno)
        if found is None:
            settings = openinno.settings
            key = (
                load_key(settings.data_dir / "proof-of-work.key") if settings.proof_of_work else b""
            )
            found = _BY_APP[openinno] = ProofOfWork(settings.proof_of_work, key, openinno.clock)
        return found


def solve(challenge: dict[str, Any]) -> str:
    """What a client sends back: the solution of ``challenge`` as base64 JSON (used by
    tests and scripts; browsers run web/static/js/pow.js)."""
    for number in range(int(challenge["maxnumber"]) + 1):
        if _sha256(f"{challenge['salt']}{number}") == challenge["challenge"]:
            payload = {
                "algorithm": ALGORITHM,
                "challenge": challenge["challenge"],
                "number": number,
                "salt": challenge["salt"],
                "signature": challenge["signature"],
            }
            return base64.b64encode(json.dumps(payload).encode()).decode()
    raise ValueError("no number solves this challenge")
