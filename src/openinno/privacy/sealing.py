"""Personal fields in a stored payload: encrypted on the way in, opened on the way out.

A sealed payload keeps every field where it was; each personal field's string becomes
``pd1.<base64url(nonce | AES-GCM ciphertext)>`` (associated data: stream id, version and
field path, so a ciphertext cannot be moved), and ``"_pd": {"subject", "scope"}`` names
the key.  The ledger's leaves are made from this form (decision 0032).  Opening with the
key gone gives ``ERASED`` in place of each field.  Empty strings stay empty: they say
nothing about anyone (a vote cast without a known address).
"""

from __future__ import annotations

import base64
import os
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from openinno.domain.personal import ERASED
from openinno.domain.personal_fields import PERSONAL, get_path, set_path

if TYPE_CHECKING:
    from openinno.privacy.keys import PersonalKeys

PREFIX = "pd1."
MARK = "_pd"
# A payload stored before encryption whose personal fields were overwritten by an
# erasure; holds the hash of the leaf it had (openinno.privacy.redaction).
REDACTED = "_redacted"
NONCE_BYTES = 12


def _aad(originator_id: str, version: int, path: str) -> bytes:
    return f"{originator_id}/{version}/{path}".encode()


def seal(
    keys: PersonalKeys, topic: str, payload: dict[str, Any], originator_id: str, version: int
) -> None:
    """Encrypt the payload's personal fields in place (a payload of a class with none,
    or naming no person, is left as it is)."""
    spec = PERSONAL.get(topic)
    if spec is None:
        return
    subject = spec.subject_of(payload, originator_id)
    if subject is None:
        return
    if not any(isinstance(get_path(payload, p), str) and get_path(payload, p) for p in spec.fields):
        return  # nothing personal in it: no key made for it
    scope = spec.scope_of(originator_id)
    key = keys.key(subject, scope, create=True)
    cipher = None if key is None else AESGCM(key)
    for path in spec.fields:
        value = get_path(payload, path)
        if not isinstance(value, str) or not value:
            continue
        if cipher is None:
            # The person's key was shredded: what would be recorded of them is not.
            set_path(payload, path, ERASED)
            continue
        nonce = os.urandom(NONCE_BYTES)
        sealed = cipher.encrypt(nonce, value.encode(), _aad(originator_id, version, path))
        set_path(payload, path, PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode())
    payload[MARK] = {"subject": subject, "scope": scope}


def open_sealed(
    keys: PersonalKeys | None,
    topic: str,
    payload: dict[str, Any],
    originator_id: str,
    version: int,
) -> None:
    """Decrypt the payload's personal fields in place, or put ``ERASED`` where the key is
    gone; drop the markers.  A payload stored in plaintext is left as it is."""
    payload.pop(REDACTED, None)
    mark = payload.pop(MARK, None)
    spec = PERSONAL.get(topic)
    if mark is None or spec is None:
        return
    key = None if keys is None else keys.key(str(mark["subject"]), str(mark["scope"]))
    cipher = None if key is None else AESGCM(key)
    for path in spec.fields:
        value = get_path(payload, path)
        if not isinstance(value, str) or not value.startswith(PREFIX):
            continue
        if cipher is None:
            set_path(payload, path, ERASED)
            continue
        blob = base64.urlsafe_b64decode(value[len(PREFIX) :])
        plain = cipher.decrypt(
            blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(originator_id, version, path)
        )
        set_path(payload, path, plain.decode())
