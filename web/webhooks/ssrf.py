"""Which addresses a webhook may call: only global ones.  An endpoint whose host
resolves to a private, loopback, link-local, shared, reserved or multicast address
(any of its addresses) is refused at registration and again at each delivery, where
the request then goes to the very address that was checked (no second lookup that a
rebinding DNS could answer otherwise).  ``OPENINNO_WEBHOOKS_ALLOW_PRIVATE=1`` lets an
operator allow them (an integration inside their own network; the tests)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from openinno.domain.errors import InvalidInput

# host, port -> the addresses it resolves to.
Resolver = Callable[[str, int], list[str]]


class UnsafeAddress(Exception):
    """The endpoint's host resolves to an address webhooks may not call."""


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_global(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname is not None
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def safe_address(url: str, allow_private: bool, resolver: Resolver) -> str:
    """The address to connect to for ``url``: the first its host resolves to, once
    every one is global (or private ones are allowed).  UnsafeAddress otherwise."""
    host, port = host_port(url)
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError, ValueError) as e:  # an IDNA label too long: UnicodeError
        raise UnsafeAddress(f"{host} could not be resolved: {e}") from e
    if not addresses:
        raise UnsafeAddress(f"{host} could not be resolved")
    if not allow_private:
        for address in addresses:
            if not is_global(address):
                raise UnsafeAddress(f"{host} resolves to {address}, which is not a global address")
    return addresses[0]


def check_endpoint(url: str, allow_private: bool, resolver: Resolver = system_resolver) -> None:
    """At registration: InvalidInput where the address may not be called."""
    from openinno.domain.webhooks import check_url

    url = check_url(url)
    try:
        safe_address(url, allow_private, resolver)
    except UnsafeAddress:
        raise InvalidInput(
            "The address resolves to a private, loopback or link-local address, or to "
            "none: webhooks may only call public addresses.",
            field="url",
        ) from None
