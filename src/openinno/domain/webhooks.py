"""Webhooks: what an organisation's endpoints may be told of (the types), and what
an endpoint's address must look like.

The types are a contract with the integrations that registered for them: add types,
never rename one.  Whether an address is safe to call (not a private, loopback or
link-local one) is asked of the DNS at registration and again at each delivery, by
the web layer (web/webhooks/ssrf.py): the domain only knows the address's form."""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from openinno.domain.errors import InvalidInput

# type -> what it tells (docs/operations.md, "Webhooks").
TYPES: tuple[str, ...] = (
    "challenge.published",
    "question.asked",
    "submission.received",
    "submission.revised",
    "submission.withdrawn",
    "submission.shortlisted",
    "challenge.awarded",
    "agreement.signed",
)
MAX_URL = 2000
MAX_ENDPOINTS = 50


def check_url(url: str) -> str:
    cleaned = url.strip()
    if len(cleaned) > MAX_URL:
        raise InvalidInput(
            "An address has at most %(limit)s characters.", field="url", limit=MAX_URL
        )
    parts: SplitResult | None
    try:
        parts = urlsplit(cleaned)
        port = parts.port
    except ValueError:  # a port that is no number, a bracketed host that is no address
        port, parts = None, None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.fragment
        or (port is not None and not 0 < port < 65536)
    ):
        raise InvalidInput(
            "Give an http:// or https:// address without a user name or fragment.", field="url"
        )
    return cleaned


def check_types(types: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(types))
    if not chosen:
        raise InvalidInput("Choose at least one event type.", field="types")
    for t in chosen:
        if t not in TYPES:
            raise InvalidInput("Unknown event type %(type)s.", field="types", type=repr(t))
    return chosen
